package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"medic"
)

// Payment links and the payment provider's webhook events (medic.PaymentLinkService).

const paymentLinkSelect = `SELECT id, invoice_id, patient_id, amount_cents, currency, provider, provider_id, url, created_by, created_at,
	paid_at, coalesce(payment_id::text, '') FROM payment_links`

func scanPaymentLink(row pgx.Row) (*medic.PaymentLink, error) {
	var l medic.PaymentLink
	var paid *time.Time
	if err := row.Scan(&l.ID, &l.InvoiceID, &l.PatientID, &l.AmountCents, &l.Currency, &l.Provider, &l.ProviderID, &l.URL,
		&l.CreatedBy, &l.CreatedAt, &paid, &l.PaymentID); err != nil {
		return nil, notFound(err)
	}
	if paid != nil {
		l.PaidAt = *paid
	}
	return &l, nil
}

// CreatePaymentLink implements medic.PaymentLinkService.
func (db *DB) CreatePaymentLink(ctx context.Context, l *medic.PaymentLink) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	if !isUUID(l.InvoiceID) {
		return medic.ErrNotFound
	}
	l.CreatedAt = db.now()
	return db.do(ctx, func(tx pgx.Tx) error {
		return notFound(tx.QueryRow(ctx, `INSERT INTO payment_links (practice_id, invoice_id, patient_id, amount_cents, currency, created_by, created_at)
			SELECT practice_id, id, patient_id, $3, $4, $5, $6 FROM invoices WHERE practice_id = $1 AND id = $2
			RETURNING id, patient_id`, pid, l.InvoiceID, l.AmountCents, l.Currency, l.CreatedBy, l.CreatedAt).Scan(&l.ID, &l.PatientID))
	})
}

// SetPaymentLinkURL implements medic.PaymentLinkService.
func (db *DB) SetPaymentLinkURL(ctx context.Context, id, provider, providerID, url string) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	if !isUUID(id) {
		return medic.ErrNotFound
	}
	return db.do(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE payment_links SET provider = $3, provider_id = $4, url = $5 WHERE practice_id = $1 AND id = $2`,
			pid, id, provider, providerID, url)
		if err == nil && tag.RowsAffected() == 0 {
			return medic.ErrNotFound
		}
		return err
	})
}

// FindPaymentLink implements medic.PaymentLinkService.
func (db *DB) FindPaymentLink(ctx context.Context, id string) (l *medic.PaymentLink, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !isUUID(id) {
		return nil, medic.ErrNotFound
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		l, err = scanPaymentLink(tx.QueryRow(ctx, paymentLinkSelect+` WHERE practice_id = $1 AND id = $2`, pid, id))
		return err
	})
	return l, err
}

// ListPaymentLinks implements medic.PaymentLinkService.
func (db *DB) ListPaymentLinks(ctx context.Context, invoiceID string) (ls []*medic.PaymentLink, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !isUUID(invoiceID) {
		return nil, medic.ErrNotFound
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		ls, err = queryAll(ctx, tx, scanPaymentLink, paymentLinkSelect+` WHERE practice_id = $1 AND invoice_id = $2 ORDER BY created_at DESC, id LIMIT 50`, pid, invoiceID)
		return err
	})
	if ls == nil {
		ls = []*medic.PaymentLink{}
	}
	return ls, err
}

// RecordWebhookEvent implements medic.PaymentLinkService: a racing
// duplicate waits on the first's key and then inserts nothing.
func (db *DB) RecordWebhookEvent(ctx context.Context, provider, eventID, eventType string) (fresh bool, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return false, err
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO payment_webhook_events (practice_id, provider, event_id, type, received_at) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT DO NOTHING`, pid, provider, eventID, eventType, db.now())
		fresh = err == nil && tag.RowsAffected() == 1
		return err
	})
	return fresh, err
}

// ClaimPaymentLink implements medic.PaymentLinkService: the update locks
// the link, so a racing second delivery waits and then finds it paid.
func (db *DB) ClaimPaymentLink(ctx context.Context, id string) (claimed bool, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return false, err
	}
	if !isUUID(id) {
		return false, medic.ErrNotFound
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE payment_links SET paid_at = $3 WHERE practice_id = $1 AND id = $2 AND paid_at IS NULL`, pid, id, db.now())
		claimed = err == nil && tag.RowsAffected() == 1
		return err
	})
	return claimed, err
}

// SetPaymentLinkPayment implements medic.PaymentLinkService.
func (db *DB) SetPaymentLinkPayment(ctx context.Context, id, paymentID string) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	return db.do(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE payment_links SET payment_id = $3 WHERE practice_id = $1 AND id = $2`, pid, id, paymentID)
		return err
	})
}
