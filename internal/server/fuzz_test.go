package server_test

import (
	"bytes"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"

	"medic"
	"medic/internal/server"
	"medic/internal/server/servertest"
)

// The JSON requests people and programs send (patients, appointments,
// practice settings, public booking) go through the real handlers, use
// cases and database: whatever the body, the answer is never a 500 (nor a
// panic), a refusal is a problem document, and what is accepted passes the
// domain's text rules. `make test` fuzzes each target for a few seconds;
// plain `go test` runs the seeds in testdata/fuzz.

// fuzzEnv is one practice open for booking, an admin signed in, and the
// ids a body may name as {patient}, {practitioner}, {location}, {type}.
type fuzzEnv struct {
	env   *servertest.Env
	admin *servertest.Client
	anon  *servertest.Client
	ids   map[string]string
	ips   atomic.Int64
}

func newFuzzEnv(tb testing.TB) *fuzzEnv {
	env := servertest.NewWithConfig(tb, server.Config{TrustProxy: true})
	p := env.Practice(tb, "fuzz")
	env.Member(tb, p, env.User(tb, "admin@fuzz.example", pw), medic.RoleAdmin)
	e := &fuzzEnv{env: env, admin: env.Login(tb, "admin@fuzz.example", pw), anon: env.Client(), ids: map[string]string{}}
	e.ids["location"] = env.Location(tb, p, "Main Street").ID
	create := func(path string, body map[string]any) string {
		r := e.admin.Do("POST", "/api/v1/practices/fuzz"+path, body)
		if r.Status != http.StatusCreated {
			tb.Fatalf("fuzz setup %s: %s", path, r)
		}
		return r.Str("id")
	}
	e.ids["practitioner"] = create("/practitioners", map[string]any{"name": "Dr Fuzz", "location_ids": []string{e.ids["location"]}})
	e.ids["type"] = create("/appointment-types", map[string]any{"name": "Consult", "duration_minutes": 30, "online_bookable": true})
	create("/schedules", map[string]any{"practitioner_id": e.ids["practitioner"], "location_id": e.ids["location"],
		"weekday": "thursday", "start": "09:00", "end": "12:00", "slot_minutes": 30, "capacity": 2, "effective_from": "2030-03-01"})
	e.ids["patient"] = create("/patients", map[string]any{"given_name": "Lindiwe", "family_name": "Dube", "date_of_birth": "1991-02-03"})
	return e
}

// body puts the env's ids in place of their {names}.
func (e *fuzzEnv) body(b []byte) []byte {
	for k, id := range e.ids {
		b = bytes.ReplaceAll(b, []byte("{"+k+"}"), []byte(id))
	}
	return b
}

// ip is a fresh client address, so the per-IP limits of the public
// booking do not end the exploration.
func (e *fuzzEnv) ip() string {
	n := e.ips.Add(1)
	return fmt.Sprintf("10.%d.%d.%d", n>>16&255, n>>8&255, n&255)
}

// check fails on a 5xx and on a refusal that is not a problem document.
func check(t *testing.T, r *servertest.Response) {
	t.Helper()
	if r.Err != nil || r.Status >= 500 {
		t.Fatalf("%s %s: %d %v %s", r.Method, r.Path, r.Status, r.Err, r.Body)
	}
	if r.Status >= 400 && r.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("%s %s: %d is not a problem document: %s", r.Method, r.Path, r.Status, r.Body)
	}
}

// clean fails when a stored single-line text breaks the domain's rules.
func clean(t *testing.T, r *servertest.Response, max int, paths ...string) {
	t.Helper()
	for _, p := range paths {
		s := r.Str(p)
		if v, err := medic.Line(s, max); err != nil || v != s {
			t.Fatalf("%s %s stored %s = %q", r.Method, r.Path, p, s)
		}
	}
}

func FuzzPatientRequest(f *testing.F) {
	for _, s := range []string{
		`{"given_name":"Thabo","family_name":"Nkosi","date_of_birth":"1985-07-14","sex":"male","id_number":"8507145000081"}`,
		`{"given_name":"Naledi","family_name":"Mokoena","date_of_birth":"1990-04-12","email":"n@example.org","phone":"082 555 0199",
		  "medical_aid":{"scheme":"Discovery","member_number":"123","dependent_code":"00"},"emergency_contacts":[{"name":"Sipho","relationship":"Brother","phone":"083 555 0100"}],
		  "allergies":["Penicillin"],"chronic_conditions":["Asthma"],"address":"1 Main Rd\nCape Town","preferred_language":"isiZulu"}`,
		`{"given_name":"A\r\nBcc: x@example.org","family_name":"B\u202e","date_of_birth":"2999-01-01"}`,
		`{"given_name":"A","family_name":"B","date_of_birth":"1990-02-30","sex":"x","emergency_contacts":[{}],"allergies":[""]}`,
		`{"given_name":1}`, `[]`, `null`, `{"date_of_birth":null,"medical_aid":null}`, `{"confirm_duplicate":true}`,
	} {
		f.Add([]byte(s), false)
	}
	e := newFuzzEnv(f)
	f.Fuzz(func(t *testing.T, body []byte, update bool) {
		method, path := "POST", "/api/v1/practices/fuzz/patients"
		if update {
			method, path = "PATCH", path+"/"+e.ids["patient"]
		}
		r := e.admin.Do(method, path, e.body(body))
		check(t, r)
		if r.Status < 300 {
			clean(t, r, medic.MaxPersonNameLength, "given_name", "family_name")
			clean(t, r, medic.MaxShortText, "medical_aid.scheme")
		}
	})
}

func FuzzAppointmentRequest(f *testing.F) {
	for _, s := range []string{
		`{"patient_id":"{patient}","practitioner_id":"{practitioner}","location_id":"{location}","appointment_type_id":"{type}","start":"2030-03-07T09:00:00+02:00"}`,
		`{"patient_id":"{patient}","practitioner_id":"{practitioner}","location_id":"{location}","appointment_type_id":"{type}","start":"2030-03-07T09:30:00+02:00","notes":"Line one\nline two","overbook":true,"overbook_reason":"Urgent"}`,
		`{"patient_id":"{patient}","practitioner_id":"{practitioner}","location_id":"{location}","appointment_type_id":"{type}","start":"2030-03-07T09:15:00+02:00"}`,
		`{"patient_id":"not-a-uuid","practitioner_id":"","start":"tomorrow"}`,
		`{"patient_id":"{patient}","start":"9999-12-31T23:59:59Z","overbook_reason":"a\r\nb"}`,
		`{"start":"2030-03-07T09:00:00+99:00"}`, `{}`, `{"overbook":"yes"}`,
	} {
		f.Add([]byte(s))
	}
	e := newFuzzEnv(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		r := e.admin.Do("POST", "/api/v1/practices/fuzz/appointments", e.body(body))
		check(t, r)
	})
}

func FuzzSettingsRequest(f *testing.F) {
	for _, s := range []string{
		`{"name":"Fuzz Clinic","time_zone":"Africa/Johannesburg","branding":{"primary_color":"#1a6fb0","letterhead_text":"Dr A\nMBChB"}}`,
		`{"booking":{"lead_time_minutes":60,"cancellation_window_minutes":1440,"buffer_minutes":5,"reminder_minutes":1440,"horizon_days":30,"notify_email":"desk@fuzz.example","allowed_origins":["https://www.fuzz.example"]}}`,
		`{"time_zone":"Local"}`, `{"time_zone":"UTC+2"}`, `{"time_zone":"Etc/UTC"}`, `{"name":"A\r\nB"}`, `{"email":"a@b.example","phone":"021 555 0100","address":"x"}`,
		`{"booking":{"buffer_minutes":-1,"lead_time_minutes":99999999999}}`, `{"branding":{"accent_color":"red"}}`, `{"type":"hospital","registration_number":"PR1"}`,
	} {
		f.Add([]byte(s))
	}
	e := newFuzzEnv(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		r := e.admin.Do("PATCH", "/api/v1/practices/fuzz", body)
		check(t, r)
		if r.Status < 300 {
			clean(t, r, medic.MaxNameLength, "name")
			clean(t, r, medic.MaxShortText, "registration_number")
			if err := medic.CheckTimeZone(r.Str("time_zone")); err != nil {
				t.Fatalf("stored time zone %q", r.Str("time_zone"))
			}
		}
	})
}

func FuzzPublicBookingRequest(f *testing.F) {
	for _, s := range []string{
		`{"email":"naledi@example.org","code":"123456","practitioner_id":"{practitioner}","location_id":"{location}","appointment_type_id":"{type}",
		  "start":"2030-03-07T09:00:00+02:00","given_name":"Naledi","family_name":"Mokoena","date_of_birth":"1990-04-12","phone":"082 555 0199","reason":"Sore throat"}`,
		`{"email":"naledi@example.org"}`,
		`{"email":"a\r\nb@example.org","code":"12ab","given_name":"N\u202e","family_name":"M\r\nBcc: x","date_of_birth":"1990-13-40","phone":"x","start":"soon"}`,
		`{"website":"http://spam.example","email":"x@example.org"}`, `{}`, `[]`, `{"code":null}`,
	} {
		f.Add([]byte(s))
	}
	e := newFuzzEnv(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		b := e.body(body)
		for _, step := range []string{"otp", "confirm"} {
			r := e.anon.DoHeader("POST", "/api/v1/public/practices/fuzz/booking/"+step, b, map[string]string{"X-Forwarded-For": e.ip()})
			check(t, r)
		}
	})
}
