package web_test

import (
	"net/http"
	"net/url"
	"testing"
)

// uploadCSV posts a multipart form with one file field "file".
func (c *client) uploadCSV(path, csv string) page {
	c.e.t.Helper()
	return c.uploadFile(path, "file", "medicines.csv", []byte(csv))
}

func TestMedicinesPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.mustPractice("sunrise", "Sunrise")
	e.mustMember(p, e.mustUser("admin@sunrise.example", "Admin"), "admin")
	e.mustMember(p, e.mustUser("doc@sunrise.example", "Doc"), "doctor")
	e.mustMember(p, e.mustUser("desk@sunrise.example", "Desk"), "receptionist")
	admin, doc := e.signIn("admin@sunrise.example"), e.signIn("doc@sunrise.example")

	// A doctor searches the starter list; no admin actions are offered.
	r := doc.get("/medicines?q=clav")
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "Amoxicillin/clavulanic acid 875 mg/125 mg tablet", "clavulanic acid", "J01CR02")
	wantNotContains(t, r, "Paracetamol 500 mg", "Add medicine", "Import a list")
	// Reception has no use for it.
	wantStatus(t, e.signIn("desk@sunrise.example").get("/medicines"), http.StatusForbidden)

	// An admin's mistakes come back named, with what was typed, and nothing is saved.
	r = admin.post("/medicines/new", url.Values{"name": {"Rooibos tonic"}, "schedule": {"S9"}, "unit_mg": {"lots"}, "strength": {"10 mg"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r, "Name at least one active ingredient.", "Choose a schedule from S0 to S6.", "Enter the mg in one dose unit", `value="Rooibos tonic"`, `value="10 mg"`)
	wantContains(t, admin.get("/medicines?q=rooibos&inactive=1"), "No medicine matches.")
	r = admin.post("/medicines/new", url.Values{"name": {"Rooibos tonic"}, "ingredients": {"aspalathin"}, "schedule": {"S0"}, "strength": {"10 mg"}, "form": {"tablet"}, "active": {"on"}})
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "Medicine added.")
	wantContains(t, doc.get("/medicines?q=rooibos"), "Rooibos tonic 10 mg tablet", "aspalathin")

	// A CSV import reports what it did and every rejected row by line.
	r = admin.uploadCSV("/medicines/import", "name,ingredients,schedule,strength,form\nBuchu drops,buchu,S0,5%,drops\n,nothing,S0,1 mg,tablet\nOdd,odd,S8,1 mg,tablet\n")
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "1 added, 0 updated, 2 rejected.", "<td>3</td>", "Enter the medicine&#39;s generic name.", "<td>4</td>", "Choose a schedule from S0 to S6.")
	wantContains(t, doc.get("/medicines?q=buchu"), "Buchu drops 5% drops")
	r = admin.uploadCSV("/medicines/import", "name,strength\nX,1 mg\n")
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r, "The header row has no")
	wantStatus(t, doc.uploadCSV("/medicines/import", "name,ingredients,schedule\nX,x,S0\n"), http.StatusForbidden)
}
