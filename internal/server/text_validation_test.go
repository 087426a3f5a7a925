package server_test

import (
	"net/http"
	"strings"
	"testing"

	"medic"
	"medic/internal/server/servertest"
)

// Text that could poison a mail header, a log line or a page is refused by
// the API with a 422 problem naming the field, and nothing is stored.
func TestAPIRefusesHostileText(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	p := env.Practice(t, "sunrise")
	env.Member(t, p, env.User(t, "admin@sunrise.example", pw), medic.RoleAdmin)
	admin := env.Login(t, "admin@sunrise.example", pw)
	const practice = "/api/v1/practices/sunrise"
	patient := func(extra map[string]any) map[string]any {
		b := map[string]any{"given_name": "Lindiwe", "family_name": "Dlamini", "date_of_birth": "1990-05-01"}
		for k, v := range extra {
			b[k] = v
		}
		return b
	}

	for _, s := range []struct {
		name, method, path, field string
		body                      any
	}{
		{"practice name with CRLF", "PATCH", practice, "name", map[string]any{"name": "Sunrise\r\nBcc: victim@example.org"}},
		{"practice name with bidi override", "PATCH", practice, "name", map[string]any{"name": "Sun\u202erise"}},
		{"practice name too long", "PATCH", practice, "name", map[string]any{"name": strings.Repeat("a", 201)}},
		{"time zone Local", "PATCH", practice, "time_zone", map[string]any{"time_zone": "Local"}},
		{"time zone UTC+2", "PATCH", practice, "time_zone", map[string]any{"time_zone": "UTC+2"}},
		{"time zone empty", "PATCH", practice, "time_zone", map[string]any{"time_zone": ""}},
		{"time zone unknown", "PATCH", practice, "time_zone", map[string]any{"time_zone": "Africa/Atlantis"}},
		{"colour not #rrggbb", "PATCH", practice, "accent_color", map[string]any{"branding": map[string]any{"accent_color": "#fff"}}},
		{"letterhead with escape", "PATCH", practice, "letterhead_text", map[string]any{"branding": map[string]any{"letterhead_text": "Dr A\x1b[2J"}}},
		{"buffer too long", "PATCH", practice, "buffer_minutes", map[string]any{"booking": map[string]any{"buffer_minutes": 100000}}},
		{"location name with LF", "POST", practice + "/locations", "name", map[string]any{"name": "Main\nStreet"}},
		{"type name with C1", "POST", practice + "/appointment-types", "name", map[string]any{"name": "Con\u0085sult", "duration_minutes": 15}},
		{"type duration", "POST", practice + "/appointment-types", "duration_minutes", map[string]any{"name": "Consult", "duration_minutes": 100000}},
		{"practitioner specialty", "POST", practice + "/practitioners", "specialty", map[string]any{"name": "Dr B", "specialty": "GP\r\nX"}},
		{"patient given name with CRLF", "POST", practice + "/patients", "given_name", patient(map[string]any{"given_name": "Lin\r\ndiwe"})},
		{"patient scheme with isolate", "POST", practice + "/patients", "medical_aid.scheme", patient(map[string]any{"medical_aid": map[string]any{"scheme": "Disc\u2066overy"}})},
		{"patient allergy with RLO", "POST", practice + "/patients", "allergies", patient(map[string]any{"allergies": []string{"Peni\u202ecillin"}})},
		{"patient contact name", "POST", practice + "/patients", "emergency_contacts", patient(map[string]any{"emergency_contacts": []map[string]any{{"name": "A\nB"}}})},
		{"my name", "PATCH", "/api/v1/me", "name", map[string]any{"name": "Admin\u202e"}},
		{"token name", "POST", "/api/v1/auth/tokens", "name", map[string]any{"name": "script\nX", "practice": "sunrise"}},
	} {
		r := admin.Do(s.method, s.path, s.body)
		wantProblem(t, r, http.StatusUnprocessableEntity)
		if fieldError(r, s.field) == "" {
			t.Errorf("%s: no message for %q: %s", s.name, s.field, r)
		}
	}
	got := want(t, admin.Do("GET", practice, nil), http.StatusOK)
	if got.Str("name") != "Practice sunrise" || got.Str("time_zone") != "Africa/Johannesburg" {
		t.Errorf("the practice changed: %s", got)
	}
	if r := want(t, admin.Do("GET", practice+"/patients", nil), http.StatusOK); len(r.Items()) != 0 {
		t.Errorf("a patient was stored: %s", r)
	}

	// tz database names are taken as written; UTC and Etc/UTC are both names.
	for _, zone := range []string{"UTC", "Etc/UTC", "America/Argentina/Buenos_Aires", "Africa/Johannesburg"} {
		r := want(t, admin.Do("PATCH", practice, map[string]any{"time_zone": zone}), http.StatusOK)
		if r.Str("time_zone") != zone {
			t.Errorf("time zone %q stored as %q", zone, r.Str("time_zone"))
		}
	}
	// Multi-line fields keep their line breaks and tabs.
	r := want(t, admin.Do("PATCH", practice, map[string]any{"address": "1 Main Rd\r\nCape Town", "branding": map[string]any{"letterhead_text": "Dr A\tMBChB\nCape Town"}}), http.StatusOK)
	if r.Str("address") != "1 Main Rd\nCape Town" {
		t.Errorf("address = %q", r.Str("address"))
	}
}

// The public booking API refuses hostile names before anything is stored.
func TestPublicBookingRefusesHostileNames(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	env.Practice(t, "sunrise")
	anon := env.Client()
	body := map[string]any{"email": "naledi@example.org", "code": "123456", "practitioner_id": newUUID(), "location_id": newUUID(),
		"appointment_type_id": newUUID(), "start": "2030-01-07T09:00:00+02:00", "given_name": "Naledi\r\nBcc: x@example.org",
		"family_name": "Mo\u202ekoena", "date_of_birth": "1990-04-12", "phone": "082 555 0199", "reason": "Sore\x1bthroat"}
	r := anon.Do("POST", "/api/v1/public/practices/sunrise/booking/confirm", body)
	wantProblem(t, r, http.StatusUnprocessableEntity)
	for _, f := range []string{"given_name", "family_name", "reason"} {
		if fieldError(r, f) == "" {
			t.Errorf("no message for %s: %s", f, r)
		}
	}
}

// fieldError is the problem's message for field (names may hold dots).
func fieldError(r *servertest.Response, field string) string {
	errs, _ := r.JSON["errors"].(map[string]any)
	s, _ := errs[field].(string)
	return s
}
