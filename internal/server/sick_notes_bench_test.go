package server_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"medic"
	"medic/internal/server"
	"medic/internal/server/servertest"
)

// BenchmarkVerifySickNote measures the public verification of a sick
// note as an employer's browser or script asks for it: GET /verify/{code}
// through the real handler on a real PostgreSQL (the per-IP count and its
// own commit, the code's practice, the note read in that practice's tenant
// and its audit event), as the page and as JSON. Each request comes from
// another address, so none is refused. It reports the p50 and p95 of the
// requests; the target is p95 <= 5 ms.
//
//	go test -run xxx -bench VerifySickNote -benchtime 1000x ./internal/server/
func BenchmarkVerifySickNote(b *testing.B) {
	env := servertest.NewWithConfig(b, server.Config{TrustProxy: true})
	p := env.Practice(b, "verify-bench")
	env.Member(b, p, env.User(b, "doctor@verify-bench.example", pw), medic.RoleDoctor)
	env.Member(b, p, env.User(b, "admin@verify-bench.example", pw), medic.RoleAdmin)
	doc, admin := env.Login(b, "doctor@verify-bench.example", pw), env.Login(b, "admin@verify-bench.example", pw)
	loc := env.Location(b, p, "Main Street")
	base := "/api/v1/practices/verify-bench"
	ok := func(r *servertest.Response, status int) *servertest.Response {
		if r.Status != status {
			b.Fatalf("%s %s: %s", r.Method, r.Path, r)
		}
		return r
	}
	pr := ok(admin.Do("POST", base+"/practitioners", map[string]any{"name": "Dr Naledi Dlamini", "location_ids": []string{loc.ID}}), http.StatusCreated).Str("id")
	pt := ok(doc.Do("POST", base+"/patients", map[string]any{"given_name": "Thabo", "family_name": "Mokoena", "date_of_birth": "1980-04-02"}), http.StatusCreated).Str("id")
	enc := ok(doc.Do("POST", base+"/encounters", map[string]any{"patient_id": pt, "practitioner_id": pr, "location_id": loc.ID}), http.StatusCreated).Str("id")
	path := ok(doc.Do("POST", base+"/sick-notes", map[string]any{"encounter_id": enc, "examined_at": "2030-03-04T09:30:00+02:00", "basis": "examined",
		"from": "2030-03-04", "to": "2030-03-06", "fitness": "unfit"}), http.StatusCreated).Str("verification_url")
	h := env.Server.Config.Handler
	for _, accept := range []string{"text/html", "application/json"} {
		b.Run(strings.TrimPrefix(accept, "application/"), func(b *testing.B) {
			var took []time.Duration
			i := 0
			for b.Loop() {
				i++
				req := httptest.NewRequest("GET", path, nil)
				req.Header.Set("Accept", accept)
				req.Header.Set("X-Forwarded-For", fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255))
				w := httptest.NewRecorder()
				start := time.Now()
				h.ServeHTTP(w, req)
				took = append(took, time.Since(start))
				if w.Code != http.StatusOK {
					b.Fatalf("verify: %d %s", w.Code, w.Body)
				}
			}
			slices.Sort(took)
			pct := func(q float64) float64 { return float64(took[int(q*float64(len(took)-1))].Microseconds()) / 1000 }
			b.ReportMetric(pct(0.50), "p50-ms")
			b.ReportMetric(pct(0.95), "p95-ms")
		})
	}
}
