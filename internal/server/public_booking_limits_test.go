package server_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"medic/internal/server/servertest"
)

// confirmFrom posts a confirmation from ip.
func (f *pub) confirmFrom(body map[string]any, ip string) *servertest.Response {
	return f.anon.DoHeader("POST", f.path("/booking/confirm"), body, map[string]string{"X-Forwarded-For": ip})
}

// auditEvents is the practice's audit log, newest first, with details.
func (f *pub) auditEvents(t *testing.T) []map[string]any {
	t.Helper()
	return want(t, f.admin.Do("GET", "/api/v1/practices/"+f.slug+"/audit-events?limit=200", nil), http.StatusOK).Items()
}

// wantRetryLater is a 429 problem with a Retry-After of at most the window.
func wantRetryLater(t *testing.T, r *servertest.Response) {
	t.Helper()
	wantProblem(t, r, http.StatusTooManyRequests)
	if s, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || s < 1 || s > 600 {
		t.Errorf("Retry-After %q", r.Header.Get("Retry-After"))
	}
	if !strings.Contains(r.Str("detail"), "Wait") {
		t.Errorf("no clear message: %s", r)
	}
}

// Confirmations are limited to 20 per IP (IPv6: per /64) per 10 minutes,
// checked before anything else: a refused one checks no code and writes
// no audit row.
func TestPublicBookingConfirmLimitPerIP(t *testing.T) {
	t.Parallel()
	env := newPublicEnv(t)
	f := newPub(t, env, "confirm-limit", 1)
	const start = "2030-03-07T09:00:00+02:00"
	const ip = "203.0.113.77"

	code := f.code(t, "guesser@example.org", "")
	wrong := fmt.Sprintf("%06d", (mustAtoi(t, code)+1)%1000000)
	for i := 0; i < 20; i++ {
		wantCodeRefused(t, f.confirmFrom(f.booking("guesser@example.org", wrong, start), ip))
	}
	failedBefore := count(actionsOf(f.auditEvents(t)), "booking.code_failed")
	if failedBefore != 20 {
		t.Fatalf("%d booking.code_failed events, want 20", failedBefore)
	}
	for i := 0; i < 5; i++ {
		wantRetryLater(t, f.confirmFrom(f.booking("guesser@example.org", wrong, start), ip))
	}
	// Even a right code (of another email) is refused from that address,
	// and books nothing.
	other := f.code(t, "person@example.org", "")
	wantRetryLater(t, f.confirmFrom(f.booking("person@example.org", other, start), "::ffff:"+ip))
	if n := len(f.appointments(t)); n != 0 {
		t.Errorf("%d appointments booked past the limit", n)
	}
	// No audit row per refused request.
	actions := actionsOf(f.auditEvents(t))
	if n := count(actions, "booking.code_failed"); n != failedBefore {
		t.Errorf("%d booking.code_failed events after refusals, want %d: %v", n, failedBefore, actions)
	}
	if n := count(actions, "booking.confirmed"); n != 0 {
		t.Errorf("booked: %v", actions)
	}

	// Another address has its own budget: the right code books there.
	want(t, f.confirmFrom(f.booking("person@example.org", other, start), "203.0.113.78"), http.StatusCreated)

	t.Run("an IPv6 /64 shares one budget", func(t *testing.T) {
		for i := 0; i < 20; i++ {
			wantCodeRefused(t, f.confirmFrom(f.booking("guesser@example.org", wrong, start), fmt.Sprintf("2001:db8:77:1::%x", i+1)))
		}
		wantRetryLater(t, f.confirmFrom(f.booking("guesser@example.org", wrong, start), "2001:db8:77:1:ffff::1"))
		wantCodeRefused(t, f.confirmFrom(f.booking("guesser@example.org", wrong, start), "2001:db8:77:2::1"))
	})

	t.Run("the window passes", func(t *testing.T) {
		env.Clock.Advance(10*time.Minute + time.Second)
		wantCodeRefused(t, f.confirmFrom(f.booking("guesser@example.org", wrong, start), ip))
	})
}

// Manage-link requests (view, cancel, reschedule) are limited to 60 per IP
// per 10 minutes: past it, neither a right nor a forged token is looked
// at, nothing changes and nothing more is audited.
func TestPublicBookingManageLinkLimitPerIP(t *testing.T) {
	t.Parallel()
	env := newPublicEnv(t)
	f := newPub(t, env, "manage-limit", 1)
	res := f.book(t, "keep@example.org", "2030-03-07T09:00:00+02:00")
	token := strings.TrimPrefix(res.Str("manage_url"), env.URL+"/book/manage/")
	path := "/api/v1/public/bookings/" + token
	from := func(ip string) map[string]string { return map[string]string{"X-Forwarded-For": ip} }
	const ip = "203.0.113.90"

	for i := 0; i < 40; i++ {
		want(t, f.anon.DoHeader("GET", path, nil, from(ip)), http.StatusOK)
	}
	for i := 0; i < 20; i++ {
		wantProblem(t, f.anon.DoHeader("GET", "/api/v1/public/bookings/forged"+strconv.Itoa(i), nil, from(ip)), http.StatusNotFound)
	}
	viewed := count(actionsOf(f.auditEvents(t)), "booking.managed_viewed")
	if viewed != 40 {
		t.Fatalf("%d views audited, want 40", viewed)
	}
	wantRetryLater(t, f.anon.DoHeader("GET", path, nil, from(ip)))
	wantRetryLater(t, f.anon.DoHeader("GET", "/api/v1/public/bookings/forged", nil, from(ip)))
	wantRetryLater(t, f.anon.DoHeader("POST", path, map[string]any{"action": "cancel"}, from(ip)))
	wantRetryLater(t, f.anon.DoHeader("POST", path, map[string]any{"action": "reschedule", "start": "2030-03-07T10:00:00+02:00"}, from(ip)))
	if aps := f.appointments(t); len(aps) != 1 || aps[0]["status"] != "booked" || aps[0]["start"] != "2030-03-07T09:00:00+02:00" {
		t.Errorf("a refused request changed the booking: %v", aps)
	}
	actions := actionsOf(f.auditEvents(t))
	if n := count(actions, "booking.managed_viewed"); n != viewed {
		t.Errorf("%d views audited after refusals, want %d", n, viewed)
	}
	for _, a := range []string{"appointment.cancelled", "appointment.rescheduled"} {
		if count(actions, a) != 0 {
			t.Errorf("%s past the limit: %v", a, actions)
		}
	}

	// The web manage page from that address is refused too, with the
	// public layout and a Retry-After.
	web := f.anon.DoHeader("GET", "/book/manage/"+token, nil, from(ip))
	if web.Status != http.StatusTooManyRequests || web.Header.Get("Retry-After") == "" || strings.Contains(string(web.Body), `class="mainnav"`) {
		t.Errorf("web manage page past the limit: %d %q", web.Status, web.Header.Get("Retry-After"))
	}

	// Another address still manages the booking.
	r := want(t, f.anon.DoHeader("POST", path, map[string]any{"action": "cancel"}, from("203.0.113.91")), http.StatusOK)
	if r.Str("status") != "cancelled" {
		t.Errorf("cancel from another address: %s", r)
	}

	env.Clock.Advance(10*time.Minute + time.Second)
	want(t, f.anon.DoHeader("GET", path, nil, from(ip)), http.StatusOK)
}

// A confirmation that fails after its code was accepted rolls back, and
// is then audited on its own as booking.confirm_failed: the reason, the
// practitioner and the time; never the code, the email or the patient.
func TestPublicBookingConfirmFailedIsAudited(t *testing.T) {
	t.Parallel()
	env := newPublicEnv(t)
	f := newPub(t, env, "confirm-failed", 1)
	f.book(t, "first@example.org", "2030-03-07T09:00:00+02:00")

	code := f.code(t, "second@example.org", "")
	body := f.booking("second@example.org", code, "2030-03-07T09:00:00+02:00")
	body["given_name"], body["family_name"] = "Thandeka", "Zulu"
	wantProblem(t, f.confirm(body), http.StatusConflict)
	body["start"] = "2030-03-07T13:00:00+02:00" // no open time
	wantProblem(t, f.confirm(body), http.StatusUnprocessableEntity)
	body["start"] = "2030-03-07T09:30:00+02:00"
	body["practitioner_id"] = "00000000-0000-4000-8000-000000000000" // none of this practice
	wantProblem(t, f.confirm(body), http.StatusUnprocessableEntity)
	// Wrong codes stay booking.code_failed only.
	wrong := f.booking("second@example.org", fmt.Sprintf("%06d", (mustAtoi(t, code)+1)%1000000), "2030-03-07T09:30:00+02:00")
	wantCodeRefused(t, f.confirm(wrong))

	var failed []map[string]any
	for _, ev := range f.auditEvents(t) {
		if ev["action"] == "booking.confirm_failed" {
			failed = append(failed, ev)
		}
	}
	if len(failed) != 3 {
		t.Fatalf("%d booking.confirm_failed events, want 3: %v", len(failed), failed)
	}
	wantDetail := []map[string]string{ // newest first
		{"reason": "invalid", "practitioner_id": "00000000-0000-4000-8000-000000000000", "start": "2030-03-07T07:30:00Z"},
		{"reason": "not_bookable", "practitioner_id": f.pr, "start": "2030-03-07T11:00:00Z"},
		{"reason": "slot_taken", "practitioner_id": f.pr, "start": "2030-03-07T07:00:00Z"},
	}
	for i, ev := range failed {
		d, _ := ev["detail"].(map[string]any)
		if len(d) != len(wantDetail[i]) {
			t.Errorf("event %d detail: %v, want %v", i, d, wantDetail[i])
		}
		for k, v := range wantDetail[i] {
			if d[k] != v {
				t.Errorf("event %d detail %s = %v, want %s", i, k, d[k], v)
			}
		}
		if ev["outcome"] != "failure" || ev["patient_id"] != "" {
			t.Errorf("event %d: %v", i, ev)
		}
		s := fmt.Sprint(ev)
		for _, leak := range []string{code, "second@", "Thandeka", "Zulu", "1991-02-03", "Sore knee", "0825550100", "+2782"} {
			if strings.Contains(s, leak) {
				t.Errorf("event %d holds %q: %s", i, leak, s)
			}
		}
	}

	// Nothing of the failed tries was kept: the code still books.
	body["practitioner_id"] = f.pr
	want(t, f.confirm(body), http.StatusCreated)
	if n := count(actionsOf(f.auditEvents(t)), "booking.confirm_failed"); n != 3 {
		t.Errorf("%d booking.confirm_failed events after a booking", n)
	}
}

func actionsOf(events []map[string]any) []string {
	out := make([]string, 0, len(events))
	for _, ev := range events {
		out = append(out, ev["action"].(string))
	}
	return out
}
