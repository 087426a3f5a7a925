package web_test

import (
	"net/http"
	"net/url"
	"testing"
)

func TestLocationOfAnotherPracticeIs404(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.mustPractice("alpha", "Alpha")
	b := e.mustPractice("beta", "Beta")
	e.mustMember(a, e.mustUser("admin@alpha.example", "Admin A"), "admin")
	theirs := e.mustLocation(b, "Beta Secret Site")
	c := e.signIn("admin@alpha.example")

	missing := c.get("/locations/00000000-0000-4000-8000-000000000000")
	wantStatus(t, missing, http.StatusNotFound)
	foreign := c.get("/locations/" + theirs.ID)
	wantStatus(t, foreign, http.StatusNotFound)
	wantNotContains(t, foreign, "Beta Secret Site")
	if foreign.body != missing.body {
		t.Errorf("the 404 for another practice's location differs from a missing one")
	}
	wantStatus(t, c.post("/locations/"+theirs.ID, url.Values{"name": {"Hijacked"}}), http.StatusNotFound)
	wantStatus(t, c.post("/locations/"+theirs.ID+"/delete", nil), http.StatusNotFound)
	if e.locationCount(b) != 1 {
		t.Fatal("another practice's location was deleted")
	}
	wantNotContains(t, c.get("/locations"), "Beta Secret Site")
}

func TestLocationFormKeepsValuesOnError(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.mustPractice("sunrise", "Sunrise")
	e.mustMember(p, e.mustUser("admin@sunrise.example", "Admin"), "admin")
	c := e.signIn("admin@sunrise.example")

	r := c.post("/locations/new", url.Values{"name": {"Main Street"}, "email": {"not-an-email"}, "phone": {"021 555 0100"},
		"open_mon": {"08:00"}, "close_mon": {"17:00"}, "open_tue": {"09:00"}, "latitude": {"abc"}, "active": {"on"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r, "Enter a valid email address.", `value="Main Street"`, `value="not-an-email"`, `value="08:00"`,
		"Give both the opening and the closing time", "Enter a number such as -33.9249.", `aria-invalid="true"`)
	if n := e.locationCount(p); n != 0 {
		t.Fatalf("%d locations saved from an invalid form", n)
	}

	// Fixed, it saves and shows in the list.
	r = c.post("/locations/new", url.Values{"name": {"Main Street"}, "email": {"main@sunrise.example"}, "phone": {"021 555 0100"},
		"open_mon": {"08:00"}, "close_mon": {"17:00"}, "latitude": {"-33.92"}, "longitude": {"18.42"}, "active": {"on"}})
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "Location added.", "Main Street", "08:00-17:00")
	if e.locationCount(p) != 1 {
		t.Fatal("location not saved")
	}

	// Edit: the form comes back filled; a bad span is refused.
	id := regexpFind(t, r.body, `href="/locations/([0-9a-f-]{36})"`)
	edit := c.get("/locations/" + id)
	wantStatus(t, edit, http.StatusOK)
	wantContains(t, edit, `value="main@sunrise.example"`, `value="&#43;27215550100"`, `value="-33.92"`, `Delete location`)
	r = c.post("/locations/"+id, url.Values{"name": {"Main Street"}, "open_mon": {"17:00"}, "close_mon": {"08:00"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r, "Use HH:MM-HH:MM with the start before the end.")
	r = c.post("/locations/"+id, url.Values{"name": {"Main Street North"}, "open_sat": {"09:00"}, "close_sat": {"12:00"}})
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "Location saved.", "Main Street North", "09:00-12:00", "Inactive")

	// A nurse reads it but has no form.
	e.mustMember(p, e.mustUser("nurse@sunrise.example", "Nurse"), "nurse")
	n := e.signIn("nurse@sunrise.example")
	view := n.get("/locations/" + id)
	wantStatus(t, view, http.StatusOK)
	wantContains(t, view, "Main Street North", "Saturday")
	wantNotContains(t, view, "<form method=\"post\" action=\"/locations/", "Delete location")
	wantStatus(t, n.post("/locations/"+id+"/delete", nil), http.StatusForbidden)

	r = c.post("/locations/"+id+"/delete", nil)
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "Location deleted.")
	if e.locationCount(p) != 0 {
		t.Fatal("location not deleted")
	}
}
