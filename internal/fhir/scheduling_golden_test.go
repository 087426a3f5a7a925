package fhir_test

import (
	"testing"
	"time"

	"medic"
	"medic/internal/fhir"
)

const (
	practiceID = "0190c3a2-0000-7000-8000-0000000000aa"
	pracID     = "0190c3a2-0000-7000-8000-0000000000bb"
	locID      = "0190c3a2-0000-7000-8000-0000000000cc"
	typeID     = "0190c3a2-0000-7000-8000-0000000000dd"
	apptID     = "0190c3a2-0000-7000-8000-0000000000ee"
)

func samplePractitioner() *medic.Practitioner {
	return &medic.Practitioner{ID: pracID, Name: "Dr Naledi Dlamini", Specialty: "General practice", RegistrationNumber: "MP0123456",
		PracticeNumber: "0123456", Qualifications: "MBChB (UCT)", Status: medic.PractitionerActive,
		Assignments: []medic.LocationAssignment{{LocationID: locID, Primary: true}}, CreatedAt: t0, UpdatedAt: t0}
}

func sampleLocation() *medic.Location {
	lat, lng := -33.9249, 18.4241
	return &medic.Location{ID: locID, Name: "Sunrise Main", Address: "1 Main Road\nCape Town", Phone: "+27215550100", Email: "main@sunrise.example",
		Hours: medic.WeekHours{"mon": "08:00-17:00", "sat": "09:00-12:00"}, Latitude: &lat, Longitude: &lng, Active: true, CreatedAt: t0, UpdatedAt: t0}
}

func TestSchedulingGolden(t *testing.T) {
	golden(t, "practitioner", fhir.FromPractitioner(samplePractitioner()))
	golden(t, "practitionerrole", fhir.FromPractitionerRole(samplePractitioner(), practiceID, "Sunrise Family Practice"))
	golden(t, "organization", fhir.FromPractice(&medic.Practice{ID: practiceID, Slug: "sunrise", Name: "Sunrise Family Practice", Email: "desk@sunrise.example",
		Phone: "+27215550199", Address: "1 Main Road\nCape Town", RegistrationNumber: "PR0001234", Status: medic.PracticeActive, UpdatedAt: t0}))
	golden(t, "location", fhir.FromLocation(sampleLocation(), practiceID))
	rules := []*medic.ScheduleRule{{ID: "r1", PractitionerID: pracID, LocationID: locID, Weekday: time.Thursday, Start: 9 * 60, End: 12 * 60, SlotMinutes: 30, Capacity: 1}}
	golden(t, "schedule", fhir.FromSchedule(samplePractitioner(), sampleLocation(), rules))
	start := time.Date(2030, 3, 7, 7, 0, 0, 0, time.UTC)
	slot := medic.Slot{Start: start, End: start.Add(30 * time.Minute), PractitionerID: pracID, LocationID: locID, Remaining: 0}
	golden(t, "slot", fhir.FromSlot(slot, sast))
	a := &medic.Appointment{ID: apptID, PatientID: samplePatient().ID, PractitionerID: pracID, LocationID: locID, AppointmentTypeID: typeID,
		Start: start, End: start.Add(30 * time.Minute), Status: medic.StatusCancelled, Notes: "Follow-up", CancelReason: "Patient asked",
		CreatedAt: t0, UpdatedAt: t0, PatientName: "Thandi Mokoena", PractitionerName: "Dr Naledi Dlamini", LocationName: "Sunrise Main", TypeName: "Consultation"}
	golden(t, "appointment", fhir.FromAppointment(a, sast))

	// Ids round-trip and fit FHIR's 64 characters.
	id := fhir.SlotID(slot)
	p, l, s, ok := fhir.ParseSlotID(id)
	if !ok || len(id) > 64 || p != pracID || l != locID || !s.Equal(start) {
		t.Errorf("slot id %q -> %v %v %v %v", id, p, l, s, ok)
	}
	sid := fhir.ScheduleID(pracID, locID)
	if p, l, ok := fhir.ParseScheduleID(sid); !ok || p != pracID || l != locID || len(sid) > 64 {
		t.Errorf("schedule id %q -> %v %v", sid, p, l)
	}
	if _, _, ok := fhir.ParseScheduleID(id); ok {
		t.Error("a slot id parses as a schedule id")
	}
	// What FromAppointment writes, ReadAppointment reads.
	req, err := fhir.ReadAppointment(fhir.FromAppointment(a, sast))
	if err != nil || req.PatientID != a.PatientID || req.PractitionerID != pracID || req.LocationID != locID || req.TypeID != typeID ||
		!req.Start.Equal(start) || req.Status != medic.StatusCancelled || req.CancelReason != "Patient asked" || req.Notes != "Follow-up" {
		t.Errorf("ReadAppointment: %+v %v", req, err)
	}
}
