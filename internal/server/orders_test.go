package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"medic"
	"medic/internal/server/servertest"
)

// TestOrdersAndResults follows a lab order and an X-ray through the API as
// a doctor would: order at the visit, collect, results with computed
// flags, the outstanding and to-review lists, review, cancel; a nurse
// reads, reception and billing are refused; every read is audited.
func TestOrdersAndResults(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	d := newDesk(t, env, "sunrise")
	doctor, nurse, admin := d.c[medic.RoleDoctor], d.c[medic.RoleNurse], d.c[medic.RoleAdmin]
	patient := d.patient(t, "Lerato", "")
	enc := want(t, doctor.Do("POST", d.base+"/encounters", map[string]any{"patient_id": patient, "practitioner_id": d.practitioner,
		"location_id": d.loc.ID, "stage": "consultation"}), http.StatusCreated).Str("id")
	orders := d.base + "/encounters/" + enc + "/orders"

	hb := want(t, doctor.Do("POST", orders, map[string]any{"kind": "lab", "code": "fbc", "description": "Full blood count", "urgency": "urgent"}), http.StatusCreated)
	if hb.Str("status") != "ordered" || hb.Str("code") != "FBC" || hb.Str("patient_id") != patient || hb.Str("urgency") != "urgent" ||
		hb.Str("ordered_by_name") == "" || len(hb.Get("results").([]any)) != 0 {
		t.Fatalf("ordered: %s", hb)
	}
	fbc := hb.Str("id")
	cxr := want(t, doctor.Do("POST", orders, map[string]any{"kind": "imaging", "code": "CXR", "description": "Chest X-ray"}), http.StatusCreated).Str("id")
	tsh := want(t, doctor.Do("POST", orders, map[string]any{"kind": "lab", "code": "TSH"}), http.StatusCreated).Str("id")
	// Mistakes are 422 naming the field, not 500.
	for _, body := range []map[string]any{{"kind": "blood", "code": "FBC"}, {"kind": "lab"}, {"kind": "lab", "code": "FBC", "urgency": "now"}} {
		wantProblem(t, doctor.Do("POST", orders, body), http.StatusUnprocessableEntity)
	}

	// A nurse reads; she may not order, collect, enter results or review (DOMAIN.md).
	want(t, nurse.Do("GET", d.base+"/orders/"+fbc, nil), http.StatusOK)
	wantProblem(t, nurse.Do("POST", orders, map[string]any{"kind": "lab", "code": "CRP"}), http.StatusForbidden)
	wantProblem(t, nurse.Do("POST", d.base+"/orders/"+fbc+"/collect", nil), http.StatusForbidden)
	wantProblem(t, nurse.Do("POST", d.base+"/orders/"+fbc+"/results", map[string]any{"value": 1}), http.StatusForbidden)
	for _, role := range []medic.Role{medic.RoleReceptionist, medic.RoleBilling} {
		for _, path := range []string{"/orders/" + fbc, "/orders?status=outstanding", "/patients/" + patient + "/orders", "/encounters/" + enc + "/orders"} {
			wantProblem(t, d.c[role].Do("GET", d.base+path, nil), http.StatusForbidden)
		}
	}

	// Collected, then resulted: flags computed from value and range.
	if r := want(t, doctor.Do("POST", d.base+"/orders/"+fbc+"/collect", nil), http.StatusOK); r.Str("status") != "collected" || r.Get("collected_at") == nil {
		t.Errorf("collected: %s", r)
	}
	wantProblem(t, doctor.Do("POST", d.base+"/orders/"+fbc+"/collect", nil), http.StatusConflict)
	r := want(t, doctor.Do("POST", d.base+"/orders/"+fbc+"/results", map[string]any{"name": "Haemoglobin", "value": 9.8, "unit": "g/dL",
		"reference_low": 12, "reference_high": "15.5"}), http.StatusCreated)
	if r.Str("flag") != "low" || r.Get("abnormal") != true || r.Get("value_numeric") != 9.8 || r.Str("order.status") != "resulted" || r.Get("reference_range.low") != float64(12) {
		t.Errorf("Hb result: %s", r)
	}
	r = want(t, doctor.Do("POST", d.base+"/orders/"+fbc+"/results", map[string]any{"name": "Platelets", "value": "250", "unit": "x10^9/L",
		"reference_low": 150, "reference_high": 400}), http.StatusCreated)
	if r.Str("flag") != "normal" || r.Get("abnormal") != false || len(r.Get("order.results").([]any)) != 2 {
		t.Errorf("platelets: %s", r)
	}
	for _, body := range []map[string]any{{"unit": "g/dL"}, {"value": "5", "reference_low": "five"}, {"value": "5", "reference_low": 6, "reference_high": 4},
		{"value": map[string]any{"x": 1}}, {"value": "5", "flag": "normal"}} {
		wantProblem(t, doctor.Do("POST", d.base+"/orders/"+fbc+"/results", body), http.StatusUnprocessableEntity)
	}
	if r := want(t, doctor.Do("POST", d.base+"/orders/"+cxr+"/results", map[string]any{"report": "Right lower lobe consolidation.", "abnormal": true}), http.StatusCreated); r.Str("flag") != "abnormal" {
		t.Errorf("X-ray report: %s", r)
	}

	// Finishing the visit: no new order, but results and steps go on.
	want(t, doctor.Do("POST", d.base+"/encounters/"+enc+"/finish", nil), http.StatusOK)
	wantProblem(t, doctor.Do("POST", orders, map[string]any{"kind": "lab", "code": "CRP"}), http.StatusConflict)
	want(t, doctor.Do("POST", d.base+"/orders/"+tsh+"/collect", nil), http.StatusOK)

	// The lists: outstanding (TSH), the doctor's results to review (FBC, CXR, oldest first); not the admin's.
	ids := func(r *servertest.Response) []string { return itemValues(r, "id") }
	if got := ids(want(t, nurse.Do("GET", d.base+"/orders?status=outstanding", nil), http.StatusOK)); !slices.Equal(got, []string{tsh}) {
		t.Errorf("outstanding: %v", got)
	}
	if got := ids(want(t, doctor.Do("GET", d.base+"/orders?to_review=mine", nil), http.StatusOK)); !slices.Equal(got, []string{fbc, cxr}) {
		t.Errorf("doctor's to review: %v", got)
	}
	if got := ids(want(t, admin.Do("GET", d.base+"/orders?to_review=mine", nil), http.StatusOK)); len(got) != 0 {
		t.Errorf("admin's to review: %v", got)
	}
	if c := want(t, doctor.Do("GET", d.base+"/orders/counts", nil), http.StatusOK); c.Get("outstanding") != float64(1) || c.Get("to_review_mine") != float64(2) {
		t.Errorf("counts: %s", c)
	}
	if got := ids(want(t, nurse.Do("GET", d.base+"/patients/"+patient+"/orders?limit=2", nil), http.StatusOK)); len(got) != 2 || got[0] != tsh {
		t.Errorf("chart's orders, newest first: %v", got)
	}
	wantProblem(t, doctor.Do("GET", d.base+"/orders?status=lost", nil), http.StatusUnprocessableEntity)
	wantProblem(t, doctor.Do("GET", d.base+"/orders?to_review=everyone", nil), http.StatusUnprocessableEntity)
	wantProblem(t, doctor.Do("GET", d.base+"/patients/"+newUUID()+"/orders", nil), http.StatusNotFound)

	// Review and cancel.
	if r := want(t, doctor.Do("POST", d.base+"/orders/"+fbc+"/review", nil), http.StatusOK); r.Str("status") != "reviewed" || r.Str("reviewed_by_name") == "" {
		t.Errorf("reviewed: %s", r)
	}
	wantProblem(t, doctor.Do("POST", d.base+"/orders/"+fbc+"/review", nil), http.StatusConflict)
	wantProblem(t, doctor.Do("POST", d.base+"/orders/"+fbc+"/results", map[string]any{"value": "1"}), http.StatusConflict)
	wantProblem(t, doctor.Do("POST", d.base+"/orders/"+fbc+"/cancel", map[string]any{"reason": "Too late"}), http.StatusConflict)
	wantProblem(t, doctor.Do("POST", d.base+"/orders/"+tsh+"/cancel", map[string]any{"reason": " "}), http.StatusUnprocessableEntity)
	if r := want(t, doctor.Do("POST", d.base+"/orders/"+tsh+"/cancel", map[string]any{"reason": "Sample haemolysed; repeat next visit"}), http.StatusOK); r.Str("status") != "cancelled" || r.Str("cancel_reason") == "" {
		t.Errorf("cancelled: %s", r)
	}
	if got := ids(want(t, doctor.Do("GET", d.base+"/orders?status=outstanding", nil), http.StatusOK)); len(got) != 0 {
		t.Errorf("outstanding after cancelling: %v", got)
	}

	// Audited: each step on the order, and the lists name the chart.
	owner, err := pgx.Connect(context.Background(), env.DB.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close(context.Background())
	var actions []string
	rows, _ := owner.Query(context.Background(), `SELECT action FROM audit_events WHERE entity_id = $1 ORDER BY id`, fbc)
	actions, err = pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"order.created", "order.viewed", "order.collected", "order.resulted", "order.reviewed"} {
		if !slices.Contains(actions, w) {
			t.Errorf("no %s event on the order: %v", w, actions)
		}
	}
	var listed int
	if err := owner.QueryRow(context.Background(), `SELECT count(*) FROM audit_events WHERE action = 'order.listed' AND $1 = ANY(patient_ids)`, patient).Scan(&listed); err != nil || listed < 3 {
		t.Errorf("%d order lists name the patient (%v)", listed, err)
	}
	var denied []string
	rows, _ = owner.Query(context.Background(), `SELECT DISTINCT actor_email || ' ' || action FROM audit_events WHERE outcome = 'denied' AND action LIKE 'order.%' ORDER BY 1`)
	if denied, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil || !strings.Contains(strings.Join(denied, ","), "nurse@sunrise.example order.create") {
		t.Errorf("denied events: %v %v", denied, err)
	}
}

// TestOrdersOnTheDesk: a doctor orders from the encounter page's picklist,
// enters results on the order page (flag shown in colour and words), finds
// them under Results to review with the count in the nav, and marks them
// reviewed; Outstanding orders lists what waits; reception sees nothing.
func TestOrdersOnTheDesk(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	d := newDesk(t, env, "sunrise")
	doctor, nurse := d.c[medic.RoleDoctor], d.c[medic.RoleNurse]
	patient := d.patient(t, "Naledi", "")
	enc := want(t, doctor.Do("POST", d.base+"/encounters", map[string]any{"patient_id": patient, "practitioner_id": d.practitioner,
		"location_id": d.loc.ID, "stage": "consultation"}), http.StatusCreated).Str("id")

	page := string(want(t, doctor.Do("GET", "/encounters/"+enc, nil), http.StatusOK).Body)
	for _, s := range []string{`id="orders"`, `action="/encounters/` + enc + `/orders"`, `<label for="order-common">Common test</label>`,
		`value="HBA1C"`, `value="CXR"`, "No tests ordered at this visit."} {
		if !strings.Contains(page, s) {
			t.Errorf("encounter page lacks %q", s)
		}
	}
	// From the picklist, and typed; a typed order without a code is refused beside the field.
	r := postForm(doctor, "/encounters/"+enc+"/orders", url.Values{"common": {"HBA1C"}, "urgency": {"routine"}})
	if r.Status != http.StatusSeeOther || !strings.HasSuffix(r.Header.Get("Location"), "#orders") {
		t.Fatalf("order from the picklist: %s", r)
	}
	want(t, postForm(doctor, "/encounters/"+enc+"/orders", url.Values{"kind": {"lab"}, "code": {"ferritin"}, "description": {"Ferritin"}, "urgency": {"urgent"}}), http.StatusSeeOther)
	r = postForm(doctor, "/encounters/"+enc+"/orders", url.Values{"kind": {"lab"}, "code": {""}})
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), "Enter the test&#39;s code") {
		t.Errorf("order without a code: %s", r)
	}
	list := want(t, doctor.Do("GET", d.base+"/encounters/"+enc+"/orders", nil), http.StatusOK).Items()
	if len(list) != 2 {
		t.Fatalf("orders: %v", list)
	}
	hba1c := list[1]["id"].(string) // newest first: ferritin, then HbA1c
	if list[1]["code"] != "HBA1C" || list[1]["description"] != "HbA1c" || list[0]["urgency"] != "urgent" {
		t.Errorf("orders: %v", list)
	}

	// Outstanding orders: both, with the count.
	out := string(want(t, nurse.Do("GET", "/orders", nil), http.StatusOK).Body)
	if !strings.Contains(out, "Outstanding orders <span class=\"badge badge-count-dark\">2</span>") || !strings.Contains(out, "Naledi") {
		t.Errorf("outstanding page: %s", out)
	}

	// The order page: the nurse reads it without the result form; the doctor enters a high HbA1c.
	op := string(want(t, nurse.Do("GET", "/orders/"+hba1c, nil), http.StatusOK).Body)
	if strings.Contains(op, `action="/orders/`+hba1c+`/results"`) || !strings.Contains(op, "No result yet.") {
		t.Errorf("nurse's order page offers result entry")
	}
	op = string(want(t, doctor.Do("GET", "/orders/"+hba1c, nil), http.StatusOK).Body)
	for _, s := range []string{`action="/orders/` + hba1c + `/results"`, `action="/orders/` + hba1c + `/collect"`, `<label for="result-ref_low">`} {
		if !strings.Contains(op, s) {
			t.Errorf("doctor's order page lacks %q", s)
		}
	}
	r = postForm(doctor, "/orders/"+hba1c+"/results", url.Values{"name": {"HbA1c"}, "value": {"8,4"}, "unit": {"%"}, "ref_low": {"4"}, "ref_high": {"six"}})
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), `id="result-ref_high-error"`) || !strings.Contains(string(r.Body), `value="8,4"`) {
		t.Errorf("bad range: %s", r)
	}
	want(t, postForm(doctor, "/orders/"+hba1c+"/results", url.Values{"name": {"HbA1c"}, "value": {"8,4"}, "unit": {"%"}, "ref_low": {"4"}, "ref_high": {"6.4"}}), http.StatusSeeOther)
	op = string(want(t, doctor.Do("GET", "/orders/"+hba1c, nil), http.StatusOK).Body)
	if !strings.Contains(op, `<span class="result-flag result-high">High</span>`) || !strings.Contains(op, "4–6.4") {
		t.Errorf("result not shown with its flag in colour and words")
	}

	// Results to review: in the nav with its count, on the page, then reviewed from the list.
	rv := string(want(t, doctor.Do("GET", "/orders/review", nil), http.StatusOK).Body)
	if !strings.Contains(rv, `href="/orders/review"`) || !strings.Contains(rv, "Results to review <span class=\"badge badge-count-dark\">1</span>") ||
		!strings.Contains(rv, `action="/orders/`+hba1c+`/review"`) {
		t.Errorf("review page: %s", rv)
	}
	r = postForm(doctor, "/orders/"+hba1c+"/review", url.Values{"back": {"review"}})
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/orders/review") {
		t.Errorf("review: %s", r)
	}
	if rv := string(want(t, doctor.Do("GET", "/orders/review", nil), http.StatusOK).Body); !strings.Contains(rv, "Nothing to review") {
		t.Errorf("review page after reviewing: %s", rv)
	}
	// Reviewing again says why it cannot (409 on the order page), not a 500.
	r = postForm(doctor, "/orders/"+hba1c+"/review", url.Values{})
	if r.Status != http.StatusConflict || !strings.Contains(string(r.Body), "This order is reviewed") {
		t.Errorf("second review: %s", r)
	}
	// Cancel needs a reason.
	ferritin := list[0]["id"].(string)
	if r := postForm(doctor, "/orders/"+ferritin+"/cancel", url.Values{"reason": {""}}); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("cancel without a reason: %s", r)
	}
	want(t, postForm(doctor, "/orders/"+ferritin+"/cancel", url.Values{"reason": {"Ordered twice"}}), http.StatusSeeOther)

	// Reception: no Orders in the nav, and the pages refused.
	rc := d.c[medic.RoleReceptionist]
	if home := string(want(t, rc.Do("GET", "/today", nil), http.StatusOK).Body); strings.Contains(home, `href="/orders"`) {
		t.Errorf("reception's nav offers Orders")
	}
	for _, p := range []string{"/orders", "/orders/review", "/orders/" + hba1c} {
		if r := rc.Do("GET", p, nil); r.Status != http.StatusForbidden || strings.Contains(string(r.Body), "HbA1c") {
			t.Errorf("reception GET %s: %s", p, r)
		}
	}
}

// TestChartSummaryOutstandingOrders: the chart page's summary lists the
// chart's orders not yet reviewed (waiting for a result, or resulted and
// unseen) with status and age, the longest waiting first; reviewed and
// cancelled ones are not there; the whole chart view stays one audit
// event; reception and billing see no order.
func TestChartSummaryOutstandingOrders(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	d := newDesk(t, env, "sunrise")
	doctor, nurse, admin := d.c[medic.RoleDoctor], d.c[medic.RoleNurse], d.c[medic.RoleAdmin]
	patient := d.patient(t, "Palesa", "")
	enc := d.walkIn(t, patient)
	orders := d.base + "/encounters/" + enc + "/orders"

	// A lipogram ordered three days ago (back-dated in the store, as the demo does).
	lipid := &medic.Order{EncounterID: enc, Kind: medic.OrderLab, Code: "LIPID", Description: "Lipogram", Urgency: medic.OrderRoutine,
		OrderedAt: env.Clock.Now().Add(-3 * 24 * time.Hour)}
	if err := env.DB.CreateOrder(medic.WithTenant(t.Context(), medic.Tenant{PracticeID: d.p.ID}), lipid); err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(time.Minute)
	cxr := want(t, doctor.Do("POST", orders, map[string]any{"kind": "imaging", "code": "CXR", "description": "Chest X-ray", "urgency": "urgent"}), http.StatusCreated).Str("id")
	env.Clock.Advance(time.Minute)
	tsh := want(t, doctor.Do("POST", orders, map[string]any{"kind": "lab", "code": "TSH", "description": "Thyroid-stimulating hormone"}), http.StatusCreated).Str("id")
	want(t, doctor.Do("POST", d.base+"/orders/"+tsh+"/results", map[string]any{"value": "2.1", "unit": "mIU/L"}), http.StatusCreated)
	hba1c := want(t, doctor.Do("POST", orders, map[string]any{"kind": "lab", "code": "HBA1C", "description": "HbA1c"}), http.StatusCreated).Str("id")
	want(t, doctor.Do("POST", d.base+"/orders/"+hba1c+"/results", map[string]any{"value": "6.1", "unit": "%"}), http.StatusCreated)
	want(t, doctor.Do("POST", d.base+"/orders/"+hba1c+"/review", nil), http.StatusOK)
	crp := want(t, doctor.Do("POST", orders, map[string]any{"kind": "lab", "code": "CRP", "description": "C-reactive protein"}), http.StatusCreated).Str("id")
	want(t, doctor.Do("POST", d.base+"/orders/"+crp+"/cancel", map[string]any{"reason": "Not needed"}), http.StatusOK)

	section := func(c *servertest.Client) string {
		t.Helper()
		body := string(want(t, c.Do("GET", "/patients/"+patient, nil), http.StatusOK).Body)
		i := strings.Index(body, `<div id="outstanding-orders">`)
		if i < 0 {
			t.Fatalf("chart page has no outstanding orders")
		}
		return body[i : i+strings.Index(body[i:], "</div>")]
	}
	before := len(want(t, admin.Do("GET", d.base+"/audit-events?action=patient.viewed&patient="+patient, nil), http.StatusOK).Items())
	s := section(nurse)
	at := func(sub string) int {
		i := strings.Index(s, sub)
		if i < 0 {
			t.Errorf("outstanding orders lack %q:\n%s", sub, s)
		}
		return i
	}
	lp, cx, ts := at(`href="/orders/`+lipid.ID+`">Lipogram (LIPID)</a>`), at(`href="/orders/`+cxr+`">Chest X-ray (CXR)</a>`), at(`href="/orders/`+tsh+`">`)
	if !(lp < cx && cx < ts) {
		t.Errorf("not the longest waiting first:\n%s", s)
	}
	at("ordered 3 days ago")
	at("Urgent")
	at(">Resulted<")
	at(">Ordered<")
	for _, gone := range []string{hba1c, crp, "HbA1c", "C-reactive"} {
		if strings.Contains(s, gone) {
			t.Errorf("outstanding orders show %q (reviewed or cancelled):\n%s", gone, s)
		}
	}
	// One audit event for the chart view, counting the orders it showed;
	// no separate order listing.
	evs := want(t, admin.Do("GET", d.base+"/audit-events?action=patient.viewed&patient="+patient, nil), http.StatusOK).Items()
	if len(evs)-before != 1 || evs[0]["detail"].(map[string]any)["outstanding_orders"] != "3" {
		t.Errorf("%d chart views audited, newest %v", len(evs)-before, evs[0])
	}
	if r := want(t, admin.Do("GET", d.base+"/audit-events?action=order.listed&patient="+patient, nil), http.StatusOK); len(r.Items()) != 0 {
		t.Errorf("the chart view listed orders separately: %s", r)
	}

	// Reception and billing: no orders on the chart.
	for _, role := range []medic.Role{medic.RoleReceptionist, medic.RoleBilling} {
		body := string(want(t, d.c[role].Do("GET", "/patients/"+patient, nil), http.StatusOK).Body)
		for _, no := range []string{"outstanding-orders", "Lipogram", "Chest X-ray", "/orders/"} {
			if strings.Contains(body, no) {
				t.Errorf("%s's chart page shows %q", role, no)
			}
		}
	}

	// More than ten: the oldest ten, and a note that there are more.
	for i := 0; i < 8; i++ {
		want(t, doctor.Do("POST", orders, map[string]any{"kind": "lab", "code": fmt.Sprintf("X%d", i)}), http.StatusCreated)
	}
	s = section(doctor)
	if n := strings.Count(s, "<li>"); n != 10 || !strings.Contains(s, "The oldest ten are shown") || !strings.Contains(s, "Lipogram") {
		t.Errorf("%d orders shown:\n%s", n, s)
	}
}

// TestToReviewBadge: the top bar's "To review" shows, on every desk page,
// how many of the signed-in doctor's own orders are resulted and not yet
// reviewed: not the ones still waiting, not the reviewed ones, not a
// colleague's.
func TestToReviewBadge(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	d := newDesk(t, env, "sunrise")
	doctor, admin, nurse := d.c[medic.RoleDoctor], d.c[medic.RoleAdmin], d.c[medic.RoleNurse]
	patient := d.patient(t, "Busisiwe", "")
	enc := d.walkIn(t, patient)
	orders := d.base + "/encounters/" + enc + "/orders"
	order := func(c *servertest.Client, code string, resulted, reviewed bool) {
		t.Helper()
		id := want(t, c.Do("POST", orders, map[string]any{"kind": "lab", "code": code}), http.StatusCreated).Str("id")
		if resulted {
			want(t, c.Do("POST", d.base+"/orders/"+id+"/results", map[string]any{"value": "5"}), http.StatusCreated)
		}
		if reviewed {
			want(t, c.Do("POST", d.base+"/orders/"+id+"/review", nil), http.StatusOK)
		}
	}
	badge := func(n int) string {
		return fmt.Sprintf(`href="/orders/review">To review <span class="badge badge-count">%d<span class="visually-hidden"> results</span></span></a>`, n)
	}
	page := func(c *servertest.Client, path string) string {
		t.Helper()
		return string(want(t, c.Do("GET", path, nil), http.StatusOK).Body)
	}
	if p := page(doctor, "/patients"); !strings.Contains(p, `href="/orders/review">To review</a>`) {
		t.Errorf("nothing to review, yet the badge shows")
	}
	order(doctor, "FBC", true, false)
	order(doctor, "TSH", true, false)
	order(doctor, "CRP", false, false) // still waiting
	order(doctor, "LFT", true, true)   // reviewed
	order(admin, "UE", true, false)    // a colleague's
	for _, path := range []string{"/patients", "/patients/" + patient, "/orders", "/queue"} {
		if p := page(doctor, path); !strings.Contains(p, badge(2)) {
			t.Errorf("%s: the doctor's badge is not 2", path)
		}
	}
	if p := page(admin, "/patients"); !strings.Contains(p, badge(1)) {
		t.Errorf("the admin's badge is not 1")
	}
	if p := page(nurse, "/patients"); strings.Contains(p, `href="/orders/review"`) {
		t.Errorf("a nurse, who reviews nothing, has the link")
	}
}
