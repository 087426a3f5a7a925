package postgres

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"

	"medic"
)

// A practice's medicines list (migration 0023): its copy of the starter
// set, its imports and its own entries.

const medicineColumns = `id, name, ingredients, atc, strength, form, route, schedule, dose_unit, unit_mg, paed_max_mg_kg_day, source, active`

func scanMedicine(row pgx.Row) (*medic.Medicine, error) {
	var m medic.Medicine
	if err := row.Scan(&m.ID, &m.Name, &m.Ingredients, &m.ATC, &m.Strength, &m.Form, &m.Route, &m.Schedule, &m.DoseUnit,
		&m.UnitMg, &m.PaedMaxMgKgDay, &m.Source, &m.Active); err != nil {
		return nil, notFound(err)
	}
	return &m, nil
}

// ListMedicines implements medic.MedicineService. A query's words match
// parts of the label or of an ingredient ("amox 250", "clav"); the list is a few
// hundred to a few thousand rows per practice, read through its
// (practice, name) index.
func (db *DB) ListMedicines(ctx context.Context, f medic.MedicineFilter, page medic.Page) (ms []*medic.Medicine, next string, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, "", err
	}
	page = page.Normalize()
	var args queryArgs
	where := "practice_id = " + args.add(pid)
	if !f.WithInactive {
		where += " AND active"
	}
	// Every word must be in the label (name, strength, form) or an
	// ingredient: "amox 250 susp", "clav".
	for i, w := range strings.Fields(strings.ToLower(f.Query)) {
		if i == 8 {
			break
		}
		like := args.add("%" + escapeLike(w) + "%")
		where += " AND (lower(name || ' ' || strength || ' ' || form) LIKE " + like + " OR EXISTS (SELECT 1 FROM unnest(ingredients) i WHERE i LIKE " + like + "))"
	}
	if page.Cursor != "" {
		var name, strength, id string
		if err := decodeCursor(page.Cursor, &name, &strength, &id); err != nil {
			return nil, "", err
		}
		if !isUUID(id) {
			return nil, "", errBadCursor
		}
		where += " AND (lower(name), strength, id) > (" + args.add(name) + ", " + args.add(strength) + ", " + args.add(id) + "::uuid)"
	}
	sql := `SELECT ` + medicineColumns + ` FROM medicines WHERE ` + where + ` ORDER BY lower(name), strength, id LIMIT ` + args.add(page.Limit+1)
	err = db.do(ctx, func(tx pgx.Tx) error {
		var err error
		ms, err = queryAll(ctx, tx, scanMedicine, sql, args...)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	if ms == nil {
		ms = []*medic.Medicine{}
	}
	if len(ms) > page.Limit {
		ms = ms[:page.Limit]
		last := ms[len(ms)-1]
		next = encodeCursor(strings.ToLower(last.Name), last.Strength, last.ID)
	}
	return ms, next, nil
}

// escapeLike makes s match itself in a LIKE pattern.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// FindMedicine implements medic.MedicineService.
func (db *DB) FindMedicine(ctx context.Context, id string) (*medic.Medicine, error) {
	ms, err := db.FindMedicines(ctx, []string{id})
	if err != nil {
		return nil, err
	}
	return ms[0], nil
}

// FindMedicines implements medic.MedicineService.
func (db *DB) FindMedicines(ctx context.Context, ids []string) ([]*medic.Medicine, error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		if !isUUID(id) {
			return nil, medic.ErrNotFound
		}
	}
	var found []*medic.Medicine
	err = db.do(ctx, func(tx pgx.Tx) error {
		var err error
		found, err = queryAll(ctx, tx, scanMedicine, `SELECT `+medicineColumns+` FROM medicines WHERE practice_id = $1 AND id = ANY($2::uuid[])`, pid, ids)
		return err
	})
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*medic.Medicine, len(found))
	for _, m := range found {
		byID[m.ID] = m
	}
	out := make([]*medic.Medicine, len(ids))
	for i, id := range ids {
		if out[i] = byID[id]; out[i] == nil {
			return nil, medic.ErrNotFound
		}
	}
	return out, nil
}

var errMedicineExists = &medic.Error{Code: medic.ECONFLICT, Message: "The list already has a medicine of that name, strength and form.",
	Fields: map[string]string{"name": "The list already has a medicine of that name, strength and form."}}

// CreateMedicine implements medic.MedicineService.
func (db *DB) CreateMedicine(ctx context.Context, m *medic.Medicine) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO medicines (practice_id, name, ingredients, atc, strength, form, route, schedule, dose_unit, unit_mg, paed_max_mg_kg_day, source, active, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING id`,
			pid, m.Name, m.Ingredients, m.ATC, m.Strength, m.Form, m.Route, m.Schedule, m.DoseUnit, m.UnitMg, m.PaedMaxMgKgDay, m.Source, m.Active, db.now()).Scan(&m.ID)
	})
	if isUniqueViolation(err, "medicines_practice_id_name_strength_form_key") {
		return errMedicineExists
	}
	return err
}

// UpdateMedicine implements medic.MedicineService.
func (db *DB) UpdateMedicine(ctx context.Context, m *medic.Medicine) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	if !isUUID(m.ID) {
		return medic.ErrNotFound
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE medicines SET name = $3, ingredients = $4, atc = $5, strength = $6, form = $7, route = $8, schedule = $9,
			dose_unit = $10, unit_mg = $11, paed_max_mg_kg_day = $12, active = $13, updated_at = $14 WHERE practice_id = $1 AND id = $2`,
			pid, m.ID, m.Name, m.Ingredients, m.ATC, m.Strength, m.Form, m.Route, m.Schedule, m.DoseUnit, m.UnitMg, m.PaedMaxMgKgDay, m.Active, db.now())
		if err == nil && tag.RowsAffected() == 0 {
			return medic.ErrNotFound
		}
		return err
	})
	if isUniqueViolation(err, "medicines_practice_id_name_strength_form_key") {
		return errMedicineExists
	}
	return err
}

// ImportMedicines implements medic.MedicineService: one statement per row
// in one transaction (a registry export is thousands of rows, sent as one
// batch), each an upsert on (name, strength, form).
func (db *DB) ImportMedicines(ctx context.Context, rows []*medic.Medicine) (added, updated int, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return 0, 0, err
	}
	now := db.now()
	err = db.do(ctx, func(tx pgx.Tx) error {
		added, updated = 0, 0
		b := &pgx.Batch{}
		for _, m := range rows {
			b.Queue(`INSERT INTO medicines AS m (practice_id, name, ingredients, atc, strength, form, route, schedule, dose_unit, unit_mg, paed_max_mg_kg_day, source, active, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'import', true, $12, $12)
				ON CONFLICT (practice_id, name, strength, form) DO UPDATE SET ingredients = EXCLUDED.ingredients, atc = EXCLUDED.atc,
					route = EXCLUDED.route, schedule = EXCLUDED.schedule, dose_unit = EXCLUDED.dose_unit, unit_mg = EXCLUDED.unit_mg,
					paed_max_mg_kg_day = EXCLUDED.paed_max_mg_kg_day, active = true, updated_at = EXCLUDED.updated_at
				RETURNING id, (xmax = 0)`,
				pid, m.Name, m.Ingredients, m.ATC, m.Strength, m.Form, m.Route, m.Schedule, m.DoseUnit, m.UnitMg, m.PaedMaxMgKgDay, now)
		}
		br := tx.SendBatch(ctx, b)
		for _, m := range rows {
			var inserted bool
			if err := br.QueryRow().Scan(&m.ID, &inserted); err != nil {
				br.Close()
				return err
			}
			if inserted {
				added++
			} else {
				updated++
			}
		}
		return br.Close()
	})
	return added, updated, err
}
