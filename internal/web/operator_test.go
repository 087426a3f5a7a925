package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"
)

func TestOperatorConsole(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.mustPractice("sunrise", "Sunrise")
	e.mustMember(p, e.mustUser("admin@sunrise.example", "Admin"), "admin")
	e.mustLocation(p, "Main")
	e.mustOperator("op@example.org")

	admin := e.signIn("admin@sunrise.example")
	wantStatus(t, admin.get("/operator"), http.StatusNotFound)
	wantStatus(t, admin.post("/operator/practices", url.Values{"name": {"X"}}), http.StatusNotFound)
	wantNotContains(t, admin.get("/"), `href="/operator"`)

	op := e.signIn("op@example.org")
	r := op.get("/operator")
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "Sunrise", "/sunrise", "Register a practice")

	r = op.post("/operator/practices", url.Values{"name": {"Harbour"}, "slug": {"Not A Slug!"}, "type": {"clinic"}, "time_zone": {"Mars/Base"}, "admin_email": {"x"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r, "Use 1-40 lowercase letters", "Choose a time zone of the tz database", "first admin", `value="Harbour"`)
	r = op.post("/operator/practices", url.Values{"name": {"Harbour"}, "slug": {"sunrise"}, "type": {"clinic"}, "time_zone": {"UTC"}, "admin_email": {"boss@harbour.example"}})
	wantStatus(t, r, http.StatusConflict)
	wantContains(t, r, "is taken")
	r = op.post("/operator/practices", url.Values{"name": {"Harbour"}, "slug": {"harbour"}, "type": {"hospital"}, "time_zone": {"UTC"}, "admin_email": {"boss@harbour.example"}})
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "Practice created", "Harbour", "/harbour")
	e.lastMailLink("boss@harbour.example")

	// Suspend Sunrise: its members get the suspended page and its public
	// page is unavailable.
	id := regexp.MustCompile(`/operator/practices/(` + p.ID + `)/status`).FindStringSubmatch(r.body)
	if id == nil {
		t.Fatal("no status form for Sunrise")
	}
	r = op.post("/operator/practices/"+p.ID+"/status", url.Values{"status": {"suspended"}})
	wantContains(t, r, "Practice status changed.", "Suspended", "Reactivate")
	wantStatus(t, admin.get("/"), http.StatusForbidden)
	wantStatus(t, e.client().get("/book/sunrise"), http.StatusServiceUnavailable)
	op.post("/operator/practices/"+p.ID+"/status", url.Values{"status": {"active"}})
	wantStatus(t, admin.get("/"), http.StatusOK)
}
