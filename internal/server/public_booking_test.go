package server_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"medic"
	"medic/internal/server"
	"medic/internal/server/servertest"
)

// pub is a practice open for online booking: one location, one
// practitioner, one online-bookable 30-minute type, Thursday 09:00-12:00
// with `capacity` places per slot. The server trusts X-Forwarded-For, so
// each test request can come from its own IP.
type pub struct {
	env          *servertest.Env
	p            *medic.Practice
	slug         string
	admin        *servertest.Client
	anon         *servertest.Client
	loc, pr, typ string
}

// testIPs numbers the client IPs of the tests: the code limits count an IP
// across every practice, so two practices of one env never share one.
var testIPs atomic.Int64

func newPublicEnv(t *testing.T) *servertest.Env {
	return servertest.NewWithConfig(t, server.Config{DevMailbox: true, TrustProxy: true})
}

func newPub(t *testing.T, env *servertest.Env, slug string, capacity int) *pub {
	t.Helper()
	f := &pub{env: env, p: env.Practice(t, slug), slug: slug, anon: env.Client()}
	env.Member(t, f.p, env.User(t, "admin@"+slug+".example", pw), medic.RoleAdmin)
	f.admin = env.Login(t, "admin@"+slug+".example", pw)
	f.loc = env.Location(t, f.p, "Main "+slug).ID
	base := "/api/v1/practices/" + slug
	f.pr = want(t, f.admin.Do("POST", base+"/practitioners", map[string]any{"name": "Dr Online " + slug, "location_ids": []string{f.loc}}), http.StatusCreated).Str("id")
	f.typ = want(t, f.admin.Do("POST", base+"/appointment-types", map[string]any{"name": "Consult", "duration_minutes": 30, "online_bookable": true}), http.StatusCreated).Str("id")
	want(t, f.admin.Do("POST", base+"/schedules", map[string]any{"practitioner_id": f.pr, "location_id": f.loc,
		"weekday": "thursday", "start": "09:00", "end": "12:00", "slot_minutes": 30, "capacity": capacity, "effective_from": "2030-03-01"}), http.StatusCreated)
	return f
}

// ip returns a fresh client IP for one request.
func (f *pub) ip() string {
	n := testIPs.Add(1)
	return fmt.Sprintf("198.51.%d.%d", n/250, n%250+1)
}

func (f *pub) path(suffix string) string { return "/api/v1/public/practices/" + f.slug + suffix }

var codeInMail = regexp.MustCompile(`\b(\d{6})\b`)

// code asks for a code for email (from ip, or a fresh one) and reads it from the mail.
func (f *pub) code(t *testing.T, email, ip string) string {
	t.Helper()
	if ip == "" {
		ip = f.ip()
	}
	want(t, f.anon.DoHeader("POST", f.path("/booking/otp"), map[string]any{"email": email}, map[string]string{"X-Forwarded-For": ip}), http.StatusAccepted)
	m := f.env.WaitMail(t, email, "Your code")
	c := codeInMail.FindStringSubmatch(m.Text)
	if c == nil {
		t.Fatalf("no code in %q", m.Text)
	}
	return c[1]
}

// booking is a confirm body for email and code at start.
func (f *pub) booking(email, code, start string) map[string]any {
	return map[string]any{"email": email, "code": code, "practitioner_id": f.pr, "location_id": f.loc, "appointment_type_id": f.typ,
		"start": start, "given_name": "Lindiwe", "family_name": "Dube", "date_of_birth": "1991-02-03", "phone": "082 555 0100", "reason": "Sore knee"}
}

func (f *pub) confirm(body map[string]any) *servertest.Response {
	return f.anon.DoHeader("POST", f.path("/booking/confirm"), body, map[string]string{"X-Forwarded-For": f.ip()})
}

// book books start for email end to end and returns the 201 response.
func (f *pub) book(t *testing.T, email, start string) *servertest.Response {
	t.Helper()
	return want(t, f.confirm(f.booking(email, f.code(t, email, ""), start)), http.StatusCreated)
}

func (f *pub) slots(t *testing.T) []string {
	t.Helper()
	r := want(t, f.anon.Do("GET", f.path("/availability?type="+f.typ+"&from=2030-03-07&to=2030-03-08"), nil), http.StatusOK)
	var out []string
	for _, it := range r.Items() {
		out = append(out, it["start"].(string))
	}
	return out
}

func (f *pub) countPatients(t *testing.T) int {
	t.Helper()
	return len(want(t, f.admin.Do("GET", "/api/v1/practices/"+f.slug+"/patients?include_inactive=true&limit=200", nil), http.StatusOK).Items())
}

func (f *pub) appointments(t *testing.T) []map[string]any {
	t.Helper()
	return want(t, f.admin.Do("GET", "/api/v1/practices/"+f.slug+"/appointments?limit=200", nil), http.StatusOK).Items()
}

func (f *pub) auditActions(t *testing.T) (actions []string, body string) {
	t.Helper()
	r := want(t, f.admin.Do("GET", "/api/v1/practices/"+f.slug+"/audit-events?limit=200", nil), http.StatusOK)
	for _, it := range r.Items() {
		actions = append(actions, it["action"].(string))
	}
	return actions, string(r.Body)
}

func wantCodeRefused(t *testing.T, r *servertest.Response) {
	t.Helper()
	wantProblem(t, r, http.StatusUnprocessableEntity)
	if r.Str("errors.code") == "" {
		t.Errorf("no error on code: %s", r)
	}
}

func TestPublicBookingEndToEnd(t *testing.T) {
	t.Parallel()
	env := newPublicEnv(t)
	f := newPub(t, env, "sunny", 1)
	want(t, f.admin.Do("PATCH", "/api/v1/practices/sunny", map[string]any{"booking": map[string]any{"notify_email": "Desk@Sunny.example"}}), http.StatusOK)

	info := want(t, f.anon.Do("GET", f.path(""), nil), http.StatusOK)
	if info.Str("name") != "Practice sunny" || info.Str("slug") != "sunny" || info.Get("branding") == nil ||
		info.Str("locations.0.id") != f.loc || info.Str("appointment_types.0.id") != f.typ || info.Get("appointment_types.0.duration_minutes") != float64(30) {
		t.Errorf("practice: %s", info)
	}
	prs := want(t, f.anon.Do("GET", f.path("/practitioners"), nil), http.StatusOK)
	if len(prs.Items()) != 1 || prs.Str("items.0.id") != f.pr || prs.Str("items.0.location_ids.0") != f.loc || prs.Get("items.0.member_id") != nil {
		t.Errorf("practitioners: %s", prs)
	}
	if got := f.slots(t); len(got) != 6 || got[0] != "2030-03-07T09:00:00+02:00" {
		t.Fatalf("slots: %v", got)
	}

	res := f.book(t, "lindiwe@example.org", "2030-03-07T09:00:00+02:00")
	apID, link := res.Str("appointment_id"), res.Str("manage_url")
	if apID == "" || res.Str("start") != "2030-03-07T09:00:00+02:00" || !strings.HasPrefix(link, env.URL+"/book/manage/") {
		t.Fatalf("confirm: %s", res)
	}
	for _, leak := range []string{"Lindiwe", "Dube", "1991-02-03", "lindiwe@", "Sore knee", "patient"} {
		if strings.Contains(string(res.Body), leak) {
			t.Errorf("the confirmation holds %q: %s", leak, res.Body)
		}
	}
	if got := f.slots(t); slices.Contains(got, "2030-03-07T09:00:00+02:00") {
		t.Errorf("the booked slot is still open: %v", got)
	}

	// The patient's confirmation: calendar file and the signed link.
	m := env.WaitMail(t, "lindiwe@example.org", "To cancel or reschedule")
	if !strings.Contains(m.Text, link) || len(m.Attachments) != 1 || !strings.Contains(string(m.Attachments[0].Data), "BEGIN:VEVENT") {
		t.Errorf("confirmation mail: %+v", m)
	}
	// The practice's: name, time, type; not the reason.
	pm := env.WaitMail(t, "desk@sunny.example", "booked online")
	if !strings.Contains(pm.Text, "Lindiwe Dube") || !strings.Contains(pm.Text, "Consult") || strings.Contains(pm.Text, "Sore knee") || strings.Contains(pm.Subject, "\n") {
		t.Errorf("practice mail: %+v", pm)
	}

	// The desk: an online appointment, a chart, a notification.
	aps := f.appointments(t)
	if len(aps) != 1 || aps[0]["id"] != apID || aps[0]["source"] != "online" || aps[0]["status"] != "booked" || aps[0]["notes"] != "Sore knee" {
		t.Errorf("desk appointments: %v", aps)
	}
	pats := want(t, f.admin.Do("GET", "/api/v1/practices/sunny/patients", nil), http.StatusOK)
	if len(pats.Items()) != 1 || pats.Str("items.0.email") != "lindiwe@example.org" || pats.Str("items.0.phone") != "+27825550100" || pats.Str("items.0.date_of_birth") != "1991-02-03" {
		t.Errorf("chart: %s", pats)
	}
	ns := want(t, f.admin.Do("GET", "/api/v1/practices/sunny/notifications", nil), http.StatusOK)
	if len(ns.Items()) != 1 || ns.Str("items.0.kind") != "online_booking" || ns.Str("items.0.appointment_id") != apID ||
		!strings.Contains(ns.Str("items.0.title"), "Lindiwe Dube") || ns.Get("unread") != float64(1) || strings.Contains(string(ns.Body), "Sore knee") {
		t.Errorf("notifications: %s", ns)
	}
	want(t, f.admin.Do("POST", "/api/v1/practices/sunny/notifications/"+ns.Str("items.0.id")+"/read", nil), http.StatusNoContent)
	if ns := want(t, f.admin.Do("GET", "/api/v1/practices/sunny/notifications", nil), http.StatusOK); ns.Get("unread") != float64(0) || ns.Get("items.0.read_at") == nil {
		t.Errorf("after read: %s", ns)
	}

	// Every step is in the practice's log, without the code or the email.
	actions, body := f.auditActions(t)
	for _, a := range []string{"booking.code_requested", "patient.created", "appointment.booked", "booking.confirmed"} {
		if !slices.Contains(actions, a) {
			t.Errorf("no %s in the audit log: %v", a, actions)
		}
	}
	if strings.Contains(body, "lindiwe@example.org") {
		t.Errorf("the audit log holds the email: %s", body)
	}
}

func TestPublicBookingCodeGuessing(t *testing.T) {
	t.Parallel()
	env := newPublicEnv(t)
	f := newPub(t, env, "guess", 3)
	const start = "2030-03-07T09:00:00+02:00"

	t.Run("the 6th try is refused even when right", func(t *testing.T) {
		code := f.code(t, "guess@example.org", "")
		wrong := fmt.Sprintf("%06d", (mustAtoi(t, code)+1)%1000000)
		for i := 0; i < 5; i++ {
			wantCodeRefused(t, f.confirm(f.booking("guess@example.org", wrong, start)))
		}
		r := f.confirm(f.booking("guess@example.org", code, start))
		wantCodeRefused(t, r)
		if !strings.Contains(r.Str("errors.code"), "Too many") {
			t.Errorf("6th try: %s", r)
		}
		if n := len(f.appointments(t)); n != 0 {
			t.Errorf("%d appointments booked", n)
		}
		actions, _ := f.auditActions(t)
		if n := count(actions, "booking.code_failed"); n != 6 {
			t.Errorf("%d booking.code_failed events, want 6: %v", n, actions)
		}
	})

	t.Run("a used code is refused", func(t *testing.T) {
		code := f.code(t, "used@example.org", "")
		want(t, f.confirm(f.booking("used@example.org", code, start)), http.StatusCreated)
		r := f.confirm(f.booking("used@example.org", code, "2030-03-07T09:30:00+02:00"))
		wantCodeRefused(t, r)
		if !strings.Contains(r.Str("errors.code"), "already used") {
			t.Errorf("reuse: %s", r)
		}
	})

	t.Run("an expired code is refused", func(t *testing.T) {
		code := f.code(t, "late@example.org", "")
		env.Clock.Advance(10*time.Minute + time.Second)
		r := f.confirm(f.booking("late@example.org", code, start))
		wantCodeRefused(t, r)
		if !strings.Contains(r.Str("errors.code"), "expired") {
			t.Errorf("expired: %s", r)
		}
	})

	t.Run("a code is for its own email and practice", func(t *testing.T) {
		code := f.code(t, "mine@example.org", "")
		wantCodeRefused(t, f.confirm(f.booking("yours@example.org", code, start)))
		other := newPub(t, env, "guess-other", 1)
		wantCodeRefused(t, other.confirm(other.booking("mine@example.org", code, start)))
	})

	t.Run("a malformed code is a field error and counts nothing", func(t *testing.T) {
		for _, c := range []string{"", "12345", "1234567", "abcdef"} {
			wantCodeRefused(t, f.confirm(f.booking("mine@example.org", c, start)))
		}
	})
}

func TestPublicBookingLastPlaceRace(t *testing.T) {
	t.Parallel()
	env := newPublicEnv(t)
	f := newPub(t, env, "race", 1)
	const start = "2030-03-07T09:00:00+02:00"
	const n = 20

	emails := make([]string, n)
	codes := make([]string, n)
	for i := range emails {
		emails[i] = fmt.Sprintf("racer%d@example.org", i)
		codes[i] = f.code(t, emails[i], "")
	}
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := f.booking(emails[i], codes[i], start)
			body["given_name"] = fmt.Sprintf("Racer%d", i)
			statuses[i] = f.confirm(body).Status
		}()
	}
	wg.Wait()
	winners := 0
	var loser int
	for i, s := range statuses {
		switch s {
		case http.StatusCreated:
			winners++
		case http.StatusConflict:
			loser = i
		default:
			t.Errorf("confirmation %d: status %d", i, s)
		}
	}
	if winners != 1 {
		t.Fatalf("%d bookings of the last place: %v", winners, statuses)
	}
	if aps := f.appointments(t); len(aps) != 1 {
		t.Errorf("%d appointments: %v", len(aps), aps)
	}
	if c := f.countPatients(t); c != 1 {
		t.Errorf("%d charts created, want 1 (the losers' transactions roll back)", c)
	}

	// The 409 says so and offers the next open slots.
	body := f.booking(emails[loser], codes[loser], start)
	r := f.confirm(body)
	wantProblem(t, r, http.StatusConflict)
	slots, _ := r.Get("slots").([]any)
	if len(slots) == 0 || slots[0].(map[string]any)["start"] != "2030-03-07T09:30:00+02:00" {
		t.Errorf("409 without next slots: %s", r)
	}
	// Nothing was half-written: the loser's code still books another slot.
	body["start"] = "2030-03-07T09:30:00+02:00"
	want(t, f.confirm(body), http.StatusCreated)

	t.Run("one code confirmed 20 times at once books once", func(t *testing.T) {
		code := f.code(t, "twenty@example.org", "")
		statuses := make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i] = f.confirm(f.booking("twenty@example.org", code, "2030-03-07T10:00:00+02:00")).Status
			}()
		}
		wg.Wait()
		if c := count(statuses, http.StatusCreated); c != 1 || count(statuses, http.StatusUnprocessableEntity) != n-1 {
			t.Errorf("statuses: %v", statuses)
		}
		if aps := f.appointments(t); len(aps) != 3 {
			t.Errorf("%d appointments, want 3", len(aps))
		}
	})
}

func TestPublicBookingNeverUsesAnotherPracticesChart(t *testing.T) {
	t.Parallel()
	env := newPublicEnv(t)
	a := newPub(t, env, "alpha", 1)
	b := newPub(t, env, "bravo", 1)
	chartA := want(t, a.admin.Do("POST", "/api/v1/practices/alpha/patients", map[string]any{"given_name": "Alphonse", "family_name": "Secret",
		"date_of_birth": "1991-02-03", "email": "same@example.org", "phone": "+27215550199", "id_number": ""}), http.StatusCreated).Str("id")

	res := b.book(t, "same@example.org", "2030-03-07T09:00:00+02:00")
	for _, leak := range []string{chartA, "Alphonse", "Secret", "alpha", "+27215550199", a.p.ID} {
		if strings.Contains(string(res.Body), leak) {
			t.Errorf("B's answer holds A's %q: %s", leak, res.Body)
		}
	}
	pats := want(t, b.admin.Do("GET", "/api/v1/practices/bravo/patients", nil), http.StatusOK)
	if len(pats.Items()) != 1 || pats.Str("items.0.id") == chartA || pats.Str("items.0.given_name") != "Lindiwe" {
		t.Errorf("B's charts: %s", pats)
	}
	if n := a.countPatients(t); n != 1 {
		t.Errorf("A has %d charts", n)
	}
	if aps := a.appointments(t); len(aps) != 0 {
		t.Errorf("A has appointments: %v", aps)
	}
	m := env.WaitMail(t, "same@example.org", "To cancel or reschedule")
	if strings.Contains(m.Text, "Alphonse") || strings.Contains(m.Text, "alpha") {
		t.Errorf("B's mail names A's chart: %s", m.Text)
	}

	// Within one practice the chart with the same email, date of birth and
	// name (in any case) is reused.
	want(t, a.confirm(mergeMap(a.booking("same@example.org", a.code(t, "same@example.org", ""), "2030-03-07T09:00:00+02:00"), map[string]any{"given_name": "alphonse", "family_name": "SECRET"})), http.StatusCreated)
	if n := a.countPatients(t); n != 1 {
		t.Errorf("A has %d charts after booking with the same email, date of birth and name", n)
	}
	if aps := a.appointments(t); len(aps) != 1 || aps[0]["patient_id"] != chartA {
		t.Errorf("A's booking is not on A's chart: %v", aps)
	}
	// A different date of birth is a different person: a new chart.
	want(t, a.confirm(mergeMap(a.booking("same@example.org", a.code(t, "same@example.org", ""), "2030-03-07T09:30:00+02:00"), map[string]any{"date_of_birth": "2015-06-07"})), http.StatusCreated)
	if n := a.countPatients(t); n != 2 {
		t.Errorf("A has %d charts, want 2", n)
	}
	// B's desk sees none of A's notifications.
	nb := want(t, b.admin.Do("GET", "/api/v1/practices/bravo/notifications", nil), http.StatusOK)
	na := want(t, a.admin.Do("GET", "/api/v1/practices/alpha/notifications", nil), http.StatusOK)
	if len(nb.Items()) != 1 || len(na.Items()) != 2 || strings.Contains(string(nb.Body), "Alphonse") {
		t.Errorf("notifications: A %s / B %s", na.Body, nb.Body)
	}
	wantProblem(t, b.admin.Do("POST", "/api/v1/practices/bravo/notifications/"+na.Str("items.0.id")+"/read", nil), http.StatusNotFound)
}

func TestPublicBookingRateLimits(t *testing.T) {
	t.Parallel()
	env := newPublicEnv(t)
	f := newPub(t, env, "limits", 1)
	otp := func(email, ip string) *servertest.Response {
		return f.anon.DoHeader("POST", f.path("/booking/otp"), map[string]any{"email": email}, map[string]string{"X-Forwarded-For": ip})
	}
	wantLimited := func(t *testing.T, r *servertest.Response) {
		t.Helper()
		wantProblem(t, r, http.StatusTooManyRequests)
		s, err := strconv.Atoi(r.Header.Get("Retry-After"))
		if err != nil || s < 1 || s > 600 {
			t.Errorf("Retry-After %q", r.Header.Get("Retry-After"))
		}
		if !strings.Contains(r.Str("detail"), "Wait") {
			t.Errorf("no clear message: %s", r)
		}
	}

	t.Run("per email", func(t *testing.T) {
		var bodies []string
		for i := 0; i < 3; i++ {
			bodies = append(bodies, string(want(t, otp("one@example.org", f.ip()), http.StatusAccepted).Body))
		}
		wantLimited(t, otp("one@example.org", f.ip()))
		wantLimited(t, otp("ONE@example.org ", f.ip())) // normalised
		// A known and an unknown address get the same answer.
		want(t, f.admin.Do("POST", "/api/v1/practices/limits/patients", map[string]any{"given_name": "Known", "family_name": "Person",
			"date_of_birth": "1980-01-01", "email": "known@example.org"}), http.StatusCreated)
		if k := string(want(t, otp("known@example.org", f.ip()), http.StatusAccepted).Body); k != bodies[0] {
			t.Errorf("known %q vs unknown %q", k, bodies[0])
		}
	})

	t.Run("per IP", func(t *testing.T) {
		const ip = "203.0.113.9"
		for i := 0; i < 3; i++ {
			want(t, otp(fmt.Sprintf("ip%d@example.org", i), ip), http.StatusAccepted)
		}
		wantLimited(t, otp("ip9@example.org", ip))
		want(t, otp("ip9@example.org", f.ip()), http.StatusAccepted) // another IP may
	})

	t.Run("the window passes", func(t *testing.T) {
		env.Clock.Advance(10*time.Minute + time.Second)
		want(t, otp("one@example.org", "203.0.113.9"), http.StatusAccepted)
	})

	t.Run("refusals are audited, sent codes mailed once each", func(t *testing.T) {
		actions, _ := f.auditActions(t)
		if n := count(actions, "booking.code_refused"); n != 3 {
			t.Errorf("%d refusals audited: %v", n, actions)
		}
		if n := count(actions, "booking.code_requested"); n != 9 {
			t.Errorf("%d codes requested: %v", n, actions)
		}
	})

	t.Run("a bad email is a field error", func(t *testing.T) {
		r := otp("not-an-email", f.ip())
		wantProblem(t, r, http.StatusUnprocessableEntity)
		if r.Str("errors.email") == "" {
			t.Errorf("%s", r)
		}
	})
}

func TestPublicBookingUnavailable(t *testing.T) {
	t.Parallel()
	env := newPublicEnv(t)
	f := newPub(t, env, "closed", 1)
	res := f.book(t, "early@example.org", "2030-03-07T09:00:00+02:00")
	token := strings.TrimPrefix(res.Str("manage_url"), env.URL+"/book/manage/")
	if err := env.DB.SetPracticeStatus(context.Background(), f.p.ID, medic.PracticeSuspended); err != nil {
		t.Fatal(err)
	}
	body := f.booking("x@example.org", "123456", "2030-03-07T09:30:00+02:00")
	routes := []struct {
		method, suffix string
		body           any
	}{
		{"GET", "", nil},
		{"GET", "/practitioners", nil},
		{"GET", "/availability", nil},
		{"POST", "/booking/otp", map[string]any{"email": "x@example.org"}},
		{"POST", "/booking/confirm", body},
	}
	for _, rt := range routes {
		wantProblem(t, f.anon.Do(rt.method, f.path(rt.suffix), rt.body), http.StatusServiceUnavailable)
		wantProblem(t, f.anon.Do(rt.method, "/api/v1/public/practices/no-such-practice"+rt.suffix, rt.body), http.StatusNotFound)
	}
	wantProblem(t, f.anon.Do("GET", "/api/v1/public/bookings/"+token, nil), http.StatusServiceUnavailable)
	wantProblem(t, f.anon.Do("POST", "/api/v1/public/bookings/"+token, map[string]any{"action": "cancel"}), http.StatusServiceUnavailable)
	for _, m := range env.Mail() {
		if slices.Contains(m.To, "x@example.org") {
			t.Errorf("a suspended practice sent a code: %+v", m)
		}
	}
}

func TestPublicBookingCORS(t *testing.T) {
	t.Parallel()
	env := newPublicEnv(t)
	f := newPub(t, env, "cors", 1)
	other := newPub(t, env, "cors-other", 1)

	t.Run("origins are validated per field", func(t *testing.T) {
		for _, bad := range []string{"https://example.com/", "example.com", "https://example.com/path", "ftp://example.com", "https://*.example.com", "https://a@example.com", "https://example.com:99999"} {
			r := f.admin.Do("PATCH", "/api/v1/practices/cors", map[string]any{"booking": map[string]any{"allowed_origins": []string{bad}}})
			wantProblem(t, r, http.StatusUnprocessableEntity)
			if r.Str("errors.allowed_origins") == "" {
				t.Errorf("%s: %s", bad, r)
			}
		}
		r := f.admin.Do("PATCH", "/api/v1/practices/cors", map[string]any{"booking": map[string]any{"notify_email": "not an email"}})
		wantProblem(t, r, http.StatusUnprocessableEntity)
		if r.Str("errors.notify_email") == "" {
			t.Errorf("%s", r)
		}
		r = want(t, f.admin.Do("PATCH", "/api/v1/practices/cors", map[string]any{"booking": map[string]any{"allowed_origins": []string{"https://WWW.Cors.example", "http://localhost:3000"}}}), http.StatusOK)
		if got := r.Get("booking.allowed_origins"); fmt.Sprint(got) != "[https://www.cors.example http://localhost:3000]" {
			t.Errorf("origins: %v", got)
		}
		if r.Get("booking.lead_time_minutes") != float64(60) {
			t.Errorf("other settings changed: %s", r)
		}
	})

	allowed := map[string]string{"Origin": "https://www.cors.example"}
	denied := map[string]string{"Origin": "https://evil.example"}
	for _, path := range []string{f.path(""), f.path("/practitioners"), f.path("/availability")} {
		r := want(t, f.anon.DoHeader("GET", path, nil, allowed), http.StatusOK)
		if r.Header.Get("Access-Control-Allow-Origin") != "https://www.cors.example" || !slices.Contains(r.Header.Values("Vary"), "Origin") {
			t.Errorf("%s allowed: %v", path, r.Header)
		}
		r = want(t, f.anon.DoHeader("GET", path, nil, denied), http.StatusOK)
		if r.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("%s denied: %v", path, r.Header)
		}
	}
	// Another practice does not allow this practice's origins.
	if r := want(t, other.anon.DoHeader("GET", other.path(""), nil, allowed), http.StatusOK); r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("other practice: %v", r.Header)
	}

	pre := map[string]string{"Origin": "https://www.cors.example", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
	r := want(t, f.anon.DoHeader("OPTIONS", f.path("/booking/otp"), nil, pre), http.StatusNoContent)
	if r.Header.Get("Access-Control-Allow-Origin") != "https://www.cors.example" || !strings.Contains(r.Header.Get("Access-Control-Allow-Methods"), "POST") ||
		!strings.Contains(strings.ToLower(r.Header.Get("Access-Control-Allow-Headers")), "content-type") {
		t.Errorf("preflight: %v", r.Header)
	}
	pre["Origin"] = "https://evil.example"
	if r := f.anon.DoHeader("OPTIONS", f.path("/booking/otp"), nil, pre); r.Header.Get("Access-Control-Allow-Origin") != "" || r.Header.Get("Access-Control-Allow-Methods") != "" {
		t.Errorf("preflight for a denied origin: %s %v", r, r.Header)
	}

	// A cross-site POST from the practice's site passes CSRF protection...
	xs := map[string]string{"Origin": "https://www.cors.example", "Sec-Fetch-Site": "cross-site", "X-Forwarded-For": f.ip()}
	r = want(t, f.anon.DoHeader("POST", f.path("/booking/otp"), map[string]any{"email": "cors@example.org"}, xs), http.StatusAccepted)
	if r.Header.Get("Access-Control-Allow-Origin") != "https://www.cors.example" {
		t.Errorf("POST: %v", r.Header)
	}
	code := codeInMail.FindStringSubmatch(env.WaitMail(t, "cors@example.org", "Your code").Text)[1]
	r = want(t, f.anon.DoHeader("POST", f.path("/booking/confirm"), f.booking("cors@example.org", code, "2030-03-07T09:00:00+02:00"), xs), http.StatusCreated)
	token := strings.TrimPrefix(r.Str("manage_url"), env.URL+"/book/manage/")
	if r := want(t, f.anon.DoHeader("GET", "/api/v1/public/bookings/"+token, nil, allowed), http.StatusOK); r.Header.Get("Access-Control-Allow-Origin") != "https://www.cors.example" {
		t.Errorf("manage view: %v", r.Header)
	}
	// ...and the desk's routes keep it.
	wantProblem(t, f.admin.DoHeader("POST", "/api/v1/practices/cors/locations", map[string]any{"name": "X"}, map[string]string{"Origin": "https://www.cors.example", "Sec-Fetch-Site": "cross-site"}), http.StatusForbidden)

	t.Run("public bodies are small", func(t *testing.T) {
		big := map[string]any{"email": "big@example.org", "reason": strings.Repeat("x", 20<<10)}
		wantProblem(t, f.anon.Do("POST", f.path("/booking/otp"), big), http.StatusRequestEntityTooLarge)
	})
}

func TestPublicBookingHeaderInjection(t *testing.T) {
	t.Parallel()
	env := newPublicEnv(t)
	f := newPub(t, env, "inject", 2)
	want(t, f.admin.Do("PATCH", "/api/v1/practices/inject", map[string]any{"booking": map[string]any{"notify_email": "desk@inject.example"}}), http.StatusOK)
	const start = "2030-03-07T09:00:00+02:00"

	for _, email := range []string{"victim@example.org\r\nBcc: evil@example.org", "victim@example.org\nBcc:evil@example.org", "victim@example.org%0d%0aBcc:evil@example.org"} {
		r := f.anon.DoHeader("POST", f.path("/booking/otp"), map[string]any{"email": email}, map[string]string{"X-Forwarded-For": f.ip()})
		wantProblem(t, r, http.StatusUnprocessableEntity)
		if r.Str("errors.email") == "" {
			t.Errorf("%q: %s", email, r)
		}
	}
	code := f.code(t, "victim@example.org", "")
	for _, field := range []string{"given_name", "family_name"} {
		body := f.booking("victim@example.org", code, start)
		body[field] = "Lindiwe\r\nBcc: evil@example.org"
		r := f.confirm(body)
		wantProblem(t, r, http.StatusUnprocessableEntity)
		if r.Str("errors."+field) == "" {
			t.Errorf("%s: %s", field, r)
		}
	}
	body := f.booking("victim@example.org\r\nBcc: evil@example.org", code, start)
	r := f.confirm(body)
	wantProblem(t, r, http.StatusUnprocessableEntity)
	if r.Str("errors.email") == "" {
		t.Errorf("email: %s", r)
	}
	// The refused forms cost no try: the code still books.
	want(t, f.confirm(f.booking("victim@example.org", code, start)), http.StatusCreated)
	env.WaitMail(t, "victim@example.org", "To cancel or reschedule")
	env.WaitMail(t, "desk@inject.example", "booked online")
	for _, m := range env.Mail() {
		for _, to := range m.To {
			if strings.ContainsAny(to, "\r\n") || strings.Contains(to, "evil") {
				t.Errorf("recipient %q", to)
			}
		}
		if strings.ContainsAny(m.Subject, "\r\n") || strings.Contains(m.Subject, "evil") {
			t.Errorf("subject %q", m.Subject)
		}
	}
}

func TestPublicBookingManageLink(t *testing.T) {
	t.Parallel()
	env := newPublicEnv(t)
	f := newPub(t, env, "managed", 1)
	res := f.book(t, "keep@example.org", "2030-03-07T09:00:00+02:00")
	token := strings.TrimPrefix(res.Str("manage_url"), env.URL+"/book/manage/")
	apID := res.Str("appointment_id")
	path := "/api/v1/public/bookings/" + token

	v := want(t, f.anon.Do("GET", path, nil), http.StatusOK)
	if v.Str("appointment_id") != apID || v.Str("status") != "booked" || v.Get("can_change") != true || v.Str("practice.slug") != "managed" ||
		v.Str("change_deadline") != "2030-03-06T09:00:00+02:00" {
		t.Errorf("view: %s", v)
	}
	for _, leak := range []string{"Lindiwe", "keep@", "Sore knee", "1991"} {
		if strings.Contains(string(v.Body), leak) {
			t.Errorf("the view holds %q: %s", leak, v.Body)
		}
	}

	t.Run("forged or altered tokens are 404", func(t *testing.T) {
		notFound := want(t, f.anon.Do("GET", "/api/v1/public/bookings/nonsense", nil), http.StatusNotFound)
		flip := func(i int) string {
			b := []byte(token)
			if b[i] == 'A' {
				b[i] = 'B'
			} else {
				b[i] = 'A'
			}
			return string(b)
		}
		for _, bad := range []string{flip(0), flip(10), flip(len(token) - 1), token[:len(token)-2], token + "AA", strings.Repeat("A", len(token))} {
			for _, r := range []*servertest.Response{
				f.anon.Do("GET", "/api/v1/public/bookings/"+bad, nil),
				f.anon.Do("POST", "/api/v1/public/bookings/"+bad, map[string]any{"action": "cancel"}),
			} {
				wantProblem(t, r, http.StatusNotFound)
				if string(r.Body) != string(notFound.Body) {
					t.Errorf("%s differs from a missing token's: %s", r.Path, r.Body)
				}
			}
		}
		if aps := f.appointments(t); aps[0]["status"] != "booked" {
			t.Errorf("a forged link changed the booking: %v", aps)
		}
	})

	t.Run("reschedule", func(t *testing.T) {
		r := want(t, f.anon.Do("POST", path, map[string]any{"action": "reschedule", "start": "2030-03-07T10:00:00+02:00"}), http.StatusOK)
		if r.Str("start") != "2030-03-07T10:00:00+02:00" || r.Str("status") != "booked" {
			t.Errorf("moved: %s", r)
		}
		got := f.slots(t)
		if !slices.Contains(got, "2030-03-07T09:00:00+02:00") || slices.Contains(got, "2030-03-07T10:00:00+02:00") {
			t.Errorf("slots after the move: %v", got)
		}
		m := env.WaitMail(t, "keep@example.org", "10:00")
		if !strings.Contains(m.Subject, "moved") || !strings.Contains(m.Text, "/book/manage/") {
			t.Errorf("moved mail: %+v", m)
		}
		// A full or unknown slot is refused and moves nothing.
		other := f.book(t, "other@example.org", "2030-03-07T11:00:00+02:00")
		_ = other
		wantProblem(t, f.anon.Do("POST", path, map[string]any{"action": "reschedule", "start": "2030-03-07T11:00:00+02:00"}), http.StatusConflict)
		wantProblem(t, f.anon.Do("POST", path, map[string]any{"action": "reschedule", "start": "2030-03-07T13:00:00+02:00"}), http.StatusUnprocessableEntity)
		if v := want(t, f.anon.Do("GET", path, nil), http.StatusOK); v.Str("start") != "2030-03-07T10:00:00+02:00" {
			t.Errorf("after refused moves: %s", v)
		}
	})

	t.Run("cancel inside the window is refused", func(t *testing.T) {
		env.Clock.Set(time.Date(2030, 3, 6, 8, 30, 0, 0, time.UTC)) // 10:30 local, 23.5 hours before
		defer env.Clock.Set(servertest.Start)
		if v := want(t, f.anon.Do("GET", path, nil), http.StatusOK); v.Get("can_change") != false {
			t.Errorf("can_change inside the window: %s", v)
		}
		r := f.anon.Do("POST", path, map[string]any{"action": "cancel"})
		wantProblem(t, r, http.StatusConflict)
		if !strings.Contains(r.Str("detail"), "too late") {
			t.Errorf("%s", r)
		}
		wantProblem(t, f.anon.Do("POST", path, map[string]any{"action": "reschedule", "start": "2030-03-07T09:30:00+02:00"}), http.StatusConflict)
	})

	t.Run("cancel before the window frees the slot", func(t *testing.T) {
		r := want(t, f.anon.Do("POST", path, map[string]any{"action": "cancel", "reason": "Feeling better"}), http.StatusOK)
		if r.Str("status") != "cancelled" || r.Get("can_change") != false {
			t.Errorf("cancelled: %s", r)
		}
		if !slices.Contains(f.slots(t), "2030-03-07T10:00:00+02:00") {
			t.Errorf("the slot was not freed: %v", f.slots(t))
		}
		env.WaitMail(t, "keep@example.org", "is cancelled")
		wantProblem(t, f.anon.Do("POST", path, map[string]any{"action": "cancel"}), http.StatusConflict)
		ns := want(t, f.admin.Do("GET", "/api/v1/practices/managed/notifications", nil), http.StatusOK)
		var kinds []string
		for _, it := range ns.Items() {
			kinds = append(kinds, it["kind"].(string))
		}
		if !slices.Contains(kinds, "online_cancellation") || !slices.Contains(kinds, "online_reschedule") {
			t.Errorf("notifications: %s", ns)
		}
		actions, _ := f.auditActions(t)
		for _, a := range []string{"booking.managed_viewed", "appointment.rescheduled", "appointment.cancelled"} {
			if !slices.Contains(actions, a) {
				t.Errorf("no %s in the log: %v", a, actions)
			}
		}
	})

	t.Run("an unknown action is a field error", func(t *testing.T) {
		r := f.anon.Do("POST", path, map[string]any{"action": "delete"})
		wantProblem(t, r, http.StatusUnprocessableEntity)
	})

	t.Run("the link expires", func(t *testing.T) {
		env.Clock.Set(time.Date(2030, 4, 10, 0, 0, 0, 0, time.UTC))
		defer env.Clock.Set(servertest.Start)
		wantProblem(t, f.anon.Do("GET", path, nil), http.StatusNotFound)
	})
}

func TestPublicBookingHoneypot(t *testing.T) {
	t.Parallel()
	env := newPublicEnv(t)
	f := newPub(t, env, "honey", 1)
	code := f.code(t, "bot@example.org", "")
	body := f.booking("bot@example.org", code, "2030-03-07T09:00:00+02:00")
	body["website"] = "http://spam.example"
	r := f.confirm(body)
	wantProblem(t, r, http.StatusUnprocessableEntity)
	if errs, _ := r.Get("errors").(map[string]any); len(errs) != 0 {
		t.Errorf("the honeypot answer names fields: %s", r)
	}
	if n := len(f.appointments(t)); n != 0 {
		t.Errorf("%d appointments booked by a robot", n)
	}
	if n := f.countPatients(t); n != 0 {
		t.Errorf("%d charts made by a robot", n)
	}
	actions, _ := f.auditActions(t)
	if !slices.Contains(actions, "booking.honeypot") {
		t.Errorf("not audited: %v", actions)
	}
	// The code was not spent: a person can still use it.
	delete(body, "website")
	want(t, f.confirm(body), http.StatusCreated)
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func count[T comparable](xs []T, x T) int {
	n := 0
	for _, v := range xs {
		if v == x {
			n++
		}
	}
	return n
}

func mergeMap(a, b map[string]any) map[string]any {
	for k, v := range b {
		a[k] = v
	}
	return a
}

// The code limits are platform-wide: an email, an IPv4 address or an IPv6
// /64 gets 3 codes per 10 minutes across all practices, not 3 at each.
func TestPublicBookingLimitsAcrossPractices(t *testing.T) {
	t.Parallel()
	env := newPublicEnv(t)
	a := newPub(t, env, "across-a", 1)
	b := newPub(t, env, "across-b", 1)
	otp := func(f *pub, email, ip string) *servertest.Response {
		return f.anon.DoHeader("POST", f.path("/booking/otp"), map[string]any{"email": email}, map[string]string{"X-Forwarded-For": ip})
	}
	wantLimited := func(t *testing.T, r *servertest.Response) {
		t.Helper()
		wantProblem(t, r, http.StatusTooManyRequests)
		if s, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || s < 1 || s > 600 {
			t.Errorf("Retry-After %q", r.Header.Get("Retry-After"))
		}
	}

	t.Run("one email", func(t *testing.T) {
		want(t, otp(a, "roam@example.org", a.ip()), http.StatusAccepted)
		want(t, otp(a, "roam@example.org", a.ip()), http.StatusAccepted)
		want(t, otp(b, "Roam@Example.org", b.ip()), http.StatusAccepted)
		wantLimited(t, otp(b, "roam@example.org", b.ip()))
		wantLimited(t, otp(a, "roam@example.org", a.ip()))
	})

	t.Run("one IPv4 address", func(t *testing.T) {
		const ip = "203.0.113.40"
		want(t, otp(a, "v4-1@example.org", ip), http.StatusAccepted)
		want(t, otp(b, "v4-2@example.org", ip), http.StatusAccepted)
		want(t, otp(b, "v4-3@example.org", ip), http.StatusAccepted)
		wantLimited(t, otp(b, "v4-4@example.org", ip))
		wantLimited(t, otp(a, "v4-4@example.org", "::ffff:"+ip)) // the same address, mapped into IPv6
		want(t, otp(b, "v4-4@example.org", "203.0.113.41"), http.StatusAccepted)
	})

	t.Run("one IPv6 /64", func(t *testing.T) {
		want(t, otp(a, "v6-1@example.org", "2001:db8:aa:bb::1"), http.StatusAccepted)
		want(t, otp(a, "v6-2@example.org", "2001:db8:aa:bb:ffff:ffff:ffff:fffe"), http.StatusAccepted)
		want(t, otp(b, "v6-3@example.org", "2001:DB8:AA:BB:1234::9"), http.StatusAccepted)
		wantLimited(t, otp(b, "v6-4@example.org", "2001:db8:aa:bb::77"))
		// The next /64 has its own budget.
		want(t, otp(b, "v6-4@example.org", "2001:db8:aa:bc::1"), http.StatusAccepted)
	})

	t.Run("the window passes", func(t *testing.T) {
		env.Clock.Advance(10*time.Minute + time.Second)
		want(t, otp(b, "roam@example.org", "2001:db8:aa:bb::1"), http.StatusAccepted)
	})

	// Every refusal is audited in the practice asked, and nothing was sent.
	actions, _ := a.auditActions(t)
	if n, m := count(actions, "booking.code_refused"), count(actions, "booking.code_requested"); n != 2 || m != 5 {
		t.Errorf("practice A: %d refused, %d sent: %v", n, m, actions)
	}
	actions, _ = b.auditActions(t)
	if n, m := count(actions, "booking.code_refused"), count(actions, "booking.code_requested"); n != 3 || m != 7 {
		t.Errorf("practice B: %d refused, %d sent: %v", n, m, actions)
	}
	env.WaitMail(t, "roam@example.org", "Your code") // the one after the window...
	for i := 0; i < 3; i++ {
		env.WaitMail(t, "roam@example.org", "Your code")
	}
	time.Sleep(200 * time.Millisecond)
	if n := countMail(env, "roam@example.org"); n != 4 {
		t.Errorf("%d codes mailed to roam@, want 4", n)
	}

	// The platform table holds keyed hashes only: no email or IP in clear.
	var clear int
	err := env.DB.Pool().QueryRow(context.Background(), `SELECT count(*) FROM public_rate_events
		WHERE length(key) <> 32 OR position('roam'::bytea IN key) > 0 OR position('203.0.113'::bytea IN key) > 0`).Scan(&clear)
	if err != nil || clear != 0 {
		t.Errorf("%d rows with a key in clear (%v)", clear, err)
	}
}

func countMail(env *servertest.Env, to string) int {
	n := 0
	for _, m := range env.Mail() {
		if slices.Contains(m.To, to) {
			n++
		}
	}
	return n
}

// CSRF protection does not cover the public API (its origins are per
// practice), so a POST must declare JSON and come from no origin, this
// server's own, or one the practice allows; refused before any work.
func TestPublicBookingRefusesCrossSiteRequests(t *testing.T) {
	t.Parallel()
	env := newPublicEnv(t)
	f := newPub(t, env, "xsite", 1)
	want(t, f.admin.Do("PATCH", "/api/v1/practices/xsite", map[string]any{"booking": map[string]any{"allowed_origins": []string{"https://www.xsite.example"}}}), http.StatusOK)
	res := f.book(t, "owner@example.org", "2030-03-07T09:00:00+02:00")
	token := strings.TrimPrefix(res.Str("manage_url"), env.URL+"/book/manage/")
	otpBody := `{"email":"victim@example.org"}`
	hdr := func(kv ...string) map[string]string {
		h := map[string]string{"X-Forwarded-For": f.ip()}
		for i := 0; i+1 < len(kv); i += 2 {
			h[kv[i]] = kv[i+1]
		}
		return h
	}

	t.Run("the body must be declared JSON", func(t *testing.T) {
		for _, ct := range []string{"text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "", "application/jsonx", "application/json-patch+json"} {
			for _, path := range []string{f.path("/booking/otp"), f.path("/booking/confirm"), "/api/v1/public/bookings/" + token} {
				r := f.anon.DoHeader("POST", path, otpBody, hdr("Content-Type", ct))
				wantProblem(t, r, http.StatusUnsupportedMediaType)
				if r.Header.Get("Content-Type") != "application/problem+json" {
					t.Errorf("%q at %s: %s", ct, path, r.Header.Get("Content-Type"))
				}
			}
		}
		// Even from an allowed origin, which can read why.
		r := f.anon.DoHeader("POST", f.path("/booking/otp"), otpBody, hdr("Content-Type", "text/plain", "Origin", "https://www.xsite.example"))
		wantProblem(t, r, http.StatusUnsupportedMediaType)
		if r.Header.Get("Access-Control-Allow-Origin") != "https://www.xsite.example" {
			t.Errorf("the allowed origin cannot read the refusal: %v", r.Header)
		}
		// Parameters are fine.
		want(t, f.anon.DoHeader("POST", f.path("/booking/otp"), `{"email":"charset@example.org"}`, hdr("Content-Type", "application/json; charset=utf-8")), http.StatusAccepted)
		want(t, f.anon.DoHeader("POST", f.path("/booking/otp"), `{"email":"upper@example.org"}`, hdr("Content-Type", "Application/JSON")), http.StatusAccepted)
	})

	t.Run("a foreign origin is refused", func(t *testing.T) {
		for _, origin := range []string{"https://evil.example", "null", "https://www.xsite.example.evil.example", "http://www.xsite.example", "https://www.xsite.example:8443"} {
			for _, path := range []string{f.path("/booking/otp"), f.path("/booking/confirm"), "/api/v1/public/bookings/" + token} {
				r := f.anon.DoHeader("POST", path, otpBody, hdr("Origin", origin, "Sec-Fetch-Site", "cross-site"))
				wantProblem(t, r, http.StatusForbidden)
				if r.Header.Get("Access-Control-Allow-Origin") != "" {
					t.Errorf("%s at %s: CORS headers %v", origin, path, r.Header)
				}
			}
		}
		// A foreign origin at another practice's slug or an unknown one too.
		other := newPub(t, env, "xsite-other", 1)
		wantProblem(t, other.anon.DoHeader("POST", other.path("/booking/otp"), otpBody, hdr("Origin", "https://www.xsite.example")), http.StatusForbidden)
		wantProblem(t, f.anon.DoHeader("POST", "/api/v1/public/practices/no-such/booking/otp", otpBody, hdr("Origin", "https://evil.example")), http.StatusForbidden)
		// The preflight still answers, without CORS headers.
		r := f.anon.DoHeader("OPTIONS", f.path("/booking/otp"), nil, map[string]string{"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
		if r.Status != http.StatusNoContent || r.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("preflight: %s %v", r, r.Header)
		}
		// Reading is not changed: GETs answer, without CORS headers.
		if r := want(t, f.anon.DoHeader("GET", f.path(""), nil, hdr("Origin", "https://evil.example")), http.StatusOK); r.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("GET: %v", r.Header)
		}
	})

	t.Run("the booking is untouched and nothing was mailed", func(t *testing.T) {
		m := want(t, f.anon.Do("GET", "/api/v1/public/bookings/"+token, nil), http.StatusOK)
		if m.Str("status") != "booked" {
			t.Errorf("the booking changed: %s", m)
		}
		actions, _ := f.auditActions(t)
		if n := count(actions, "booking.code_requested"); n != 3 { // owner@, charset@, upper@
			t.Errorf("%d codes requested: %v", n, actions)
		}
		if slices.Contains(actions, "booking.code_failed") || slices.Contains(actions, "appointment.cancelled") {
			t.Errorf("a refused request did work: %v", actions)
		}
		env.WaitMail(t, "upper@example.org", "Your code")
		env.WaitMail(t, "charset@example.org", "Your code")
		if n := countMail(env, "victim@example.org"); n != 0 {
			t.Errorf("%d mails to the victim", n)
		}
	})

	t.Run("allowed and own origins still work", func(t *testing.T) {
		r := want(t, f.anon.DoHeader("POST", f.path("/booking/otp"), map[string]any{"email": "site@example.org"},
			hdr("Origin", "https://www.xsite.example", "Sec-Fetch-Site", "cross-site")), http.StatusAccepted)
		if r.Header.Get("Access-Control-Allow-Origin") != "https://www.xsite.example" {
			t.Errorf("allowed origin: %v", r.Header)
		}
		env.WaitMail(t, "site@example.org", "Your code")
		want(t, f.anon.DoHeader("POST", f.path("/booking/otp"), map[string]any{"email": "self@example.org"},
			hdr("Origin", env.URL, "Sec-Fetch-Site", "same-origin")), http.StatusAccepted)
		env.WaitMail(t, "self@example.org", "Your code")
		r = want(t, f.anon.DoHeader("POST", "/api/v1/public/bookings/"+token, map[string]any{"action": "cancel"},
			hdr("Origin", "https://www.xsite.example", "Sec-Fetch-Site", "cross-site")), http.StatusOK)
		if r.Str("status") != "cancelled" {
			t.Errorf("cancel from the allowed origin: %s", r)
		}
	})
}
