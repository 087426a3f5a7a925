package server_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"medic"
	"medic/internal/server/servertest"
	"medic/internal/stripe"
)

// issuedInvoice makes and issues a one-line invoice of cents for a new
// patient of d's practice and returns its id.
func issuedInvoice(t *testing.T, d *desk, cents int64) string {
	t.Helper()
	pt := d.patient(t, "Thandi", "")
	id := want(t, d.c[medic.RoleBilling].Do("POST", d.base+"/invoices", map[string]any{"patient_id": pt,
		"lines": []map[string]any{{"description": "Consultation", "quantity": 1, "unit_cents": cents, "vatable": false}}}), http.StatusCreated).Str("id")
	want(t, d.c[medic.RoleBilling].Do("POST", d.base+"/invoices/"+id+"/issue", nil), http.StatusOK)
	return id
}

// deliver posts a webhook body with its Stripe-Signature header.
func deliver(env *servertest.Env, body []byte, sig string) *servertest.Response {
	h := map[string]string{}
	if sig != "" {
		h["Stripe-Signature"] = sig
	}
	return env.Client().DoHeader("POST", "/webhooks/stripe", body, h)
}

// sessionOf is the twin's checkout session id, the last part of a link's url.
func sessionOf(url string) string { return url[strings.LastIndex(url, "/")+1:] }

func cardPayments(t *testing.T, d *desk, invoice string) []any {
	t.Helper()
	var out []any
	for _, p := range want(t, d.c[medic.RoleBilling].Do("GET", d.base+"/invoices/"+invoice+"/payments", nil), http.StatusOK).Items() {
		if p["method"] == "card" {
			out = append(out, p)
		}
	}
	return out
}

// TestPaymentLinkWebhook: billing makes a payment link for an issued
// invoice (doctors may not); forged, unsigned and stale webhooks are 400
// and change nothing; the paid checkout records one card payment with the
// payment intent as reference; a replay and a second event for the same
// session are no-ops.
func TestPaymentLinkWebhook(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	d := newDesk(t, env, "sunrise")
	bill, doc := d.c[medic.RoleBilling], d.c[medic.RoleDoctor]
	inv := issuedInvoice(t, d, 45000)

	wantProblem(t, doc.Do("POST", d.base+"/invoices/"+inv+"/payment-link", nil), http.StatusForbidden)
	wantProblem(t, bill.Do("POST", d.base+"/invoices/"+newUUID()+"/payment-link", nil), http.StatusNotFound)
	link := want(t, d.c[medic.RoleReceptionist].Do("POST", d.base+"/invoices/"+inv+"/payment-link", nil), http.StatusCreated)
	if link.Get("amount_cents") != float64(45000) || link.Str("currency") != "ZAR" || !strings.HasPrefix(link.Str("url"), env.URL+"/pay/local/cs_local_") {
		t.Fatalf("link: %s", link)
	}
	if l := want(t, bill.Do("GET", d.base+"/invoices/"+inv+"/payment-links", nil), http.StatusOK); len(l.Items()) != 1 || l.Str("items.0.url") != link.Str("url") {
		t.Errorf("the invoice's links: %s", l)
	}
	body, sig, ok := env.Payments.PaidEvent(sessionOf(link.Str("url")))
	if !ok {
		t.Fatal("the twin does not know its session")
	}

	forged := stripe.Sign(body, "whsec_someone_else", env.Clock.Now())
	tampered := []byte(strings.Replace(string(body), "45000", "1", 1))
	for name, r := range map[string]*servertest.Response{
		"forged":   deliver(env, body, forged),
		"unsigned": deliver(env, body, ""),
		"tampered": deliver(env, tampered, sig),
		"garbage":  deliver(env, body, "t=abc,v1=zz"),
	} {
		if r.Status != http.StatusBadRequest {
			t.Errorf("%s webhook: %s", name, r)
		}
	}
	stale := stripe.Sign(body, servertest.WebhookSecret, env.Clock.Now().Add(-stripe.Tolerance-time.Minute))
	if r := deliver(env, body, stale); r.Status != http.StatusBadRequest {
		t.Errorf("stale webhook: %s", r)
	}
	if ps := cardPayments(t, d, inv); len(ps) != 0 {
		t.Fatalf("refused webhooks recorded payments: %v", ps)
	}

	want(t, deliver(env, body, sig), http.StatusOK)
	got := want(t, bill.Do("GET", d.base+"/invoices/"+inv, nil), http.StatusOK)
	if got.Str("status") != "paid" || got.Get("paid_cents") != float64(45000) || !strings.HasPrefix(got.Str("payments.0.reference"), "pi_local_") {
		t.Errorf("after the webhook: %s", got)
	}
	want(t, deliver(env, body, sig), http.StatusOK) // a replay
	again, sig2, _ := env.Payments.PaidEvent(sessionOf(link.Str("url")))
	want(t, deliver(env, again, sig2), http.StatusOK) // another event, same session
	if ps := cardPayments(t, d, inv); len(ps) != 1 {
		t.Errorf("card payments after replays: %v", ps)
	}
	if l := want(t, bill.Do("GET", d.base+"/invoices/"+inv+"/payment-links", nil), http.StatusOK); l.Get("items.0.paid_at") == nil || l.Str("items.0.payment_id") == "" {
		t.Errorf("the paid link: %s", l)
	}
	wantProblem(t, bill.Do("POST", d.base+"/invoices/"+inv+"/payment-link", nil), http.StatusConflict) // nothing owed
}

// TestPaymentLinkWebhookRace: deliveries racing (the same event twice and
// two events for one session) record one payment.
func TestPaymentLinkWebhookRace(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	d := newDesk(t, env, "sunrise")
	inv := issuedInvoice(t, d, 30000)
	link := want(t, d.c[medic.RoleBilling].Do("POST", d.base+"/invoices/"+inv+"/payment-link", nil), http.StatusCreated)
	body, sig, _ := env.Payments.PaidEvent(sessionOf(link.Str("url")))
	other, otherSig, _ := env.Payments.PaidEvent(sessionOf(link.Str("url")))
	var wg sync.WaitGroup
	statuses := make([]int, 4)
	for i := range 4 {
		wg.Go(func() {
			b, s := body, sig
			if i%2 == 1 {
				b, s = other, otherSig
			}
			statuses[i] = deliver(env, b, s).Status
		})
	}
	wg.Wait()
	for i, s := range statuses {
		if s != http.StatusOK {
			t.Errorf("delivery %d: %d", i, s)
		}
	}
	if ps := cardPayments(t, d, inv); len(ps) != 1 {
		t.Errorf("card payments after racing deliveries: %v", ps)
	}
}

// TestPaymentLinkCrossTenant: practice B cannot make or read links on A's
// invoice (404), and a signed event whose metadata names practice B's
// invoice with A's link records nothing anywhere.
func TestPaymentLinkCrossTenant(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	a, b := newDesk(t, env, "sunrise"), newDesk(t, env, "harbour")
	invA, invB := issuedInvoice(t, a, 20000), issuedInvoice(t, b, 20000)
	link := want(t, a.c[medic.RoleBilling].Do("POST", a.base+"/invoices/"+invA+"/payment-link", nil), http.StatusCreated)

	wantProblem(t, b.c[medic.RoleBilling].Do("POST", b.base+"/invoices/"+invA+"/payment-link", nil), http.StatusNotFound)
	wantProblem(t, b.c[medic.RoleBilling].Do("GET", b.base+"/invoices/"+invA+"/payment-links", nil), http.StatusNotFound)

	r := medic.PaymentLinkRequest{PracticeID: b.p.ID, InvoiceID: invB, LinkID: link.Str("id"), AmountCents: 20000, Currency: "ZAR"}
	body := stripe.CheckoutCompletedEvent("evt_cross", sessionOf(link.Str("url")), "pi_cross", r)
	if res := deliver(env, body, stripe.Sign(body, servertest.WebhookSecret, env.Clock.Now())); res.Status != http.StatusBadRequest {
		t.Errorf("an event naming B's invoice with A's link: %s", res)
	}
	r.PracticeID = a.p.ID // A's practice and link, B's invoice
	body = stripe.CheckoutCompletedEvent("evt_cross2", sessionOf(link.Str("url")), "pi_cross", r)
	if res := deliver(env, body, stripe.Sign(body, servertest.WebhookSecret, env.Clock.Now())); res.Status != http.StatusBadRequest {
		t.Errorf("an event naming A's link for B's invoice: %s", res)
	}
	if ps := cardPayments(t, a, invA); len(ps) != 0 {
		t.Errorf("A's invoice was paid: %v", ps)
	}
	if ps := cardPayments(t, b, invB); len(ps) != 0 {
		t.Errorf("B's invoice was paid: %v", ps)
	}
}
