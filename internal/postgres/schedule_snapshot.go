package postgres

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"medic"
)

// LoadSchedule reads the practice, the asked patient, location and type,
// and the practitioner(s) with rules, exceptions, taken places and (if
// asked) holding appointments, all in one pipelined round trip. Callbacks
// run in queue order, so each practitioner exists before its rows arrive.
func (db *DB) LoadSchedule(ctx context.Context, q medic.ScheduleQuery) (*medic.ScheduleSnapshot, error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	s := &medic.ScheduleSnapshot{}
	if q.PractitionerID != "" && !isUUID(q.PractitionerID) {
		q.PractitionerID = nilUUID // no such practitioner: read nothing of one
	}
	byID := map[string]*medic.PractitionerSchedule{}
	b := &pgx.Batch{}

	b.Queue(`SELECT `+practiceColumns+` FROM practices WHERE id = $1`, pid).QueryRow(func(row pgx.Row) error {
		var err error
		s.Practice, err = scanPractice(row)
		return err
	})
	optional := func(id, sql string, scan func(pgx.Row) error) {
		if isUUID(id) {
			b.Queue(sql, pid, id).QueryRow(func(row pgx.Row) error { return absent(scan(row)) })
		}
	}
	optional(q.PatientID, `SELECT `+patientColumns+` FROM patients WHERE practice_id = $1 AND id = $2`, func(row pgx.Row) (err error) {
		s.Patient, err = scanPatient(row)
		return err
	})
	optional(q.LocationID, `SELECT `+locationColumns+` FROM locations WHERE practice_id = $1 AND id = $2`, func(row pgx.Row) (err error) {
		s.Location, err = scanLocation(row)
		return err
	})
	optional(q.AppointmentTypeID, `SELECT `+appointmentTypeColumns+` FROM appointment_types WHERE practice_id = $1 AND id = $2`, func(row pgx.Row) (err error) {
		s.Type, err = scanAppointmentType(row)
		return err
	})

	// One practitioner, or all of the practice: the same queries with the
	// practitioner condition on or off.
	which, args := `TRUE`, []any{pid}
	if q.PractitionerID != "" {
		which, args = `practitioner_id = $2`, []any{pid, q.PractitionerID}
	}
	with := func(extra ...any) []any { return append(append([]any{}, args...), extra...) }
	n := len(args)
	param := func(i int) string { return "$" + strconv.Itoa(n+i) }

	prWhich := `TRUE`
	if q.PractitionerID != "" {
		prWhich = `id = $2`
	}
	b.Queue(`SELECT `+practitionerColumns+` FROM practitioners WHERE practice_id = $1 AND `+prWhich+` ORDER BY name, id`, args...).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			p, err := scanPractitioner(rows)
			if err != nil {
				return err
			}
			ps := &medic.PractitionerSchedule{Practitioner: p, Booked: map[time.Time]int{}}
			s.Practitioners = append(s.Practitioners, ps)
			byID[p.ID] = ps
		}
		return rows.Err()
	})
	each := func(sql string, args []any, row func(rows pgx.Rows) error) {
		b.Queue(sql, args...).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				if err := row(rows); err != nil {
					return err
				}
			}
			return rows.Err()
		})
	}
	each(`SELECT practitioner_id, location_id, is_primary, start_date, end_date FROM practitioner_locations
		WHERE practice_id = $1 AND `+which+` ORDER BY practitioner_id, is_primary DESC, start_date, location_id`, args, func(rows pgx.Rows) error {
		var prID string
		var a medic.LocationAssignment
		var start time.Time
		var end *time.Time
		if err := rows.Scan(&prID, &a.LocationID, &a.Primary, &start, &end); err != nil {
			return err
		}
		a.StartDate, a.EndDate = medic.DateOf(start), dateOf(end)
		if ps := byID[prID]; ps != nil {
			ps.Practitioner.Assignments = append(ps.Practitioner.Assignments, a)
		}
		return nil
	})
	each(`SELECT `+scheduleRuleColumns+` FROM schedule_rules WHERE practice_id = $1 AND `+which+`
		ORDER BY practitioner_id, weekday, start_minute, effective_from, id`, args, func(rows pgx.Rows) error {
		r, err := scanScheduleRule(rows)
		if err != nil {
			return err
		}
		if ps := byID[r.PractitionerID]; ps != nil {
			ps.Rules = append(ps.Rules, r)
		}
		return nil
	})
	each(`SELECT `+scheduleExceptionColumns+` FROM schedule_exceptions WHERE practice_id = $1 AND `+which+`
		AND starts_at < `+param(1)+` AND ends_at > `+param(2)+` ORDER BY starts_at, id`, with(q.To, q.From), func(rows pgx.Rows) error {
		e, err := scanScheduleException(rows)
		if err != nil {
			return err
		}
		if ps := byID[e.PractitionerID]; ps != nil {
			ps.Exceptions = append(ps.Exceptions, e)
		}
		return nil
	})
	each(`SELECT practitioner_id, slot_start, booked FROM slot_places WHERE practice_id = $1 AND `+which+`
		AND slot_start >= `+param(1)+` AND slot_start < `+param(2)+` AND booked > 0`, with(q.From, q.To), func(rows pgx.Rows) error {
		var prID string
		var t time.Time
		var booked int
		if err := rows.Scan(&prID, &t, &booked); err != nil {
			return err
		}
		if ps := byID[prID]; ps != nil {
			ps.Booked[t.UTC()] = booked
		}
		return nil
	})
	if q.Busy {
		each(`SELECT practitioner_id, starts_at, ends_at FROM appointments WHERE practice_id = $1 AND `+which+`
			AND starts_at < `+param(2)+` AND ends_at > `+param(1)+` AND status = ANY(`+param(3)+`::text[])
			-- only buffers need them: skipped at once without buffer minutes
			-- (unset in the stored settings: the default, as scanPractice reads it)
			AND EXISTS (SELECT 1 FROM practices WHERE id = $1 AND COALESCE((booking->>'buffer_minutes')::int, `+param(4)+`) > 0)
			ORDER BY starts_at, ends_at`, with(q.From, q.To, holdingStatuses, medic.DefaultBooking.BufferMinutes), func(rows pgx.Rows) error {
			var prID string
			var iv medic.Interval
			if err := rows.Scan(&prID, &iv.Start, &iv.End); err != nil {
				return err
			}
			if ps := byID[prID]; ps != nil {
				ps.Busy = append(ps.Busy, medic.Interval{Start: iv.Start.UTC(), End: iv.End.UTC()})
			}
			return nil
		})
	}
	if err := db.pipeline(ctx, b); err != nil {
		return nil, err
	}
	return s, nil
}

// nilUUID matches no row.
const nilUUID = "00000000-0000-0000-0000-000000000000"

// absent turns not-found into "nothing there" for optional reads.
func absent(err error) error {
	if errors.Is(err, medic.ErrNotFound) || medic.ErrorCode(err) == medic.ENOTFOUND {
		return nil
	}
	return err
}
