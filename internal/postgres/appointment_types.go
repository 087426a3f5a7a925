package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"medic"
)

const appointmentTypeColumns = `id, practice_id, name, duration_minutes, color, online_bookable, active, coalesce(tariff_code_id::text, ''), created_at`

func scanAppointmentType(row pgx.Row) (*medic.AppointmentType, error) {
	var t medic.AppointmentType
	err := row.Scan(&t.ID, &t.PracticeID, &t.Name, &t.DurationMinutes, &t.Color, &t.OnlineBookable, &t.Active, &t.TariffCodeID, &t.CreatedAt)
	if err != nil {
		return nil, notFound(err)
	}
	return &t, nil
}

// ListAppointmentTypes lists every appointment type of the practice in
// context (inactive ones too), by name.
func (db *DB) ListAppointmentTypes(ctx context.Context) (ts []*medic.AppointmentType, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		var err error
		ts, err = queryAll(ctx, tx, scanAppointmentType, `SELECT `+appointmentTypeColumns+` FROM appointment_types WHERE practice_id = $1 ORDER BY name, id`, pid)
		return err
	})
	return ts, err
}

// FindAppointmentType returns ENOTFOUND if the type does not exist or belongs to another practice.
func (db *DB) FindAppointmentType(ctx context.Context, id string) (t *medic.AppointmentType, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !isUUID(id) {
		return nil, medic.ErrNotFound
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		t, err = scanAppointmentType(tx.QueryRow(ctx, `SELECT `+appointmentTypeColumns+` FROM appointment_types WHERE practice_id = $1 AND id = $2`, pid, id))
		return err
	})
	return t, err
}

// CreateAppointmentType inserts t (validated by the caller) into the practice in context.
func (db *DB) CreateAppointmentType(ctx context.Context, t *medic.AppointmentType) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	if t.Color == "" {
		t.Color = "#1a6fb0"
	}
	if t.TariffCodeID != "" && !isUUID(t.TariffCodeID) {
		return errBadTypeTariff
	}
	var id string
	var created time.Time
	err = db.do(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO appointment_types (practice_id, name, duration_minutes, color, online_bookable, active, tariff_code_id, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id, created_at`,
			pid, t.Name, t.DurationMinutes, t.Color, t.OnlineBookable, t.Active, nullUUID(t.TariffCodeID), db.now()).Scan(&id, &created)
	})
	err = typeTariffError(err)
	if err != nil {
		return err
	}
	t.ID, t.PracticeID, t.CreatedAt = id, pid, created
	return nil
}

// UpdateAppointmentType saves t; ENOTFOUND outside the practice in context.
// Booked appointments keep their times when the duration changes.
func (db *DB) UpdateAppointmentType(ctx context.Context, t *medic.AppointmentType) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	if !isUUID(t.ID) {
		return medic.ErrNotFound
	}
	if t.Color == "" {
		t.Color = "#1a6fb0"
	}
	if t.TariffCodeID != "" && !isUUID(t.TariffCodeID) {
		return typeTariffError(errBadTypeTariff)
	}
	err = typeTariffError(db.exec1(ctx, `UPDATE appointment_types SET name = $3, duration_minutes = $4, color = $5, online_bookable = $6, active = $7,
		tariff_code_id = $8 WHERE practice_id = $1 AND id = $2`, pid, t.ID, t.Name, t.DurationMinutes, t.Color, t.OnlineBookable, t.Active, nullUUID(t.TariffCodeID)))
	if err == nil {
		t.PracticeID = pid
	}
	return err
}

var errBadTypeTariff = &medic.Error{Code: medic.EINVALID, Message: "Choose a tariff code of the practice.",
	Fields: map[string]string{"tariff_code_id": "Choose a tariff code of the practice."}}

// typeTariffError names the field when a type's tariff code is not the
// practice's (its foreign key).
func typeTariffError(err error) error {
	if err == errBadTypeTariff || isForeignKeyViolation(err) {
		return errBadTypeTariff
	}
	return err
}
