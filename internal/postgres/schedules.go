package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"medic"
)

const scheduleRuleColumns = `id, practice_id, practitioner_id, location_id, weekday, start_minute, end_minute, slot_minutes, capacity,
	appointment_type_ids, effective_from, effective_to, created_at`

func scanScheduleRule(row pgx.Row) (*medic.ScheduleRule, error) {
	var r medic.ScheduleRule
	var from time.Time
	var to *time.Time
	err := row.Scan(&r.ID, &r.PracticeID, &r.PractitionerID, &r.LocationID, &r.Weekday, &r.Start, &r.End, &r.SlotMinutes, &r.Capacity,
		&r.AppointmentTypeIDs, &from, &to, &r.CreatedAt)
	if err != nil {
		return nil, notFound(err)
	}
	r.EffectiveFrom, r.EffectiveTo = medic.DateOf(from), dateOf(to)
	if r.AppointmentTypeIDs == nil {
		r.AppointmentTypeIDs = []string{}
	}
	return &r, nil
}

// ListScheduleRules lists the rules of the practice in context, of one
// practitioner or ("" ) of all, by practitioner, weekday and start.
func (db *DB) ListScheduleRules(ctx context.Context, practitionerID string) (rs []*medic.ScheduleRule, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if practitionerID != "" && !isUUID(practitionerID) {
		return []*medic.ScheduleRule{}, nil
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		var err error
		rs, err = queryAll(ctx, tx, scanScheduleRule, `SELECT `+scheduleRuleColumns+` FROM schedule_rules
			WHERE practice_id = $1 AND ($2 = '' OR practitioner_id::text = $2)
			ORDER BY practitioner_id, weekday, start_minute, effective_from, id`, pid, practitionerID)
		return err
	})
	return rs, err
}

// FindScheduleRule returns ENOTFOUND if the rule does not exist or belongs to another practice.
func (db *DB) FindScheduleRule(ctx context.Context, id string) (r *medic.ScheduleRule, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !isUUID(id) {
		return nil, medic.ErrNotFound
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		r, err = scanScheduleRule(tx.QueryRow(ctx, `SELECT `+scheduleRuleColumns+` FROM schedule_rules WHERE practice_id = $1 AND id = $2`, pid, id))
		return err
	})
	return r, err
}

// CreateScheduleRule inserts r (validated, overlaps checked by the caller)
// into the practice in context; ENOTFOUND for a practitioner, location or
// appointment type of another practice.
func (db *DB) CreateScheduleRule(ctx context.Context, r *medic.ScheduleRule) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	if err := checkRuleRefs(r); err != nil {
		return err
	}
	var id string
	var created time.Time
	err = db.do(ctx, func(tx pgx.Tx) error {
		if err := checkTypesExist(ctx, tx, pid, r.AppointmentTypeIDs); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `INSERT INTO schedule_rules (practice_id, practitioner_id, location_id, weekday, start_minute, end_minute, slot_minutes, capacity,
				appointment_type_ids, effective_from, effective_to, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::uuid[], $10, $11, $12) RETURNING id, created_at`,
			pid, r.PractitionerID, r.LocationID, int(r.Weekday), int(r.Start), int(r.End), r.SlotMinutes, r.Capacity,
			nonNil(r.AppointmentTypeIDs), r.EffectiveFrom.Time(), dateArg(r.EffectiveTo), db.now()).Scan(&id, &created)
	})
	if err != nil {
		return refNotFound(err)
	}
	r.ID, r.PracticeID, r.CreatedAt = id, pid, created
	return nil
}

// UpdateScheduleRule saves r; ENOTFOUND outside the practice in context.
func (db *DB) UpdateScheduleRule(ctx context.Context, r *medic.ScheduleRule) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	if !isUUID(r.ID) {
		return medic.ErrNotFound
	}
	if err := checkRuleRefs(r); err != nil {
		return err
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		if err := checkTypesExist(ctx, tx, pid, r.AppointmentTypeIDs); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE schedule_rules SET practitioner_id = $3, location_id = $4, weekday = $5, start_minute = $6, end_minute = $7,
				slot_minutes = $8, capacity = $9, appointment_type_ids = $10::uuid[], effective_from = $11, effective_to = $12
			WHERE practice_id = $1 AND id = $2`,
			pid, r.ID, r.PractitionerID, r.LocationID, int(r.Weekday), int(r.Start), int(r.End), r.SlotMinutes, r.Capacity,
			nonNil(r.AppointmentTypeIDs), r.EffectiveFrom.Time(), dateArg(r.EffectiveTo))
		if err != nil {
			return err
		}
		if tag.RowsAffected() != 1 {
			return medic.ErrNotFound
		}
		return nil
	})
	if err != nil {
		return refNotFound(err)
	}
	r.PracticeID = pid
	return nil
}

// DeleteScheduleRule removes a rule; ENOTFOUND outside the practice in
// context. Appointments are never touched (the caller lists those left
// outside working hours first).
func (db *DB) DeleteScheduleRule(ctx context.Context, id string) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	if !isUUID(id) {
		return medic.ErrNotFound
	}
	return db.exec1(ctx, `DELETE FROM schedule_rules WHERE practice_id = $1 AND id = $2`, pid, id)
}

func checkRuleRefs(r *medic.ScheduleRule) error {
	if !isUUID(r.PractitionerID) || !isUUID(r.LocationID) {
		return medic.ErrNotFound
	}
	for _, id := range r.AppointmentTypeIDs {
		if !isUUID(id) {
			return medic.ErrNotFound
		}
	}
	return nil
}

// checkTypesExist answers ENOTFOUND unless every id is an appointment type
// of the practice (uuid[] has no foreign key).
func checkTypesExist(ctx context.Context, tx pgx.Tx, pid string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	var missing bool
	err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM unnest($2::uuid[]) AS u(id)
		WHERE NOT EXISTS (SELECT 1 FROM appointment_types t WHERE t.practice_id = $1 AND t.id = u.id))`, pid, ids).Scan(&missing)
	if err != nil {
		return err
	}
	if missing {
		return medic.ErrNotFound
	}
	return nil
}

const scheduleExceptionColumns = `id, practice_id, practitioner_id, kind, starts_at, ends_at, location_id, slot_minutes, capacity, reason, created_at`

func scanScheduleException(row pgx.Row) (*medic.ScheduleException, error) {
	var e medic.ScheduleException
	var loc *string
	err := row.Scan(&e.ID, &e.PracticeID, &e.PractitionerID, &e.Kind, &e.Start, &e.End, &loc, &e.SlotMinutes, &e.Capacity, &e.Reason, &e.CreatedAt)
	if err != nil {
		return nil, notFound(err)
	}
	if loc != nil {
		e.LocationID = *loc
	}
	return &e, nil
}

// ListScheduleExceptions lists the exceptions of a practitioner ("" for
// all) of the practice in context overlapping [from, to), by start; a zero
// from or to leaves that side open.
func (db *DB) ListScheduleExceptions(ctx context.Context, practitionerID string, from, to time.Time) (es []*medic.ScheduleException, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if practitionerID != "" && !isUUID(practitionerID) {
		return []*medic.ScheduleException{}, nil
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		var err error
		es, err = queryAll(ctx, tx, scanScheduleException, `SELECT `+scheduleExceptionColumns+` FROM schedule_exceptions
			WHERE practice_id = $1 AND ($2 = '' OR practitioner_id::text = $2)
			  AND ($3::timestamptz IS NULL OR starts_at < $3) AND ($4::timestamptz IS NULL OR ends_at > $4)
			ORDER BY starts_at, id`, pid, practitionerID, timeArg(to), timeArg(from))
		return err
	})
	return es, err
}

// FindScheduleException returns ENOTFOUND if the exception does not exist or belongs to another practice.
func (db *DB) FindScheduleException(ctx context.Context, id string) (e *medic.ScheduleException, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !isUUID(id) {
		return nil, medic.ErrNotFound
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		e, err = scanScheduleException(tx.QueryRow(ctx, `SELECT `+scheduleExceptionColumns+` FROM schedule_exceptions WHERE practice_id = $1 AND id = $2`, pid, id))
		return err
	})
	return e, err
}

// CreateScheduleException inserts e (validated by the caller) into the
// practice in context; ENOTFOUND for a practitioner or location of another practice.
func (db *DB) CreateScheduleException(ctx context.Context, e *medic.ScheduleException) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	if !isUUID(e.PractitionerID) || e.LocationID != "" && !isUUID(e.LocationID) {
		return medic.ErrNotFound
	}
	var id string
	var created time.Time
	err = db.do(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO schedule_exceptions (practice_id, practitioner_id, kind, starts_at, ends_at, location_id, slot_minutes, capacity, reason, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id, created_at`,
			pid, e.PractitionerID, e.Kind, e.Start, e.End, nullID(e.LocationID), e.SlotMinutes, e.Capacity, e.Reason, db.now()).Scan(&id, &created)
	})
	if err != nil {
		return refNotFound(err)
	}
	e.ID, e.PracticeID, e.CreatedAt = id, pid, created
	return nil
}

// DeleteScheduleException removes an exception; ENOTFOUND outside the practice in context.
func (db *DB) DeleteScheduleException(ctx context.Context, id string) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	if !isUUID(id) {
		return medic.ErrNotFound
	}
	return db.exec1(ctx, `DELETE FROM schedule_exceptions WHERE practice_id = $1 AND id = $2`, pid, id)
}

// timeArg is a timestamptz parameter: NULL for the zero time.
func timeArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}
