package postgres

import (
	"context"
	"encoding/json"

	"github.com/jackc/pgx/v5"

	"medic"
)

const practiceColumns = `id, slug, name, type, email, phone, address, registration_number, time_zone, plan, status, branding, booking, require_2fa, created_at, updated_at`

func scanPractice(row pgx.Row) (*medic.Practice, error) {
	var p medic.Practice
	var branding, booking []byte
	err := row.Scan(&p.ID, &p.Slug, &p.Name, &p.Type, &p.Email, &p.Phone, &p.Address, &p.RegistrationNumber, &p.TimeZone,
		&p.Plan, &p.Status, &branding, &booking, &p.Require2FA, &p.CreatedAt, &p.UpdatedAt)
	if err != nil {
		return nil, notFound(err)
	}
	p.Booking = medic.DefaultBooking
	_ = json.Unmarshal(branding, &p.Branding)
	_ = json.Unmarshal(booking, &p.Booking)
	return &p, nil
}

// FindPracticeByRef finds a practice by id or slug; ENOTFOUND otherwise.
func (db *DB) FindPracticeByRef(ctx context.Context, ref string) (p *medic.Practice, err error) {
	err = db.do(ctx, func(tx pgx.Tx) error {
		if isUUID(ref) {
			p, err = scanPractice(tx.QueryRow(ctx, `SELECT `+practiceColumns+` FROM practices WHERE id = $1`, ref))
		} else {
			p, err = scanPractice(tx.QueryRow(ctx, `SELECT `+practiceColumns+` FROM practices WHERE slug = lower($1)`, ref))
		}
		return err
	})
	return p, err
}

// ListPractices lists every practice by name (operator).
func (db *DB) ListPractices(ctx context.Context) (ps []*medic.Practice, err error) {
	err = db.do(ctx, func(tx pgx.Tx) error {
		var err error
		ps, err = queryAll(ctx, tx, scanPractice, `SELECT `+practiceColumns+` FROM practices ORDER BY name, id`)
		return err
	})
	return ps, err
}

// CreatePractice inserts p; ECONFLICT if the slug is taken.
func (db *DB) CreatePractice(ctx context.Context, p *medic.Practice) error {
	if p.Status == "" {
		p.Status = medic.PracticeActive
	}
	if p.Booking.Equal(medic.BookingSettings{}) {
		p.Booking = medic.DefaultBooking
	}
	branding, _ := json.Marshal(p.Branding)
	booking, _ := json.Marshal(p.Booking)
	err := db.do(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO practices (slug, name, type, email, phone, address, registration_number, time_zone, plan, status, branding, booking, require_2fa, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING id, created_at, updated_at`,
			p.Slug, p.Name, p.Type, p.Email, p.Phone, p.Address, p.RegistrationNumber, p.TimeZone, p.Plan, p.Status, branding, booking, p.Require2FA, db.now()).
			Scan(&p.ID, &p.CreatedAt, &p.UpdatedAt)
	})
	if isUniqueViolation(err, "practices_slug_key") {
		return &medic.Error{Code: medic.ECONFLICT, Message: "That address (slug) is taken.", Fields: map[string]string{"slug": "That address (slug) is taken."}}
	}
	return err
}

// UpdatePractice saves the settings of the practice in context.
func (db *DB) UpdatePractice(ctx context.Context, p *medic.Practice) error {
	id, err := tenantID(ctx)
	if err != nil {
		return err
	}
	branding, _ := json.Marshal(p.Branding)
	booking, _ := json.Marshal(p.Booking)
	return db.exec1(ctx, `UPDATE practices SET name = $2, type = $3, email = $4, phone = $5, address = $6, registration_number = $7,
		time_zone = $8, branding = $9, booking = $10, require_2fa = $11, updated_at = $12 WHERE id = $1`,
		id, p.Name, p.Type, p.Email, p.Phone, p.Address, p.RegistrationNumber, p.TimeZone, branding, booking, p.Require2FA, db.now())
}

// SetPracticeStatus suspends or reactivates a practice (operator).
func (db *DB) SetPracticeStatus(ctx context.Context, id string, s medic.PracticeStatus) error {
	if !isUUID(id) {
		return medic.ErrNotFound
	}
	return db.exec1(ctx, `UPDATE practices SET status = $2, updated_at = $3 WHERE id = $1`, id, s, db.now())
}

// SetLogo stores the logo of the practice in context.
func (db *DB) SetLogo(ctx context.Context, logo *medic.Logo) error {
	id, err := tenantID(ctx)
	if err != nil {
		return err
	}
	return db.do(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO practice_logos (practice_id, content_type, data, updated_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (practice_id) DO UPDATE SET content_type = EXCLUDED.content_type, data = EXCLUDED.data, updated_at = EXCLUDED.updated_at`,
			id, logo.ContentType, logo.Data, db.now()); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE practices SET branding = branding || '{"has_logo": true}', updated_at = $2 WHERE id = $1`, id, db.now())
		return err
	})
}

// Logo returns the logo of the practice in context; ENOTFOUND if none.
func (db *DB) Logo(ctx context.Context) (l *medic.Logo, err error) {
	id, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		l = &medic.Logo{}
		return notFound(tx.QueryRow(ctx, `SELECT content_type, data FROM practice_logos WHERE practice_id = $1`, id).Scan(&l.ContentType, &l.Data))
	})
	return l, err
}

// PracticeCounts returns aggregate figures per practice (operator), computed
// under row-level security one practice at a time.
func (db *DB) PracticeCounts(ctx context.Context) (out map[string]medic.PracticeCounts, err error) {
	out = map[string]medic.PracticeCounts{}
	err = db.do(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT practice_id, members, active_members, locations, audit_events, failed_mails FROM practice_counts()`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c medic.PracticeCounts
			if err := rows.Scan(&c.PracticeID, &c.Members, &c.ActiveMembers, &c.Locations, &c.AuditEvents, &c.FailedMails); err != nil {
				return err
			}
			out[c.PracticeID] = c
		}
		return rows.Err()
	})
	return out, err
}
