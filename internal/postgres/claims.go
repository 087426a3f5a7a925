package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"medic"
)

// Medical-aid claims (migration 0033).

// claimSubmission is the jsonb form of a claim's submission: what the
// switch is (or was) told.
type claimSubmission struct {
	Reference                string       `json:"reference"`
	PracticeNumber           string       `json:"practice_number"`
	PractitionerRegistration string       `json:"practitioner_registration"`
	ServiceDate              string       `json:"service_date"`
	Patient                  claimPatient `json:"patient"`
	Lines                    []claimLine  `json:"lines"`
}

type claimPatient struct {
	GivenName     string `json:"given_name"`
	FamilyName    string `json:"family_name"`
	DateOfBirth   string `json:"date_of_birth"`
	Scheme        string `json:"scheme"`
	Plan          string `json:"plan"`
	MemberNumber  string `json:"member_number"`
	DependentCode string `json:"dependent_code"`
}

type claimLine struct {
	TariffCode  string   `json:"tariff_code"`
	Description string   `json:"description"`
	Quantity    int      `json:"quantity"`
	AmountCents int64    `json:"amount_cents"`
	ICD10       []string `json:"icd10"`
}

type claimRejection struct {
	Line    int    `json:"line"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

func dateOrEmpty(d medic.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

func dateOrZero(s string) medic.Date {
	d, _ := medic.ParseDate(s)
	return d
}

func encodeSubmission(s *medic.ClaimSubmission) ([]byte, error) {
	p := s.Patient
	j := claimSubmission{Reference: s.Reference, PracticeNumber: s.PracticeNumber, PractitionerRegistration: s.PractitionerRegistration,
		ServiceDate: dateOrEmpty(s.ServiceDate),
		Patient: claimPatient{GivenName: p.GivenName, FamilyName: p.FamilyName, DateOfBirth: dateOrEmpty(p.DateOfBirth),
			Scheme: p.Scheme, Plan: p.Plan, MemberNumber: p.MemberNumber, DependentCode: p.DependentCode},
		Lines: []claimLine{}}
	for _, l := range s.Lines {
		codes := l.ICD10
		if codes == nil {
			codes = []string{}
		}
		j.Lines = append(j.Lines, claimLine{TariffCode: l.TariffCode, Description: l.Description, Quantity: l.Quantity, AmountCents: l.AmountCents, ICD10: codes})
	}
	return json.Marshal(j)
}

func decodeSubmission(b []byte, s *medic.ClaimSubmission) error {
	var j claimSubmission
	if err := json.Unmarshal(b, &j); err != nil {
		return fmt.Errorf("claim submission: %w", err)
	}
	p := j.Patient
	*s = medic.ClaimSubmission{Reference: j.Reference, PracticeNumber: j.PracticeNumber, PractitionerRegistration: j.PractitionerRegistration,
		ServiceDate: dateOrZero(j.ServiceDate),
		Patient: medic.ClaimPatient{GivenName: p.GivenName, FamilyName: p.FamilyName, DateOfBirth: dateOrZero(p.DateOfBirth),
			Scheme: p.Scheme, Plan: p.Plan, MemberNumber: p.MemberNumber, DependentCode: p.DependentCode}}
	for _, l := range j.Lines {
		s.Lines = append(s.Lines, medic.ClaimLine{TariffCode: l.TariffCode, Description: l.Description, Quantity: l.Quantity, AmountCents: l.AmountCents, ICD10: l.ICD10})
	}
	return nil
}

const claimSelect = `SELECT c.id, c.invoice_id, c.patient_id, c.version, c.status, c.idempotency_key, c.submission, c.currency,
		c.claimed_cents, c.paid_cents, c.switch_ref, c.rejections, coalesce(c.remittance_id, ''), c.remittance_reference,
		coalesce(c.payment_id::text, ''), c.attempts, c.last_error,
		c.created_by, coalesce(c.submitted_by::text, ''), coalesce(c.closed_by::text, ''), c.created_at, c.updated_at,
		coalesce(c.submitted_at, 'epoch'::timestamptz), coalesce(c.answered_at, 'epoch'::timestamptz),
		coalesce(c.paid_at, 'epoch'::timestamptz), coalesce(c.closed_at, 'epoch'::timestamptz),
		coalesce(i.number, 0), p.given_name || ' ' || p.family_name
	FROM claims c
	JOIN invoices i ON i.practice_id = c.practice_id AND i.id = c.invoice_id
	JOIN patients p ON p.practice_id = c.practice_id AND p.id = c.patient_id`

func scanClaim(row pgx.Row) (*medic.Claim, error) {
	var c medic.Claim
	var sub, rej []byte
	var submitted, answered, paid, closed time.Time
	if err := row.Scan(&c.ID, &c.InvoiceID, &c.PatientID, &c.Version, &c.Status, &c.IdempotencyKey, &sub, &c.Currency,
		&c.ClaimedCents, &c.PaidCents, &c.SwitchRef, &rej, &c.RemittanceID, &c.RemittanceReference,
		&c.PaymentID, &c.Attempts, &c.LastError,
		&c.CreatedBy, &c.SubmittedBy, &c.ClosedBy, &c.CreatedAt, &c.UpdatedAt,
		&submitted, &answered, &paid, &closed,
		&c.InvoiceNumber, &c.PatientName); err != nil {
		return nil, notFound(err)
	}
	if err := decodeSubmission(sub, &c.Submission); err != nil {
		return nil, err
	}
	c.Submission.IdempotencyKey, c.Submission.Currency = c.IdempotencyKey, c.Currency
	var rs []claimRejection
	if err := json.Unmarshal(rej, &rs); err != nil {
		return nil, fmt.Errorf("claim rejections: %w", err)
	}
	for _, r := range rs {
		c.Rejections = append(c.Rejections, medic.ClaimRejection{Line: r.Line, Code: r.Code, Message: r.Message})
	}
	for _, t := range []struct {
		from time.Time
		to   *time.Time
	}{{submitted, &c.SubmittedAt}, {answered, &c.AnsweredAt}, {paid, &c.PaidAt}, {closed, &c.ClosedAt}} {
		if t.from.Unix() != 0 {
			*t.to = t.from
		}
	}
	return &c, nil
}

func (db *DB) findClaim(ctx context.Context, tx pgx.Tx, pid, id string) (*medic.Claim, error) {
	return scanClaim(tx.QueryRow(ctx, claimSelect+` WHERE c.practice_id = $1 AND c.id = $2`, pid, id))
}

// CreateClaim implements medic.ClaimService. The claim takes the
// invoice's patient, the next version for the invoice, and its
// idempotency key from its new id.
func (db *DB) CreateClaim(ctx context.Context, c *medic.Claim) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	if !isUUID(c.InvoiceID) {
		return medic.ErrNotFound
	}
	sub, err := encodeSubmission(&c.Submission)
	if err != nil {
		return err
	}
	now := db.now()
	err = db.do(ctx, func(tx pgx.Tx) error {
		// The invoice row is locked so two versions cannot take one number.
		if err := tx.QueryRow(ctx, `SELECT patient_id, (SELECT coalesce(max(version), 0) + 1 FROM claims WHERE practice_id = $1 AND invoice_id = $2)
			FROM invoices WHERE practice_id = $1 AND id = $2 FOR UPDATE`, pid, c.InvoiceID).Scan(&c.PatientID, &c.Version); err != nil {
			return notFound(err)
		}
		if err := tx.QueryRow(ctx, `SELECT gen_random_uuid()`).Scan(&c.ID); err != nil {
			return err
		}
		c.IdempotencyKey = medic.ClaimKey(c.ID)
		_, err := tx.Exec(ctx, `INSERT INTO claims (practice_id, id, invoice_id, patient_id, version, idempotency_key, submission, currency,
				claimed_cents, created_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)`,
			pid, c.ID, c.InvoiceID, c.PatientID, c.Version, c.IdempotencyKey, sub, c.Currency, c.Submission.TotalCents(), c.CreatedBy, now)
		if isUniqueViolation(err, "claims_open_idx") {
			return medic.Errorf(medic.ECONFLICT, "This invoice already has an open claim.")
		}
		if err != nil {
			return err
		}
		got, err := db.findClaim(ctx, tx, pid, c.ID)
		if err != nil {
			return err
		}
		*c = *got
		return nil
	})
	return err
}

// FindClaim implements medic.ClaimService.
func (db *DB) FindClaim(ctx context.Context, id string) (c *medic.Claim, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !isUUID(id) {
		return nil, medic.ErrNotFound
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		c, err = db.findClaim(ctx, tx, pid, id)
		return err
	})
	return c, err
}

// ListClaims implements medic.ClaimService.
func (db *DB) ListClaims(ctx context.Context, f medic.ClaimFilter, page medic.Page) (cs []*medic.Claim, next string, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, "", err
	}
	page = page.Normalize()
	var args queryArgs
	where := "c.practice_id = " + args.add(pid)
	for _, x := range [...]struct{ col, id string }{{"c.invoice_id", f.InvoiceID}, {"c.patient_id", f.PatientID}} {
		if x.id == "" {
			continue
		}
		if !isUUID(x.id) {
			return []*medic.Claim{}, "", nil
		}
		where += " AND " + x.col + " = " + args.add(x.id) + "::uuid"
	}
	if f.Status != "" {
		where += " AND c.status = " + args.add(string(f.Status))
	}
	if page.Cursor != "" {
		var before time.Time
		var beforeID string
		if err := decodeCursor(page.Cursor, &before, &beforeID); err != nil {
			return nil, "", err
		}
		if !isUUID(beforeID) {
			return nil, "", errBadCursor
		}
		where += " AND (c.created_at, c.id) < (" + args.add(before) + "::timestamptz, " + args.add(beforeID) + "::uuid)"
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		var err error
		if cs, err = queryAll(ctx, tx, scanClaim, claimSelect+" WHERE "+where+" ORDER BY c.created_at DESC, c.id DESC LIMIT "+args.add(page.Limit+1), args...); err != nil {
			return err
		}
		if len(cs) > page.Limit {
			cs = cs[:page.Limit]
			last := cs[len(cs)-1]
			next = encodeCursor(last.CreatedAt, last.ID)
		}
		return nil
	})
	if cs == nil {
		cs = []*medic.Claim{}
	}
	return cs, next, err
}

// lockClaim reads a claim's status for update; ECONFLICT with msg unless
// it is one of want.
func lockClaim(ctx context.Context, tx pgx.Tx, pid, id, msg string, want ...medic.ClaimStatus) error {
	var status medic.ClaimStatus
	if err := tx.QueryRow(ctx, `SELECT status FROM claims WHERE practice_id = $1 AND id = $2 FOR UPDATE`, pid, id).Scan(&status); err != nil {
		return notFound(err)
	}
	for _, w := range want {
		if status == w {
			return nil
		}
	}
	return medic.Errorf(medic.ECONFLICT, msg, status.Label())
}

// UpdateClaimDraft implements medic.ClaimService.
func (db *DB) UpdateClaimDraft(ctx context.Context, c *medic.Claim) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	if !isUUID(c.ID) {
		return medic.ErrNotFound
	}
	sub, err := encodeSubmission(&c.Submission)
	if err != nil {
		return err
	}
	return db.do(ctx, func(tx pgx.Tx) error {
		if err := lockClaim(ctx, tx, pid, c.ID, "The claim is %s; only a draft can be corrected.", medic.ClaimDraft); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE claims SET submission = $3, claimed_cents = $4, updated_at = $5 WHERE practice_id = $1 AND id = $2`,
			pid, c.ID, sub, c.Submission.TotalCents(), db.now())
		return err
	})
}

// SubmitClaim implements medic.ClaimService.
func (db *DB) SubmitClaim(ctx context.Context, id, by string, at time.Time) (c *medic.Claim, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !isUUID(id) {
		return nil, medic.ErrNotFound
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		if err := lockClaim(ctx, tx, pid, id, "The claim is %s already.", medic.ClaimDraft); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE claims SET status = 'submitted', submitted_by = $3, submitted_at = $4, updated_at = $4
			WHERE practice_id = $1 AND id = $2`, pid, id, by, at); err != nil {
			return err
		}
		if err := db.enqueue(ctx, tx, medic.ClaimJob{PracticeID: pid, ClaimID: id}); err != nil {
			return err
		}
		c, err = db.findClaim(ctx, tx, pid, id)
		return err
	})
	return c, err
}

// RecordClaimAnswer implements medic.ClaimService.
func (db *DB) RecordClaimAnswer(ctx context.Context, id string, r *medic.SwitchReply, at time.Time) (c *medic.Claim, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !isUUID(id) {
		return nil, medic.ErrNotFound
	}
	status := medic.ClaimSubmitted
	switch r.State {
	case medic.SwitchRejected:
		status = medic.ClaimRejected
	case medic.SwitchAccepted, medic.SwitchPaid, medic.SwitchPartPaid:
		status = medic.ClaimAccepted // paid once the remittance is recorded
	}
	rs := []claimRejection{}
	for _, x := range r.Rejections {
		rs = append(rs, claimRejection{Line: x.Line, Code: x.Code, Message: x.Message})
	}
	rej, err := json.Marshal(rs)
	if err != nil {
		return nil, err
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		if err := lockClaim(ctx, tx, pid, id, "The claim is %s; its answer is recorded already.", medic.ClaimSubmitted); err != nil {
			return err
		}
		var answered *time.Time
		if status != medic.ClaimSubmitted {
			answered = &at
		}
		if _, err := tx.Exec(ctx, `UPDATE claims SET status = $3, switch_ref = $4, rejections = $5, answered_at = $6, last_error = '', updated_at = $7
			WHERE practice_id = $1 AND id = $2`, pid, id, status, r.Ref, rej, answered, at); err != nil {
			return err
		}
		c, err = db.findClaim(ctx, tx, pid, id)
		return err
	})
	return c, err
}

// RecordClaimAttempt implements medic.ClaimService.
func (db *DB) RecordClaimAttempt(ctx context.Context, id, reason string) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	if !isUUID(id) {
		return medic.ErrNotFound
	}
	return db.do(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE claims SET attempts = attempts + 1, last_error = $3, updated_at = $4 WHERE practice_id = $1 AND id = $2`,
			pid, id, reason, db.now())
		return err
	})
}

// RecordClaimRemittance implements medic.ClaimService.
func (db *DB) RecordClaimRemittance(ctx context.Context, id string, r *medic.Remittance, paymentID string, at time.Time) (c *medic.Claim, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !isUUID(id) {
		return nil, medic.ErrNotFound
	}
	status := medic.ClaimPaid
	if r.PartPaid() {
		status = medic.ClaimPartPaid
	}
	var payment *string
	if paymentID != "" {
		payment = &paymentID
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		if err := lockClaim(ctx, tx, pid, id, "The claim is %s; its remittance is recorded already.", medic.ClaimAccepted); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE claims SET status = $3, paid_cents = $4, remittance_id = $5, remittance_reference = $6, payment_id = $7,
				paid_at = $8, updated_at = $8 WHERE practice_id = $1 AND id = $2`,
			pid, id, status, r.PaidCents, r.ID, r.Reference, payment, at)
		if isUniqueViolation(err, "") {
			return medic.Errorf(medic.ECONFLICT, "This remittance is recorded already.")
		}
		if err != nil {
			return err
		}
		c, err = db.findClaim(ctx, tx, pid, id)
		return err
	})
	return c, err
}

// CloseClaim implements medic.ClaimService.
func (db *DB) CloseClaim(ctx context.Context, id, by string, at time.Time) (c *medic.Claim, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !isUUID(id) {
		return nil, medic.ErrNotFound
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		if err := lockClaim(ctx, tx, pid, id, "The claim is %s; only a paid, part-paid or rejected claim can be closed.",
			medic.ClaimPaid, medic.ClaimPartPaid, medic.ClaimRejected); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE claims SET status = 'closed', closed_by = $3, closed_at = $4, updated_at = $4
			WHERE practice_id = $1 AND id = $2`, pid, id, by, at); err != nil {
			return err
		}
		c, err = db.findClaim(ctx, tx, pid, id)
		return err
	})
	return c, err
}
