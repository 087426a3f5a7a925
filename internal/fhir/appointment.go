package fhir

import (
	"strings"
	"time"

	"medic"
)

// AppointmentTypeSystem codes an appointment's type by the id of the
// practice's appointment type.
const AppointmentTypeSystem = "urn:medic:appointment-type"

// Appointment is a booked visit.
type Appointment struct {
	ResourceType      string                   `json:"resourceType"`
	ID                string                   `json:"id,omitempty"`
	Meta              *Meta                    `json:"meta,omitempty"`
	Text              *Narrative               `json:"text,omitempty"`
	Status            string                   `json:"status"`
	CancelationReason *CodeableConcept         `json:"cancelationReason,omitempty"`
	AppointmentType   *CodeableConcept         `json:"appointmentType,omitempty"`
	Start             string                   `json:"start,omitempty"`
	End               string                   `json:"end,omitempty"`
	MinutesDuration   int                      `json:"minutesDuration,omitempty"`
	Created           string                   `json:"created,omitempty"`
	Comment           string                   `json:"comment,omitempty"`
	Participant       []AppointmentParticipant `json:"participant"`
}

// AppointmentParticipant is the patient, the practitioner or the location.
type AppointmentParticipant struct {
	Actor    *Reference `json:"actor,omitempty"`
	Required string     `json:"required,omitempty"`
	Status   string     `json:"status"`
}

var appointmentStatuses = map[medic.AppointmentStatus]string{
	medic.StatusBooked: "booked", medic.StatusCheckedIn: "checked-in", medic.StatusInProgress: "arrived",
	medic.StatusCompleted: "fulfilled", medic.StatusCancelled: "cancelled", medic.StatusNoShow: "noshow",
}

// AppointmentStatus maps a FHIR appointment status to Medic's; ok is false
// for one Medic does not have (proposed, pending, waitlist ...).
func AppointmentStatus(s string) (medic.AppointmentStatus, bool) {
	for k, v := range appointmentStatuses {
		if v == s {
			return k, true
		}
	}
	return "", false
}

// FHIRAppointmentStatus maps Medic's status to FHIR's.
func FHIRAppointmentStatus(s medic.AppointmentStatus) string { return appointmentStatuses[s] }

// FromAppointment maps an appointment; times are in the practice's zone loc.
func FromAppointment(a *medic.Appointment, loc *time.Location) *Appointment {
	r := &Appointment{ResourceType: "Appointment", ID: a.ID, Meta: metaOf(a.UpdatedAt), Status: appointmentStatuses[a.Status],
		Start: dateTime(a.Start.In(loc)), End: dateTime(a.End.In(loc)), MinutesDuration: int(a.End.Sub(a.Start) / time.Minute),
		Created: dateTime(a.CreatedAt.In(loc)), Comment: a.Notes,
		Participant: []AppointmentParticipant{
			{Actor: Ref("Patient", a.PatientID, a.PatientName), Required: "required", Status: "accepted"},
			{Actor: Ref("Practitioner", a.PractitionerID, a.PractitionerName), Required: "required", Status: "accepted"},
			{Actor: Ref("Location", a.LocationID, a.LocationName), Required: "required", Status: "accepted"},
		}}
	if a.AppointmentTypeID != "" {
		r.AppointmentType = concept(AppointmentTypeSystem, a.AppointmentTypeID, a.TypeName)
	}
	if a.Status == medic.StatusCancelled && a.CancelReason != "" {
		r.CancelationReason = &CodeableConcept{Text: a.CancelReason}
	}
	return r
}

// AppointmentRequest is what an Appointment asks for: a booking (create)
// or the state an update wants.
type AppointmentRequest struct {
	PatientID, PractitionerID, LocationID, TypeID string
	Start                                         time.Time
	Status                                        medic.AppointmentStatus
	Notes, CancelReason                           string
}

// ReadAppointment reads what r asks for; errors name the element.
func ReadAppointment(r *Appointment) (AppointmentRequest, error) {
	var out AppointmentRequest
	f := medic.FieldErrors{}
	if r.ResourceType != "Appointment" {
		f.Add("Appointment.resourceType", "Send an Appointment.")
	}
	var ok bool
	if out.Status, ok = AppointmentStatus(r.Status); !ok {
		f.Add("Appointment.status", "Use booked, checked-in, arrived, fulfilled, cancelled or noshow.")
	}
	for i, p := range r.Participant {
		if p.Actor == nil {
			f.Add(indexed("Appointment.participant", i), "Give each participant an actor.")
			continue
		}
		typ, id, _ := strings.Cut(p.Actor.Reference, "/")
		switch typ {
		case "Patient":
			out.PatientID = id
		case "Practitioner":
			out.PractitionerID = id
		case "Location":
			out.LocationID = id
		default:
			f.Add(indexed("Appointment.participant", i)+".actor", "Participants are a Patient, a Practitioner and a Location.")
		}
	}
	for field, v := range map[string]string{"Patient": out.PatientID, "Practitioner": out.PractitionerID, "Location": out.LocationID} {
		if v == "" {
			f.Add("Appointment.participant", "Name the "+field+" as a participant.")
		}
	}
	if r.AppointmentType != nil {
		for _, c := range r.AppointmentType.Coding {
			if c.System == AppointmentTypeSystem {
				out.TypeID = c.Code
			}
		}
	}
	if out.TypeID == "" {
		f.Add("Appointment.appointmentType", "Give the appointment type as a coding of "+AppointmentTypeSystem+".")
	}
	t, err := time.Parse(time.RFC3339, r.Start)
	if err != nil {
		f.Add("Appointment.start", "Give the start as an instant with its offset.")
	}
	out.Start = t
	out.Notes = r.Comment
	if r.CancelationReason != nil {
		out.CancelReason = r.CancelationReason.Text
	}
	return out, f.Err()
}
