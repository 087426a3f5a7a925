package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5"

	"medic"
)

// The targets of issue 3 on a 2-core machine at 1,000 practices x 1,000
// patients.
const (
	SearchP95Target       = 10 * time.Millisecond
	AvailabilityP95Target = 5 * time.Millisecond
	BookingRateTarget     = 500.0 // bookings per second, sustained
)

// Scenario names, in the order they run.
const (
	ScenarioSearch       = "search"
	ScenarioAvailability = "availability"
	ScenarioBooking      = "booking"
)

// Scenarios lists every scenario in run order.
var Scenarios = []string{ScenarioSearch, ScenarioAvailability, ScenarioBooking}

// Targets are the operations the scenarios drive, wired by cmd/medic to the
// store and the use cases; each runs in the tenant of ctx.
type Targets struct {
	// SearchPatients is the store's patient search.
	SearchPatients func(ctx context.Context, f medic.PatientFilter, p medic.Page) ([]*medic.Patient, string, error)
	// Availability is the availability use case for one practitioner,
	// location and appointment type.
	Availability func(ctx context.Context, practitionerID, locationID, typeID string, from, to time.Time) ([]medic.Slot, error)
	// Book is the desk booking use case; a taken slot is ECONFLICT.
	Book func(ctx context.Context, patientID, practitionerID, locationID, typeID string, start time.Time) error
}

// RunConfig configures a benchmark run.
type RunConfig struct {
	OwnerURL string        // the schema owner: samples the data and verifies bookings
	Duration time.Duration // measured time per scenario
	Warmup   time.Duration // unmeasured time before each scenario (default 2s; negative: none)
	// Concurrency is the number of concurrent clients of every scenario;
	// 0 gives each its DefaultClients.
	Concurrency int
	Scenarios   []string // default: all
	Seed        uint64
	// SamplePractices is how many generated practices the scenarios draw
	// from (default 200, every one if fewer).
	SamplePractices int
	Now             func() time.Time
}

func (c RunConfig) withDefaults() RunConfig {
	if c.Duration <= 0 {
		c.Duration = 20 * time.Second
	}
	if c.Warmup == 0 {
		c.Warmup = 2 * time.Second
	}
	if c.Warmup < 0 {
		c.Warmup = 0
	}
	if len(c.Scenarios) == 0 {
		c.Scenarios = Scenarios
	}
	if c.SamplePractices <= 0 {
		c.SamplePractices = 200
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// DefaultClients is how many clients each scenario runs by default. The
// latency targets are measured at one client per core (client and
// database share the machine's two cores): more clients only queue for a
// core, and the p95 then measures the queue. Booking throughput is
// measured with enough clients to keep both cores busy and slots raced.
var DefaultClients = map[string]int{ScenarioSearch: 2, ScenarioAvailability: 2, ScenarioBooking: 16}

// clients is how many concurrent clients run scenario s.
func (c RunConfig) clients(s string) int {
	if c.Concurrency > 0 {
		return c.Concurrency
	}
	return DefaultClients[s]
}

// MaxClients is the most clients any scenario of c runs at once.
func (c RunConfig) MaxClients() int {
	n := c.Concurrency
	for _, s := range Scenarios {
		n = max(n, c.clients(s))
	}
	return n
}

// Report is a run's results.
type Report struct {
	Results   []Result
	Integrity *Integrity // after booking
}

// Pass reports whether every scenario met its target.
func (r *Report) Pass() bool {
	for _, res := range r.Results {
		if !res.Pass {
			return false
		}
	}
	return true
}

// Run runs the scenarios against data Generate loaded and writes a report
// to out as it goes.
func Run(ctx context.Context, cfg RunConfig, t Targets, out io.Writer) (*Report, error) {
	cfg = cfg.withDefaults()
	for _, s := range cfg.Scenarios {
		if !slices.Contains(Scenarios, s) {
			return nil, fmt.Errorf("unknown scenario %q (use %s)", s, strings.Join(Scenarios, ", "))
		}
	}
	sample, err := loadSample(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := describeData(ctx, cfg, len(sample), out); err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "each scenario: %s warm-up, then %s measured\n\n", cfg.Warmup, cfg.Duration)

	rep := &Report{}
	for _, name := range Scenarios {
		if !slices.Contains(cfg.Scenarios, name) {
			continue
		}
		var res Result
		switch name {
		case ScenarioSearch:
			res = runSearch(ctx, cfg, t, sample)
		case ScenarioAvailability:
			res = runAvailability(ctx, cfg, t, sample)
		case ScenarioBooking:
			start := cfg.Now()
			res, err = runBooking(ctx, cfg, t, sample)
			if err != nil {
				return rep, err
			}
			fmt.Fprintf(out, "verifying the booked practices ...\n")
			ids := make([]string, len(sample))
			for i, p := range sample {
				ids[i] = p.id
			}
			in, err := Verify(ctx, cfg.OwnerURL, start.Add(-time.Minute), ids)
			if err != nil {
				return rep, err
			}
			rep.Integrity = &in
			res.Note += "; integrity: " + in.String()
			if !in.OK() {
				res.Pass = false
			}
		}
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		rep.Results = append(rep.Results, res)
		fmt.Fprintf(out, "%-13s %d clients: %d ok, %d lost, %d errors in %s: %.1f/s, p50 %s, p95 %s, p99 %s, max %s; target %s: %s\n    %s\n",
			res.Scenario, res.Clients, res.Ops, res.Lost, res.Errors, res.Elapsed.Round(time.Millisecond), res.Throughput(),
			ms(res.P50), ms(res.P95), ms(res.P99), ms(res.Max), res.Target, passFail(res.Pass), res.Note)
		if res.CPU.Busy > 0 {
			fmt.Fprintf(out, "    %s\n", res.CPU)
		}
	}
	fmt.Fprintln(out)
	WriteTable(out, rep)
	return rep, nil
}

func passFail(ok bool) string {
	if ok {
		return "PASS"
	}
	return "FAIL"
}

// WriteTable writes the results as a table.
func WriteTable(w io.Writer, rep *Report) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\tclients\tok\tlost\terrors\tper second\tp50\tp95\tp99\tmax\tother CPU\ttarget\tresult\t")
	for _, r := range rep.Results {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%.1f\t%s\t%s\t%s\t%s\t%.0f%%\t%s\t%s\t\n", r.Scenario, r.Clients, r.Ops, r.Lost, r.Errors, r.Throughput(),
			ms(r.P50), ms(r.P95), ms(r.P99), ms(r.Max), r.CPU.Other, r.Target, passFail(r.Pass))
	}
	tw.Flush()
}

// describeData prints how much data the run works on.
func describeData(ctx context.Context, cfg RunConfig, sampled int, out io.Writer) error {
	conn, err := pgx.Connect(ctx, cfg.OwnerURL)
	if err != nil {
		return fmt.Errorf("connect owner: %w", err)
	}
	defer conn.Close(ctx)
	var practices int
	var patients, appts, slots float64
	err = conn.QueryRow(ctx, `SELECT (SELECT count(*) FROM practices WHERE slug LIKE $1),
		(SELECT reltuples FROM pg_class WHERE oid = 'patients'::regclass),
		(SELECT reltuples FROM pg_class WHERE oid = 'appointments'::regclass),
		(SELECT reltuples FROM pg_class WHERE oid = 'slot_places'::regclass)`, SlugPrefix+"%").Scan(&practices, &patients, &appts, &slots)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "data: %d generated practices (%d sampled), ~%.0f patients, ~%.0f appointments, ~%.0f taken slots\n",
		practices, sampled, patients, appts, slots)
	return nil
}

// samplePractice is a generated practice the scenarios work in.
type samplePractice struct {
	ctx               context.Context // in the practice, as a system admin
	id, slug          string
	practitioners     []samplePractitioner
	consult, extended string // 15- and 30-minute appointment types
	patients          []string
	families          []string
}

type samplePractitioner struct{ id, location string }

// loadSample reads what the scenarios pick from: a seeded random subset of
// the generated practices, their practitioners, types, patients and family
// names.
func loadSample(ctx context.Context, cfg RunConfig) ([]*samplePractice, error) {
	conn, err := pgx.Connect(ctx, cfg.OwnerURL)
	if err != nil {
		return nil, fmt.Errorf("connect owner: %w", err)
	}
	defer conn.Close(ctx)
	rows, _ := conn.Query(ctx, `SELECT id::text, slug, name, time_zone FROM practices WHERE slug LIKE $1 AND status = 'active' ORDER BY slug`, SlugPrefix+"%")
	all, err := pgx.CollectRows(rows, pgx.RowToStructByPos[practiceRow])
	if err != nil {
		return nil, fmt.Errorf("list generated practices: %w", err)
	}
	if len(all) == 0 {
		return nil, errors.New("no generated practices: run without -skip-generate first")
	}
	r := rand.New(rand.NewPCG(cfg.Seed, 0x5a4d))
	r.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	return loadPractices(ctx, conn, all[:min(len(all), cfg.SamplePractices)])
}

// practiceRow is a practice as loadPractices takes it.
type practiceRow struct{ ID, Slug, Name, TimeZone string }

// loadPractices reads the practitioners, types, patients and family names
// of the practices in all.
func loadPractices(ctx context.Context, conn *pgx.Conn, all []practiceRow) ([]*samplePractice, error) {
	base := medic.WithActor(ctx, medic.Actor{Email: "system:bench"})
	byID := map[string]*samplePractice{}
	ids := make([]string, 0, len(all))
	var out []*samplePractice
	for _, p := range all {
		sp := &samplePractice{id: p.ID, slug: p.Slug, ctx: medic.WithTenant(base, medic.Tenant{PracticeID: p.ID, Slug: p.Slug, Name: p.Name, TimeZone: p.TimeZone, Role: medic.RoleAdmin})}
		byID[p.ID] = sp
		ids = append(ids, p.ID)
		out = append(out, sp)
	}
	scan := func(sql string, fn func(practice string, vals []any) error) error {
		rows, err := conn.Query(ctx, sql, ids)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			vals, err := rows.Values()
			if err != nil {
				return err
			}
			if err := fn(vals[0].(string), vals[1:]); err != nil {
				return err
			}
		}
		return rows.Err()
	}
	err := scan(`SELECT pr.practice_id::text, pr.id::text, pl.location_id::text FROM practitioners pr
		JOIN practitioner_locations pl ON pl.practice_id = pr.practice_id AND pl.practitioner_id = pr.id AND pl.is_primary
		WHERE pr.practice_id = ANY($1::uuid[]) AND pr.status = 'active' ORDER BY 1, 2`, func(p string, v []any) error {
		byID[p].practitioners = append(byID[p].practitioners, samplePractitioner{id: v[0].(string), location: v[1].(string)})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sample practitioners: %w", err)
	}
	err = scan(`SELECT practice_id::text, id::text, duration_minutes FROM appointment_types
		WHERE practice_id = ANY($1::uuid[]) AND active ORDER BY practice_id, created_at, name`, func(p string, v []any) error {
		sp := byID[p]
		switch v[1].(int32) {
		case 15:
			if sp.consult == "" {
				sp.consult = v[0].(string)
			}
		case 30:
			if sp.extended == "" {
				sp.extended = v[0].(string)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sample appointment types: %w", err)
	}
	err = scan(`SELECT practice_id::text, id::text, family_name FROM patients
		WHERE practice_id = ANY($1::uuid[]) AND status = 'active' ORDER BY practice_id, id`, func(p string, v []any) error {
		sp := byID[p]
		sp.patients = append(sp.patients, v[0].(string))
		sp.families = append(sp.families, v[1].(string))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sample patients: %w", err)
	}
	for _, sp := range out {
		if len(sp.practitioners) == 0 || sp.consult == "" || len(sp.patients) == 0 {
			return nil, fmt.Errorf("generated practice %s has no practitioners, 15-minute type or patients", sp.id)
		}
	}
	return out, nil
}

// searchTerm is what a receptionist types for a family name: a 3-5 letter
// prefix (or, a third of the time, a piece from inside it), with one
// wrong letter a fifth of the time.
func searchTerm(r *rand.Rand, family string) string {
	word := ""
	for _, w := range strings.Fields(strings.ToLower(family)) {
		if len(w) > len(word) {
			word = w
		}
	}
	n := min(len(word), 3+r.IntN(3))
	at := 0
	if r.IntN(3) == 0 && len(word) > n {
		at = 1 + r.IntN(len(word)-n)
	}
	term := []byte(word[at : at+n])
	if r.IntN(5) == 0 && n > 1 {
		i := 1 + r.IntN(n-1)
		c := byte('a' + r.IntN(26))
		for c == term[i] {
			c = byte('a' + r.IntN(26))
		}
		term[i] = c
	}
	return string(term)
}

// outcome of one operation.
type outcome int

const (
	opOK outcome = iota
	opLost
	opFailed
)

// measure runs op from cfg.clients(name) clients: a warm-up, then
// cfg.Duration measured. Only operations started in the measured window
// count; the window ends when the last of them returns.
func measure(ctx context.Context, cfg RunConfig, name string, op func(ctx context.Context, r *rand.Rand) (outcome, error)) Result {
	res := Result{Scenario: name, Clients: cfg.clients(name)}
	start := time.Now()
	measureFrom := start.Add(cfg.Warmup)
	end := measureFrom.Add(cfg.Duration)
	var mu sync.Mutex
	var all []time.Duration
	var firstErr error
	var wg sync.WaitGroup
	for w := range res.Clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(cfg.Seed, uint64(w)<<8|uint64(len(name))))
			var durs []time.Duration
			var ok, lost, failed int
			var werr error
			for ctx.Err() == nil {
				t0 := time.Now()
				if !t0.Before(end) {
					break
				}
				o, err := op(ctx, r)
				if t0.Before(measureFrom) {
					continue
				}
				durs = append(durs, time.Since(t0))
				switch o {
				case opOK:
					ok++
				case opLost:
					lost++
				default:
					failed++
					if werr == nil {
						werr = err
					}
				}
			}
			mu.Lock()
			all = append(all, durs...)
			res.Ops += ok
			res.Lost += lost
			res.Errors += failed
			if firstErr == nil {
				firstErr = werr
			}
			mu.Unlock()
		}()
	}
	time.Sleep(time.Until(measureFrom))
	before, okBefore := takeCPUSnapshot()
	wg.Wait()
	res.Elapsed = time.Since(measureFrom)
	if after, ok := takeCPUSnapshot(); ok && okBefore {
		res.CPU = share(before, after, benchProcesses(ctx, cfg.OwnerURL))
	}
	l := summarize(all)
	res.P50, res.P95, res.P99, res.Max = l.p50, l.p95, l.p99, l.max
	if firstErr != nil {
		res.Note = "first error: " + firstErr.Error()
	}
	return res
}

func joinNote(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, "; ")
}

func runSearch(ctx context.Context, cfg RunConfig, t Targets, sample []*samplePractice) Result {
	var hits, queries atomic.Int64
	res := measure(ctx, cfg, ScenarioSearch, func(_ context.Context, r *rand.Rand) (outcome, error) {
		p := sample[r.IntN(len(sample))]
		q := searchTerm(r, p.families[r.IntN(len(p.families))])
		found, _, err := t.SearchPatients(p.ctx, medic.PatientFilter{Query: q}, medic.Page{Limit: 20})
		if err != nil {
			return opFailed, fmt.Errorf("search %q: %w", q, err)
		}
		queries.Add(1)
		if len(found) > 0 {
			hits.Add(1)
		}
		return opOK, nil
	})
	res.Target = "p95 <= " + ms(SearchP95Target)
	res.Pass = res.Errors == 0 && res.Ops > 0 && res.P95 <= SearchP95Target
	if n := queries.Load(); n > 0 {
		res.Note = joinNote(fmt.Sprintf("%.0f%% of queries found someone (a fifth have a typo)", 100*float64(hits.Load())/float64(n)), res.Note)
	}
	return res
}

func runAvailability(ctx context.Context, cfg RunConfig, t Targets, sample []*samplePractice) Result {
	var slots, answers, empty atomic.Int64
	res := measure(ctx, cfg, ScenarioAvailability, func(_ context.Context, r *rand.Rand) (outcome, error) {
		p := sample[r.IntN(len(sample))]
		pr := p.practitioners[r.IntN(len(p.practitioners))]
		from := cfg.Now()
		got, err := t.Availability(p.ctx, pr.id, pr.location, p.consult, from, from.Add(28*24*time.Hour))
		if err != nil {
			return opFailed, fmt.Errorf("availability: %w", err)
		}
		answers.Add(1)
		slots.Add(int64(len(got)))
		if len(got) == 0 {
			empty.Add(1)
		}
		return opOK, nil
	})
	res.Target = "p95 <= " + ms(AvailabilityP95Target)
	res.Pass = res.Errors == 0 && res.Ops > 0 && res.P95 <= AvailabilityP95Target
	if n := answers.Load(); n > 0 {
		res.Note = joinNote(fmt.Sprintf("4 weeks, %.0f open slots per answer on average, %d empty answers", float64(slots.Load())/float64(n), empty.Load()), res.Note)
	}
	return res
}

// candidate is a slot to book.
type candidate struct {
	p     *samplePractice
	pr    samplePractitioner
	typ   string
	start time.Time
}

// bookingWindow is how far ahead the booking scenario books: from the next
// day for eight weeks.
const bookingWindowDays = 56

// candidates streams free slots of the sampled practitioners in the next
// eight weeks, in random order, each once, except that one in ten is sent
// twice in a row so that two clients race for it.
func candidates(ctx context.Context, cfg RunConfig, sample []*samplePractice) (<-chan candidate, error) {
	loc := practiceZone()
	first := medic.DateOf(cfg.Now().In(loc)).AddDays(1)
	from := first.In(loc)
	to := first.AddDays(bookingWindowDays).In(loc)

	type key struct {
		practitioner string
		at           int64
	}
	taken := map[key]bool{}
	conn, err := pgx.Connect(ctx, cfg.OwnerURL)
	if err != nil {
		return nil, fmt.Errorf("connect owner: %w", err)
	}
	var prIDs []string
	for _, p := range sample {
		for _, pr := range p.practitioners {
			prIDs = append(prIDs, pr.id)
		}
	}
	rows, _ := conn.Query(ctx, `SELECT practitioner_id::text, slot_start FROM slot_places
		WHERE practitioner_id = ANY($1::uuid[]) AND slot_start >= $2 AND slot_start < $3 AND booked >= capacity`, prIDs, from, to)
	var pid string
	var at time.Time
	_, err = pgx.ForEachRow(rows, []any{&pid, &at}, func() error {
		taken[key{pid, at.Unix()}] = true
		return nil
	})
	conn.Close(ctx)
	if err != nil {
		return nil, fmt.Errorf("load taken slots: %w", err)
	}

	ch := make(chan candidate, 64)
	go func() {
		defer close(ch)
		r := rand.New(rand.NewPCG(cfg.Seed, 0xb00c))
		send := func(c candidate) bool {
			select {
			case ch <- c:
				return true
			case <-ctx.Done():
				return false
			}
		}
		for misses := 0; misses < 100000; {
			p := sample[r.IntN(len(sample))]
			pr := p.practitioners[r.IntN(len(p.practitioners))]
			day := first.AddDays(r.IntN(bookingWindowDays))
			if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
				continue
			}
			typ, span := p.consult, 1
			if p.extended != "" && r.IntN(5) == 0 {
				typ, span = p.extended, 2
			}
			slot := r.IntN(daySlots - span + 1)
			midnight := day.In(loc)
			start := time.Date(midnight.Year(), midnight.Month(), midnight.Day(), 0, dayStart+slot*slotMinutes, 0, 0, loc)
			free := true
			for j := range span {
				free = free && !taken[key{pr.id, start.Add(time.Duration(j*slotMinutes) * time.Minute).Unix()}]
			}
			if !free {
				misses++
				continue
			}
			misses = 0
			for j := range span {
				taken[key{pr.id, start.Add(time.Duration(j*slotMinutes) * time.Minute).Unix()}] = true
			}
			c := candidate{p: p, pr: pr, typ: typ, start: start}
			if !send(c) {
				return
			}
			if r.IntN(10) == 0 && !send(c) {
				return
			}
		}
	}()
	return ch, nil
}

func runBooking(ctx context.Context, cfg RunConfig, t Targets, sample []*samplePractice) (Result, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch, err := candidates(ctx, cfg, sample)
	if err != nil {
		return Result{}, err
	}
	var exhausted atomic.Bool
	res := measure(ctx, cfg, ScenarioBooking, func(ctx context.Context, r *rand.Rand) (outcome, error) {
		c, ok := <-ch
		if !ok {
			exhausted.Store(true)
			return opFailed, errors.New("no free slots left in the booking window")
		}
		patient := c.p.patients[r.IntN(len(c.p.patients))]
		err := t.Book(c.p.ctx, patient, c.pr.id, c.pr.location, c.typ, c.start)
		switch {
		case err == nil:
			return opOK, nil
		case medic.ErrorCode(err) == medic.ECONFLICT:
			return opLost, nil
		default:
			return opFailed, fmt.Errorf("book %s: %w", c.start.Format(time.RFC3339), err)
		}
	})
	res.Target = fmt.Sprintf(">= %.0f bookings/s, no double booking", BookingRateTarget)
	res.Pass = res.Errors == 0 && res.Throughput() >= BookingRateTarget
	res.Note = joinNote(fmt.Sprintf("%d attempts; one slot in ten is offered to two clients at once", res.Ops+res.Lost+res.Errors), res.Note)
	if exhausted.Load() {
		res.Note = joinNote(res.Note, "the booking window ran out of free slots")
	}
	return res, nil
}
