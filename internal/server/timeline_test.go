package server_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"medic"
	"medic/internal/server/servertest"
)

// itemsOfKind returns the timeline items of kind k in a page.
func itemsOfKind(r *servertest.Response, k string) []map[string]any {
	var out []map[string]any
	for _, it := range r.Items() {
		if it["kind"] == k {
			out = append(out, it)
		}
	}
	return out
}

// TestFinishedEncounterIsAmendedNotEdited is the test: a finished
// encounter cannot be edited, only amended; the addendum shows in the
// timeline with its author and reason, beside the unchanged note.
func TestFinishedEncounterIsAmendedNotEdited(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	d := newDesk(t, env, "sunrise")
	doctor, nurse := d.c[medic.RoleDoctor], d.c[medic.RoleNurse]
	patient := d.patient(t, "Zodwa", "")
	enc := d.walkIn(t, patient)
	path := d.base + "/encounters/" + enc
	want(t, doctor.Do("PATCH", path, map[string]any{"soap": map[string]any{"assessment": "Tension headache", "plan": "Paracetamol"}}), http.StatusOK)
	want(t, doctor.Do("POST", path+"/finish", nil), http.StatusOK)

	// Locked: no edit of any kind.
	wantProblem(t, doctor.Do("PATCH", path, map[string]any{"soap": map[string]any{"plan": "Changed my mind"}}), http.StatusConflict)
	wantProblem(t, doctor.Do("POST", path+"/vitals", map[string]any{"pulse_bpm": 70}), http.StatusConflict)
	wantProblem(t, doctor.Do("POST", path+"/addenda", map[string]any{"text": "No reason given"}), http.StatusUnprocessableEntity)
	env.Clock.Advance(time.Minute)
	ad := want(t, doctor.Do("POST", path+"/addenda", map[string]any{"text": "Patient phoned: headache gone.", "reason": "Telephone follow-up"}), http.StatusCreated)
	if r := want(t, nurse.Do("GET", path, nil), http.StatusOK); r.Str("soap.plan") != "Paracetamol" || len(r.Get("addenda").([]any)) != 1 {
		t.Errorf("the note changed or lacks its addendum: %s", r)
	}

	// The API timeline: the addendum, newest, with author and reason.
	tl := want(t, nurse.Do("GET", d.base+"/patients/"+patient+"/timeline", nil), http.StatusOK)
	items := tl.Items()
	if len(items) != 2 || items[0]["kind"] != "addendum" || items[1]["kind"] != "encounter" {
		t.Fatalf("timeline: %s", tl)
	}
	a := items[0]
	if a["id"] != ad.Str("id") || a["encounter_id"] != enc || a["by"] != ad.Str("author_name") ||
		!strings.Contains(a["summary"].(string), "(reason: Telephone follow-up): Patient phoned: headache gone.") {
		t.Errorf("addendum item: %v", a)
	}
	if author := ad.Str("author_name"); author == "" || !strings.Contains(a["summary"].(string), "Addendum by "+author) {
		t.Errorf("addendum item %v does not name its author %q", a, author)
	}
	if !strings.Contains(items[1]["summary"].(string), "Tension headache") {
		t.Errorf("encounter item: %v", items[1])
	}

	// The desk: the chart's timeline shows the addendum with author and
	// reason; the encounter page shows it beside the locked note.
	chart := string(want(t, doctor.Do("GET", "/patients/"+patient, nil), http.StatusOK).Body)
	for _, s := range []string{"Timeline", "Telephone follow-up", "Patient phoned: headache gone.", "Addendum by " + ad.Str("author_name")} {
		if !strings.Contains(chart, s) {
			t.Errorf("chart page lacks %q", s)
		}
	}
	page := string(want(t, doctor.Do("GET", "/encounters/"+enc, nil), http.StatusOK).Body)
	for _, s := range []string{"Telephone follow-up", "Patient phoned: headache gone."} {
		if !strings.Contains(page, s) {
			t.Errorf("encounter page lacks %q", s)
		}
	}
}

// TestTimeline: paging, the kind filter, one audit event per page, roles.
func TestTimeline(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	d := newDesk(t, env, "sunrise")
	admin, doctor, nurse := d.c[medic.RoleAdmin], d.c[medic.RoleDoctor], d.c[medic.RoleNurse]
	patient := d.patient(t, "Sipho", "")
	want(t, doctor.Do("POST", d.base+"/patients/"+patient+"/allergies", map[string]any{"substance": "Penicillin", "severity": "severe", "reaction": "Hives"}), http.StatusCreated)
	want(t, doctor.Do("POST", d.base+"/patients/"+patient+"/conditions", map[string]any{"code": "I10"}), http.StatusCreated)
	for i := 0; i < 3; i++ {
		env.Clock.Advance(time.Minute)
		enc := d.walkIn(t, patient)
		want(t, nurse.Do("POST", d.base+"/encounters/"+enc+"/vitals", map[string]any{"systolic_mmhg": 150 - 5*i, "diastolic_mmhg": 95}), http.StatusCreated)
		want(t, doctor.Do("POST", d.base+"/encounters/"+enc+"/diagnoses", map[string]any{"code": "I10", "primary": true}), http.StatusCreated)
	}
	tl := d.base + "/patients/" + patient + "/timeline"
	all := want(t, nurse.Do("GET", tl+"?limit=200", nil), http.StatusOK)
	if n := len(all.Items()); n != 2+3*3 || all.Get("next_cursor") != nil {
		t.Fatalf("%d items: %s", n, all)
	}
	// The last visit's vitals and diagnosis share an instant: kinds break the tie.
	if first := all.Items()[0]; first["kind"] != "vitals" || !strings.Contains(first["summary"].(string), "BP 140/95 mmHg") {
		t.Errorf("newest item: %v", first)
	}
	if v := itemsOfKind(all, "vitals"); len(v) != 3 || !strings.Contains(v[0]["summary"].(string), "BP 140/95 mmHg") {
		t.Errorf("vitals items: %v", v)
	}

	// Pages of 4 walk the same list, each one audit event naming the chart.
	before := len(want(t, admin.Do("GET", d.base+"/audit-events?action=timeline.viewed&patient="+patient, nil), http.StatusOK).Items())
	var ids []any
	next, pages := "", 0
	for {
		r := want(t, nurse.Do("GET", tl+"?limit=4&cursor="+next, nil), http.StatusOK)
		pages++
		for _, it := range r.Items() {
			ids = append(ids, it["id"])
		}
		if r.Get("next_cursor") == nil {
			break
		}
		next = r.Str("next_cursor")
	}
	if pages != 3 || len(ids) != len(all.Items()) {
		t.Errorf("%d pages, %d items", pages, len(ids))
	}
	for i, it := range all.Items() {
		if i < len(ids) && ids[i] != it["id"] {
			t.Errorf("paged item %d is %v, want %v", i, ids[i], it["id"])
		}
	}
	after := len(want(t, admin.Do("GET", d.base+"/audit-events?action=timeline.viewed&patient="+patient, nil), http.StatusOK).Items())
	if after-before != pages {
		t.Errorf("%d timeline.viewed events for %d pages", after-before, pages)
	}

	// The kind filter.
	r := want(t, doctor.Do("GET", tl+"?kind=vitals,allergy", nil), http.StatusOK)
	if len(r.Items()) != 4 || len(itemsOfKind(r, "vitals")) != 3 || len(itemsOfKind(r, "allergy")) != 1 {
		t.Errorf("filtered: %s", r)
	}
	wantProblem(t, doctor.Do("GET", tl+"?kind=gossip", nil), http.StatusUnprocessableEntity)
	wantProblem(t, doctor.Do("GET", tl+"?cursor=bogus", nil), http.StatusUnprocessableEntity)
	wantProblem(t, doctor.Do("GET", d.base+"/patients/"+newUUID()+"/timeline", nil), http.StatusNotFound)

	// Reception and billing: refused, on the API and the desk; their chart
	// page holds nothing clinical.
	for _, role := range []medic.Role{medic.RoleReceptionist, medic.RoleBilling} {
		c := d.c[role]
		wantProblem(t, c.Do("GET", tl, nil), http.StatusForbidden)
		want(t, c.Do("GET", "/patients/"+patient+"/timeline", nil), http.StatusForbidden)
		body := string(want(t, c.Do("GET", "/patients/"+patient, nil), http.StatusOK).Body)
		for _, s := range []string{"Timeline", "Penicillin", "I10", "BP 1", "Hives"} {
			if strings.Contains(body, s) {
				t.Errorf("%s's chart page shows %q", role, s)
			}
		}
	}

	// The desk: filter chips and "Older" through htmx.
	body := string(want(t, doctor.Do("GET", "/patients/"+patient, nil), http.StatusOK).Body)
	for _, s := range []string{`id="timeline"`, "BP 140/95 mmHg", `href="/patients/` + patient + `?kind=vitals#timeline"`} {
		if !strings.Contains(body, s) {
			t.Errorf("chart page lacks %q", s)
		}
	}
	part := want(t, doctor.DoHeader("GET", "/patients/"+patient+"/timeline?kind=vitals", nil, map[string]string{"HX-Request": "true"}), http.StatusOK)
	if b := string(part.Body); strings.Contains(b, "<html") || strings.Count(b, "BP 1") != 3 || strings.Contains(b, "Penicillin") {
		t.Errorf("timeline partial: %s", b)
	}
}

// TestReferrals: the summary pre-filled from the encounter, internal and
// external referrals, "referred to me", send and cancel, roles.
func TestReferrals(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	d := newDesk(t, env, "sunrise")
	admin, doctor, nurse := d.c[medic.RoleAdmin], d.c[medic.RoleDoctor], d.c[medic.RoleNurse]
	patient := d.patient(t, "Thandeka", "")
	want(t, doctor.Do("POST", d.base+"/patients/"+patient+"/allergies", map[string]any{"substance": "Sulfa drugs", "severity": "moderate", "reaction": "Rash"}), http.StatusCreated)
	enc := d.walkIn(t, patient)
	want(t, nurse.Do("POST", d.base+"/encounters/"+enc+"/vitals", map[string]any{"systolic_mmhg": 172, "diastolic_mmhg": 104, "pulse_bpm": 88}), http.StatusCreated)
	want(t, doctor.Do("PATCH", d.base+"/encounters/"+enc, map[string]any{"soap": map[string]any{"assessment": "Uncontrolled hypertension", "plan": "Refer to physician"}}), http.StatusOK)
	want(t, doctor.Do("POST", d.base+"/encounters/"+enc+"/diagnoses", map[string]any{"code": "I10", "primary": true}), http.StatusCreated)

	summary := want(t, doctor.Do("GET", d.base+"/encounters/"+enc+"/referral-summary", nil), http.StatusOK).Str("summary")
	for _, s := range []string{"Assessment:\nUncontrolled hypertension", "Plan:\nRefer to physician", "I10 Essential (primary) hypertension (primary)",
		"Sulfa drugs (moderate): Rash", "Systolic pressure: 172 mmHg", "Pulse: 88 /min"} {
		if !strings.Contains(summary, s) {
			t.Errorf("summary lacks %q:\n%s", s, summary)
		}
	}

	// An internal referral to a colleague (the admin's practitioner
	// profile), sent at once; the summary as the form left it.
	colleague := want(t, admin.Do("POST", d.base+"/practitioners", map[string]any{"name": "Dr Ayesha Patel", "specialty": "Internal medicine",
		"member_id": d.members[medic.RoleAdmin].ID, "location_ids": []string{d.loc.ID}}), http.StatusCreated).Str("id")
	in := want(t, doctor.Do("POST", d.base+"/encounters/"+enc+"/referrals", map[string]any{"kind": "internal", "to_practitioner_id": colleague,
		"urgency": "urgent", "reason": "BP above target on three drugs", "summary": "Edited summary", "status": "sent"}), http.StatusCreated)
	if in.Str("status") != "sent" || in.Str("to_name") != "Dr Ayesha Patel" || in.Str("summary") != "Edited summary" || in.Get("sent_at") == nil || in.Str("patient_id") != patient {
		t.Errorf("internal referral: %s", in)
	}
	// An external one as a draft, its summary filled from the encounter.
	ex := want(t, doctor.Do("POST", d.base+"/encounters/"+enc+"/referrals", map[string]any{"kind": "external", "to_name": "Dr P. Naidoo",
		"to_speciality": "Cardiology", "to_facility": "Groote Schuur Hospital", "urgency": "routine", "reason": "Echo"}), http.StatusCreated)
	if ex.Str("status") != "draft" || ex.Str("summary") != summary || ex.Get("to_practitioner_id") != nil {
		t.Errorf("external referral: %s", ex)
	}
	for _, body := range []map[string]any{
		{"kind": "internal", "urgency": "routine", "reason": "x"},                                  // no practitioner
		{"kind": "external", "urgency": "routine", "reason": "x"},                                  // nobody named
		{"kind": "external", "to_name": "Dr X", "urgency": "whenever", "reason": "x"},              // urgency
		{"kind": "external", "to_name": "Dr X", "urgency": "routine"},                              // reason
		{"kind": "internal", "to_practitioner_id": newUUID(), "urgency": "routine", "reason": "x"}, // unknown practitioner
		{"kind": "external", "to_name": "Dr X", "urgency": "routine", "reason": "x", "status": "cancelled"},
	} {
		wantProblem(t, doctor.Do("POST", d.base+"/encounters/"+enc+"/referrals", body), http.StatusUnprocessableEntity)
	}

	// Nurses read; they may not refer. Reception and billing: nothing.
	if r := want(t, nurse.Do("GET", d.base+"/referrals/"+ex.Str("id"), nil), http.StatusOK); r.Str("reason") != "Echo" {
		t.Errorf("nurse reads: %s", r)
	}
	wantProblem(t, nurse.Do("POST", d.base+"/encounters/"+enc+"/referrals", map[string]any{"kind": "external", "to_name": "Dr X", "urgency": "routine", "reason": "x"}), http.StatusForbidden)
	for _, role := range []medic.Role{medic.RoleReceptionist, medic.RoleBilling} {
		wantProblem(t, d.c[role].Do("GET", d.base+"/referrals/"+ex.Str("id"), nil), http.StatusForbidden)
		wantProblem(t, d.c[role].Do("GET", d.base+"/patients/"+patient+"/referrals", nil), http.StatusForbidden)
	}

	// Referred to me: the admin (Dr Patel) sees the internal one; the doctor none.
	if r := want(t, admin.Do("GET", d.base+"/referrals?to=me", nil), http.StatusOK); len(r.Items()) != 1 || r.Items()[0]["id"] != in.Str("id") {
		t.Errorf("referred to Dr Patel: %s", r)
	}
	if r := want(t, doctor.Do("GET", d.base+"/referrals?to=me", nil), http.StatusOK); len(r.Items()) != 0 {
		t.Errorf("referred to the doctor: %s", r)
	}

	// Send the draft; a sent one is only cancelled.
	if r := want(t, doctor.Do("POST", d.base+"/referrals/"+ex.Str("id")+"/send", nil), http.StatusOK); r.Str("status") != "sent" {
		t.Errorf("sent: %s", r)
	}
	wantProblem(t, doctor.Do("POST", d.base+"/referrals/"+ex.Str("id")+"/send", nil), http.StatusConflict)
	want(t, doctor.Do("POST", d.base+"/referrals/"+ex.Str("id")+"/cancel", nil), http.StatusOK)
	wantProblem(t, doctor.Do("POST", d.base+"/referrals/"+ex.Str("id")+"/cancel", nil), http.StatusConflict)

	// The chart's referrals and its timeline.
	if r := want(t, nurse.Do("GET", d.base+"/patients/"+patient+"/referrals", nil), http.StatusOK); len(r.Items()) != 2 {
		t.Errorf("chart's referrals: %s", r)
	}
	tl := want(t, nurse.Do("GET", d.base+"/patients/"+patient+"/timeline?kind=referral", nil), http.StatusOK)
	if got := tl.Items(); len(got) != 2 || !strings.Contains(got[0]["summary"].(string)+got[1]["summary"].(string), "(external, routine, cancelled) to Dr P. Naidoo, Groote Schuur Hospital (Cardiology): Echo") {
		t.Errorf("timeline referrals: %s", tl)
	}

	// The desk: the form on the encounter page pre-fills the summary; the
	// referral page; the "referred to me" list.
	page := string(want(t, doctor.Do("GET", "/encounters/"+enc+"/referrals/new", nil), http.StatusOK).Body)
	for _, s := range []string{"Uncontrolled hypertension", "Sulfa drugs (moderate): Rash", `name="summary"`, "Dr Ayesha Patel"} {
		if !strings.Contains(page, s) {
			t.Errorf("referral form lacks %q", s)
		}
	}
	r := postForm(doctor, "/encounters/"+enc+"/referrals/new", form("kind", "external", "to_name", "Dr Desk", "to_facility", "Tygerberg",
		"urgency", "emergency", "reason", "Chest pain", "summary", "Desk summary", "status", "sent"))
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/referrals/") {
		t.Fatalf("desk referral: %s", r)
	}
	view := string(want(t, nurse.Do("GET", r.Header.Get("Location"), nil), http.StatusOK).Body)
	for _, s := range []string{"Dr Desk", "Tygerberg", "Emergency", "Chest pain", "Desk summary"} {
		if !strings.Contains(view, s) {
			t.Errorf("referral page lacks %q", s)
		}
	}
	r = postForm(doctor, "/encounters/"+enc+"/referrals/new", form("kind", "external", "urgency", "routine"))
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), "Say why the patient is referred.") {
		t.Errorf("desk referral without reason: %s", r)
	}
	mine := string(want(t, admin.Do("GET", "/referrals", nil), http.StatusOK).Body)
	if !strings.Contains(mine, "BP above target on three drugs") {
		t.Errorf("referred-to-me page lacks the internal referral")
	}
	want(t, d.c[medic.RoleReceptionist].Do("GET", "/referrals/"+in.Str("id"), nil), http.StatusForbidden)
}

// TestTimelineOrdersAndResults: orders and results join the chart's
// timeline, newest first, with the kind filter; each names its order and
// visit; the desk links to the order. Practice B reaches none of it;
// reception and billing see no order text anywhere on the chart.
func TestTimelineOrdersAndResults(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	d := newDesk(t, env, "sunrise")
	doctor, nurse := d.c[medic.RoleDoctor], d.c[medic.RoleNurse]
	patient := d.patient(t, "Nomsa", "")
	enc := d.walkIn(t, patient)
	want(t, nurse.Do("POST", d.base+"/encounters/"+enc+"/vitals", map[string]any{"pulse_bpm": 72}), http.StatusCreated)
	env.Clock.Advance(time.Minute)
	fbc := want(t, doctor.Do("POST", d.base+"/encounters/"+enc+"/orders", map[string]any{"kind": "lab", "code": "FBC", "description": "Full blood count"}), http.StatusCreated).Str("id")
	env.Clock.Advance(time.Minute)
	cxr := want(t, doctor.Do("POST", d.base+"/encounters/"+enc+"/orders", map[string]any{"kind": "imaging", "code": "CXR", "description": "Chest X-ray", "urgency": "urgent"}), http.StatusCreated).Str("id")
	env.Clock.Advance(time.Minute)
	res := want(t, doctor.Do("POST", d.base+"/orders/"+fbc+"/results", map[string]any{"name": "Haemoglobin", "value": "9.8", "unit": "g/dL",
		"reference_low": 12, "reference_high": 15.5}), http.StatusCreated).Str("id")

	tl := d.base + "/patients/" + patient + "/timeline"
	all := want(t, nurse.Do("GET", tl, nil), http.StatusOK)
	var kinds []string
	for _, it := range all.Items() {
		kinds = append(kinds, it["kind"].(string))
	}
	if strings.Join(kinds, ",") != "result,order,order,vitals,encounter" {
		t.Fatalf("timeline kinds %v: %s", kinds, all)
	}
	r := want(t, nurse.Do("GET", tl+"?kind=order,result", nil), http.StatusOK)
	items := r.Items()
	if len(items) != 3 {
		t.Fatalf("orders and results: %s", r)
	}
	for i, w := range []struct{ kind, id, order, summary string }{
		{"result", res, fbc, "Result of Full blood count (FBC): Haemoglobin 9.8 g/dL, LOW, range 12–15.5"},
		{"order", cxr, cxr, "Order (imaging, urgent, ordered): Chest X-ray (CXR)"},
		{"order", fbc, fbc, "Order (lab, resulted): Full blood count (FBC)"},
	} {
		it := items[i]
		if it["kind"] != w.kind || it["id"] != w.id || it["order_id"] != w.order || it["encounter_id"] != enc || it["summary"] != w.summary || it["by"] == "" {
			t.Errorf("item %d: %v, want %+v", i, it, w)
		}
	}
	if r := want(t, nurse.Do("GET", tl+"?kind=result", nil), http.StatusOK); len(r.Items()) != 1 || r.Items()[0]["id"] != res {
		t.Errorf("results only: %s", r)
	}
	if r := want(t, nurse.Do("GET", tl+"?kind=vitals", nil), http.StatusOK); len(r.Items()) != 1 || r.Items()[0]["order_id"] != nil {
		t.Errorf("vitals only: %s", r)
	}
	// Paged one at a time, the filtered walk is the same.
	var ids []any
	for next, n := "", 0; n < 10; n++ {
		p := want(t, nurse.Do("GET", tl+"?kind=order,result&limit=1&cursor="+next, nil), http.StatusOK)
		for _, it := range p.Items() {
			ids = append(ids, it["id"])
		}
		if p.Get("next_cursor") == nil {
			break
		}
		next = p.Str("next_cursor")
	}
	if len(ids) != 3 || ids[0] != res || ids[1] != cxr || ids[2] != fbc {
		t.Errorf("paged walk %v", ids)
	}

	// The desk: the chips offer orders and results; the rows link to the order.
	chart := string(want(t, doctor.Do("GET", "/patients/"+patient+"?kind=order,result", nil), http.StatusOK).Body)
	for _, s := range []string{`?kind=order#timeline"`, `?kind=result#timeline"`, ">Orders</a>", ">Results</a>", "Haemoglobin 9.8 g/dL, LOW",
		`href="/orders/` + fbc + `"`, `href="/orders/` + cxr + `"`} {
		if !strings.Contains(chart, s) {
			t.Errorf("chart page lacks %q", s)
		}
	}

	// Reception and billing: no timeline, and no order text on the chart.
	for _, role := range []medic.Role{medic.RoleReceptionist, medic.RoleBilling} {
		wantProblem(t, d.c[role].Do("GET", tl+"?kind=order,result", nil), http.StatusForbidden)
		body := string(want(t, d.c[role].Do("GET", "/patients/"+patient, nil), http.StatusOK).Body)
		for _, s := range []string{"Full blood count", "FBC", "Chest X-ray", "Haemoglobin", "/orders/"} {
			if strings.Contains(body, s) {
				t.Errorf("%s's chart page shows %q", role, s)
			}
		}
	}

	// Practice B: A's chart is 404, and B's own chart lists none of A's
	// orders or results.
	b := newDesk(t, env, "harbour")
	wantProblem(t, b.c[medic.RoleDoctor].Do("GET", b.base+"/patients/"+patient+"/timeline?kind=order,result", nil), http.StatusNotFound)
	own := b.patient(t, "Ayanda", "")
	if r := want(t, b.c[medic.RoleDoctor].Do("GET", b.base+"/patients/"+own+"/timeline?kind=order,result", nil), http.StatusOK); len(r.Items()) != 0 {
		t.Errorf("practice B's chart: %s", r)
	}
	want(t, b.c[medic.RoleDoctor].Do("GET", "/patients/"+patient+"?kind=order", nil), http.StatusNotFound)
}
