package postgres

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"medic"
)

// A practice's tariff codes and their dated prices (migration 0031).

// tariffSelect reads codes with the price in effect on $2 (-1 when none).
const tariffSelect = `SELECT t.id, t.code, t.description, t.category, t.vatable, coalesce(t.medicine_id::text, ''), t.source, t.active, t.updated_at,
		coalesce((SELECT p.unit_cents FROM tariff_prices p WHERE p.practice_id = t.practice_id AND p.tariff_code_id = t.id AND p.effective_from <= $2::date
			ORDER BY p.effective_from DESC LIMIT 1), -1)
	FROM tariff_codes t`

func scanTariff(row pgx.Row) (*medic.TariffCode, error) {
	var t medic.TariffCode
	if err := row.Scan(&t.ID, &t.Code, &t.Description, &t.Category, &t.VATable, &t.MedicineID, &t.Source, &t.Active, &t.UpdatedAt, &t.UnitCents); err != nil {
		return nil, notFound(err)
	}
	return &t, nil
}

// ListTariffCodes implements medic.TariffService.
func (db *DB) ListTariffCodes(ctx context.Context, f medic.TariffFilter, page medic.Page) (ts []*medic.TariffCode, next string, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, "", err
	}
	page = page.Normalize()
	var args queryArgs
	where := "t.practice_id = " + args.add(pid)
	on := args.add(f.On.Time())
	_ = on // $2, read by tariffSelect
	if !f.WithInactive {
		where += " AND t.active"
	}
	if f.Category != "" {
		where += " AND t.category = " + args.add(string(f.Category))
	}
	for i, w := range strings.Fields(strings.ToLower(f.Query)) {
		if i == 8 {
			break
		}
		where += " AND lower(t.code || ' ' || t.description) LIKE " + args.add("%"+escapeLike(w)+"%")
	}
	if page.Cursor != "" {
		var code, id string
		if err := decodeCursor(page.Cursor, &code, &id); err != nil {
			return nil, "", err
		}
		if !isUUID(id) {
			return nil, "", errBadCursor
		}
		where += " AND (t.code, t.id) > (" + args.add(code) + ", " + args.add(id) + "::uuid)"
	}
	sql := tariffSelect + ` WHERE ` + where + ` ORDER BY t.code, t.id LIMIT ` + args.add(page.Limit+1)
	err = db.do(ctx, func(tx pgx.Tx) error {
		var err error
		ts, err = queryAll(ctx, tx, scanTariff, sql, args...)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	if ts == nil {
		ts = []*medic.TariffCode{}
	}
	if len(ts) > page.Limit {
		ts = ts[:page.Limit]
		last := ts[len(ts)-1]
		next = encodeCursor(last.Code, last.ID)
	}
	return ts, next, nil
}

// FindTariffCode implements medic.TariffService.
func (db *DB) FindTariffCode(ctx context.Context, id string, on medic.Date) (t *medic.TariffCode, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !isUUID(id) {
		return nil, medic.ErrNotFound
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		if t, err = scanTariff(tx.QueryRow(ctx, tariffSelect+` WHERE t.practice_id = $1 AND t.id = $3`, pid, on.Time(), id)); err != nil {
			return err
		}
		return db.readPrices(ctx, tx, pid, t)
	})
	return t, err
}

// FindTariffCodeByCode implements medic.TariffService.
func (db *DB) FindTariffCodeByCode(ctx context.Context, code string, on medic.Date) (t *medic.TariffCode, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		t, err = scanTariff(tx.QueryRow(ctx, tariffSelect+` WHERE t.practice_id = $1 AND t.code = $3`, pid, on.Time(), strings.ToUpper(strings.TrimSpace(code))))
		return err
	})
	return t, err
}

func (db *DB) readPrices(ctx context.Context, tx pgx.Tx, pid string, t *medic.TariffCode) error {
	var err error
	t.Prices, err = queryAll(ctx, tx, func(row pgx.Row) (medic.TariffPrice, error) {
		var p medic.TariffPrice
		var from time.Time
		err := row.Scan(&from, &p.UnitCents)
		p.EffectiveFrom = medic.DateOf(from)
		return p, err
	}, `SELECT effective_from, unit_cents FROM tariff_prices WHERE practice_id = $1 AND tariff_code_id = $2 ORDER BY effective_from DESC`, pid, t.ID)
	return err
}

// CreateTariffCode implements medic.TariffService.
func (db *DB) CreateTariffCode(ctx context.Context, t *medic.TariffCode) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	if t.MedicineID != "" && !isUUID(t.MedicineID) {
		return medic.ErrNotFound
	}
	now := db.now()
	err = db.do(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO tariff_codes (practice_id, code, description, category, vatable, medicine_id, source, active, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id, updated_at`,
			pid, t.Code, t.Description, t.Category, t.VATable, nullUUID(t.MedicineID), t.Source, t.Active, now).Scan(&t.ID, &t.UpdatedAt); err != nil {
			return err
		}
		for _, p := range t.Prices {
			if _, err := tx.Exec(ctx, `INSERT INTO tariff_prices (practice_id, tariff_code_id, effective_from, unit_cents, created_at) VALUES ($1, $2, $3, $4, $5)`,
				pid, t.ID, p.EffectiveFrom.Time(), p.UnitCents, now); err != nil {
				return err
			}
		}
		return nil
	})
	switch {
	case isUniqueViolation(err, ""):
		return &medic.Error{Code: medic.ECONFLICT, Message: "The tariff has that code already.", Fields: map[string]string{"code": "The tariff has that code already."}}
	case isForeignKeyViolation(err):
		return &medic.Error{Code: medic.EINVALID, Message: "Choose a medicine from the practice's list.", Fields: map[string]string{"medicine_id": "Choose a medicine from the practice's list."}}
	}
	return err
}

// UpdateTariffCode implements medic.TariffService.
func (db *DB) UpdateTariffCode(ctx context.Context, t *medic.TariffCode) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	if !isUUID(t.ID) || (t.MedicineID != "" && !isUUID(t.MedicineID)) {
		return medic.ErrNotFound
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		return notFound(tx.QueryRow(ctx, `UPDATE tariff_codes SET description = $3, category = $4, vatable = $5, medicine_id = $6, active = $7, updated_at = $8
			WHERE practice_id = $1 AND id = $2 RETURNING updated_at`,
			pid, t.ID, t.Description, t.Category, t.VATable, nullUUID(t.MedicineID), t.Active, db.now()).Scan(&t.UpdatedAt))
	})
	if isForeignKeyViolation(err) {
		return &medic.Error{Code: medic.EINVALID, Message: "Choose a medicine from the practice's list.", Fields: map[string]string{"medicine_id": "Choose a medicine from the practice's list."}}
	}
	return err
}

// SetTariffPrice implements medic.TariffService.
func (db *DB) SetTariffPrice(ctx context.Context, id string, p medic.TariffPrice) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	if !isUUID(id) {
		return medic.ErrNotFound
	}
	return db.do(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO tariff_prices (practice_id, tariff_code_id, effective_from, unit_cents, created_at)
			SELECT practice_id, id, $3, $4, $5 FROM tariff_codes WHERE practice_id = $1 AND id = $2
			ON CONFLICT (practice_id, tariff_code_id, effective_from) DO UPDATE SET unit_cents = EXCLUDED.unit_cents, created_at = EXCLUDED.created_at`,
			pid, id, p.EffectiveFrom.Time(), p.UnitCents, db.now())
		if err == nil && tag.RowsAffected() == 0 {
			return medic.ErrNotFound
		}
		return err
	})
}

// ImportTariffCodes implements medic.TariffService: per row an upsert of
// the code and of its price from `from`, sent as one batch.
func (db *DB) ImportTariffCodes(ctx context.Context, rows []*medic.TariffCode, from medic.Date) (added, updated int, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return 0, 0, err
	}
	now := db.now()
	err = db.do(ctx, func(tx pgx.Tx) error {
		added, updated = 0, 0
		b := &pgx.Batch{}
		for _, t := range rows {
			b.Queue(`WITH c AS (
					INSERT INTO tariff_codes AS t (practice_id, code, description, category, vatable, source, active, created_at, updated_at)
					VALUES ($1, $2, $3, $4, $5, 'import', true, $6, $6)
					ON CONFLICT (practice_id, code) DO UPDATE SET description = EXCLUDED.description, category = EXCLUDED.category,
						vatable = EXCLUDED.vatable, active = true, updated_at = EXCLUDED.updated_at
					RETURNING id, (xmax = 0) AS inserted
				), p AS (
					INSERT INTO tariff_prices (practice_id, tariff_code_id, effective_from, unit_cents, created_at)
					SELECT $1, id, $7, $8, $6 FROM c
					ON CONFLICT (practice_id, tariff_code_id, effective_from) DO UPDATE SET unit_cents = EXCLUDED.unit_cents
				)
				SELECT id, inserted FROM c`,
				pid, t.Code, t.Description, t.Category, t.VATable, now, from.Time(), t.UnitCents)
		}
		br := tx.SendBatch(ctx, b)
		for _, t := range rows {
			var inserted bool
			if err := br.QueryRow().Scan(&t.ID, &inserted); err != nil {
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
