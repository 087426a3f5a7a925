package postgres

import (
	"context"
	"regexp"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"medic"
)

// Invoices, their lines, the per-practice number counter and payments
// (migration 0031).

// BillingSettings implements medic.InvoiceService.
func (db *DB) BillingSettings(ctx context.Context) (b medic.BillingSettings, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return b, err
	}
	b = medic.DefaultBilling
	err = db.do(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `SELECT currency, vat_rate_bp FROM billing_settings WHERE practice_id = $1`, pid).Scan(&b.Currency, &b.VATRateBP)
		if err == pgx.ErrNoRows {
			return nil
		}
		return err
	})
	return b, err
}

// SaveBillingSettings implements medic.InvoiceService.
func (db *DB) SaveBillingSettings(ctx context.Context, b medic.BillingSettings) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	return db.do(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO billing_settings (practice_id, currency, vat_rate_bp, updated_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (practice_id) DO UPDATE SET currency = EXCLUDED.currency, vat_rate_bp = EXCLUDED.vat_rate_bp, updated_at = EXCLUDED.updated_at`,
			pid, b.Currency, b.VATRateBP, db.now())
		return err
	})
}

const invoiceSelect = `SELECT i.id, i.patient_id, coalesce(i.encounter_id::text, ''), coalesce(i.location_id::text, ''), coalesce(i.number, 0), i.status,
		i.invoice_date, i.currency, i.vat_rate_bp, i.subtotal_cents, i.discount_cents, i.vat_cents, i.total_cents, i.medical_aid_cents, i.patient_cents,
		i.paid_cents, i.created_by, coalesce(i.issued_by::text, ''), coalesce(i.voided_by::text, ''), i.created_at, i.updated_at,
		coalesce(i.issued_at, 'epoch'::timestamptz), coalesce(i.voided_at, 'epoch'::timestamptz), i.void_reason, coalesce(i.credit_note_number, 0),
		p.given_name || ' ' || p.family_name, coalesce(l.name, '')
	FROM invoices i
	JOIN patients p ON p.practice_id = i.practice_id AND p.id = i.patient_id
	LEFT JOIN locations l ON l.practice_id = i.practice_id AND l.id = i.location_id`

func scanInvoice(row pgx.Row) (*medic.Invoice, error) {
	var inv medic.Invoice
	var date, issued, voided time.Time
	if err := row.Scan(&inv.ID, &inv.PatientID, &inv.EncounterID, &inv.LocationID, &inv.Number, &inv.Status,
		&date, &inv.Currency, &inv.VATRateBP, &inv.SubtotalCents, &inv.DiscountCents, &inv.VATCents, &inv.TotalCents, &inv.MedicalAidCents, &inv.PatientCents,
		&inv.PaidCents, &inv.CreatedBy, &inv.IssuedBy, &inv.VoidedBy, &inv.CreatedAt, &inv.UpdatedAt,
		&issued, &voided, &inv.VoidReason, &inv.CreditNoteNumber, &inv.PatientName, &inv.LocationName); err != nil {
		return nil, notFound(err)
	}
	inv.InvoiceDate = medic.DateOf(date)
	if issued.Unix() != 0 {
		inv.IssuedAt = issued
	}
	if voided.Unix() != 0 {
		inv.VoidedAt = voided
	}
	return &inv, nil
}

func scanInvoiceLine(row pgx.Row) (*medic.InvoiceLine, error) {
	var l medic.InvoiceLine
	err := row.Scan(&l.ID, &l.TariffCodeID, &l.Code, &l.Description, &l.Category, &l.Quantity, &l.UnitCents, &l.DiscountCents, &l.DiscountReason,
		&l.VATable, &l.NetCents, &l.VATCents, &l.TotalCents, &l.ICD10)
	return &l, err
}

// findInvoice reads an invoice and its lines in tx.
func findInvoice(ctx context.Context, tx pgx.Tx, pid, id string) (*medic.Invoice, error) {
	inv, err := scanInvoice(tx.QueryRow(ctx, invoiceSelect+` WHERE i.practice_id = $1 AND i.id = $2`, pid, id))
	if err != nil {
		return nil, err
	}
	inv.Lines, err = queryAll(ctx, tx, scanInvoiceLine, `SELECT id, coalesce(tariff_code_id::text, ''), code, description, category, quantity, unit_cents,
		discount_cents, discount_reason, vatable, net_cents, vat_cents, total_cents, icd10
		FROM invoice_lines WHERE practice_id = $1 AND invoice_id = $2 ORDER BY position`, pid, id)
	if inv.Lines == nil {
		inv.Lines = []*medic.InvoiceLine{}
	}
	return inv, err
}

// writeLines inserts inv's lines (a draft's, after any old ones are gone).
func writeLines(ctx context.Context, tx pgx.Tx, pid string, inv *medic.Invoice) error {
	if len(inv.Lines) == 0 {
		return nil
	}
	b := &pgx.Batch{}
	for i, l := range inv.Lines {
		codes := l.ICD10
		if codes == nil {
			codes = []string{}
		}
		b.Queue(`INSERT INTO invoice_lines (practice_id, invoice_id, position, tariff_code_id, code, description, category, quantity, unit_cents,
				discount_cents, discount_reason, vatable, net_cents, vat_cents, total_cents, icd10)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id`,
			pid, inv.ID, i, nullUUID(l.TariffCodeID), l.Code, l.Description, l.Category, l.Quantity, l.UnitCents,
			l.DiscountCents, l.DiscountReason, l.VATable, l.NetCents, l.VATCents, l.TotalCents, codes)
	}
	br := tx.SendBatch(ctx, b)
	for _, l := range inv.Lines {
		if err := br.QueryRow().Scan(&l.ID); err != nil {
			br.Close()
			return err
		}
	}
	return br.Close()
}

// checkLineRefs fails with ENOTFOUND when a line names an id that is not
// a UUID (the foreign key catches the rest).
func checkLineRefs(inv *medic.Invoice) error {
	for _, l := range inv.Lines {
		if l.TariffCodeID != "" && !isUUID(l.TariffCodeID) {
			return lineTariffNotFound
		}
	}
	return nil
}

var lineTariffNotFound = &medic.Error{Code: medic.EINVALID, Message: "A line names a tariff code the practice does not have.",
	Fields: map[string]string{"lines": "A line names a tariff code the practice does not have."}}

// CreateInvoice implements medic.InvoiceService: the draft is inserted
// from the practice's patient row, so another practice's patient is
// ENOTFOUND.
func (db *DB) CreateInvoice(ctx context.Context, inv *medic.Invoice) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	if !isUUID(inv.PatientID) || (inv.EncounterID != "" && !isUUID(inv.EncounterID)) || (inv.LocationID != "" && !isUUID(inv.LocationID)) {
		return medic.ErrNotFound
	}
	if err := checkLineRefs(inv); err != nil {
		return err
	}
	now := db.now()
	err = db.do(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO invoices (practice_id, patient_id, encounter_id, location_id, status, invoice_date, currency, vat_rate_bp,
				subtotal_cents, discount_cents, vat_cents, total_cents, medical_aid_cents, patient_cents, created_by, created_at, updated_at)
			SELECT p.practice_id, p.id, $3, $4, 'draft', $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15
			FROM patients p WHERE p.practice_id = $1 AND p.id = $2
			RETURNING id`,
			pid, inv.PatientID, nullUUID(inv.EncounterID), nullUUID(inv.LocationID), inv.InvoiceDate.Time(), inv.Currency, inv.VATRateBP,
			inv.SubtotalCents, inv.DiscountCents, inv.VATCents, inv.TotalCents, inv.MedicalAidCents, inv.PatientCents, inv.CreatedBy, now).Scan(&inv.ID); err != nil {
			return notFound(err)
		}
		inv.Status, inv.CreatedAt, inv.UpdatedAt = medic.InvoiceDraft, now, now
		return writeLines(ctx, tx, pid, inv)
	})
	if isForeignKeyViolation(err) {
		return lineTariffNotFound
	}
	return err
}

// FindInvoice implements medic.InvoiceService.
func (db *DB) FindInvoice(ctx context.Context, id string) (inv *medic.Invoice, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !isUUID(id) {
		return nil, medic.ErrNotFound
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		inv, err = findInvoice(ctx, tx, pid, id)
		return err
	})
	return inv, err
}

// ListInvoices implements medic.InvoiceService: newest invoice date first,
// on the (practice, date) indexes (by patient or status when filtered).
func (db *DB) ListInvoices(ctx context.Context, f medic.InvoiceFilter, page medic.Page) (out []*medic.Invoice, next string, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, "", err
	}
	page = page.Normalize()
	var args queryArgs
	where := "i.practice_id = " + args.add(pid)
	if f.PatientID != "" {
		if !isUUID(f.PatientID) {
			return []*medic.Invoice{}, "", nil
		}
		where += " AND i.patient_id = " + args.add(f.PatientID) + "::uuid"
	}
	if f.EncounterID != "" {
		if !isUUID(f.EncounterID) {
			return []*medic.Invoice{}, "", nil
		}
		where += " AND i.encounter_id = " + args.add(f.EncounterID) + "::uuid"
	}
	if f.Status != "" {
		where += " AND i.status = " + args.add(string(f.Status))
	}
	if !f.From.IsZero() {
		where += " AND i.invoice_date >= " + args.add(f.From.Time()) + "::date"
	}
	if !f.To.IsZero() {
		where += " AND i.invoice_date <= " + args.add(f.To.Time()) + "::date"
	}
	if page.Cursor != "" {
		var before, beforeID string
		if err := decodeCursor(page.Cursor, &before, &beforeID); err != nil {
			return nil, "", err
		}
		d, derr := medic.ParseDate(before)
		if derr != nil || !isUUID(beforeID) {
			return nil, "", errBadCursor
		}
		where += " AND (i.invoice_date, i.id) < (" + args.add(d.Time()) + "::date, " + args.add(beforeID) + "::uuid)"
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		var err error
		out, err = queryAll(ctx, tx, scanInvoice, invoiceSelect+" WHERE "+where+" ORDER BY i.invoice_date DESC, i.id DESC LIMIT "+args.add(page.Limit+1), args...)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	if out == nil {
		out = []*medic.Invoice{}
	}
	if len(out) > page.Limit {
		out = out[:page.Limit]
		last := out[len(out)-1]
		next = encodeCursor(last.InvoiceDate.String(), last.ID)
	}
	return out, next, nil
}

// lockInvoice reads the invoice's status, paid amount and number, locking
// its row for the rest of the transaction.
func lockInvoice(ctx context.Context, tx pgx.Tx, pid, id string) (status medic.InvoiceStatus, total, paid, number int64, err error) {
	err = notFound(tx.QueryRow(ctx, `SELECT status, total_cents, paid_cents, coalesce(number, 0) FROM invoices WHERE practice_id = $1 AND id = $2 FOR UPDATE`,
		pid, id).Scan(&status, &total, &paid, &number))
	return
}

var errNotDraft = &medic.Error{Code: medic.ECONFLICT, Message: "The invoice is issued: its lines are locked. Void it to correct it."}

// UpdateDraft implements medic.InvoiceService.
func (db *DB) UpdateDraft(ctx context.Context, inv *medic.Invoice) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	if !isUUID(inv.ID) {
		return medic.ErrNotFound
	}
	if err := checkLineRefs(inv); err != nil {
		return err
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		status, _, _, _, err := lockInvoice(ctx, tx, pid, inv.ID)
		if err != nil {
			return err
		}
		if status != medic.InvoiceDraft {
			return errNotDraft
		}
		if _, err := tx.Exec(ctx, `DELETE FROM invoice_lines WHERE practice_id = $1 AND invoice_id = $2`, pid, inv.ID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE invoices SET invoice_date = $3, subtotal_cents = $4, discount_cents = $5, vat_cents = $6, total_cents = $7,
				medical_aid_cents = $8, patient_cents = $9, updated_at = $10 WHERE practice_id = $1 AND id = $2`,
			pid, inv.ID, inv.InvoiceDate.Time(), inv.SubtotalCents, inv.DiscountCents, inv.VATCents, inv.TotalCents, inv.MedicalAidCents, inv.PatientCents, db.now()); err != nil {
			return err
		}
		return writeLines(ctx, tx, pid, inv)
	})
	if isForeignKeyViolation(err) {
		return lineTariffNotFound
	}
	return err
}

// IssueInvoice implements medic.InvoiceService. The counter row is
// updated (and so locked) in this transaction: concurrent issues in one
// practice queue on it and take consecutive numbers, and a rollback gives
// its number back.
func (db *DB) IssueInvoice(ctx context.Context, id, by string) (inv *medic.Invoice, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !isUUID(id) {
		return nil, medic.ErrNotFound
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		status, total, _, _, err := lockInvoice(ctx, tx, pid, id)
		if err != nil {
			return err
		}
		if status != medic.InvoiceDraft {
			return &medic.Error{Code: medic.ECONFLICT, Message: "The invoice is issued already."}
		}
		var lines int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM invoice_lines WHERE practice_id = $1 AND invoice_id = $2`, pid, id).Scan(&lines); err != nil {
			return err
		}
		if lines == 0 {
			return &medic.Error{Code: medic.ECONFLICT, Message: "Add at least one line before issuing the invoice."}
		}
		var number int64
		if err := tx.QueryRow(ctx, `INSERT INTO invoice_counters AS c (practice_id, last_invoice) VALUES ($1, 1)
			ON CONFLICT (practice_id) DO UPDATE SET last_invoice = c.last_invoice + 1 RETURNING last_invoice`, pid).Scan(&number); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE invoices SET number = $3, status = $4, issued_by = $5, issued_at = $6, updated_at = $6
			WHERE practice_id = $1 AND id = $2`, pid, id, number, medic.PaymentStatus(total, 0), by, db.now()); err != nil {
			return err
		}
		inv, err = findInvoice(ctx, tx, pid, id)
		return err
	})
	return inv, err
}

// VoidInvoice implements medic.InvoiceService.
func (db *DB) VoidInvoice(ctx context.Context, id, by, reason string) (inv *medic.Invoice, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !isUUID(id) {
		return nil, medic.ErrNotFound
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		status, _, paid, number, err := lockInvoice(ctx, tx, pid, id)
		if err != nil {
			return err
		}
		switch {
		case status == medic.InvoiceVoid:
			return &medic.Error{Code: medic.ECONFLICT, Message: "The invoice is void already."}
		case paid != 0:
			return &medic.Error{Code: medic.ECONFLICT, Message: "Payments stand on this invoice: refund them before voiding it."}
		}
		var credit *int64
		if number != 0 {
			var n int64
			if err := tx.QueryRow(ctx, `INSERT INTO invoice_counters AS c (practice_id, last_credit_note) VALUES ($1, 1)
				ON CONFLICT (practice_id) DO UPDATE SET last_credit_note = c.last_credit_note + 1 RETURNING last_credit_note`, pid).Scan(&n); err != nil {
				return err
			}
			credit = &n
		}
		if _, err := tx.Exec(ctx, `UPDATE invoices SET status = 'void', voided_by = $3, voided_at = $4, void_reason = $5, credit_note_number = $6, updated_at = $4
			WHERE practice_id = $1 AND id = $2`, pid, id, by, db.now(), reason, credit); err != nil {
			return err
		}
		inv, err = findInvoice(ctx, tx, pid, id)
		return err
	})
	return inv, err
}

// leadingNumber reads the count a prescription's quantity starts with
// ("21 capsules").
var leadingNumber = regexp.MustCompile(`^\s*(\d{1,4})\b`)

// EncounterCharges implements medic.InvoiceService. It reads the
// encounter's identifying columns only, never its notes: billing staff
// bill a visit without seeing what was written in it.
func (db *DB) EncounterCharges(ctx context.Context, encounterID string, on medic.Date) (c *medic.EncounterCharges, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !isUUID(encounterID) {
		return nil, medic.ErrNotFound
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		e := &medic.Encounter{}
		var typeTariff *string
		var finished *time.Time
		if err := tx.QueryRow(ctx, `SELECT e.id, e.patient_id, e.practitioner_id, e.location_id, coalesce(e.appointment_id::text, ''), e.status, e.started_at,
				e.finished_at, at.tariff_code_id::text
			FROM encounters e
			LEFT JOIN appointments a ON a.practice_id = e.practice_id AND a.id = e.appointment_id
			LEFT JOIN appointment_types at ON at.practice_id = a.practice_id AND at.id = a.appointment_type_id
			WHERE e.practice_id = $1 AND e.id = $2`, pid, encounterID).
			Scan(&e.ID, &e.PatientID, &e.PractitionerID, &e.LocationID, &e.AppointmentID, &e.Status, &e.StartedAt, &finished, &typeTariff); err != nil {
			return notFound(err)
		}
		if finished != nil {
			e.FinishedAt = *finished
		}
		c = &medic.EncounterCharges{Encounter: e, ICD10: []string{}}
		if typeTariff != nil {
			t, err := scanTariff(tx.QueryRow(ctx, tariffSelect+` WHERE t.practice_id = $1 AND t.id = $3`, pid, on.Time(), *typeTariff))
			if err != nil {
				return err
			}
			c.Consultation = t
		}
		if c.ICD10, err = queryAll(ctx, tx, func(row pgx.Row) (string, error) {
			var s string
			return s, row.Scan(&s)
		}, `SELECT code FROM encounter_diagnoses WHERE practice_id = $1 AND encounter_id = $2 ORDER BY is_primary DESC, code`, pid, encounterID); err != nil {
			return err
		}
		if c.ICD10 == nil {
			c.ICD10 = []string{}
		}
		type item struct {
			medicineID, label, quantity string
			tariffID                    *string
		}
		items, err := queryAll(ctx, tx, func(row pgx.Row) (item, error) {
			var it item
			return it, row.Scan(&it.medicineID, &it.label, &it.quantity, &it.tariffID)
		}, `SELECT pi.medicine_id, pi.medicine_label, pi.quantity,
				(SELECT t.id::text FROM tariff_codes t WHERE t.practice_id = pi.practice_id AND t.active AND t.category = 'medicine'
					AND t.medicine_id = pi.medicine_id ORDER BY t.code LIMIT 1)
			FROM prescriptions p
			JOIN prescription_items pi ON pi.practice_id = p.practice_id AND pi.prescription_id = p.id
			WHERE p.practice_id = $1 AND p.encounter_id = $2 AND p.status = 'issued'
			ORDER BY p.issued_at, p.id, pi.position`, pid, encounterID)
		if err != nil {
			return err
		}
		for _, it := range items {
			m := medic.EncounterMedicine{MedicineID: it.medicineID, Label: it.label, Quantity: 1}
			if g := leadingNumber.FindStringSubmatch(it.quantity); g != nil {
				if n, _ := strconv.Atoi(g[1]); n >= 1 && n <= medic.MaxLineQuantity {
					m.Quantity = n
				}
			}
			if it.tariffID != nil {
				t, err := scanTariff(tx.QueryRow(ctx, tariffSelect+` WHERE t.practice_id = $1 AND t.id = $3`, pid, on.Time(), *it.tariffID))
				if err != nil {
					return err
				}
				m.Tariff = t
			}
			c.Medicines = append(c.Medicines, m)
		}
		return nil
	})
	return c, err
}

const paymentSelect = `SELECT y.id, y.invoice_id, y.patient_id, coalesce(y.location_id::text, ''), y.amount_cents, y.method, y.reference, y.reason,
		y.taken_by, y.taken_at, coalesce(u.name, ''), coalesce(l.name, ''), coalesce(i.number, 0)
	FROM payments y
	JOIN invoices i ON i.practice_id = y.practice_id AND i.id = y.invoice_id
	LEFT JOIN users u ON u.id = y.taken_by
	LEFT JOIN locations l ON l.practice_id = y.practice_id AND l.id = y.location_id`

func scanPayment(row pgx.Row) (*medic.Payment, error) {
	var p medic.Payment
	if err := row.Scan(&p.ID, &p.InvoiceID, &p.PatientID, &p.LocationID, &p.AmountCents, &p.Method, &p.Reference, &p.Reason,
		&p.TakenBy, &p.TakenAt, &p.TakenByName, &p.LocationName, &p.InvoiceNumber); err != nil {
		return nil, notFound(err)
	}
	return &p, nil
}

// AddPayment implements medic.InvoiceService. The invoice row is locked
// first, so concurrent payments on one invoice are checked one after the
// other against what was paid: never over-allocated.
func (db *DB) AddPayment(ctx context.Context, p *medic.Payment) (inv *medic.Invoice, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !isUUID(p.InvoiceID) || (p.LocationID != "" && !isUUID(p.LocationID)) {
		return nil, medic.ErrNotFound
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		status, total, paid, _, err := lockInvoice(ctx, tx, pid, p.InvoiceID)
		if err != nil {
			return err
		}
		switch {
		case status == medic.InvoiceDraft:
			return &medic.Error{Code: medic.ECONFLICT, Message: "Issue the invoice before taking payment."}
		case status == medic.InvoiceVoid:
			return &medic.Error{Code: medic.ECONFLICT, Message: "The invoice is void."}
		case p.AmountCents > 0 && paid+p.AmountCents > total:
			msg := "That is more than the balance of " + medic.CentsInput(total-paid) + "."
			return &medic.Error{Code: medic.ECONFLICT, Message: msg, Fields: map[string]string{"amount_cents": msg}}
		case p.AmountCents < 0 && paid+p.AmountCents < 0:
			msg := "A refund cannot be more than was paid (" + medic.CentsInput(paid) + ")."
			return &medic.Error{Code: medic.ECONFLICT, Message: msg, Fields: map[string]string{"amount_cents": msg}}
		}
		now := db.now()
		if err := tx.QueryRow(ctx, `INSERT INTO payments (practice_id, invoice_id, patient_id, location_id, amount_cents, method, reference, reason, taken_by, taken_at)
			SELECT practice_id, id, patient_id, coalesce($3, location_id), $4, $5, $6, $7, $8, $9 FROM invoices WHERE practice_id = $1 AND id = $2
			RETURNING id, patient_id, coalesce(location_id::text, '')`,
			pid, p.InvoiceID, nullUUID(p.LocationID), p.AmountCents, p.Method, p.Reference, p.Reason, p.TakenBy, now).Scan(&p.ID, &p.PatientID, &p.LocationID); err != nil {
			return err
		}
		p.TakenAt = now
		paid += p.AmountCents
		if _, err := tx.Exec(ctx, `UPDATE invoices SET paid_cents = $3, status = $4, updated_at = $5 WHERE practice_id = $1 AND id = $2`,
			pid, p.InvoiceID, paid, medic.PaymentStatus(total, paid), now); err != nil {
			return err
		}
		inv, err = findInvoice(ctx, tx, pid, p.InvoiceID)
		return err
	})
	if isForeignKeyViolation(err) {
		return nil, medic.ErrNotFound // the location
	}
	return inv, err
}

// ListPayments implements medic.InvoiceService.
func (db *DB) ListPayments(ctx context.Context, invoiceID string) (ps []*medic.Payment, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !isUUID(invoiceID) {
		return nil, medic.ErrNotFound
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		var err error
		ps, err = queryAll(ctx, tx, scanPayment, paymentSelect+` WHERE y.practice_id = $1 AND y.invoice_id = $2 ORDER BY y.taken_at, y.id`, pid, invoiceID)
		return err
	})
	if ps == nil {
		ps = []*medic.Payment{}
	}
	return ps, err
}

// CashUp implements medic.CashUpService: one pass over the day's payments
// on (practice, taken_at).
func (db *DB) CashUp(ctx context.Context, from, to time.Time) (rows []medic.CashUpRow, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		var err error
		rows, err = queryAll(ctx, tx, func(row pgx.Row) (medic.CashUpRow, error) {
			var c medic.CashUpRow
			return c, row.Scan(&c.LocationID, &c.LocationName, &c.UserID, &c.UserName, &c.Method, &c.Count, &c.AmountCents)
		}, `SELECT coalesce(y.location_id::text, ''), coalesce(l.name, ''), y.taken_by::text, coalesce(u.name, ''), y.method, count(*), sum(y.amount_cents)
			FROM payments y
			LEFT JOIN locations l ON l.practice_id = y.practice_id AND l.id = y.location_id
			LEFT JOIN users u ON u.id = y.taken_by
			WHERE y.practice_id = $1 AND y.taken_at >= $2 AND y.taken_at < $3
			GROUP BY 1, 2, 3, 4, 5
			ORDER BY 2, 1, 4, 3, 5`, pid, from, to)
		return err
	})
	if rows == nil {
		rows = []medic.CashUpRow{}
	}
	return rows, err
}
