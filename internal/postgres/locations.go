package postgres

import (
	"context"
	"encoding/json"

	"github.com/jackc/pgx/v5"

	"medic"
)

const locationColumns = `id, practice_id, name, address, phone, email, hours, latitude, longitude, active, created_at, updated_at`

func scanLocation(row pgx.Row) (*medic.Location, error) {
	var l medic.Location
	var hours []byte
	err := row.Scan(&l.ID, &l.PracticeID, &l.Name, &l.Address, &l.Phone, &l.Email, &hours, &l.Latitude, &l.Longitude, &l.Active, &l.CreatedAt, &l.UpdatedAt)
	if err != nil {
		return nil, notFound(err)
	}
	_ = json.Unmarshal(hours, &l.Hours)
	return &l, nil
}

// ListLocations pages through the locations of the practice in context, by name.
func (db *DB) ListLocations(ctx context.Context, page medic.Page) (ls []*medic.Location, next string, err error) {
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
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		var err error
		ls, err = queryAll(ctx, tx, scanLocation, `SELECT `+locationColumns+` FROM locations
			WHERE practice_id = $1 AND ($2 = '' OR (name, id::text) > ($2, $3))
			ORDER BY name, id::text LIMIT $4`, pid, afterName, afterID, page.Limit+1)
		return err
	})
	if len(ls) > page.Limit {
		ls = ls[:page.Limit]
		last := ls[len(ls)-1]
		next = encodeCursor(last.Name, last.ID)
	}
	return ls, next, err
}

// FindLocation returns ENOTFOUND if the location does not exist or belongs to another practice.
func (db *DB) FindLocation(ctx context.Context, id string) (l *medic.Location, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !isUUID(id) {
		return nil, medic.ErrNotFound
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		l, err = scanLocation(tx.QueryRow(ctx, `SELECT `+locationColumns+` FROM locations WHERE practice_id = $1 AND id = $2`, pid, id))
		return err
	})
	return l, err
}

// CreateLocation inserts l into the practice in context.
func (db *DB) CreateLocation(ctx context.Context, l *medic.Location) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	l.PracticeID = pid
	hours, _ := json.Marshal(nonNilHours(l.Hours))
	return db.do(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO locations (practice_id, name, address, phone, email, hours, latitude, longitude, active, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id, created_at, updated_at`,
			pid, l.Name, l.Address, l.Phone, l.Email, hours, l.Latitude, l.Longitude, l.Active, db.now()).Scan(&l.ID, &l.CreatedAt, &l.UpdatedAt)
	})
}

// UpdateLocation saves l; ENOTFOUND outside the practice in context.
func (db *DB) UpdateLocation(ctx context.Context, l *medic.Location) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	if !isUUID(l.ID) {
		return medic.ErrNotFound
	}
	hours, _ := json.Marshal(nonNilHours(l.Hours))
	return db.exec1(ctx, `UPDATE locations SET name = $3, address = $4, phone = $5, email = $6, hours = $7, latitude = $8, longitude = $9, active = $10, updated_at = $11
		WHERE practice_id = $1 AND id = $2`, pid, l.ID, l.Name, l.Address, l.Phone, l.Email, hours, l.Latitude, l.Longitude, l.Active, db.now())
}

// DeleteLocation removes a location; ENOTFOUND outside the practice in context.
func (db *DB) DeleteLocation(ctx context.Context, id string) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	if !isUUID(id) {
		return medic.ErrNotFound
	}
	err = db.exec1(ctx, `DELETE FROM locations WHERE practice_id = $1 AND id = $2`, pid, id)
	if isForeignKeyViolation(err) {
		return medic.Errorf(medic.ECONFLICT, "This location is in use by practitioners, schedules or appointments. Mark it inactive instead.")
	}
	return err
}

func nonNilHours(h medic.WeekHours) medic.WeekHours {
	if h == nil {
		return medic.WeekHours{}
	}
	return h
}
