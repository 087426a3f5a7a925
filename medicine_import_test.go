package medic_test

import (
	"errors"
	"strings"
	"testing"

	"medic"
)

func TestParseMedicineCSV(t *testing.T) {
	in := "\ufeffProduct name,Active ingredients,ATC code,Strength,Dosage form,Route,Schedule,Unit mg,Paediatric max mg/kg/day\n" +
		"Amoxicillin,amoxicillin,J01CA04,250 mg/5 ml,suspension,oral,S4,50,90\n" +
		"Co-amoxiclav,Amoxicillin + Clavulanic acid,J01CR02,875 mg/125 mg,tablet,oral,s4,875,\n" +
		",paracetamol,N02BE01,500 mg,tablet,oral,S0,,\n" + // no name
		"Mystery,mystery,,1 mg,tablet,oral,S9,,\n" + // bad schedule
		"Odd,odd,ZZZ,1 mg,tablet,oral,S1,,\n" + // bad ATC
		"Amoxicillin,amoxicillin,J01CA04,250 mg/5 ml,suspension,oral,S4,50,90\n" + // duplicate of line 2
		"Heavy,heavy,,1 mg,tablet,oral,S1,lots,\n" + // not a number
		"Paracetamol,paracetamol,N02BE01,500 mg,tablet,oral,S0,500,60\n"
	rows, rejected, err := medic.ParseMedicineCSV(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range rows {
		names = append(names, m.Name)
		if m.Source != medic.MedicineImport {
			t.Errorf("%s: source %s", m.Name, m.Source)
		}
	}
	if strings.Join(names, ",") != "Amoxicillin,Co-amoxiclav,Paracetamol" {
		t.Fatalf("taken = %v", names)
	}
	if c := rows[1]; strings.Join(c.Ingredients, "|") != "amoxicillin|clavulanic acid" || c.Schedule != "S4" || c.UnitMg != 875 {
		t.Errorf("co-amoxiclav read as %+v", c)
	}
	want := []struct {
		line int
		in   string
	}{{4, "generic name"}, {5, "S0 to S6"}, {6, "ATC code"}, {7, "line 2"}, {8, "not a number"}}
	if len(rejected) != len(want) {
		t.Fatalf("rejected = %+v", rejected)
	}
	for i, w := range want {
		if rejected[i].Line != w.line || !strings.Contains(rejected[i].Reason, w.in) {
			t.Errorf("rejected[%d] = %+v, want line %d saying %q", i, rejected[i], w.line, w.in)
		}
	}
}

func TestParseMedicineCSVRefusesAFileWithoutTheRequiredColumns(t *testing.T) {
	for _, in := range []string{"", "name,strength\nAmoxicillin,250 mg\n"} {
		_, _, err := medic.ParseMedicineCSV(strings.NewReader(in))
		var e *medic.Error
		if !errors.As(err, &e) || e.Code != medic.EINVALID || e.Fields["file"] == "" {
			t.Errorf("%q: err = %v, want a field error on file", in, err)
		}
	}
}
