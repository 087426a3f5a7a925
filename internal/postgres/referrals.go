package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"medic"
)

// Referrals (migration 0019): written at an encounter, internal (to a
// practitioner of the practice) or external.

const referralSelect = `SELECT r.id, r.practice_id, r.encounter_id, r.patient_id, r.kind, coalesce(r.to_practitioner_id::text, ''),
		coalesce(pr.name, r.to_name), r.to_speciality, r.to_facility, r.urgency, r.reason, r.summary, r.status,
		coalesce(r.created_by::text, ''), coalesce(u.name, ''), r.created_at, coalesce(r.sent_at, 'epoch'::timestamptz), r.updated_at,
		p.given_name || ' ' || p.family_name
	FROM referrals r
	JOIN patients p ON p.practice_id = r.practice_id AND p.id = r.patient_id
	LEFT JOIN practitioners pr ON pr.practice_id = r.practice_id AND pr.id = r.to_practitioner_id
	LEFT JOIN users u ON u.id = r.created_by`

func scanReferral(row pgx.Row) (*medic.Referral, error) {
	var r medic.Referral
	err := row.Scan(&r.ID, &r.PracticeID, &r.EncounterID, &r.PatientID, &r.Kind, &r.ToPractitionerID,
		&r.ToName, &r.ToSpeciality, &r.ToFacility, &r.Urgency, &r.Reason, &r.Summary, &r.Status,
		&r.CreatedBy, &r.CreatedByName, &r.CreatedAt, &r.SentAt, &r.UpdatedAt, &r.PatientName)
	if err != nil {
		return nil, notFound(err)
	}
	if r.SentAt.Equal(time.Unix(0, 0)) {
		r.SentAt = time.Time{}
	}
	return &r, nil
}

// CreateReferral implements medic.ReferralService. The patient is the
// encounter's; a merged chart takes no new referral.
func (db *DB) CreateReferral(ctx context.Context, r *medic.Referral) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	if !isUUID(r.EncounterID) || (r.ToPractitionerID != "" && !isUUID(r.ToPractitionerID)) {
		return medic.ErrNotFound
	}
	now := db.now().Truncate(time.Microsecond)
	if !r.CreatedAt.IsZero() { // a referral written earlier (the demo's history)
		now = r.CreatedAt.Truncate(time.Microsecond)
	}
	var sentAt any
	if r.Status == medic.ReferralSent {
		sentAt = now
	}
	user := medic.ActorFrom(ctx).UserID
	return db.do(ctx, func(tx pgx.Tx) error {
		var patientID, status string
		if err := tx.QueryRow(ctx, `SELECT e.patient_id, p.status FROM encounters e
			JOIN patients p ON p.practice_id = e.practice_id AND p.id = e.patient_id
			WHERE e.practice_id = $1 AND e.id = $2 FOR KEY SHARE OF p`, pid, r.EncounterID).Scan(&patientID, &status); err != nil {
			return notFound(err)
		}
		if status == string(medic.PatientMerged) {
			return errChartMerged
		}
		if r.ToPractitionerID != "" {
			var ok bool
			if err := tx.QueryRow(ctx, `SELECT true FROM practitioners WHERE practice_id = $1 AND id = $2`, pid, r.ToPractitionerID).Scan(&ok); err != nil {
				if err == pgx.ErrNoRows {
					return &medic.Error{Code: medic.EINVALID, Message: "Some fields are not valid.",
						Fields: map[string]string{"to_practitioner_id": "No such practitioner in this practice."}}
				}
				return err
			}
		}
		var id string
		if err := tx.QueryRow(ctx, `INSERT INTO referrals (practice_id, encounter_id, patient_id, kind, to_practitioner_id, to_name, to_speciality,
				to_facility, urgency, reason, summary, status, created_by, created_at, sent_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $14) RETURNING id`,
			pid, r.EncounterID, patientID, r.Kind, nullUUID(r.ToPractitionerID), r.ToName, r.ToSpeciality, r.ToFacility,
			r.Urgency, r.Reason, r.Summary, r.Status, nullID(user), now, sentAt).Scan(&id); err != nil {
			return err
		}
		got, err := scanReferral(tx.QueryRow(ctx, referralSelect+` WHERE r.practice_id = $1 AND r.id = $2`, pid, id))
		if err != nil {
			return err
		}
		*r = *got
		return nil
	})
}

// FindReferral implements medic.ReferralService.
func (db *DB) FindReferral(ctx context.Context, id string) (*medic.Referral, error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !isUUID(id) {
		return nil, medic.ErrNotFound
	}
	var r *medic.Referral
	err = db.do(ctx, func(tx pgx.Tx) error {
		var err error
		r, err = scanReferral(tx.QueryRow(ctx, referralSelect+` WHERE r.practice_id = $1 AND r.id = $2`, pid, id))
		return err
	})
	return r, err
}

// ListReferrals implements medic.ReferralService: newest first, keyset by
// (created_at, id).
func (db *DB) ListReferrals(ctx context.Context, f medic.ReferralFilter, page medic.Page) (rs []*medic.Referral, next string, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, "", err
	}
	page = page.Normalize()
	var args queryArgs
	where := "r.practice_id = " + args.add(pid)
	for _, c := range [...]struct{ col, id string }{{"r.patient_id", f.PatientID}, {"r.encounter_id", f.EncounterID}, {"r.to_practitioner_id", f.ToPractitionerID}} {
		if c.id == "" {
			continue
		}
		if !isUUID(c.id) {
			return []*medic.Referral{}, "", nil
		}
		where += " AND " + c.col + " = " + args.add(c.id) + "::uuid"
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
		where += " AND (r.created_at, r.id) < (" + args.add(before) + "::timestamptz, " + args.add(beforeID) + "::uuid)"
	}
	sql := referralSelect + " WHERE " + where + " ORDER BY r.created_at DESC, r.id DESC LIMIT " + args.add(page.Limit+1)
	err = db.do(ctx, func(tx pgx.Tx) error {
		var err error
		rs, err = queryAll(ctx, tx, scanReferral, sql, args...)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	if rs == nil {
		rs = []*medic.Referral{}
	}
	if len(rs) > page.Limit {
		rs = rs[:page.Limit]
		last := rs[len(rs)-1]
		next = encodeCursor(last.CreatedAt, last.ID)
	}
	return rs, next, nil
}

var errReferralState = medic.Errorf(medic.ECONFLICT, "This referral can no longer change that way (a sent referral can only be cancelled; a cancelled one stays cancelled).")

// SetReferralStatus implements medic.ReferralService.
func (db *DB) SetReferralStatus(ctx context.Context, id string, s medic.ReferralStatus) (*medic.Referral, error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !isUUID(id) {
		return nil, medic.ErrNotFound
	}
	var from []string
	switch s {
	case medic.ReferralSent:
		from = []string{"draft"}
	case medic.ReferralCancelled:
		from = []string{"draft", "sent"}
	default:
		return nil, errReferralState
	}
	now := db.now().Truncate(time.Microsecond)
	var r *medic.Referral
	err = db.do(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE referrals SET status = $3, updated_at = $4,
				sent_at = CASE WHEN $3 = 'sent' THEN $4 ELSE sent_at END
			WHERE practice_id = $1 AND id = $2 AND status = ANY($5::text[])`, pid, id, s, now, from)
		if err != nil {
			return err
		}
		if r, err = scanReferral(tx.QueryRow(ctx, referralSelect+` WHERE r.practice_id = $1 AND r.id = $2`, pid, id)); err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return errReferralState
		}
		return nil
	})
	return r, err
}
