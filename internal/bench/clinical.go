package bench

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ClinicalConfig sizes issue 11's clinical data set: for Share of every
// bench practice's charts (the platform's and the large practice's),
// Encounters finished visits spread over Years, each with a set of vitals
// and a primary diagnosis: the five years of history a chronic patient
// has, which a chart must open fast on.
type ClinicalConfig struct {
	Share      float64 // of each practice's active charts (default 0.01)
	Encounters int     // per chart (default 100)
	Years      int     // spread over (default 5)
	Workers    int     // practices loaded at once (default 2)
	Seed       uint64
	Now        time.Time
}

func (c ClinicalConfig) withDefaults() ClinicalConfig {
	if c.Share <= 0 {
		c.Share = 0.01
	}
	if c.Encounters <= 0 {
		c.Encounters = 100
	}
	if c.Years <= 0 {
		c.Years = 5
	}
	if c.Workers <= 0 {
		c.Workers = 2
	}
	if c.Now.IsZero() {
		c.Now = time.Now()
	}
	return c
}

// clinicalCodes are the diagnoses the visits are coded with: chronic care
// and common acute primary-care problems, as far as the catalog has them.
var clinicalCodes = []string{"I10", "E11.9", "E78.5", "J06.9", "J45.9", "M54.5", "K21.9", "N39.0", "J20.9", "F32.9", "B24", "E66.9"}

// clinicalNotes vary the SOAP text between visits.
var clinicalNotes = [][4]string{
	{"Follow-up of hypertension. Taking amlodipine daily, no side effects. No headaches or chest pain.",
		"Alert, well. Heart sounds normal, chest clear. No pedal oedema.",
		"Hypertension, control %s.", "Continue amlodipine 10 mg daily. Salt reduction discussed. Review in 3 months; U&E due."},
	{"Type 2 diabetes review. Adherent to metformin. Occasional polyuria. Diet: trying to cut sugar.",
		"Feet: sensation intact, no ulcers. Fundi not examined today.",
		"Type 2 diabetes, control %s.", "Continue metformin 850 mg twice daily. HbA1c and lipogram ordered. Dietitian referral offered."},
	{"Sore throat and runny nose for 3 days, mild fever, dry cough. No shortness of breath.",
		"Pharynx injected, no exudate. Chest clear. Ears normal.",
		"Upper respiratory tract infection, %s course.", "Paracetamol, fluids, rest. Return if worse or fever beyond 5 days."},
	{"Lower back pain after lifting at work, 1 week. No leg weakness, no bladder change.",
		"Paraspinal tenderness L4-L5, straight leg raise negative, power normal.",
		"Mechanical low back pain, %s.", "Ibuprofen 400 mg three times daily with food for 5 days, stay active, physio exercises. Sick note 2 days."},
}

var controlWords = []string{"good", "fair", "poor", "improving"}

// GenerateClinical adds the clinical data set to every bench practice that
// lacks it (a practice counts as done when it has the encounters of its
// share of charts), one transaction per practice, written as the owner.
func GenerateClinical(ctx context.Context, ownerURL string, cfg ClinicalConfig, progress io.Writer) error {
	cfg = cfg.withDefaults()
	if progress == nil {
		progress = io.Discard
	}
	pcfg, err := pgxpool.ParseConfig(ownerURL)
	if err != nil {
		return fmt.Errorf("parse database url: %w", err)
	}
	pcfg.MaxConns = int32(cfg.Workers) + 1
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return fmt.Errorf("connect owner: %w", err)
	}
	defer pool.Close()

	codes, err := diagnosisCodes(ctx, pool)
	if err != nil {
		return err
	}
	// A practice is done when its finished visits reach its share: the
	// encounters the scenarios add are drafts, never finished.
	rows, err := pool.Query(ctx, `SELECT p.id, p.slug,
			ceil((SELECT count(*) FROM patients c WHERE c.practice_id = p.id AND c.status = 'active') * $3::float8)::int
		FROM practices p
		WHERE (p.slug = $1 OR p.slug LIKE $2)
		  AND (SELECT count(*) FROM encounters e WHERE e.practice_id = p.id AND e.status = 'finished') = 0
		ORDER BY p.slug`, BigSlug, SlugPrefix+"%", cfg.Share)
	if err != nil {
		return fmt.Errorf("list practices: %w", err)
	}
	type todo struct {
		id    pgtype.UUID
		slug  string
		share int
	}
	var todos []todo
	for rows.Next() {
		var t todo
		if err := rows.Scan(&t.id, &t.slug, &t.share); err != nil {
			rows.Close()
			return err
		}
		todos = append(todos, t)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list practices: %w", err)
	}
	if len(todos) == 0 {
		fmt.Fprintln(progress, "bench: every practice has its clinical history; nothing to generate")
		return nil
	}
	fmt.Fprintf(progress, "bench: clinical history for %d practices: %.0f%% of charts, %d visits each over %d years\n",
		len(todos), cfg.Share*100, cfg.Encounters, cfg.Years)

	start := time.Now()
	var done, charts, visits atomic.Int64
	jobs := make(chan todo)
	errs := make(chan error, cfg.Workers)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	var mu sync.Mutex
	lastReport := time.Now()
	for w := range cfg.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(cfg.Seed, uint64(w)|0xc11c))
			for t := range jobs {
				n, err := loadClinical(ctx, pool, cfg, r, codes, t.id, t.share)
				if err != nil {
					errs <- fmt.Errorf("practice %s: %w", t.slug, err)
					cancel()
					return
				}
				charts.Add(int64(n))
				visits.Add(int64(n * cfg.Encounters))
				mu.Lock()
				if d := int(done.Add(1)); time.Since(lastReport) >= 10*time.Second || d == len(todos) {
					lastReport = time.Now()
					fmt.Fprintf(progress, "bench: clinical %d/%d practices, %d charts, %d visits in %s\n",
						d, len(todos), charts.Load(), visits.Load(), time.Since(start).Round(time.Second))
				}
				mu.Unlock()
			}
		}()
	}
feed:
	for _, t := range todos {
		select {
		case jobs <- t:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if _, err := pool.Exec(ctx, `VACUUM (ANALYZE) encounters, encounter_vitals, encounter_diagnoses`); err != nil {
		return fmt.Errorf("vacuum analyze: %w", err)
	}
	fmt.Fprintf(progress, "bench: clinical history loaded and analyzed in %s\n", time.Since(start).Round(time.Second))
	return nil
}

type diagnosisCode struct{ code, title string }

// diagnosisCodes are those of clinicalCodes the catalog holds.
func diagnosisCodes(ctx context.Context, pool *pgxpool.Pool) ([]diagnosisCode, error) {
	rows, _ := pool.Query(ctx, `SELECT code, title FROM icd10_codes WHERE code = ANY($1) ORDER BY code`, clinicalCodes)
	codes, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (diagnosisCode, error) {
		var c diagnosisCode
		return c, row.Scan(&c.code, &c.title)
	})
	if err != nil {
		return nil, fmt.Errorf("diagnosis codes: %w", err)
	}
	if len(codes) == 0 {
		return nil, fmt.Errorf("diagnosis codes: none of %v in icd10_codes", clinicalCodes)
	}
	return codes, nil
}

// loadClinical writes one practice's clinical history in one transaction
// and returns how many charts got one.
func loadClinical(ctx context.Context, pool *pgxpool.Pool, cfg ClinicalConfig, r *rand.Rand, codes []diagnosisCode, practice pgtype.UUID, share int) (int, error) {
	n := 0
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SET LOCAL synchronous_commit = off`); err != nil {
			return err
		}
		var location pgtype.UUID
		var practitioners []pgtype.UUID
		if err := tx.QueryRow(ctx, `SELECT id FROM locations WHERE practice_id = $1 ORDER BY id LIMIT 1`, practice).Scan(&location); err != nil {
			return fmt.Errorf("location: %w", err)
		}
		rows, _ := tx.Query(ctx, `SELECT id FROM practitioners WHERE practice_id = $1 ORDER BY id`, practice)
		practitioners, err := pgx.CollectRows(rows, pgx.RowTo[pgtype.UUID])
		if err != nil || len(practitioners) == 0 {
			return fmt.Errorf("practitioners: %v", err)
		}
		// Charts by id: random with respect to everything else about them.
		rows, _ = tx.Query(ctx, `SELECT id, date_of_birth FROM patients WHERE practice_id = $1 AND status = 'active' AND date_of_birth < $3 ORDER BY id LIMIT $2`,
			practice, share, cfg.Now.AddDate(-cfg.Years-1, 0, 0))
		type chart struct {
			id  pgtype.UUID
			dob time.Time
		}
		charts, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (chart, error) {
			var c chart
			return c, row.Scan(&c.id, &c.dob)
		})
		if err != nil {
			return fmt.Errorf("charts: %w", err)
		}
		var encounters, vitals, diagnoses [][]any
		span := time.Duration(cfg.Years) * 365 * 24 * time.Hour
		for _, c := range charts {
			ch := clinicalChart{r: r, practice: practice, location: location, practitioner: practitioners[r.IntN(len(practitioners))],
				patient: c.id, adult: cfg.Now.Sub(c.dob) > 18*365*24*time.Hour, codes: codes}
			ch.start(r)
			for k := range cfg.Encounters {
				at := cfg.Now.Add(-span + time.Duration(k)*span/time.Duration(cfg.Encounters) + time.Duration(r.IntN(72))*time.Hour)
				e, v, d := ch.visit(at, float64(k)/float64(cfg.Encounters))
				encounters, vitals, diagnoses = append(encounters, e), append(vitals, v), append(diagnoses, d)
			}
		}
		for _, c := range []struct {
			table   string
			columns []string
			rows    [][]any
		}{
			{"encounters", []string{"practice_id", "id", "patient_id", "practitioner_id", "location_id", "stage", "status", "subjective", "objective",
				"assessment", "plan", "started_at", "stage_since", "finished_at", "updated_at"}, encounters},
			{"encounter_vitals", []string{"practice_id", "id", "encounter_id", "patient_id", "measured_at", "systolic_mmhg", "diastolic_mmhg",
				"pulse_bpm", "temperature_c", "respiratory_rate", "spo2_percent", "weight_kg", "height_cm", "glucose_mmol_l", "created_at"}, vitals},
			{"encounter_diagnoses", []string{"practice_id", "encounter_id", "patient_id", "code", "title", "is_primary", "recorded_at"}, diagnoses},
		} {
			if len(c.rows) == 0 {
				continue
			}
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{c.table}, c.columns, pgx.CopyFromRows(c.rows)); err != nil {
				return fmt.Errorf("copy %s: %w", c.table, err)
			}
		}
		n = len(charts)
		return nil
	})
	return n, err
}

// clinicalChart is one chart's history being written: a chronic patient
// whose blood pressure and weight drift as treatment takes hold.
type clinicalChart struct {
	r                                         *rand.Rand
	practice, location, practitioner, patient pgtype.UUID
	adult                                     bool
	codes                                     []diagnosisCode
	systolic, weight, height                  float64
	note                                      int
}

func (c *clinicalChart) start(r *rand.Rand) {
	c.systolic = 150 + float64(r.IntN(30))
	c.height = 150 + float64(r.IntN(40))
	c.weight = 60 + float64(r.IntN(50))
	if !c.adult {
		c.height, c.weight = 110+float64(r.IntN(40)), 20+float64(r.IntN(25))
	}
	c.note = r.IntN(len(clinicalNotes))
}

func (c *clinicalChart) uuid() pgtype.UUID {
	var u pgtype.UUID
	for i := 0; i < 16; i += 8 {
		v := c.r.Uint64()
		for j := range 8 {
			u.Bytes[i+j] = byte(v >> (8 * j))
		}
	}
	u.Bytes[6] = u.Bytes[6]&0x0f | 0x40
	u.Bytes[8] = u.Bytes[8]&0x3f | 0x80
	u.Valid = true
	return u
}

// visit is one finished visit at time at, progress 0..1 through the
// history: the encounter, its vitals and its primary diagnosis rows.
func (c *clinicalChart) visit(at time.Time, progress float64) (enc, vit, diag []any) {
	r := c.r
	id := c.uuid()
	n := clinicalNotes[(c.note+r.IntN(4)/3)%len(clinicalNotes)]
	finished := at.Add(time.Duration(12+r.IntN(20)) * time.Minute)
	enc = []any{c.practice, id, c.patient, c.practitioner, c.location, "closure", "finished", n[0], n[1],
		fmt.Sprintf(n[2], controlWords[r.IntN(len(controlWords))]), n[3], at, finished, finished, finished}

	sys := c.systolic - 25*progress + float64(r.IntN(11)-5)
	dia := sys*0.62 + float64(r.IntN(7)-3)
	if c.adult {
		c.weight += float64(r.IntN(5)-2) * 0.3
	} else {
		c.weight += 0.15
		c.height += 0.25
	}
	vit = []any{c.practice, c.uuid(), id, c.patient, at.Add(5 * time.Minute), int16(sys), int16(dia), int16(60 + r.IntN(40)),
		tenth(36.2 + float64(r.IntN(14))/10), int16(12 + r.IntN(8)), int16(94 + r.IntN(6)),
		tenth(c.weight), tenth(c.height), tenth(4.5 + float64(r.IntN(60))/10), at.Add(5 * time.Minute)}

	code := c.codes[(c.note+r.IntN(3))%len(c.codes)]
	diag = []any{c.practice, id, c.patient, code.code, code.title, true, finished}
	return enc, vit, diag
}

// tenth is v rounded to one decimal, as the numeric columns keep it.
func tenth(v float64) float64 { return math.Round(v*10) / 10 }
