package server_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"medic"
	jsonapi "medic/internal/api"
	"medic/internal/auth/sessioncookie"
	"medic/internal/server/servertest"
)

// tenantRoute is one route under /api/v1/practices/{practice}. kind names
// the record its {id} is ("" when it has none).
type tenantRoute struct {
	method, suffix string
	body           any
	kind           string
}

func (r tenantRoute) String() string { return r.method + " /api/v1/practices/{practice}" + r.suffix }

// path fills in the practice ref and the record id.
func (r tenantRoute) path(practice, id string) string {
	return "/api/v1/practices/" + practice + strings.Replace(r.suffix, "{id}", id, 1)
}

// tenantRoutes is every tenant endpoint with a body that gets past
// validation, so a 404 comes from the tenant or record lookup.
var tenantRoutes = []tenantRoute{
	{"GET", "", nil, ""},
	{"PATCH", "", map[string]any{"name": "Taken Over"}, ""},
	{"GET", "/members", nil, ""},
	{"POST", "/members", map[string]any{"email": "intruder@example.org", "role": "admin"}, ""},
	{"GET", "/members/{id}", nil, "member"},
	{"PATCH", "/members/{id}", map[string]any{"role": "nurse"}, "member"},
	{"DELETE", "/members/{id}", nil, "member"},
	{"GET", "/invitations", nil, ""},
	{"DELETE", "/invitations/{id}", nil, "invitation"},
	{"GET", "/locations", nil, ""},
	{"POST", "/locations", map[string]any{"name": "Intruder Site"}, ""},
	{"GET", "/locations/{id}", nil, "location"},
	{"PATCH", "/locations/{id}", map[string]any{"name": "Taken Over"}, "location"},
	{"DELETE", "/locations/{id}", nil, "location"},
	{"GET", "/audit-events", nil, ""},
	{"GET", "/dashboard", nil, ""},
	{"GET", "/search", nil, ""},

	{"GET", "/patients", nil, ""},
	{"POST", "/patients", map[string]any{"given_name": "Intruder", "family_name": "Chart", "date_of_birth": "1990-01-01"}, ""},
	{"GET", "/patients/{id}", nil, "patient"},
	{"PATCH", "/patients/{id}", map[string]any{"given_name": "Taken"}, "patient"},
	{"POST", "/patients/{id}/deactivate", nil, "patient"},
	{"POST", "/patients/{id}/reactivate", nil, "patient"},
	{"POST", "/patients/{id}/merge", map[string]any{"into": "6f1c4f4e-0d7a-4c55-9a43-6c1f0b6f7a01", "confirm": true}, "patient"},
	{"GET", "/patients/{id}/appointments", nil, "patient"},
	// Allergy and condition ids are checked under the chart's ({id}); the
	// chart of another practice is 404 first (allergies_test.go checks a
	// foreign entry under an own chart).
	{"GET", "/patients/{id}/allergies", nil, "patient"},
	{"POST", "/patients/{id}/allergies", map[string]any{"substance": "Latex", "severity": "mild"}, "patient"},
	{"POST", "/patients/{id}/allergies/none-known", nil, "patient"},
	{"PATCH", "/patients/{id}/allergies/{allergy}", map[string]any{"status": "inactive"}, "patient"},
	{"GET", "/patients/{id}/conditions", nil, "patient"},
	{"POST", "/patients/{id}/conditions", map[string]any{"code": "I10"}, "patient"},
	{"PATCH", "/patients/{id}/conditions/{condition}", map[string]any{"status": "resolved"}, "patient"},
	{"GET", "/icd10", nil, ""},

	{"GET", "/practitioners", nil, ""},
	{"POST", "/practitioners", map[string]any{"name": "Dr Intruder"}, ""},
	{"GET", "/practitioners/{id}", nil, "practitioner"},
	{"PATCH", "/practitioners/{id}", map[string]any{"name": "Taken Over"}, "practitioner"},
	{"GET", "/appointment-types", nil, ""},
	{"POST", "/appointment-types", map[string]any{"name": "Intrusion", "duration_minutes": 15}, ""},
	{"GET", "/appointment-types/{id}", nil, "type"},
	{"PATCH", "/appointment-types/{id}", map[string]any{"name": "Taken Over"}, "type"},
	{"GET", "/schedules", nil, ""},
	{"POST", "/schedules", map[string]any{"practitioner_id": "6f1c4f4e-0d7a-4c55-9a43-6c1f0b6f7a02", "location_id": "6f1c4f4e-0d7a-4c55-9a43-6c1f0b6f7a03",
		"weekday": "monday", "start": "09:00", "end": "10:00", "slot_minutes": 30}, ""},
	{"GET", "/schedules/{id}", nil, "rule"},
	{"PATCH", "/schedules/{id}", map[string]any{"capacity": 9}, "rule"},
	{"DELETE", "/schedules/{id}", nil, "rule"},
	{"GET", "/schedule-exceptions", nil, ""},
	{"POST", "/schedule-exceptions", map[string]any{"practitioner_id": "6f1c4f4e-0d7a-4c55-9a43-6c1f0b6f7a02", "kind": "leave", "start": "2030-04-01", "end": "2030-04-02"}, ""},
	{"DELETE", "/schedule-exceptions/{id}", nil, "exception"},
	{"GET", "/availability", nil, ""},

	{"GET", "/appointments", nil, ""},
	{"POST", "/appointments", map[string]any{"patient_id": "6f1c4f4e-0d7a-4c55-9a43-6c1f0b6f7a04", "practitioner_id": "6f1c4f4e-0d7a-4c55-9a43-6c1f0b6f7a02",
		"location_id": "6f1c4f4e-0d7a-4c55-9a43-6c1f0b6f7a03", "appointment_type_id": "6f1c4f4e-0d7a-4c55-9a43-6c1f0b6f7a05", "start": thu0900}, ""},
	{"GET", "/appointments/{id}", nil, "appointment"},
	{"POST", "/appointments/{id}/reschedule", map[string]any{"start": thu1000}, "appointment"},
	{"POST", "/appointments/{id}/cancel", map[string]any{"reason": "Intrusion"}, "appointment"},
	{"POST", "/appointments/{id}/check-in", nil, "appointment"},
	{"POST", "/appointments/{id}/no-show", nil, "appointment"},
	{"POST", "/appointments/{id}/start", nil, "appointment"},
	{"POST", "/appointments/{id}/complete", nil, "appointment"},

	{"GET", "/notifications", nil, ""},
	{"POST", "/notifications/{id}/read", nil, "notification"},

	{"GET", "/encounters", nil, ""},
	{"POST", "/encounters", map[string]any{"patient_id": "6f1c4f4e-0d7a-4c55-9a43-6c1f0b6f7a04", "practitioner_id": "6f1c4f4e-0d7a-4c55-9a43-6c1f0b6f7a02",
		"location_id": "6f1c4f4e-0d7a-4c55-9a43-6c1f0b6f7a03"}, ""},
	{"GET", "/encounters/{id}", nil, "encounter"},
	{"PATCH", "/encounters/{id}", map[string]any{"soap": map[string]any{"plan": "Taken over"}}, "encounter"},
	{"POST", "/encounters/{id}/finish", nil, "encounter"},
	{"POST", "/encounters/{id}/addenda", map[string]any{"text": "Taken over", "reason": "Intrusion"}, "finished"},
	{"POST", "/encounters/{id}/stage", map[string]any{"stage": "assessment"}, "encounter"},
	{"POST", "/encounters/{id}/vitals", map[string]any{"systolic_mmhg": 120, "diastolic_mmhg": 80}, "encounter"},
	{"GET", "/encounters/{id}/diagnoses", nil, "encounter"},
	{"POST", "/encounters/{id}/diagnoses", map[string]any{"code": "J06.9"}, "encounter"},
	{"DELETE", "/encounters/{id}/diagnoses/{diagnosis}", nil, "encounter"},
	{"GET", "/patients/{id}/vitals", nil, "patient"},
	{"POST", "/encounters/{id}/referrals", map[string]any{"kind": "external", "to_name": "Dr Intruder", "urgency": "routine", "reason": "Intrusion"}, "encounter"},
	{"GET", "/encounters/{id}/referral-summary", nil, "encounter"},
	{"GET", "/referrals", nil, ""},
	{"GET", "/referrals/{id}", nil, "referral"},
	{"POST", "/referrals/{id}/send", nil, "referral"},
	{"POST", "/referrals/{id}/cancel", nil, "referral"},
	{"GET", "/patients/{id}/referrals", nil, "patient"},
	{"GET", "/patients/{id}/timeline", nil, "patient"},
	{"GET", "/encounters/{id}/orders", nil, "encounter"},
	{"POST", "/encounters/{id}/orders", map[string]any{"kind": "lab", "code": "FBC"}, "encounter"},
	{"GET", "/orders", nil, ""},
	{"GET", "/orders/counts", nil, ""},
	{"GET", "/orders/{id}", nil, "order"},
	{"POST", "/orders/{id}/collect", nil, "order"},
	{"POST", "/orders/{id}/results", map[string]any{"value": "5.1", "unit": "mmol/L"}, "order"},
	{"POST", "/orders/{id}/review", nil, "order"},
	{"POST", "/orders/{id}/cancel", map[string]any{"reason": "Intrusion"}, "order"},
	{"GET", "/patients/{id}/orders", nil, "patient"},
	{"GET", "/queue", nil, ""},
	{"GET", "/encounter-templates", nil, ""},
	{"POST", "/encounter-templates", map[string]any{"name": "Intrusion"}, ""},
	{"GET", "/encounter-templates/{id}", nil, "template"},
	{"PATCH", "/encounter-templates/{id}", map[string]any{"name": "Taken Over"}, "template"},

	{"GET", "/medicines", nil, ""},
	{"POST", "/medicines", map[string]any{"name": "Intruder tonic", "ingredients": []string{"tonic"}, "schedule": "S0"}, ""},
	{"POST", "/medicines/import", "name,ingredients,schedule\nIntruder tonic,tonic,S0\n", ""},
	{"GET", "/medicines/{id}", nil, "medicine"},
	{"PUT", "/medicines/{id}", map[string]any{"name": "Taken Over", "ingredients": []string{"tonic"}, "schedule": "S0"}, "medicine"},

	{"POST", "/prescriptions", map[string]any{"encounter_id": "6f1c4f4e-0d7a-4c55-9a43-6c1f0b6f7a01", "items": []map[string]any{{"medicine_id": "6f1c4f4e-0d7a-4c55-9a43-6c1f0b6f7a02",
		"dose": "1 tablet", "frequency": "tds", "duration_days": 5}}}, ""},
	{"GET", "/prescriptions", nil, ""},
	{"GET", "/prescriptions/{id}", nil, "prescription"},
	{"POST", "/prescriptions/{id}/cancel", map[string]any{"reason": "Taken over"}, "prescription"},
	{"GET", "/patients/{id}/medications", nil, "patient"},
	{"GET", "/prescriptions/{id}/pdf", nil, "prescription"},
	{"GET", "/referrals/{id}/pdf", nil, "referral"},
	{"PUT", "/practitioners/{id}/signature", signaturePNG, "practitioner"},

	{"POST", "/sick-notes", map[string]any{"encounter_id": "6f1c4f4e-0d7a-4c55-9a43-6c1f0b6f7a01", "examined_at": "2030-03-04T09:00:00+02:00", "basis": "examined",
		"from": "2030-03-04", "to": "2030-03-05", "fitness": "unfit"}, ""},
	{"GET", "/sick-notes", nil, ""},
	{"GET", "/sick-notes/{id}", nil, "sick_note"},
	{"POST", "/sick-notes/{id}/cancel", map[string]any{"reason": "Taken over"}, "sick_note"},
	{"GET", "/sick-notes/{id}/pdf", nil, "sick_note"},

	{"GET", "/billing-settings", nil, ""},
	{"PUT", "/billing-settings", map[string]any{"currency": "USD", "vat_rate_bp": 0}, ""},
	{"GET", "/tariff-codes", nil, ""},
	{"POST", "/tariff-codes", map[string]any{"code": "INTRUDE", "description": "Intrusion", "category": "procedure", "unit_cents": 100}, ""},
	{"POST", "/tariff-codes/import", "code,description,price\nINTRUDE,Intrusion,1.00\n", ""},
	{"GET", "/tariff-codes/{id}", nil, "tariff"},
	{"PATCH", "/tariff-codes/{id}", map[string]any{"description": "Taken over"}, "tariff"},
	{"POST", "/tariff-codes/{id}/prices", map[string]any{"effective_from": "2030-01-01", "unit_cents": 1}, "tariff"},
	{"POST", "/invoices", map[string]any{"patient_id": "6f1c4f4e-0d7a-4c55-9a43-6c1f0b6f7a04", "lines": []map[string]any{{"description": "Intrusion", "unit_cents": 100}}}, ""},
	{"GET", "/invoices", nil, ""},
	{"GET", "/invoices/{id}", nil, "invoice"},
	{"PATCH", "/invoices/{id}", map[string]any{"lines": []map[string]any{{"description": "Taken over", "unit_cents": 1}}}, "invoice"},
	{"POST", "/invoices/{id}/issue", nil, "invoice"},
	{"POST", "/invoices/{id}/void", map[string]any{"reason": "Taken over"}, "invoice"},
	{"GET", "/invoices/{id}/payments", nil, "invoice"},
	{"POST", "/invoices/{id}/payments", map[string]any{"amount_cents": 100, "method": "cash"}, "invoice"},
	{"GET", "/invoices/{id}/payment-links", nil, "invoice"},
	{"POST", "/invoices/{id}/payment-link", nil, "invoice"},
	{"POST", "/encounters/{id}/invoice", nil, "finished"},
	{"GET", "/cash-up", nil, ""},
	{"POST", "/invoices/{id}/claim", nil, "invoice"},
	{"GET", "/claims", nil, ""},
	{"GET", "/claims/{id}", nil, "claim"},
	{"PATCH", "/claims/{id}", map[string]any{"member_number": "12345678"}, "claim"},
	{"POST", "/claims/{id}/submit", nil, "claim"},
	{"POST", "/claims/{id}/resubmit", nil, "claim"},
	{"POST", "/claims/{id}/close", nil, "claim"},

	{"GET", "/outbox", nil, ""},
	{"POST", "/outbox/{id}/retry", nil, "mail"},

	{"GET", "/smart-clients", nil, ""},
	{"POST", "/smart-clients", map[string]any{"name": "Intruder app", "type": "public", "redirect_uris": []string{"https://intruder.example/cb"}, "scopes": []string{"user/*.rs"}}, ""},
	{"GET", "/smart-clients/{id}", nil, "smart_client"},
	{"PUT", "/smart-clients/{id}", map[string]any{"name": "Taken Over", "redirect_uris": []string{"https://intruder.example/cb"}, "scopes": []string{"user/*.rs"}}, "smart_client"},
	{"POST", "/smart-clients/{id}/revoke-grants", nil, "smart_client"},
	{"GET", "/smart-apps", nil, ""},
	{"POST", "/patients/{id}/smart-launch", map[string]any{"client_id": "00000000-0000-4000-8000-000000000000"}, "patient"},
}

// routeList is a Router that only lists the patterns registered on it.
type routeList []string

func (l *routeList) HandleFunc(pattern string, _ func(http.ResponseWriter, *http.Request)) {
	*l = append(*l, pattern)
}

// TestTenantRoutesCovered fails when internal/api registers a tenant route
// that the cross-tenant tests below do not exercise.
func TestTenantRoutesCovered(t *testing.T) {
	t.Parallel()
	var all routeList
	jsonapi.New(nil, sessioncookie.Cookie{}, nil).Routes(&all)
	var registered, covered []string
	for _, p := range all {
		if method, path, ok := strings.Cut(p, " "); ok && strings.HasPrefix(path, "/api/v1/practices/{practice}") {
			registered = append(registered, method+" "+path)
		}
	}
	for _, r := range tenantRoutes {
		covered = append(covered, r.String())
	}
	slices.Sort(registered)
	slices.Sort(covered)
	if len(registered) == 0 || !slices.Equal(registered, covered) {
		t.Errorf("tenant routes internal/api registers:\n  %s\ncovered by tenantRoutes:\n  %s", strings.Join(registered, "\n  "), strings.Join(covered, "\n  "))
	}
}

func (x *tenants) idOf(kind string) string {
	switch kind {
	case "member":
		return x.doctorA.ID
	case "invitation":
		return x.invitationA
	case "location":
		return x.locA.ID
	}
	return ""
}

func TestCrossTenant(t *testing.T) {
	t.Parallel()
	x := newTenants(t)
	env := x.env
	// A's scheduling records (patient, practitioner, rule, exception, type,
	// appointment), made through the API by A's admin.
	recsA := schedulingRecords(t, x.adminA, "alpha", x.locA.ID, "Amahle")
	// A desk notification of A (as an online booking makes one).
	note := &medic.Notification{Kind: medic.NotificationOnlineBooking, Title: "Amahle Cele booked online", AppointmentID: recsA["appointment"]}
	if err := env.DB.CreateNotification(medic.WithTenant(context.Background(), medic.Tenant{PracticeID: x.A.ID}), note); err != nil {
		t.Fatal(err)
	}
	recsA["notification"] = note.ID
	// A's outbox holds the invitation newTenants sent.
	mails := want(t, x.adminA.Do("GET", "/api/v1/practices/alpha/outbox", nil), http.StatusOK).Items()
	if len(mails) == 0 {
		t.Fatal("practice A's outbox is empty")
	}
	recsA["mail"] = mails[0]["id"].(string)
	// A's encounters (a draft and a finished one with an addendum) and a template.
	for _, kind := range []string{"finished", "encounter"} {
		recsA[kind] = want(t, x.adminA.Do("POST", "/api/v1/practices/alpha/encounters", map[string]any{"patient_id": recsA["patient"],
			"practitioner_id": recsA["practitioner"], "location_id": x.locA.ID, "stage": "consultation"}), http.StatusCreated).Str("id")
	}
	want(t, x.adminA.Do("PATCH", "/api/v1/practices/alpha/encounters/"+recsA["encounter"], map[string]any{"soap": map[string]any{"plan": "Alpha plan"}}), http.StatusOK)
	want(t, x.adminA.Do("POST", "/api/v1/practices/alpha/encounters/"+recsA["finished"]+"/finish", nil), http.StatusOK)
	recsA["addendum"] = want(t, x.adminA.Do("POST", "/api/v1/practices/alpha/encounters/"+recsA["finished"]+"/addenda", map[string]any{"text": "Alpha addendum", "reason": "Late result"}), http.StatusCreated).Str("id")
	recsA["referral"] = want(t, x.adminA.Do("POST", "/api/v1/practices/alpha/encounters/"+recsA["encounter"]+"/referrals", map[string]any{"kind": "internal",
		"to_practitioner_id": recsA["practitioner"], "urgency": "routine", "reason": "Alpha referral"}), http.StatusCreated).Str("id")
	recsA["template"] = want(t, x.adminA.Do("GET", "/api/v1/practices/alpha/encounter-templates", nil), http.StatusOK).Items()[0]["id"].(string)
	// A's orders: one outstanding, one resulted (to review by A's admin).
	recsA["order"] = want(t, x.adminA.Do("POST", "/api/v1/practices/alpha/encounters/"+recsA["encounter"]+"/orders", map[string]any{"kind": "lab", "code": "FBC"}), http.StatusCreated).Str("id")
	resulted := want(t, x.adminA.Do("POST", "/api/v1/practices/alpha/encounters/"+recsA["encounter"]+"/orders", map[string]any{"kind": "imaging", "code": "CXR"}), http.StatusCreated).Str("id")
	recsA["result"] = want(t, x.adminA.Do("POST", "/api/v1/practices/alpha/orders/"+resulted+"/results", map[string]any{"report": "Alpha report", "abnormal": true}), http.StatusCreated).Str("id")
	// A's own medicine (B has its own copy of the starter set, never A's).
	recsA["medicine"] = want(t, x.adminA.Do("POST", "/api/v1/practices/alpha/medicines", map[string]any{"name": "Alphatonic",
		"ingredients": []string{"alphatonic"}, "schedule": "S0"}), http.StatusCreated).Str("id")
	env.Member(t, x.B, env.User(t, "doc@bravo.example", pw), medic.RoleDoctor)
	docB := env.Login(t, "doc@bravo.example", pw)
	// A's prescription, issued by A's doctor at the draft encounter.
	docA := env.Login(t, "doc@alpha.example", pw)
	amox := want(t, x.adminA.Do("GET", "/api/v1/practices/alpha/medicines?q=amoxicillin", nil), http.StatusOK).Str("items.0.id")
	recsA["prescription"] = want(t, docA.Do("POST", "/api/v1/practices/alpha/prescriptions", map[string]any{"encounter_id": recsA["encounter"],
		"items": []map[string]any{{"medicine_id": amox, "dose": "500 mg", "frequency": "tds", "duration_days": 5}}}), http.StatusCreated).Str("id")
	recsA["sick_note"] = want(t, docA.Do("POST", "/api/v1/practices/alpha/sick-notes", map[string]any{"encounter_id": recsA["encounter"],
		"examined_at": "2030-03-04T09:00:00+02:00", "basis": "examined", "from": "2030-03-04", "to": "2030-03-05", "fitness": "unfit"}), http.StatusCreated).Str("id")
	if got := want(t, docB.Do("GET", "/api/v1/practices/bravo/sick-notes", nil), http.StatusOK).Items(); len(got) != 0 {
		t.Errorf("practice B lists A's sick note: %v", got)
	}
	if got := want(t, x.adminB.Do("GET", "/api/v1/practices/bravo/medicines?q=alphatonic", nil), http.StatusOK).Items(); len(got) != 0 {
		t.Errorf("practice B lists A's medicine: %v", got)
	}
	// A's tariff code and an issued invoice for its finished encounter,
	// partly paid: B lists none of them.
	recsA["tariff"] = want(t, x.adminA.Do("POST", "/api/v1/practices/alpha/tariff-codes", map[string]any{"code": "ALPHA1", "description": "Alpha procedure",
		"category": "procedure", "unit_cents": 10000}), http.StatusCreated).Str("id")
	recsA["invoice"] = want(t, x.adminA.Do("POST", "/api/v1/practices/alpha/encounters/"+recsA["finished"]+"/invoice", nil), http.StatusCreated).Str("id")
	want(t, x.adminA.Do("PATCH", "/api/v1/practices/alpha/invoices/"+recsA["invoice"], map[string]any{"lines": []map[string]any{{"code": "ALPHA1"}}}), http.StatusOK)
	want(t, x.adminA.Do("POST", "/api/v1/practices/alpha/invoices/"+recsA["invoice"]+"/issue", nil), http.StatusOK)
	want(t, x.adminA.Do("POST", "/api/v1/practices/alpha/invoices/"+recsA["invoice"]+"/payments", map[string]any{"amount_cents": 5000, "method": "cash"}), http.StatusCreated)
	// A's draft claim for that invoice: B lists none either.
	recsA["claim"] = want(t, x.adminA.Do("POST", "/api/v1/practices/alpha/invoices/"+recsA["invoice"]+"/claim", nil), http.StatusCreated).Str("id")
	for _, path := range []string{"/invoices", "/invoices?patient=" + recsA["patient"], "/invoices?status=partly_paid", "/tariff-codes?q=alpha&inactive=1",
		"/claims", "/claims?invoice=" + recsA["invoice"], "/claims?patient=" + recsA["patient"], "/claims?status=draft"} {
		if got := want(t, x.adminB.Do("GET", "/api/v1/practices/bravo"+path, nil), http.StatusOK).Items(); len(got) != 0 {
			t.Errorf("practice B lists A's %s: %v", path, got)
		}
	}
	// A's SMART app: B's list never shows it.
	recsA["smart_client"] = want(t, x.adminA.Do("POST", "/api/v1/practices/alpha/smart-clients", map[string]any{"name": "Alpha app", "type": "public",
		"redirect_uris": []string{"https://alpha.example/cb"}, "scopes": []string{"user/*.rs"}}), http.StatusCreated).Str("id")
	if got := want(t, x.adminB.Do("GET", "/api/v1/practices/bravo/smart-clients", nil), http.StatusOK).Items(); len(got) != 0 {
		t.Errorf("practice B lists A's SMART app: %v", got)
	}
	idOf := func(kind string) string {
		if id, ok := recsA[kind]; ok {
			return id
		}
		return x.idOf(kind)
	}

	// The one 404 body: a practice that does not exist.
	notFound := want(t, x.adminB.Do("GET", "/api/v1/practices/"+newUUID(), nil), http.StatusNotFound)
	wantProblem(t, notFound, http.StatusNotFound)
	same404 := func(t *testing.T, r *servertest.Response) {
		t.Helper()
		wantProblem(t, r, http.StatusNotFound)
		if string(r.Body) != string(notFound.Body) {
			t.Errorf("%s %s: 404 body differs from a missing practice's:\n got %s\nwant %s", r.Method, r.Path, r.Body, notFound.Body)
		}
	}

	t.Run("other practice's path is 404 like a missing practice", func(t *testing.T) {
		for _, rt := range tenantRoutes {
			for _, ref := range []string{x.A.ID, x.A.Slug, strings.ToUpper(x.A.Slug), newUUID(), "no-such-practice"} {
				id := idOf(rt.kind)
				same404(t, x.adminB.Do(rt.method, rt.path(ref, id), rt.body))
			}
		}
	})

	t.Run("other practice's record ids on own path are 404 like missing ones", func(t *testing.T) {
		for _, rt := range tenantRoutes {
			if rt.kind == "" {
				continue
			}
			c := x.adminB
			if rt.method == "POST" && (strings.HasPrefix(rt.suffix, "/prescriptions") || strings.HasPrefix(rt.suffix, "/sick-notes")) {
				c = docB // only doctors write prescriptions and sick notes: an admin is refused before any lookup
			}
			for _, id := range []string{idOf(rt.kind), newUUID(), "not-a-uuid", "'; DROP TABLE members; --"} {
				same404(t, c.Do(rt.method, rt.path(x.B.Slug, id), rt.body))
			}
		}
	})

	t.Run("a personal token bound to B is 404 on A although its user is a member of A", func(t *testing.T) {
		r := want(t, x.both.Do("POST", "/api/v1/auth/tokens", map[string]any{"name": "script", "practice": "bravo"}), http.StatusCreated)
		tok := env.TokenClient(t, r.Str("token"))
		want(t, tok.Do("GET", "/api/v1/practices/bravo/members", nil), http.StatusOK)
		want(t, x.both.Do("GET", "/api/v1/practices/alpha/members", nil), http.StatusOK) // the session may
		for _, rt := range tenantRoutes {
			for _, ref := range []string{x.A.ID, x.A.Slug} {
				same404(t, tok.Do(rt.method, rt.path(ref, idOf(rt.kind)), rt.body))
			}
		}
		// Nor can it mint a token for A (or any token: that needs a password session).
		wantProblem(t, tok.Do("POST", "/api/v1/auth/tokens", map[string]any{"name": "escalate", "practice": "alpha"}), http.StatusForbidden)
	})

	t.Run("a practice_id in the body is refused and changes nothing", func(t *testing.T) {
		for _, s := range []servertest.Scenario{
			{Name: "practice", Method: "PATCH", Path: "/api/v1/practices/bravo", Body: map[string]any{"name": "Hijack", "practice_id": x.A.ID}},
			{Name: "member", Method: "PATCH", Path: "/api/v1/practices/bravo/members/" + x.bothB.ID, Body: map[string]any{"role": "billing", "practice_id": x.A.ID}},
			{Name: "location", Method: "PATCH", Path: "/api/v1/practices/bravo/locations/" + x.locB.ID, Body: map[string]any{"name": "Hijack", "practice_id": x.A.ID}},
			{Name: "new location", Method: "POST", Path: "/api/v1/practices/bravo/locations", Body: map[string]any{"name": "Hijack", "practice_id": x.A.ID}},
			{Name: "invitation", Method: "POST", Path: "/api/v1/practices/bravo/members", Body: map[string]any{"email": "hijack@example.org", "role": "admin", "practice_id": x.A.ID}},
			{Name: "new patient", Method: "POST", Path: "/api/v1/practices/bravo/patients", Body: map[string]any{"given_name": "Hijack", "family_name": "Chart", "date_of_birth": "1990-01-01", "practice_id": x.A.ID}},
			{Name: "new practitioner", Method: "POST", Path: "/api/v1/practices/bravo/practitioners", Body: map[string]any{"name": "Hijack", "practice_id": x.A.ID}},
			{Name: "new type", Method: "POST", Path: "/api/v1/practices/bravo/appointment-types", Body: map[string]any{"name": "Hijack", "duration_minutes": 15, "practice_id": x.A.ID}},
		} {
			s.Client, s.Status = x.adminB, http.StatusUnprocessableEntity
			s.Contains = []string{`"practice_id"`, "Unknown field"}
			s.Check = func(t *testing.T, r *servertest.Response) { wantProblem(t, r, http.StatusUnprocessableEntity) }
			s.Run(t)
		}
		for _, c := range []*servertest.Client{x.adminA, x.adminB} {
			for _, path := range []string{"/api/v1/practices/alpha", "/api/v1/practices/bravo"} {
				if r := c.Do("GET", path, nil); r.Status == http.StatusOK && strings.Contains(string(r.Body), "Hijack") {
					t.Errorf("changed: %s", r)
				}
			}
		}
		for _, path := range []string{"/api/v1/practices/bravo/locations", "/api/v1/practices/bravo/members", "/api/v1/practices/bravo/invitations"} {
			if r := want(t, x.adminB.Do("GET", path, nil), http.StatusOK); strings.Contains(string(r.Body), "Hijack") || strings.Contains(string(r.Body), "hijack@") {
				t.Errorf("changed: %s", r)
			}
		}
		if r := want(t, x.adminB.Do("GET", "/api/v1/practices/bravo/members/"+x.bothB.ID, nil), http.StatusOK); r.Str("role") != "admin" {
			t.Errorf("member changed: %s", r)
		}
	})

	t.Run("A's records are untouched", func(t *testing.T) {
		if r := want(t, x.adminA.Do("GET", "/api/v1/practices/alpha", nil), http.StatusOK); r.Str("name") != "Practice alpha" {
			t.Errorf("practice changed: %s", r)
		}
		if r := want(t, x.adminA.Do("GET", "/api/v1/practices/alpha/members/"+x.doctorA.ID, nil), http.StatusOK); r.Str("role") != "doctor" || r.Get("active") != true {
			t.Errorf("member changed: %s", r)
		}
		if r := want(t, x.adminA.Do("GET", "/api/v1/practices/alpha/invoices/"+recsA["invoice"], nil), http.StatusOK); r.Str("status") != "partly_paid" ||
			r.Get("paid_cents") != float64(5000) || r.Get("number") != float64(1) || len(r.Get("payments").([]any)) != 1 || r.Str("lines.0.description") != "Alpha procedure" {
			t.Errorf("invoice changed: %s", r)
		}
		if r := want(t, x.adminA.Do("GET", "/api/v1/practices/alpha/tariff-codes/"+recsA["tariff"], nil), http.StatusOK); r.Str("description") != "Alpha procedure" ||
			r.Get("unit_cents") != float64(10000) || len(r.Get("prices").([]any)) != 1 {
			t.Errorf("tariff changed: %s", r)
		}
		if r := want(t, x.adminA.Do("GET", "/api/v1/practices/alpha/billing-settings", nil), http.StatusOK); r.Str("currency") != "ZAR" || r.Get("vat_rate_bp") != float64(1500) {
			t.Errorf("billing settings changed: %s", r)
		}
		if r := want(t, x.adminA.Do("GET", "/api/v1/practices/alpha/locations", nil), http.StatusOK); len(r.Items()) != 1 || r.Str("items.0.name") != "Alpha Main" {
			t.Errorf("locations changed: %s", r)
		}
		if r := want(t, x.adminA.Do("GET", "/api/v1/practices/alpha/invitations", nil), http.StatusOK); len(r.Items()) != 1 || r.Str("items.0.id") != x.invitationA {
			t.Errorf("invitations changed: %s", r)
		}
		if r := want(t, x.adminA.Do("GET", "/api/v1/practices/alpha/members", nil), http.StatusOK); len(r.Items()) != 3 {
			t.Errorf("members changed: %s", r)
		}
		for kind, c := range map[string]struct{ path, field, value string }{
			"patient":      {"/patients/", "given_name", "Amahle"},
			"practitioner": {"/practitioners/", "name", "Dr Amahle"},
			"type":         {"/appointment-types/", "name", "Amahle visit"},
			"rule":         {"/schedules/", "capacity", ""},
			"appointment":  {"/appointments/", "status", "booked"},
		} {
			r := want(t, x.adminA.Do("GET", "/api/v1/practices/alpha"+c.path+recsA[kind], nil), http.StatusOK)
			if c.field == "capacity" {
				if r.Get("capacity") != float64(1) {
					t.Errorf("rule changed: %s", r)
				}
			} else if r.Str(c.field) != c.value {
				t.Errorf("%s changed: %s", kind, r)
			}
		}
		if r := want(t, x.adminA.Do("GET", "/api/v1/practices/alpha/patients/"+recsA["patient"], nil), http.StatusOK); r.Str("status") != "active" {
			t.Errorf("patient status changed: %s", r)
		}
		if r := want(t, x.adminA.Do("GET", "/api/v1/practices/alpha/appointments/"+recsA["appointment"], nil), http.StatusOK); r.Str("start") != thu0900 {
			t.Errorf("appointment moved: %s", r)
		}
		if r := want(t, x.adminA.Do("GET", "/api/v1/practices/alpha/notifications", nil), http.StatusOK); !slices.Equal(ids(r), []string{recsA["notification"]}) ||
			r.Get("items.0.read_at") != nil || r.Get("unread") != float64(1) {
			t.Errorf("notifications changed: %s", r)
		}
		if r := want(t, x.adminA.Do("GET", "/api/v1/practices/alpha/schedule-exceptions", nil), http.StatusOK); !slices.Equal(ids(r), []string{recsA["exception"]}) {
			t.Errorf("exceptions changed: %s", r)
		}
		for _, m := range env.Mail() {
			if slices.Contains(m.To, "intruder@example.org") || slices.Contains(m.To, "hijack@example.org") {
				t.Errorf("an invitation went out: %+v", m)
			}
		}
	})

	t.Run("B's lists hold nothing of A", func(t *testing.T) {
		foreign := []string{x.A.ID, x.doctorA.ID, x.adminAMember.ID, x.bothA.ID, x.locA.ID, x.invitationA, "a@alpha.example", "doc@alpha.example", "new@alpha.example", "Alpha Main",
			"Amahle", "amahle@"}
		for _, id := range recsA {
			foreign = append(foreign, id)
		}
		for _, path := range []string{"", "/members", "/invitations", "/locations", "/audit-events?limit=200", "/dashboard",
			"/patients?include_inactive=true", "/patients?q=Amahle", "/patients?q=amahle@alpha.example", "/practitioners", "/appointment-types",
			"/schedules", "/schedules?practitioner=" + recsA["practitioner"], "/schedule-exceptions", "/schedule-exceptions?practitioner=" + recsA["practitioner"],
			"/availability?from=2030-03-04&to=2030-03-18", "/appointments", "/appointments?patient=" + recsA["patient"],
			"/appointments?practitioner=" + recsA["practitioner"], "/notifications",
			"/encounters", "/encounters?patient=" + recsA["patient"], "/encounters?location=" + x.locA.ID, "/encounters?status=finished",
			"/queue", "/queue?location=" + x.locA.ID, "/encounter-templates?all=true",
			"/referrals", "/referrals?patient=" + recsA["patient"], "/referrals?encounter=" + recsA["encounter"], "/referrals?to=me",
			"/orders", "/orders?status=outstanding", "/orders?to_review=mine", "/orders?patient=" + recsA["patient"], "/orders?encounter=" + recsA["encounter"],
			"/invoices", "/invoices?patient=" + recsA["patient"], "/invoices?encounter=" + recsA["finished"], "/tariff-codes?limit=200&inactive=1"} {
			r := want(t, x.adminB.Do("GET", "/api/v1/practices/bravo"+path, nil), http.StatusOK)
			for _, f := range foreign {
				if strings.Contains(string(r.Body), f) {
					t.Errorf("GET bravo%s holds A's %q: %s", path, f, r.Body)
				}
			}
		}
		if r := want(t, x.adminB.Do("GET", "/api/v1/practices/bravo/members", nil), http.StatusOK); len(r.Items()) != 3 {
			t.Errorf("B has 3 members (admin, the member of both, its doctor): %s", r)
		}
		// B's lists and counts of scheduling records are empty: nothing of
		// A's, and none of the refused attempts above created anything.
		for _, path := range []string{"/patients?include_inactive=true", "/practitioners", "/appointment-types", "/schedules", "/schedule-exceptions",
			"/availability?from=2030-03-04&to=2030-03-18", "/appointments", "/notifications", "/referrals"} {
			if r := want(t, x.adminB.Do("GET", "/api/v1/practices/bravo"+path, nil), http.StatusOK); len(r.Items()) != 0 {
				t.Errorf("GET bravo%s: %s", path, r.Body)
			}
		}
		if r := want(t, x.adminB.Do("GET", "/api/v1/practices/bravo/orders/counts", nil), http.StatusOK); r.Get("outstanding") != float64(0) || r.Get("to_review_mine") != float64(0) {
			t.Errorf("B's order counts: %s", r.Body)
		}
		dash := want(t, x.adminB.Do("GET", "/api/v1/practices/bravo/dashboard", nil), http.StatusOK)
		if dash.Get("active_patients") != float64(0) || dash.Get("today_total") != float64(0) || len(dash.Get("recent_patients").([]any)) != 0 {
			t.Errorf("B's dashboard: %s", dash.Body)
		}
		for _, w := range dash.Get("week").([]any) {
			if w.(map[string]any)["count"] != float64(0) {
				t.Errorf("B's week: %s", dash.Body)
			}
		}
	})

	t.Run("a member of both sees each practice only through its own path", func(t *testing.T) {
		a := want(t, x.both.Do("GET", "/api/v1/practices/alpha/members", nil), http.StatusOK)
		b := want(t, x.both.Do("GET", "/api/v1/practices/bravo/members", nil), http.StatusOK)
		if len(a.Items()) != 3 || !strings.Contains(string(a.Body), "doc@alpha.example") || strings.Contains(string(a.Body), "b@bravo.example") {
			t.Errorf("alpha members: %s", a.Body)
		}
		if len(b.Items()) != 3 || !strings.Contains(string(b.Body), "b@bravo.example") || strings.Contains(string(b.Body), "alpha.example") {
			t.Errorf("bravo members: %s", b.Body)
		}
		la := want(t, x.both.Do("GET", "/api/v1/practices/alpha/locations", nil), http.StatusOK)
		lb := want(t, x.both.Do("GET", "/api/v1/practices/bravo/locations", nil), http.StatusOK)
		if len(la.Items()) != 1 || la.Str("items.0.id") != x.locA.ID || len(lb.Items()) != 1 || lb.Str("items.0.id") != x.locB.ID {
			t.Errorf("locations: %s / %s", la.Body, lb.Body)
		}
		// A's location is not reachable through B's path, even for this user.
		same404(t, x.both.Do("GET", "/api/v1/practices/bravo/locations/"+x.locA.ID, nil))
		same404(t, x.both.Do("GET", "/api/v1/practices/bravo/members/"+x.bothA.ID, nil))
		me := want(t, x.both.Do("GET", "/api/v1/me", nil), http.StatusOK)
		if n := len(me.Get("memberships").([]any)); n != 2 {
			t.Errorf("me has %d memberships: %s", n, me.Body)
		}
	})

	t.Run("operator counts are per practice", func(t *testing.T) {
		env.Operator(t, "op@example.org", pw)
		op := env.Login(t, "op@example.org", pw)
		r := want(t, op.Do("GET", "/api/v1/operator/practices", nil), http.StatusOK)
		counts := map[string]map[string]any{}
		for _, it := range r.Items() {
			counts[it["slug"].(string)], _ = it["counts"].(map[string]any)
		}
		for slug, wantCounts := range map[string]map[string]float64{
			"alpha": {"members": 3, "active_members": 3, "locations": 1},
			"bravo": {"members": 3, "active_members": 3, "locations": 1},
		} {
			for k, v := range wantCounts {
				if counts[slug][k] != v {
					t.Errorf("%s %s = %v, want %v (%s)", slug, k, counts[slug][k], v, r.Body)
				}
			}
			events := want(t, map[string]*servertest.Client{"alpha": x.adminA, "bravo": x.adminB}[slug].Do("GET", "/api/v1/practices/"+slug+"/audit-events?limit=200", nil), http.StatusOK)
			if got := counts[slug]["audit_events"]; got != float64(len(events.Items())) {
				t.Errorf("%s audit_events = %v, its log lists %d", slug, got, len(events.Items()))
			}
		}
	})
}
