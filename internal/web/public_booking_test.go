package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"medic"
)

// onlineClinic is mustClinic with its type bookable online.
func (e *env) onlineClinic(p *medic.Practice, doctor string) clinic {
	e.t.Helper()
	c := e.mustClinic(p, doctor)
	c.typ.OnlineBookable = true
	if err := e.db.UpdateAppointmentType(tenantCtx(p), c.typ); err != nil {
		e.t.Fatal(err)
	}
	return c
}

var codeRE = regexp.MustCompile(`\b(\d{6})\b`)

// bookingCode is the newest booking code mailed to addr ("" if none).
func (e *env) bookingCode(addr string) string {
	e.t.Helper()
	ms, err := e.db.ListKeptMail(context.Background(), 100)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, m := range ms { // newest first
		if len(m.To) == 1 && m.To[0] == addr && strings.Contains(m.Subject, "booking code") {
			if c := codeRE.FindStringSubmatch(m.Text); c != nil {
				return c[1]
			}
		}
	}
	return ""
}

// mailTo is the text of the newest mail to addr whose subject holds subj.
func (e *env) mailTo(addr, subj string) string {
	e.t.Helper()
	ms, err := e.db.ListKeptMail(context.Background(), 100)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, m := range ms {
		if len(m.To) == 1 && m.To[0] == addr && strings.Contains(m.Subject, subj) {
			return m.Text
		}
	}
	return ""
}

// details is the details form a patient fills in for the slot at hh:mm.
func details(c clinic, hhmm string) url.Values {
	return url.Values{"type": {c.typ.ID}, "slot": {slotValue(c, hhmm)}, "date": {c.day.String()},
		"given_name": {"Naledi"}, "family_name": {"Mokoena"}, "date_of_birth": {"1990-04-12"},
		"email": {"naledi@example.org"}, "phone": {"082 555 0199"}, "reason": {"Sore throat"}}
}

// wantPublicHygiene checks a public page's basics: the language, the
// viewport for phones, a skip link to the main landmark, no desk
// navigation, and nothing inline the CSP would block.
func wantPublicHygiene(t *testing.T, r page) {
	t.Helper()
	wantContains(t, r, `<html lang="en">`, `<meta name="viewport" content="width=device-width, initial-scale=1">`,
		`class="skip-link" href="#main"`, `<main id="main"`, `"includeIndicatorStyles":false`)
	wantNotContains(t, r, `class="mainnav"`, " style=", "<style", " onclick=", "hx-on")
}

func with(v url.Values, kv ...string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out.Set(kv[i], kv[i+1])
	}
	return out
}

func TestPublicBookingEndToEndWithoutJavaScript(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.mustPractice("sunrise", "Sunrise Family Practice")
	e.mustMember(p, e.mustUser("desk@sunrise.example", "Desk"), "receptionist")
	c := e.onlineClinic(p, "Dr Naidoo")
	// Changes online close an hour before (the clinic's day is tomorrow).
	p.Booking.CancellationWindowMinutes = 60
	if err := e.db.UpdatePractice(tenantCtx(p), p); err != nil {
		t.Fatal(err)
	}
	patient := e.client()

	// Step 1: the page, its single type chosen, the day picker and times.
	r := patient.get("/book/sunrise?date=" + c.day.String())
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "Sunrise Family Practice", "What is the visit for?", "Consultation", "30 minutes",
		`<meta name="viewport" content="width=device-width, initial-scale=1">`, `<html lang="en">`,
		`id="slot-status" class="slot-status" role="status"`, `aria-current="date"`, `type="date"`,
		`name="slot" value="`+slotValue(c, "08:00")+`"`, "Open times on "+c.day.Time().Format("Monday 2 January"),
		`<ol class="steps" aria-label="Booking steps">`, `<li aria-current="step">Choose a time</li>`)
	wantNotContains(t, r, `class="mainnav"`, "Online booking opens soon", "Sign out")
	wantPublicHygiene(t, r)
	if n := strings.Count(r.body, `class="day-btn`); n != 14 {
		t.Errorf("the day picker offers %d days, want 14", n)
	}
	// Today has no rule: its button says so and a click offers the next open day.
	today := patient.get("/book/sunrise?type=" + c.typ.ID)
	wantContains(t, today, "No open times on", "Next open day: "+c.day.Time().Format("Monday 2 January"))

	// Step 2: the details form, with the honeypot hidden from people.
	r = patient.get("/book/sunrise/details?type=" + c.typ.ID + "&date=" + c.day.String() + "&slot=" + url.QueryEscape(slotValue(c, "09:00")))
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "Your details", "Dr Naidoo", "Dr Naidoo Rooms", `autocomplete="given-name"`, `autocomplete="bday"`, `type="tel"`,
		`<div class="hp" aria-hidden="true">`, `name="website" type="text" value="" tabindex="-1" autocomplete="off"`,
		`action="/book/sunrise/code"`, `name="slot" value="`+slotValue(c, "09:00")+`"`,
		`<li class="step-done">Choose a time<span class="visually-hidden"> (done)</span></li>`, `<li aria-current="step">Your details</li>`,
		`<label for="details-given_name">First name`, `<label for="details-family_name">Surname`)
	wantPublicHygiene(t, r)
	if !strings.Contains(r.body, c.at("09:00").In(zone).Format("Mon 2 Jan 2006, 15:04")) {
		t.Errorf("the details page does not show the chosen time")
	}

	// Missing and wrong details: per-field messages, values kept, the first
	// field with a message focused.
	bad := with(details(c, "09:00"), "given_name", "", "email", "not-an-email", "date_of_birth", "2999-01-01")
	r = patient.post("/book/sunrise/code", bad)
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r, "Some details need your attention.", "Enter your first name.", "Enter a valid email address.",
		"Enter a date of birth in the past 130 years.", `value="Mokoena"`, `value="not-an-email"`)
	if !regexp.MustCompile(`name="given_name" type="text" value=""[^>]*autofocus`).MatchString(r.body) {
		t.Errorf("the first wrong field is not focused")
	}
	if e.bookingCode("naledi@example.org") != "" {
		t.Fatal("a code was sent for invalid details")
	}

	// Step 3: the code is emailed; the code page carries the details in
	// hidden fields (POST), never in the address.
	r = patient.post("/book/sunrise/code", details(c, "09:00"))
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "Check your email", "naledi@example.org", `inputmode="numeric"`, `autocomplete="one-time-code"`, `maxlength="6"`, `<li aria-current="step">Enter the code</li>`,
		`type="hidden" name="given_name" value="Naledi"`, `type="hidden" name="date_of_birth" value="1990-04-12"`, `action="/book/sunrise/confirm"`)
	wantPublicHygiene(t, r)
	if strings.Contains(r.url, "Naledi") || strings.Contains(r.url, "naledi") {
		t.Fatalf("patient data in the address: %s", r.url)
	}
	code := e.bookingCode("naledi@example.org")
	if len(code) != 6 {
		t.Fatalf("no code mailed")
	}

	// A wrong code is a message on the code field.
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	r = patient.post("/book/sunrise/confirm", with(details(c, "09:00"), "code", wrong))
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r, "This code is not right", `aria-invalid="true"`, `type="hidden" name="family_name" value="Mokoena"`)
	r = patient.post("/book/sunrise/confirm", with(details(c, "09:00"), "code", "12ab"))
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r, "Enter the 6-digit code from the email.")

	// The right code books: the confirmation names time, practitioner and place.
	r = patient.post("/book/sunrise/confirm", with(details(c, "09:00"), "code", code))
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "You are booked", "Dr Naidoo", "Dr Naidoo Rooms", "Consultation", "a link to your booking", "You can move or cancel this appointment online until", `<li aria-current="step">Booked</li>`,
		c.at("09:00").In(zone).Format("Mon 2 Jan 2006, 15:04"))
	wantPublicHygiene(t, r)
	aps, _, err := e.db.ListAppointments(tenantCtx(p), medic.AppointmentFilter{}, medic.Page{Limit: 10})
	if err != nil || len(aps) != 1 {
		t.Fatalf("appointments: %v, %v", aps, err)
	}
	ap := aps[0]
	if ap.Source != medic.SourceOnline || !ap.Start.Equal(c.at("09:00")) || ap.PatientName != "Naledi Mokoena" {
		t.Fatalf("stored: %+v", ap)
	}

	// The desk sees it online, in its notifications and the nav's count.
	desk := e.signIn("desk@sunrise.example")
	r = desk.get("/appointments/" + ap.ID)
	wantContains(t, r, `class="badge badge-online"`)
	r = desk.get("/calendar?date=" + c.day.String())
	wantContains(t, r, `class="badge badge-online"`)
	r = desk.get("/notifications")
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, `href="/appointments/`+ap.ID+`"`, "Mark as read", `<span class="badge badge-count">1<span class="visually-hidden"> unread</span></span>`)
	id := regexpFind(t, r.body, `action="/notifications/([0-9a-f-]{36})/read"`)
	r = desk.post("/notifications/"+id+"/read", url.Values{})
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "Marked as read.")
	wantNotContains(t, r, "badge-count", "Mark as read")

	// The manage link from the confirmation email: the booking, no patient data.
	mail := e.mailTo("naledi@example.org", "")
	link := regexpFind(t, mail, `http://example\.test(/book/manage/[A-Za-z0-9_.~-]+)`)
	r = patient.get(link)
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "Your appointment", "Dr Naidoo", "Consultation", "Move to another time", "Cancel my appointment", `<meta name="robots" content="noindex">`)
	wantNotContains(t, r, "Naledi", "Mokoena", "naledi@example.org", "1990")
	wantPublicHygiene(t, r)

	// Move it to 10:30, then cancel it.
	r = patient.post(link+"/reschedule", url.Values{"slot": {slotValue(c, "10:30")}, "date": {c.day.String()}})
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "Your appointment is moved.", c.at("10:30").In(zone).Format("Mon 2 Jan 2006, 15:04"))
	if got := e.appointment(p, ap.ID); !got.Start.Equal(c.at("10:30")) {
		t.Fatalf("not moved: %v", got.Start)
	}
	r = patient.post(link+"/cancel", url.Values{"reason": {"Feeling better"}})
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "Your appointment is cancelled.", "This appointment is cancelled.")
	wantNotContains(t, r, "Cancel my appointment")
	if got := e.appointment(p, ap.ID); got.Status != medic.StatusCancelled {
		t.Fatalf("not cancelled: %s", got.Status)
	}

	wantStatus(t, patient.get("/book/manage/not-a-token"), http.StatusNotFound)
	wantStatus(t, patient.get("/book/sunrise/nothing"), http.StatusNotFound)
}

// TestChangeRuleSameOnEverySurface: the done page, the confirmation mail
// and the manage page state one change-and-cancel rule, computed from the
// appointment's start (medic.ChangeRule): open when booked a day ahead,
// closed from the first when booked inside the window (never "closed at"
// a time before the booking was made).
func TestChangeRuleSameOnEverySurface(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.mustPractice("sunrise", "Sunrise")
	p.Phone = "021 555 0100"
	p.Booking.CancellationWindowMinutes = 24 * 60
	if err := e.db.UpdatePractice(tenantCtx(p), p); err != nil {
		t.Fatal(err)
	}
	c := e.onlineClinic(p, "Dr Naidoo")
	for _, tc := range []struct {
		name, hhmm string
		now        time.Time
		open       bool
	}{
		{"a day ahead", "11:00", c.at("07:00").AddDate(0, 0, -1), true},
		{"inside the window", "08:00", c.at("09:30").AddDate(0, 0, -1), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.clock.Set(tc.now)
			start := c.at(tc.hhmm)
			rule := p.Booking.ChangeRule(start, tc.now)
			if rule.Open != tc.open {
				t.Fatalf("rule %+v, want open %v", rule, tc.open)
			}
			want := rule.Sentence(zone)
			email := "rule-" + strings.ReplaceAll(tc.hhmm, ":", "") + "@example.org"
			patient := e.client()
			wantStatus(t, patient.post("/book/sunrise/code", with(details(c, tc.hhmm), "email", email)), http.StatusOK)
			done := patient.post("/book/sunrise/confirm", with(details(c, tc.hhmm), "email", email, "code", e.bookingCode(email)))
			wantStatus(t, done, http.StatusOK)
			wantContains(t, done, "You are booked", want)
			mail := e.mailTo(email, "is booked")
			if !strings.Contains(mail, want) {
				t.Errorf("the confirmation mail does not state %q:\n%s", want, mail)
			}
			manage := patient.get(regexpFind(t, mail, `http://example\.test(/book/manage/[A-Za-z0-9_.~-]+)`))
			wantStatus(t, manage, http.StatusOK)
			wantContains(t, manage, want)
			if tc.open {
				wantContains(t, manage, "Cancel my appointment")
			} else {
				wantContains(t, manage, "please call the practice", "021 555 0100")
				wantNotContains(t, manage, "Cancel my appointment", "closed at")
			}
		})
	}
}

func TestPublicBookingSlotTakenKeepsDetails(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.mustPractice("sunrise", "Sunrise")
	c := e.onlineClinic(p, "Dr Naidoo")
	patient := e.client()
	wantStatus(t, patient.post("/book/sunrise/code", details(c, "09:00")), http.StatusOK)
	code := e.bookingCode("naledi@example.org")

	// Someone else takes 09:00 at the desk meanwhile.
	e.mustBook(p, c, e.mustPatient(p, "Other", "Person", "1970-01-01"), "09:00")
	r := patient.post("/book/sunrise/confirm", with(details(c, "09:00"), "code", code))
	wantStatus(t, r, http.StatusConflict)
	wantContains(t, r, "that time has just been taken", "Open times", `type="hidden" name="given_name" value="Naledi"`,
		`value="`+slotValue(c, "09:30")+`"`, `type="hidden" name="taken"`)
	wantNotContains(t, r, `name="slot" value="`+slotValue(c, "09:00")+`"`)

	// Confirming without choosing a time asks for one; then another time
	// books with the same code (nothing of the failed try was kept).
	r = patient.post("/book/sunrise/confirm", with(details(c, "09:00"), "slot", "", "taken", slotValue(c, "09:00"), "code", code))
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r, "Choose one of the open times.")
	r = patient.post("/book/sunrise/confirm", with(details(c, "09:30"), "taken", slotValue(c, "09:00"), "code", code))
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "You are booked", c.at("09:30").In(zone).Format("15:04"))
}

func TestPublicBookingHoneypotAndLimits(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.mustPractice("sunrise", "Sunrise")
	c := e.onlineClinic(p, "Dr Naidoo")
	bot := e.client()

	// A robot fills in the hidden field: it is told a code went out, and
	// none did; its confirmation is refused.
	r := bot.post("/book/sunrise/code", with(details(c, "09:00"), "website", "http://spam.example"))
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "Check your email")
	if e.bookingCode("naledi@example.org") != "" {
		t.Fatal("the honeypot sent a code")
	}
	r = bot.post("/book/sunrise/confirm", with(details(c, "09:00"), "website", "http://spam.example", "code", "123456"))
	if r.status == http.StatusOK {
		t.Fatal("the honeypot booked")
	}
	if aps, _, _ := e.db.ListAppointments(tenantCtx(p), medic.AppointmentFilter{}, medic.Page{Limit: 10}); len(aps) != 0 {
		t.Fatal("the honeypot booked")
	}

	// Three codes per email per 10 minutes; the fourth is refused on the
	// details form, which keeps the values.
	patient := e.client()
	for range 3 {
		wantStatus(t, patient.post("/book/sunrise/code", details(c, "09:00")), http.StatusOK)
	}
	r = patient.post("/book/sunrise/code", details(c, "09:00"))
	wantStatus(t, r, http.StatusTooManyRequests)
	wantContains(t, r, "Too many codes were asked for", `value="Mokoena"`)
	if r.header.Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
}

func TestPublicBookingClosedAndBranding(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.mustPractice("sunrise", "Sunrise")
	e.mustMember(p, e.mustUser("admin@sunrise.example", "Admin"), "admin")
	e.onlineClinic(p, "Dr Naidoo")
	admin := e.signIn("admin@sunrise.example")
	form := url.Values{"name": {"Sunrise"}, "type": {"clinic"}, "time_zone": {"Africa/Johannesburg"}, "primary_color": {"#ffee00"},
		"accent_color": {"#e0872b"}, "lead_time_minutes": {"60"}, "cancellation_window_minutes": {"1440"}, "buffer_minutes": {"0"},
		"reminder_minutes": {"1440"}, "notify_email": {"not an email"}, "allowed_origins": {"https://www.sunrise.example\nftp://x"}}
	r := admin.post("/settings", form)
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r, "Enter a valid email address.", "https://www.sunrise.example\nftp://x")
	r = admin.post("/settings", with(form, "notify_email", "bookings@sunrise.example", "allowed_origins", "https://www.sunrise.example\r\n\r\nhttps://book.sunrise.example"))
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "Changes saved.", `value="bookings@sunrise.example"`, "https://www.sunrise.example\nhttps://book.sunrise.example")

	// The public page links its colours as a stylesheet; a pale primary is
	// darkened until white text on it is readable.
	page := e.client().get("/book/sunrise")
	css := regexpFind(t, page.body, `<link rel="stylesheet" href="(/book/sunrise/theme\.css\?v=[0-9a-f]+)">`)
	r = e.client().get(css)
	wantStatus(t, r, http.StatusOK)
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/css") {
		t.Errorf("theme Content-Type %q", ct)
	}
	wantContains(t, r, "--brand:#", ".public-bar{border-bottom-color:#e0872b}")
	wantNotContains(t, r, "--brand:#ffee00")

	// No type online: the page says booking opens soon.
	ts, _ := e.db.ListAppointmentTypes(tenantCtx(p))
	for _, ty := range ts {
		ty.OnlineBookable = false
		if err := e.db.UpdateAppointmentType(tenantCtx(p), ty); err != nil {
			t.Fatal(err)
		}
	}
	wantContains(t, e.client().get("/book/sunrise"), "Online booking opens soon")
}

// The public forms take at most 16 KiB, as the public JSON API: a larger
// post is a 413 page, never a 500, and nothing is sent or booked.
func TestPublicBookingFormsAreSmall(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.mustPractice("sunrise", "Sunrise")
	c := e.onlineClinic(p, "Dr Naidoo")
	patient := e.client()
	big := with(details(c, "09:00"), "reason", strings.Repeat("x", 20<<10))
	for _, path := range []string{"/book/sunrise/details", "/book/sunrise/code", "/book/sunrise/confirm",
		"/book/manage/not-a-token/cancel", "/book/manage/not-a-token/reschedule"} {
		r := patient.post(path, big)
		wantStatus(t, r, http.StatusRequestEntityTooLarge)
		wantContains(t, r, "The form is too large to send.")
		wantNotContains(t, r, "Something went wrong")
	}
	if e.bookingCode("naledi@example.org") != "" {
		t.Error("a code was sent for a form that was too large")
	}
	// A form under the limit still goes through.
	wantStatus(t, patient.post("/book/sunrise/code", with(details(c, "09:00"), "reason", strings.Repeat("x", 400))), http.StatusOK)
}

// Error pages on the public booking routes (404, 413, 503) use the public
// layout, also for a visitor signed in to the desk on the same browser;
// desk routes keep the desk's error page.
func TestPublicErrorPagesUsePublicLayout(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.mustPractice("sunrise", "Sunrise Family Practice")
	e.mustMember(p, e.mustUser("admin@sunrise.example", "Admin"), "admin")
	c := e.onlineClinic(p, "Dr Naidoo")
	desk := e.signIn("admin@sunrise.example")

	for _, v := range []*client{e.client(), desk} {
		for _, path := range []string{"/book/nowhere", "/book", "/book/sunrise/nothing", "/book/manage/not-a-token", "/book/a/b/c"} {
			r := v.get(path)
			wantStatus(t, r, http.StatusNotFound)
			wantPublicHygiene(t, r)
			wantContains(t, r, "Page not found", `class="public-bar"`, `<meta name="robots" content="noindex">`)
			wantNotContains(t, r, "Sign out", "Sign in", "Go to the dashboard", "Audit log")
		}
	}

	// A form too large: the 413 page in the practice's own frame.
	r := e.client().post("/book/sunrise/code", with(details(c, "09:00"), "reason", strings.Repeat("x", 20<<10)))
	wantStatus(t, r, http.StatusRequestEntityTooLarge)
	wantPublicHygiene(t, r)
	wantContains(t, r, "The form is too large to send.", `class="public-name" href="/book/sunrise">Sunrise Family Practice</a>`)

	// The desk's own 404 keeps the desk layout.
	r = desk.get("/no-such-desk-page")
	wantStatus(t, r, http.StatusNotFound)
	wantContains(t, r, `class="mainnav"`, "Go to the dashboard")
	wantNotContains(t, r, `class="public-bar"`)

	// A suspended practice: 503, public layout, whoever asks.
	if err := e.db.SetPracticeStatus(context.Background(), p.ID, medic.PracticeSuspended); err != nil {
		t.Fatal(err)
	}
	for _, v := range []*client{e.client(), desk} {
		r := v.get("/book/sunrise")
		wantStatus(t, r, http.StatusServiceUnavailable)
		wantPublicHygiene(t, r)
		wantContains(t, r, "This practice is not available at the moment.", `class="public-bar"`)
		wantNotContains(t, r, "Sign out", "Sign in")
	}
}
