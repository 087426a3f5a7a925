package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"medic"
)

func TestMembersListsOnlyCurrentPractice(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.mustPractice("alpha", "Alpha Clinic")
	b := e.mustPractice("beta", "Beta Clinic")
	admin := e.mustUser("admin@alpha.example", "Alpha Admin")
	e.mustMember(a, admin, "admin")
	e.mustMember(a, e.mustUser("nurse@alpha.example", "Alpha Nurse"), "nurse")
	e.mustMember(b, e.mustUser("doc@beta.example", "Beta Doctor"), "admin")

	c := e.signIn("admin@alpha.example")
	r := c.get("/members")
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "admin@alpha.example", "nurse@alpha.example", "Alpha Nurse", "Change role", "Invite someone")
	wantNotContains(t, r, "doc@beta.example", "Beta Doctor")

	// A nurse sees the list but not the admin controls.
	n := e.signIn("nurse@alpha.example")
	r = n.get("/members")
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "admin@alpha.example")
	wantNotContains(t, r, "Change role", "Invite someone", "Deactivate")
}

func TestSwitchPracticeRotatesSession(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.mustPractice("alpha", "Alpha Clinic")
	b := e.mustPractice("beta", "Beta Clinic")
	both := e.mustUser("both@example.org", "Both")
	e.mustMember(a, both, "doctor")
	e.mustMember(b, both, "admin")
	e.mustMember(b, e.mustUser("other@beta.example", "Beta Other"), "nurse")

	c := e.signIn("both@example.org")
	dash := c.get("/")
	wantContains(t, dash, "Alpha Clinic", "Doctor")
	wantNotContains(t, dash, `href="/settings"`)
	wantContains(t, dash, `<option value="`+b.ID+`">Beta Clinic</option>`)
	before := c.sessionCookie()

	r := c.postNoFollow("/switch", url.Values{"practice": {b.ID}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("switch: %d\n%s", r.status, r.body)
	}
	after := c.sessionCookie()
	if after == "" || after == before {
		t.Fatalf("switching kept the session token (%q -> %q)", before, after)
	}
	dash = c.get("/")
	wantContains(t, dash, "<h1>Beta Clinic</h1>", "Administrator", `href="/settings"`, `<option value="`+b.ID+`" selected>`)
	wantContains(t, c.get("/members"), "other@beta.example")

	// The old token is dead.
	old := e.client()
	u, _ := url.Parse(e.srv.URL)
	old.http.Jar.SetCookies(u, []*http.Cookie{{Name: "medic_session", Value: before}})
	if r := old.getNoFollow("/"); r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/login") {
		t.Fatalf("old token still works: %d %q", r.status, r.location)
	}

	// A practice the user does not belong to is a 404.
	outsider := e.mustPractice("gamma", "Gamma")
	r = c.post("/switch", url.Values{"practice": {outsider.ID}})
	wantStatus(t, r, http.StatusNotFound)
}

func TestNonAdminCannotChangeSettings(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.mustPractice("sunrise", "Sunrise")
	e.mustMember(p, e.mustUser("doc@sunrise.example", "Doc"), "doctor")
	c := e.signIn("doc@sunrise.example")

	r := c.post("/settings", url.Values{"name": {"Taken Over"}, "type": {"clinic"}, "time_zone": {"Africa/Johannesburg"},
		"lead_time_minutes": {"60"}, "cancellation_window_minutes": {"60"}, "buffer_minutes": {"0"}, "reminder_minutes": {"60"}})
	wantStatus(t, r, http.StatusForbidden)
	wantContains(t, r, "Your role does not allow this.")
	wantStatus(t, c.get("/settings"), http.StatusForbidden)
	wantStatus(t, c.post("/locations/new", url.Values{"name": {"X"}}), http.StatusForbidden)
	wantStatus(t, c.get("/audit"), http.StatusForbidden)
	got, err := e.db.FindPracticeByRef(context.Background(), p.ID)
	if err != nil || got.Name != "Sunrise" {
		t.Fatalf("practice changed by a doctor: %v %+v", err, got)
	}
}

func TestAdminSavesSettings(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.mustPractice("sunrise", "Sunrise")
	e.mustMember(p, e.mustUser("admin@sunrise.example", "Admin"), "admin")
	c := e.signIn("admin@sunrise.example")

	form := c.get("/settings")
	wantStatus(t, form, http.StatusOK)
	wantContains(t, form, `value="Sunrise"`, `name="require_2fa"`, `enctype="multipart/form-data"`)

	good := url.Values{"name": {"Sunrise Medical"}, "type": {"clinic"}, "time_zone": {"Africa/Johannesburg"},
		"primary_color": {"#1a6fb0"}, "letterhead_text": {"Dr A. Admin\nMBChB"},
		"lead_time_minutes": {"30"}, "cancellation_window_minutes": {"120"}, "buffer_minutes": {"5"}, "reminder_minutes": {"1440"}}
	bad := url.Values{}
	for k, v := range good {
		bad[k] = v
	}
	bad.Set("primary_color", "blue")
	bad.Set("buffer_minutes", "five")
	r := c.post("/settings", bad)
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r, "Use a colour like #1a6fb0.", "Enter a whole number of minutes.", `value="blue"`, `value="Sunrise Medical"`)
	if got, _ := e.db.FindPracticeByRef(context.Background(), p.ID); got.Name != "Sunrise" {
		t.Fatal("invalid settings were saved")
	}

	r = c.post("/settings", good)
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "Changes saved.", `value="Sunrise Medical"`)
	got, _ := e.db.FindPracticeByRef(context.Background(), p.ID)
	if got.Name != "Sunrise Medical" || got.Booking.BufferMinutes != 5 || got.Branding.PrimaryColor != "#1a6fb0" {
		t.Fatalf("settings not saved: %+v", got)
	}
}

func TestRequire2FASendsToAccount(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := &medic.Practice{Slug: "strict", Name: "Strict Clinic", Type: medic.PracticeClinic, TimeZone: "UTC", Require2FA: true}
	if err := e.db.CreatePractice(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	e.mustMember(p, e.mustUser("doc@strict.example", "Doc"), "doctor")
	c := e.signIn("doc@strict.example")
	r := c.getNoFollow("/")
	if r.status != http.StatusSeeOther || r.location != "/account?m=2fa-required" {
		t.Fatalf("/ without 2FA: %d %q", r.status, r.location)
	}
	acc := c.get("/members")
	wantStatus(t, acc, http.StatusOK)
	if acc.url != "/account?m=2fa-required" {
		t.Fatalf("ended at %s", acc.url)
	}
	wantContains(t, acc, "requires two-factor sign-in", "Set up two-factor sign-in")
}

func TestSuspendedPracticeShowsSuspendedPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.mustPractice("paused", "Paused Clinic")
	e.mustMember(p, e.mustUser("doc@paused.example", "Doc"), "doctor")
	c := e.signIn("doc@paused.example")
	if err := e.db.SetPracticeStatus(context.Background(), p.ID, medic.PracticeSuspended); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/", "/members", "/locations"} {
		r := c.get(path)
		wantStatus(t, r, http.StatusForbidden)
		wantContains(t, r, "Practice suspended", "suspended")
	}
}

func TestNoPracticePage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.mustUser("lonely@example.org", "Lonely")
	e.mustOperator("op@example.org")
	r := e.signIn("lonely@example.org").get("/")
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "not a member of a practice")
	wantNotContains(t, r, `href="/operator"`)
	// The operator lands on the operator console, from sign-in and from /.
	op := e.signIn("op@example.org")
	for _, r := range []page{op.get("/"), op.post("/login", url.Values{"email": {"op@example.org"}, "password": {testPassword}})} {
		wantStatus(t, r, http.StatusOK)
		if r.url != "/operator" {
			t.Fatalf("the operator is at %s, not the console", r.url)
		}
		wantContains(t, r, "Register a practice")
	}
}

func TestTopBarMenuAndSwitcher(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	sunrise, harbour := e.mustPractice("sunrise", "Sunrise"), e.mustPractice("harbour", "Harbour")
	e.mustMember(sunrise, e.mustUser("admin@sunrise.example", "Admin"), "admin")
	e.mustMember(sunrise, e.mustUser("desk@sunrise.example", "Desk"), "receptionist")
	both := e.mustUser("both@example.org", "Both")
	e.mustMember(sunrise, both, "doctor")
	e.mustMember(harbour, both, "admin")

	menu := func(t *testing.T, r page) string {
		t.Helper()
		return regexpFind(t, r.body, `(?s)<li class="nav-menu">(.*?)</details>`)
	}
	admin := e.signIn("admin@sunrise.example").get("/settings")
	wantStatus(t, admin, http.StatusOK)
	m := menu(t, admin)
	for _, link := range []string{`href="/practitioners"`, `href="/schedules"`, `href="/appointment-types"`, `href="/locations"`, `href="/members"`, `href="/settings" aria-current="page"`, `href="/outbox"`, `href="/audit"`} {
		if !strings.Contains(m, link) {
			t.Errorf("the admin's menu lacks %s:\n%s", link, m)
		}
	}
	wantContains(t, admin, `<summary class="current">Practice</summary>`)
	bar := strings.Replace(admin.body, m, "", 1)
	if strings.Contains(bar, `href="/settings"`) || strings.Contains(bar, `href="/audit"`) {
		t.Error("admin links outside the menu")
	}
	wantNotContains(t, admin, `id="switch-practice"`) // one practice: nothing to switch to

	desk := e.signIn("desk@sunrise.example").get("/today")
	m = menu(t, desk)
	if !strings.Contains(m, `href="/locations"`) || !strings.Contains(m, `href="/members"`) || strings.Contains(m, `href="/settings"`) || strings.Contains(m, `href="/audit"`) {
		t.Errorf("the receptionist's menu:\n%s", m)
	}
	wantContains(t, desk, `href="/today" aria-current="page"`, `href="/patients"`)
	wantNotContains(t, desk, `<summary class="current">`)

	wantContains(t, e.signIn("both@example.org").get("/"), `id="switch-practice"`, "Sunrise", "Harbour")
}

func TestAuditPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.mustPractice("sunrise", "Sunrise")
	e.mustMember(p, e.mustUser("admin@sunrise.example", "Admin"), "admin")
	c := e.signIn("admin@sunrise.example")
	c.post("/locations/new", url.Values{"name": {"Main"}, "active": {"on"}})

	r := c.get("/audit")
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "auth.login", "location.created")
	r = c.get("/audit?action=location.")
	wantContains(t, r, "location.created")
	wantNotContains(t, r, "<code>auth.login</code>")
	r = c.get("/audit?outcome=failure")
	wantContains(t, r, "No events match these filters.")
	r = c.get("/audit?from=2020-13-01")
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r, "Enter a date as YYYY-MM-DD.")
	r = c.get("/audit?from=2999-01-01")
	wantContains(t, r, "No events match")
}

func TestSettingsOfferZonesAndColourInputs(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.mustPractice("sunrise", "Sunrise")
	e.mustMember(p, e.mustUser("admin@sunrise.example", "Admin"), "admin")
	r := e.signIn("admin@sunrise.example").get("/settings")
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, `list="tz-list"`, `<option value="America/Argentina/Buenos_Aires">`, `<option value="Pacific/Auckland">`,
		`name="primary_color" type="color" value="#1a6fb0"`, `name="accent_color" type="color" value="#e0872b"`)
}

func TestAuditLogReadsAsSentences(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.mustPractice("sunrise", "Sunrise")
	e.mustMember(p, e.mustUser("admin@sunrise.example", "Ada Admin"), "admin")
	nomsa := e.mustUser("desk@sunrise.example", "Nomsa Dlamini")
	e.mustMember(p, nomsa, "receptionist")
	thabo := e.mustPatient(p, "Thabo", "Mokoena", "1985-07-14")
	lerato := e.mustPatient(p, "Lerato", "Khumalo", "1992-03-02")
	desk := e.signIn("desk@sunrise.example")
	wantStatus(t, desk.get("/patients/"+thabo.ID), http.StatusOK)
	wantStatus(t, desk.get("/patients/"+lerato.ID), http.StatusOK)

	admin := e.signIn("admin@sunrise.example")
	r := admin.get("/audit")
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "Nomsa Dlamini (receptionist) opened the chart of Thabo Mokoena", "Nomsa Dlamini (receptionist) signed in",
		`<option value="`+nomsa.ID+`">Nomsa Dlamini (Receptionist)</option>`)
	// By person and by patient; the ids stay out of the sentences.
	r = admin.get("/audit?person=" + nomsa.ID + "&patient=" + thabo.ID)
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "Only events about <strong>Thabo Mokoena</strong>", "opened the chart of Thabo Mokoena")
	wantNotContains(t, r, "opened the chart of Lerato Khumalo", "Ada Admin (administrator) signed in")
	// Reading names in the log is itself recorded, naming the charts.
	es, _, err := e.db.ListAuditEvents(tenantCtx(p), medic.AuditFilter{Action: "audit.viewed", PatientID: thabo.ID}, medic.Page{Limit: 10})
	if err != nil || len(es) == 0 {
		t.Fatalf("audit.viewed naming the chart: %v, %v", es, err)
	}
}
