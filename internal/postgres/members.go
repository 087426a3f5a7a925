package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"medic"
)

const memberColumns = `m.id, m.practice_id, m.user_id, m.role, m.active, m.created_at, u.email, u.name`

func scanMember(row pgx.Row) (*medic.Member, error) {
	var m medic.Member
	err := row.Scan(&m.ID, &m.PracticeID, &m.UserID, &m.Role, &m.Active, &m.CreatedAt, &m.Email, &m.Name)
	if err != nil {
		return nil, notFound(err)
	}
	return &m, nil
}

// ListMembers pages through the members of the practice in context, by email.
func (db *DB) ListMembers(ctx context.Context, page medic.Page) (ms []*medic.Member, next string, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, "", err
	}
	page = page.Normalize()
	var afterEmail, afterID string
	if page.Cursor != "" {
		if err := decodeCursor(page.Cursor, &afterEmail, &afterID); err != nil {
			return nil, "", err
		}
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		var err error
		ms, err = queryAll(ctx, tx, scanMember, `SELECT `+memberColumns+` FROM members m JOIN users u ON u.id = m.user_id
			WHERE m.practice_id = $1 AND ($2 = '' OR (lower(u.email), m.id::text) > ($2, $3))
			ORDER BY lower(u.email), m.id::text LIMIT $4`, pid, afterEmail, afterID, page.Limit+1)
		return err
	})
	if len(ms) > page.Limit {
		ms = ms[:page.Limit]
		last := ms[len(ms)-1]
		next = encodeCursor(last.Email, last.ID)
	}
	return ms, next, err
}

// FindMember returns ENOTFOUND if the member does not exist or belongs to another practice.
func (db *DB) FindMember(ctx context.Context, id string) (m *medic.Member, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !isUUID(id) {
		return nil, medic.ErrNotFound
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		m, err = scanMember(tx.QueryRow(ctx, `SELECT `+memberColumns+` FROM members m JOIN users u ON u.id = m.user_id
			WHERE m.practice_id = $1 AND m.id = $2`, pid, id))
		return err
	})
	return m, err
}

// FindMemberByUser returns the membership of userID in the practice in context.
func (db *DB) FindMemberByUser(ctx context.Context, userID string) (m *medic.Member, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		m, err = scanMember(tx.QueryRow(ctx, `SELECT `+memberColumns+` FROM members m JOIN users u ON u.id = m.user_id
			WHERE m.practice_id = $1 AND m.user_id = $2`, pid, userID))
		return err
	})
	return m, err
}

// FindPracticeWithMember resolves ref (id or slug) to a practice and reads
// userID's membership in it with that practice as the tenant setting, so
// the tenant policy (never own_memberships) decides what is visible. One
// round trip: by slug, the pipeline's first statement sets the tenant to
// the practice the slug names (the practices table has no row-level
// security), before the membership is read. ENOTFOUND if no practice has
// that ref; a nil member if userID has no membership there.
func (db *DB) FindPracticeWithMember(ctx context.Context, ref, userID string) (p *medic.Practice, m *medic.Member, err error) {
	b := &pgx.Batch{}
	practice := func(row pgx.Row) (err error) {
		p, err = scanPractice(row)
		return err
	}
	if isUUID(ref) {
		ctx = withTenant(ctx, ref)
		b.Queue(`SELECT `+practiceColumns+` FROM practices WHERE id = $1`, ref).QueryRow(practice)
	} else {
		b.Queue(`SELECT set_config('app.practice_id', coalesce((SELECT id::text FROM practices WHERE slug = lower($1)), ''), true)`, ref)
		b.Queue(`SELECT `+practiceColumns+` FROM practices WHERE slug = lower($1)`, ref).QueryRow(practice)
	}
	// A slug's practice is unknown here: the membership is read in the
	// practice the settings name, which is that practice (its row was found).
	b.Queue(`SELECT `+memberColumns+` FROM members m JOIN users u ON u.id = m.user_id
		WHERE m.practice_id = current_practice_id() AND m.user_id = $1`, userID).QueryRow(func(row pgx.Row) (err error) {
		m, err = scanMember(row)
		return absent(err)
	})
	if !isUUID(ref) {
		// Back to the settings the caller's transaction believes it has.
		t, _ := medic.TenantFrom(ctx)
		b.Queue(`SELECT set_config('app.practice_id', $1, true)`, t.PracticeID)
	}
	if err := db.pipeline(ctx, b); err != nil {
		return nil, nil, err
	}
	return p, m, nil
}

// CreateMember adds a user to the practice in context; ECONFLICT if already a member.
func (db *DB) CreateMember(ctx context.Context, m *medic.Member) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	m.PracticeID = pid
	err = db.do(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO members (practice_id, user_id, role, active, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)
			RETURNING id, created_at`, pid, m.UserID, m.Role, m.Active, db.now()).Scan(&m.ID, &m.CreatedAt)
	})
	if isUniqueViolation(err, "") {
		return medic.Errorf(medic.ECONFLICT, "This person is already a member of the practice.")
	}
	return err
}

// UpdateMember saves role and active flag; ENOTFOUND outside the practice in context.
func (db *DB) UpdateMember(ctx context.Context, m *medic.Member) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	if !isUUID(m.ID) {
		return medic.ErrNotFound
	}
	return db.exec1(ctx, `UPDATE members SET role = $3, active = $4, updated_at = $5 WHERE practice_id = $1 AND id = $2`, pid, m.ID, m.Role, m.Active, db.now())
}

// CountActiveAdmins counts active admins of the practice in context (a
// practice must keep at least one).
func (db *DB) CountActiveAdmins(ctx context.Context) (n int, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return 0, err
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT count(*) FROM members WHERE practice_id = $1 AND role = 'admin' AND active`, pid).Scan(&n)
	})
	return n, err
}

// MembershipsOfUser lists the signed-in user's memberships in every practice
// (visible through the own_memberships policy).
func (db *DB) MembershipsOfUser(ctx context.Context, userID string) (out []medic.Membership, err error) {
	err = db.do(withTenant(ctx, ""), func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, membershipsSQL, userID)
		if err != nil {
			return err
		}
		out, err = scanMemberships(rows)
		return err
	})
	return out, err
}

// membershipsSQL lists a user's memberships; run with no practice set (the
// own_memberships policy).
const membershipsSQL = `SELECT m.id, p.id, p.slug, p.name, p.status, m.role, m.active
	FROM members m JOIN practices p ON p.id = m.practice_id WHERE m.user_id = $1 ORDER BY p.name, p.id`

func scanMemberships(rows pgx.Rows) ([]medic.Membership, error) {
	defer rows.Close()
	var out []medic.Membership
	for rows.Next() {
		var ms medic.Membership
		if err := rows.Scan(&ms.MemberID, &ms.PracticeID, &ms.PracticeSlug, &ms.PracticeName, &ms.PracticeStatus, &ms.Role, &ms.Active); err != nil {
			return nil, err
		}
		out = append(out, ms)
	}
	return out, rows.Err()
}

// MembershipsWithPractice implements medic.MemberService: the memberships
// (read with no practice set) and then, with practiceID set, the practice
// and the member, in one pipeline.
func (db *DB) MembershipsWithPractice(ctx context.Context, userID, practiceID string) (ms []medic.Membership, p *medic.Practice, m *medic.Member, err error) {
	ctx = withTenant(ctx, "")
	b := &pgx.Batch{}
	b.Queue(membershipsSQL, userID).Query(func(rows pgx.Rows) (err error) {
		ms, err = scanMemberships(rows)
		return err
	})
	if isUUID(practiceID) {
		b.Queue(`SELECT set_config('app.practice_id', $1, true)`, practiceID)
		b.Queue(`SELECT `+practiceColumns+` FROM practices WHERE id = $1`, practiceID).QueryRow(func(row pgx.Row) (err error) {
			p, err = scanPractice(row)
			return absent(err)
		})
		b.Queue(`SELECT `+memberColumns+` FROM members m JOIN users u ON u.id = m.user_id
			WHERE m.practice_id = $1 AND m.user_id = $2`, practiceID, userID).QueryRow(func(row pgx.Row) (err error) {
			m, err = scanMember(row)
			return absent(err)
		})
		// Back to no practice, as the caller's transaction believes.
		b.Queue(`SELECT set_config('app.practice_id', '', true)`)
	}
	if err := db.pipeline(ctx, b); err != nil {
		return nil, nil, nil, err
	}
	return ms, p, m, nil
}
