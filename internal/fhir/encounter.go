package fhir

import "medic"

// Encounter is a visit.
type Encounter struct {
	ResourceType    string                 `json:"resourceType"`
	ID              string                 `json:"id,omitempty"`
	Meta            *Meta                  `json:"meta,omitempty"`
	Status          string                 `json:"status"`
	Class           Coding                 `json:"class"`
	Subject         *Reference             `json:"subject,omitempty"`
	Participant     []EncounterParticipant `json:"participant,omitempty"`
	Appointment     []Reference            `json:"appointment,omitempty"`
	Period          *Period                `json:"period,omitempty"`
	Location        []EncounterLocation    `json:"location,omitempty"`
	ServiceProvider *Reference             `json:"serviceProvider,omitempty"`
}

// EncounterParticipant is the practitioner seeing the patient.
type EncounterParticipant struct {
	Type       []CodeableConcept `json:"type,omitempty"`
	Individual *Reference        `json:"individual,omitempty"`
}

// EncounterLocation is where the visit happens.
type EncounterLocation struct {
	Location Reference `json:"location"`
}

// EncounterStatus maps a FHIR encounter status to Medic's ("" if none).
func EncounterStatus(s string) medic.EncounterStatus {
	switch s {
	case "in-progress":
		return medic.EncounterDraft
	case "finished":
		return medic.EncounterFinished
	}
	return ""
}

// FromEncounter maps an encounter of practice practiceID: a draft is in
// progress, a locked one finished.
func FromEncounter(e *medic.Encounter, practiceID string) *Encounter {
	r := &Encounter{ResourceType: "Encounter", ID: e.ID, Meta: metaOf(e.UpdatedAt), Status: "in-progress",
		Class:   Coding{System: actCodeSystem, Code: "AMB", Display: "ambulatory"},
		Subject: Ref("Patient", e.PatientID, e.PatientName), Period: &Period{Start: dateTime(e.StartedAt)},
		ServiceProvider: Ref("Organization", practiceID, "")}
	if e.Finished() {
		r.Status = "finished"
		r.Period.End = dateTime(e.FinishedAt)
	}
	if e.PractitionerID != "" {
		r.Participant = []EncounterParticipant{{Type: []CodeableConcept{*concept("http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "PPRF", "primary performer")},
			Individual: Ref("Practitioner", e.PractitionerID, e.PractitionerName)}}
	}
	if e.AppointmentID != "" {
		r.Appointment = []Reference{*Ref("Appointment", e.AppointmentID, "")}
	}
	if e.LocationID != "" {
		r.Location = []EncounterLocation{{Location: *Ref("Location", e.LocationID, e.LocationName)}}
	}
	return r
}
