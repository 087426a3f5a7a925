package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"medic"
)

const practitionerColumns = `id, practice_id, member_id, name, specialty, registration_number, practice_number, qualifications, status, created_at, updated_at,
	EXISTS (SELECT 1 FROM practitioner_signatures s WHERE s.practice_id = practitioners.practice_id AND s.practitioner_id = practitioners.id)`

func scanPractitioner(row pgx.Row) (*medic.Practitioner, error) {
	var p medic.Practitioner
	var member *string
	err := row.Scan(&p.ID, &p.PracticeID, &member, &p.Name, &p.Specialty, &p.RegistrationNumber, &p.PracticeNumber, &p.Qualifications, &p.Status, &p.CreatedAt, &p.UpdatedAt, &p.HasSignature)
	if err != nil {
		return nil, notFound(err)
	}
	if member != nil {
		p.MemberID = *member
	}
	p.Assignments = []medic.LocationAssignment{}
	return &p, nil
}

// loadAssignments fills in the location assignments of ps (primary first).
func loadAssignments(ctx context.Context, tx pgx.Tx, pid string, ps ...*medic.Practitioner) error {
	if len(ps) == 0 {
		return nil
	}
	byID := make(map[string]*medic.Practitioner, len(ps))
	ids := make([]string, len(ps))
	for i, p := range ps {
		byID[p.ID], ids[i] = p, p.ID
	}
	rows, err := tx.Query(ctx, `SELECT practitioner_id, location_id, is_primary, start_date, end_date FROM practitioner_locations
		WHERE practice_id = $1 AND practitioner_id = ANY($2::uuid[]) ORDER BY practitioner_id, is_primary DESC, start_date, location_id`, pid, ids)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var prID string
		var a medic.LocationAssignment
		var start time.Time
		var end *time.Time
		if err := rows.Scan(&prID, &a.LocationID, &a.Primary, &start, &end); err != nil {
			return err
		}
		a.StartDate, a.EndDate = medic.DateOf(start), dateOf(end)
		if p := byID[prID]; p != nil {
			p.Assignments = append(p.Assignments, a)
		}
	}
	return rows.Err()
}

// ListPractitioners pages through the practitioners of the practice in context, by name.
func (db *DB) ListPractitioners(ctx context.Context, page medic.Page) (ps []*medic.Practitioner, next string, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, "", err
	}
	page = page.Normalize()
	var afterName, afterID string
	if page.Cursor != "" {
		if err := decodeCursor(page.Cursor, &afterName, &afterID); err != nil {
			return nil, "", err
		}
		if !isUUID(afterID) {
			return nil, "", errBadCursor
		}
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+practitionerColumns+` FROM practitioners
			WHERE practice_id = $1 AND ($2 = '' OR (name, id::text) > ($2, $3))
			ORDER BY name, id::text LIMIT $4`, pid, afterName, afterID, page.Limit+1)
		if err != nil {
			return err
		}
		for rows.Next() {
			p, err := scanPractitioner(rows)
			if err != nil {
				rows.Close()
				return err
			}
			ps = append(ps, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(ps) > page.Limit {
			ps = ps[:page.Limit]
			last := ps[len(ps)-1]
			next = encodeCursor(last.Name, last.ID)
		}
		return loadAssignments(ctx, tx, pid, ps...)
	})
	if err != nil {
		return nil, "", err
	}
	return ps, next, nil
}

// FindPractitioner returns ENOTFOUND if the practitioner does not exist or belongs to another practice.
func (db *DB) FindPractitioner(ctx context.Context, id string) (p *medic.Practitioner, err error) {
	return db.findPractitioner(ctx, "id", id)
}

// FindPractitionerByMember returns the practitioner linked to a member of
// the practice in context; ENOTFOUND if there is none.
func (db *DB) FindPractitionerByMember(ctx context.Context, memberID string) (p *medic.Practitioner, err error) {
	return db.findPractitioner(ctx, "member_id", memberID)
}

func (db *DB) findPractitioner(ctx context.Context, column, id string) (p *medic.Practitioner, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !isUUID(id) {
		return nil, medic.ErrNotFound
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		p, err = scanPractitioner(tx.QueryRow(ctx, `SELECT `+practitionerColumns+` FROM practitioners WHERE practice_id = $1 AND `+column+` = $2`, pid, id))
		if err != nil {
			return err
		}
		return loadAssignments(ctx, tx, pid, p)
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// CreatePractitioner inserts p and its location assignments into the
// practice in context; ENOTFOUND for a member or location of another
// practice, ECONFLICT if the member already has a practitioner profile.
func (db *DB) CreatePractitioner(ctx context.Context, p *medic.Practitioner) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	if err := checkPractitionerRefs(p); err != nil {
		return err
	}
	if p.Status == "" {
		p.Status = medic.PractitionerActive
	}
	var id string
	var created time.Time
	err = db.do(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO practitioners (practice_id, member_id, name, specialty, registration_number, practice_number, qualifications, status, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id, created_at`,
			pid, nullID(p.MemberID), p.Name, p.Specialty, p.RegistrationNumber, p.PracticeNumber, p.Qualifications, p.Status, db.now()).Scan(&id, &created)
		if err != nil {
			return err
		}
		return insertAssignments(ctx, tx, pid, id, p.Assignments)
	})
	if err != nil {
		return practitionerErr(err)
	}
	p.ID, p.PracticeID, p.CreatedAt, p.UpdatedAt = id, pid, created, created
	return nil
}

// UpdatePractitioner saves p and replaces its location assignments with
// p.Assignments, in one transaction; ENOTFOUND outside the practice in context.
func (db *DB) UpdatePractitioner(ctx context.Context, p *medic.Practitioner) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	if !isUUID(p.ID) {
		return medic.ErrNotFound
	}
	if err := checkPractitionerRefs(p); err != nil {
		return err
	}
	if p.Status == "" {
		p.Status = medic.PractitionerActive
	}
	now := db.now()
	err = db.do(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE practitioners SET member_id = $3, name = $4, specialty = $5, registration_number = $6, practice_number = $7,
				qualifications = $8, status = $9, updated_at = $10 WHERE practice_id = $1 AND id = $2`,
			pid, p.ID, nullID(p.MemberID), p.Name, p.Specialty, p.RegistrationNumber, p.PracticeNumber, p.Qualifications, p.Status, now)
		if err != nil {
			return err
		}
		if tag.RowsAffected() != 1 {
			return medic.ErrNotFound
		}
		if _, err := tx.Exec(ctx, `DELETE FROM practitioner_locations WHERE practice_id = $1 AND practitioner_id = $2`, pid, p.ID); err != nil {
			return err
		}
		return insertAssignments(ctx, tx, pid, p.ID, p.Assignments)
	})
	if err != nil {
		return practitionerErr(err)
	}
	p.PracticeID, p.UpdatedAt = pid, now
	return nil
}

// checkPractitionerRefs refuses ids that cannot exist before any SQL runs.
func checkPractitionerRefs(p *medic.Practitioner) error {
	if p.MemberID != "" && !isUUID(p.MemberID) {
		return medic.ErrNotFound
	}
	for _, a := range p.Assignments {
		if !isUUID(a.LocationID) {
			return medic.ErrNotFound
		}
	}
	return nil
}

func insertAssignments(ctx context.Context, tx pgx.Tx, pid, practitionerID string, as []medic.LocationAssignment) error {
	if len(as) == 0 {
		return nil
	}
	locs := make([]string, len(as))
	primary := make([]bool, len(as))
	starts := make([]time.Time, len(as))
	ends := make([]*time.Time, len(as))
	for i, a := range as {
		// A zero start date is stored as 0001-01-01, which reads back as zero.
		locs[i], primary[i], starts[i] = a.LocationID, a.Primary, a.StartDate.Time()
		if !a.EndDate.IsZero() {
			e := a.EndDate.Time()
			ends[i] = &e
		}
	}
	_, err := tx.Exec(ctx, `INSERT INTO practitioner_locations (practice_id, practitioner_id, location_id, is_primary, start_date, end_date)
		SELECT $1, $2, u.l, u.p, u.s, u.e FROM unnest($3::uuid[], $4::boolean[], $5::date[], $6::date[]) AS u(l, p, s, e)`,
		pid, practitionerID, locs, primary, starts, ends)
	return err
}

func practitionerErr(err error) error {
	switch {
	case isUniqueViolation(err, "practitioners_practice_id_member_id_key"):
		return &medic.Error{Code: medic.ECONFLICT, Message: "That member already has a practitioner profile.",
			Fields: map[string]string{"member_id": "That member already has a practitioner profile."}}
	case isUniqueViolation(err, "practitioner_locations_pkey"):
		return &medic.Error{Code: medic.EINVALID, Message: "Some fields are not valid.", Fields: map[string]string{"assignments": "Assign each location once."}}
	}
	return refNotFound(err)
}

// SetSignature stores (or replaces) the signature image of a practitioner
// of the practice in context; ENOTFOUND for another practice's.
func (db *DB) SetSignature(ctx context.Context, practitionerID string, sig *medic.Signature) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	if !isUUID(practitionerID) {
		return medic.ErrNotFound
	}
	return db.do(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO practitioner_signatures (practice_id, practitioner_id, content_type, data, updated_at)
			SELECT practice_id, id, $3, $4, $5 FROM practitioners WHERE practice_id = $1 AND id = $2
			ON CONFLICT (practice_id, practitioner_id) DO UPDATE SET content_type = EXCLUDED.content_type, data = EXCLUDED.data, updated_at = EXCLUDED.updated_at`,
			pid, practitionerID, sig.ContentType, sig.Data, db.now())
		if err != nil {
			return err
		}
		if tag.RowsAffected() != 1 {
			return medic.ErrNotFound
		}
		return nil
	})
}

// Signature returns a practitioner's signature image; ENOTFOUND if none
// (or the practitioner is another practice's).
func (db *DB) Signature(ctx context.Context, practitionerID string) (sig *medic.Signature, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !isUUID(practitionerID) {
		return nil, medic.ErrNotFound
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		sig = &medic.Signature{}
		return notFound(tx.QueryRow(ctx, `SELECT content_type, data FROM practitioner_signatures WHERE practice_id = $1 AND practitioner_id = $2`,
			pid, practitionerID).Scan(&sig.ContentType, &sig.Data))
	})
	if err != nil {
		return nil, err
	}
	return sig, nil
}
