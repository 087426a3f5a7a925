package server_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"medic"
	"medic/internal/server"
	"medic/internal/server/servertest"
)

// noteDesk is a practice with a chart, an open encounter whose primary
// diagnosis is hypertension (I10), and its doctor.
type noteDesk struct {
	*desk
	doctor             *servertest.Client
	patient, encounter string
}

func newNoteDesk(t *testing.T, env *servertest.Env, slug string) *noteDesk {
	t.Helper()
	d := &noteDesk{desk: newDesk(t, env, slug)}
	d.doctor = d.c[medic.RoleDoctor]
	d.patient = want(t, d.c[medic.RoleAdmin].Do("POST", d.base+"/patients", map[string]any{"given_name": "Thabo", "family_name": "Mokoena",
		"date_of_birth": "1980-04-02", "id_number": "8004025800081"}), http.StatusCreated).Str("id")
	d.encounter = want(t, d.doctor.Do("POST", d.base+"/encounters", map[string]any{"patient_id": d.patient, "practitioner_id": d.practitioner,
		"location_id": d.loc.ID, "stage": "consultation"}), http.StatusCreated).Str("id")
	want(t, d.doctor.Do("POST", d.base+"/encounters/"+d.encounter+"/diagnoses", map[string]any{"code": "I10", "primary": true}), http.StatusCreated)
	return d
}

// note is a valid sick note body (examined at 09:30 on Monday 4 March
// 2030, half an hour before the test clock's now) changed by kv pairs.
func (d *noteDesk) note(kv ...any) map[string]any {
	b := map[string]any{"encounter_id": d.encounter, "examined_at": "2030-03-04T09:30:00+02:00", "basis": "examined",
		"from": "2030-03-04", "to": "2030-03-10", "fitness": "unfit", "diagnosis_consent": false}
	for i := 0; i+1 < len(kv); i += 2 {
		b[kv[i].(string)] = kv[i+1]
	}
	return b
}

func verifyJSONFrom(c *servertest.Client, code, ip string) *servertest.Response {
	return c.DoHeader("GET", "/verify/"+code, nil, map[string]string{"Accept": "application/json", "X-Forwarded-For": ip})
}

func TestSickNotes(t *testing.T) {
	t.Parallel()
	env := servertest.NewWithConfig(t, server.Config{TrustProxy: true})
	d := newNoteDesk(t, env, "sunrise")
	anon := env.Client()
	listed := func() int {
		return len(want(t, d.doctor.Do("GET", d.base+"/sick-notes?patient="+d.patient, nil), http.StatusOK).Items())
	}

	// Mistakes are 422 naming the field, and store nothing.
	for field, body := range map[string]map[string]any{
		"from":        d.note("from", "2030-03-03"), // back-dated before the examination
		"to":          d.note("to", "2030-03-03"),   // ends before it starts
		"basis":       d.note("basis", "rumour"),
		"fitness":     d.note("fitness", ""),
		"examined_at": d.note("examined_at", "2030-03-05T09:00:00+02:00"), // tomorrow
	} {
		r := d.doctor.Do("POST", d.base+"/sick-notes", body)
		wantProblem(t, r, http.StatusUnprocessableEntity)
		if r.Str("errors."+field) == "" {
			t.Errorf("%s: no field error: %s", field, r)
		}
	}
	if r := d.doctor.Do("POST", d.base+"/sick-notes", d.note("from", "4 March")); r.Status != http.StatusUnprocessableEntity || r.Str("errors.from") == "" {
		t.Errorf("unreadable date: %s", r)
	}
	if n := listed(); n != 0 {
		t.Fatalf("refused notes were stored (%d)", n)
	}

	// A receptionist reads sick notes but does not issue them.
	wantProblem(t, d.c[medic.RoleReceptionist].Do("POST", d.base+"/sick-notes", d.note()), http.StatusForbidden)

	// Without consent: no diagnosis; the period counted.
	r := want(t, d.doctor.Do("POST", d.base+"/sick-notes", d.note()), http.StatusCreated)
	if r.Str("status") != "issued" || r.Get("calendar_days") != 7.0 || r.Get("working_days") != 5.0 || r.Str("diagnosis") != "" ||
		r.Get("diagnosis_consent") != false || r.Str("practitioner_name") != "Dr Naledi Dlamini" || r.Str("practitioner_registration_number") != "MP0123456" ||
		r.Str("patient_name") != "Thabo Mokoena" || r.Str("examined_at") != "2030-03-04T09:30:00+02:00" || len(r.Str("verification_code")) != 24 {
		t.Fatalf("issued: %s", r)
	}
	plain := r.Str("id")
	plainCode := strings.TrimPrefix(r.Str("verification_url"), "/verify/")

	// With consent: the encounter's primary diagnosis, and who recorded the consent when.
	r = want(t, d.doctor.Do("POST", d.base+"/sick-notes", d.note("diagnosis_consent", true, "fitness", "light_duty", "basis", "reported")), http.StatusCreated)
	if !strings.HasPrefix(r.Str("diagnosis"), "I10 ") || r.Str("consent_recorded_by_name") == "" || r.Str("consent_recorded_at") != "2030-03-04T10:00:00+02:00" ||
		r.Str("fitness") != "light_duty" || r.Str("basis") != "reported" {
		t.Fatalf("issued with consent: %s", r)
	}
	consented := r.Str("id")
	consentedCode := strings.TrimPrefix(r.Str("verification_url"), "/verify/")
	diagnosis := r.Str("diagnosis")

	rc := d.c[medic.RoleReceptionist]

	// The PDFs (the receptionist hands them over): every required field;
	// the diagnosis only on the consented one. Each download is audited.
	before := auditCount(t, d.c[medic.RoleAdmin], d.base, "sick_note.pdf_downloaded")
	text := wantPDF(t, rc.Do("GET", d.base+"/sick-notes/"+plain+"/pdf", nil), "sick-note")
	for _, s := range []string{"DR NALEDI DLAMINI", "MP0123456", "Thabo Mokoena", "8004025800081", "4 March 2030 at 09:30", "examination",
		"Totally unfit", "4 March 2030 to 10 March 2030", "7 calendar days", "5 working days", medic.FormatSickNoteCode(plainCode), "/verify/" + plainCode} {
		if !strings.Contains(text, s) {
			t.Errorf("the PDF lacks %q: %s", s, text)
		}
	}
	if strings.Contains(text, "I10") || strings.Contains(text, "ypertension") {
		t.Errorf("the PDF without consent shows the diagnosis: %s", text)
	}
	text = wantPDF(t, d.doctor.Do("GET", d.base+"/sick-notes/"+consented+"/pdf", nil), "sick-note")
	if !strings.Contains(text, diagnosis) || !strings.Contains(text, "light duty") {
		t.Errorf("the consented PDF: %s", text)
	}
	if n := auditCount(t, d.c[medic.RoleAdmin], d.base, "sick_note.pdf_downloaded"); n != before+2 {
		t.Errorf("%d download events, want %d", n, before+2)
	}
	if got := want(t, rc.Do("GET", d.base+"/sick-notes?patient="+d.patient, nil), http.StatusOK).Items(); len(got) != 2 ||
		got[0]["id"] != consented && got[1]["id"] != consented {
		t.Errorf("the receptionist's list: %v", got)
	}
	want(t, rc.Do("GET", d.base+"/sick-notes/"+plain, nil), http.StatusOK)

	// Public verification, as JSON and as a page: initials, never the diagnosis.
	for _, code := range []string{consentedCode, strings.ToLower(r.Str("verification_code"))} {
		v := want(t, verifyJSONFrom(anon, code, "198.51.100.1"), http.StatusOK)
		if v.Get("valid") != true || v.Str("status") != "issued" || v.Str("practice") != d.p.Name || v.Str("practitioner") != "Dr Naledi Dlamini" ||
			v.Str("patient_initials") != "T. M." || v.Str("from") != "2030-03-04" || v.Str("to") != "2030-03-10" || v.Str("issued_at") != "2030-03-04T10:00:00+02:00" {
			t.Errorf("verify %s: %s", code, v)
		}
		if cc := v.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control %q", cc)
		}
	}
	page := want(t, anon.Do("GET", "/verify/"+consentedCode, nil), http.StatusOK)
	for _, body := range []string{string(page.Body), string(verifyJSONFrom(anon, consentedCode, "198.51.100.1").Body)} {
		for _, leak := range []string{diagnosis, "I10", "ypertension", "Thabo", "Mokoena", "8004025800081"} {
			if strings.Contains(body, leak) {
				t.Errorf("verification shows %q: %s", leak, body)
			}
		}
	}
	if !strings.Contains(string(page.Body), "This sick note is valid") || !strings.Contains(string(page.Body), "T. M.") ||
		page.Header.Get("Cache-Control") != "no-store" || page.Header.Get("Content-Security-Policy") == "" {
		t.Errorf("verify page: %s", page)
	}

	// Every lookup is in the practice's log, as a public one with the IP.
	var verified int
	for _, e := range want(t, d.c[medic.RoleAdmin].Do("GET", d.base+"/audit-events?action=sick_note.verified&limit=200", nil), http.StatusOK).Items() {
		detail, _ := e["detail"].(map[string]any)
		if e["action"] == "sick_note.verified" && e["entity_id"] == consented && e["ip"] == "198.51.100.1" && detail["actor"] == "public" {
			verified++
		}
	}
	if verified != 3 {
		t.Errorf("%d verification events with the IP, want 3", verified)
	}

	// Cancelling needs a reason; then verification says cancelled.
	r = d.doctor.Do("POST", d.base+"/sick-notes/"+plain+"/cancel", map[string]any{"reason": " "})
	wantProblem(t, r, http.StatusUnprocessableEntity)
	wantProblem(t, rc.Do("POST", d.base+"/sick-notes/"+plain+"/cancel", map[string]any{"reason": "Wrong dates"}), http.StatusForbidden)
	env.Clock.Advance(20 * time.Minute) // within the session idle timeout
	r = want(t, d.doctor.Do("POST", d.base+"/sick-notes/"+plain+"/cancel", map[string]any{"reason": "Wrong dates"}), http.StatusOK)
	if r.Str("status") != "cancelled" || r.Str("cancel_reason") != "Wrong dates" || r.Str("cancelled_at") != "2030-03-04T10:20:00+02:00" {
		t.Errorf("cancelled: %s", r)
	}
	wantProblem(t, d.doctor.Do("POST", d.base+"/sick-notes/"+plain+"/cancel", map[string]any{"reason": "Again"}), http.StatusConflict)
	v := want(t, verifyJSONFrom(anon, plainCode, "198.51.100.1"), http.StatusOK)
	if v.Get("valid") != false || v.Str("status") != "cancelled" || v.Str("cancelled_at") != "2030-03-04T10:20:00+02:00" {
		t.Errorf("verify a cancelled note: %s", v)
	}
	page = want(t, anon.Do("GET", "/verify/"+plainCode, nil), http.StatusOK)
	if !strings.Contains(string(page.Body), "This sick note was cancelled") || !strings.Contains(string(page.Body), "Mon 4 Mar 2030") {
		t.Errorf("cancelled page: %s", page)
	}

	// Another practice: its staff get 404 for the note and never list it;
	// its doctor may verify the code, like anyone, only publicly.
	b := newNoteDesk(t, env, "harbour")
	for _, c := range []*servertest.Client{b.doctor, b.c[medic.RoleAdmin], b.c[medic.RoleReceptionist]} {
		wantProblem(t, c.Do("GET", b.base+"/sick-notes/"+consented, nil), http.StatusNotFound)
		if got := want(t, c.Do("GET", b.base+"/sick-notes", nil), http.StatusOK).Items(); len(got) != 0 {
			t.Errorf("practice B lists A's notes: %v", got)
		}
	}
	wantProblem(t, b.doctor.Do("POST", b.base+"/sick-notes/"+consented+"/cancel", map[string]any{"reason": "Taken over"}), http.StatusNotFound)
	wantProblem(t, b.doctor.Do("POST", b.base+"/sick-notes", d.note()), http.StatusNotFound) // A's encounter
	wantProblem(t, b.c[medic.RoleReceptionist].Do("GET", b.base+"/sick-notes/"+consented+"/pdf", nil), http.StatusNotFound)
	if v := want(t, verifyJSONFrom(b.doctor, consentedCode, "198.51.100.2"), http.StatusOK); v.Str("practice") != d.p.Name {
		t.Errorf("verify as B's doctor: %s", v)
	}

	// Unknown and malformed codes are one and the same 404.
	unknown := verifyJSONFrom(anon, "0000-0000-0000-0000-0000", "198.51.100.3")
	wantProblem(t, unknown, http.StatusNotFound)
	for _, code := range []string{"ZZZZZZZZZZZZZZZZZZZZ", "not-a-code", consentedCode[:19], consentedCode + "0", "%27%3B%20DROP%20TABLE"} {
		r := verifyJSONFrom(anon, code, "198.51.100.3")
		if r.Status != http.StatusNotFound || string(r.Body) != string(unknown.Body) {
			t.Errorf("code %q: %s, want the unknown code's 404", code, r)
		}
		want(t, anon.Do("GET", "/verify/"+code, nil), http.StatusNotFound)
	}
}

// Verifications are limited per IP: past the limit 429 with Retry-After,
// for good and bad codes alike; another address is still answered.
func TestSickNoteVerifyRateLimit(t *testing.T) {
	t.Parallel()
	env := servertest.NewWithConfig(t, server.Config{TrustProxy: true})
	d := newNoteDesk(t, env, "sunrise")
	code := strings.TrimPrefix(want(t, d.doctor.Do("POST", d.base+"/sick-notes", d.note()), http.StatusCreated).Str("verification_url"), "/verify/")
	anon := env.Client()
	const ip = "203.0.113.50"
	for i := 0; i < 30; i++ {
		c := code
		if i%2 == 1 {
			c = "0000000000000000000" + string(rune('A'+i%20))
		}
		if r := verifyJSONFrom(anon, c, ip); r.Status != http.StatusOK && r.Status != http.StatusNotFound {
			t.Fatalf("request %d: %s", i, r)
		}
	}
	wantRetryLater(t, verifyJSONFrom(anon, code, ip))
	wantRetryLater(t, verifyJSONFrom(anon, "0000000000000000000A", ip))
	page := anon.DoHeader("GET", "/verify/"+code, nil, map[string]string{"X-Forwarded-For": ip})
	if page.Status != http.StatusTooManyRequests || page.Header.Get("Retry-After") == "" {
		t.Errorf("page past the limit: %s", page)
	}
	want(t, verifyJSONFrom(anon, code, "203.0.113.51"), http.StatusOK)
	// After the window the address is answered again.
	env.Clock.Advance(11 * time.Minute)
	want(t, verifyJSONFrom(anon, code, ip), http.StatusOK)
}
