package server_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"medic/internal/server/servertest"
)

// mitSample is a code table in the Master Industry Table's layout with the
// mistakes a real file has: a bad code, a missing title, a duplicate, a
// flag that is neither Y nor N, a broken quote.
const mitSample = "\uFEFFChapter_No,Chapter_Desc,ICD10_Code,WHO_Full_Desc,Valid_ICD10_ClinicalUse,Valid_ICD10_Primary\n" +
	"1,Certain infectious and parasitic diseases,A00.0,\"Cholera due to Vibrio cholerae 01, biovar cholerae\",Y,Y\n" +
	"1,Certain infectious and parasitic diseases,A00,Cholera,N,N\n" + // line 3: a category, saved but not offered
	"22,Codes for special purposes,U07.1,Emergency use of U07.1 (COVID-19 virus identified),Y,Y\n" +
	"9,Diseases of the circulatory system,I10,Essential (primary) hypertension - imported,Y,Y\n" +
	"9,Diseases of the circulatory system,12X,Not a code,Y,Y\n" + // line 6
	"9,Diseases of the circulatory system,I11.0,,Y,Y\n" + // line 7
	"9,Diseases of the circulatory system,A00.0,Cholera again,Y,Y\n" + // line 8
	"20,External causes,W54.0,Bitten by dog at home,Y,maybe\n" + // line 9
	"20,External causes,\"W55.0,Bitten by other mammals,Y,N\n" // line 10: an unterminated quote

// waitImport polls the import (as the operator) until it has finished.
func waitImport(t *testing.T, op *servertest.Client, id string) *servertest.Response {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		r := want(t, op.Do("GET", "/api/v1/operator/icd10/imports/"+id, nil), http.StatusOK)
		if s := r.Str("state"); s == "done" || s == "failed" {
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("import still %s after a minute: %s", r.Str("state"), r)
		}
		time.Sleep(50 * time.Millisecond) // the River job runs on its own
	}
}

func TestICD10ImportAndSearch(t *testing.T) {
	t.Parallel()
	x := newTenants(t)
	env := x.env
	env.Operator(t, "op@example.org", pw)
	op := env.Login(t, "op@example.org", pw)

	// Only the operator imports; a practice admin gets the 404 of a route
	// that does not exist, and nothing is read or queued.
	wantProblem(t, x.adminA.DoHeader("POST", "/api/v1/operator/icd10/imports", mitSample, map[string]string{"Content-Type": "text/csv"}), http.StatusNotFound)
	wantProblem(t, x.adminA.Do("GET", "/api/v1/operator/icd10/imports", nil), http.StatusNotFound)
	wantProblem(t, op.DoHeader("POST", "/api/v1/operator/icd10/imports", "", map[string]string{"Content-Type": "text/csv"}), http.StatusUnprocessableEntity)

	r := want(t, op.DoHeader("POST", "/api/v1/operator/icd10/imports?filename=mit.csv", mitSample, map[string]string{"Content-Type": "text/csv"}), http.StatusAccepted)
	if r.Str("state") != "queued" || r.Str("filename") != "mit.csv" {
		t.Fatalf("upload: %s", r)
	}
	done := waitImport(t, op, r.Str("id"))
	if done.Str("state") != "done" || done.Get("rows_saved") != float64(4) || done.Get("rows_rejected") != float64(5) || done.Get("percent") != float64(100) {
		t.Fatalf("import: %s", done)
	}
	rej := map[float64]string{}
	for _, it := range done.Get("rejections").([]any) {
		m := it.(map[string]any)
		rej[m["line"].(float64)] = m["reason"].(string)
	}
	for line, reason := range map[float64]string{6: "is not an ICD-10 code", 7: "No title", 8: "also on line 2", 9: "neither Y nor N", 10: "not valid CSV"} {
		if !strings.Contains(rej[line], reason) {
			t.Errorf("line %v: rejected as %q, want %q", line, rej[line], reason)
		}
	}
	list := want(t, op.Do("GET", "/api/v1/operator/icd10/imports", nil), http.StatusOK).Items()
	if len(list) != 1 || list[0]["id"] != r.Str("id") {
		t.Errorf("imports: %v", list)
	}

	// The imported codes are found at once, by code and by words; the
	// category (not valid for clinical use) is not offered.
	codes := func(c *servertest.Client, q string) []string {
		t.Helper()
		var out []string
		for _, it := range want(t, c.Do("GET", "/api/v1/practices/alpha/icd10?q="+q, nil), http.StatusOK).Items() {
			out = append(out, it["code"].(string))
		}
		return out
	}
	if got := codes(x.adminA, "u071"); !slices.Equal(got, []string{"U07.1"}) {
		t.Errorf("u071: %v", got)
	}
	if got := codes(x.adminA, "cholera+vibrio"); !slices.Equal(got, []string{"A00.0"}) {
		t.Errorf("cholera vibrio: %v", got)
	}
	if got := codes(x.adminA, "A00"); slices.Contains(got, "A00") {
		t.Errorf("A00 (a category) offered: %v", got)
	}
	if got := codes(x.adminA, "hypertension"); len(got) == 0 || got[0] != "I10" {
		t.Errorf("hypertension: %v", got)
	}
	wantProblem(t, x.adminA.Do("GET", "/api/v1/practices/alpha/icd10?q=I10&limit=500", nil), http.StatusUnprocessableEntity)
	// A practice the user is not in answers 404, as everywhere.
	wantProblem(t, x.adminA.Do("GET", "/api/v1/practices/bravo/icd10?q=I10", nil), http.StatusNotFound)
}

// TestICD10DeskImport: the operator uploads a file on the desk, lands on
// the import's page and sees its report; a member cannot open the page.
func TestICD10DeskImport(t *testing.T) {
	t.Parallel()
	x := newTenants(t)
	env := x.env
	env.Operator(t, "op@example.org", pw)
	op := env.Login(t, "op@example.org", pw)

	upload := func(c *servertest.Client, name, content string) *servertest.Response {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("file", name)
		_, _ = fw.Write([]byte(content))
		_ = mw.Close()
		return c.DoHeader("POST", "/operator/icd10/imports", body.Bytes(), map[string]string{"Content-Type": mw.FormDataContentType()})
	}
	page := want(t, op.Do("GET", "/operator/icd10", nil), http.StatusOK)
	for _, s := range []string{"ICD-10 catalog", `name="file"`, "No imports yet."} {
		if !strings.Contains(string(page.Body), s) {
			t.Errorf("catalog page lacks %q", s)
		}
	}
	if r := upload(op, "empty.csv", ""); r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), "Choose a CSV file") {
		t.Errorf("empty upload: %s", r)
	}
	r := want(t, upload(op, "codes.csv", "code;title\nZ99.9;Dependence on unspecified enabling machine\nbad;Nothing\n"), http.StatusSeeOther)
	loc := r.Header.Get("Location")
	if !strings.HasPrefix(loc, "/operator/icd10/imports/") {
		t.Fatalf("redirect to %q", loc)
	}
	waitImport(t, op, strings.TrimPrefix(loc, "/operator/icd10/imports/"))
	page = want(t, op.Do("GET", loc, nil), http.StatusOK)
	for _, s := range []string{"codes.csv", "Done", "1 codes saved", "Rejected rows", `&#34;bad&#34; is not an ICD-10 code.`} {
		if !strings.Contains(string(page.Body), s) {
			t.Errorf("import page lacks %q:\n%s", s, page.Body)
		}
	}
	if strings.Contains(string(page.Body), `hx-trigger="every 1s"`) {
		t.Error("a finished import still polls")
	}
	// A practice admin is no operator.
	want(t, x.adminA.Do("GET", loc, nil), http.StatusNotFound)
	want(t, upload(x.adminA, "codes.csv", "code,title\nZ99.8,x\n"), http.StatusNotFound)
	if c, err := env.DB.FindICD10(t.Context(), "Z99.8"); err == nil {
		t.Errorf("a member's upload was imported: %+v", c)
	}
}
