package postgres

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"medic"
)

// The no-double-booking guarantee lives in slot_places: one counter row per
// practitioner and slot start. A booking claims a place with one upsert
// whose DO UPDATE only fires while booked < capacity, so of N concurrent
// bookings of the last place exactly one gets a row back; the others get
// none and answer ErrSlotFull (and the CHECK booked <= capacity is the last
// wall). appointment_slots records which places each appointment holds so
// cancelling and moving release exactly those.
//
// Every operation touches slot rows one statement at a time in ascending
// slot_start order (after locking the appointment row, if any), so two
// bookings, moves or cancellations never wait on each other in a cycle.

const appointmentSelect = `SELECT a.id, a.practice_id, a.patient_id, a.practitioner_id, a.location_id, a.appointment_type_id,
		a.starts_at, a.ends_at, a.status, a.source, a.notes, a.cancel_reason, a.overbooked, a.overbook_reason, a.created_at, a.updated_at,
		p.given_name || ' ' || p.family_name, pr.name, l.name, t.name, t.color
	FROM appointments a
	JOIN patients p ON p.practice_id = a.practice_id AND p.id = a.patient_id
	JOIN practitioners pr ON pr.practice_id = a.practice_id AND pr.id = a.practitioner_id
	JOIN locations l ON l.practice_id = a.practice_id AND l.id = a.location_id
	JOIN appointment_types t ON t.practice_id = a.practice_id AND t.id = a.appointment_type_id`

func scanAppointment(row pgx.Row) (*medic.Appointment, error) {
	var a medic.Appointment
	err := row.Scan(&a.ID, &a.PracticeID, &a.PatientID, &a.PractitionerID, &a.LocationID, &a.AppointmentTypeID,
		&a.Start, &a.End, &a.Status, &a.Source, &a.Notes, &a.CancelReason, &a.Overbooked, &a.OverbookReason, &a.CreatedAt, &a.UpdatedAt,
		&a.PatientName, &a.PractitionerName, &a.LocationName, &a.TypeName, &a.TypeColor)
	if err != nil {
		return nil, notFound(err)
	}
	return &a, nil
}

// holdingStatuses are the statuses whose appointments occupy their slots.
var holdingStatuses = func() []string {
	var out []string
	for _, s := range medic.AppointmentStatuses {
		if s.Holds() {
			out = append(out, string(s))
		}
	}
	return out
}()

// ListAppointments pages through the appointments of the practice in
// context matching f, by start time, with the patient, practitioner,
// location and type names joined.
func (db *DB) ListAppointments(ctx context.Context, f medic.AppointmentFilter, page medic.Page) (as []*medic.Appointment, next string, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, "", err
	}
	page = page.Normalize()
	var args queryArgs
	where, ok := appointmentWhere(pid, f, &args)
	if !ok {
		return []*medic.Appointment{}, "", nil
	}
	if page.Cursor != "" {
		var after time.Time
		var afterID string
		if err := decodeCursor(page.Cursor, &after, &afterID); err != nil {
			return nil, "", err
		}
		if !isUUID(afterID) {
			return nil, "", errBadCursor
		}
		cmp := ">"
		if f.Descending {
			cmp = "<"
		}
		where = append(where, "(a.starts_at, a.id) "+cmp+" ("+args.add(after)+"::timestamptz, "+args.add(afterID)+"::uuid)")
	}
	order := ` ORDER BY a.starts_at, a.id LIMIT `
	if f.Descending {
		order = ` ORDER BY a.starts_at DESC, a.id DESC LIMIT `
	}
	sql := appointmentSelect + ` WHERE ` + strings.Join(where, " AND ") + order + args.add(page.Limit+1)
	err = db.do(ctx, func(tx pgx.Tx) error {
		var err error
		as, err = queryAll(ctx, tx, scanAppointment, sql, args...)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	if len(as) > page.Limit {
		as = as[:page.Limit]
		last := as[len(as)-1]
		next = encodeCursor(last.Start, last.ID)
	}
	return as, next, nil
}

// patientVisitsSQL is the next visit still to come and the last completed
// one ($1 practice, $2 patient, $3 now). Each branch orders by starts_at
// alone, the order of appointments_patient_idx: an id tiebreak the index
// lacks makes PostgreSQL read and sort the chart's whole future or past.
const patientVisitsSQL = `(` + appointmentSelect + ` WHERE a.practice_id = $1 AND a.patient_id = $2 AND a.starts_at >= $3
			AND a.status IN ('booked', 'checked_in', 'in_progress') ORDER BY a.starts_at LIMIT 1)
		UNION ALL (` + appointmentSelect + ` WHERE a.practice_id = $1 AND a.patient_id = $2 AND a.starts_at < $3
			AND a.status = 'completed' ORDER BY a.starts_at DESC LIMIT 1)`

// PatientVisits implements medic.AppointmentService: two probes of the
// chart's appointments index in one statement, whatever its history.
func (db *DB) PatientVisits(ctx context.Context, patientID string, now time.Time) (next, last *medic.Appointment, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, nil, err
	}
	if !isUUID(patientID) {
		return nil, nil, nil
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		b.Queue(genericPlanSQL) // two index probes: planning cost more than running
		b.Queue(patientVisitsSQL, pid, patientID, now).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				a, err := scanAppointment(rows)
				if err != nil {
					return err
				}
				if a.Start.Before(now) {
					last = a
				} else {
					next = a
				}
			}
			return rows.Err()
		})
		return tx.SendBatch(ctx, b).Close()
	})
	return next, last, err
}

// ListAppointmentRange lists the first limit appointments matching f by
// start time, one query (no cursor: the caller bounds f to a day or a week).
func (db *DB) ListAppointmentRange(ctx context.Context, f medic.AppointmentFilter, limit int) (as []*medic.Appointment, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	var args queryArgs
	where, ok := appointmentWhere(pid, f, &args)
	if !ok || limit <= 0 {
		return []*medic.Appointment{}, nil
	}
	sql := appointmentSelect + ` WHERE ` + strings.Join(where, " AND ") + ` ORDER BY a.starts_at, a.id LIMIT ` + args.add(limit)
	err = db.do(ctx, func(tx pgx.Tx) error {
		var err error
		as, err = queryAll(ctx, tx, scanAppointment, sql, args...)
		return err
	})
	return as, err
}

// appointmentWhere is the WHERE of f for the practice pid; ok is false when
// f matches nothing (an id that is no UUID).
func appointmentWhere(pid string, f medic.AppointmentFilter, args *queryArgs) (where []string, ok bool) {
	where = []string{"a.practice_id = " + args.add(pid)}
	for _, c := range [...]struct{ col, id string }{{"a.patient_id", f.PatientID}, {"a.practitioner_id", f.PractitionerID}, {"a.location_id", f.LocationID}} {
		col, id := c.col, c.id
		if id == "" {
			continue
		}
		if !isUUID(id) {
			return nil, false // matches nothing
		}
		where = append(where, col+" = "+args.add(id)+"::uuid")
	}
	if f.PatientIDs != nil {
		where = append(where, anyUUID("a.patient_id", f.PatientIDs, args))
	}
	if !f.From.IsZero() {
		where = append(where, "a.starts_at >= "+args.add(f.From))
	}
	if !f.To.IsZero() {
		where = append(where, "a.starts_at < "+args.add(f.To))
	}
	if len(f.Statuses) > 0 {
		ss := make([]string, len(f.Statuses))
		for i, s := range f.Statuses {
			ss[i] = string(s)
		}
		where = append(where, "a.status = ANY("+args.add(ss)+"::text[])")
	}
	return where, true
}

// AppointmentsVersion fingerprints the appointments matching f (which,
// when, with whom, in what status): it changes whenever the list would.
func (db *DB) AppointmentsVersion(ctx context.Context, f medic.AppointmentFilter) (string, error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return "", err
	}
	var args queryArgs
	where, ok := appointmentWhere(pid, f, &args)
	if !ok {
		return "none", nil
	}
	var n int
	var sum string
	err = db.do(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT count(*), coalesce(md5(string_agg(a.id::text || a.status || a.starts_at::text || a.practitioner_id::text
			|| a.location_id::text || a.appointment_type_id::text || a.updated_at::text, ',' ORDER BY a.id)), '')
			FROM appointments a WHERE `+strings.Join(where, " AND "), args...).Scan(&n, &sum)
	})
	if err != nil {
		return "", err
	}
	return strconv.Itoa(n) + "-" + sum, nil
}

// FindAppointment returns ENOTFOUND if the appointment does not exist or belongs to another practice.
func (db *DB) FindAppointment(ctx context.Context, id string) (a *medic.Appointment, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !isUUID(id) {
		return nil, medic.ErrNotFound
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		a, err = scanAppointment(tx.QueryRow(ctx, appointmentSelect+` WHERE a.practice_id = $1 AND a.id = $2`, pid, id))
		return err
	})
	return a, err
}

// FindAppointmentByReference returns ENOTFOUND if no appointment of the
// practice in context has the reference ref (appointments_reference_idx).
func (db *DB) FindAppointmentByReference(ctx context.Context, ref string) (a *medic.Appointment, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if _, ok := medic.ParseReference(ref); !ok {
		return nil, medic.ErrNotFound
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		a, err = scanAppointment(tx.QueryRow(ctx, appointmentSelect+` WHERE a.practice_id = $1 AND right(a.id::text, 8) = $2 ORDER BY a.starts_at DESC LIMIT 1`, pid, strings.ToLower(ref)))
		return err
	})
	return a, err
}

// BookAppointment inserts a and takes one place in each claimed slot, in
// one transaction; ErrSlotFull (and nothing written) if any slot is full.
// a.Overbooked (with a reason) permits booking beyond capacity: a slot
// with a free place still takes it, a full one takes an overbooked place,
// counted apart and never refused; a.Overbooked is left true only if some
// place was overbooked. ENOTFOUND for a patient, practitioner, location or
// type of another practice; ECONFLICT for a merged chart.
func (db *DB) BookAppointment(ctx context.Context, a *medic.Appointment, claims []medic.SlotClaim) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	for _, id := range []string{a.PatientID, a.PractitionerID, a.LocationID, a.AppointmentTypeID} {
		if !isUUID(id) {
			return medic.ErrNotFound
		}
	}
	if a.Status == "" {
		a.Status = medic.StatusBooked
	}
	if a.Source == "" {
		a.Source = medic.SourceDesk
	}
	if !a.Status.Holds() {
		return medic.Errorf(medic.EINVALID, "A new appointment cannot be %s.", a.Status)
	}
	if err := checkTimes(a, a.Start, a.End); err != nil {
		return err
	}
	cs, err := sortClaims(claims)
	if err != nil {
		return err
	}
	if a.Overbooked {
		return db.bookOverbooked(ctx, pid, a, cs)
	}
	// One round trip: the insert and every claim are pipelined. A full slot
	// fails its claim on the CHECK booked <= capacity, which aborts the rest;
	// inside a use case's transaction a savepoint keeps that transaction
	// usable (the demo loader goes on after a full slot).
	now := db.now().Truncate(time.Microsecond) // as stored
	id := newID()
	_, nested := ctx.Value(txKey{}).(*txState)
	b := &pgx.Batch{}
	if nested {
		b.Queue(`SAVEPOINT book`)
	}
	b.Queue(insertAppointmentSQL, pid, a.PatientID, a.PractitionerID, a.LocationID, a.AppointmentTypeID, a.Start, a.End,
		a.Status, a.Source, a.Notes, false, "", now, id).Exec(func(tag pgconn.CommandTag) error {
		if tag.RowsAffected() != 1 {
			return errNoChart
		}
		return nil
	})
	for _, c := range cs {
		b.Queue(claimOrFailSQL, pid, a.PractitionerID, id, c.Start, c.Capacity)
	}
	if nested {
		b.Queue(`RELEASE SAVEPOINT book`)
	}
	if err := db.pipeline(ctx, b); err != nil {
		if nested {
			if rerr := rollbackSavepoint(ctx, "book"); rerr != nil {
				return errors.Join(err, rerr) // the transaction is unusable
			}
		}
		switch {
		case isSlotFull(err):
			return medic.ErrSlotFull
		case errors.Is(err, errNoChart):
			return db.whyNoChart(ctx, pid, a.PatientID)
		}
		return refNotFound(err)
	}
	a.ID, a.PracticeID, a.CreatedAt, a.UpdatedAt = id, pid, now, now
	a.Start, a.End = a.Start.UTC(), a.End.UTC() // as a read returns them
	a.Overbooked, a.OverbookReason = false, ""
	return nil
}

// rollbackSavepoint undoes and ends savepoint name of the transaction in
// ctx, straight on the connection: the transaction is in error, so nothing
// else (not even the tenant settings) may run before it. Ending it matters:
// a later failure must not roll back to this one.
func rollbackSavepoint(ctx context.Context, name string) error {
	st := ctx.Value(txKey{}).(*txState)
	ctx = context.WithoutCancel(ctx)
	if _, err := st.tx.Exec(ctx, `ROLLBACK TO SAVEPOINT `+name); err != nil {
		return err
	}
	_, err := st.tx.Exec(ctx, `RELEASE SAVEPOINT `+name)
	return err
}

// errNoChart: the insert found no bookable chart; whyNoChart says why.
var errNoChart = errors.New("no bookable chart")

// whyNoChart is ENOTFOUND for a chart not of this practice, else the chart
// was merged (since the caller read it).
func (db *DB) whyNoChart(ctx context.Context, pid, patientID string) error {
	return db.do(ctx, func(tx pgx.Tx) error {
		var merged bool
		if err := tx.QueryRow(ctx, `SELECT status = 'merged' FROM patients WHERE practice_id = $1 AND id = $2`, pid, patientID).Scan(&merged); err != nil {
			return notFound(err)
		}
		return errChartMerged
	})
}

// insertAppointmentSQL inserts an appointment for a chart that is not
// merged, locking the patient row (key share) so that a merge running
// meanwhile waits or is seen.
const insertAppointmentSQL = `INSERT INTO appointments (id, practice_id, patient_id, practitioner_id, location_id, appointment_type_id, starts_at, ends_at,
		status, source, notes, overbooked, overbook_reason, created_at, updated_at)
	SELECT $14::uuid, $1, p.id, $3::uuid, $4::uuid, $5::uuid, $6::timestamptz, $7::timestamptz, $8::text, $9::text, $10::text, $11::boolean, $12::text, $13::timestamptz, $13::timestamptz
	FROM (SELECT id FROM patients WHERE practice_id = $1 AND id = $2 AND status <> 'merged' FOR KEY SHARE) p`

// newID is a time-ordered UUID (v7): new rows land at the right edge of
// the primary key index instead of on random pages.
func newID() string { return uuid.Must(uuid.NewV7()).String() }

// isSlotFull reports the CHECK booked <= capacity refusing a claim.
func isSlotFull(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23514" && pe.TableName == "slot_places"
}

// bookOverbooked books with leave to overbook: each slot takes a free
// place if it has one, else an overbooked place, one statement at a time.
func (db *DB) bookOverbooked(ctx context.Context, pid string, a *medic.Appointment, cs []medic.SlotClaim) error {
	now := db.now()
	id := newID()
	var overbooked bool
	err := db.atomically(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, insertAppointmentSQL, pid, a.PatientID, a.PractitionerID, a.LocationID, a.AppointmentTypeID, a.Start, a.End,
			a.Status, a.Source, a.Notes, a.Overbooked, overbookReason(a), now, id)
		if err != nil {
			return refNotFound(err)
		}
		if tag.RowsAffected() != 1 {
			return errNoChart
		}
		anyOver := false
		for _, c := range cs {
			over, err := claimSlot(ctx, tx, pid, a.PractitionerID, id, c, true)
			if err != nil {
				return err
			}
			anyOver = anyOver || over
		}
		if !anyOver { // every slot had room after all
			_, err = tx.Exec(ctx, `UPDATE appointments SET overbooked = false, overbook_reason = '' WHERE practice_id = $1 AND id = $2`, pid, id)
		}
		overbooked = anyOver
		return err
	})
	if errors.Is(err, errNoChart) {
		return db.whyNoChart(ctx, pid, a.PatientID)
	}
	if err != nil {
		return err
	}
	a.ID, a.PracticeID, a.CreatedAt, a.UpdatedAt = id, pid, now, now
	a.Overbooked, a.OverbookReason = overbooked, overbookReasonIf(overbooked, a)
	return nil
}

// MoveAppointment gives a new times (and a.LocationID, if set: the
// practitioner stays) and new places, in one transaction: the places a
// holds are released and claims taken; a place held before and after is
// kept. ErrSlotFull leaves the appointment and every counter as they were.
// a.Overbooked (with a reason) permits overbooking as in BookAppointment,
// and the appointment is saved as overbooked only if some place it now
// holds is. ENOTFOUND outside the practice in context (or for a location
// of another practice); ECONFLICT for an appointment that no longer holds
// places.
func (db *DB) MoveAppointment(ctx context.Context, a *medic.Appointment, start, end time.Time, claims []medic.SlotClaim) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	if !isUUID(a.ID) || a.LocationID != "" && !isUUID(a.LocationID) {
		return medic.ErrNotFound
	}
	if err := checkTimes(a, start, end); err != nil {
		return err
	}
	cs, err := sortClaims(claims)
	if err != nil {
		return err
	}
	now := db.now()
	var practitioner, location string
	var overbooked bool
	err = db.atomically(ctx, func(tx pgx.Tx) error {
		var status medic.AppointmentStatus
		err := tx.QueryRow(ctx, `SELECT practitioner_id, status FROM appointments WHERE practice_id = $1 AND id = $2 FOR UPDATE`, pid, a.ID).Scan(&practitioner, &status)
		if err != nil {
			return notFound(err)
		}
		if !status.Holds() {
			return medic.Errorf(medic.ECONFLICT, "A cancelled or missed appointment cannot be moved; book a new one.")
		}
		held, err := heldSlots(ctx, tx, pid, a.ID)
		if err != nil {
			return err
		}
		claim := func(c medic.SlotClaim) error {
			over, err := claimSlot(ctx, tx, pid, practitioner, a.ID, c, a.Overbooked)
			overbooked = overbooked || over
			return err
		}
		if a.PractitionerID != "" && a.PractitionerID != practitioner {
			// To another practitioner: every place goes back and the new
			// practitioner's places are claimed (none is shared).
			if !isUUID(a.PractitionerID) {
				return medic.ErrNotFound
			}
			for _, h := range held {
				if err := releaseSlot(ctx, tx, pid, a.ID, h.start); err != nil {
					return err
				}
			}
			held, practitioner = nil, a.PractitionerID
		}
		// Walk old and new slots together in time order.
		i, j := 0, 0
		for i < len(held) || j < len(cs) {
			switch {
			case j == len(cs) || i < len(held) && held[i].start.Before(cs[j].Start):
				if err := releaseSlot(ctx, tx, pid, a.ID, held[i].start); err != nil {
					return err
				}
				i++
			case i == len(held) || cs[j].Start.Before(held[i].start):
				if err := claim(cs[j]); err != nil {
					return err
				}
				j++
			case held[i].overbooked && !a.Overbooked:
				// An overbooked place without leave to overbook: take a
				// regular one or fail.
				if err := releaseSlot(ctx, tx, pid, a.ID, held[i].start); err != nil {
					return err
				}
				if err := claim(cs[j]); err != nil {
					return err
				}
				i, j = i+1, j+1
			default: // the same slot: keep the place
				overbooked = overbooked || held[i].overbooked
				i, j = i+1, j+1
			}
		}
		return tx.QueryRow(ctx, `UPDATE appointments SET starts_at = $3, ends_at = $4, overbooked = $5, overbook_reason = $6, updated_at = $7,
				location_id = COALESCE($8::uuid, location_id), practitioner_id = $9
			WHERE practice_id = $1 AND id = $2 RETURNING location_id`,
			pid, a.ID, start, end, overbooked, overbookReasonIf(overbooked, a), now, nullID(a.LocationID), practitioner).Scan(&location)
	})
	if err != nil {
		return refNotFound(err)
	}
	a.Start, a.End, a.PractitionerID, a.LocationID, a.UpdatedAt = start, end, practitioner, location, now
	a.Overbooked, a.OverbookReason = overbooked, overbookReasonIf(overbooked, a)
	return nil
}

// SetAppointmentStatus changes the status of an appointment of the practice
// in context if it is still `from`: ECONFLICT if it changed meanwhile,
// EINVALID for a change the domain does not allow. A cancellation saves
// reason. Leaving a holding status releases the appointment's places.
func (db *DB) SetAppointmentStatus(ctx context.Context, id string, from, to medic.AppointmentStatus, reason string) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	if !isUUID(id) {
		return medic.ErrNotFound
	}
	if !from.CanBecome(to) {
		// Also what keeps the counters right: no change goes back to a
		// holding status, which would need new claims.
		return medic.Errorf(medic.EINVALID, "An appointment cannot go from %s to %s.", from, to)
	}
	return db.do(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE appointments SET status = $4, updated_at = $6,
				cancel_reason = CASE WHEN $4 = 'cancelled' THEN $5 ELSE cancel_reason END
			WHERE practice_id = $1 AND id = $2 AND status = $3`, pid, id, from, to, reason, db.now())
		if err != nil {
			return err
		}
		if tag.RowsAffected() != 1 {
			var exists bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM appointments WHERE practice_id = $1 AND id = $2)`, pid, id).Scan(&exists); err != nil {
				return err
			}
			if !exists {
				return medic.ErrNotFound
			}
			return medic.Errorf(medic.ECONFLICT, "The appointment changed meanwhile; reload.")
		}
		if from.Holds() && !to.Holds() {
			held, err := heldSlots(ctx, tx, pid, id)
			if err != nil {
				return err
			}
			for _, h := range held {
				if err := releaseSlot(ctx, tx, pid, id, h.start); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// BookedPlaces counts the places taken (overbooked ones excluded) per slot
// start, in UTC, of a practitioner of the practice in context in [from, to).
func (db *DB) BookedPlaces(ctx context.Context, practitionerID string, from, to time.Time) (map[time.Time]int, error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	out := map[time.Time]int{}
	if !isUUID(practitionerID) {
		return out, nil
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT slot_start, booked FROM slot_places
			WHERE practice_id = $1 AND practitioner_id = $2 AND slot_start >= $3 AND slot_start < $4 AND booked > 0`, pid, practitionerID, from, to)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var t time.Time
			var n int
			if err := rows.Scan(&t, &n); err != nil {
				return err
			}
			out[t.UTC()] = n
		}
		return rows.Err()
	})
	return out, err
}

// Busy lists the holding appointments of a practitioner of the practice in
// context overlapping [from, to), by start, in UTC.
func (db *DB) Busy(ctx context.Context, practitionerID string, from, to time.Time) (out []medic.Interval, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !isUUID(practitionerID) {
		return nil, nil
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT starts_at, ends_at FROM appointments
			WHERE practice_id = $1 AND practitioner_id = $2 AND starts_at < $4 AND ends_at > $3 AND status = ANY($5::text[])
			ORDER BY starts_at, ends_at`, pid, practitionerID, from, to, holdingStatuses)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var iv medic.Interval
			if err := rows.Scan(&iv.Start, &iv.End); err != nil {
				return err
			}
			iv.Start, iv.End = iv.Start.UTC(), iv.End.UTC()
			out = append(out, iv)
		}
		return rows.Err()
	})
	return out, err
}

// CountAppointmentsByStatus counts the appointments of the practice in
// context starting in [from, to) per status (a zero bound is open).
func (db *DB) CountAppointmentsByStatus(ctx context.Context, from, to time.Time) (map[medic.AppointmentStatus]int, error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	out := map[medic.AppointmentStatus]int{}
	err = db.do(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT status, count(*) FROM appointments
			WHERE practice_id = $1 AND ($2::timestamptz IS NULL OR starts_at >= $2) AND ($3::timestamptz IS NULL OR starts_at < $3)
			GROUP BY status`, pid, timeArg(from), timeArg(to))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s medic.AppointmentStatus
			var n int
			if err := rows.Scan(&s, &n); err != nil {
				return err
			}
			out[s] = n
		}
		return rows.Err()
	})
	return out, err
}

// DailyCounts counts the holding appointments of the practice in context
// starting in [from, to) per local date in loc (UTC if nil; loc must be an
// IANA zone PostgreSQL knows, as practice time zones are).
func (db *DB) DailyCounts(ctx context.Context, from, to time.Time, loc *time.Location) (map[medic.Date]int, error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	zone := "UTC"
	if loc != nil {
		zone = loc.String()
	}
	out := map[medic.Date]int{}
	err = db.do(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT (starts_at AT TIME ZONE $4)::date AS day, count(*) FROM appointments
			WHERE practice_id = $1 AND starts_at >= $2 AND starts_at < $3 AND status = ANY($5::text[])
			GROUP BY day`, pid, from, to, zone, holdingStatuses)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var d time.Time
			var n int
			if err := rows.Scan(&d, &n); err != nil {
				return err
			}
			out[medic.DateOf(d)] = n
		}
		return rows.Err()
	})
	return out, err
}

// atomically runs fn in the context's transaction so that its writes vanish
// when it fails: behind a savepoint when the call joins a use case's
// transaction (which may go on after, say, ErrSlotFull), else in its own.
func (db *DB) atomically(ctx context.Context, fn func(tx pgx.Tx) error) error {
	_, nested := ctx.Value(txKey{}).(*txState)
	return db.do(ctx, func(tx pgx.Tx) error {
		if !nested {
			return fn(tx)
		}
		sp, err := tx.Begin(ctx)
		if err != nil {
			return err
		}
		if err := fn(sp); err != nil {
			_ = sp.Rollback(context.WithoutCancel(ctx))
			return err
		}
		return sp.Commit(ctx)
	})
}

func checkTimes(a *medic.Appointment, start, end time.Time) error {
	if start.IsZero() || !end.After(start) {
		return &medic.Error{Code: medic.EINVALID, Message: "Some fields are not valid.", Fields: map[string]string{"end": "The end must be after the start."}}
	}
	if a.Overbooked && strings.TrimSpace(a.OverbookReason) == "" {
		return &medic.Error{Code: medic.EINVALID, Message: "Some fields are not valid.", Fields: map[string]string{"overbook_reason": "Give a reason for booking beyond capacity."}}
	}
	return nil
}

func overbookReason(a *medic.Appointment) string { return overbookReasonIf(a.Overbooked, a) }

// overbookReasonIf is a's reason when it holds an overbooked place, else "".
func overbookReasonIf(overbooked bool, a *medic.Appointment) string {
	if !overbooked {
		return ""
	}
	return strings.TrimSpace(a.OverbookReason)
}

// sortClaims checks the claims and returns them in slot order (the order
// every operation locks slot rows in), truncated to the microseconds
// PostgreSQL keeps.
func sortClaims(claims []medic.SlotClaim) ([]medic.SlotClaim, error) {
	if len(claims) == 0 {
		return nil, medic.Errorf(medic.EINVALID, "Choose a slot.")
	}
	cs := make([]medic.SlotClaim, len(claims))
	for i, c := range claims {
		if c.Capacity < 1 || c.Start.IsZero() {
			return nil, medic.Errorf(medic.EINVALID, "A slot claim needs a start and a capacity of at least 1.")
		}
		cs[i] = medic.SlotClaim{Start: c.Start.Truncate(time.Microsecond).UTC(), Capacity: c.Capacity}
	}
	slices.SortFunc(cs, func(x, y medic.SlotClaim) int { return x.Start.Compare(y.Start) })
	for i := 1; i < len(cs); i++ {
		if cs[i].Start.Equal(cs[i-1].Start) {
			return nil, medic.Errorf(medic.EINVALID, "A slot is claimed twice.")
		}
	}
	return cs, nil
}

// claimSQL takes a place while one is free and records it for the
// appointment; no row inserted means the slot is full.
const claimSQL = `WITH claimed AS (
		INSERT INTO slot_places AS sp (practice_id, practitioner_id, slot_start, capacity, booked, overbooked)
		VALUES ($1, $2, $4, $5, 1, 0)
		ON CONFLICT (practice_id, practitioner_id, slot_start)
			DO UPDATE SET booked = sp.booked + 1, capacity = EXCLUDED.capacity WHERE sp.booked < EXCLUDED.capacity
		RETURNING sp.slot_start)
	INSERT INTO appointment_slots (practice_id, appointment_id, practitioner_id, slot_start, overbooked)
	SELECT $1, $3, $2, slot_start, false FROM claimed`

// claimOrFailSQL is claimSQL for pipelines: a full slot is an error, not
// an empty result, so that it stops the statements queued after it. The
// upsert's row lock serialises claims of one slot, and the CHECK booked <=
// capacity refuses the one too many (23514).
const claimOrFailSQL = `WITH claimed AS (
		INSERT INTO slot_places AS sp (practice_id, practitioner_id, slot_start, capacity, booked, overbooked)
		VALUES ($1, $2, $4, $5, 1, 0)
		ON CONFLICT (practice_id, practitioner_id, slot_start)
			DO UPDATE SET booked = sp.booked + 1, capacity = EXCLUDED.capacity
		RETURNING sp.slot_start)
	INSERT INTO appointment_slots (practice_id, appointment_id, practitioner_id, slot_start, overbooked)
	SELECT $1, $3, $2, slot_start, false FROM claimed`

// overbookSQL takes an overbooked place, counted apart and never refused.
const overbookSQL = `WITH claimed AS (
		INSERT INTO slot_places AS sp (practice_id, practitioner_id, slot_start, capacity, booked, overbooked)
		VALUES ($1, $2, $4, $5, 0, 1)
		ON CONFLICT (practice_id, practitioner_id, slot_start) DO UPDATE SET overbooked = sp.overbooked + 1
		RETURNING sp.slot_start)
	INSERT INTO appointment_slots (practice_id, appointment_id, practitioner_id, slot_start, overbooked)
	SELECT $1, $3, $2, slot_start, true FROM claimed`

// claimSlot takes a regular place in slot c for the appointment or, when
// the slot is full and mayOverbook, an overbooked place (reported by
// overbooked); a full slot otherwise is ErrSlotFull.
func claimSlot(ctx context.Context, tx pgx.Tx, pid, practitionerID, appointmentID string, c medic.SlotClaim, mayOverbook bool) (overbooked bool, err error) {
	tag, err := tx.Exec(ctx, claimSQL, pid, practitionerID, appointmentID, c.Start, c.Capacity)
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23514" && pe.TableName == "slot_places" {
		return false, medic.ErrSlotFull // the CHECK booked <= capacity, should the upsert ever let one through
	}
	if err != nil {
		return false, refNotFound(err)
	}
	if tag.RowsAffected() == 1 {
		return false, nil
	}
	if !mayOverbook {
		return false, medic.ErrSlotFull
	}
	if _, err := tx.Exec(ctx, overbookSQL, pid, practitionerID, appointmentID, c.Start, c.Capacity); err != nil {
		return false, refNotFound(err)
	}
	return true, nil
}

// releaseSQL gives back the place an appointment holds in one slot.
const releaseSQL = `WITH released AS (
		DELETE FROM appointment_slots WHERE practice_id = $1 AND appointment_id = $2 AND slot_start = $3
		RETURNING practitioner_id, slot_start, overbooked)
	UPDATE slot_places sp SET booked = sp.booked - CASE WHEN r.overbooked THEN 0 ELSE 1 END,
		overbooked = sp.overbooked - CASE WHEN r.overbooked THEN 1 ELSE 0 END
	FROM released r WHERE sp.practice_id = $1 AND sp.practitioner_id = r.practitioner_id AND sp.slot_start = r.slot_start`

func releaseSlot(ctx context.Context, tx pgx.Tx, pid, appointmentID string, start time.Time) error {
	_, err := tx.Exec(ctx, releaseSQL, pid, appointmentID, start)
	return err
}

type heldSlot struct {
	start      time.Time
	overbooked bool
}

// heldSlots lists the places an appointment holds, in slot order.
func heldSlots(ctx context.Context, tx pgx.Tx, pid, appointmentID string) ([]heldSlot, error) {
	rows, err := tx.Query(ctx, `SELECT slot_start, overbooked FROM appointment_slots WHERE practice_id = $1 AND appointment_id = $2 ORDER BY slot_start`, pid, appointmentID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (heldSlot, error) {
		var h heldSlot
		err := r.Scan(&h.start, &h.overbooked)
		return h, err
	})
}
