package server_test

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"medic"
	"medic/internal/server/servertest"
)

// deskRecordExempt are desk routes that name something other than a
// practice's record: the user's own account, the platform, public tokens,
// static files. Each is tenant-free by what it names.
var deskRecordExempt = []string{
	"GET /static/{file...}", "GET /reset/{token}", "POST /reset/{token}", "GET /invite/{token}", "POST /invite/{token}",
	"POST /account/sessions/{id}/end", "POST /account/tokens/{id}/revoke",
	"POST /operator/practices/{id}/status", "GET /operator/icd10/imports/{id}",
	"GET /book/{slug}", "GET /book/{slug}/{step}", "POST /book/{slug}/{step}",
	"GET /book/manage/{token}", "POST /book/manage/{token}/cancel", "POST /book/manage/{token}/reschedule",
	"GET /verify/{code}", // public by its code, for anyone (TestSickNotes)
}

// deskRecordExtra are requests for desk routes that every role may use
// (so routeRules has no request for them) but that name a record.
var deskRecordExtra = []routeRule{
	{pattern: "GET /locations/{id}", path: "/locations/{location}"},
	{pattern: "GET /practitioners/{id}", path: "/practitioners/{practitioner}"},
	{pattern: "GET /practitioners/{id}/signature", path: "/practitioners/{practitioner}/signature"},
	{pattern: "POST /notifications/{id}/read", path: "/notifications/{notification}/read", body: form()},
}

var placeholder = regexp.MustCompile(`\{[a-z]+\}`)

// deskRecordRules are the requests of desk routes that name a record of
// the fixture practice.
func deskRecordRules() []routeRule {
	var out []routeRule
	for _, r := range append(slices.Clone(routeRules), deskRecordExtra...) {
		if r.path != "" && !strings.HasPrefix(r.path, "/api/") && strings.Contains(r.pattern, "{") && placeholder.MatchString(r.path) {
			out = append(out, r)
		}
	}
	return out
}

// TestDeskRecordRoutesCovered: every desk route with a record in its path
// is checked by TestDeskCrossTenant (or named as not a practice's record),
// so a new route cannot skip the check.
func TestDeskRecordRoutesCovered(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	covered := map[string]bool{}
	for _, r := range deskRecordRules() {
		covered[r.pattern] = true
	}
	for _, p := range env.Handler.Routes() {
		path := p[strings.Index(p, " ")+1:]
		if !strings.Contains(strings.ReplaceAll(path, "{$}", ""), "{") || strings.HasPrefix(path, "/api/") || strings.HasPrefix(path, "/fhir/") || slices.Contains(deskRecordExempt, p) {
			continue
		}
		if !covered[p] {
			t.Errorf("desk route %q names a record but no cross-tenant request checks it: give it a path in routeRules or deskRecordExtra", p)
		}
	}
}

// TestDeskCrossTenant: practice B's members, asking the desk for practice
// A's records by id (every page and every action that names one), get the
// same 404 as for a record that does not exist, whatever their role allows.
func TestDeskCrossTenant(t *testing.T) {
	t.Parallel()
	f := newRoleFixture(t)
	note := &medic.Notification{Kind: medic.NotificationOnlineBooking, Title: "Thandi Zulu booked online", AppointmentID: f.ids["appointment"]}
	if err := f.env.DB.CreateNotification(medic.WithTenant(t.Context(), medic.Tenant{PracticeID: f.p.ID}), note); err != nil {
		t.Fatal(err)
	}
	f.ids["notification"] = note.ID
	other := newDesk(t, f.env, "harbour")
	rules := deskRecordRules()
	if len(rules) < 40 {
		t.Fatalf("only %d desk record routes found: the selection is broken", len(rules))
	}
	for _, r := range rules {
		for _, role := range []medic.Role{medic.RoleAdmin, medic.RoleDoctor, medic.RoleReceptionist} {
			if r.perm != "" && !role.Can(r.perm) {
				continue // refused before any record is looked up
			}
			t.Run(string(role)+" "+r.pattern, func(t *testing.T) {
				res := f.send(t, r, role, other.c[role])
				if loc := res.Header.Get("Location"); res.Status == http.StatusSeeOther && loc != "" {
					res = other.c[role].Do("GET", loc, nil) // a page that forwards to the record's page
				}
				if res.Status != http.StatusNotFound {
					t.Errorf("practice B's %s got %d, want 404: %.300s", role, res.Status, res.Body)
				}
				for _, marker := range []string{"Thandi", "Zulu", soapMarker} {
					if strings.Contains(string(res.Body), marker) {
						t.Errorf("the answer shows practice A's %q", marker)
					}
				}
			})
		}
	}
}
