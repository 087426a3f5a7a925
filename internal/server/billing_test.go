package server_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"medic"
	"medic/internal/server/servertest"
)

// TestBillAVisit: a finished visit is billed from its appointment type's
// consultation code and its prescription (a medicine tariff prices the
// capsules), every line carrying the visit's diagnosis; the draft is
// edited, issued with number 1 and locked; reception takes a partial card
// payment, overpaying is refused, the balance settles it, a refund
// reopens it; doctors read but cannot take payments; nurses see nothing.
func TestBillAVisit(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	d := newDesk(t, env, "sunrise")
	// Thursday 08:50, the day of the visit (check-in is only on the day).
	env.Clock.Set(time.Date(2030, 3, 7, 6, 50, 0, 0, time.UTC))
	for _, role := range medic.Roles {
		d.c[role] = env.Login(t, string(role)+"@sunrise.example", pw)
	}
	admin, doc, rc, bill, nurse := d.c[medic.RoleAdmin], d.c[medic.RoleDoctor], d.c[medic.RoleReceptionist], d.c[medic.RoleBilling], d.c[medic.RoleNurse]

	consult := want(t, bill.Do("GET", d.base+"/tariff-codes?q=0191", nil), http.StatusOK)
	if consult.Str("items.0.code") != "0191" || consult.Get("items.0.unit_cents") != float64(55000) {
		t.Fatalf("the starter tariff's 0191: %s", consult)
	}
	want(t, admin.Do("PATCH", d.base+"/appointment-types/"+d.typ, map[string]any{"tariff_code_id": consult.Str("items.0.id")}), http.StatusOK)
	wantProblem(t, admin.Do("PATCH", d.base+"/appointment-types/"+d.typ, map[string]any{"tariff_code_id": newUUID()}), http.StatusUnprocessableEntity)
	amox := want(t, admin.Do("GET", d.base+"/medicines?q=amoxicillin%20500", nil), http.StatusOK).Str("items.0.id")
	want(t, bill.Do("POST", d.base+"/tariff-codes", map[string]any{"code": "MED-AMOX500", "description": "Amoxicillin 500 mg capsule",
		"category": "medicine", "vatable": true, "medicine_id": amox, "unit_cents": 250, "effective_from": "2030-01-01"}), http.StatusCreated)

	pt := d.patient(t, "Lindiwe", "")
	appt := d.book(t, pt, thu0900)
	want(t, rc.Do("POST", d.base+"/appointments/"+appt+"/check-in", nil), http.StatusOK)
	enc := want(t, doc.Do("POST", d.base+"/encounters", map[string]any{"patient_id": pt, "practitioner_id": d.practitioner, "location_id": d.loc.ID,
		"appointment_id": appt}), http.StatusCreated).Str("id")
	want(t, doc.Do("PATCH", d.base+"/encounters/"+enc, map[string]any{"soap": map[string]any{"assessment": soapMarker}}), http.StatusOK)
	want(t, doc.Do("POST", d.base+"/encounters/"+enc+"/diagnoses", map[string]any{"code": "J06.9", "primary": true}), http.StatusCreated)
	want(t, doc.Do("POST", d.base+"/prescriptions", map[string]any{"encounter_id": enc, "items": []map[string]any{{"medicine_id": amox,
		"dose": "500 mg", "frequency": "tds", "duration_days": 7, "quantity": "21 capsules"}}}), http.StatusCreated)

	wantProblem(t, bill.Do("POST", d.base+"/encounters/"+enc+"/invoice", nil), http.StatusConflict) // still open
	want(t, doc.Do("POST", d.base+"/encounters/"+enc+"/finish", nil), http.StatusOK)
	wantProblem(t, doc.Do("POST", d.base+"/encounters/"+enc+"/invoice", nil), http.StatusForbidden)

	inv := want(t, bill.Do("POST", d.base+"/encounters/"+enc+"/invoice", nil), http.StatusCreated)
	id := inv.Str("id")
	if inv.Str("status") != "draft" || inv.Get("number") != nil || inv.Str("currency") != "ZAR" || inv.Str("encounter_id") != enc {
		t.Errorf("draft: %s", inv)
	}
	// 0191: 55000 + 8250 VAT; 21 capsules at 2.50: 5250 + 787.5 -> 788 VAT.
	for path, want := range map[string]any{
		"lines.0.code": "0191", "lines.0.unit_cents": float64(55000), "lines.0.vat_cents": float64(8250), "lines.0.total_cents": float64(63250),
		"lines.1.code": "MED-AMOX500", "lines.1.quantity": float64(21), "lines.1.unit_cents": float64(250), "lines.1.vat_cents": float64(788),
		"lines.1.description": "Amoxicillin 500 mg capsule", "total_cents": float64(69288), "vat_cents": float64(9038), "patient_cents": float64(69288),
	} {
		if got := inv.Get(path); got != want {
			t.Errorf("%s = %v, want %v", path, got, want)
		}
	}
	for i := range 2 {
		if codes := inv.Get("lines." + string(rune('0'+i)) + ".icd10"); len(codes.([]any)) != 1 || codes.([]any)[0] != "J06.9" {
			t.Errorf("line %d's diagnosis codes: %v", i, codes)
		}
	}
	if strings.Contains(string(inv.Body), soapMarker) {
		t.Errorf("the invoice shows the visit's notes: %s", inv)
	}
	wantProblem(t, rc.Do("POST", d.base+"/encounters/"+enc+"/invoice", nil), http.StatusConflict) // billed already

	// Draft edits: a discount needs its reason; the split must fit.
	lines := []map[string]any{{"code": "0191", "icd10": []string{"J06.9"}, "discount_cents": 5000}, {"code": "MED-AMOX500", "quantity": 21}}
	bad := rc.Do("PATCH", d.base+"/invoices/"+id, map[string]any{"lines": lines})
	wantProblem(t, bad, http.StatusUnprocessableEntity)
	if !strings.Contains(string(bad.Body), "lines.0.discount_reason") {
		t.Errorf("a discount without reason: %s", bad)
	}
	lines[0]["discount_reason"] = "Pensioner"
	wantProblem(t, rc.Do("PATCH", d.base+"/invoices/"+id, map[string]any{"lines": lines, "medical_aid_cents": 10_000_000}), http.StatusUnprocessableEntity)
	wantProblem(t, rc.Do("PATCH", d.base+"/invoices/"+id, map[string]any{"lines": []map[string]any{{"code": "NOPE"}}}), http.StatusUnprocessableEntity)
	edited := want(t, rc.Do("PATCH", d.base+"/invoices/"+id, map[string]any{"lines": lines, "medical_aid_cents": 40000}), http.StatusOK)
	// 0191 less R50: 50000 + 7500 VAT = 57500; with the capsules 63538.
	if edited.Get("total_cents") != float64(63538) || edited.Get("discount_cents") != float64(5000) || edited.Get("patient_cents") != float64(23538) {
		t.Errorf("edited: %s", edited)
	}

	issued := want(t, rc.Do("POST", d.base+"/invoices/"+id+"/issue", nil), http.StatusOK)
	if issued.Get("number") != float64(1) || issued.Str("status") != "issued" || issued.Str("number_label") != "INV-000001" {
		t.Errorf("issued: %s", issued)
	}
	wantProblem(t, rc.Do("POST", d.base+"/invoices/"+id+"/issue", nil), http.StatusConflict)
	wantProblem(t, rc.Do("PATCH", d.base+"/invoices/"+id, map[string]any{"lines": lines}), http.StatusConflict)

	// Who may do what.
	want(t, doc.Do("GET", d.base+"/invoices/"+id, nil), http.StatusOK)
	wantProblem(t, doc.Do("POST", d.base+"/invoices/"+id+"/payments", map[string]any{"amount_cents": 100, "method": "cash"}), http.StatusForbidden)
	wantProblem(t, nurse.Do("GET", d.base+"/invoices/"+id, nil), http.StatusForbidden)
	wantProblem(t, nurse.Do("GET", d.base+"/invoices?patient="+pt, nil), http.StatusForbidden)

	// Payments.
	wantProblem(t, rc.Do("POST", d.base+"/invoices/"+id+"/payments", map[string]any{"amount_cents": 20000, "method": "card"}), http.StatusUnprocessableEntity)
	part := want(t, rc.Do("POST", d.base+"/invoices/"+id+"/payments", map[string]any{"amount_cents": 20000, "method": "card", "reference": "SLIP-0042"}), http.StatusCreated)
	if part.Str("status") != "partly_paid" || part.Get("paid_cents") != float64(20000) || part.Get("balance_cents") != float64(43538) || len(part.Get("payments").([]any)) != 1 {
		t.Errorf("after a partial payment: %s", part)
	}
	wantProblem(t, rc.Do("POST", d.base+"/invoices/"+id+"/payments", map[string]any{"amount_cents": 43539, "method": "cash"}), http.StatusConflict)
	paid := want(t, bill.Do("POST", d.base+"/invoices/"+id+"/payments", map[string]any{"amount_cents": 43538, "method": "medical_aid"}), http.StatusCreated)
	if paid.Str("status") != "paid" || paid.Get("balance_cents") != float64(0) {
		t.Errorf("paid: %s", paid)
	}
	wantProblem(t, bill.Do("POST", d.base+"/invoices/"+id+"/payments", map[string]any{"amount_cents": -1000, "method": "cash"}), http.StatusUnprocessableEntity)
	refund := want(t, bill.Do("POST", d.base+"/invoices/"+id+"/payments", map[string]any{"amount_cents": -1000, "method": "cash", "reason": "Overcharged"}), http.StatusCreated)
	if refund.Str("status") != "partly_paid" || refund.Get("paid_cents") != float64(62538) {
		t.Errorf("after a refund: %s", refund)
	}
	wantProblem(t, bill.Do("POST", d.base+"/invoices/"+id+"/void", map[string]any{"reason": "Wrong patient"}), http.StatusConflict) // payments stand
	wantProblem(t, bill.Do("POST", d.base+"/invoices/"+id+"/void", map[string]any{"reason": ""}), http.StatusUnprocessableEntity)

	// The day's cash-up: by location, member and method, refunds counted.
	cu := want(t, rc.Do("GET", d.base+"/cash-up?date=2030-03-07", nil), http.StatusOK)
	if cu.Get("total_cents") != float64(62538) || len(cu.Get("rows").([]any)) != 3 || cu.Str("rows.0.location_name") != "Main Street" {
		t.Errorf("cash-up: %s", cu)
	}
	if cu := want(t, rc.Do("GET", d.base+"/cash-up?date=2030-03-06", nil), http.StatusOK); cu.Get("total_cents") != float64(0) {
		t.Errorf("the day before: %s", cu)
	}
	if csv := want(t, bill.Do("GET", d.base+"/cash-up?date=2030-03-07&format=csv", nil), http.StatusOK); !strings.Contains(string(csv.Body), "2030-03-07,Main Street,") ||
		!strings.Contains(string(csv.Body), ",total,,62538,625.38") {
		t.Errorf("cash-up CSV: %s", csv.Body)
	}
	wantProblem(t, doc.Do("GET", d.base+"/cash-up", nil), http.StatusForbidden)
	wantProblem(t, rc.Do("GET", d.base+"/cash-up?date=yesterday", nil), http.StatusUnprocessableEntity)

	// Lists: the chart's, by status; a bad status is a field error.
	if l := want(t, doc.Do("GET", d.base+"/invoices?patient="+pt+"&status=partly_paid", nil), http.StatusOK); !slices.Equal(ids(l), []string{id}) {
		t.Errorf("the chart's partly paid invoices: %s", l)
	}
	if l := want(t, doc.Do("GET", d.base+"/invoices?status=paid", nil), http.StatusOK); len(l.Items()) != 0 {
		t.Errorf("paid invoices: %s", l)
	}
	wantProblem(t, doc.Do("GET", d.base+"/invoices?status=owing", nil), http.StatusUnprocessableEntity)

	// A void draft has no credit note; a void issued one has the next.
	other := want(t, rc.Do("POST", d.base+"/invoices", map[string]any{"patient_id": pt, "invoice_date": "2029-12-31",
		"lines": []map[string]any{{"code": "MED-AMOX500", "quantity": 2}}}), http.StatusCreated)
	if other.Get("lines.0.unit_cents") != float64(0) {
		t.Errorf("a date before the medicine tariff's first price takes 0: %s", other) // priced from 2030-01-01
	}
	want(t, rc.Do("POST", d.base+"/invoices/"+other.Str("id")+"/issue", nil), http.StatusOK)
	// Taking back money billed is billing's or the admin's, not the front desk's.
	wantProblem(t, rc.Do("POST", d.base+"/invoices/"+other.Str("id")+"/void", map[string]any{"reason": "Entered twice"}), http.StatusForbidden)
	voided := want(t, bill.Do("POST", d.base+"/invoices/"+other.Str("id")+"/void", map[string]any{"reason": "Entered twice"}), http.StatusOK)
	if voided.Str("status") != "void" || voided.Get("credit_note_number") != float64(1) || voided.Get("number") != float64(2) {
		t.Errorf("voided: %s", voided)
	}

	// Every change and read is in the log under the chart.
	log := want(t, admin.Do("GET", d.base+"/audit-events?limit=200", nil), http.StatusOK)
	seen := map[string]bool{}
	for _, e := range log.Items() {
		if e["patient_id"] == pt {
			seen[e["action"].(string)] = true
		}
	}
	for _, a := range []string{"invoice.created", "invoice.updated", "invoice.issued", "invoice.viewed", "invoice.listed", "payment.taken", "payment.refunded", "invoice.voided"} {
		if !seen[a] {
			t.Errorf("no %s event for the chart", a)
		}
	}
}

// TestTariffPriceVersions: an invoice takes the price in effect on its
// date; a new price version leaves earlier invoices' prices alone; CSV
// import reports the rows it rejects and keeps the others.
func TestTariffPriceVersions(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	d := newDesk(t, env, "sunrise")
	bill, rc := d.c[medic.RoleBilling], d.c[medic.RoleReceptionist]
	code := want(t, bill.Do("POST", d.base+"/tariff-codes", map[string]any{"code": "x100", "description": "Dressing", "category": "material",
		"vatable": false, "unit_cents": 1000, "effective_from": "2030-01-01"}), http.StatusCreated)
	if code.Str("code") != "X100" {
		t.Errorf("codes are kept upper-case: %s", code)
	}
	wantProblem(t, bill.Do("POST", d.base+"/tariff-codes", map[string]any{"code": "X100", "description": "Again", "category": "material", "unit_cents": 1}), http.StatusConflict)
	wantProblem(t, rc.Do("POST", d.base+"/tariff-codes/"+code.Str("id")+"/prices", map[string]any{"effective_from": "2030-03-01", "unit_cents": 1}), http.StatusForbidden)
	want(t, bill.Do("POST", d.base+"/tariff-codes/"+code.Str("id")+"/prices", map[string]any{"effective_from": "2030-03-01", "unit_cents": 1200}), http.StatusOK)
	pt := d.patient(t, "Sipho", "")
	for date, unit := range map[string]float64{"2030-02-28": 1000, "2030-03-01": 1200} {
		r := want(t, rc.Do("POST", d.base+"/invoices", map[string]any{"patient_id": pt, "invoice_date": date, "lines": []map[string]any{{"code": "X100"}}}), http.StatusCreated)
		if r.Get("lines.0.unit_cents") != unit || r.Get("lines.0.vat_cents") != float64(0) {
			t.Errorf("invoice of %s: %s", date, r)
		}
	}
	if r := want(t, rc.Do("GET", d.base+"/tariff-codes?q=x100&on=2030-02-01", nil), http.StatusOK); r.Get("items.0.unit_cents") != float64(1000) {
		t.Errorf("the price on 1 Feb: %s", r)
	}
	csv := "Code,Description,Category,VAT,Price\n0190,GP visit (our wording),consultation,yes,480.00\nZ1,,procedure,yes,10\nZ2,Bad price,procedure,no,12.345\nZ3,Splint,material,no,85.50\n"
	rep := want(t, bill.Do("POST", d.base+"/tariff-codes/import?effective_from=2030-03-01", csv), http.StatusOK)
	if rep.Get("added") != float64(1) || rep.Get("updated") != float64(1) || len(rep.Get("rejected").([]any)) != 2 || rep.Get("rejected.0.line") != float64(3) {
		t.Errorf("import: %s", rep)
	}
	if r := want(t, rc.Do("GET", d.base+"/tariff-codes?q=0190&on=2030-03-02", nil), http.StatusOK); r.Get("items.0.unit_cents") != float64(48000) || r.Str("items.0.description") != "GP visit (our wording)" {
		t.Errorf("imported 0190: %s", r)
	}
	wantProblem(t, bill.Do("POST", d.base+"/tariff-codes/import", "no,columns\n1,2\n"), http.StatusUnprocessableEntity)
}
