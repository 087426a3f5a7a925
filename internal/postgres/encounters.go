package postgres

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"medic"
)

const encounterSelect = `SELECT e.id, e.practice_id, e.patient_id, e.practitioner_id, e.location_id, coalesce(e.appointment_id::text, ''),
		e.stage, e.status, e.subjective, e.objective, e.assessment, e.plan,
		e.started_at, e.stage_since, coalesce(e.finished_at, 'epoch'::timestamptz), coalesce(e.finished_by::text, ''), coalesce(e.created_by::text, ''),
		e.updated_at, e.version,
		p.given_name || ' ' || p.family_name, pr.name, l.name, coalesce(u.name, '')
	FROM encounters e
	JOIN patients p ON p.practice_id = e.practice_id AND p.id = e.patient_id
	JOIN practitioners pr ON pr.practice_id = e.practice_id AND pr.id = e.practitioner_id
	JOIN locations l ON l.practice_id = e.practice_id AND l.id = e.location_id
	LEFT JOIN users u ON u.id = e.finished_by`

func scanEncounter(row pgx.Row) (*medic.Encounter, error) {
	var e medic.Encounter
	err := row.Scan(&e.ID, &e.PracticeID, &e.PatientID, &e.PractitionerID, &e.LocationID, &e.AppointmentID,
		&e.Stage, &e.Status, &e.SOAP.Subjective, &e.SOAP.Objective, &e.SOAP.Assessment, &e.SOAP.Plan,
		&e.StartedAt, &e.StageSince, &e.FinishedAt, &e.FinishedBy, &e.CreatedBy,
		&e.UpdatedAt, &e.Version,
		&e.PatientName, &e.PractitionerName, &e.LocationName, &e.FinishedByName)
	if err != nil {
		return nil, notFound(err)
	}
	if e.FinishedAt.Equal(time.Unix(0, 0)) {
		e.FinishedAt = time.Time{}
	}
	return &e, nil
}

// nullUUID is NULL for "" (an optional reference).
func nullUUID(id string) any {
	if id == "" {
		return nil
	}
	return id
}

// CreateEncounter inserts e as a draft. The chart must not be merged (a
// merged chart's visits belong to the chart it went into); one open draft
// per appointment (the unique index decides, however many race).
func (db *DB) CreateEncounter(ctx context.Context, e *medic.Encounter) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	for _, id := range []string{e.PatientID, e.PractitionerID, e.LocationID} {
		if !isUUID(id) {
			return medic.ErrNotFound
		}
	}
	if e.AppointmentID != "" && !isUUID(e.AppointmentID) {
		return medic.ErrNotFound
	}
	if e.Stage == "" {
		e.Stage = medic.StageRegistration
	}
	now := db.now().Truncate(time.Microsecond)
	if e.StartedAt.IsZero() {
		e.StartedAt = now
	}
	if e.StageSince.IsZero() {
		e.StageSince = e.StartedAt
	}
	id := newID()
	err = db.atomically(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO encounters (id, practice_id, patient_id, practitioner_id, location_id, appointment_id, stage, status,
				subjective, objective, assessment, plan, started_at, stage_since, created_by, updated_at)
			SELECT $2::uuid, $1, p.id, $4::uuid, $5::uuid, $6::uuid, $7, 'draft', $8, $9, $10, $11, $12, $13, $14::uuid, $15
			FROM (SELECT id FROM patients WHERE practice_id = $1 AND id = $3 AND status <> 'merged' FOR KEY SHARE) p`,
			pid, id, e.PatientID, e.PractitionerID, e.LocationID, nullUUID(e.AppointmentID), e.Stage,
			e.SOAP.Subjective, e.SOAP.Objective, e.SOAP.Assessment, e.SOAP.Plan, e.StartedAt, e.StageSince, nullUUID(e.CreatedBy), now)
		if err != nil {
			return err
		}
		if tag.RowsAffected() != 1 {
			return errNoChart
		}
		return nil
	})
	switch {
	case err == nil:
	case isUniqueViolation(err, "encounters_open_appointment_idx"):
		return medic.Errorf(medic.ECONFLICT, "This appointment already has an open encounter.")
	case errors.Is(err, errNoChart):
		return db.whyNoChart(ctx, pid, e.PatientID)
	default:
		return refNotFound(err)
	}
	e.ID, e.PracticeID, e.Status, e.UpdatedAt, e.Version = id, pid, medic.EncounterDraft, now, 1
	return nil
}

// FindEncounter returns ENOTFOUND if the encounter does not exist or
// belongs to another practice. Its addenda come in the same round trip.
func (db *DB) FindEncounter(ctx context.Context, id string) (e *medic.Encounter, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !isUUID(id) {
		return nil, medic.ErrNotFound
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		b.Queue(encounterSelect+` WHERE e.practice_id = $1 AND e.id = $2`, pid, id).QueryRow(func(row pgx.Row) error {
			var err error
			e, err = scanEncounter(row)
			return err
		})
		var addenda []*medic.Addendum
		b.Queue(`SELECT id, practice_id, encounter_id, text, reason, coalesce(author_id::text, ''), author_name, created_at
			FROM encounter_addenda WHERE practice_id = $1 AND encounter_id = $2 ORDER BY created_at, id`, pid, id).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var a medic.Addendum
				if err := rows.Scan(&a.ID, &a.PracticeID, &a.EncounterID, &a.Text, &a.Reason, &a.AuthorID, &a.AuthorName, &a.At); err != nil {
					return err
				}
				addenda = append(addenda, &a)
			}
			return rows.Err()
		})
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		e.Addenda = addenda
		return nil
	})
	return e, err
}

// FindOpenEncounterForAppointment returns the appointment's draft
// encounter; ENOTFOUND if it has none.
func (db *DB) FindOpenEncounterForAppointment(ctx context.Context, appointmentID string) (e *medic.Encounter, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !isUUID(appointmentID) {
		return nil, medic.ErrNotFound
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		e, err = scanEncounter(tx.QueryRow(ctx, encounterSelect+` WHERE e.practice_id = $1 AND e.appointment_id = $2 AND e.status = 'draft'`, pid, appointmentID))
		return err
	})
	return e, err
}

// ListEncounters pages through the encounters of the practice in context
// matching f, newest first.
func (db *DB) ListEncounters(ctx context.Context, f medic.EncounterFilter, page medic.Page) (es []*medic.Encounter, next string, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, "", err
	}
	page = page.Normalize()
	var args queryArgs
	where := "e.practice_id = " + args.add(pid)
	for _, c := range [...]struct{ col, id string }{{"e.patient_id", f.PatientID}, {"e.practitioner_id", f.PractitionerID}, {"e.location_id", f.LocationID}} {
		if c.id == "" {
			continue
		}
		if !isUUID(c.id) {
			return []*medic.Encounter{}, "", nil // matches nothing
		}
		where += " AND " + c.col + " = " + args.add(c.id) + "::uuid"
	}
	if f.PatientIDs != nil {
		where += " AND " + anyUUID("e.patient_id", f.PatientIDs, &args)
	}
	if len(f.Statuses) > 0 {
		ss := make([]string, len(f.Statuses))
		for i, s := range f.Statuses {
			ss[i] = string(s)
		}
		where += " AND e.status = ANY(" + args.add(ss) + "::text[])"
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
		where += " AND (e.started_at, e.id) < (" + args.add(before) + "::timestamptz, " + args.add(beforeID) + "::uuid)"
	}
	sql := encounterSelect + " WHERE " + where + " ORDER BY e.started_at DESC, e.id DESC LIMIT " + args.add(page.Limit+1)
	err = db.do(ctx, func(tx pgx.Tx) error {
		var err error
		es, err = queryAll(ctx, tx, scanEncounter, sql, args...)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	if len(es) > page.Limit {
		es = es[:page.Limit]
		last := es[len(es)-1]
		next = encodeCursor(last.StartedAt, last.ID)
	}
	return es, next, nil
}

// Queue lists the drafts at a location (all locations for ""), by stage
// order and then the longest waiting first.
func (db *DB) Queue(ctx context.Context, locationID string) (es []*medic.Encounter, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if locationID != "" && !isUUID(locationID) {
		return []*medic.Encounter{}, nil
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		var err error
		es, err = queryAll(ctx, tx, scanEncounter, encounterSelect+`
			WHERE e.practice_id = $1 AND e.status = 'draft' AND ($2::uuid IS NULL OR e.location_id = $2::uuid)
			ORDER BY array_position(ARRAY['registration', 'assessment', 'consultation', 'counselling', 'closure'], e.stage), e.stage_since, e.id`,
			pid, nullUUID(locationID))
		return err
	})
	return es, err
}

// QueueVersion fingerprints the drafts Queue lists (the patient's name
// aside: a board polled every few seconds need not notice a rename).
func (db *DB) QueueVersion(ctx context.Context, locationID string) (string, error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return "", err
	}
	if locationID != "" && !isUUID(locationID) {
		return "none", nil
	}
	var n int
	var sum string
	err = db.do(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT count(*), coalesce(md5(string_agg(e.id::text || e.stage || e.stage_since::text
			|| e.practitioner_id::text || e.location_id::text || coalesce(e.appointment_id::text, '') || e.version::text, ',' ORDER BY e.id)), '')
			FROM encounters e WHERE e.practice_id = $1 AND e.status = 'draft' AND ($2::uuid IS NULL OR e.location_id = $2::uuid)`,
			pid, nullUUID(locationID)).Scan(&n, &sum)
	})
	if err != nil {
		return "", err
	}
	return strconv.Itoa(n) + "-" + sum, nil
}

// SaveEncounter writes a draft's changes if it is still a draft at
// e.Version, in one statement; the version goes up by one.
func (db *DB) SaveEncounter(ctx context.Context, e *medic.Encounter) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	if !isUUID(e.ID) {
		return medic.ErrNotFound
	}
	now := db.now().Truncate(time.Microsecond)
	var finishedAt any
	if e.Status == medic.EncounterFinished {
		finishedAt = e.FinishedAt
	}
	return db.do(ctx, func(tx pgx.Tx) error {
		var version int
		err := tx.QueryRow(ctx, `UPDATE encounters SET subjective = $4, objective = $5, assessment = $6, plan = $7,
				stage = $8, stage_since = $9, status = $10, finished_at = $11, finished_by = $12::uuid, updated_at = $13, version = version + 1
			WHERE practice_id = $1 AND id = $2 AND version = $3 AND status = 'draft'
			RETURNING version`,
			pid, e.ID, e.Version, e.SOAP.Subjective, e.SOAP.Objective, e.SOAP.Assessment, e.SOAP.Plan,
			e.Stage, e.StageSince, e.Status, finishedAt, nullUUID(e.FinishedBy), now).Scan(&version)
		if err == nil {
			e.Version, e.UpdatedAt = version, now
			return nil
		}
		if err != pgx.ErrNoRows {
			return err
		}
		var status string
		if err := tx.QueryRow(ctx, `SELECT status FROM encounters WHERE practice_id = $1 AND id = $2`, pid, e.ID).Scan(&status); err != nil {
			return notFound(err)
		}
		if status == string(medic.EncounterFinished) {
			return medic.ErrEncounterFinished
		}
		return medic.ErrEncounterStale
	})
}

// AddAddendum appends a to a finished encounter of the practice in
// context, locking the encounter row (key share) so it is read finished.
func (db *DB) AddAddendum(ctx context.Context, a *medic.Addendum) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	if !isUUID(a.EncounterID) {
		return medic.ErrNotFound
	}
	now := db.now().Truncate(time.Microsecond)
	id := newID()
	return db.do(ctx, func(tx pgx.Tx) error {
		var status string
		if err := tx.QueryRow(ctx, `SELECT status FROM encounters WHERE practice_id = $1 AND id = $2 FOR KEY SHARE`, pid, a.EncounterID).Scan(&status); err != nil {
			return notFound(err)
		}
		if status != string(medic.EncounterFinished) {
			return medic.Errorf(medic.ECONFLICT, "This encounter is still a draft: change the note itself.")
		}
		if _, err := tx.Exec(ctx, `INSERT INTO encounter_addenda (id, practice_id, encounter_id, text, reason, author_id, author_name, created_at)
			VALUES ($1, $2, $3, $4, $5, $6::uuid, $7, $8)`, id, pid, a.EncounterID, a.Text, a.Reason, nullUUID(a.AuthorID), a.AuthorName, now); err != nil {
			return err
		}
		a.ID, a.PracticeID, a.At = id, pid, now
		return nil
	})
}

const encounterTemplateSelect = `SELECT id, practice_id, name, subjective, objective, assessment, plan, active, created_at, updated_at FROM encounter_templates`

func scanEncounterTemplate(row pgx.Row) (*medic.EncounterTemplate, error) {
	var t medic.EncounterTemplate
	err := row.Scan(&t.ID, &t.PracticeID, &t.Name, &t.SOAP.Subjective, &t.SOAP.Objective, &t.SOAP.Assessment, &t.SOAP.Plan, &t.Active, &t.CreatedAt, &t.UpdatedAt)
	if err != nil {
		return nil, notFound(err)
	}
	return &t, nil
}

// ListEncounterTemplates lists the practice's templates by name (active
// ones only unless includeRetired).
func (db *DB) ListEncounterTemplates(ctx context.Context, includeRetired bool) (ts []*medic.EncounterTemplate, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		ts, err = queryAll(ctx, tx, scanEncounterTemplate, encounterTemplateSelect+` WHERE practice_id = $1 AND (active OR $2) ORDER BY lower(name), id`, pid, includeRetired)
		return err
	})
	return ts, err
}

// FindEncounterTemplate returns ENOTFOUND outside the practice in context.
func (db *DB) FindEncounterTemplate(ctx context.Context, id string) (t *medic.EncounterTemplate, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !isUUID(id) {
		return nil, medic.ErrNotFound
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		t, err = scanEncounterTemplate(tx.QueryRow(ctx, encounterTemplateSelect+` WHERE practice_id = $1 AND id = $2`, pid, id))
		return err
	})
	return t, err
}

var errTemplateName = &medic.Error{Code: medic.ECONFLICT, Message: "A template with this name exists.", Fields: map[string]string{"name": "Choose another name."}}

// CreateEncounterTemplate inserts t (active).
func (db *DB) CreateEncounterTemplate(ctx context.Context, t *medic.EncounterTemplate) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	now := db.now().Truncate(time.Microsecond)
	id := newID()
	err = db.do(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO encounter_templates (id, practice_id, name, subjective, objective, assessment, plan, active, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, true, $8, $8)`, id, pid, t.Name, t.SOAP.Subjective, t.SOAP.Objective, t.SOAP.Assessment, t.SOAP.Plan, now)
		return err
	})
	if isUniqueViolation(err, "") {
		return errTemplateName
	}
	if err != nil {
		return err
	}
	t.ID, t.PracticeID, t.Active, t.CreatedAt, t.UpdatedAt = id, pid, true, now, now
	return nil
}

// UpdateEncounterTemplate saves t's name, sections and active flag.
func (db *DB) UpdateEncounterTemplate(ctx context.Context, t *medic.EncounterTemplate) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	if !isUUID(t.ID) {
		return medic.ErrNotFound
	}
	now := db.now().Truncate(time.Microsecond)
	err = db.do(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE encounter_templates SET name = $3, subjective = $4, objective = $5, assessment = $6, plan = $7, active = $8, updated_at = $9
			WHERE practice_id = $1 AND id = $2`, pid, t.ID, t.Name, t.SOAP.Subjective, t.SOAP.Objective, t.SOAP.Assessment, t.SOAP.Plan, t.Active, now)
		if err == nil && tag.RowsAffected() != 1 {
			return medic.ErrNotFound
		}
		return err
	})
	if isUniqueViolation(err, "") {
		return errTemplateName
	}
	if err != nil {
		return err
	}
	t.UpdatedAt = now
	return nil
}
