package bench

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"medic/internal/server/servertest"
)

// TestRunFHIR drives a real server's FHIR API with bearer tokens through
// every FHIR scenario, and checks each succeeded, made what it said and
// was audited.
func TestRunFHIR(t *testing.T) {
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
	conn, err := pgx.Connect(ctx, env.DB.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	count := func(sql string, args ...any) int {
		t.Helper()
		var n int
		if err := conn.QueryRow(ctx, sql, args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return n
	}
	events := count(`SELECT count(*) FROM audit_events`)

	cfg := HTTPConfig{BaseURL: env.URL, OwnerURL: env.DB.OwnerURL, Email: "bench@bench.example", Password: "a bench password 1",
		Clients: 3, SessionClients: 2, Duration: 300 * time.Millisecond, Warmup: -1, Seed: 9, Now: env.Clock.Now}
	var out strings.Builder
	results, err := RunFHIR(ctx, cfg, &out)
	t.Log(out.String())
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != len(FHIRScenarios) {
		t.Fatalf("%d results, want one per scenario", len(results))
	}
	audited := 0
	for i, r := range results {
		if r.Scenario != FHIRScenarios[i] || r.OK == 0 || r.Errors() != 0 || r.Clients != 3 || r.SessionClients != 0 || r.Target == "" {
			t.Errorf("%s: %d ok, %d clients (%d session), errors %s, target %q (%s)", r.Scenario, r.OK, r.Clients, r.SessionClients,
				statusSummary(r.ByStatus), r.Target, r.Note)
		}
		if !strings.Contains(out.String(), "\n"+r.Scenario+" ") {
			t.Errorf("the report has no line for %s", r.Scenario)
		}
		audited += r.OK
	}
	if got := count(`SELECT count(*) FROM audit_events`) - events; got < audited {
		t.Errorf("%d audit events for %d FHIR reads and changes of patient data", got, audited)
	}
	// The app's clock stands at servertest.Start; generated rows are older.
	if n := count(`SELECT count(*) FROM patients WHERE created_at >= $1`, servertest.Start); n != results[0].OK {
		t.Errorf("%d new charts, the create scenario made %d", n, results[0].OK)
	}
	if n := count(`SELECT count(*) FROM appointments WHERE created_at >= $1`, servertest.Start); n != results[3].OK {
		t.Errorf("%d new appointments, the book scenario made %d", n, results[3].OK)
	}
	// A token per practice worked in, each revoked at the end; the large
	// practice's was used by every scenario.
	if n := count(`SELECT count(*) FROM api_tokens WHERE name = 'medic bench fhir' AND revoked_at IS NULL`); n != 0 {
		t.Errorf("%d bench tokens left unrevoked", n)
	}
	if n := count(`SELECT count(*) FROM api_tokens a JOIN practices p ON p.id = a.practice_id WHERE a.name = 'medic bench fhir' AND p.slug = $1 AND a.last_used_at IS NOT NULL`, BigSlug); n != 1 {
		t.Errorf("%d used tokens of %s, want 1", n, BigSlug)
	}
}
