package postgres

import (
	"context"
	"encoding/json"
	"strings"
	"time"
	"unicode"

	"github.com/jackc/pgx/v5"

	"medic"
)

// The ICD-10 catalog is platform data: no practice, no row-level security,
// so search may use pg_trgm's operators and indexes (unlike name search,
// see migration 0008).

const icd10Columns = `code, title, chapter, valid_clinical, valid_primary, source`

func scanICD10(row pgx.Row) (*medic.ICD10Code, error) {
	var c medic.ICD10Code
	if err := row.Scan(&c.Code, &c.Title, &c.Chapter, &c.ValidClinical, &c.ValidPrimary, &c.Source); err != nil {
		return nil, notFound(err)
	}
	return &c, nil
}

// icd10CodeKey returns the code prefix q spells (upper case, no dot or
// space), or "" when q is not the start of a code: a letter and a digit,
// then letters, digits and dots.
func icd10CodeKey(q string) string {
	k := strings.ToUpper(strings.NewReplacer(".", "", " ", "").Replace(q))
	if len(k) < 1 || len(k) > 7 || k[0] < 'A' || k[0] > 'Z' {
		return ""
	}
	if len(k) == 1 {
		return "" // one letter is a word prefix as much as a chapter
	}
	for i := 1; i < len(k); i++ {
		c := k[i]
		if i == 1 && (c < '0' || c > '9') || !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
			return ""
		}
	}
	return k
}

// likeEscape escapes LIKE's wildcards in s.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// maxSearchWords bounds how many typed words a title search checks.
const maxSearchWords = 5

// SearchICD10 implements medic.ICD10Service: a code prefix by the code
// btree, else words by icd10WordSearchSQL.
func (db *DB) SearchICD10(ctx context.Context, q string, limit int) ([]*medic.ICD10Code, error) {
	q = strings.Join(strings.Fields(strings.ToLower(q)), " ")
	out := []*medic.ICD10Code{}
	if q == "" {
		return out, nil
	}
	limit = medic.Page{Limit: limit}.Normalize().Limit
	err := db.do(ctx, func(tx pgx.Tx) error {
		scan := func(sql string, args ...any) error {
			cs, err := queryAll(ctx, tx, scanICD10, sql, args...)
			out = append(out, cs...)
			return err
		}
		if key := icd10CodeKey(q); key != "" {
			// A code prefix: the code_key btree ("C" collation) answers LIKE
			// 'E11%' as a range, in code order.
			if err := scan(`SELECT `+icd10Columns+` FROM icd10_codes
				WHERE code_key LIKE $1 AND valid_clinical ORDER BY code_key LIMIT $2`, key+"%", limit); err != nil || len(out) > 0 {
				return err
			}
		}
		words := strings.FieldsFunc(q, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		if len(words) == 0 {
			return nil
		}
		if len(words) > maxSearchWords {
			words = words[:maxSearchWords]
		}
		return scan(icd10WordSearchSQL, words, len(words), "%"+likeEscape(q)+"%", limit)
	})
	return out, err
}

// icd10WordSearchSQL finds the codes whose title has every typed word ($1,
// $2 of them): as a word, as a word's start, or (for words of four letters
// or more) as a vocabulary word a typo away (pg_trgm similarity). Titles
// holding the whole phrase ($3) come first, then exact words before
// prefixes before typos, then shorter (more general) titles.
const icd10WordSearchSQL = `WITH matched AS (
	SELECT t.i, v.word, CASE WHEN v.word = t.w THEN 3 WHEN left(v.word, length(t.w)) = t.w THEN 2 ELSE 1 END AS score
	FROM unnest($1::text[]) WITH ORDINALITY t (w, i)
	CROSS JOIN LATERAL (
		(SELECT word FROM icd10_vocabulary WHERE word >= t.w AND word < t.w || chr(1114111) ORDER BY word LIMIT 200)
		UNION
		(SELECT word FROM icd10_vocabulary WHERE length(t.w) >= 4 AND word % t.w ORDER BY similarity(word, t.w) DESC LIMIT 20)
	) v
), per_word AS (
	SELECT m.i, w.code, max(m.score) AS score FROM matched m JOIN icd10_words w ON w.word = m.word GROUP BY m.i, w.code
), hits AS (
	SELECT code, sum(score) AS score FROM per_word GROUP BY code HAVING count(*) = $2
)
SELECT k.code, k.title, k.chapter, k.valid_clinical, k.valid_primary, k.source
FROM hits h JOIN icd10_codes k ON k.code = h.code
WHERE k.valid_clinical
ORDER BY k.search_title LIKE $3 DESC, h.score DESC, length(k.title), k.code
LIMIT $4`

// FindICD10 implements medic.ICD10Service.
func (db *DB) FindICD10(ctx context.Context, code string) (*medic.ICD10Code, error) {
	code, err := medic.NormalizeICD10(code)
	if err != nil {
		return nil, medic.ErrNotFound
	}
	var c *medic.ICD10Code
	err = db.do(ctx, func(tx pgx.Tx) error {
		c, err = scanICD10(tx.QueryRow(ctx, `SELECT `+icd10Columns+` FROM icd10_codes WHERE code = $1`, code))
		return err
	})
	return c, err
}

// CountICD10 implements medic.ICD10Service.
func (db *DB) CountICD10(ctx context.Context) (n int, err error) {
	err = db.do(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT count(*) FROM icd10_codes`).Scan(&n)
	})
	return n, err
}

const icd10ImportColumns = `id, filename, state, size_bytes, read_bytes, rows_read, rows_saved, rows_rejected, rejections, error,
	created_by, created_at, started_at, finished_at`

func scanICD10Import(row pgx.Row) (*medic.ICD10Import, error) {
	var i medic.ICD10Import
	var rej []byte
	var started, finished *time.Time
	if err := row.Scan(&i.ID, &i.Filename, &i.State, &i.SizeBytes, &i.ReadBytes, &i.RowsRead, &i.RowsSaved, &i.RowsRejected,
		&rej, &i.Error, &i.CreatedBy, &i.CreatedAt, &started, &finished); err != nil {
		return nil, notFound(err)
	}
	if started != nil {
		i.StartedAt = *started
	}
	if finished != nil {
		i.FinishedAt = *finished
	}
	if err := json.Unmarshal(rej, &i.Rejections); err != nil {
		return nil, err
	}
	return &i, nil
}

// CreateICD10Import implements medic.ICD10Service.
func (db *DB) CreateICD10Import(ctx context.Context, imp *medic.ICD10Import, data []byte) error {
	return db.do(ctx, func(tx pgx.Tx) error {
		imp.State, imp.SizeBytes, imp.CreatedAt = medic.ImportQueued, int64(len(data)), db.now()
		if err := tx.QueryRow(ctx, `INSERT INTO icd10_imports (filename, data, size_bytes, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, imp.Filename, data, imp.SizeBytes, imp.CreatedBy, imp.CreatedAt).Scan(&imp.ID); err != nil {
			return err
		}
		return db.Enqueue(ctx, tx, medic.ICD10ImportJob{ImportID: imp.ID})
	})
}

// FindICD10Import implements medic.ICD10Service.
func (db *DB) FindICD10Import(ctx context.Context, id string) (imp *medic.ICD10Import, err error) {
	if !isUUID(id) {
		return nil, medic.ErrNotFound
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		imp, err = scanICD10Import(tx.QueryRow(ctx, `SELECT `+icd10ImportColumns+` FROM icd10_imports WHERE id = $1`, id))
		return err
	})
	return imp, err
}

// ListICD10Imports implements medic.ICD10Service: newest first.
func (db *DB) ListICD10Imports(ctx context.Context, limit int) (out []*medic.ICD10Import, err error) {
	limit = medic.Page{Limit: limit}.Normalize().Limit
	err = db.do(ctx, func(tx pgx.Tx) error {
		out, err = queryAll(ctx, tx, scanICD10Import, `SELECT `+icd10ImportColumns+` FROM icd10_imports ORDER BY seq DESC LIMIT $1`, limit)
		return err
	})
	return out, err
}

// StartICD10Import implements medic.ICD10Service. A running import is one
// a crashed worker left: it starts again from the top (saving is an
// upsert, so rows read twice change nothing).
func (db *DB) StartICD10Import(ctx context.Context, id string, now time.Time) (data []byte, err error) {
	if !isUUID(id) {
		return nil, medic.ErrNotFound
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `UPDATE icd10_imports SET state = 'running', started_at = $2, read_bytes = 0, rows_read = 0,
				rows_saved = 0, rows_rejected = 0, rejections = '[]'
			WHERE id = $1 AND state IN ('queued', 'running') RETURNING data`, id, now).Scan(&data)
		if err == pgx.ErrNoRows {
			var exists bool
			if err := tx.QueryRow(ctx, `SELECT true FROM icd10_imports WHERE id = $1`, id).Scan(&exists); err != nil {
				return notFound(err)
			}
			return medic.Errorf(medic.ECONFLICT, "This import has finished.")
		}
		return err
	})
	return data, err
}

// SaveICD10Batch implements medic.ICD10Service.
func (db *DB) SaveICD10Batch(ctx context.Context, id string, codes []medic.ICD10Code, p medic.ICD10Progress, now time.Time) error {
	n := len(codes)
	code, title, chapter := make([]string, n), make([]string, n), make([]string, n)
	clinical, primary := make([]bool, n), make([]bool, n)
	for i, c := range codes {
		code[i], title[i], chapter[i], clinical[i], primary[i] = c.Code, c.Title, c.Chapter, c.ValidClinical, c.ValidPrimary
	}
	rej := p.Rejections
	if rej == nil {
		rej = []medic.ICD10Rejection{}
	}
	rj, _ := json.Marshal(rej)
	return db.do(ctx, func(tx pgx.Tx) error {
		if n > 0 {
			if _, err := tx.Exec(ctx, `INSERT INTO icd10_codes AS k (code, title, chapter, valid_clinical, valid_primary, source, updated_at)
				SELECT c, t, coalesce(nullif(ch, ''), icd10_chapter(c)), vc, vp, 'import', $6
				FROM unnest($1::text[], $2::text[], $3::text[], $4::bool[], $5::bool[]) u (c, t, ch, vc, vp)
				ON CONFLICT (code) DO UPDATE SET title = EXCLUDED.title, chapter = EXCLUDED.chapter, valid_clinical = EXCLUDED.valid_clinical,
					valid_primary = EXCLUDED.valid_primary, source = 'import', updated_at = EXCLUDED.updated_at
				WHERE (k.title, k.chapter, k.valid_clinical, k.valid_primary, k.source)
					IS DISTINCT FROM (EXCLUDED.title, EXCLUDED.chapter, EXCLUDED.valid_clinical, EXCLUDED.valid_primary, 'import')`,
				code, title, chapter, clinical, primary, now); err != nil {
				return err
			}
		}
		tag, err := tx.Exec(ctx, `UPDATE icd10_imports SET read_bytes = $2, rows_read = $3, rows_saved = $4, rows_rejected = $5,
				rejections = rejections || $6::jsonb
			WHERE id = $1 AND state = 'running'`, id, p.ReadBytes, p.RowsRead, p.RowsSaved, p.RowsRejected, string(rj))
		if err == nil && tag.RowsAffected() == 0 {
			return medic.Errorf(medic.ECONFLICT, "This import is not running.")
		}
		return err
	})
}

// FinishICD10Import implements medic.ICD10Service.
func (db *DB) FinishICD10Import(ctx context.Context, id string, state medic.ICD10ImportState, errText string, now time.Time) error {
	return db.do(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE icd10_imports SET state = $2, error = $3, finished_at = $4, data = NULL,
				read_bytes = CASE WHEN $2 = 'done' THEN size_bytes ELSE read_bytes END
			WHERE id = $1 AND state IN ('queued', 'running')`, id, state, errText, now)
		if err == nil && tag.RowsAffected() == 0 {
			return medic.Errorf(medic.ECONFLICT, "This import has finished.")
		}
		return err
	})
}
