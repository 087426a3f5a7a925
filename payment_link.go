package medic

import (
	"context"
	"time"
)

// PaymentProvider takes card payments from patients on a hosted page (a
// payment link) and tells the practice, by signed webhook, when one is
// paid. The real adapter is internal/stripe; internal/stripe's Local is the
// twin for the demo (no internet). CreatePaymentLink goes over the network:
// callers never make it inside a request's transaction.
type PaymentProvider interface {
	// CreatePaymentLink asks for a page where the patient pays r's amount;
	// the metadata of every event about it names r's practice, invoice and
	// link.
	CreatePaymentLink(ctx context.Context, r PaymentLinkRequest) (*ProviderLink, error)
	// ParseWebhook verifies a webhook's signature header over its exact
	// body (at the provider's tolerance, on the adapter's clock) and
	// parses it. ErrBadWebhook when forged, stale, unsigned or unreadable.
	ParseWebhook(body []byte, signature string) (*PaymentEvent, error)
}

// ErrBadWebhook refuses a webhook that is not provably the provider's.
var ErrBadWebhook = &Error{Code: EINVALID, Message: "The webhook's signature does not verify."}

// PaymentLinkRequest is what a payment link asks the patient to pay.
type PaymentLinkRequest struct {
	PracticeID, InvoiceID, LinkID string
	AmountCents                   int64
	Currency                      string // ISO 4217, upper case
	Description                   string // "INV-000042", shown to the patient
}

// ProviderLink is the provider's answer: its id for the link (a checkout
// session) and the URL to send the patient to.
type ProviderLink struct {
	ProviderID string
	URL        string
}

// PaymentEvent is a verified webhook. Paid is set for a completed and paid
// checkout; the metadata fields are as the link was created with.
type PaymentEvent struct {
	ID, Type    string
	Paid        bool
	ProviderID  string // the checkout session
	Reference   string // the payment intent (else the session)
	AmountCents int64
	Currency    string

	PracticeID, InvoiceID, LinkID string
}

// PaymentLink is a payment link made for an invoice's patient balance.
type PaymentLink struct {
	ID          string
	InvoiceID   string
	PatientID   string
	AmountCents int64
	Currency    string
	Provider    string // "stripe" or "local"
	ProviderID  string
	URL         string
	CreatedBy   string
	CreatedAt   time.Time
	PaidAt      time.Time // zero until its webhook records the payment
	PaymentID   string
}

// PaymentLinkService keeps payment links and the webhook events seen. Every
// call is in the practice in ctx: a link of another practice is ENOTFOUND.
type PaymentLinkService interface {
	// CreatePaymentLink stores l (pending: before its provider call).
	CreatePaymentLink(ctx context.Context, l *PaymentLink) error
	// SetPaymentLinkURL stores the provider's answer for a pending link.
	SetPaymentLinkURL(ctx context.Context, id, provider, providerID, url string) error
	// FindPaymentLink returns a link by id.
	FindPaymentLink(ctx context.Context, id string) (*PaymentLink, error)
	// ListPaymentLinks lists an invoice's links, newest first.
	ListPaymentLinks(ctx context.Context, invoiceID string) ([]*PaymentLink, error)
	// RecordWebhookEvent records a provider's event id; false when it was
	// recorded before (a replay: do nothing). Two deliveries racing get
	// one true.
	RecordWebhookEvent(ctx context.Context, provider, eventID, eventType string) (bool, error)
	// ClaimPaymentLink marks a link paid, with the link locked until the
	// transaction ends; false when it was paid already (do nothing).
	ClaimPaymentLink(ctx context.Context, id string) (bool, error)
	// SetPaymentLinkPayment names the payment a claimed link made.
	SetPaymentLinkPayment(ctx context.Context, id, paymentID string) error
}
