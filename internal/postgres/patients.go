package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"medic"
)

const patientColumns = `id, practice_id, given_name, family_name, date_of_birth, sex, id_number, passport, email, phone, address,
	preferred_language, medical_aid, emergency_contacts, allergies, chronic_conditions, status, merged_into, created_at, updated_at`

// nameTypoThreshold is the pg_trgm word similarity above which a name
// matches a query with typos: "nksoi" scores 0.33 against "thabo nkosi".
const nameTypoThreshold = "0.3"

// patientScanArgs returns the scan targets of patientColumns for p, and a
// function that finishes the conversion after the scan.
func patientScanArgs(p *medic.Patient) ([]any, func()) {
	var dob time.Time
	var aid, contacts []byte
	var mergedInto *string
	args := []any{&p.ID, &p.PracticeID, &p.GivenName, &p.FamilyName, &dob, &p.Sex, &p.IDNumber, &p.Passport, &p.Email, &p.Phone, &p.Address,
		&p.PreferredLanguage, &aid, &contacts, &p.Allergies, &p.ChronicConditions, &p.Status, &mergedInto, &p.CreatedAt, &p.UpdatedAt}
	return args, func() {
		p.DateOfBirth = medic.DateOf(dob)
		_ = json.Unmarshal(aid, &p.MedicalAid)
		_ = json.Unmarshal(contacts, &p.EmergencyContacts)
		if mergedInto != nil {
			p.MergedInto = *mergedInto
		}
	}
}

func scanPatient(row pgx.Row, extra ...any) (*medic.Patient, error) {
	var p medic.Patient
	args, finish := patientScanArgs(&p)
	if err := row.Scan(append(args, extra...)...); err != nil {
		return nil, notFound(err)
	}
	finish()
	return &p, nil
}

// patientSort is one order of the patient list: the sort key expressions
// (the last one is the id, unique), their SQL types and the direction. The
// cursor holds the sort's name and the text of each key of the last row.
type patientSort struct {
	name string
	keys []sortKey
	desc bool
}

type sortKey struct{ expr, typ string }

var patientSorts = map[string]patientSort{
	"name": {name: "name", keys: []sortKey{{"lower(family_name)", "text"}, {"lower(given_name)", "text"}, {"id", "uuid"}}},
	"-name": {name: "-name", desc: true,
		keys: []sortKey{{"lower(family_name)", "text"}, {"lower(given_name)", "text"}, {"id", "uuid"}}},
	"created":       {name: "created", keys: []sortKey{{"created_at", "timestamptz"}, {"id", "uuid"}}},
	"-created":      {name: "-created", desc: true, keys: []sortKey{{"created_at", "timestamptz"}, {"id", "uuid"}}},
	"date_of_birth": {name: "date_of_birth", keys: []sortKey{{"date_of_birth", "date"}, {"lower(family_name)", "text"}, {"lower(given_name)", "text"}, {"id", "uuid"}}},
}

// queryArgs numbers the parameters of a query built piece by piece.
type queryArgs []any

func (a *queryArgs) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

// SearchPatients pages through the charts of the practice in context. A
// query that is an email, a 13-digit ID number or a phone number matches
// that field exactly; anything else matches names, typo-tolerant (pg_trgm
// word similarity on search_name, or a substring). Without an explicit Sort
// a name query ranks by relevance (substring matches first, then the
// closest names); otherwise the list is in the asked order. Merged charts
// are never listed; inactive ones only with IncludeInactive.
func (db *DB) SearchPatients(ctx context.Context, f medic.PatientFilter, page medic.Page) (ps []*medic.Patient, next string, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, "", err
	}
	page = page.Normalize()
	var args queryArgs
	where := []string{"practice_id = " + args.add(pid), "status <> 'merged'"}
	if !f.IncludeInactive {
		where = append(where, "status = 'active'")
	}
	q := strings.Join(strings.Fields(f.Query), " ")
	cond, nameSearch := patientQuery(q, &args)
	if cond != "" {
		where = append(where, cond)
	}
	var sort patientSort
	switch s, ok := patientSorts[f.Sort]; {
	case ok:
		sort = s
	case f.Sort == "" && nameSearch:
		// Relevance: substring matches first, then by word similarity (the
		// best-matching word), then by similarity of the whole name, then by
		// name. The keys are deterministic functions of the row and the
		// query, so a keyset cursor works as for the other orders.
		lq, pat := args.add(q), args.add("%"+likeEscape(q)+"%")
		sort = patientSort{name: "relevance", keys: []sortKey{
			{"(NOT (search_name LIKE lower(" + pat + ")))", "boolean"},
			{"(-word_similarity(lower(" + lq + "), search_name))", "real"},
			{"(-similarity(lower(" + lq + "), search_name))", "real"},
			{"lower(family_name)", "text"}, {"lower(given_name)", "text"}, {"id", "uuid"},
		}}
	case f.Sort == "":
		sort = patientSorts["name"]
	default:
		return nil, "", &medic.Error{Code: medic.EINVALID, Message: "Choose a sort order.",
			Fields: map[string]string{"sort": "Use name, -name, created, -created or date_of_birth."}}
	}

	exprs := make([]string, len(sort.keys))
	keyText := make([]string, len(sort.keys))
	order := make([]string, len(sort.keys))
	dir := ""
	if sort.desc {
		dir = " DESC"
	}
	for i, k := range sort.keys {
		exprs[i] = k.expr
		keyText[i] = k.expr + "::text"
		order[i] = k.expr + dir
	}
	if page.Cursor != "" {
		var tag string
		after := make([]string, len(sort.keys))
		dst := []any{&tag}
		for i := range after {
			dst = append(dst, &after[i])
		}
		if err := decodeCursor(page.Cursor, dst...); err != nil {
			return nil, "", err
		}
		if tag != sort.name {
			return nil, "", errBadCursor
		}
		params := make([]string, len(after))
		for i, v := range after {
			params[i] = args.add(v) + "::" + sort.keys[i].typ
		}
		op := " > "
		if sort.desc {
			op = " < "
		}
		where = append(where, "("+strings.Join(exprs, ", ")+")"+op+"("+strings.Join(params, ", ")+")")
	}
	sql := `SELECT ` + patientColumns + `, ARRAY[` + strings.Join(keyText, ", ") + `] FROM patients
		WHERE ` + strings.Join(where, " AND ") + ` ORDER BY ` + strings.Join(order, ", ") + ` LIMIT ` + args.add(page.Limit+1)

	var lastKeys []string
	// The threshold and the query go in one round trip with the tenant.
	b := &pgx.Batch{}
	if nameSearch {
		b.Queue(`SELECT set_config('pg_trgm.word_similarity_threshold', $1, true)`, nameTypoThreshold)
	}
	b.Queue(sql, args...).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var keys []string
			p, err := scanPatient(rows, &keys)
			if err != nil {
				return err
			}
			ps = append(ps, p)
			if len(ps) == page.Limit {
				lastKeys = keys
			}
		}
		return rows.Err()
	})
	err = db.pipeline(ctx, b)
	var pe *pgconn.PgError
	if page.Cursor != "" && errors.As(err, &pe) && strings.HasPrefix(pe.Code, "22") {
		return nil, "", errBadCursor // a key that is not a date, time, uuid or number
	}
	if err != nil {
		return nil, "", err
	}
	if len(ps) > page.Limit {
		ps = ps[:page.Limit]
		key := []any{sort.name}
		for _, k := range lastKeys {
			key = append(key, k)
		}
		next = encodeCursor(key...)
	}
	return ps, next, nil
}

// patientQuery turns a search query into a condition on patients, adding
// its parameters; name reports a name search.
func patientQuery(q string, args *queryArgs) (cond string, name bool) {
	if q == "" {
		return "", false
	}
	if strings.Contains(q, "@") {
		e, err := medic.NormalizeEmail(q)
		if err != nil {
			e = strings.ToLower(q)
		}
		return "email = " + args.add(e), false
	}
	compact := strings.ReplaceAll(q, " ", "")
	if len(compact) == 13 && allDigits(compact) {
		cond := "id_number = " + args.add(compact)
		if ph, err := medic.NormalizePhone(compact); err == nil { // 00 27 82 555 0100
			cond = "(" + cond + " OR phone = " + args.add(ph) + ")"
		}
		return cond, false
	}
	if ph, err := medic.NormalizePhone(q); err == nil {
		return "phone = " + args.add(ph), false
	}
	if digits := strings.Map(keepDigit, q); len(digits) >= 4 && !strings.ContainsFunc(q, notInNumber) {
		// Part of a number: the start of an ID number or digits in a phone.
		return "(id_number LIKE " + args.add(digits+"%") + " OR phone LIKE " + args.add("%"+strings.TrimLeft(digits, "0")+"%") + ")", false
	}
	pat := "%" + likeEscape(q) + "%"
	return "(lower(" + args.add(q) + ") <% search_name OR search_name LIKE lower(" + args.add(pat) + "))", true
}

func allDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func keepDigit(r rune) rune {
	if r >= '0' && r <= '9' {
		return r
	}
	return -1
}

// notInNumber reports a character that cannot be part of a typed number.
func notInNumber(r rune) bool { return !(r >= '0' && r <= '9') && !strings.ContainsRune(" +-().", r) }

// likeEscape escapes LIKE's wildcards (the default escape is backslash).
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// CountPatients counts the charts of the practice in context with status
// ("" counts every chart that is not merged).
func (db *DB) CountPatients(ctx context.Context, status medic.PatientStatus) (n int, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return 0, err
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT count(*) FROM patients WHERE practice_id = $1
			AND (CASE WHEN $2 = '' THEN status <> 'merged' ELSE status = $2 END)`, pid, string(status)).Scan(&n)
	})
	return n, err
}

// FindPatient returns a chart (merged ones too, with MergedInto set);
// ENOTFOUND if it does not exist or belongs to another practice.
func (db *DB) FindPatient(ctx context.Context, id string) (p *medic.Patient, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !isUUID(id) {
		return nil, medic.ErrNotFound
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		p, err = scanPatient(tx.QueryRow(ctx, `SELECT `+patientColumns+` FROM patients WHERE practice_id = $1 AND id = $2`, pid, id))
		return err
	})
	return p, err
}

// patientValues are the user-settable columns, in the order of the INSERT and UPDATE below.
func patientValues(p *medic.Patient) []any {
	aid, _ := json.Marshal(p.MedicalAid)
	contacts := p.EmergencyContacts
	if contacts == nil {
		contacts = []medic.EmergencyContact{}
	}
	cj, _ := json.Marshal(contacts)
	return []any{p.GivenName, p.FamilyName, dateArg(p.DateOfBirth), p.Sex, p.IDNumber, p.Passport, p.Email, p.Phone, p.Address,
		p.PreferredLanguage, aid, cj, nonNil(p.Allergies), nonNil(p.ChronicConditions), p.Status}
}

// CreatePatient inserts p (validated by the caller) into the practice in context.
func (db *DB) CreatePatient(ctx context.Context, p *medic.Patient) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	if p.Sex == "" {
		p.Sex = medic.SexUnknown
	}
	if p.Status == "" {
		p.Status = medic.PatientActive
	}
	if p.Status == medic.PatientMerged {
		return medic.Errorf(medic.EINVALID, "A new chart cannot be merged.")
	}
	p.PracticeID, p.MergedInto = pid, ""
	args := append([]any{pid, db.now()}, patientValues(p)...)
	return db.do(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO patients (practice_id, created_at, updated_at, given_name, family_name, date_of_birth, sex, id_number, passport,
				email, phone, address, preferred_language, medical_aid, emergency_contacts, allergies, chronic_conditions, status)
			VALUES ($1, $2, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
			RETURNING id, created_at, updated_at`, args...).Scan(&p.ID, &p.CreatedAt, &p.UpdatedAt)
	})
}

// UpdatePatient saves p; ENOTFOUND outside the practice in context,
// ECONFLICT for a merged chart (merged charts are kept as they were).
func (db *DB) UpdatePatient(ctx context.Context, p *medic.Patient) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	if !isUUID(p.ID) {
		return medic.ErrNotFound
	}
	if p.Status == medic.PatientMerged {
		return medic.Errorf(medic.EINVALID, "Merge charts with the merge action.")
	}
	if p.Status == "" {
		p.Status = medic.PatientActive
	}
	now := db.now()
	args := append([]any{pid, p.ID, now}, patientValues(p)...)
	err = db.do(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE patients SET updated_at = $3, given_name = $4, family_name = $5, date_of_birth = $6, sex = $7, id_number = $8,
				passport = $9, email = $10, phone = $11, address = $12, preferred_language = $13, medical_aid = $14, emergency_contacts = $15,
				allergies = $16, chronic_conditions = $17, status = $18
			WHERE practice_id = $1 AND id = $2 AND status <> 'merged'`, args...)
		if err != nil || tag.RowsAffected() == 1 {
			return err
		}
		var merged bool
		if err := tx.QueryRow(ctx, `SELECT status = 'merged' FROM patients WHERE practice_id = $1 AND id = $2`, pid, p.ID).Scan(&merged); err != nil {
			return notFound(err)
		}
		return errChartMerged
	})
	if err == nil {
		p.PracticeID, p.UpdatedAt = pid, now
	}
	return err
}

var errChartMerged = medic.Errorf(medic.ECONFLICT, "This chart was merged into another; open that chart instead.")

// FindDuplicates lists charts of the practice in context that look like the
// same person as p: the same ID number, the same email, or the same given
// and family name (case-insensitive) and date of birth. p.ID and merged
// charts are left out; each chart appears once, with its strongest reason.
func (db *DB) FindDuplicates(ctx context.Context, p *medic.Patient) (out []medic.DuplicateMatch, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	self := ""
	if isUUID(p.ID) {
		self = p.ID
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT * FROM (
				SELECT `+patientColumns+`, CASE
					WHEN $3 <> '' AND id_number = $3 THEN 'id_number'
					WHEN $4 <> '' AND email = $4 THEN 'email'
					ELSE 'name_and_date_of_birth' END AS reason
				FROM patients
				WHERE practice_id = $1 AND status <> 'merged' AND ($2 = '' OR id::text <> $2)
				  AND (($3 <> '' AND id_number = $3) OR ($4 <> '' AND email = $4)
				    OR (date_of_birth = $7 AND lower(given_name) = lower($5) AND lower(family_name) = lower($6)))
			) d
			ORDER BY array_position(ARRAY['id_number', 'email', 'name_and_date_of_birth'], reason), lower(family_name), lower(given_name), id
			LIMIT 50`, pid, self, p.IDNumber, p.Email, p.GivenName, p.FamilyName, dateArg(p.DateOfBirth))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var reason string
			d, err := scanPatient(rows, &reason)
			if err != nil {
				return err
			}
			out = append(out, medic.DuplicateMatch{Patient: d, Reason: reason})
		}
		return rows.Err()
	})
	return out, err
}

// MergePatients moves everything of chart `from` to chart `into` and marks
// `from` merged, in one transaction. Both must exist in the practice in
// context (ENOTFOUND), differ (EINVALID) and not be merged (ECONFLICT).
func (db *DB) MergePatients(ctx context.Context, from, into string) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	if !isUUID(from) || !isUUID(into) {
		return medic.ErrNotFound
	}
	if strings.EqualFold(from, into) {
		return medic.Errorf(medic.EINVALID, "A chart cannot be merged into itself.")
	}
	return db.do(ctx, func(tx pgx.Tx) error {
		// Lock both charts, in id order so two merges cannot deadlock.
		rows, err := tx.Query(ctx, `SELECT id, status FROM patients WHERE practice_id = $1 AND id IN ($2, $3) ORDER BY id FOR UPDATE`, pid, from, into)
		if err != nil {
			return err
		}
		status := map[string]medic.PatientStatus{}
		for rows.Next() {
			var id string
			var s medic.PatientStatus
			if err := rows.Scan(&id, &s); err != nil {
				rows.Close()
				return err
			}
			status[id] = s
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(status) != 2 {
			return medic.ErrNotFound
		}
		for _, s := range status {
			if s == medic.PatientMerged {
				return medic.Errorf(medic.ECONFLICT, "One of the charts was already merged; reload.")
			}
		}
		now := db.now()
		if _, err := tx.Exec(ctx, `UPDATE appointments SET patient_id = $3, updated_at = $4 WHERE practice_id = $1 AND patient_id = $2`, pid, from, into, now); err != nil {
			return err
		}
		// Clinical records (encounters, notes, prescriptions, sick notes...)
		// add their own UPDATE ... SET patient_id = $3 here as they arrive.

		// Charts merged into `from` earlier now point at the surviving chart.
		if _, err := tx.Exec(ctx, `UPDATE patients SET merged_into = $3 WHERE practice_id = $1 AND merged_into = $2`, pid, from, into); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE patients SET status = 'merged', merged_into = $3, updated_at = $4 WHERE practice_id = $1 AND id = $2`, pid, from, into, now)
		return err
	})
}

// RecentPatients lists the most recently changed charts (not merged).
func (db *DB) RecentPatients(ctx context.Context, limit int) (ps []*medic.Patient, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	limit = medic.Page{Limit: limit}.Normalize().Limit
	err = db.do(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+patientColumns+` FROM patients WHERE practice_id = $1 AND status <> 'merged'
			ORDER BY updated_at DESC, id LIMIT $2`, pid, limit)
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
	return ps, err
}

// dateArg is a date parameter: NULL for the zero date.
func dateArg(d medic.Date) any {
	if d.IsZero() {
		return nil
	}
	return d.Time()
}

// dateOf converts a nullable date column.
func dateOf(t *time.Time) medic.Date {
	if t == nil {
		return medic.Date{}
	}
	return medic.DateOf(*t)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// nullID is a nullable uuid parameter: NULL for "".
func nullID(id string) any {
	if id == "" {
		return nil
	}
	return id
}

// refNotFound turns a foreign-key violation (an id of another practice, or
// of nothing) into ENOTFOUND: a reference must not reveal what exists.
func refNotFound(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23503" {
		return medic.ErrNotFound
	}
	return err
}
