package stripe_test

import (
	"context"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"medic"
	"medic/internal/stripe"
)

// startStripeMock runs stripe-mock (scripts/install-test-deps.sh installs
// it) on a free port; the test fails when it is missing.
func startStripeMock(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("stripe-mock")
	if err != nil {
		out, _ := exec.Command("go", "env", "GOPATH").Output()
		bin = filepath.Join(strings.TrimSpace(string(out)), "bin", "stripe-mock")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(bin, "-http-addr", addr)
	if err := cmd.Start(); err != nil {
		t.Fatalf("stripe-mock is not installed (run scripts/install-test-deps.sh): %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	for range 100 {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return "http://" + addr
		}
		time.Sleep(50 * time.Millisecond) // waiting for a child process to listen, not timing
	}
	t.Fatal("stripe-mock did not start")
	return ""
}

// TestStripeCreatePaymentLink: the adapter's Checkout Session request is
// one stripe-mock (Stripe's OpenAPI spec) accepts, and its answer gives the
// link's id and URL.
func TestStripeCreatePaymentLink(t *testing.T) {
	url := startStripeMock(t)
	p := stripe.New(stripe.Config{SecretKey: "sk_test_123", WebhookSecret: "whsec_x", APIURL: url, ReturnURL: "https://medic.example/paid",
		HTTPClient: &http.Client{Timeout: 10 * time.Second}})
	l, err := p.CreatePaymentLink(context.Background(), medic.PaymentLinkRequest{PracticeID: "p", InvoiceID: "i", LinkID: "l",
		AmountCents: 45000, Currency: "ZAR", Description: "INV-000001"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(l.ProviderID, "cs_") || !strings.HasPrefix(l.URL, "https://") {
		t.Errorf("link: %+v", l)
	}
}

// TestStripeParseWebhook: the signature must verify over the exact body
// within the tolerance of the adapter's clock.
func TestStripeParseWebhook(t *testing.T) {
	now := time.Date(2030, 3, 7, 9, 0, 0, 0, time.UTC)
	p := stripe.New(stripe.Config{SecretKey: "sk_test_123", WebhookSecret: "whsec_right", Clock: medic.ClockFunc(func() time.Time { return now })})
	r := medic.PaymentLinkRequest{PracticeID: "p1", InvoiceID: "i1", LinkID: "l1", AmountCents: 45000, Currency: "ZAR"}
	body := stripe.CheckoutCompletedEvent("evt_1", "cs_1", "pi_1", r)

	ev, err := p.ParseWebhook(body, stripe.Sign(body, "whsec_right", now.Add(-time.Minute)))
	if err != nil {
		t.Fatal(err)
	}
	want := medic.PaymentEvent{ID: "evt_1", Type: stripe.EventCheckoutCompleted, Paid: true, ProviderID: "cs_1", Reference: "pi_1",
		AmountCents: 45000, Currency: "ZAR", PracticeID: "p1", InvoiceID: "i1", LinkID: "l1"}
	if *ev != want {
		t.Errorf("event = %+v, want %+v", *ev, want)
	}
	for name, sig := range map[string]string{
		"wrong secret": stripe.Sign(body, "whsec_wrong", now),
		"stale":        stripe.Sign(body, "whsec_right", now.Add(-stripe.Tolerance-time.Second)),
		"future":       stripe.Sign(body, "whsec_right", now.Add(stripe.Tolerance+time.Second)),
		"none":         "",
	} {
		if _, err := p.ParseWebhook(body, sig); err != medic.ErrBadWebhook {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}
