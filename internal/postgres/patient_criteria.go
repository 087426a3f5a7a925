package postgres

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"

	"medic"
)

// patientCriteriaSQL is the WHERE clause of a structured search (medic.PatientCriteria).
func patientCriteriaSQL(pid string, c medic.PatientCriteria, args *queryArgs) string {
	conds := []string{"practice_id = " + args.add(pid), "status <> 'merged'"}
	if len(c.IDs) > 0 {
		ids := make([]string, 0, len(c.IDs))
		for _, id := range c.IDs {
			if isUUID(id) {
				ids = append(ids, id)
			}
		}
		conds = append(conds, "id = ANY("+args.add(ids)+"::uuid[])")
	}
	// A word of the name starts with the value: ' ' before the name makes
	// the first word one too (the trigram index serves LIKE).
	for _, n := range c.Names {
		conds = append(conds, "(' ' || search_name) LIKE "+args.add("% "+likePrefix(n)+"%"))
	}
	for _, n := range c.Families {
		conds = append(conds, "(' ' || lower(family_name)) LIKE "+args.add("% "+likePrefix(n)+"%"))
	}
	for _, n := range c.Givens {
		conds = append(conds, "(' ' || lower(given_name)) LIKE "+args.add("% "+likePrefix(n)+"%"))
	}
	if !c.BornFrom.IsZero() {
		conds = append(conds, "date_of_birth >= "+args.add(dateArg(c.BornFrom)))
	}
	if !c.BornBefore.IsZero() {
		conds = append(conds, "date_of_birth < "+args.add(dateArg(c.BornBefore)))
	}
	if c.Sex != "" {
		conds = append(conds, "sex = "+args.add(string(c.Sex)))
	}
	if c.IDNumber != "" {
		conds = append(conds, "id_number = "+args.add(c.IDNumber))
	}
	if c.Email != "" {
		conds = append(conds, "lower(email) = "+args.add(strings.ToLower(c.Email)))
	}
	if c.Phone != "" {
		conds = append(conds, "phone = "+args.add(c.Phone))
	}
	if !c.UpdatedFrom.IsZero() {
		conds = append(conds, "updated_at >= "+args.add(c.UpdatedFrom))
	}
	if !c.UpdatedBefore.IsZero() {
		conds = append(conds, "updated_at < "+args.add(c.UpdatedBefore))
	}
	return strings.Join(conds, " AND ")
}

// likePrefix lower-cases s and escapes LIKE's wildcards.
func likePrefix(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// FindPatients pages through the charts matching c, in id order.
func (db *DB) FindPatients(ctx context.Context, c medic.PatientCriteria, page medic.Page) (ps []*medic.Patient, next string, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, "", err
	}
	page = page.Normalize()
	var args queryArgs
	where := patientCriteriaSQL(pid, c, &args)
	if page.Cursor != "" {
		var after string
		if decodeCursor(page.Cursor, &after) != nil || !isUUID(after) {
			return nil, "", errBadCursor
		}
		where += " AND id > " + args.add(after)
	}
	sql := `SELECT ` + patientColumns + ` FROM patients WHERE ` + where + ` ORDER BY id LIMIT ` + args.add(page.Limit+1)
	err = db.do(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, sql, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			p, err := scanPatient(rows)
			if err != nil {
				return err
			}
			ps = append(ps, p)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, "", err
	}
	if len(ps) > page.Limit {
		ps = ps[:page.Limit]
		next = encodeCursor(ps[len(ps)-1].ID)
	}
	return ps, next, nil
}

// CountMatchingPatients counts the charts matching c.
func (db *DB) CountMatchingPatients(ctx context.Context, c medic.PatientCriteria) (n int, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return 0, err
	}
	var args queryArgs
	where := patientCriteriaSQL(pid, c, &args)
	err = db.do(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT count(*) FROM patients WHERE `+where, args...).Scan(&n)
	})
	return n, err
}

// FindPatientForUpdate is FindPatient holding the row's lock to the end
// of the transaction.
func (db *DB) FindPatientForUpdate(ctx context.Context, id string) (p *medic.Patient, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !isUUID(id) {
		return nil, medic.ErrNotFound
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		p, err = scanPatient(tx.QueryRow(ctx, `SELECT `+patientColumns+` FROM patients WHERE practice_id = $1 AND id = $2 FOR UPDATE`, pid, id))
		return err
	})
	return p, err
}
