package server_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"medic"
	"medic/internal/server/servertest"
)

// claimDesk is a practice with a practice number, a chart on a medical aid
// and an issued invoice for a visit: a consultation coded J06.9 and a
// procedure line that has no ICD-10 code yet.
type claimDesk struct {
	*desk
	billing          *servertest.Client
	patient, invoice string
	invoiceTotal     int64
}

func newClaimDesk(t *testing.T, env *servertest.Env, slug, member string) *claimDesk {
	t.Helper()
	d := &claimDesk{desk: newDesk(t, env, slug)}
	d.billing = d.c[medic.RoleBilling]
	admin := d.c[medic.RoleAdmin]
	want(t, admin.Do("PATCH", d.base, map[string]any{"registration_number": "0123456"}), http.StatusOK)
	d.patient = want(t, admin.Do("POST", d.base+"/patients", map[string]any{"given_name": "Thandi", "family_name": "Mokoena",
		"date_of_birth": "1984-03-02", "medical_aid": map[string]any{"scheme": "Discovery Health", "member_number": member, "dependent_code": "00"}}),
		http.StatusCreated).Str("id")
	encounter := want(t, d.c[medic.RoleDoctor].Do("POST", d.base+"/encounters", map[string]any{"patient_id": d.patient,
		"practitioner_id": d.practitioner, "location_id": d.loc.ID}), http.StatusCreated).Str("id")
	d.invoice, d.invoiceTotal = d.issueInvoice(t, encounter)
	return d
}

// issueInvoice issues an invoice through billing's store (the invoice use
// cases are billing's; claims only read them).
func (d *claimDesk) issueInvoice(t *testing.T, encounter string) (string, int64) {
	t.Helper()
	by := d.members[medic.RoleBilling].UserID
	ctx := medic.WithActor(medic.WithTenant(context.Background(), medic.Tenant{PracticeID: d.p.ID, Slug: d.p.Slug, Role: medic.RoleBilling}),
		medic.Actor{UserID: by})
	inv := &medic.Invoice{PatientID: d.patient, EncounterID: encounter, InvoiceDate: medic.NewDate(2030, 3, 4), Currency: "ZAR", VATRateBP: 1500,
		CreatedBy: by, Lines: []*medic.InvoiceLine{
			{Code: "0190", Description: "Consultation", Category: medic.TariffConsultation, Quantity: 1, UnitCents: 42000, VATable: true, ICD10: []string{"J06.9"}},
			{Code: "0201", Description: "Injection", Category: medic.TariffProcedure, Quantity: 1, UnitCents: 12000, VATable: true},
		}}
	if err := inv.Validate(); err != nil {
		t.Fatal(err)
	}
	inv.MedicalAidCents = inv.TotalCents
	inv.Recompute()
	if err := d.env.App.Invoices.CreateInvoice(ctx, inv); err != nil {
		t.Fatal(err)
	}
	issued, err := d.env.App.Invoices.IssueInvoice(ctx, inv.ID, by)
	if err != nil {
		t.Fatal(err)
	}
	return issued.ID, issued.TotalCents
}

// invoicePaid reads the invoice's paid amount and status, and its payments.
func (d *claimDesk) invoicePaid(t *testing.T) (int64, medic.InvoiceStatus, []*medic.Payment) {
	t.Helper()
	ctx := medic.WithTenant(context.Background(), medic.Tenant{PracticeID: d.p.ID})
	inv, err := d.env.App.Invoices.FindInvoice(ctx, d.invoice)
	if err != nil {
		t.Fatal(err)
	}
	ps, err := d.env.App.Invoices.ListPayments(ctx, d.invoice)
	if err != nil {
		t.Fatal(err)
	}
	return inv.PaidCents, inv.Status, ps
}

func (d *claimDesk) claim(t *testing.T, id string) *servertest.Response {
	t.Helper()
	return want(t, d.billing.Do("GET", d.base+"/claims/"+id, nil), http.StatusOK)
}

// claimActions lists the audit actions about one claim, oldest first.
func claimActions(t *testing.T, d *claimDesk, id string) []string {
	t.Helper()
	var out []string
	items := want(t, d.c[medic.RoleAdmin].Do("GET", d.base+"/audit-events?limit=200", nil), http.StatusOK).Items()
	for i := len(items) - 1; i >= 0; i-- {
		if e := items[i]; e["entity_id"] == id && e["action"] != "claim.viewed" && e["action"] != "claim.shown" {
			out = append(out, e["action"].(string))
		}
	}
	return out
}

func TestClaimPaidInFull(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	d := newClaimDesk(t, env, "sunrise", "12345678")

	c := want(t, d.billing.Do("POST", d.base+"/invoices/"+d.invoice+"/claim", nil), http.StatusCreated)
	id := c.Str("id")
	if c.Str("status") != "draft" || c.Get("version").(float64) != 1 || c.Str("member_number") != "12345678" ||
		c.Str("practice_number") != "0123456" || c.Str("practitioner_registration_number") != "MP0123456" ||
		int64(c.Get("claimed_cents").(float64)) != d.invoiceTotal || c.Str("lines.0.icd10.0") != "J06.9" {
		t.Fatalf("draft claim = %s", c)
	}
	// One open claim per invoice.
	wantProblem(t, d.billing.Do("POST", d.base+"/invoices/"+d.invoice+"/claim", nil), http.StatusConflict)

	// The injection line has no ICD-10 code: refused before submission,
	// naming the line; nothing goes to the switch.
	r := d.billing.Do("POST", d.base+"/claims/"+id+"/submit", nil)
	wantProblem(t, r, http.StatusUnprocessableEntity)
	if errs, _ := r.Get("errors").(map[string]any); errs["lines.1.icd10"] == nil {
		t.Errorf("no error on the line without a code: %s", r)
	}
	// An unknown code is refused too.
	want(t, d.billing.Do("PATCH", d.base+"/claims/"+id, map[string]any{"scheme": "Discovery Health", "member_number": "12345678",
		"dependent_code": "00", "lines": []map[string]any{{"icd10": []string{"J06.9"}}, {"icd10": []string{"Q99.99"}}}}), http.StatusOK)
	wantProblem(t, d.billing.Do("POST", d.base+"/claims/"+id+"/submit", nil), http.StatusUnprocessableEntity)
	if d.claim(t, id).Str("status") != "draft" || env.Switch.Calls() != 0 {
		t.Fatal("a refused claim left the draft")
	}

	want(t, d.billing.Do("PATCH", d.base+"/claims/"+id, map[string]any{"scheme": "Discovery Health", "member_number": "12345678",
		"dependent_code": "00", "lines": []map[string]any{{"icd10": []string{"J06.9"}}, {"icd10": []string{"j069"}}}}), http.StatusOK)
	if r := want(t, d.billing.Do("POST", d.base+"/claims/"+id+"/submit", nil), http.StatusAccepted); r.Str("status") != "submitted" {
		t.Fatalf("submit: %s", r)
	}
	if env.Switch.Calls() != 0 {
		t.Fatal("the request called the switch; only the job may")
	}
	// A submitted claim is no longer edited.
	wantProblem(t, d.billing.Do("PATCH", d.base+"/claims/"+id, map[string]any{"member_number": "1"}), http.StatusConflict)

	if err := env.RunClaimJob(t); err != nil {
		t.Fatalf("claim job: %v", err)
	}
	c = d.claim(t, id)
	if c.Str("status") != "paid" || int64(c.Get("paid_cents").(float64)) != d.invoiceTotal || c.Str("switch_ref") == "" || c.Str("lines.1.icd10.0") != "J06.9" {
		t.Fatalf("after the switch: %s", c)
	}
	paid, status, payments := d.invoicePaid(t)
	if paid != d.invoiceTotal || status != medic.InvoicePaid || len(payments) != 1 || payments[0].Method != medic.PayMedicalAid {
		t.Errorf("invoice paid %d %s, payments %+v", paid, status, payments)
	}

	want(t, d.billing.Do("POST", d.base+"/claims/"+id+"/close", nil), http.StatusOK)
	wantProblem(t, d.billing.Do("POST", d.base+"/claims/"+id+"/close", nil), http.StatusConflict)
	if got, want := claimActions(t, d, id), []string{"claim.created", "claim.updated", "claim.updated", "claim.submitted", "claim.accepted", "claim.paid", "claim.closed"}; !slices.Equal(got, want) {
		t.Errorf("audit = %q, want %q", got, want)
	}
}

func TestClaimRejectedCorrectedAndPartPaid(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	d := newClaimDesk(t, env, "sunrise", "12345699") // the simulator: benefit exhausted
	codes := []map[string]any{{"icd10": []string{"J06.9"}}, {"icd10": []string{"J06.9"}}}
	v1 := want(t, d.billing.Do("POST", d.base+"/invoices/"+d.invoice+"/claim", nil), http.StatusCreated).Str("id")
	want(t, d.billing.Do("PATCH", d.base+"/claims/"+v1, map[string]any{"scheme": "Discovery Health", "member_number": "12345699", "dependent_code": "00", "lines": codes}), http.StatusOK)
	want(t, d.billing.Do("POST", d.base+"/claims/"+v1+"/submit", nil), http.StatusAccepted)
	if err := env.RunClaimJob(t); err != nil {
		t.Fatal(err)
	}
	c := d.claim(t, v1)
	if c.Str("status") != "rejected" || c.Str("rejections.0.code") != medic.ReasonBenefitExhausted || c.Str("rejections.0.message") == "" {
		t.Fatalf("rejected claim: %s", c)
	}
	if paid, _, _ := d.invoicePaid(t); paid != 0 {
		t.Fatalf("a rejected claim paid %d", paid)
	}
	// The listing by status shows it, with its reason.
	if items := want(t, d.billing.Do("GET", d.base+"/claims?status=rejected", nil), http.StatusOK).Items(); len(items) != 1 || items[0]["id"] != v1 {
		t.Errorf("rejected listing = %v", items)
	}

	// Corrected in a new version: a new key, the rejected one kept.
	v2r := want(t, d.billing.Do("POST", d.base+"/claims/"+v1+"/resubmit", nil), http.StatusCreated)
	v2 := v2r.Str("id")
	if v2 == v1 || v2r.Get("version").(float64) != 2 || v2r.Str("status") != "draft" || v2r.Str("lines.1.icd10.0") != "J06.9" {
		t.Fatalf("new version: %s", v2r)
	}
	wantProblem(t, d.billing.Do("POST", d.base+"/claims/"+v1+"/resubmit", nil), http.StatusConflict)
	want(t, d.billing.Do("PATCH", d.base+"/claims/"+v2, map[string]any{"scheme": "Discovery Health", "plan": "Classic Saver",
		"member_number": "12345675", "dependent_code": "00", "lines": codes}), http.StatusOK) // the simulator: paid at 80%
	want(t, d.billing.Do("POST", d.base+"/claims/"+v2+"/submit", nil), http.StatusAccepted)
	if err := env.RunClaimJob(t); err != nil {
		t.Fatal(err)
	}
	c = d.claim(t, v2)
	var wantPaid int64 // each line at 80%, rounded down
	for _, l := range c.Get("lines").([]any) {
		wantPaid += int64(l.(map[string]any)["amount_cents"].(float64)) * 80 / 100
	}
	if c.Str("status") != "part_paid" || int64(c.Get("paid_cents").(float64)) != wantPaid || c.Str("remittance_reference") == "" {
		t.Fatalf("part-paid claim: %s", c)
	}
	paid, status, payments := d.invoicePaid(t)
	if paid != wantPaid || status != medic.InvoicePartlyPaid || len(payments) != 1 || payments[0].Reference != c.Str("remittance_reference") {
		t.Errorf("invoice paid %d %s, payments %+v", paid, status, payments)
	}
	if d.claim(t, v1).Str("status") != "rejected" || env.Switch.Claims() != 2 {
		t.Errorf("the first version changed, or the switch holds %d claims", env.Switch.Claims())
	}
	if got, want := claimActions(t, d, v1), []string{"claim.created", "claim.updated", "claim.submitted", "claim.rejected", "claim.resubmitted"}; !slices.Equal(got, want) {
		t.Errorf("v1 audit = %q, want %q", got, want)
	}
}

// A crash between submission and acknowledgement: the switch took the
// claim but its answer never arrived. The job's retry sends the same
// idempotency key, so the switch holds one claim and the invoice gets one
// payment.
func TestClaimLostAcknowledgementSubmitsOnce(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	d := newClaimDesk(t, env, "sunrise", "12345678")
	id := want(t, d.billing.Do("POST", d.base+"/invoices/"+d.invoice+"/claim", nil), http.StatusCreated).Str("id")
	want(t, d.billing.Do("PATCH", d.base+"/claims/"+id, map[string]any{"scheme": "Discovery Health", "member_number": "12345678",
		"dependent_code": "00", "lines": []map[string]any{{"icd10": []string{"J06.9"}}, {"icd10": []string{"J06.9"}}}}), http.StatusOK)
	want(t, d.billing.Do("POST", d.base+"/claims/"+id+"/submit", nil), http.StatusAccepted)

	env.Switch.DropReplies(1)
	if err := env.RunClaimJob(t); err == nil {
		t.Fatal("the lost reply was not a failure")
	}
	c := d.claim(t, id)
	if c.Str("status") != "submitted" || c.Str("last_error") == "" || env.Switch.Claims() != 1 {
		t.Fatalf("after the lost reply: %s (switch holds %d)", c, env.Switch.Claims())
	}
	// River retries the job with backoff.
	if err := env.RunClaimJob(t); err != nil {
		t.Fatal(err)
	}
	c = d.claim(t, id)
	if c.Str("status") != "paid" || c.Str("last_error") != "" {
		t.Fatalf("after the retry: %s", c)
	}
	if env.Switch.Claims() != 1 || env.Switch.Calls() != 2 {
		t.Errorf("switch holds %d claims after %d calls; want 1 after 2", env.Switch.Claims(), env.Switch.Calls())
	}
	if paid, _, payments := d.invoicePaid(t); paid != d.invoiceTotal || len(payments) != 1 {
		t.Errorf("invoice paid %d in %d payments", paid, len(payments))
	}
}

func TestClaimRolesAndTenants(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	d := newClaimDesk(t, env, "sunrise", "12345678")
	other := newClaimDesk(t, env, "harbour", "12345678")
	id := want(t, d.c[medic.RoleAdmin].Do("POST", d.base+"/invoices/"+d.invoice+"/claim", nil), http.StatusCreated).Str("id")

	// Doctors and receptionists read; nurses see nothing; only billing
	// and admins change claims.
	for role, status := range map[medic.Role]int{medic.RoleDoctor: 200, medic.RoleReceptionist: 200, medic.RoleNurse: 403, medic.RoleBilling: 200} {
		if r := d.c[role].Do("GET", d.base+"/claims/"+id, nil); r.Status != status {
			t.Errorf("%s reads a claim: %d, want %d", role, r.Status, status)
		}
	}
	for _, role := range []medic.Role{medic.RoleDoctor, medic.RoleReceptionist, medic.RoleNurse} {
		wantProblem(t, d.c[role].Do("POST", d.base+"/claims/"+id+"/submit", nil), http.StatusForbidden)
		wantProblem(t, d.c[role].Do("POST", d.base+"/invoices/"+d.invoice+"/claim", nil), http.StatusForbidden)
	}

	// Harbour's billing clerk: 404 for sunrise's claim and invoice under
	// any path, and no sunrise claim in its lists.
	hb := other.billing
	for _, r := range []*servertest.Response{
		hb.Do("GET", other.base+"/claims/"+id, nil),
		hb.Do("PATCH", other.base+"/claims/"+id, map[string]any{"member_number": "1"}),
		hb.Do("POST", other.base+"/claims/"+id+"/submit", nil),
		hb.Do("POST", other.base+"/claims/"+id+"/resubmit", nil),
		hb.Do("POST", other.base+"/claims/"+id+"/close", nil),
		hb.Do("POST", other.base+"/invoices/"+d.invoice+"/claim", nil),
		hb.Do("GET", d.base+"/claims/"+id, nil),
	} {
		wantProblem(t, r, http.StatusNotFound)
	}
	if items := want(t, hb.Do("GET", other.base+"/claims", nil), http.StatusOK).Items(); len(items) != 0 {
		t.Errorf("harbour lists %d claims", len(items))
	}
	if items := want(t, hb.Do("GET", other.base+"/claims?invoice="+d.invoice, nil), http.StatusOK).Items(); len(items) != 0 {
		t.Errorf("harbour lists sunrise's invoice's claims: %v", items)
	}
	if d.claim(t, id).Str("status") != "draft" {
		t.Error("harbour changed sunrise's claim")
	}
}

func TestClaimDesk(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	d := newClaimDesk(t, env, "sunrise", "12345699") // the simulator: benefit exhausted
	b := d.billing

	// The issued invoice's page offers the claim to billing; a doctor only
	// follows the link to its claims.
	if inv := string(want(t, b.Do("GET", "/invoices/"+d.invoice, nil), http.StatusOK).Body); !strings.Contains(inv, `action="/invoices/`+d.invoice+`/claim"`) {
		t.Error("the invoice page has no claim button")
	}
	if inv := string(want(t, d.c[medic.RoleDoctor].Do("GET", "/invoices/"+d.invoice, nil), http.StatusOK).Body); strings.Contains(inv, "/claim\"") ||
		!strings.Contains(inv, "/claims?invoice="+d.invoice) {
		t.Error("the doctor's invoice page offers the claim, or lacks the claims link")
	}
	r := want(t, postForm(b, "/invoices/"+d.invoice+"/claim", url.Values{}), http.StatusSeeOther)
	loc := r.Header.Get("Location")
	if !strings.HasPrefix(loc, "/claims/") {
		t.Fatalf("redirect to %q", loc)
	}
	path := strings.SplitN(loc, "?", 2)[0]
	page := string(want(t, b.Do("GET", path, nil), http.StatusOK).Body)
	for _, s := range []string{"Submit to the medical aid", "J06.9", "12345699", "Thandi Mokoena"} {
		if !strings.Contains(page, s) {
			t.Errorf("draft page lacks %q", s)
		}
	}
	// The doctor reads the claim without its buttons; the nurse does not.
	if doc := string(want(t, d.c[medic.RoleDoctor].Do("GET", path, nil), http.StatusOK).Body); strings.Contains(doc, "Submit to the medical aid") {
		t.Error("the doctor is offered the submit button")
	}
	want(t, d.c[medic.RoleNurse].Do("GET", path, nil), http.StatusForbidden)

	// A line without a code: the form comes back saying so, as typed.
	vals := url.Values{"scheme": {"Discovery Health"}, "plan": {"Classic Saver"}, "member_number": {"12345699"}, "dependent_code": {"00"},
		"icd10_0": {"J06.9"}, "icd10_1": {""}}
	r = want(t, postForm(b, path+"/submit", vals), http.StatusUnprocessableEntity)
	if body := string(r.Body); !strings.Contains(body, "has no ICD-10 code") || !strings.Contains(body, "Classic Saver") {
		t.Errorf("refused submission page: %s", body)
	}
	vals.Set("icd10_1", "j06.9")
	want(t, postForm(b, path+"/submit", vals), http.StatusSeeOther)
	if err := env.RunClaimJob(t); err != nil {
		t.Fatal(err)
	}
	page = string(want(t, b.Do("GET", path, nil), http.StatusOK).Body)
	for _, s := range []string{"The medical aid rejected this claim", "benefit for this service is exhausted", "Correct in a new version"} {
		if !strings.Contains(page, s) {
			t.Errorf("rejected page lacks %q", s)
		}
	}
	if list := string(want(t, b.Do("GET", "/claims?status=rejected", nil), http.StatusOK).Body); !strings.Contains(list, "benefit_exhausted") {
		t.Error("the rejected list does not show the reason")
	}
	if list := string(want(t, b.Do("GET", "/claims?invoice="+d.invoice, nil), http.StatusOK).Body); !strings.Contains(list, path) || !strings.Contains(list, "invoice="+d.invoice+"&amp;status=rejected") {
		t.Error("the invoice's claims list lacks its claim, or its tabs lose the invoice")
	}
	if list := string(want(t, b.Do("GET", "/claims?invoice="+newUUID(), nil), http.StatusOK).Body); strings.Contains(list, path) {
		t.Error("another invoice's list shows the claim")
	}
	r = want(t, postForm(b, path+"/resubmit", url.Values{}), http.StatusSeeOther)
	if next := strings.SplitN(r.Header.Get("Location"), "?", 2)[0]; next == path || !strings.HasPrefix(next, "/claims/") {
		t.Errorf("new version at %q", next)
	}
}

// Claims' routes in the route tables (roles_test.go): who may use each,
// checked by TestRolesOnEveryRoute, and every desk route that names a
// claim or an invoice checked by TestDeskCrossTenant. Claims show no chart.
func init() {
	routeRules = append(routeRules,
		routeRule{pattern: "POST " + api + "/invoices/{id}/claim", path: sunrise + "/invoices/{claiminvoice}/claim", perm: medic.PermClaimsManage, action: "claim.create", ok: 201},
		routeRule{pattern: "GET " + api + "/claims", path: sunrise + "/claims", perm: medic.PermInvoicesRead, action: "claim.list"},
		routeRule{pattern: "GET " + api + "/claims/{id}", path: sunrise + "/claims/{claim}", perm: medic.PermInvoicesRead, action: "claim.view"},
		routeRule{pattern: "PATCH " + api + "/claims/{id}", path: sunrise + "/claims/{claim}", body: map[string]any{"member_number": "12345678"},
			perm: medic.PermClaimsManage, action: "claim.update"},
		routeRule{pattern: "POST " + api + "/claims/{id}/submit", path: sunrise + "/claims/{claim}/submit", perm: medic.PermClaimsManage, action: "claim.submit", ok: 202},
		routeRule{pattern: "POST " + api + "/claims/{id}/resubmit", path: sunrise + "/claims/{claim}/resubmit", perm: medic.PermClaimsManage, action: "claim.resubmit", ok: 201},
		routeRule{pattern: "POST " + api + "/claims/{id}/close", path: sunrise + "/claims/{claim}/close", perm: medic.PermClaimsManage, action: "claim.close"},

		routeRule{pattern: "GET /claims", path: "/claims", perm: medic.PermInvoicesRead, action: "claim.list"},
		routeRule{pattern: "POST /invoices/{id}/claim", path: "/invoices/{claiminvoice}/claim", body: form(), perm: medic.PermClaimsManage, action: "claim.create", ok: 303},
		routeRule{pattern: "GET /claims/{id}", path: "/claims/{claim}", perm: medic.PermInvoicesRead, action: "claim.view"},
		routeRule{pattern: "POST /claims/{id}", path: "/claims/{claim}", body: form("member_number", "12345678"), perm: medic.PermClaimsManage, action: "claim.update", ok: 303},
		routeRule{pattern: "POST /claims/{id}/submit", path: "/claims/{claim}/submit", body: form("member_number", "12345678"), perm: medic.PermClaimsManage, action: "claim.submit", ok: 303},
		routeRule{pattern: "POST /claims/{id}/resubmit", path: "/claims/{claim}/resubmit", body: form(), perm: medic.PermClaimsManage, action: "claim.resubmit", ok: 303},
		routeRule{pattern: "POST /claims/{id}/close", path: "/claims/{claim}/close", body: form(), perm: medic.PermClaimsManage, action: "claim.close", ok: 303},
	)
}

// addClaimFixture gives the role fixture an issued invoice of its chart
// ({claiminvoice}) and a draft claim for it ({claim}).
func addClaimFixture(t *testing.T, f *roleFixture) {
	t.Helper()
	d := &claimDesk{desk: f.desk, billing: f.c[medic.RoleBilling], patient: f.ids["patient"]}
	f.ids["claiminvoice"], _ = d.issueInvoice(t, f.ids["finished"])
	f.ids["claim"] = want(t, d.billing.Do("POST", d.base+"/invoices/"+f.ids["claiminvoice"]+"/claim", nil), http.StatusCreated).Str("id")
}
