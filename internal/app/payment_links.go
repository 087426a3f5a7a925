package app

import (
	"context"
	"errors"
	"log/slog"
	"strconv"

	"medic"
)

// Patient payment links (issue 14 item 5). A link asks the patient to pay
// the part of an issued invoice's balance that is theirs on the payment
// provider's page; the provider's signed webhook then records one card
// payment. The provider is called outside any transaction: the link row is
// stored first, then completed with the provider's URL.

// ErrNoPaymentProvider answers when no provider is configured.
var ErrNoPaymentProvider = &medic.Error{Code: medic.ECONFLICT, Message: "Payment links are not set up for this installation."}

// PatientOwedCents is what a payment link asks for: the balance, but never
// more than the patient's share of the invoice.
func PatientOwedCents(inv *medic.Invoice) int64 {
	return max(min(inv.BalanceCents(), inv.PatientCents), 0)
}

// CreatePaymentLink makes a payment link for what the patient owes on an
// issued invoice and returns it with its URL; audited.
func (a *App) CreatePaymentLink(ctx context.Context, invoiceID string) (*medic.PaymentLink, error) {
	t, err := a.allow(ctx, "payment_link.create")
	if err != nil {
		return nil, err
	}
	if a.Payments == nil {
		return nil, ErrNoPaymentProvider
	}
	var l *medic.PaymentLink
	var inv *medic.Invoice
	err = a.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if inv, err = a.Invoices.FindInvoice(ctx, invoiceID); err != nil {
			return err
		}
		switch {
		case inv.Status != medic.InvoiceIssued && inv.Status != medic.InvoicePartlyPaid:
			return &medic.Error{Code: medic.ECONFLICT, Message: "Only an issued invoice with a balance can be paid by link."}
		case PatientOwedCents(inv) <= 0:
			return &medic.Error{Code: medic.ECONFLICT, Message: "The patient owes nothing on this invoice."}
		}
		l = &medic.PaymentLink{InvoiceID: inv.ID, AmountCents: PatientOwedCents(inv), Currency: inv.Currency, CreatedBy: medic.ActorFrom(ctx).UserID}
		if err := a.PaymentLinks.CreatePaymentLink(ctx, l); err != nil {
			return err
		}
		return a.Audit.Record(ctx, medic.AuditEvent{Action: "payment_link.created", EntityType: "invoice", EntityID: inv.ID, PatientID: inv.PatientID,
			Detail: map[string]string{"payment_link_id": l.ID, "amount_cents": strconv.FormatInt(l.AmountCents, 10), "provider": a.PaymentProviderName}})
	})
	if err != nil {
		return nil, err
	}
	pl, err := a.Payments.CreatePaymentLink(ctx, medic.PaymentLinkRequest{PracticeID: t.PracticeID, InvoiceID: inv.ID, LinkID: l.ID,
		AmountCents: l.AmountCents, Currency: l.Currency, Description: inv.NumberLabel()})
	if err != nil {
		slog.ErrorContext(ctx, "payment link: provider call failed", "payment_link_id", l.ID, "err", err)
		return nil, &medic.Error{Code: medic.EINTERNAL, Message: "The payment provider did not answer; try again."}
	}
	if err := a.PaymentLinks.SetPaymentLinkURL(ctx, l.ID, a.PaymentProviderName, pl.ProviderID, pl.URL); err != nil {
		return nil, err
	}
	l.Provider, l.ProviderID, l.URL = a.PaymentProviderName, pl.ProviderID, pl.URL
	return l, nil
}

// ListPaymentLinks lists an invoice's payment links, newest first; audited
// under the invoice's patient.
func (a *App) ListPaymentLinks(ctx context.Context, invoiceID string) ([]*medic.PaymentLink, error) {
	if _, err := a.allow(ctx, "invoice.view"); err != nil {
		return nil, err
	}
	var out []*medic.PaymentLink
	err := a.Tx.InReadTx(ctx, func(ctx context.Context) error {
		inv, err := a.Invoices.FindInvoice(ctx, invoiceID)
		if err != nil {
			return err
		}
		if out, err = a.PaymentLinks.ListPaymentLinks(ctx, inv.ID); err != nil {
			return err
		}
		return a.Audit.Record(ctx, medic.AuditEvent{Action: "payment_link.listed", EntityType: "invoice", EntityID: inv.ID, PatientID: inv.PatientID,
			Detail: map[string]string{"count": strconv.Itoa(len(out))}})
	})
	return out, err
}

// ErrUnknownPaymentLink refuses a verified webhook whose metadata does not
// name a link of the named practice for the named invoice and session.
var ErrUnknownPaymentLink = &medic.Error{Code: medic.EINVALID, Message: "The event names no payment link of this installation."}

// HandlePaymentWebhook verifies a provider webhook and, for a paid
// checkout, records one card payment on the link's invoice (reference: the
// payment intent), in the practice its metadata names. A replayed event
// (same id) and a second event for a paid link change nothing. Forged or
// unsigned: medic.ErrBadWebhook. Events of other types are ignored.
func (a *App) HandlePaymentWebhook(ctx context.Context, body []byte, signature string) error {
	if a.Payments == nil {
		return ErrNoPaymentProvider
	}
	ev, err := a.Payments.ParseWebhook(body, signature)
	if err != nil {
		return err
	}
	if !ev.Paid {
		return nil // nothing Medic acts on
	}
	if !uuidShaped(ev.PracticeID) || !uuidShaped(ev.LinkID) {
		return ErrUnknownPaymentLink
	}
	ctx = medic.WithTenant(ctx, medic.Tenant{PracticeID: ev.PracticeID})
	err = a.Tx.InTx(ctx, func(ctx context.Context) error {
		fresh, err := a.PaymentLinks.RecordWebhookEvent(ctx, a.PaymentProviderName, ev.ID, ev.Type)
		if err != nil || !fresh {
			return err // a replay: done already
		}
		l, err := a.PaymentLinks.FindPaymentLink(ctx, ev.LinkID)
		if medic.ErrorCode(err) == medic.ENOTFOUND {
			return ErrUnknownPaymentLink
		}
		if err != nil {
			return err
		}
		if l.InvoiceID != ev.InvoiceID || l.ProviderID != ev.ProviderID || l.AmountCents != ev.AmountCents || l.Currency != ev.Currency {
			return ErrUnknownPaymentLink
		}
		claimed, err := a.PaymentLinks.ClaimPaymentLink(ctx, l.ID)
		if err != nil || !claimed {
			return err // paid by an earlier event
		}
		p := &medic.Payment{InvoiceID: l.InvoiceID, AmountCents: l.AmountCents, Method: medic.PayCard, Reference: ev.Reference, TakenBy: l.CreatedBy}
		if err := p.Validate(); err != nil {
			return err
		}
		if _, err := a.recordPayment(ctx, p, map[string]string{"payment_link_id": l.ID, "provider_event_id": ev.ID}); err != nil {
			return err
		}
		return a.PaymentLinks.SetPaymentLinkPayment(ctx, l.ID, p.ID)
	})
	if errors.Is(err, ErrUnknownPaymentLink) {
		slog.WarnContext(ctx, "payment webhook: no matching payment link", "event_id", ev.ID)
	}
	return err
}

// uuidShaped reports whether s looks like a UUID (a webhook's metadata is
// checked before it becomes the transaction's tenant).
func uuidShaped(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return false
			}
		} else if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}
