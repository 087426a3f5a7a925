package postgres_test

import (
	"slices"
	"strings"
	"testing"

	"medic"
	"medic/internal/postgres/pgtest"
)

func TestMedicineStarterSet(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := asPractice(t.Context(), mustCreatePractice(t, db, "starter-meds"))

	all, next, err := db.ListMedicines(ctx, medic.MedicineFilter{}, medic.Page{Limit: medic.MaxLimit})
	for next != "" && err == nil {
		var more []*medic.Medicine
		more, next, err = db.ListMedicines(ctx, medic.MedicineFilter{}, medic.Page{Limit: medic.MaxLimit, Cursor: next})
		all = append(all, more...)
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < 150 {
		t.Fatalf("a new practice starts with %d medicines, the issue asks for at least 150", len(all))
	}
	ingredients := map[string]bool{}
	seen := map[string]bool{}
	for _, m := range all {
		if seen[m.ID] {
			t.Fatalf("paging returned %s twice", m.Label())
		}
		seen[m.ID] = true
		copy := *m
		if err := copy.Validate(); err != nil {
			t.Errorf("starter %s does not validate: %v", m.Label(), err)
		}
		if m.Source != medic.MedicineStarter || !m.Active || m.ATC == "" || m.Strength == "" || m.Form == "" || m.Route == "" {
			t.Errorf("starter %s is incomplete: %+v", m.Label(), m)
		}
		if m.PaedMaxMgKgDay > 0 && m.UnitMg <= 0 {
			t.Errorf("starter %s has a paediatric maximum but no mg per %s, so its dose cannot be checked", m.Label(), m.DoseUnit)
		}
		for _, in := range m.Ingredients {
			ingredients[in] = true
		}
	}
	for _, in := range medic.InteractionIngredients() {
		if !ingredients[in] {
			t.Errorf("the interaction table names %q, which no starter medicine contains", in)
		}
	}
	for i := 1; i < len(all); i++ {
		if a, b := all[i-1], all[i]; slices.Compare([]string{strings.ToLower(a.Name), a.Strength}, []string{strings.ToLower(b.Name), b.Strength}) > 0 {
			t.Errorf("not in name order: %s before %s", a.Label(), b.Label())
		}
	}
}

func TestMedicineStore(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	a := asPractice(t.Context(), mustCreatePractice(t, db, "meds-a"))
	b := asPractice(t.Context(), mustCreatePractice(t, db, "meds-b"))

	// Search by a part of the name or of an ingredient.
	got, _, err := db.ListMedicines(a, medic.MedicineFilter{Query: "CLAV"}, medic.Page{})
	if err != nil || len(got) == 0 {
		t.Fatalf("search clav: %v %v", got, err)
	}
	for _, m := range got {
		if !m.HasIngredient("clavulanic acid") {
			t.Errorf("search clav found %s", m.Label())
		}
	}
	if got, _, _ := db.ListMedicines(a, medic.MedicineFilter{Query: "100%_"}, medic.Page{}); len(got) != 0 {
		t.Errorf("LIKE wildcards in a query matched %d medicines", len(got))
	}

	// A practice's own entry: practice B never sees it.
	m := &medic.Medicine{Name: "Zzyzx tonic", Ingredients: []string{"zzyzx"}, Schedule: "S0", Strength: "10 mg", Form: "tablet", Active: true}
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateMedicine(a, m); err != nil || m.ID == "" {
		t.Fatalf("create: %v", err)
	}
	dup := *m
	if err := db.CreateMedicine(a, &dup); medic.ErrorCode(err) != medic.ECONFLICT {
		t.Errorf("same name, strength and form again: %v", err)
	}
	if _, err := db.FindMedicine(b, m.ID); medic.ErrorCode(err) != medic.ENOTFOUND {
		t.Errorf("practice B reads A's medicine: %v", err)
	}
	if got, _, _ := db.ListMedicines(b, medic.MedicineFilter{Query: "zzyzx"}, medic.Page{}); len(got) != 0 {
		t.Errorf("practice B lists A's medicine: %v", got)
	}
	m.Name = "Hijacked"
	if err := db.UpdateMedicine(b, m); medic.ErrorCode(err) != medic.ENOTFOUND {
		t.Errorf("practice B updates A's medicine: %v", err)
	}

	// Made inactive: gone from the picker, still found by id.
	m.Name, m.Active = "Zzyzx tonic", false
	if err := db.UpdateMedicine(a, m); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := db.ListMedicines(a, medic.MedicineFilter{Query: "zzyzx"}, medic.Page{}); len(got) != 0 {
		t.Errorf("an inactive medicine is listed: %v", got)
	}
	if got, _, _ := db.ListMedicines(a, medic.MedicineFilter{Query: "zzyzx", WithInactive: true}, medic.Page{}); len(got) != 1 {
		t.Errorf("with inactive: %v", got)
	}
	if found, err := db.FindMedicines(a, []string{m.ID, got[0].ID}); err != nil || len(found) != 2 || found[0].Active {
		t.Errorf("find by ids: %v %v", found, err)
	}
	if _, err := db.FindMedicines(a, []string{m.ID, "not-an-id"}); medic.ErrorCode(err) != medic.ENOTFOUND {
		t.Errorf("a bad id among ids: %v", err)
	}

	// Import: a new row is added, a known one (name, strength, form) updated and reactivated.
	rows := []*medic.Medicine{
		{Name: "Zzyzx tonic", Ingredients: []string{"zzyzx"}, Schedule: "S1", Strength: "10 mg", Form: "tablet", Source: medic.MedicineImport},
		{Name: "Quuxamol", Ingredients: []string{"quuxamol"}, Schedule: "S2", Strength: "5 mg", Form: "tablet", Source: medic.MedicineImport},
	}
	added, updated, err := db.ImportMedicines(a, rows)
	if err != nil || added != 1 || updated != 1 {
		t.Fatalf("import: added %d updated %d %v", added, updated, err)
	}
	if again, _ := db.FindMedicine(a, m.ID); !again.Active || again.Schedule != "S1" || rows[0].ID != m.ID {
		t.Errorf("after import: %+v", again)
	}
	if got, _, _ := db.ListMedicines(b, medic.MedicineFilter{Query: "quux"}, medic.Page{}); len(got) != 0 {
		t.Errorf("practice B sees A's import")
	}
}
