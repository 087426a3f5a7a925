package medic_test

import (
	"errors"
	"reflect"
	"slices"
	"testing"

	"medic"
)

// chartRow is DOMAIN.md's role table for the parts of a chart, written out
// by hand: which role reads and which writes the clinical part.
var chartRows = []struct {
	role                          medic.Role
	readsClinical, writesClinical bool
	readsDiagnosisCodes           bool
}{
	{medic.RoleAdmin, true, true, true},
	{medic.RoleDoctor, true, true, true},
	{medic.RoleNurse, true, false, true}, // vitals and notes; reads the rest
	{medic.RoleReceptionist, false, false, false},
	{medic.RoleBilling, false, false, true},
}

func fullChart() *medic.Patient {
	return &medic.Patient{ID: "p1", PracticeID: "x", GivenName: "Thandi", FamilyName: "Nkosi", Phone: "+27825550100",
		EmergencyContacts: []medic.EmergencyContact{{Name: "Sipho"}},
		Allergies:         []string{"Penicillin"}, ChronicConditions: []string{"Asthma"}}
}

func TestProjectPatient(t *testing.T) {
	if len(chartRows) != len(medic.Roles) {
		t.Fatalf("chartRows covers %d roles, want all %d", len(chartRows), len(medic.Roles))
	}
	for _, row := range chartRows {
		full := fullChart()
		v := medic.ProjectPatient(full, row.role)
		if got := v.Shows(medic.ChartClinical); got != row.readsClinical {
			t.Errorf("%s: shows clinical = %v, want %v", row.role, got, row.readsClinical)
		}
		if got := v.Shows(medic.ChartDiagnosisCodes); got != row.readsDiagnosisCodes {
			t.Errorf("%s: shows diagnosis codes = %v, want %v", row.role, got, row.readsDiagnosisCodes)
		}
		if got := row.role.CanWriteChart(medic.ChartClinical); got != row.writesClinical {
			t.Errorf("%s: writes clinical = %v, want %v", row.role, got, row.writesClinical)
		}
		hasClinical := v.Allergies != nil || v.ChronicConditions != nil
		if hasClinical != row.readsClinical {
			t.Errorf("%s: clinical fields present = %v, want %v (%+v)", row.role, hasClinical, row.readsClinical, v)
		}
		if !v.Shows(medic.ChartDemographics) || v.GivenName != "Thandi" || v.Phone != "+27825550100" || len(v.EmergencyContacts) != 1 {
			t.Errorf("%s: demographics missing: %+v", row.role, v)
		}
		// The projection is a copy: the stored chart is untouched.
		if !reflect.DeepEqual(full, fullChart()) {
			t.Errorf("%s: projection changed the chart: %+v", row.role, full)
		}
		v.EmergencyContacts[0].Name = "changed"
		if row.readsClinical {
			v.Allergies[0] = "changed"
		}
		if full.EmergencyContacts[0].Name != "Sipho" || full.Allergies[0] != "Penicillin" {
			t.Errorf("%s: projection shares slices with the chart", row.role)
		}
	}
	// A role without patient access (none today) sees nothing but the id.
	v := medic.ProjectPatient(fullChart(), medic.Role("nobody"))
	if v.Shows(medic.ChartDemographics) || v.GivenName != "" || v.Allergies != nil {
		t.Errorf("unknown role sees %+v", v)
	}
}

func TestCheckChartEdit(t *testing.T) {
	for _, row := range chartRows {
		full := fullChart()
		// An edit of the demographics keeps the clinical part whatever the role.
		e := medic.ProjectPatient(full, row.role)
		e.Phone = "+27825550199"
		out, err := medic.CheckChartEdit(full, e, row.role)
		if err != nil {
			t.Fatalf("%s: demographic edit refused: %v", row.role, err)
		}
		if out.Phone != "+27825550199" || !slices.Equal(out.Allergies, full.Allergies) || !slices.Equal(out.ChronicConditions, full.ChronicConditions) || out.Withheld != nil {
			t.Errorf("%s: demographic edit stores %+v", row.role, out)
		}
		// Setting or clearing clinical fields: allowed or refused.
		for name, change := range map[string]func(p *medic.Patient){
			"set":        func(p *medic.Patient) { p.Allergies = []string{"Latex"} },
			"clear":      func(p *medic.Patient) { p.Allergies = []string{} },
			"conditions": func(p *medic.Patient) { p.ChronicConditions = []string{"Gout"} },
		} {
			e := medic.ProjectPatient(full, row.role)
			change(e)
			out, err := medic.CheckChartEdit(full, e, row.role)
			if row.writesClinical {
				if err != nil || slices.Equal(out.Allergies, full.Allergies) && slices.Equal(out.ChronicConditions, full.ChronicConditions) {
					t.Errorf("%s %s: got %+v, %v; want the change stored", row.role, name, out, err)
				}
			} else if !errors.Is(err, medic.ErrClinicalWrite) || medic.ErrorCode(err) != medic.EFORBIDDEN {
				t.Errorf("%s %s: got %+v, %v; want ErrClinicalWrite", row.role, name, out, err)
			}
		}
		// A new chart: the same rule against an empty one.
		_, err = medic.CheckChartEdit(&medic.Patient{}, &medic.Patient{GivenName: "A", Allergies: []string{}}, row.role)
		// (An empty list changes nothing for a role that reads the part.)
		if (row.writesClinical || row.readsClinical) != (err == nil) {
			t.Errorf("%s: new chart with allergies: %v", row.role, err)
		}
		if _, err := medic.CheckChartEdit(&medic.Patient{}, &medic.Patient{GivenName: "A"}, row.role); err != nil {
			t.Errorf("%s: new chart without clinical fields: %v", row.role, err)
		}
	}
}
