package postgres_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"medic"
	"medic/internal/postgres"
	"medic/internal/postgres/pgtest"
)

func icd10Codes(cs []*medic.ICD10Code) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Code
	}
	return out
}

// TestICD10StarterSet: the migration ships at least 300 codes, each with a
// chapter; external causes are not valid as a primary diagnosis.
func TestICD10StarterSet(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	n, err := db.CountICD10(ctx)
	if err != nil || n < 300 {
		t.Fatalf("catalog holds %d codes (%v), want at least 300", n, err)
	}
	for code, want := range map[string]struct {
		primary bool
		chapter string
	}{
		"I10":   {true, "Diseases of the circulatory system"},
		"E11.9": {true, "Endocrine, nutritional and metabolic diseases"},
		"B24":   {true, "Certain infectious and parasitic diseases"},
		"Z00.1": {true, "Factors influencing health status and contact with health services"},
		"W54.9": {false, "External causes of morbidity and mortality"},
	} {
		c, err := db.FindICD10(ctx, code)
		if err != nil {
			t.Errorf("%s: %v", code, err)
			continue
		}
		if c.ValidPrimary != want.primary || c.Chapter != want.chapter || !c.ValidClinical || c.Source != "starter" {
			t.Errorf("%s: %+v, want primary %v in %q", code, c, want.primary, want.chapter)
		}
	}
	if _, err := db.FindICD10(ctx, "Q99.99"); medic.ErrorCode(err) != medic.ENOTFOUND {
		t.Errorf("unknown code: %v, want ENOTFOUND", err)
	}
}

func TestICD10Search(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	for _, tc := range []struct {
		q     string
		first string   // "" when any order will do
		has   []string // in the results
		none  bool
	}{
		{q: "I10", first: "I10"},
		{q: "i10", first: "I10"},
		{q: "e11.9", first: "E11.9"},
		{q: "E119", first: "E11.9"},
		{q: " e11. 9 ", first: "E11.9"},
		{q: "I1", first: "I10", has: []string{"I11.9", "I12.9"}},
		{q: "hypertension", first: "I10", has: []string{"O13"}},
		{q: "Hypertensoin", has: []string{"I10"}},           // a typo
		{q: "diabetes type 2", has: []string{"E11.9"}},      // words out of order
		{q: "type 2 diab", has: []string{"E11.9", "E11.2"}}, // a phrase's prefix
		{q: "astma", has: []string{"J45.9"}},                // a letter missing
		{q: "gastroenteritis", has: []string{"A09.9"}},      //
		{q: "penicilin", has: []string{"Z88.0"}},            // a letter missing
		{q: "tb", none: true},                               // two letters: title prefixes only
		{q: "tu", has: []string{"A15.0", "A16.2"}},          // "tuberculosis ..." titles
		{q: "%_%", none: true},
		{q: "zzzzqqq", none: true},
		{q: "", none: true},
	} {
		got, err := db.SearchICD10(ctx, tc.q, 20)
		if err != nil {
			t.Errorf("%q: %v", tc.q, err)
			continue
		}
		codes := icd10Codes(got)
		if tc.none != (len(codes) == 0) {
			t.Errorf("%q: got %v", tc.q, codes)
		}
		if tc.first != "" && (len(codes) == 0 || codes[0] != tc.first) {
			t.Errorf("%q: got %v, want %s first", tc.q, codes, tc.first)
		}
		for _, h := range tc.has {
			if !slices.Contains(codes, h) {
				t.Errorf("%q: got %v, want %s among them", tc.q, codes, h)
			}
		}
	}
	if got, _ := db.SearchICD10(ctx, "a", 3); len(got) > 3 {
		t.Errorf("limit 3 gave %d", len(got))
	}
}

func mustUserID(t testing.TB, db *pgtest.DB) string {
	t.Helper()
	u := &medic.User{Email: fmt.Sprintf("u%d@example.org", rand.IntN(1e9)), Name: "Operator"}
	if err := db.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// TestICD10ImportLifecycle: an upload queues its job in the same
// transaction; batches upsert (a title replaced, a new code added) and
// record progress and rejections; finishing drops the file.
func TestICD10ImportLifecycle(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	var queued []postgres.Job
	db.Enqueue = func(_ context.Context, _ pgx.Tx, jobs ...postgres.Job) error {
		queued = append(queued, jobs...)
		return nil
	}
	imp := &medic.ICD10Import{Filename: "mit.csv", CreatedBy: mustUserID(t, db)}
	data := []byte("code,title\nI10,Hypertension\n")
	if err := db.CreateICD10Import(ctx, imp, data); err != nil {
		t.Fatal(err)
	}
	if len(queued) != 1 || queued[0].(medic.ICD10ImportJob).ImportID != imp.ID {
		t.Fatalf("queued %v", queued)
	}
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	got, err := db.StartICD10Import(ctx, imp.ID, now)
	if err != nil || string(got) != string(data) {
		t.Fatalf("start: %q, %v", got, err)
	}
	err = db.SaveICD10Batch(ctx, imp.ID, []medic.ICD10Code{
		{Code: "I10", Title: "Essential hypertension (imported)", ValidClinical: true, ValidPrimary: true},
		{Code: "U07.1", Title: "COVID-19, virus identified", ValidClinical: true, ValidPrimary: true},
		{Code: "E11", Title: "Type 2 diabetes mellitus", ValidClinical: false, ValidPrimary: false, Chapter: "Endocrine"},
	}, medic.ICD10Progress{ReadBytes: 20, RowsRead: 4, RowsSaved: 3, RowsRejected: 1,
		Rejections: []medic.ICD10Rejection{{Line: 4, Reason: "No title."}}}, now)
	if err != nil {
		t.Fatal(err)
	}
	mid, err := db.FindICD10Import(ctx, imp.ID)
	if err != nil || mid.State != medic.ImportRunning || mid.ReadBytes != 20 || mid.RowsSaved != 3 || len(mid.Rejections) != 1 || mid.Rejections[0].Line != 4 {
		t.Fatalf("progress: %+v, %v", mid, err)
	}
	if c, _ := db.FindICD10(ctx, "I10"); c.Title != "Essential hypertension (imported)" || c.Source != "import" {
		t.Errorf("I10 after import: %+v", c)
	}
	if c, _ := db.FindICD10(ctx, "U071"); c == nil || c.Chapter != "Codes for special purposes" {
		t.Errorf("U07.1 after import: %+v (chapter from the code when the file names none)", c)
	}
	if got, _ := db.SearchICD10(ctx, "E11", 50); slices.Contains(icd10Codes(got), "E11") {
		t.Error("a code not valid for clinical use is offered")
	}
	if err := db.FinishICD10Import(ctx, imp.ID, medic.ImportDone, "", now); err != nil {
		t.Fatal(err)
	}
	done, _ := db.FindICD10Import(ctx, imp.ID)
	if done.State != medic.ImportDone || done.Percent() != 100 || done.FinishedAt.IsZero() {
		t.Errorf("finished: %+v", done)
	}
	if _, err := db.StartICD10Import(ctx, imp.ID, now); medic.ErrorCode(err) != medic.ECONFLICT {
		t.Errorf("start after finish: %v, want ECONFLICT", err)
	}
	own := owner(t, db)
	var kept bool
	if err := own.QueryRow(ctx, `SELECT data IS NOT NULL FROM icd10_imports WHERE id = $1`, imp.ID).Scan(&kept); err != nil || kept {
		t.Errorf("file kept after the import: %v %v", kept, err)
	}
}

// BenchmarkICD10Search measures search at the server's store over the full
// catalog plus 20,000 synthetic codes, at 2 concurrent clients, the mix a
// doctor types (code prefixes, words, typos, short prefixes). It reports
// p50 and p95 latency per search.
func BenchmarkICD10Search(b *testing.B) {
	db := pgtest.New(b)
	ctx := context.Background()
	own, err := pgx.Connect(ctx, db.OwnerURL)
	if err != nil {
		b.Fatal(err)
	}
	defer own.Close(ctx)
	vocab := []string{"acute", "chronic", "infection", "fracture", "left", "right", "upper", "lower", "limb", "disorder",
		"syndrome", "neoplasm", "benign", "malignant", "of", "with", "without", "complication", "unspecified", "other",
		"specified", "nerve", "artery", "vein", "kidney", "liver", "lung", "skin", "bone", "joint", "muscle", "tendon",
		"inflammation", "deficiency", "haemorrhage", "obstruction", "degeneration", "congenital", "traumatic", "secondary"}
	if _, err := own.Exec(ctx, `INSERT INTO icd10_codes (code, title, chapter, source)
		SELECT code, title, icd10_chapter(code), 'import' FROM (
			SELECT chr(65 + i % 26) || lpad((i / 26 % 100)::text, 2, '0') || '.' || lpad((i / 2600)::text, 2, '0') AS code,
			       initcap(array_to_string(ARRAY[($1::text[])[1 + (i * 7) % 40], ($1::text[])[1 + (i * 13) % 40],
			           ($1::text[])[1 + (i * 29) % 40], ($1::text[])[1 + (i * 3) % 40]], ' ')) AS title
			FROM generate_series(0, 19999) i) v
		ON CONFLICT DO NOTHING`, vocab); err != nil {
		b.Fatal(err)
	}
	if _, err := own.Exec(ctx, `ANALYZE icd10_codes`); err != nil {
		b.Fatal(err)
	}
	n, _ := db.CountICD10(ctx)
	queries := []string{"I10", "e11.9", "J0", "hypertension", "hypertensoin", "type 2 diabetes", "diabetes", "asthma",
		"chronic kidney", "fracture of lower", "infectoin", "gastro", "urinary tract", "pn", "tuberculosis", "a09", "pneumonia",
		"malignant neoplasm", "z00", "ot"}
	var mu sync.Mutex
	var lat []time.Duration
	b.SetParallelism(1) // with GOMAXPROCS 2: two clients
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := rand.IntN(len(queries))
		var mine []time.Duration
		for pb.Next() {
			start := time.Now()
			if _, err := db.SearchICD10(ctx, queries[i%len(queries)], 20); err != nil {
				b.Error(err)
				return
			}
			mine = append(mine, time.Since(start))
			i++
		}
		mu.Lock()
		lat = append(lat, mine...)
		mu.Unlock()
	})
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	if len(lat) > 0 {
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds())/1000, "p95-ms")
		b.ReportMetric(float64(n), "codes")
	}
}
