package bench

import (
	"context"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"medic/internal/server/servertest"
)

// TestRunHTTP drives a real server (the servertest stack, as production
// wires it) over HTTP with token and session clients through every
// scenario, and checks each one succeeded and was audited.
func TestRunHTTP(t *testing.T) {
	env := servertest.New(t)
	ctx := context.Background()
	gen := GenConfig{Practices: 2, PatientsPerPractice: 30, AppointmentDays: 120, AppointmentsPerPractitionerPerDay: 2, Seed: 5, Now: servertest.Start}
	if err := Generate(ctx, env.DB.OwnerURL, gen, nil); err != nil {
		t.Fatal(err)
	}
	gen.PatientsPerPractice = 300
	if err := GenerateBig(ctx, env.DB.OwnerURL, gen, nil); err != nil {
		t.Fatal(err)
	}
	if err := GenerateClinical(ctx, env.DB.OwnerURL, ClinicalConfig{Share: 0.02, Encounters: 5, Now: servertest.Start}, nil); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, env.DB.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	count := func(sql string) int {
		t.Helper()
		var n int
		if err := conn.QueryRow(ctx, sql).Scan(&n); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return n
	}
	if n := count(`SELECT count(*) FROM patients p JOIN practices pr ON pr.id = p.practice_id WHERE pr.slug = '` + BigSlug + `'`); n != 300 {
		t.Fatalf("large practice has %d patients, want 300", n)
	}
	events := count(`SELECT count(*) FROM audit_events`)

	cfg := HTTPConfig{BaseURL: env.URL, OwnerURL: env.DB.OwnerURL, Email: "bench@bench.example", Password: "a bench password 1",
		Clients: 3, SessionClients: 1, Duration: 300 * time.Millisecond, Warmup: -1, Seed: 9, Now: env.Clock.Now}
	var out strings.Builder
	results, err := RunHTTP(ctx, cfg, &out)
	t.Log(out.String())
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != len(HTTPScenarios) {
		t.Fatalf("%d results, want one per scenario", len(results))
	}
	audited := 0 // reads and changes of patient data: all but availability and lost races
	for _, r := range results {
		if r.OK == 0 || r.Errors() != 0 {
			t.Errorf("%s: %d ok, errors %s (%s)", r.Scenario, r.OK, statusSummary(r.ByStatus), r.Note)
		}
		_, clinical := p95Targets[r.Scenario]
		if want := map[bool]int{false: 3, true: 2}[clinical]; r.Clients != want {
			t.Errorf("%s: %d clients, want %d", r.Scenario, r.Clients, want)
		}
		if _, ok := httpTargets[r.Scenario]; (ok || clinical) != (r.Target != "") {
			t.Errorf("%s: target %q", r.Scenario, r.Target)
		}
		// ICD-10 search and availability read no patient's data.
		if r.Scenario != HTTPAvailability && r.Scenario != HTTPICD10 {
			audited += r.OK
		}
	}
	for _, s := range HTTPScenarios {
		if !strings.Contains(out.String(), "\n"+s) {
			t.Errorf("the report has no line for %s", s)
		}
	}
	// Every answered read or change of patient data was audited.
	if got := count(`SELECT count(*) FROM audit_events`) - events; got < audited {
		t.Errorf("%d audit events for %d reads and changes of patient data", got, audited)
	}
	// Clients signed in and used the token as clients do.
	// The desk-search clients each signed in and switched to the large
	// practice (a new session, the old one ended).
	if n := count(`SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = 'bench@bench.example'`); n != 2+2*cfg.Clients {
		t.Errorf("%d sessions of the bench user, want %d (the token's maker, the session client, and two per desk-search client)", n, 2+2*cfg.Clients)
	}
	// The receptionist's token and the doctor's of ICD-10 search and of vitals.
	if n := count(`SELECT count(*) FROM api_tokens WHERE name = 'medic bench http' AND revoked_at IS NOT NULL AND last_used_at IS NOT NULL`); n != 3 {
		t.Errorf("%d used and revoked bench tokens, want 3", n)
	}
	// Vitals went into the doctor's open walk-ins, one per client.
	if n := count(`SELECT count(*) FROM encounter_vitals v JOIN encounters e ON e.practice_id = v.practice_id AND e.id = v.encounter_id WHERE e.status = 'draft'`); n != results[8].OK {
		t.Errorf("%d vitals in open encounters, the vitals scenario recorded %d", n, results[8].OK)
	}
	// The app's clock stands at servertest.Start; generated charts are older.
	var created int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM patients WHERE created_at >= $1`, servertest.Start).Scan(&created); err != nil {
		t.Fatal(err)
	}
	if n := created; n != results[2].OK {
		t.Errorf("%d new charts, the create scenario made %d", n, results[2].OK)
	}
}

func TestGenerateBigIsIdempotent(t *testing.T) {
	env := servertest.New(t)
	ctx := context.Background()
	gen := GenConfig{PatientsPerPractice: 40, AppointmentDays: 10, AppointmentsPerPractitionerPerDay: 1, Seed: 2, Now: servertest.Start}
	for range 2 {
		if err := GenerateBig(ctx, env.DB.OwnerURL, gen, nil); err != nil {
			t.Fatal(err)
		}
	}
	conn, err := pgx.Connect(ctx, env.DB.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var practices, patients int
	err = conn.QueryRow(ctx, `SELECT count(DISTINCT pr.id), count(p.id) FROM practices pr LEFT JOIN patients p ON p.practice_id = pr.id`).Scan(&practices, &patients)
	if err != nil {
		t.Fatal(err)
	}
	if practices != 1 || patients != 40 {
		t.Errorf("%d practices with %d patients, want 1 with 40", practices, patients)
	}
}

func TestStatusSummary(t *testing.T) {
	for _, tc := range []struct {
		in   map[int]int
		want string
	}{
		{nil, "none"},
		{map[int]int{500: 0}, "none"},
		{map[int]int{500: 2, 0: 1, 404: 3}, "no answer: 1, 404: 3, 500: 2"},
	} {
		if got := statusSummary(tc.in); got != tc.want {
			t.Errorf("statusSummary(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestHTTPResultCounts(t *testing.T) {
	r := HTTPResult{OK: 300, Lost: 20, ByStatus: map[int]int{500: 3, 0: 2}, Elapsed: 2 * time.Second}
	if r.Errors() != 5 || r.Requests() != 325 || r.Throughput() != 150 {
		t.Errorf("errors %d, requests %d, throughput %v; want 5, 325, 150", r.Errors(), r.Requests(), r.Throughput())
	}
	if (HTTPResult{OK: 5}).Throughput() != 0 {
		t.Error("throughput without elapsed time should be 0")
	}
}

func TestSplitCPU(t *testing.T) {
	cores := int64(runtime.NumCPU())
	me := os.Getpid()
	// One second of the machine: 100 ticks per core, half of them busy.
	a := cpuSnapshot{busy: 0, total: 0, procs: map[int]int64{me: 10, 7: 100, 8: 5}}
	b := cpuSnapshot{busy: 50 * cores, total: 100 * cores, procs: map[int]int64{me: 15, 7: 130, 8: 15, 9: 4}}
	c := splitCPU(a, b, 1, 7, map[int]bool{8: true, 9: true, 10: true})
	busy := float64(50 * cores) // percent of one core
	want := CPUSplit{Busy: busy, Server: 30, Postgres: 14, Bench: 5, Other: busy - 49, seconds: 1}
	if c != want {
		t.Errorf("split = %+v, want %+v", c, want)
	}
	if got := c.describe(100); !strings.Contains(got, "per request: server 3000 µs, postgres 1400 µs") {
		t.Errorf("describe = %q", got)
	}
	if (splitCPU(b, a, 1, 7, nil) != CPUSplit{}) {
		t.Error("snapshots out of order should give no split")
	}
}

func TestNewPatientIsValid(t *testing.T) {
	g := newGen(1, 3, servertest.Start)
	seen := map[string]bool{}
	for range 200 {
		p := g.newPatient()
		for _, f := range []string{"given_name", "family_name", "date_of_birth", "sex"} {
			if s, _ := p[f].(string); s == "" {
				t.Fatalf("new patient without %s: %v", f, p)
			}
		}
		if id, _ := p["id_number"].(string); id != "" {
			if seen[id] {
				t.Errorf("ID number %s twice", id)
			}
			seen[id] = true
		}
	}
}
