package server_test

import (
	"net/http"
	"strings"
	"testing"

	"medic"
	"medic/internal/server/servertest"
)

func TestMedicinesList(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	d := newDesk(t, env, "sunrise")
	admin, doctor := d.c[medic.RoleAdmin], d.c[medic.RoleDoctor]

	// A doctor finds the starter medicines by a part of the name or an ingredient.
	got := want(t, doctor.Do("GET", d.base+"/medicines?q=clav", nil), http.StatusOK).Items()
	if len(got) == 0 {
		t.Fatal("no medicine with clavulanic acid in the starter set")
	}
	for _, m := range got {
		if !strings.Contains(strings.ToLower(m["label"].(string)), "amoxicillin/clavulanic acid") || m["schedule"] != "S4" || m["atc"] != "J01CR02" {
			t.Errorf("search clav found %v", m)
		}
	}

	// An admin adds one; a mistake is named field by field and adds nothing.
	bad := want(t, admin.Do("POST", d.base+"/medicines", map[string]any{"name": "Tonic", "schedule": "S9", "atc": "tonic"}), http.StatusUnprocessableEntity)
	for _, f := range []string{"ingredients", "schedule", "atc"} {
		if bad.Str("errors."+f) == "" {
			t.Errorf("no error on %s: %s", f, bad)
		}
	}
	if n := len(want(t, admin.Do("GET", d.base+"/medicines?q=tonic&inactive=1", nil), http.StatusOK).Items()); n != 0 {
		t.Fatalf("a refused medicine was saved (%d)", n)
	}
	m := want(t, admin.Do("POST", d.base+"/medicines", map[string]any{"name": "Rooibos tonic", "ingredients": []string{"Aspalathin"},
		"strength": "10 mg", "form": "tablet", "route": "oral", "schedule": "s0"}), http.StatusCreated)
	if m.Str("source") != "manual" || m.Str("schedule") != "S0" || m.Get("ingredients").([]any)[0] != "aspalathin" {
		t.Errorf("created %s", m)
	}
	want(t, admin.Do("POST", d.base+"/medicines", map[string]any{"name": "Rooibos tonic", "ingredients": []string{"aspalathin"},
		"strength": "10 mg", "form": "tablet", "schedule": "S0"}), http.StatusConflict)
	// Made inactive: out of the picker.
	want(t, admin.Do("PUT", d.base+"/medicines/"+m.Str("id"), map[string]any{"name": "Rooibos tonic", "ingredients": []string{"aspalathin"},
		"strength": "10 mg", "form": "tablet", "schedule": "S0", "active": false}), http.StatusOK)
	if n := len(want(t, doctor.Do("GET", d.base+"/medicines?q=rooibos", nil), http.StatusOK).Items()); n != 0 {
		t.Errorf("an inactive medicine is offered (%d)", n)
	}

	// A CSV import takes the good rows and reports the others by line.
	csv := "Product name,Active ingredients,Schedule,Strength,Dosage form\n" +
		"Buchu drops,buchu,S0,5%,drops\n" +
		"Nameless,,S0,1 mg,tablet\n" +
		"Rooibos tonic,aspalathin,S1,10 mg,tablet\n"
	rep := want(t, admin.DoHeader("POST", d.base+"/medicines/import", csv, map[string]string{"Content-Type": "text/csv"}), http.StatusOK)
	if rep.Get("added") != 1.0 || rep.Get("updated") != 1.0 || rep.Str("rejected.0.name") != "Nameless" || rep.Get("rejected.0.line") != 3.0 ||
		!strings.Contains(rep.Str("rejected.0.reason"), "ingredient") {
		t.Errorf("import report %s", rep)
	}
	if got := want(t, doctor.Do("GET", d.base+"/medicines?q=rooibos", nil), http.StatusOK).Items(); len(got) != 1 || got[0]["schedule"] != "S1" {
		t.Errorf("the import did not update and reactivate the tonic: %v", got)
	}
	wantProblem(t, admin.DoHeader("POST", d.base+"/medicines/import", "name,strength\nX,1 mg\n", map[string]string{"Content-Type": "text/csv"}), http.StatusUnprocessableEntity)

	// Every change is in the practice's audit log.
	events := want(t, admin.Do("GET", d.base+"/audit-events?limit=200", nil), http.StatusOK).Items()
	seen := map[string]int{}
	for _, e := range events {
		if a, _ := e["action"].(string); strings.HasPrefix(a, "medicine.") {
			seen[a]++
		}
	}
	if seen["medicine.created"] != 1 || seen["medicine.updated"] != 1 || seen["medicine.imported"] != 1 {
		t.Errorf("audit events %v", seen)
	}
}
