package web_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"medic"
)

// Every desk form refuses text that could poison mail, logs or pages: the
// message shows beside the field, what was typed is kept, nothing is saved.
func TestDeskFormsRefuseHostileText(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.mustPractice("sunrise", "Sunrise")
	e.mustMember(p, e.mustUser("admin@sunrise.example", "Admin"), "admin")
	c := e.signIn("admin@sunrise.example")
	cl := e.mustClinic(p, "Dr Naidoo")
	pt := e.mustPatient(p, "Thabo", "Nkosi", "1985-07-14")
	ap := e.mustBook(p, cl, pt, "09:00")

	settings := url.Values{"name": {"Sunrise"}, "type": {"clinic"}, "time_zone": {"Africa/Johannesburg"},
		"lead_time_minutes": {"30"}, "cancellation_window_minutes": {"120"}, "buffer_minutes": {"0"}, "reminder_minutes": {"1440"}}
	patient := url.Values{"given_name": {"Lindiwe"}, "family_name": {"Dlamini"}, "date_of_birth": {"1990-05-01"}, "sex": {"female"}}
	leave := url.Values{"practitioner_id": {cl.pr.ID}, "kind": {"leave"}, "from_date": {cl.day.AddDays(7).String()}, "to_date": {cl.day.AddDays(7).String()}}
	cases := []struct {
		path, form, field, value string
		base                     url.Values
		stored                   func() bool // reports whether the hostile value was saved
	}{
		{"/settings", "settings", "name", "Sunrise\r\nBcc: victim@example.org", settings, func() bool {
			got, _ := e.db.FindPracticeByRef(context.Background(), p.ID)
			return got.Name != "Sunrise"
		}},
		{"/settings", "settings", "time_zone", "Local", settings, nil},
		{"/settings", "settings", "time_zone", "UTC+2", settings, nil},
		{"/settings", "settings", "registration_number", "PR\u202e123", settings, nil},
		{"/settings", "settings", "address", "1 Main Rd\x1b[2J", settings, nil},
		{"/settings", "settings", "letterhead_text", "Dr A\u2066", settings, nil},
		{"/locations/new", "location", "name", "Main\nStreet", url.Values{}, func() bool { return e.locationCount(p) != 1 }},
		{"/practitioners/new", "practitioner", "name", "Dr \u202eEvil", url.Values{"status": {"active"}}, nil},
		{"/practitioners/new", "practitioner", "specialty", "GP\r\nX", url.Values{"name": {"Dr B"}, "status": {"active"}}, nil},
		{"/appointment-types/new", "type", "name", "Con\u0085sult", url.Values{"duration_minutes": {"15"}, "color": {"#1a6fb0"}}, nil},
		{"/patients/new", "patient", "given_name", "Lindiwe\nX", patient, func() bool { return e.patientCount(p) != 1 }},
		{"/patients/new", "patient", "aid_scheme", "Discovery\u202e", patient, func() bool { return e.patientCount(p) != 1 }},
		{"/patients/new", "patient", "preferred_language", "English\x7f", patient, nil},
		{"/patients/new", "patient", "allergies", "Penicillin\u2067", patient, nil},
		{"/schedules/exceptions", "leave", "reason", "Leave\r\nX", leave, nil},
		{"/appointments/" + ap.ID + "/cancel", "cancel", "reason", "Asked\nBcc: x@example.org", url.Values{}, func() bool {
			return e.appointment(p, ap.ID).Status != medic.StatusBooked
		}},
		{"/account/name", "name", "name", "Admin\u202e", url.Values{}, nil},
		{"/account/tokens", "token", "name", "script\nX", url.Values{}, nil},
	}
	for _, tc := range cases {
		v := cloneValues(tc.base)
		v.Set(tc.field, tc.value)
		r := c.post(tc.path, v)
		if r.status != http.StatusUnprocessableEntity {
			t.Errorf("%s %s=%q: status %d, want 422", tc.path, tc.field, tc.value, r.status)
			continue
		}
		wantContains(t, r, `id="`+tc.form+`-`+tc.field+`-error"`)
		if tc.stored != nil && tc.stored() {
			t.Errorf("%s %s=%q: saved", tc.path, tc.field, tc.value)
		}
	}
	// What was typed comes back (escaped) for the patient to correct.
	r := c.post("/patients/new", with(patient, "aid_scheme", "Discovery\u202e"))
	wantContains(t, r, "value=\"Discovery\u202e\"", `value="Lindiwe"`)
}

// The public booking page refuses hostile names before a code is sent.
func TestPublicBookingRefusesHostileNames(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.mustPractice("sunrise", "Sunrise")
	c := e.onlineClinic(p, "Dr Naidoo")
	patient := e.client()
	for field, v := range map[string]string{"given_name": "Naledi\r\nBcc: x@example.org", "family_name": "Mo\u202ekoena", "reason": "Sore\x1b throat"} {
		r := patient.post("/book/sunrise/code", with(details(c, "09:00"), field, v))
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantContains(t, r, `id="details-`+field+`-error"`)
	}
	if e.bookingCode("naledi@example.org") != "" {
		t.Fatal("a code was sent for hostile details")
	}
}
