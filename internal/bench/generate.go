// Package bench is `medic bench`: a synthetic data generator (South African
// practices, patients, practitioners, schedules and a year of appointments)
// and load scenarios for patient search, availability and concurrent
// booking, reported as throughput and latency percentiles against targets.
//
// The generator loads with the schema owner's connection through COPY,
// practice by practice (one transaction each), so it is idempotent: a
// practice whose slug (SlugPrefix + number) exists is skipped. The scenarios
// run through the store and the use cases as the app role, under row-level
// security, like the server does.
package bench

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"medic"
)

// SlugPrefix starts the slug of every generated practice.
const SlugPrefix = "bench-"

// TimeZone is the zone of every generated practice.
const TimeZone = "Africa/Johannesburg"

// Working hours of every generated schedule rule, in minutes after midnight,
// and its slot length.
const (
	dayStart    = 8 * 60
	dayEnd      = 17 * 60
	slotMinutes = 15
	daySlots    = (dayEnd - dayStart) / slotMinutes
)

// GenConfig sizes the generated data.
type GenConfig struct {
	Practices                         int
	PatientsPerPractice               int
	PractitionersPerPractice          int // default 3
	LocationsPerPractice              int // default 2
	AppointmentDays                   int // default 365: the past half and the next half of it (weekdays only)
	AppointmentsPerPractitionerPerDay int // default 8 (the mean; days vary by ±2)
	Seed                              int64
	// Now is the generation time (default time.Now()): appointments before
	// it are completed, cancelled or no-shows, after it booked or cancelled.
	Now time.Time
	// Workers is how many practices load at once (default: the CPU count).
	Workers int
}

func (c GenConfig) withDefaults() GenConfig {
	if c.PractitionersPerPractice <= 0 {
		c.PractitionersPerPractice = 3
	}
	if c.LocationsPerPractice <= 0 {
		c.LocationsPerPractice = 2
	}
	if c.AppointmentDays <= 0 {
		c.AppointmentDays = 365
	}
	if c.AppointmentsPerPractitionerPerDay < 0 {
		c.AppointmentsPerPractitionerPerDay = 0
	}
	if c.Now.IsZero() {
		c.Now = time.Now()
	}
	if c.Workers <= 0 {
		c.Workers = runtime.NumCPU()
	}
	return c
}

// Slug is the slug of generated practice number i (from 1).
func Slug(i int) string { return fmt.Sprintf("%s%05d", SlugPrefix, i) }

// practiceZone is the generated practices' zone (a fixed UTC+2 if the
// system has no zone database: South Africa keeps no daylight saving).
func practiceZone() *time.Location {
	if loc, err := time.LoadLocation(TimeZone); err == nil {
		return loc
	}
	return time.FixedZone("SAST", 2*3600)
}

// genCounts are the rows loaded so far.
type genCounts struct {
	practices, patients, appointments, slots atomic.Int64
}

// Generate loads cfg.Practices practices (bench-00001 ...) into the database
// at ownerURL, skipping those that exist, then analyzes the tables. ownerURL
// must be the schema owner (a superuser in development): COPY writes the
// tenant tables directly. Progress lines go to progress (may be nil).
func Generate(ctx context.Context, ownerURL string, cfg GenConfig, progress io.Writer) error {
	cfg = cfg.withDefaults()
	if progress == nil {
		progress = io.Discard
	}
	if cfg.Practices <= 0 {
		return nil
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

	existing := map[string]bool{}
	rows, err := pool.Query(ctx, `SELECT slug FROM practices WHERE slug LIKE $1`, SlugPrefix+"%")
	if err != nil {
		return fmt.Errorf("list generated practices: %w", err)
	}
	slugs, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("list generated practices: %w", err)
	}
	for _, s := range slugs {
		existing[s] = true
	}
	var todo []int
	for i := 1; i <= cfg.Practices; i++ {
		if !existing[Slug(i)] {
			todo = append(todo, i)
		}
	}
	if len(todo) == 0 {
		fmt.Fprintf(progress, "bench: all %d practices exist; nothing to generate\n", cfg.Practices)
		return nil
	}
	fmt.Fprintf(progress, "bench: generating %d practices (%d exist) x %d patients, %d practitioners, %d appointments per practitioner per weekday over %d days, %d workers\n",
		len(todo), cfg.Practices-len(todo), cfg.PatientsPerPractice, cfg.PractitionersPerPractice, cfg.AppointmentsPerPractitionerPerDay, cfg.AppointmentDays, cfg.Workers)

	start := time.Now()
	var counts genCounts
	jobs := make(chan int)
	errs := make(chan error, cfg.Workers)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	var mu sync.Mutex
	lastReport := time.Now()
	for range cfg.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				p := buildPractice(cfg, i, Slug(i))
				if err := loadPractice(ctx, pool, p); err != nil {
					errs <- fmt.Errorf("practice %s: %w", p.slug, err)
					cancel()
					return
				}
				counts.practices.Add(1)
				counts.patients.Add(int64(len(p.patients)))
				counts.appointments.Add(int64(len(p.appointments)))
				counts.slots.Add(int64(len(p.appointmentSlots)))
				mu.Lock()
				if done := int(counts.practices.Load()); time.Since(lastReport) >= 10*time.Second || done == len(todo) {
					lastReport = time.Now()
					el := time.Since(start)
					left := time.Duration(float64(el) / float64(done) * float64(len(todo)-done))
					fmt.Fprintf(progress, "bench: %d/%d practices, %d patients, %d appointments, %d slot rows in %s (~%s left)\n",
						done, len(todo), counts.patients.Load(), counts.appointments.Load(), counts.slots.Load(),
						el.Round(time.Second), left.Round(time.Second))
				}
				mu.Unlock()
			}
		}()
	}
feed:
	for _, i := range todo {
		select {
		case jobs <- i:
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
	loaded := time.Since(start)
	fmt.Fprintf(progress, "bench: loaded %d practices in %s; vacuum and analyze ...\n", len(todo), loaded.Round(time.Second))
	astart := time.Now()
	if err := Analyze(ctx, pool); err != nil {
		return err
	}
	fmt.Fprintf(progress, "bench: vacuum analyze took %s; generation total %s\n", time.Since(astart).Round(time.Second), time.Since(start).Round(time.Second))
	return nil
}

// generatedTables are the tables the generator writes, in load order.
var generatedTables = []string{"practices", "locations", "practitioners", "practitioner_locations", "appointment_types",
	"schedule_rules", "patients", "appointments", "slot_places", "appointment_slots"}

// Analyze vacuums and analyzes the generated tables, so the planner has
// statistics, the visibility map is set (index-only scans) and the trigram
// index's pending list is merged: the state a long-running database is in.
func Analyze(ctx context.Context, pool *pgxpool.Pool) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SET maintenance_work_mem = '512MB'`); err != nil {
		return err
	}
	defer conn.Exec(context.WithoutCancel(ctx), `RESET maintenance_work_mem`)
	if _, err := conn.Exec(ctx, `VACUUM (ANALYZE) `+strings.Join(generatedTables, ", ")); err != nil {
		return fmt.Errorf("vacuum analyze: %w", err)
	}
	return nil
}

// practiceData is one generated practice: the row values of every table,
// ready for COPY.
type practiceData struct {
	id                                    pgtype.UUID
	slug, name, email, phone, address, rn string
	created                               time.Time
	locations, practitioners, assigns     [][]any
	types, rules, patients, appointments  [][]any
	slotPlaces, appointmentSlots          [][]any
}

// gen is the random source and the clock of one practice.
type gen struct {
	r     *rand.Rand
	cfg   GenConfig
	loc   *time.Location
	now   time.Time
	today medic.Date
}

func (g *gen) pick(s []string) string { return s[g.r.IntN(len(s))] }
func (g *gen) chance(p float64) bool  { return g.r.Float64() < p }
func (g *gen) digits(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + g.r.IntN(10))
	}
	return string(b)
}

// uuid is a random (version 4) UUID from the practice's source, so a seed
// always gives the same ids.
func (g *gen) uuid() pgtype.UUID {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], g.r.Uint64())
	binary.LittleEndian.PutUint64(b[8:], g.r.Uint64())
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return pgtype.UUID{Bytes: b, Valid: true}
}

// culture picks a naming tradition by weight.
func (g *gen) culture() *culture {
	n := g.r.IntN(100)
	for i := range cultures {
		if n < cultures[i].Weight {
			return &cultures[i]
		}
		n -= cultures[i].Weight
	}
	return &cultures[0]
}

// person is a generated name and sex.
type person struct {
	given, family string
	sex           medic.Sex
	c             *culture
}

func (g *gen) person() person {
	c := g.culture()
	p := person{c: c, sex: medic.SexFemale, given: g.pick(c.Female)}
	if g.chance(0.5) {
		p.sex, p.given = medic.SexMale, g.pick(c.Male)
	}
	fam := c
	if g.chance(0.08) { // married or adopted across traditions
		fam = g.culture()
	}
	p.family = g.pick(fam.Family)
	return p
}

// mobile is a South African cell number in E.164.
func (g *gen) mobile() string { return "+27" + g.pick(mobilePrefixes) + g.digits(7) }

// landline is a number in the city's area.
func (g *gen) landline(city string) string {
	code, ok := dialCodes[city]
	if !ok {
		code = "11"
	}
	return "+27" + code + g.digits(7)
}

func (g *gen) address(pl place) string {
	return fmt.Sprintf("%d %s, %s, %s, %s", 1+g.r.IntN(250), g.pick(streets), pl.Suburb, pl.City, pl.Code)
}

// emailLocal is the letters and digits of s, lower-cased.
func emailLocal(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func (g *gen) email(p person, dob medic.Date) string {
	given, family := emailLocal(p.given), emailLocal(p.family)
	var local string
	switch g.r.IntN(5) {
	case 0, 1:
		local = given + "." + family
	case 2:
		local = given[:1] + family + fmt.Sprintf("%02d", dob.Year()%100)
	case 3:
		local = given + family[:1] + g.digits(2)
	default:
		local = family + "." + given + g.digits(1)
	}
	return local + "@" + g.pick(mailDomains)
}

// SAIDNumber is a valid South African ID number for the birth date and
// sex: YYMMDD, a sequence (0000-4999 female, 5000-9999 male), citizenship
// (0 citizen, 1 permanent resident), 8, and the Luhn check digit.
func SAIDNumber(dob medic.Date, sex medic.Sex, seq int, citizen bool) string {
	seq %= 5000
	if sex == medic.SexMale {
		seq += 5000
	}
	c := 0
	if !citizen {
		c = 1
	}
	first := fmt.Sprintf("%02d%02d%02d%04d%d8", dob.Year()%100, int(dob.Month()), dob.Day(), seq, c)
	return first + string(medic.SAIDCheckDigit(first))
}

// birthDate draws an age from a clinic's patient mix (a quarter children,
// an eighth over 65).
func (g *gen) birthDate() medic.Date {
	var age int
	switch x := g.r.Float64(); {
	case x < 0.25:
		age = g.r.IntN(18)
	case x < 0.88:
		age = 18 + g.r.IntN(47)
	default:
		age = 65 + g.r.IntN(31)
	}
	return g.today.AddDate(-age, 0, -g.r.IntN(365))
}

// ago is an instant up to max before now.
func (g *gen) ago(max time.Duration) time.Time {
	return g.now.Add(-time.Duration(g.r.Int64N(int64(max)))).Truncate(time.Microsecond)
}

// buildPractice generates practice number i: the same i and seed always
// give the same rows.
func buildPractice(cfg GenConfig, i int, slug string) *practiceData {
	loc := practiceZone()
	now := cfg.Now.In(loc)
	g := &gen{
		r:     rand.New(rand.NewPCG(uint64(cfg.Seed), uint64(i))),
		cfg:   cfg,
		loc:   loc,
		now:   now,
		today: medic.DateOf(now),
	}
	home := places[g.r.IntN(len(places))]
	var near []place
	for _, pl := range places {
		if pl.City == home.City {
			near = append(near, pl)
		}
	}

	p := &practiceData{id: g.uuid(), slug: slug, created: g.ago(8 * 365 * 24 * time.Hour)}
	founder := g.person()
	switch g.r.IntN(3) {
	case 0:
		p.name = fmt.Sprintf("%s %s", home.Suburb, g.pick(practiceKinds))
	case 1:
		p.name = fmt.Sprintf("Dr %s & Partners", founder.family)
	default:
		p.name = fmt.Sprintf("%s %s", founder.family, g.pick(practiceKinds))
	}
	p.email = "reception@" + p.slug + ".example"
	p.phone = g.landline(home.City)
	p.address = g.address(home)
	p.rn = "0" + g.digits(6)
	pid := p.id

	// Locations: the first at the practice's suburb, the others nearby.
	hours, _ := json.Marshal(medic.WeekHours{"mon": "08:00-17:00", "tue": "08:00-17:00", "wed": "08:00-17:00", "thu": "08:00-17:00", "fri": "08:00-17:00"})
	var locIDs []pgtype.UUID
	for l := range cfg.LocationsPerPractice {
		pl := home
		if l > 0 {
			pl = near[g.r.IntN(len(near))]
		}
		id := g.uuid()
		locIDs = append(locIDs, id)
		name := pl.Suburb + " Clinic"
		if l > 0 && pl.Suburb == home.Suburb {
			name = fmt.Sprintf("%s Clinic %d", pl.Suburb, l+1)
		}
		p.locations = append(p.locations, []any{pid, id, name, g.address(pl), g.landline(pl.City),
			fmt.Sprintf("%s@%s.example", emailLocal(pl.Suburb), p.slug), hours, true, p.created, p.created})
	}

	// Appointment types: all online-bookable; 15 and 30 minutes.
	type apptType struct {
		id      pgtype.UUID
		minutes int
	}
	var types []apptType
	for _, t := range []struct {
		name, color string
		minutes     int
	}{{"Consultation", "#1a6fb0", 15}, {"Extended consultation", "#d9731a", 30}, {"Follow-up", "#2e8540", 15}} {
		id := g.uuid()
		types = append(types, apptType{id, t.minutes})
		p.types = append(p.types, []any{pid, id, t.name, t.minutes, t.color, true, true, p.created})
	}

	// The appointment window: AppointmentDays days centred on today.
	first := g.today.AddDays(-cfg.AppointmentDays / 2)
	ruleFrom := first.AddDays(-30)

	// Practitioners: each at one location, Monday to Friday 08:00-17:00 in
	// 15-minute slots of capacity 1, every type allowed.
	type practitioner struct {
		id, location pgtype.UUID
	}
	var pracs []practitioner
	for k := range cfg.PractitionersPerPractice {
		doc := g.person()
		id := g.uuid()
		locID := locIDs[k%len(locIDs)]
		pracs = append(pracs, practitioner{id, locID})
		p.practitioners = append(p.practitioners, []any{pid, id, "Dr " + doc.given + " " + doc.family, g.pick(specialties),
			"MP0" + g.digits(6), "0" + g.digits(6), g.pick(qualifications), "active", p.created, p.created})
		p.assigns = append(p.assigns, []any{pid, id, locID, true, ruleFrom.Time(), nil})
		for wd := time.Monday; wd <= time.Friday; wd++ {
			p.rules = append(p.rules, []any{pid, g.uuid(), id, locID, int(wd), dayStart, dayEnd, slotMinutes, 1,
				[]pgtype.UUID{}, ruleFrom.Time(), nil, p.created})
		}
	}

	// Patients.
	patientIDs := make([]pgtype.UUID, 0, cfg.PatientsPerPractice)
	for range cfg.PatientsPerPractice {
		id := g.uuid()
		patientIDs = append(patientIDs, id)
		p.patients = append(p.patients, g.patient(pid, id, home, near))
	}

	// Appointments: on every weekday of the window, each practitioner gets
	// about AppointmentsPerPractitionerPerDay of them at free places in the
	// day's grid. Holding ones take their slots (slot_places and
	// appointment_slots, as booking does); cancelled ones and no-shows hold
	// none.
	n := cfg.AppointmentsPerPractitionerPerDay
	for d := range cfg.AppointmentDays {
		day := first.AddDays(d)
		if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday || len(patientIDs) == 0 || n == 0 {
			continue
		}
		midnight := day.In(loc)
		for _, pr := range pracs {
			count := n
			if n >= 3 {
				count += g.r.IntN(5) - 2
			}
			var taken [daySlots]bool
			for range count {
				t := types[0]
				switch x := g.r.IntN(100); {
				case x < 25:
					t = types[1]
				case x < 45:
					t = types[2]
				}
				span := t.minutes / slotMinutes
				at := -1
				for try := 0; try < 8 && at < 0; try++ {
					s := g.r.IntN(daySlots - span + 1)
					free := true
					for j := s; j < s+span; j++ {
						free = free && !taken[j]
					}
					if free {
						at = s
					}
				}
				if at < 0 {
					continue
				}
				for j := at; j < at+span; j++ {
					taken[j] = true
				}
				startsAt := time.Date(midnight.Year(), midnight.Month(), midnight.Day(), 0, dayStart+at*slotMinutes, 0, 0, loc)
				endsAt := startsAt.Add(time.Duration(t.minutes) * time.Minute)
				p.appointment(g, pr.id, pr.location, t.id, patientIDs[g.r.IntN(len(patientIDs))], startsAt, endsAt, span)
			}
		}
	}
	return p
}

// patient generates one chart.
func (g *gen) patient(pid, id pgtype.UUID, home place, near []place) []any {
	pe := g.person()
	dob := g.birthDate()
	var idNumber, passport string
	switch {
	case g.chance(0.03): // a foreign national: a passport, no ID number
		passport = string(rune('A'+g.r.IntN(26))) + g.digits(8)
	default:
		idNumber = SAIDNumber(dob, pe.sex, g.r.IntN(5000), !g.chance(0.02))
	}
	age := g.today.Year() - dob.Year()
	email := ""
	if age >= 16 && g.chance(0.85) {
		email = g.email(pe, dob)
	}
	phone := ""
	if g.chance(0.95) {
		phone = g.mobile()
	}
	pl := home
	switch {
	case g.chance(0.2):
		pl = places[g.r.IntN(len(places))]
	case len(near) > 0:
		pl = near[g.r.IntN(len(near))]
	}
	lang := pe.c.Language
	if g.chance(0.1) {
		lang = "English"
	}
	aid := medic.MedicalAid{}
	if g.chance(0.4) {
		aid = medic.MedicalAid{Scheme: g.pick(medicalSchemes), MemberNumber: g.digits(9 + g.r.IntN(3)), DependentCode: fmt.Sprintf("%02d", g.r.IntN(4))}
	}
	var contacts []medic.EmergencyContact
	if g.chance(0.6) {
		c := g.person()
		contacts = append(contacts, medic.EmergencyContact{Name: c.given + " " + pe.family, Relationship: g.pick(relationships), Phone: g.mobile()})
	} else {
		contacts = []medic.EmergencyContact{}
	}
	aidJSON, _ := json.Marshal(aid)
	contactsJSON, _ := json.Marshal(contacts)
	allergies := []string{}
	if g.chance(0.1) {
		allergies = append(allergies, g.pick(allergyList))
	}
	chronic := []string{}
	for range age / 25 {
		if g.chance(0.3) {
			if c := g.pick(chronicList); len(chronic) == 0 || chronic[0] != c {
				chronic = append(chronic, c)
			}
		}
	}
	status := string(medic.PatientActive)
	if g.chance(0.03) {
		status = string(medic.PatientInactive)
	}
	created := g.ago(6 * 365 * 24 * time.Hour)
	updated := created.Add(time.Duration(g.r.Int64N(int64(g.now.Sub(created)) + 1))).Truncate(time.Microsecond)
	return []any{pid, id, pe.given, pe.family, dob.Time(), string(pe.sex), idNumber, passport, email, phone,
		g.address(pl), lang, aidJSON, contactsJSON, allergies, chronic, status, created, updated}
}

// appointment adds one appointment and, if it holds its place, its slots.
func (p *practiceData) appointment(g *gen, practitioner, location, typ, patient pgtype.UUID, start, end time.Time, span int) {
	var status medic.AppointmentStatus
	switch x := g.r.Float64(); {
	case !end.After(g.now):
		switch {
		case x < 0.85:
			status = medic.StatusCompleted
		case x < 0.90:
			status = medic.StatusNoShow
		default:
			status = medic.StatusCancelled
		}
	case !start.After(g.now):
		status = medic.StatusInProgress
	case x < 0.92:
		status = medic.StatusBooked
	default:
		status = medic.StatusCancelled
	}
	cancelReason := ""
	if status == medic.StatusCancelled {
		cancelReason = g.pick(cancelReasons)
	}
	notes := ""
	if g.chance(0.2) {
		notes = g.pick(notesList)
	}
	source := medic.SourceDesk
	if g.chance(0.25) {
		source = medic.SourceOnline
	}
	// Booked one hour to six weeks ahead, never after now.
	created := start.Add(-time.Hour - time.Duration(g.r.Int64N(int64(42*24*time.Hour))))
	if created.After(g.now) {
		created = g.now.Add(-time.Duration(g.r.Int64N(int64(time.Hour))))
	}
	created = created.Truncate(time.Microsecond)
	updated := created
	if status != medic.StatusBooked {
		updated = minTime(end, g.now).Truncate(time.Microsecond)
	}
	id := g.uuid()
	p.appointments = append(p.appointments, []any{p.id, id, patient, practitioner, location, typ, start, end,
		string(status), string(source), notes, cancelReason, false, "", created, updated})
	if !status.Holds() {
		return
	}
	for j := range span {
		s := start.Add(time.Duration(j*slotMinutes) * time.Minute)
		p.slotPlaces = append(p.slotPlaces, []any{p.id, practitioner, s, 1, 1, 0})
		p.appointmentSlots = append(p.appointmentSlots, []any{p.id, id, practitioner, s, false})
	}
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// copies are the COPY targets, in foreign-key order.
var copies = []struct {
	table   string
	columns []string
	rows    func(p *practiceData) [][]any
}{
	{"locations", []string{"practice_id", "id", "name", "address", "phone", "email", "hours", "active", "created_at", "updated_at"},
		func(p *practiceData) [][]any { return p.locations }},
	{"practitioners", []string{"practice_id", "id", "name", "specialty", "registration_number", "practice_number", "qualifications", "status", "created_at", "updated_at"},
		func(p *practiceData) [][]any { return p.practitioners }},
	{"practitioner_locations", []string{"practice_id", "practitioner_id", "location_id", "is_primary", "start_date", "end_date"},
		func(p *practiceData) [][]any { return p.assigns }},
	{"appointment_types", []string{"practice_id", "id", "name", "duration_minutes", "color", "online_bookable", "active", "created_at"},
		func(p *practiceData) [][]any { return p.types }},
	{"schedule_rules", []string{"practice_id", "id", "practitioner_id", "location_id", "weekday", "start_minute", "end_minute", "slot_minutes", "capacity", "appointment_type_ids", "effective_from", "effective_to", "created_at"},
		func(p *practiceData) [][]any { return p.rules }},
	{"patients", []string{"practice_id", "id", "given_name", "family_name", "date_of_birth", "sex", "id_number", "passport", "email", "phone", "address", "preferred_language", "medical_aid", "emergency_contacts", "allergies", "chronic_conditions", "status", "created_at", "updated_at"},
		func(p *practiceData) [][]any { return p.patients }},
	{"appointments", []string{"practice_id", "id", "patient_id", "practitioner_id", "location_id", "appointment_type_id", "starts_at", "ends_at", "status", "source", "notes", "cancel_reason", "overbooked", "overbook_reason", "created_at", "updated_at"},
		func(p *practiceData) [][]any { return p.appointments }},
	{"slot_places", []string{"practice_id", "practitioner_id", "slot_start", "capacity", "booked", "overbooked"},
		func(p *practiceData) [][]any { return p.slotPlaces }},
	{"appointment_slots", []string{"practice_id", "appointment_id", "practitioner_id", "slot_start", "overbooked"},
		func(p *practiceData) [][]any { return p.appointmentSlots }},
}

// loadPractice writes one practice in one transaction: all of it or none.
func loadPractice(ctx context.Context, pool *pgxpool.Pool, p *practiceData) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		// A crash loses at most the practices of the last moments, which
		// the next run loads again: no need to wait for each flush.
		if _, err := tx.Exec(ctx, `SET LOCAL synchronous_commit = off`); err != nil {
			return err
		}
		booking, _ := json.Marshal(medic.DefaultBooking)
		if _, err := tx.Exec(ctx, `INSERT INTO practices (id, slug, name, type, email, phone, address, registration_number, time_zone, booking, created_at, updated_at)
			VALUES ($1, $2, $3, 'clinic', $4, $5, $6, $7, $8, $9, $10, $10)`,
			p.id, p.slug, p.name, p.email, p.phone, p.address, p.rn, TimeZone, booking, p.created); err != nil {
			return err
		}
		for _, c := range copies {
			rows := c.rows(p)
			if len(rows) == 0 {
				continue
			}
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{c.table}, c.columns, pgx.CopyFromRows(rows)); err != nil {
				return fmt.Errorf("copy %s: %w", c.table, err)
			}
		}
		return nil
	})
}
