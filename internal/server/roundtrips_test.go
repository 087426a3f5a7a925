package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"medic"
	"medic/internal/server/servertest"
)

// TestRoundTripsPerRequest pins how many round trips to PostgreSQL the hot
// API requests make, authentication included (on a 2-core machine each
// costs more than the statements it carries; docs/performance.md, issue
// 10). A change that adds one back fails here; one that removes one should
// lower the bound. A read's audit event is not the request's round trip:
// it is committed with other reads' on the audit batcher's connection
// (InReadTx), and the request waits for that commit.
func TestRoundTripsPerRequest(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	d := newDesk(t, env, "trips")
	patient := d.patient(t, "Thandi", "")
	for range 4 {
		d.patient(t, "Thandi", "")
	}
	d.book(t, patient, thu0900)
	d.book(t, d.patient(t, "Sipho", ""), thu0930)
	session := d.c[medic.RoleReceptionist]
	created := want(t, session.Do("POST", "/api/v1/auth/tokens", map[string]any{"name": "integration", "practice": "trips"}), http.StatusCreated)
	token := env.TokenClient(t, created.Str("token"))

	counted := env.DB.CountRoundTrips()
	seq := 0
	for _, tc := range []struct {
		name   string
		c      *servertest.Client
		method string
		path   string
		body   func() any
		status int
		max    int
	}{
		{"GET patient by token", token, "GET", d.base + "/patients/" + patient, nil, http.StatusOK, 2},
		{"GET patient by session", session, "GET", d.base + "/patients/" + patient, nil, http.StatusOK, 3},
		{"search by token", token, "GET", d.base + "/patients?q=thand&limit=20", nil, http.StatusOK, 2},
		{"create by token", token, "POST", d.base + "/patients", func() any {
			seq++
			return map[string]any{"given_name": "Lerato", "family_name": fmt.Sprintf("Trip%d", seq), "date_of_birth": "1990-01-02", "sex": "female"}
		}, http.StatusCreated, 4},
		{"appointment list by token", token, "GET", d.base + "/appointments?from=2030-03-07&to=2030-03-08", nil, http.StatusOK, 2},
		{"dashboard by session", session, "GET", d.base + "/dashboard", nil, http.StatusOK, 7},
		// Desk pages: session, memberships (the top bar), practice and
		// member, the page's reads, the top bar's badges.
		{"desk chart (doctor)", d.c[medic.RoleDoctor], "GET", "/patients/" + patient, nil, http.StatusOK, 13},
		{"desk today (reception)", session, "GET", "/today", nil, http.StatusOK, 9},
		{"desk calendar day (reception)", session, "GET", "/calendar?view=day&date=2030-03-07", nil, http.StatusOK, 9},
	} {
		// The first request may record the token's or session's use (once
		// a minute); the second is the steady state.
		var got int
		for i := range 2 {
			id := fmt.Sprintf("trips-%s-%d", strings.ReplaceAll(tc.name, " ", "-"), i)
			var body any
			if tc.body != nil {
				body = tc.body()
			}
			want(t, tc.c.DoHeader(tc.method, tc.path, body, map[string]string{"X-Request-ID": id}), tc.status)
			got = counted.Of(id)
		}
		t.Logf("%s: %d round trips", tc.name, got)
		if got == 0 || got > tc.max {
			t.Errorf("%s: %d round trips to PostgreSQL, want 1..%d", tc.name, got, tc.max)
		}
	}
}
