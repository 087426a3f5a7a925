package fhir_test

import (
	"testing"
	"time"

	"medic"
	"medic/internal/fhir"
)

const (
	encID   = "0190c3a2-0000-7000-8000-0000000000f1"
	vitalID = "0190c3a2-0000-7000-8000-0000000000f2"
)

func f64(v float64) *float64 { return &v }

func TestClinicalGolden(t *testing.T) {
	pid := samplePatient().ID
	measured := time.Date(2030, 3, 7, 9, 10, 0, 0, sast)
	e := &medic.Encounter{ID: encID, PatientID: pid, PractitionerID: pracID, LocationID: locID, AppointmentID: apptID, Stage: "closure",
		Status: medic.EncounterFinished, StartedAt: measured, FinishedAt: measured.Add(20 * time.Minute), UpdatedAt: t0, Version: 3,
		PatientName: "Thandi Mokoena", PractitionerName: "Dr Naledi Dlamini", LocationName: "Sunrise Main"}
	golden(t, "encounter", fhir.FromEncounter(e, practiceID))

	v := &medic.Vitals{ID: vitalID, EncounterID: encID, PatientID: pid, MeasuredAt: measured, SystolicMmHg: f64(150), DiastolicMmHg: f64(95),
		PulseBPM: f64(80), TemperatureC: f64(36.8), RespiratoryRate: f64(16), SpO2Percent: f64(97), WeightKg: f64(92.5), HeightCm: f64(180),
		GlucoseMmolL: f64(5.4), HeadCircumferenceCm: nil, CreatedAt: t0}
	obs := fhir.FromVitals(v)
	if len(obs) != 8 {
		t.Fatalf("%d observations", len(obs))
	}
	golden(t, "observation-bp", obs[0])
	golden(t, "observation-weight", obs[5])
	for _, o := range obs {
		enc, vit, _, ok := fhir.ParseCompositeID(o.ID, fhir.KindObservation)
		if !ok || enc != encID || vit != vitalID || len(o.ID) > 64 {
			t.Errorf("observation id %q", o.ID)
		}
	}

	golden(t, "condition-problem", fhir.FromProblem(&medic.Condition{ID: "0190c3a2-0000-7000-8000-0000000000f3", PatientID: pid, Code: "I10",
		Title: "Essential (primary) hypertension", Onset: medic.NewDate(2015, 6, 1), Status: medic.ConditionActive, Note: "On treatment", RecordedAt: t0, UpdatedAt: t0}))
	golden(t, "condition-diagnosis", fhir.FromDiagnosis(&medic.Diagnosis{ID: "0190c3a2-0000-7000-8000-0000000000f4", EncounterID: encID, PatientID: pid,
		Code: "J06.9", Title: "Acute upper respiratory infection, unspecified", Primary: true, RecordedAt: t0}))
	golden(t, "allergy", fhir.FromAllergy(&medic.Allergy{ID: "0190c3a2-0000-7000-8000-0000000000f5", PatientID: pid, Substance: "Penicillin",
		Reaction: "Anaphylaxis", Severity: medic.SeveritySevere, Status: medic.AllergyActive, RecordedAt: t0, UpdatedAt: t0}, pid))
	golden(t, "allergy-error", fhir.FromAllergy(&medic.Allergy{ID: "0190c3a2-0000-7000-8000-0000000000f6", PatientID: pid, Substance: "Latex",
		Severity: medic.SeverityMild, Status: medic.AllergyEnteredInError, RecordedAt: t0, UpdatedAt: t0}, pid))
	golden(t, "allergy-none-known", fhir.FromNoKnownAllergies(&medic.NoKnownAllergies{RecordedAt: t0}, pid))
}
