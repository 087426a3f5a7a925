package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"medic"
	"medic/internal/server/servertest"
)

// BenchmarkRecordVitals measures recording a set of vitals the way a
// script or the desk's form does: POST .../encounters/{id}/vitals through
// the real handler (bearer token: authentication, entering the practice,
// the encounter and chart reads, validation, the insert, the audit event)
// on a real PostgreSQL holding one practice of issue 11's clinical data
// set: 20,000 charts, 1% of them with 100 past encounters with vitals
// (20,000 encounters and sets). It reports the p50 and p95 of the
// requests besides Go's mean; the target is p95 <= 15 ms.
//
//	go test -run xxx -bench RecordVitals -benchtime 2000x ./internal/server/
func BenchmarkRecordVitals(b *testing.B) {
	env := servertest.New(b)
	p := env.Practice(b, "vitals-bench")
	env.Member(b, p, env.User(b, "nurse@vitals-bench.example", pw), medic.RoleNurse)
	loc := env.Location(b, p, "Main Street")
	c := env.Login(b, "nurse@vitals-bench.example", pw)
	created := c.Do("POST", "/api/v1/auth/tokens", map[string]any{"name": "bench", "practice": "vitals-bench"})
	if created.Status != http.StatusCreated {
		b.Fatalf("create token: %s", created)
	}
	drafts := seedVitalsBench(b, env, p.ID, loc.ID, 20000, 200, 100)
	h := env.Server.Config.Handler
	token := "Bearer " + created.Str("token")

	var took []time.Duration
	i := 0
	b.ResetTimer()
	for b.Loop() {
		enc := drafts[i%len(drafts)]
		i++
		body := fmt.Sprintf(`{"systolic_mmhg": %d, "diastolic_mmhg": %d, "pulse_bpm": %d, "temperature_c": 36.%d, "weight_kg": 78.4, "height_cm": 172}`,
			118+i%40, 70+i%20, 60+i%30, i%10)
		req := httptest.NewRequest("POST", "/api/v1/practices/vitals-bench/encounters/"+enc+"/vitals", strings.NewReader(body))
		req.Header.Set("Authorization", token)
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		start := time.Now()
		h.ServeHTTP(w, req)
		took = append(took, time.Since(start))
		if w.Code != http.StatusCreated {
			b.Fatalf("record vitals: %d %s", w.Code, w.Body)
		}
	}
	b.StopTimer()
	slices.Sort(took)
	pct := func(q float64) float64 { return float64(took[int(q*float64(len(took)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.95), "p95-ms")
}

// seedVitalsBench fills practice with charts, and for `heavy` of them
// `visits` finished encounters over five years each with a set of vitals,
// plus one open (draft) encounter to record on, whose ids it returns. It
// writes with the owner's connection in a few set-based statements.
func seedVitalsBench(b *testing.B, env *servertest.Env, practice, location string, charts, heavy, visits int) []string {
	b.Helper()
	ctx := context.Background()
	// Few distinct names: the name-word triggers of a practice with 20,000
	// different given names take minutes to load; search is not measured.
	conn, err := pgx.Connect(ctx, env.DB.OwnerURL)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	start := time.Now()
	heavyCharts := `(SELECT id FROM patients WHERE practice_id = $1 ORDER BY id LIMIT $3)`
	for _, s := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO practitioners (practice_id, name, created_at, updated_at) VALUES ($1, 'Dr Bench', now(), now())`, []any{practice}},
		{`INSERT INTO patients (practice_id, given_name, family_name, date_of_birth, created_at, updated_at)
			SELECT $1, 'Given' || (g % 50), 'Family' || (g % 997), date '1940-01-01' + (g * 7 % 25000), now(), now()
			FROM generate_series(1, $2::int) g`, []any{practice, charts}},
		// The heavy charts' history: one finished encounter a visit.
		{`INSERT INTO encounters (practice_id, patient_id, practitioner_id, location_id, stage, status, started_at, stage_since, finished_at, updated_at)
			SELECT $1, p.id, pr.id, $2, 'closure', 'finished', t, t, t + interval '20 minutes', t
			FROM ` + heavyCharts + ` p
			CROSS JOIN (SELECT id FROM practitioners WHERE practice_id = $1) pr
			CROSS JOIN LATERAL (SELECT now() - (v * interval '18 days') AS t FROM generate_series(1, $4::int) v) v`, []any{practice, location, heavy, visits}},
		{`INSERT INTO encounter_vitals (practice_id, encounter_id, patient_id, measured_at, systolic_mmhg, diastolic_mmhg, pulse_bpm, weight_kg, height_cm, created_at)
			SELECT practice_id, id, patient_id, started_at + interval '5 minutes', 110 + (extract(epoch FROM started_at)::bigint % 60),
				65 + (extract(epoch FROM started_at)::bigint % 30), 60 + (extract(epoch FROM started_at)::bigint % 40), 70.5, 170, started_at
			FROM encounters WHERE practice_id = $1`, []any{practice}},
		// Today's open visit of each heavy chart.
		{`INSERT INTO encounters (practice_id, patient_id, practitioner_id, location_id, stage, status, started_at, stage_since, updated_at)
			SELECT $1, p.id, pr.id, $2, 'assessment', 'draft', now(), now(), now()
			FROM ` + heavyCharts + ` p
			CROSS JOIN (SELECT id FROM practitioners WHERE practice_id = $1) pr`, []any{practice, location, heavy}},
		{`ANALYZE patients`, nil}, {`ANALYZE encounters`, nil}, {`ANALYZE encounter_vitals`, nil},
	} {
		if _, err := conn.Exec(ctx, s.sql, s.args...); err != nil {
			b.Fatalf("seed: %v\n%s", err, s.sql)
		}
	}
	rows, err := conn.Query(ctx, `SELECT id::text FROM encounters WHERE practice_id = $1 AND status = 'draft'`, practice)
	if err != nil {
		b.Fatal(err)
	}
	drafts, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(drafts) != heavy {
		b.Fatalf("%d drafts, %v", len(drafts), err)
	}
	b.Logf("seeded %d charts, %d with %d visits with vitals, in %s", charts, heavy, visits, time.Since(start).Round(time.Millisecond))
	return drafts
}
