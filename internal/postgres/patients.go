package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"medic"
)

const patientColumns = `id, practice_id, given_name, family_name, date_of_birth, sex, id_number, passport, email, phone, address,
	preferred_language, medical_aid, emergency_contacts, allergies, chronic_conditions, status, merged_into, created_at, updated_at`

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
// that field exactly; anything else is a name search (see nameSearchCTEs):
// every typed word must start a word of the name, or do so with a typo, or
// appear inside one, or be similar to one (pg_trgm word similarity). Without
// an explicit Sort a name query ranks by relevance (relevanceSort): prefix
// matches first, then infixes, prefixes with a typo, similar words;
// otherwise the list is in the asked order. Merged charts are never listed; inactive
// ones only with IncludeInactive.
func (db *DB) SearchPatients(ctx context.Context, f medic.PatientFilter, page medic.Page) (ps []*medic.Patient, next string, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, "", err
	}
	page = page.Normalize()
	s, err := patientSearchSQL(pid, f, page)
	if err != nil {
		return nil, "", err
	}
	var lastKeys []string
	// The query goes in one round trip with the tenant settings.
	b := &pgx.Batch{}
	if s.names {
		// A name search is planned once per connection and shape: planning
		// it cost more than running it (0.7-1 ms against 0.6-1 ms on 200,000
		// charts), and its plan does not depend on the words typed.
		b.Queue(genericPlanSQL)
	}
	b.Queue(s.sql, s.args...).Query(func(rows pgx.Rows) error {
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
		key := []any{s.sort}
		for _, k := range lastKeys {
			key = append(key, k)
		}
		next = encodeCursor(key...)
	}
	return ps, next, nil
}

// patientSearch is the one statement of a search: it returns patientColumns
// and the text of the row's sort keys (for the cursor).
type patientSearch struct {
	sql   string
	args  []any
	sort  string // the sort's name, first in the cursor
	names bool   // a name search
}

// relevanceSort orders name matches: the match class of the matched word
// (0 the query starts it; 1 it contains the query; 2 it starts with the
// query one letter off, two from six letters typed; 3 pg_trgm finds it
// similar), whether it is a word of the family name (first) or only of the
// given names, the query's word similarity to it (closest first, so the
// word typed in full comes first), the word, then the chart's family and
// given names and id.
var relevanceSort = patientSort{name: "relevance", keys: []sortKey{
	{"f.class", "int"}, {"f.part", "int"}, {"f.nws", "real"}, {"f.word", "text"}, {"x.k_family", "text"}, {"x.k_given", "text"}, {"x.id", "uuid"},
}}

// relevanceWords bounds the matched words one page of a relevance search
// looks at (each lists its charts from the index, up to a page): a one-
// letter query can match thousands of words. Every word has at least one
// chart, so this many fill a page unless most of their charts are inactive.
const relevanceWords = 256

// patientSearchSQL builds the statement of a search.
func patientSearchSQL(pid string, f medic.PatientFilter, page medic.Page) (*patientSearch, error) {
	var args queryArgs
	practice := args.add(pid)
	status := "status <> 'merged'"
	if !f.IncludeInactive {
		status = "status = 'active'"
	}
	where := []string{"practice_id = " + practice, status}
	q := strings.Join(strings.Fields(f.Query), " ")
	cond, words := patientQuery(q, &args)
	if cond != "" {
		where = append(where, cond)
	}
	if !f.DateOfBirth.IsZero() {
		where = append(where, "date_of_birth = "+args.add(f.DateOfBirth.Time())+"::date")
	}
	var with string
	if len(words) > 0 {
		with = nameSearchCTEs(words, practice, &args)
	}
	var sort patientSort
	switch s, ok := patientSorts[f.Sort]; {
	case ok:
		sort = s
	case f.Sort == "" && len(words) > 0 && f.DateOfBirth.IsZero(): // a birth date narrows to a few charts: by name
		sort = relevanceSort
	case f.Sort == "":
		sort = patientSorts["name"]
	default:
		return nil, &medic.Error{Code: medic.EINVALID, Message: "Choose a sort order.",
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
	var after []string // the cursor's keys as typed parameters
	if page.Cursor != "" {
		var tag string
		vals := make([]string, len(sort.keys))
		dst := []any{&tag}
		for i := range vals {
			dst = append(dst, &vals[i])
		}
		if err := decodeCursor(page.Cursor, dst...); err != nil {
			return nil, err
		}
		if tag != sort.name {
			return nil, errBadCursor
		}
		for i, v := range vals {
			after = append(after, args.add(v)+"::"+sort.keys[i].typ)
		}
	}
	limit := args.add(page.Limit + 1)

	if sort.name == relevanceSort.name {
		return &patientSearch{sql: relevanceSQL(with, practice, status, words, after, limit), args: args, sort: sort.name, names: true}, nil
	}
	if after != nil {
		op := " > "
		if sort.desc {
			op = " < "
		}
		where = append(where, "("+strings.Join(exprs, ", ")+")"+op+"("+strings.Join(after, ", ")+")")
	}
	from := "patients"
	if len(words) > 0 {
		// The charts the words match, each looked up by its key.
		with += `, ids AS MATERIALIZED (
			SELECT DISTINCT w.patient_id FROM fz0 f
			CROSS JOIN LATERAL (SELECT patient_id FROM patient_name_words w WHERE w.practice_id = ` + practice + ` AND w.word = f.word OFFSET 0) w)
		`
		from = `ids CROSS JOIN LATERAL (SELECT * FROM patients WHERE practice_id = ` + practice + ` AND id = ids.patient_id OFFSET 0) p`
		if len(words) > 1 {
			where = append(where, strings.TrimPrefix(otherWordsMatch(words, practice, "id"), " AND "))
		}
	}
	sql := with + `SELECT ` + patientColumns + `, ARRAY[` + strings.Join(keyText, ", ") + `] FROM ` + from + `
		WHERE ` + strings.Join(where, " AND ") + ` ORDER BY ` + strings.Join(order, ", ") + ` LIMIT ` + limit
	return &patientSearch{sql: sql, args: args, sort: sort.name, names: len(words) > 0}, nil
}

// relevanceSQL lists the charts of the first word's matches (fz0) in
// relevanceSort order: for each matched word in order, its charts in name
// order straight from patient_name_words' primary key, each chart looked up
// by its key, until the page is full (the matched words come out of f in
// order, so the incremental sort stops there). A page costs about a page of
// index entries and chart lookups, however many charts the practice has.
// A chart with several matching words is listed under its best one only
// (better: the part:word pairs ranked before). OFFSET 0 keeps the lookups
// by key: the planner would otherwise read all the practice's charts or
// words into a hash.
func relevanceSQL(with, practice, status string, words []string, after []string, limit string) string {
	wordAfter, rowAfter := "", ""
	if after != nil {
		wordAfter = " WHERE (class, part, nws, word) >= (" + strings.Join(after[:4], ", ") + ")"
		rowAfter = " AND (f.class, f.part, f.nws, f.word, w.family, w.given, w.patient_id) > (" + strings.Join(after, ", ") + ")"
	}
	cols := strings.Split(patientColumns, ",")
	for i, c := range cols {
		cols[i] = "p." + strings.TrimSpace(c)
	}
	return with + `SELECT ` + patientColumns + `, ARRAY[f.class::text, f.part::text, f.nws::text, f.word::text, x.k_family, x.k_given, x.id::text]
		FROM (
			SELECT word, part, class, nws, better FROM (
				SELECT word, part, class, -ws AS nws, array_agg(part || ':' || word)
					OVER (ORDER BY class, part, -ws, word ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS better
				FROM fz0 CROSS JOIN (VALUES (0::smallint), (1::smallint)) parts (part)
			) r` + wordAfter + ` ORDER BY class, part, nws, word LIMIT ` + strconv.Itoa(relevanceWords) + `
		) f
		CROSS JOIN LATERAL (
			SELECT ` + strings.Join(cols, ", ") + `, w.family AS k_family, w.given AS k_given
			FROM patient_name_words w
			CROSS JOIN LATERAL (SELECT * FROM patients p WHERE p.practice_id = w.practice_id AND p.id = w.patient_id OFFSET 0) p
			WHERE w.practice_id = ` + practice + ` AND w.word = f.word AND w.part = f.part` + rowAfter + otherWordsMatch(words, practice, "w.patient_id") + `
			  AND (f.better IS NULL OR NOT EXISTS (SELECT 1 FROM patient_name_words b
			      WHERE b.practice_id = ` + practice + ` AND b.patient_id = w.patient_id AND b.part || ':' || b.word = ANY (f.better) OFFSET 0))
			  AND p.` + status + `
			ORDER BY w.family, w.given, w.patient_id LIMIT ` + limit + `
		) x
		ORDER BY f.class, f.part, f.nws, f.word, x.k_family, x.k_given, x.id LIMIT ` + limit
}

// otherWordsMatch is the condition that the chart patient has a name word
// matching each typed word after the first, checked on
// patient_name_words_patient_idx alone for each chart the first word finds
// (until the page is full); OFFSET 0 keeps it so, where the planner would
// otherwise gather every chart matching the other words first.
func otherWordsMatch(words []string, practice, patient string) string {
	var b strings.Builder
	for i := 1; i < len(words); i++ {
		o := "o" + strconv.Itoa(i)
		b.WriteString(" AND EXISTS (SELECT 1 FROM patient_name_words " + o + " WHERE " + o + ".practice_id = " + practice + " AND " + o + ".patient_id = " + patient +
			" AND " + o + ".word = ANY ((SELECT array_agg(word) FROM fz" + strconv.Itoa(i) + ")::text[]) OFFSET 0)")
	}
	return b.String()
}

// nameTypoThreshold is the pg_trgm word similarity from which a name word
// matches a typed word with a typo: "nksoi" scores 0.33 against "nkosi".
const nameTypoThreshold = "0.3"

// maxNameWords bounds the words of a name query that count.
const maxNameWords = 6

// nameSearchCTEs defines, for each typed word i, fz<i>: the words of the
// practice's charts that it matches, with their match class and the word
// similarity. Everything is looked up with = and range comparisons on text
// (leakproof), so the app role's plan uses the primary keys of
// patient_name_trigrams under forced row-level security; pg_trgm's
// functions only score the few words found. A word of three letters or
// more also matches words sharing a typo key (patient_name_typo_keys: their
// starts are one edit apart), enough of its trigrams (the count pg_trgm
// needs for the word similarity threshold) or all its inner trigrams (it
// may be inside them); shorter words match as prefixes only.
func nameSearchCTEs(words []string, practice string, args *queryArgs) string {
	ctes := make([]string, len(words))
	for i, w := range words {
		lw := "lower(" + args.add(w) + ")"
		found := `SELECT word FROM patient_name_trigrams WHERE practice_id = ` + practice + ` AND trigram = '' AND word >= ` + lw + ` AND word < ` + lw + ` || chr(1114111)`
		if utf8.RuneCountInString(w) >= 3 {
			found += `
				UNION
				SELECT word FROM patient_name_trigrams WHERE practice_id = ` + practice + ` AND trigram = ANY (ARRAY(SELECT patient_name_typo_keys(` + lw + `)))`
			found += `
				UNION
				SELECT word FROM patient_name_trigrams WHERE practice_id = ` + practice + ` AND trigram = ANY (show_trgm(` + lw + `)) GROUP BY word
				HAVING count(*) >= ceil(` + nameTypoThreshold + ` * cardinality(show_trgm(` + lw + `)))
				    OR count(*) FILTER (WHERE strpos(trigram, ' ') = 0) >= greatest(1, (SELECT count(*) FROM unnest(show_trgm(` + lw + `)) t WHERE strpos(t, ' ') = 0))`
		}
		ctes[i] = `fz` + strconv.Itoa(i) + ` AS MATERIALIZED (
			SELECT word, class, ws FROM (
				SELECT c.word, CASE
						WHEN starts_with(c.word, ` + lw + `) THEN 0
						WHEN strpos(c.word, ` + lw + `) > 0 THEN 1
						WHEN char_length(` + lw + `) >= 3 AND least(levenshtein(` + lw + `, left(c.word, char_length(` + lw + `))),
							levenshtein(` + lw + `, left(c.word, char_length(` + lw + `) + 1)), levenshtein(` + lw + `, left(c.word, char_length(` + lw + `) - 1)))
							<= CASE WHEN char_length(` + lw + `) >= 6 THEN 2 ELSE 1 END THEN 2
						ELSE 3 END AS class,
					word_similarity(` + lw + `, c.word) AS ws
				FROM (` + found + `) c
			) m WHERE class < 3 OR ws >= ` + nameTypoThreshold + `)`
	}
	return "WITH " + strings.Join(ctes, ",\n") + "\n"
}

// nameSeparators split names and name queries into words; migration 0008's
// patient_name_words_of splits stored names at the same characters.
const nameSeparators = " \t\n\r\f\v'’\".,()/-"

// nameWords splits a name query into its words, the longest first (it
// drives the search: the fewest charts match it), at most maxNameWords.
func nameWords(q string) []string {
	words := strings.FieldsFunc(q, func(r rune) bool { return strings.ContainsRune(nameSeparators, r) })
	if len(words) > maxNameWords {
		words = words[:maxNameWords]
	}
	longest := 0
	for i, w := range words {
		if utf8.RuneCountInString(w) > utf8.RuneCountInString(words[longest]) {
			longest = i
		}
	}
	if len(words) > 1 {
		words[0], words[longest] = words[longest], words[0]
	}
	return words
}

// patientQuery turns a search query into a condition on patients, adding
// its parameters, or into the words of a name search.
func patientQuery(q string, args *queryArgs) (cond string, words []string) {
	if q == "" {
		return "", nil
	}
	if strings.Contains(q, "@") {
		e, err := medic.NormalizeEmail(q)
		if err != nil {
			e = strings.ToLower(q)
		}
		return "email = " + args.add(e), nil
	}
	compact := strings.ReplaceAll(q, " ", "")
	if len(compact) == 13 && allDigits(compact) {
		cond := "id_number = " + args.add(compact)
		if ph, err := medic.NormalizePhone(compact); err == nil { // 00 27 82 555 0100
			cond = "(" + cond + " OR phone = " + args.add(ph) + ")"
		}
		return cond, nil
	}
	if ph, err := medic.NormalizePhone(q); err == nil {
		return "phone = " + args.add(ph), nil
	}
	if digits := strings.Map(keepDigit, q); len(digits) >= 4 && !strings.ContainsFunc(q, notInNumber) {
		// Part of a number: the start of an ID number or digits in a phone.
		return "(id_number LIKE " + args.add(digits+"%") + " OR phone LIKE " + args.add("%"+strings.TrimLeft(digits, "0")+"%") + ")", nil
	}
	words = nameWords(q)
	if len(words) == 0 {
		return "false", nil // only separators
	}
	return "", words
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

// PatientNames maps the charts of the practice in context among ids to
// their names; ids that are not its charts (or not UUIDs) are left out.
func (db *DB) PatientNames(ctx context.Context, ids []string) (map[string]string, error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	var keep []string
	for _, id := range ids {
		if isUUID(id) {
			keep = append(keep, id)
		}
	}
	out := map[string]string{}
	if len(keep) == 0 {
		return out, nil
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id::text, given_name || ' ' || family_name FROM patients WHERE practice_id = $1 AND id = ANY($2::uuid[])`, pid, keep)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, name string
			if err := rows.Scan(&id, &name); err != nil {
				return err
			}
			out[id] = name
		}
		return rows.Err()
	})
	return out, err
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
	if err == nil {
		chartRead(ctx, id)
	}
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
		// Visits and their vitals move together (a set's patient is its
		// encounter's).
		for _, table := range []string{"encounters", "encounter_vitals"} {
			if _, err := tx.Exec(ctx, `UPDATE `+table+` SET patient_id = $3 WHERE practice_id = $1 AND patient_id = $2`, pid, from, into); err != nil {
				return err
			}
		}
		for _, table := range []string{"encounter_diagnoses", "referrals", "orders", "order_results", "prescriptions", "prescription_items"} {
			if _, err := tx.Exec(ctx, `UPDATE `+table+` SET patient_id = $3 WHERE practice_id = $1 AND patient_id = $2`, pid, from, into); err != nil {
				return err
			}
		}

		// Allergies and problems move to the surviving chart (its derived
		// lists follow by trigger); an allergy both charts list as active
		// stays active once, the merged chart's copy made inactive first.
		if _, err := tx.Exec(ctx, `UPDATE patient_allergies a SET status = 'inactive', updated_at = $4
			WHERE a.practice_id = $1 AND a.patient_id = $2 AND a.status = 'active' AND EXISTS (
				SELECT 1 FROM patient_allergies b WHERE b.practice_id = $1 AND b.patient_id = $3 AND b.status = 'active'
					AND lower(b.substance) = lower(a.substance))`, pid, from, into, now); err != nil {
			return err
		}
		for _, table := range []string{"patient_allergies", "patient_conditions"} {
			if _, err := tx.Exec(ctx, `UPDATE `+table+` SET patient_id = $3 WHERE practice_id = $1 AND patient_id = $2`, pid, from, into); err != nil {
				return err
			}
		}
		// "No known allergies" holds for the survivor only if it said so and
		// no allergy came over.
		if _, err := tx.Exec(ctx, `DELETE FROM patient_no_known_allergies n WHERE n.practice_id = $1 AND (n.patient_id = $2
			OR n.patient_id = $3 AND EXISTS (SELECT 1 FROM patient_allergies a WHERE a.practice_id = $1 AND a.patient_id = $3 AND a.status = 'active'))`,
			pid, from, into); err != nil {
			return err
		}

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
