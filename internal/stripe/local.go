package stripe

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"strings"
	"sync"

	"medic"
)

// Local is the payment provider's twin for the demo and the tests (no
// internet): its links are pages of Medic's own server, and it speaks
// Stripe's wire format, so the same webhook endpoint and verification run
// whichever adapter is configured. Sessions live in memory.
type Local struct {
	BaseURL       string // the Medic server; links are BaseURL/pay/local/{session}
	WebhookSecret string
	Clock         medic.Clock

	mu       sync.Mutex
	sessions map[string]localSession
}

type localSession struct {
	req medic.PaymentLinkRequest
}

// NewLocal returns a twin signing its webhooks with secret.
func NewLocal(baseURL, secret string, clock medic.Clock) *Local {
	if clock == nil {
		clock = medic.SystemClock{}
	}
	return &Local{BaseURL: baseURL, WebhookSecret: secret, Clock: clock, sessions: map[string]localSession{}}
}

func randomID(prefix string) string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// CreatePaymentLink implements medic.PaymentProvider.
func (l *Local) CreatePaymentLink(ctx context.Context, r medic.PaymentLinkRequest) (*medic.ProviderLink, error) {
	id := randomID("cs_local_")
	l.mu.Lock()
	l.sessions[id] = localSession{req: r}
	l.mu.Unlock()
	return &medic.ProviderLink{ProviderID: id, URL: strings.TrimSuffix(l.BaseURL, "/") + "/pay/local/" + id}, nil
}

// ParseWebhook implements medic.PaymentProvider as Stripe's adapter does.
func (l *Local) ParseWebhook(body []byte, signature string) (*medic.PaymentEvent, error) {
	return ParseWebhook(body, signature, l.WebhookSecret, l.Clock.Now())
}

// PaidEvent is the signed checkout.session.completed webhook (body and
// Stripe-Signature header) Stripe would send once the session is paid;
// false for a session the twin did not make.
func (l *Local) PaidEvent(sessionID string) (body []byte, signature string, ok bool) {
	l.mu.Lock()
	s, ok := l.sessions[sessionID]
	l.mu.Unlock()
	if !ok {
		return nil, "", false
	}
	body = CheckoutCompletedEvent(randomID("evt_local_"), sessionID, randomID("pi_local_"), s.req)
	return body, Sign(body, l.WebhookSecret, l.Clock.Now()), true
}

// CheckoutCompletedEvent is a checkout.session.completed event in Stripe's
// JSON for a paid session of r.
func CheckoutCompletedEvent(eventID, sessionID, paymentIntent string, r medic.PaymentLinkRequest) []byte {
	body, _ := json.Marshal(map[string]any{
		"id": eventID, "object": "event", "type": EventCheckoutCompleted, "api_version": "2025-01-01",
		"data": map[string]any{"object": map[string]any{
			"id": sessionID, "object": "checkout.session", "mode": "payment", "status": "complete", "payment_status": "paid",
			"amount_total": r.AmountCents, "currency": strings.ToLower(r.Currency), "payment_intent": paymentIntent,
			"client_reference_id": r.InvoiceID,
			"metadata":            map[string]string{MetaPractice: r.PracticeID, MetaInvoice: r.InvoiceID, MetaLink: r.LinkID},
		}},
	})
	return body
}
