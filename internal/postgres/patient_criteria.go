package postgres

import (
	"context"
	"strings"
	"time"

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
	key, order, err := patientSortKey(c, page.Cursor, &args)
	if err != nil {
		return nil, "", err
	}
	if key != "" {
		where += " AND " + key
	}
	sql := `SELECT ` + patientColumns + ` FROM patients WHERE ` + where + ` ORDER BY ` + order + ` LIMIT ` + args.add(page.Limit+1)
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
		next = patientCursor(c.Sort, ps[len(ps)-1])
	}
	return ps, next, nil
}

// patientSortKey is the ORDER BY of a sort and the keyset condition that
// starts after cursor (none without one). A cursor carries its sort, so
// one from another order is refused, never misread.
func patientSortKey(c medic.PatientCriteria, cursor string, args *queryArgs) (cond, order string, err error) {
	cols := map[medic.PatientSort][]string{
		"":                    {"id"},
		medic.SortByFamily:    {"lower(family_name)", "lower(given_name)", "id"},
		medic.SortByBirthDate: {"date_of_birth", "id"},
		medic.SortByUpdated:   {"updated_at", "id"},
	}[c.Sort]
	if cols == nil {
		return "", "", &medic.Error{Code: medic.EINVALID, Message: "Sort by family, birthdate or updated."}
	}
	dir, cmp := "", ">"
	if c.Desc {
		dir, cmp = " DESC", "<"
	}
	parts := make([]string, len(cols))
	for i, col := range cols {
		parts[i] = col + dir
	}
	order = strings.Join(parts, ", ")
	if cursor == "" {
		return "", order, nil
	}
	var vals []any
	var after string
	switch c.Sort {
	case "":
		if decodeCursor(cursor, &after) != nil {
			return "", "", errBadCursor
		}
	case medic.SortByFamily:
		var tag, family, given string
		if decodeCursor(cursor, &tag, &family, &given, &after) != nil || tag != "f" {
			return "", "", errBadCursor
		}
		vals = []any{family, given}
	case medic.SortByBirthDate:
		var tag, born string
		if decodeCursor(cursor, &tag, &born, &after) != nil || tag != "b" {
			return "", "", errBadCursor
		}
		vals = []any{born}
	case medic.SortByUpdated:
		var tag string
		var at time.Time
		if decodeCursor(cursor, &tag, &at, &after) != nil || tag != "u" {
			return "", "", errBadCursor
		}
		vals = []any{at}
	}
	if !isUUID(after) {
		return "", "", errBadCursor
	}
	ph := make([]string, 0, len(cols))
	for _, v := range vals {
		switch c.Sort {
		case medic.SortByBirthDate:
			ph = append(ph, args.add(v)+"::date")
		case medic.SortByUpdated:
			ph = append(ph, args.add(v)+"::timestamptz")
		default:
			ph = append(ph, args.add(v)+"::text")
		}
	}
	ph = append(ph, args.add(after)+"::uuid")
	return "(" + strings.Join(cols, ", ") + ") " + cmp + " (" + strings.Join(ph, ", ") + ")", order, nil
}

// patientCursor is the cursor after p in sort order.
func patientCursor(sort medic.PatientSort, p *medic.Patient) string {
	switch sort {
	case medic.SortByFamily:
		return encodeCursor("f", strings.ToLower(p.FamilyName), strings.ToLower(p.GivenName), p.ID)
	case medic.SortByBirthDate:
		return encodeCursor("b", p.DateOfBirth.String(), p.ID)
	case medic.SortByUpdated:
		return encodeCursor("u", p.UpdatedAt, p.ID)
	}
	return encodeCursor(p.ID)
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
