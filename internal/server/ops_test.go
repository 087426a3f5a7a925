package server_test

import (
	"net/http"
	"strings"
	"testing"

	"medic/internal/server/servertest"
)

func TestOperationsEndpoints(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	p := env.Practice(t, "ops")
	u := env.User(t, "a@ops.example", "correct horse battery")
	env.Member(t, p, u, "admin")
	admin := env.Login(t, "a@ops.example", "correct horse battery")
	if r := admin.Do("GET", "/api/v1/me", nil); r.Status != http.StatusOK {
		t.Fatalf("me: %s", r)
	}
	anon := env.Client()

	for _, s := range []servertest.Scenario{
		{Name: "healthz", Client: anon, Method: "GET", Path: "/healthz", Status: 200, Contains: []string{"ok"}},
		{Name: "readyz", Client: anon, Method: "GET", Path: "/readyz", Status: 200, Contains: []string{"ready"}},
		{Name: "metrics", Client: anon, Method: "GET", Path: "/metrics", Status: 200, Contains: []string{
			"medic_http_requests_total",
			`route="GET /api/v1/me"`,
			`route="POST /api/v1/auth/login"`,
			"medic_db_pool_connections",
		}},
	} {
		s.Run(t)
	}

	// Metrics never carry a concrete path (it may hold ids or patient data).
	r := anon.Do("GET", "/metrics", nil)
	for _, line := range strings.Split(string(r.Body), "\n") {
		if strings.HasPrefix(line, "medic_http_requests_total{") && strings.Contains(line, p.ID) {
			t.Errorf("metric label holds an id: %s", line)
		}
	}
}
