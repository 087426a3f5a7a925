package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"
	"time"

	"medic"
)

var invoicePath = regexp.MustCompile(`^/invoices/([0-9a-f-]{36})`)

// TestBillingAtTheDesk: an admin bills a finished walk-in visit (an empty
// draft), adds the 0190 consultation from the tariff, is told a discount
// needs its reason, issues the invoice; the receptionist takes part of it
// by card (the reference is asked for), sees it partly paid on the chart's
// Billing tab and the Billing list; the doctor reads it but is offered no
// payment; the nurse is refused.
func TestBillingAtTheDesk(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.clock.Set(time.Date(2031, 4, 10, 9, 15, 0, 0, time.FixedZone("SAST", 2*60*60)))
	p := e.mustPractice("sunrise", "Sunrise")
	e.mustMember(p, e.mustUser("admin@sunrise.example", "Ada Admin"), medic.RoleAdmin)
	e.mustMember(p, e.mustUser("doc@sunrise.example", "Dr Naidoo"), medic.RoleDoctor)
	e.mustMember(p, e.mustUser("desk@sunrise.example", "Thembi Desk"), medic.RoleReceptionist)
	e.mustMember(p, e.mustUser("nurse@sunrise.example", "Nomsa Nurse"), medic.RoleNurse)
	cl := e.mustClinic(p, "Dr Naidoo")
	pt := e.mustPatient(p, "Ayanda", "Khoza", "1979-04-02")
	admin, doc, desk, nurse := e.signIn("admin@sunrise.example"), e.signIn("doc@sunrise.example"), e.signIn("desk@sunrise.example"), e.signIn("nurse@sunrise.example")

	visit := admin.post("/patients/"+pt.ID+"/walk-in", url.Values{"practitioner_id": {cl.pr.ID}, "location_id": {cl.loc.ID}, "stage": {"consultation"}})
	enc := encounterID(t, visit)
	wantNotContains(t, visit, "Bill this visit") // still open
	wantStatus(t, admin.post("/encounters/"+enc+"/finish", url.Values{"confirm": {"on"}, "version": {regexpFind(t, visit.body, `id="note-version" value="([0-9]+)"`)}}), http.StatusOK)
	wantContains(t, admin.get("/encounters/"+enc), `action="/encounters/`+enc+`/invoice"`, "Bill this visit")

	r := admin.post("/encounters/"+enc+"/invoice", url.Values{})
	wantStatus(t, r, http.StatusOK)
	m := invoicePath.FindStringSubmatch(r.url)
	if m == nil {
		t.Fatalf("not an invoice page: %s", r.url)
	}
	inv := "/invoices/" + m[1]
	wantContains(t, r, "Draft invoice created.", "No lines yet.", "Add a line")

	r = admin.post(inv+"/lines", url.Values{"code": {"0190"}, "quantity": {"1"}, "icd10": {"J06.9"}, "vat_form": {"1"}, "vatable": {"on"}})
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "Draft saved.", "GP consultation", "R 420.00", "R 63.00", "R 483.00", "J06.9")
	r = admin.post(inv+"/lines/0", url.Values{"quantity": {"1"}, "unit": {"420.00"}, "discount": {"20"}, "discount_reason": {""}, "icd10": {"J06.9"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r, "Give the reason for the discount.")
	r = admin.post(inv+"/lines/0", url.Values{"quantity": {"1"}, "unit": {"420.00"}, "discount": {"20"}, "discount_reason": {"Pensioner"}, "icd10": {"J06.9"}})
	wantContains(t, r, "Draft saved.", "Discount: Pensioner", "R 460.00") // 400 + 60 VAT
	r = admin.post(inv+"/issue", url.Values{})
	wantContains(t, r, "Invoice issued.", "INV-000001", "Take a payment")
	wantNotContains(t, r, "Add a line")

	wantStatus(t, nurse.get(inv), http.StatusForbidden)
	wantStatus(t, nurse.get("/billing"), http.StatusForbidden)
	wantContains(t, doc.get(inv), "INV-000001")
	wantNotContains(t, doc.get(inv), "Take a payment")

	r = desk.post(inv+"/payments", url.Values{"amount": {"200.00"}, "method": {"card"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r, "Give the Card reference.")
	r = desk.post(inv+"/payments", url.Values{"amount": {"500.00"}, "method": {"cash"}})
	wantStatus(t, r, http.StatusConflict)
	wantContains(t, r, "more than the balance")
	r = desk.post(inv+"/payments", url.Values{"amount": {"200.00"}, "method": {"card"}, "reference": {"SLIP-7"}})
	wantContains(t, r, "Payment taken.", "Partly paid", "SLIP-7", "R 260.00")
	wantContains(t, desk.get("/patients/"+pt.ID+"?tab=billing"), `href="`+inv+`"`, "INV-000001", "Partly paid", "R 260.00")
	wantContains(t, desk.get("/billing?status=partly_paid"), "INV-000001", "Ayanda Khoza")
	wantNotContains(t, desk.get("/billing?status=paid"), "INV-000001")
	wantContains(t, desk.get("/billing?from=nonsense"), "Enter")
	wantContains(t, desk.get("/billing/cash-up"), "Cash-up for", "Thembi Desk", "Card", "R 200.00", `href="/billing/cash-up?date=2031-04-10&amp;format=csv"`)
	wantStatus(t, doc.get("/billing/cash-up"), http.StatusForbidden)

	// Currency and VAT: a bad rate is named; new invoices take the new one.
	r = admin.post("/tariffs/settings", url.Values{"currency": {"ZAR"}, "vat_rate": {"fifteen"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r, "Enter the VAT rate as a percentage")
	wantContains(t, admin.post("/tariffs/settings", url.Values{"currency": {"zar"}, "vat_rate": {"14"}}), "Currency and VAT rate saved.", `value="14"`)
	wantStatus(t, desk.post("/tariffs/settings", url.Values{"currency": {"ZAR"}, "vat_rate": {"0"}}), http.StatusForbidden)

	// The admin names the consultation an appointment type bills.
	form := admin.get("/appointment-types/" + cl.typ.ID)
	wantContains(t, form, "Consultation billed", "0191 GP consultation")
	code := regexpFind(t, form.body, `<option value="([0-9a-f-]{36})">0191 `)
	r = admin.post("/appointment-types/"+cl.typ.ID, url.Values{"name": {"Consultation"}, "duration_minutes": {"30"}, "color": {"#aa3355"},
		"active": {"on"}, "tariff_code_id": {code}})
	wantStatus(t, r, http.StatusOK)
	wantContains(t, admin.get("/appointment-types/"+cl.typ.ID), `<option value="`+code+`" selected>0191 `)
}
