package fhirapi_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"medic/internal/fhir"
)

func patientBody(given, family, dob, gender string, extra map[string]any) map[string]any {
	p := map[string]any{"resourceType": "Patient", "name": []any{map[string]any{"family": family, "given": strings.Fields(given)}},
		"birthDate": dob, "gender": gender}
	for k, v := range extra {
		p[k] = v
	}
	return p
}

func TestPatientCreateReadUpdateDelete(t *testing.T) {
	t.Parallel()
	f := newFx(t)
	c := f.tokens["receptionist"]
	body := patientBody("Thandi Grace", "Mokoena", "1990-05-14", "female", map[string]any{
		"identifier": []any{map[string]any{"system": fhir.SAIDSystem, "value": "9005140123084"}},
		"telecom":    []any{map[string]any{"system": "phone", "value": "082 555 0100"}, map[string]any{"system": "email", "value": "Thandi@Example.org"}},
	})
	created := want(t, c.DoHeader("POST", "/fhir/R4/Patient", body, map[string]string{"Content-Type": "application/fhir+json"}), http.StatusCreated)
	id, ver := created.Str("id"), created.Str("meta.versionId")
	if id == "" || ver == "" || created.Header.Get("ETag") != `W/"`+ver+`"` || !strings.HasSuffix(created.Header.Get("Location"), "/fhir/R4/Patient/"+id+"/_history/"+ver) {
		t.Fatalf("created: %s %v", created, created.Header)
	}
	if created.Str("telecom.0.value") != "+27825550100" || created.Str("telecom.1.value") != "thandi@example.org" || created.Str("name.0.given.1") != "Grace" {
		t.Errorf("created chart not normalised: %s", created)
	}
	got := want(t, c.Do("GET", "/fhir/R4/Patient/"+id, nil), http.StatusOK)
	if got.Str("identifier.0.value") != "9005140123084" || got.Str("birthDate") != "1990-05-14" || got.Get("active") != true {
		t.Errorf("read: %s", got)
	}

	// Conditional create: one match answers it, no second chart.
	again := want(t, c.DoHeader("POST", "/fhir/R4/Patient", body, map[string]string{"If-None-Exist": "identifier=" + fhir.SAIDSystem + "|9005140123084"}), http.StatusOK)
	if again.Str("id") != id {
		t.Errorf("conditional create made another chart: %s", again)
	}
	// A likely duplicate without the condition is refused.
	wantOutcome(t, c.Do("POST", "/fhir/R4/Patient", body), http.StatusConflict, "conflict")

	// Update with If-Match: the stale version is refused, nothing saved.
	upd := got.JSON
	upd["name"] = []any{map[string]any{"family": "Mokoena-Dlamini", "given": []any{"Thandi"}}}
	f.env.Clock.Advance(time.Minute)
	wantOutcome(t, c.DoHeader("PUT", "/fhir/R4/Patient/"+id, upd, map[string]string{"If-Match": `W/"123"`}), http.StatusPreconditionFailed, "conflict")
	done := want(t, c.DoHeader("PUT", "/fhir/R4/Patient/"+id, upd, map[string]string{"If-Match": `W/"` + ver + `"`}), http.StatusOK)
	if done.Str("name.0.family") != "Mokoena-Dlamini" || done.Str("meta.versionId") == ver {
		t.Errorf("update: %s", done)
	}
	wantOutcome(t, c.DoHeader("PUT", "/fhir/R4/Patient/"+id, upd, map[string]string{"If-Match": `W/"` + ver + `"`}), http.StatusPreconditionFailed, "conflict")
	if r := want(t, c.Do("GET", "/fhir/R4/Patient/"+id, nil), http.StatusOK); r.Str("name.0.family") != "Mokoena-Dlamini" {
		t.Errorf("after the refused update: %s", r)
	}

	// Validation: the element is named; a body id other than the URL's is a 400.
	bad := done.JSON
	bad["birthDate"] = "2999-01-01"
	r := wantOutcome(t, c.Do("PUT", "/fhir/R4/Patient/"+id, bad), http.StatusUnprocessableEntity, "invalid")
	if !strings.Contains(string(r.Body), "Patient.birthDate") {
		t.Errorf("the outcome does not name the element: %s", r)
	}
	bad["id"] = "other"
	wantOutcome(t, c.Do("PUT", "/fhir/R4/Patient/"+id, bad), http.StatusBadRequest, "invalid")
	wantOutcome(t, c.Do("POST", "/fhir/R4/Patient", `{"resourceType":"Patient","name":[{"family":"X"}],"nickname":"x"}`), http.StatusBadRequest, "invalid")
	wantOutcome(t, c.Do("POST", "/fhir/R4/Patient", `{not json`), http.StatusBadRequest, "invalid")
	wantOutcome(t, c.DoHeader("POST", "/fhir/R4/Patient", "<Patient/>", map[string]string{"Content-Type": "application/fhir+xml"}), http.StatusUnsupportedMediaType, "not-supported")

	// Delete deactivates.
	if r := c.Do("DELETE", "/fhir/R4/Patient/"+id, nil); r.Status != http.StatusNoContent {
		t.Fatalf("delete: %s", r)
	}
	if r := want(t, c.Do("GET", "/fhir/R4/Patient/"+id, nil), http.StatusOK); r.Get("active") != false {
		t.Errorf("after delete: %s", r)
	}

	// Billing reads but does not write charts.
	want(t, f.tokens["billing"].Do("GET", "/fhir/R4/Patient/"+id, nil), http.StatusOK)
	wantOutcome(t, f.tokens["billing"].Do("POST", "/fhir/R4/Patient", patientBody("New", "Person", "2000-01-01", "male", nil)), http.StatusForbidden, "forbidden")

	// Every read and write was audited with the chart.
	actions := f.query(t, `SELECT DISTINCT action FROM audit_events WHERE patient_id = $1 OR $1 = ANY(patient_ids) ORDER BY 1`, id)
	for _, a := range []string{"patient.created", "patient.viewed", "patient.updated", "patient.searched"} {
		if !slices.Contains(actions, a) {
			t.Errorf("no %s event for the chart: %v", a, actions)
		}
	}
}

func TestPatientSearch(t *testing.T) {
	t.Parallel()
	f := newFx(t)
	c := f.tokens["nurse"]
	mk := func(given, family, dob, gender string, extra map[string]any) string {
		return want(t, c.Do("POST", "/fhir/R4/Patient", patientBody(given, family, dob, gender, extra)), http.StatusCreated).Str("id")
	}
	thandi := mk("Thandi", "Mokoena", "1990-05-14", "female", map[string]any{"identifier": []any{map[string]any{"system": fhir.SAIDSystem, "value": "9005140123084"}},
		"telecom": []any{map[string]any{"system": "email", "value": "thandi@example.org"}, map[string]any{"system": "phone", "value": "0825550100"}}})
	sipho := mk("Sipho", "Mokoena", "1985-01-02", "male", nil)
	f.env.Clock.Advance(time.Hour)
	anna := mk("Anna Maria", "van Wyk", "2020-12-31", "female", nil)
	// Practice B's Mokoena is never found from A.
	want(t, f.tokens["adminB"].Do("POST", "/fhir/R4/Patient", patientBody("Bongani", "Mokoena", "1970-03-03", "male", nil)), http.StatusCreated)

	search := func(q string, wantIDs ...string) {
		t.Helper()
		r := want(t, c.Do("GET", "/fhir/R4/Patient?"+q, nil), http.StatusOK)
		got := idsOf(entries(t, r))
		slices.Sort(got)
		slices.Sort(wantIDs)
		if !slices.Equal(got, wantIDs) {
			t.Errorf("%s: got %v, want %v", q, got, wantIDs)
		}
	}
	search("family=mokoena", thandi, sipho)
	search("family=MOK", thandi, sipho)
	search("name=maria", anna)
	search("name=wyk", anna)
	search("given=thandi&family=mokoena", thandi)
	search("given=okoena")
	search("birthdate=1990-05-14", thandi)
	search("birthdate=1990", thandi)
	search("birthdate=ge1990-01-01", thandi, anna)
	search("birthdate=lt1990-05-14", sipho)
	search("birthdate=le1990-05-14&birthdate=gt1985-01-02", thandi)
	search("birthdate=sa2020-12-30", anna)
	search("gender=female", thandi, anna)
	search("identifier="+fhir.SAIDSystem+"|9005140123084", thandi)
	search("identifier=9005140123084", thandi)
	search("identifier=urn:other|9005140123084")
	search("email=THANDI@example.org", thandi)
	search("phone=%2B27825550100", thandi)
	search("phone=082%20555%200100", thandi)
	search("_id="+sipho+","+anna, sipho, anna)
	search("_id=not-a-uuid")
	search("_lastUpdated=ge"+f.env.Clock.Now().Add(-time.Minute).UTC().Format(time.RFC3339), anna)
	search("_lastUpdated=lt"+f.env.Clock.Now().Add(-time.Minute).UTC().Format(time.RFC3339), thandi, sipho)

	// Paging: _count with keyset next links that hold only what applies.
	r := want(t, c.Do("GET", "/fhir/R4/Patient?_count=2&bogus=1", nil), http.StatusOK)
	first := idsOf(entries(t, r))
	base := f.env.URL
	next := link(r, "next", base)
	if len(first) != 2 || next == "" || strings.Contains(link(r, "self", base), "bogus") {
		t.Fatalf("page 1: %s", r)
	}
	r = want(t, c.Do("GET", next, nil), http.StatusOK)
	second := idsOf(entries(t, r))
	if len(second) != 1 || slices.Contains(first, second[0]) || link(r, "next", base) != "" {
		t.Errorf("page 2: %s", r)
	}
	wantOutcome(t, c.Do("GET", "/fhir/R4/Patient?_cursor=garbage", nil), http.StatusUnprocessableEntity, "invalid")

	// _summary=count counts; B's chart is not counted.
	if r := want(t, c.Do("GET", "/fhir/R4/Patient?family=mokoena&_summary=count", nil), http.StatusOK); r.Get("total") != float64(2) || r.JSON["entry"] != nil {
		t.Errorf("count: %s", r)
	}

	// Unknown parameters: strict is a 400, lenient ignores them.
	wantOutcome(t, c.DoHeader("GET", "/fhir/R4/Patient?bogus=1", nil, map[string]string{"Prefer": "handling=strict"}), http.StatusBadRequest, "invalid")
	wantOutcome(t, c.DoHeader("GET", "/fhir/R4/Patient?family:exact=Mokoena", nil, map[string]string{"Prefer": "handling=strict"}), http.StatusBadRequest, "invalid")
	for _, q := range []string{"birthdate=ne1990-01-01", "birthdate=1990-13-01", "gender=x", "family=a,b", "_count=x", "_summary=text"} {
		wantOutcome(t, c.Do("GET", "/fhir/R4/Patient?"+q, nil), http.StatusBadRequest, "invalid")
	}
	// POST _search is the same search.
	r = want(t, c.DoHeader("POST", "/fhir/R4/Patient/_search", "family=van", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}), http.StatusOK)
	if ids := idsOf(entries(t, r)); len(ids) != 1 || ids[0] != anna {
		t.Errorf("POST _search: %s", r)
	}

	// The search event names the charts it showed.
	named := f.query(t, `SELECT action FROM audit_events WHERE $1 = ANY(patient_ids) AND action = 'patient.searched'`, anna)
	if len(named) == 0 {
		t.Error("no patient.searched event names the chart shown")
	}
}

func TestTenancyAndAuth(t *testing.T) {
	t.Parallel()
	f := newFx(t)
	id := want(t, f.tokens["adminB"].Do("POST", "/fhir/R4/Patient", patientBody("Bongani", "Dube", "1970-03-03", "male", nil)), http.StatusCreated).Str("id")
	a := f.tokens["admin"]
	notFound := wantOutcome(t, a.Do("GET", "/fhir/R4/Patient/"+id, nil), http.StatusNotFound, "not-found")
	missing := wantOutcome(t, a.Do("GET", "/fhir/R4/Patient/00000000-0000-4000-8000-000000000000", nil), http.StatusNotFound, "not-found")
	if string(notFound.Body) != string(missing.Body) {
		t.Errorf("a foreign chart answers unlike a missing one:\n%s\n%s", notFound.Body, missing.Body)
	}
	wantOutcome(t, a.Do("PUT", "/fhir/R4/Patient/"+id, map[string]any{"resourceType": "Patient", "id": id, "name": []any{map[string]any{"family": "X", "given": []any{"Y"}}}, "birthDate": "1970-03-03"}), http.StatusNotFound, "not-found")
	wantOutcome(t, a.Do("DELETE", "/fhir/R4/Patient/"+id, nil), http.StatusNotFound, "not-found")
	if r := want(t, a.Do("GET", "/fhir/R4/Patient?_id="+id, nil), http.StatusOK); len(entries(t, r)) != 0 {
		t.Errorf("search found B's chart: %s", r)
	}
	if r := want(t, a.Do("GET", "/fhir/R4/Patient?_summary=count", nil), http.StatusOK); r.Get("total") != float64(0) {
		t.Errorf("count includes B's chart: %s", r)
	}

	// No token, a session cookie, a bad token: 401 with an outcome.
	anon := f.env.Client()
	r := wantOutcome(t, anon.Do("GET", "/fhir/R4/Patient", nil), http.StatusUnauthorized, "login")
	if !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
		t.Errorf("no WWW-Authenticate: %v", r.Header)
	}
	wantOutcome(t, f.env.Login(t, "admin@alpha.example", pw).Do("GET", "/fhir/R4/Patient", nil), http.StatusUnauthorized, "login")
	wantOutcome(t, f.env.TokenClient(t, "medic_nope").Do("GET", "/fhir/R4/Patient", nil), http.StatusUnauthorized, "login")

	// The metadata needs no token and lists what the table registers.
	m := want(t, anon.Do("GET", "/fhir/R4/metadata", nil), http.StatusOK)
	if m.Str("resourceType") != "CapabilityStatement" || m.Str("fhirVersion") != "4.0.1" {
		t.Fatalf("metadata: %s", m)
	}
	// Formats: XML is refused, _format=json accepted.
	wantOutcome(t, a.DoHeader("GET", "/fhir/R4/Patient", nil, map[string]string{"Accept": "application/fhir+xml"}), http.StatusNotAcceptable, "not-supported")
	wantOutcome(t, a.Do("GET", "/fhir/R4/Patient?_format=xml", nil), http.StatusNotAcceptable, "not-supported")
	want(t, a.DoHeader("GET", "/fhir/R4/Patient?_format=json", nil, map[string]string{"Accept": "text/html"}), http.StatusOK)
	wantOutcome(t, a.Do("GET", "/fhir/R4/Basic/1", nil), http.StatusNotFound, "not-found")
}

// TestCapabilityMatchesRoutes checks the CapabilityStatement lists exactly
// the interactions the server answers: each listed one is routed, and a
// type or interaction not listed is a 404 or 405.
func TestCapabilityMatchesRoutes(t *testing.T) {
	t.Parallel()
	f := newFx(t)
	m := want(t, f.env.Client().Do("GET", "/fhir/R4/metadata", nil), http.StatusOK)
	var cs fhir.CapabilityStatement
	if err := json.Unmarshal(m.Body, &cs); err != nil {
		t.Fatal(err)
	}
	routes := strings.Join(f.env.Handler.Routes(), "\n") + "\n"
	listed := 0
	for _, res := range cs.Rest[0].Resource {
		for _, in := range res.Interaction {
			pattern := map[string]string{"read": "GET /fhir/R4/" + res.Type + "/{id}\n", "search-type": "GET /fhir/R4/" + res.Type + "\n",
				"create": "POST /fhir/R4/" + res.Type + "\n", "update": "PUT /fhir/R4/" + res.Type + "/{id}\n", "delete": "DELETE /fhir/R4/" + res.Type + "/{id}\n",
				"vread": "GET /fhir/R4/" + res.Type + "/{id}/_history/{vid}\n", "history-instance": "GET /fhir/R4/" + res.Type + "/{id}/_history\n"}[in.Code]
			if pattern == "" || !strings.Contains(routes, pattern) {
				t.Errorf("%s %s is listed but not routed", res.Type, in.Code)
			}
			listed++
		}
		for _, op := range res.Operation {
			if !strings.Contains(routes, "GET /fhir/R4/"+res.Type+"/{id}/$"+op.Name+"\n") {
				t.Errorf("%s $%s is listed but not routed", res.Type, op.Name)
			}
			listed++
		}
	}
	for _, in := range cs.Rest[0].Interaction {
		if in.Code != "transaction" || !strings.Contains(routes, "POST /fhir/R4\n") || !strings.Contains(routes, "POST /fhir/R4/{$}\n") {
			t.Errorf("system interaction %s is listed but not routed", in.Code)
		}
	}
	ops := map[string]string{"export": "GET /fhir/R4/$export\n", "patient-export": "GET /fhir/R4/Patient/$export\n", "group-export": "GET /fhir/R4/Group/{id}/$export\n"}
	for _, op := range cs.Rest[0].Operation {
		if ops[op.Name] == "" || !strings.Contains(routes, ops[op.Name]) {
			t.Errorf("system operation %s is listed but not routed", op.Name)
		}
		listed++
	}
	// The exports' status URL (poll, cancel) and files belong to them.
	for _, pattern := range []string{"GET /fhir/R4/bulkstatus/{id}\n", "DELETE /fhir/R4/bulkstatus/{id}\n", "GET /fhir/R4/bulkfiles/{id}/{file}\n"} {
		if !strings.Contains(routes, pattern) {
			t.Errorf("%s is not routed", strings.TrimSpace(pattern))
		}
		listed++
	}
	fhirRoutes := 0
	for _, r := range f.env.Handler.Routes() {
		if strings.Contains(r, "/fhir/R4/") && !strings.HasSuffix(r, "/metadata") && !strings.HasSuffix(r, "/_search") && r != "/fhir/R4/" && r != "POST /fhir/R4/{$}" {
			fhirRoutes++
		}
	}
	if fhirRoutes != listed {
		t.Errorf("%d FHIR routes, %d interactions listed", fhirRoutes, listed)
	}
}
