package medic_test

import (
	"errors"
	"strings"
	"testing"

	"medic"
)

// Medicines as the starter set holds them (internal/postgres/migrations).
var (
	amoxSusp   = &medic.Medicine{ID: "amox-susp", Name: "Amoxicillin", Ingredients: []string{"amoxicillin"}, ATC: "J01CA04", Strength: "250 mg/5 ml", Form: "suspension", DoseUnit: "ml", UnitMg: 50, PaedMaxMgKgDay: 90}
	coAmox     = &medic.Medicine{ID: "co-amox", Name: "Amoxicillin/clavulanic acid", Ingredients: []string{"amoxicillin", "clavulanic acid"}, ATC: "J01CR02", Strength: "875 mg/125 mg", Form: "tablet", DoseUnit: "tablet", UnitMg: 875, PaedMaxMgKgDay: 90}
	fluclox    = &medic.Medicine{ID: "fluclox", Name: "Flucloxacillin", Ingredients: []string{"flucloxacillin"}, ATC: "J01CF05", Strength: "500 mg", Form: "capsule", DoseUnit: "capsule", UnitMg: 500, PaedMaxMgKgDay: 100}
	cefalexin  = &medic.Medicine{ID: "cefalexin", Name: "Cefalexin", Ingredients: []string{"cefalexin"}, ATC: "J01DB01", Strength: "500 mg", Form: "capsule", DoseUnit: "capsule", UnitMg: 500}
	azithro    = &medic.Medicine{ID: "azithro", Name: "Azithromycin", Ingredients: []string{"azithromycin"}, ATC: "J01FA10", Strength: "500 mg", Form: "tablet", DoseUnit: "tablet", UnitMg: 500}
	cotrim     = &medic.Medicine{ID: "cotrim", Name: "Co-trimoxazole", Ingredients: []string{"sulfamethoxazole", "trimethoprim"}, ATC: "J01EE01", Strength: "800 mg/160 mg", Form: "tablet", DoseUnit: "tablet", UnitMg: 800}
	ibuprofen  = &medic.Medicine{ID: "ibu", Name: "Ibuprofen", Ingredients: []string{"ibuprofen"}, ATC: "M01AE01", Strength: "400 mg", Form: "tablet", DoseUnit: "tablet", UnitMg: 400, PaedMaxMgKgDay: 30}
	diclofenac = &medic.Medicine{ID: "diclo", Name: "Diclofenac", Ingredients: []string{"diclofenac"}, ATC: "M01AB05", Strength: "50 mg", Form: "tablet", DoseUnit: "tablet", UnitMg: 50}
	aspirin    = &medic.Medicine{ID: "asa", Name: "Aspirin", Ingredients: []string{"acetylsalicylic acid"}, ATC: "B01AC06", Strength: "81 mg", Form: "tablet"}
	paracetSyr = &medic.Medicine{ID: "pcm", Name: "Paracetamol", Ingredients: []string{"paracetamol"}, ATC: "N02BE01", Strength: "120 mg/5 ml", Form: "syrup", DoseUnit: "ml", UnitMg: 24, PaedMaxMgKgDay: 60}
	warfarin   = &medic.Medicine{ID: "warf", Name: "Warfarin", Ingredients: []string{"warfarin"}, ATC: "B01AA03", Strength: "5 mg", Form: "tablet"}
	enalapril  = &medic.Medicine{ID: "enal", Name: "Enalapril", Ingredients: []string{"enalapril"}, ATC: "C09AA02", Strength: "10 mg", Form: "tablet"}
	perindo    = &medic.Medicine{ID: "peri", Name: "Perindopril", Ingredients: []string{"perindopril"}, ATC: "C09AA04", Strength: "4 mg", Form: "tablet"}
	losartan   = &medic.Medicine{ID: "losa", Name: "Losartan", Ingredients: []string{"losartan"}, ATC: "C09CA01", Strength: "50 mg", Form: "tablet"}
	spiro      = &medic.Medicine{ID: "spiro", Name: "Spironolactone", Ingredients: []string{"spironolactone"}, ATC: "C03DA01", Strength: "25 mg", Form: "tablet"}
	amlodipine = &medic.Medicine{ID: "amlo", Name: "Amlodipine", Ingredients: []string{"amlodipine"}, ATC: "C08CA01", Strength: "5 mg", Form: "tablet"}
	metformin  = &medic.Medicine{ID: "met", Name: "Metformin", Ingredients: []string{"metformin"}, ATC: "A10BA02", Strength: "500 mg", Form: "tablet"}
	gliclazide = &medic.Medicine{ID: "glic", Name: "Gliclazide", Ingredients: []string{"gliclazide"}, ATC: "A10BB09", Strength: "80 mg", Form: "tablet"}
	fluoxetine = &medic.Medicine{ID: "fluox", Name: "Fluoxetine", Ingredients: []string{"fluoxetine"}, ATC: "N06AB03", Strength: "20 mg", Form: "capsule"}
	tramadol   = &medic.Medicine{ID: "tram", Name: "Tramadol", Ingredients: []string{"tramadol"}, ATC: "N02AX02", Strength: "50 mg", Form: "capsule"}
	diazepam   = &medic.Medicine{ID: "diaz", Name: "Diazepam", Ingredients: []string{"diazepam"}, ATC: "N05BA01", Strength: "5 mg", Form: "tablet"}
	rhze       = &medic.Medicine{ID: "rhze", Name: "Rifampicin/isoniazid/pyrazinamide/ethambutol", Ingredients: []string{"rifampicin", "isoniazid", "pyrazinamide", "ethambutol"}, ATC: "J04AM06", Form: "tablet"}
	coc        = &medic.Medicine{ID: "coc", Name: "Levonorgestrel/ethinylestradiol", Ingredients: []string{"levonorgestrel", "ethinylestradiol"}, ATC: "G03AA07", Form: "tablet"}
)

func allergy(substance string, sev medic.AllergySeverity, st medic.AllergyStatus) *medic.Allergy {
	return &medic.Allergy{Substance: substance, Severity: sev, Status: st}
}

func TestCheckAllergies(t *testing.T) {
	penicillinSevere := allergy("Penicillin", medic.SeveritySevere, medic.AllergyActive)
	for _, tc := range []struct {
		name      string
		m         *medic.Medicine
		allergies []*medic.Allergy
		fires     bool
		want      string // in the message
	}{
		{"amoxicillin for a penicillin allergy (class)", amoxSusp, []*medic.Allergy{penicillinSevere}, true, "one of the penicillins"},
		{"co-amoxiclav for an amoxicillin allergy (ingredient)", coAmox, []*medic.Allergy{allergy("amoxicillin", medic.SeverityMild, medic.AllergyActive)}, true, "contains amoxicillin"},
		{"flucloxacillin for an amoxicillin allergy (same class, named by a member)", fluclox, []*medic.Allergy{allergy("Amoxicillin", medic.SeverityModerate, medic.AllergyActive)}, true, "penicillins"},
		{"'Penicillin allergy' as typed names penicillin", amoxSusp, []*medic.Allergy{allergy("Penicillin allergy", medic.SeveritySevere, medic.AllergyActive)}, true, "severe allergy"},
		{"co-trimoxazole for a sulfa allergy", cotrim, []*medic.Allergy{allergy("Sulfa drugs", medic.SeverityModerate, medic.AllergyActive)}, true, "sulfonamides"},
		{"aspirin for an NSAID allergy", aspirin, []*medic.Allergy{allergy("NSAIDs", medic.SeverityModerate, medic.AllergyActive)}, true, "NSAIDs"},
		{"diclofenac for an ibuprofen allergy", diclofenac, []*medic.Allergy{allergy("Ibuprofen", medic.SeverityModerate, medic.AllergyActive)}, true, "NSAIDs"},
		{"quiet: cefalexin for a penicillin allergy (other class)", cefalexin, []*medic.Allergy{penicillinSevere}, false, ""},
		{"quiet: azithromycin for a penicillin allergy", azithro, []*medic.Allergy{penicillinSevere}, false, ""},
		{"quiet: an inactive penicillin allergy", amoxSusp, []*medic.Allergy{allergy("Penicillin", medic.SeveritySevere, medic.AllergyInactive)}, false, ""},
		{"quiet: an allergy entered in error", amoxSusp, []*medic.Allergy{allergy("Penicillin", medic.SeveritySevere, medic.AllergyEnteredInError)}, false, ""},
		{"quiet: a food allergy", amoxSusp, []*medic.Allergy{allergy("Peanuts", medic.SeveritySevere, medic.AllergyActive)}, false, ""},
		{"quiet: no allergies", amoxSusp, nil, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := medic.CheckAllergies(tc.m, tc.allergies)
			if (len(got) > 0) != tc.fires {
				t.Fatalf("alerts = %+v, want fired=%v", got, tc.fires)
			}
			if tc.fires {
				if got[0].Kind != medic.AlertAllergy || !strings.Contains(got[0].Message, tc.want) {
					t.Errorf("alert = %+v, want kind allergy and %q in the message", got[0], tc.want)
				}
			}
		})
	}
	if got := medic.CheckAllergies(amoxSusp, []*medic.Allergy{penicillinSevere}); got[0].Severity != "severe" {
		t.Errorf("a severe allergy's alert is %q, want severe", got[0].Severity)
	}
}

func TestCheckInteractions(t *testing.T) {
	for _, tc := range []struct {
		name     string
		m        *medic.Medicine
		others   []*medic.Medicine
		severity string // "" = quiet
	}{
		{"warfarin + an NSAID", ibuprofen, []*medic.Medicine{warfarin}, "severe"},
		{"the same pair the other way round", warfarin, []*medic.Medicine{ibuprofen}, "severe"},
		{"warfarin + aspirin", aspirin, []*medic.Medicine{metformin, warfarin}, "severe"},
		{"ACE inhibitor + spironolactone", spiro, []*medic.Medicine{enalapril}, "severe"},
		{"ACE inhibitor + ARB", losartan, []*medic.Medicine{perindo}, "severe"},
		{"ACE inhibitor + NSAID", diclofenac, []*medic.Medicine{enalapril}, "moderate"},
		{"SSRI + tramadol", tramadol, []*medic.Medicine{fluoxetine}, "severe"},
		{"benzodiazepine + opioid", diazepam, []*medic.Medicine{tramadol}, "severe"},
		{"rifampicin in a fixed-dose TB tablet + the pill", coc, []*medic.Medicine{rhze}, "severe"},
		{"sulfonylurea + co-trimoxazole", cotrim, []*medic.Medicine{gliclazide}, "moderate"},
		{"quiet: metformin + gliclazide", gliclazide, []*medic.Medicine{metformin}, ""},
		{"quiet: amlodipine + enalapril", amlodipine, []*medic.Medicine{enalapril}, ""},
		{"quiet: nothing else", warfarin, nil, ""},
		{"quiet: the item itself", warfarin, []*medic.Medicine{warfarin}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := medic.CheckInteractions(tc.m, tc.others)
			if tc.severity == "" {
				if len(got) != 0 {
					t.Fatalf("alerts = %+v, want none", got)
				}
				return
			}
			if len(got) != 1 || got[0].Kind != medic.AlertInteraction || got[0].Severity != tc.severity {
				t.Fatalf("alerts = %+v, want one %s interaction", got, tc.severity)
			}
		})
	}
}

func TestInteractionTableIsCurated(t *testing.T) {
	if n := len(medic.Interactions); n < 40 {
		t.Fatalf("%d interacting pairs, the issue asks for at least 40", n)
	}
	for i, in := range medic.Interactions {
		if in.Severity != "severe" && in.Severity != "moderate" {
			t.Errorf("pair %d: severity %q", i, in.Severity)
		}
		if !strings.HasSuffix(in.Effect, ".") || len(in.Effect) < 15 {
			t.Errorf("pair %d: effect %q does not say what happens", i, in.Effect)
		}
	}
}

func TestCheckDuplicates(t *testing.T) {
	for _, tc := range []struct {
		name    string
		m       *medic.Medicine
		current []*medic.Medicine
		fires   bool
	}{
		{"same ingredient in another product", coAmox, []*medic.Medicine{amoxSusp}, true},
		{"two plain ACE inhibitors", perindo, []*medic.Medicine{enalapril}, true},
		{"two NSAIDs of different chemical groups", diclofenac, []*medic.Medicine{ibuprofen}, true},
		{"quiet: metformin and a sulfonylurea", gliclazide, []*medic.Medicine{metformin}, false},
		{"quiet: amlodipine and enalapril", amlodipine, []*medic.Medicine{enalapril}, false},
		{"quiet: nothing current", ibuprofen, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := medic.CheckDuplicates(tc.m, tc.current)
			if (len(got) > 0) != tc.fires {
				t.Fatalf("alerts = %+v, want fired=%v", got, tc.fires)
			}
			if tc.fires && got[0].Kind != medic.AlertDuplicate {
				t.Errorf("kind = %s", got[0].Kind)
			}
		})
	}
}

func TestCheckPaediatricDose(t *testing.T) {
	on := medic.NewDate(2026, 12, 5)
	child := medic.PaediatricPatient{DateOfBirth: medic.NewDate(2022, 3, 1), On: on, WeightKg: 15, WeighedOn: medic.NewDate(2026, 11, 20)}
	for _, tc := range []struct {
		name      string
		m         *medic.Medicine
		dose      string
		frequency string
		patient   medic.PaediatricPatient
		fires     bool
	}{
		// 15 kg x 90 mg/kg/day = 1350 mg a day.
		{"amoxicillin 5 ml tds = 750 mg/day: under", amoxSusp, "5 ml", "tds", child, false},
		{"amoxicillin 10 ml tds = 1500 mg/day: over", amoxSusp, "10 ml", "tds", child, true},
		{"amoxicillin 450 mg tds = 1350 mg/day: at the maximum", amoxSusp, "450 mg", "8 hourly", child, false},
		{"amoxicillin 9 ml q6h = 1800 mg/day: over", amoxSusp, "9 ml", "q6h", child, true},
		// 15 kg x 60 = 900 mg paracetamol a day.
		{"paracetamol 7.5 ml 6 hourly prn = 720 mg/day", paracetSyr, "7.5 ml", "6 hourly prn", child, false},
		{"paracetamol 10 ml 4 hourly = 1440 mg/day", paracetSyr, "10 ml", "4 hourly", child, true},
		{"a dose with a comma decimal", paracetSyr, "7,5 ml", "qid", child, false},
		{"half a tablet twice a day", ibuprofen, "1/2 tab", "twice a day", child, false},          // 400 mg/day of 450
		{"one tablet three times a day", ibuprofen, "1 tablet", "three times daily", child, true}, // 1200 of 450
		{"unreadable frequency fires, never passes unchecked", amoxSusp, "5 ml", "as needed", child, true},
		{"unreadable dose fires", amoxSusp, "a spoonful", "tds", child, true},
		{"quiet: an adult", amoxSusp, "20 ml", "tds", medic.PaediatricPatient{DateOfBirth: medic.NewDate(1990, 1, 1), On: on}, false},
		{"quiet: 18 today is an adult", amoxSusp, "20 ml", "tds", medic.PaediatricPatient{DateOfBirth: medic.NewDate(2008, 12, 5), On: on}, false},
		{"quiet: no paediatric maximum known", cefalexin, "4 capsules", "qid", child, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := medic.CheckPaediatricDose(tc.m, tc.dose, tc.frequency, tc.patient)
			if err != nil {
				t.Fatal(err)
			}
			if (got != nil) != tc.fires {
				t.Fatalf("alert = %+v, want fired=%v", got, tc.fires)
			}
			if got != nil && got.Kind != medic.AlertPaediatricDose {
				t.Errorf("kind = %s", got.Kind)
			}
		})
	}
	over, _ := medic.CheckPaediatricDose(amoxSusp, "10 ml", "tds", child)
	for _, want := range []string{"1500 mg a day", "90 mg/kg/day", "1350 mg a day at 15 kg", "2026-11-20"} {
		if !strings.Contains(over.Message, want) {
			t.Errorf("message %q lacks %q", over.Message, want)
		}
	}

	t.Run("a child without a weight is refused", func(t *testing.T) {
		noWeight := child
		noWeight.WeightKg = 0
		_, err := medic.CheckPaediatricDose(amoxSusp, "5 ml", "tds", noWeight)
		var e *medic.Error
		if !errors.As(err, &e) || e.Code != medic.EINVALID || e.Fields["weight_kg"] == "" {
			t.Fatalf("err = %v, want a field error on weight_kg", err)
		}
	})
}

func TestTimesPerDay(t *testing.T) {
	for freq, want := range map[string]float64{
		"od": 1, "Daily": 1, "nocte": 1, "at night": 1, "bd": 2, "BID": 2, "twice daily": 2, "12 hourly": 2,
		"tds": 3, "three times a day": 3, "8-hourly": 3, "q8h": 3, "qid": 4, "6 hourly prn": 4, "every 4 hours": 6,
		"3 times a day": 3, "weekly": 1.0 / 7,
	} {
		got, ok := medic.TimesPerDay(freq)
		if !ok || got != want {
			t.Errorf("TimesPerDay(%q) = %v, %v; want %v", freq, got, ok, want)
		}
	}
	for _, freq := range []string{"prn", "", "as directed", "every 0 hours"} {
		if got, ok := medic.TimesPerDay(freq); ok {
			t.Errorf("TimesPerDay(%q) = %v, want unreadable", freq, got)
		}
	}
}

func TestMedicineValidate(t *testing.T) {
	m := &medic.Medicine{Name: " Amoxicillin ", Ingredients: []string{"Amoxicillin ", "amoxicillin", ""}, ATC: "j01ca04", Schedule: "s4"}
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	if m.Name != "Amoxicillin" || len(m.Ingredients) != 1 || m.Ingredients[0] != "amoxicillin" || m.ATC != "J01CA04" || m.Schedule != "S4" || m.Source != medic.MedicineManual {
		t.Errorf("tidied = %+v", m)
	}
	bad := &medic.Medicine{Name: "", ATC: "penicillin", Schedule: "S8", PaedMaxMgKgDay: -1}
	err := bad.Validate()
	var e *medic.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v", err)
	}
	for _, f := range []string{"name", "ingredients", "atc", "schedule", "paed_max_mg_kg_day"} {
		if e.Fields[f] == "" {
			t.Errorf("no error on %s: %v", f, e.Fields)
		}
	}
}
