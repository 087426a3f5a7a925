package web_test

import (
	"bytes"
	"image"
	"image/png"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"medic"
)

var referralPath = regexp.MustCompile(`^/referrals/([0-9a-f-]{36})`)

// TestDocumentsAtTheDesk: an admin uploads a practitioner's signature on
// the practitioner page (a wrong file is named; a doctor is refused); the
// prescription and referral pages offer their PDFs, which download as
// attachments nobody caches, named without the patient.
func TestDocumentsAtTheDesk(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.mustPractice("sunrise", "Sunrise")
	e.mustMember(p, e.mustUser("admin@sunrise.example", "Admin"), medic.RoleAdmin)
	e.mustMember(p, e.mustUser("doc@sunrise.example", "Dr Naidoo"), medic.RoleDoctor)
	cl := e.mustClinic(p, "Dr Naidoo")
	pt := e.mustPatient(p, "Ayanda", "Khoza", "1979-04-02")
	admin, doc := e.signIn("admin@sunrise.example"), e.signIn("doc@sunrise.example")

	// The signature.
	sigPath := "/practitioners/" + cl.pr.ID + "/signature"
	wantContains(t, admin.get("/practitioners/"+cl.pr.ID), "No signature yet.", `action="`+sigPath+`"`)
	r := admin.uploadFile(sigPath, "signature", "sig.gif", []byte("GIF89a not a png"))
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r, "The signature must be a PNG or JPEG image.", `value="Dr Naidoo"`)
	var img bytes.Buffer
	_ = png.Encode(&img, image.NewGray(image.Rect(0, 0, 60, 20)))
	wantStatus(t, doc.uploadFile(sigPath, "signature", "sig.png", img.Bytes()), http.StatusForbidden)
	r = admin.uploadFile(sigPath, "signature", "sig.png", img.Bytes())
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "The signature is saved", `src="`+sigPath+`"`)
	if got := admin.get(sigPath); got.status != http.StatusOK || got.header.Get("Content-Type") != "image/png" || got.body != img.String() {
		t.Fatalf("signature: %d %s, %d bytes", got.status, got.header.Get("Content-Type"), len(got.body))
	}

	// A prescription and a referral from a visit.
	enc := encounterID(t, doc.post("/patients/"+pt.ID+"/walk-in", url.Values{"practitioner_id": {cl.pr.ID}, "location_id": {cl.loc.ID}, "stage": {"consultation"}}))
	r = doc.post("/encounters/"+enc+"/prescriptions/new", url.Values{"medicine_0": {"Paracetamol 500 mg tablet"}, "dose_0": {"1 tablet"}, "frequency_0": {"qid"}, "days_0": {"3"}})
	wantStatus(t, r, http.StatusOK)
	rx := prescriptionPath.FindStringSubmatch(r.url)
	if rx == nil {
		t.Fatalf("not a prescription page: %s", r.url)
	}
	wantContains(t, r, `href="/prescriptions/`+rx[1]+`/pdf" download>Download PDF</a>`)
	r = doc.post("/encounters/"+enc+"/referrals/new", url.Values{"kind": {"external"}, "to_name": {"Dr P. Naidoo"}, "urgency": {"routine"}, "reason": {"Cardiology opinion"}})
	wantStatus(t, r, http.StatusOK)
	ref := referralPath.FindStringSubmatch(r.url)
	if ref == nil {
		t.Fatalf("not a referral page: %s", r.url)
	}
	wantContains(t, r, `href="/referrals/`+ref[1]+`/pdf" download>Download letter (PDF)</a>`)

	for _, tc := range []struct{ path, file, text string }{
		{"/prescriptions/" + rx[1] + "/pdf", "prescription-" + rx[1][:8] + ".pdf", "Paracetamol 500 mg tablet"},
		{"/referrals/" + ref[1] + "/pdf", "referral-" + ref[1][:8] + ".pdf", "Cardiology opinion"},
	} {
		got := doc.get(tc.path)
		wantStatus(t, got, http.StatusOK)
		if got.header.Get("Content-Type") != "application/pdf" || got.header.Get("Cache-Control") != "no-store" ||
			got.header.Get("Content-Disposition") != "attachment; filename="+tc.file {
			t.Errorf("%s: headers %v", tc.path, got.header)
		}
		// Uncompressed content streams: the text is in the file as written.
		if !strings.HasPrefix(got.body, "%PDF-") || !strings.Contains(got.body, "Ayanda Khoza") || !strings.Contains(got.body, tc.text) {
			t.Errorf("%s: not the document (%d bytes)", tc.path, len(got.body))
		}
	}
}
