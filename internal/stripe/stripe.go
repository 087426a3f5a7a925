// Package stripe is medic.PaymentProvider on Stripe: a payment link is a
// Checkout Session for one invoice's patient balance, and webhooks are
// verified with Stripe's signature scheme (stripe-go's webhook package).
package stripe

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	stripego "github.com/stripe/stripe-go/v84"
	"github.com/stripe/stripe-go/v84/webhook"

	"medic"
)

// Tolerance is how old a webhook's signed timestamp may be (Stripe's
// default): an older one is a replay of a captured request.
const Tolerance = webhook.DefaultTolerance

// EventCheckoutCompleted is the event that pays an invoice.
const EventCheckoutCompleted = "checkout.session.completed"

// Metadata keys every link carries, so a webhook names its invoice.
const (
	MetaPractice = "medic_practice_id"
	MetaInvoice  = "medic_invoice_id"
	MetaLink     = "medic_payment_link_id"
)

// Config is the Stripe account Medic talks to.
type Config struct {
	SecretKey     string // sk_...
	WebhookSecret string // whsec_...
	// APIURL replaces https://api.stripe.com (stripe-mock in the tests).
	APIURL string
	// ReturnURL is where the patient lands after paying.
	ReturnURL  string
	HTTPClient *http.Client
	Clock      medic.Clock
}

// Provider is the Stripe adapter.
type Provider struct {
	client *stripego.Client
	cfg    Config
}

// New returns a Provider for cfg.
func New(cfg Config) *Provider {
	if cfg.Clock == nil {
		cfg.Clock = medic.SystemClock{}
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	bc := &stripego.BackendConfig{HTTPClient: cfg.HTTPClient, LeveledLogger: &stripego.LeveledLogger{Level: stripego.LevelNull}}
	if cfg.APIURL != "" {
		bc.URL = stripego.String(cfg.APIURL)
	}
	backends := &stripego.Backends{API: stripego.GetBackendWithConfig(stripego.APIBackend, bc)}
	return &Provider{client: stripego.NewClient(cfg.SecretKey, stripego.WithBackends(backends)), cfg: cfg}
}

// CreatePaymentLink implements medic.PaymentProvider with a Checkout
// Session (one line: the invoice's balance), keyed by the link id so a
// retried call does not make a second session.
func (p *Provider) CreatePaymentLink(ctx context.Context, r medic.PaymentLinkRequest) (*medic.ProviderLink, error) {
	meta := map[string]string{MetaPractice: r.PracticeID, MetaInvoice: r.InvoiceID, MetaLink: r.LinkID}
	params := &stripego.CheckoutSessionCreateParams{
		Mode:       stripego.String(string(stripego.CheckoutSessionModePayment)),
		SuccessURL: stripego.String(p.cfg.ReturnURL),
		LineItems: []*stripego.CheckoutSessionCreateLineItemParams{{
			Quantity: stripego.Int64(1),
			PriceData: &stripego.CheckoutSessionCreateLineItemPriceDataParams{
				Currency:    stripego.String(strings.ToLower(r.Currency)),
				UnitAmount:  stripego.Int64(r.AmountCents),
				ProductData: &stripego.CheckoutSessionCreateLineItemPriceDataProductDataParams{Name: stripego.String(r.Description)},
			},
		}},
		Metadata:          meta,
		ClientReferenceID: stripego.String(r.InvoiceID),
		PaymentIntentData: &stripego.CheckoutSessionCreatePaymentIntentDataParams{Metadata: meta},
	}
	params.SetIdempotencyKey("medic-payment-link-" + r.LinkID)
	params.Context = ctx
	s, err := p.client.V1CheckoutSessions.Create(ctx, params)
	if err != nil {
		return nil, fmt.Errorf("stripe: create checkout session: %w", err)
	}
	if s.ID == "" || s.URL == "" {
		return nil, errors.New("stripe: checkout session without id or url")
	}
	return &medic.ProviderLink{ProviderID: s.ID, URL: s.URL}, nil
}

// ParseWebhook implements medic.PaymentProvider: the signature must verify
// and its timestamp be within Tolerance of the provider's clock.
func (p *Provider) ParseWebhook(body []byte, signature string) (*medic.PaymentEvent, error) {
	return ParseWebhook(body, signature, p.cfg.WebhookSecret, p.cfg.Clock.Now())
}

// ParseWebhook verifies a Stripe-Signature header over body with secret at
// now and reads the event (shared by the Local twin).
func ParseWebhook(body []byte, signature, secret string, now time.Time) (*medic.PaymentEvent, error) {
	if secret == "" {
		return nil, medic.ErrBadWebhook // never accept unsigned events
	}
	ts, ok := signedAt(signature)
	if !ok || now.Sub(ts) > Tolerance || ts.Sub(now) > Tolerance {
		return nil, medic.ErrBadWebhook
	}
	ev, err := webhook.ConstructEventWithOptions(body, signature, secret,
		webhook.ConstructEventOptions{IgnoreTolerance: true, IgnoreAPIVersionMismatch: true})
	if err != nil || ev.ID == "" {
		return nil, medic.ErrBadWebhook
	}
	out := &medic.PaymentEvent{ID: ev.ID, Type: string(ev.Type)}
	if out.Type != EventCheckoutCompleted || ev.Data == nil {
		return out, nil
	}
	var s stripego.CheckoutSession
	if err := json.Unmarshal(ev.Data.Raw, &s); err != nil {
		return nil, medic.ErrBadWebhook
	}
	out.ProviderID, out.AmountCents, out.Currency = s.ID, s.AmountTotal, strings.ToUpper(string(s.Currency))
	out.Paid = s.PaymentStatus == stripego.CheckoutSessionPaymentStatusPaid
	out.Reference = s.ID
	if s.PaymentIntent != nil && s.PaymentIntent.ID != "" {
		out.Reference = s.PaymentIntent.ID
	}
	out.PracticeID, out.InvoiceID, out.LinkID = s.Metadata[MetaPractice], s.Metadata[MetaInvoice], s.Metadata[MetaLink]
	return out, nil
}

// signedAt reads the t= timestamp of a Stripe-Signature header.
func signedAt(header string) (time.Time, bool) {
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(part, "=")
		if ok && k == "t" {
			n, err := strconv.ParseInt(v, 10, 64)
			return time.Unix(n, 0), err == nil
		}
	}
	return time.Time{}, false
}

// Sign returns the Stripe-Signature header for body signed with secret at
// t (the twin's webhooks and the tests).
func Sign(body []byte, secret string, t time.Time) string {
	return webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: secret, Timestamp: t}).Header
}
