package server_test

import (
	"net/http"
	"testing"
)

// Patients book online only as far ahead as the practice allows; the
// public availability stops there too.
func TestPublicBookingHorizon(t *testing.T) {
	t.Parallel()
	env := newPublicEnv(t)
	f := newPub(t, env, "horizon", 1)
	if len(f.slots(t)) == 0 {
		t.Fatal("no open slots on Thursday 7 March before the horizon is set")
	}
	if got := want(t, f.anon.Do("GET", f.path(""), nil), http.StatusOK).Get("horizon_days"); got != float64(90) {
		t.Errorf("public horizon_days before it is set: %v, want the default 90", got)
	}
	want(t, f.admin.Do("PATCH", "/api/v1/practices/horizon", map[string]any{"booking": map[string]any{"horizon_days": 1}}), http.StatusOK)
	if got := want(t, f.anon.Do("GET", f.path(""), nil), http.StatusOK).Get("horizon_days"); got != float64(1) {
		t.Errorf("public horizon_days: %v, want 1", got)
	}
	if got := f.slots(t); len(got) != 0 {
		t.Errorf("slots two days ahead with a one-day horizon: %v", got)
	}
	email := "far@example.org"
	r := f.confirm(f.booking(email, f.code(t, email, ""), "2030-03-07T09:00:00+02:00"))
	wantProblem(t, r, http.StatusUnprocessableEntity)
	if r.Str("errors.start") == "" {
		t.Errorf("no error on start: %s", r)
	}
	if n := len(f.appointments(t)); n != 0 {
		t.Errorf("%d appointments booked beyond the horizon", n)
	}
	wantProblem(t, f.admin.Do("PATCH", "/api/v1/practices/horizon", map[string]any{"booking": map[string]any{"horizon_days": 1000}}), http.StatusUnprocessableEntity)
}

// A location the practice switched off takes no online bookings, even from
// a client that kept its id.
func TestPublicBookingInactiveLocation(t *testing.T) {
	t.Parallel()
	env := newPublicEnv(t)
	f := newPub(t, env, "closed", 1)
	want(t, f.admin.Do("PATCH", "/api/v1/practices/closed/locations/"+f.loc, map[string]any{"active": false}), http.StatusOK)
	email := "cached@example.org"
	r := f.confirm(f.booking(email, f.code(t, email, ""), "2030-03-07T09:00:00+02:00"))
	wantProblem(t, r, http.StatusUnprocessableEntity)
	if r.Str("errors.location_id") == "" {
		t.Errorf("no error on location_id: %s", r)
	}
	if n := len(f.appointments(t)); n != 0 {
		t.Errorf("%d appointments booked at an inactive location", n)
	}
}

// A desk notification names the patient, so listing them is audited.
func TestNotificationsListAudited(t *testing.T) {
	t.Parallel()
	env := newPublicEnv(t)
	f := newPub(t, env, "noted", 1)
	f.book(t, "noted@example.org", "2030-03-07T09:00:00+02:00")
	ns := want(t, f.admin.Do("GET", "/api/v1/practices/noted/notifications", nil), http.StatusOK).Items()
	if len(ns) != 1 {
		t.Fatalf("%d notifications, want 1", len(ns))
	}
	actions, _ := f.auditActions(t)
	if count(actions, "notification.shown") != 1 {
		t.Errorf("notification.shown events: %d in %v", count(actions, "notification.shown"), actions)
	}
}
