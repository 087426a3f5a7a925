package fhir_test

import (
	"testing"
	"time"

	"medic"
	"medic/internal/fhir"
)

func TestMedicationRequestGolden(t *testing.T) {
	pid := samplePatient().ID
	issued := time.Date(2030, 3, 7, 9, 40, 0, 0, sast)
	rx := func() *medic.Prescription {
		return &medic.Prescription{ID: "0190c3a2-0000-7000-8000-0000000000a1", EncounterID: encID, PatientID: pid, PatientName: "Thandi Mokoena",
			PrescriberID: "0190c3a2-0000-7000-8000-0000000000a9", PrescriberName: "Dr Naledi Dlamini", PrescriberPractitionerID: pracID,
			Status: medic.PrescriptionIssued, IssuedAt: issued,
			Items: []*medic.PrescriptionItem{
				{ID: "0190c3a2-0000-7000-8000-0000000000b1", MedicineLabel: "Amoxicillin 500 mg capsule", ATC: "J01CA04", Dose: "500 mg", Route: "oral",
					Frequency: "tds", DurationDays: 7, Quantity: "21 capsules", Instructions: "Finish the course.", Until: medic.NewDate(2030, 3, 13)},
				{ID: "0190c3a2-0000-7000-8000-0000000000b2", MedicineLabel: "Salbutamol inhaler", Dose: "2 puffs", Frequency: "6 hourly prn",
					DurationDays: 30, Quantity: "1 inhaler", Repeats: 2, Until: medic.NewDate(2030, 6, 4)},
			}}
	}
	p := rx()
	golden(t, "medicationrequest", fhir.FromPrescriptionItem(p, p.Items[0], medic.NewDate(2030, 3, 8)))
	golden(t, "medicationrequest-prn", fhir.FromPrescriptionItem(p, p.Items[1], medic.NewDate(2030, 3, 8)))

	// The status follows the day and the prescription.
	for _, c := range []struct {
		on        medic.Date
		cancelled bool
		want      string
	}{
		{medic.NewDate(2030, 3, 13), false, "active"}, // its last day
		{medic.NewDate(2030, 3, 14), false, "completed"},
		{medic.NewDate(2030, 3, 8), true, "cancelled"},
	} {
		p := rx()
		if c.cancelled {
			p.Status, p.CancelledAt, p.CancelReason = medic.PrescriptionCancelled, issued.Add(time.Hour), "Wrong patient"
		}
		if got := fhir.FromPrescriptionItem(p, p.Items[0], c.on); got.Status != c.want {
			t.Errorf("on %s (cancelled %v): status %s, want %s", c.on, c.cancelled, got.Status, c.want)
		}
	}
	p = rx()
	p.Status, p.CancelledAt, p.CancelReason = medic.PrescriptionCancelled, issued.Add(time.Hour), "Wrong patient"
	golden(t, "medicationrequest-cancelled", fhir.FromPrescriptionItem(p, p.Items[0], medic.NewDate(2030, 3, 8)))
}
