package api

import (
	"errors"
	"io"
	"net/http"
	"time"

	"medic"
	"medic/internal/app"
)

// Patient payment links (issue 14 item 5) and the payment provider's webhook.
func (h *Handler) paymentLinkRoutes(mux Router) {
	mux.HandleFunc("GET /api/v1/practices/{practice}/invoices/{id}/payment-links", h.tenant(h.listPaymentLinks))
	mux.HandleFunc("POST /api/v1/practices/{practice}/invoices/{id}/payment-link", h.tenant(h.createPaymentLink))
	// No session: Stripe's signature over the body is the proof.
	mux.HandleFunc("POST /webhooks/stripe", h.stripeWebhook)
}

type paymentLinkDTO struct {
	ID          string     `json:"id"`
	InvoiceID   string     `json:"invoice_id"`
	AmountCents int64      `json:"amount_cents"`
	Currency    string     `json:"currency"`
	Provider    string     `json:"provider"`
	URL         string     `json:"url"`
	CreatedAt   time.Time  `json:"created_at"`
	PaidAt      *time.Time `json:"paid_at"`
	PaymentID   *string    `json:"payment_id"`
}

func toPaymentLink(loc *time.Location) func(*medic.PaymentLink) paymentLinkDTO {
	return func(l *medic.PaymentLink) paymentLinkDTO {
		return paymentLinkDTO{ID: l.ID, InvoiceID: l.InvoiceID, AmountCents: l.AmountCents, Currency: l.Currency, Provider: l.Provider,
			URL: l.URL, CreatedAt: l.CreatedAt.In(loc), PaidAt: optTime(l.PaidAt, loc), PaymentID: optString(l.PaymentID)}
	}
}

// createPaymentLink: POST .../invoices/{id}/payment-link -> 201 the link
// for what the patient owes, with its url.
func (h *Handler) createPaymentLink(w http.ResponseWriter, r *http.Request) {
	l, err := h.app.CreatePaymentLink(r.Context(), r.PathValue("id"))
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, toPaymentLink(practiceZone(r.Context()))(l))
}

// listPaymentLinks: GET .../invoices/{id}/payment-links -> {"items"}.
func (h *Handler) listPaymentLinks(w http.ResponseWriter, r *http.Request) {
	ls, err := h.app.ListPaymentLinks(r.Context(), r.PathValue("id"))
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": mapAll(ls, toPaymentLink(practiceZone(r.Context())))})
}

// maxWebhookBytes bounds a webhook body (Stripe's events are a few KB).
const maxWebhookBytes = 256 << 10

// stripeWebhook: POST /webhooks/stripe with Stripe-Signature. 200 when
// handled or already handled (a replay); 400 when forged or naming no
// link of ours (Stripe shows it as failed, nothing changes).
func (h *Handler) stripeWebhook(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxWebhookBytes+1))
	if err != nil || len(body) > maxWebhookBytes {
		writeError(w, r, medic.ErrBadWebhook)
		return
	}
	err = h.app.HandlePaymentWebhook(r.Context(), body, r.Header.Get("Stripe-Signature"))
	switch {
	case err == nil:
		writeJSON(w, http.StatusOK, map[string]any{"received": true})
	case errors.Is(err, medic.ErrBadWebhook), errors.Is(err, app.ErrUnknownPaymentLink):
		writeProblem(w, http.StatusBadRequest, medic.ErrorMessage(err))
	default:
		h.error(w, r, err)
	}
}
