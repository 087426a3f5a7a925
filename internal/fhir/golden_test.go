package fhir_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"medic"
	"medic/internal/fhir"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares v, as indented JSON, with testdata/name.json.
func golden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", name+".json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/fhir -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from %s:\n%s", name, path, got)
	}
}

var (
	t0   = time.Date(2026, 3, 4, 9, 30, 15, 123456000, time.UTC)
	sast = time.FixedZone("SAST", 2*3600)
)

func samplePatient() *medic.Patient {
	return &medic.Patient{ID: "0190c3a2-7b1e-7c4d-9a8b-1234567890ab", PracticeID: "p", GivenName: "Thandi Grace", FamilyName: "Mokoena",
		DateOfBirth: medic.NewDate(1990, 5, 14), Sex: medic.SexFemale, IDNumber: "9005140123084", Passport: "A1234567",
		Email: "thandi@example.org", Phone: "+27825550100", Address: "12 Long Street\nCape Town\n8001", PreferredLanguage: "isiZulu",
		EmergencyContacts: []medic.EmergencyContact{{Name: "Sipho Mokoena", Relationship: "brother", Phone: "+27825550101"}},
		Allergies:         []string{"Penicillin"}, Status: medic.PatientActive, CreatedAt: t0, UpdatedAt: t0}
}

func TestPatientGolden(t *testing.T) {
	p := samplePatient()
	golden(t, "patient", fhir.FromPatient(p))

	merged := samplePatient()
	merged.Status, merged.MergedInto, merged.IDNumber, merged.Passport, merged.EmergencyContacts = medic.PatientMerged, "0190c3a2-0000-7000-8000-000000000001", "", "", nil
	golden(t, "patient-merged", fhir.FromPatient(merged))

	// What FromPatient writes, ApplyPatient reads back.
	back := &medic.Patient{MedicalAid: medic.MedicalAid{Scheme: "Discovery"}}
	if err := fhir.ApplyPatient(fhir.FromPatient(p), back); err != nil {
		t.Fatal(err)
	}
	if back.GivenName != p.GivenName || back.FamilyName != p.FamilyName || !back.DateOfBirth.Equal(p.DateOfBirth) || back.Sex != p.Sex ||
		back.IDNumber != p.IDNumber || back.Passport != p.Passport || back.Email != p.Email || back.Phone != p.Phone || back.Address != p.Address ||
		back.PreferredLanguage != p.PreferredLanguage || len(back.EmergencyContacts) != 1 || back.EmergencyContacts[0] != p.EmergencyContacts[0] ||
		back.Status != medic.PatientActive || back.MedicalAid.Scheme != "Discovery" {
		t.Errorf("round trip: %+v", back)
	}
	bad := &fhir.Patient{ResourceType: "Patient", Identifier: []fhir.Identifier{{System: "urn:x", Value: "1"}}, BirthDate: "1990"}
	err := fhir.ApplyPatient(bad, &medic.Patient{})
	if f := medic.ErrorFields(err); f["Patient.identifier[0]"] == "" || f["Patient.birthDate"] == "" {
		t.Errorf("ApplyPatient errors: %v", err)
	}
}

func TestVersion(t *testing.T) {
	v := fhir.VersionOf(t0.Add(999)) // nanoseconds below PostgreSQL's precision
	back, ok := fhir.ParseVersion(v)
	if !ok || !back.Equal(t0) || v != fhir.VersionOf(t0) {
		t.Errorf("version %q -> %v", v, back)
	}
	for _, bad := range []string{"", "x", "-1", "0"} {
		if _, ok := fhir.ParseVersion(bad); ok {
			t.Errorf("ParseVersion(%q) ok", bad)
		}
	}
}
