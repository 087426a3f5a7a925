package api

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"medic"
	"medic/internal/app"
)

// appointmentRoutes registers appointments and their status changes.
func (h *Handler) appointmentRoutes(mux Router) {
	mux.HandleFunc("GET /api/v1/practices/{practice}/appointments", h.tenant(h.listAppointments))
	mux.HandleFunc("POST /api/v1/practices/{practice}/appointments", h.tenant(h.bookAppointment))
	mux.HandleFunc("GET /api/v1/practices/{practice}/appointments/{id}", h.tenant(h.getAppointment))
	mux.HandleFunc("POST /api/v1/practices/{practice}/appointments/{id}/reschedule", h.tenant(h.rescheduleAppointment))
	mux.HandleFunc("POST /api/v1/practices/{practice}/appointments/{id}/cancel", h.tenant(h.cancelAppointment))
	mux.HandleFunc("POST /api/v1/practices/{practice}/appointments/{id}/check-in", h.tenant(h.appointmentStatus(medic.StatusCheckedIn)))
	mux.HandleFunc("POST /api/v1/practices/{practice}/appointments/{id}/no-show", h.tenant(h.appointmentStatus(medic.StatusNoShow)))
	mux.HandleFunc("POST /api/v1/practices/{practice}/appointments/{id}/start", h.tenant(h.appointmentStatus(medic.StatusInProgress)))
	mux.HandleFunc("POST /api/v1/practices/{practice}/appointments/{id}/complete", h.tenant(h.appointmentStatus(medic.StatusCompleted)))
}

type appointmentDTO struct {
	ID                string                  `json:"id"`
	Reference         string                  `json:"reference"` // for people: the last 8 hex digits of the id
	PatientID         string                  `json:"patient_id"`
	PractitionerID    string                  `json:"practitioner_id"`
	LocationID        string                  `json:"location_id"`
	AppointmentTypeID string                  `json:"appointment_type_id"`
	Start             time.Time               `json:"start"`
	End               time.Time               `json:"end"`
	Status            medic.AppointmentStatus `json:"status"`
	Source            medic.AppointmentSource `json:"source"`
	Notes             string                  `json:"notes"`
	CancelReason      string                  `json:"cancel_reason"`
	Overbooked        bool                    `json:"overbooked"`
	OverbookReason    string                  `json:"overbook_reason"`
	PatientName       string                  `json:"patient_name"`
	PractitionerName  string                  `json:"practitioner_name"`
	LocationName      string                  `json:"location_name"`
	TypeName          string                  `json:"type_name"`
	TypeColor         string                  `json:"type_color"`
	CreatedAt         time.Time               `json:"created_at"`
	UpdatedAt         time.Time               `json:"updated_at"`
}

// toAppointment renders times in loc, the practice's zone.
func toAppointment(loc *time.Location) func(*medic.Appointment) appointmentDTO {
	return func(a *medic.Appointment) appointmentDTO {
		return appointmentDTO{ID: a.ID, Reference: a.Reference(), PatientID: a.PatientID, PractitionerID: a.PractitionerID, LocationID: a.LocationID,
			AppointmentTypeID: a.AppointmentTypeID, Start: a.Start.In(loc), End: a.End.In(loc), Status: a.Status, Source: a.Source,
			Notes: a.Notes, CancelReason: a.CancelReason, Overbooked: a.Overbooked, OverbookReason: a.OverbookReason,
			PatientName: a.PatientName, PractitionerName: a.PractitionerName, LocationName: a.LocationName, TypeName: a.TypeName,
			TypeColor: a.TypeColor, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
	}
}

// appointmentFilter reads the list filters: practitioner, location,
// patient, from, to (RFC 3339 or a date: local midnight) and status (one
// or more, comma-separated or repeated).
func appointmentFilter(r *http.Request) (medic.AppointmentFilter, error) {
	q := r.URL.Query()
	loc := practiceZone(r.Context())
	fields := medic.FieldErrors{}
	f := medic.AppointmentFilter{PractitionerID: q.Get("practitioner"), LocationID: q.Get("location"), PatientID: q.Get("patient"),
		From: instantParam(fields, q, "from", loc), To: instantParam(fields, q, "to", loc)}
	for _, v := range q["status"] {
		for _, s := range strings.Split(v, ",") {
			st := medic.AppointmentStatus(strings.TrimSpace(s))
			if st == "" {
				continue
			}
			if !slices.Contains(medic.AppointmentStatuses, st) {
				fields.Add("status", "Use booked, checked_in, in_progress, completed, cancelled or no_show.")
				continue
			}
			f.Statuses = append(f.Statuses, st)
		}
	}
	return f, fields.Err()
}

// listAppointments is the calendar and today's list: filtered, by start,
// paged with a cursor. The read is audited.
func (h *Handler) listAppointments(w http.ResponseWriter, r *http.Request) {
	p, err := page(r)
	if err != nil {
		h.error(w, r, err)
		return
	}
	f, err := appointmentFilter(r)
	if err != nil {
		h.error(w, r, err)
		return
	}
	as, next, err := h.app.ListAppointments(r.Context(), f, p)
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newList(mapAll(as, toAppointment(practiceZone(r.Context()))), next))
}

func (h *Handler) getAppointment(w http.ResponseWriter, r *http.Request) {
	a, err := h.app.GetAppointment(r.Context(), r.PathValue("id"))
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toAppointment(practiceZone(r.Context()))(a))
}

// bookAppointment books a slot at the desk: 201 with the appointment, 409
// when the slot is full (the database decides, however many race for it).
// Overbooking needs "overbook": true and a reason, by an admin or doctor.
func (h *Handler) bookAppointment(w http.ResponseWriter, r *http.Request) {
	var in struct {
		PatientID         string  `json:"patient_id"`
		PractitionerID    string  `json:"practitioner_id"`
		LocationID        string  `json:"location_id"`
		AppointmentTypeID string  `json:"appointment_type_id"`
		Start             *string `json:"start"`
		Notes             string  `json:"notes"`
		Overbook          bool    `json:"overbook"`
		OverbookReason    string  `json:"overbook_reason"`
	}
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	fields := medic.FieldErrors{}
	start := instantField(fields, "start", in.Start)
	if err := fields.Err(); err != nil {
		h.error(w, r, err)
		return
	}
	a, err := h.app.BookAppointment(r.Context(), app.BookingRequest{PatientID: in.PatientID, PractitionerID: in.PractitionerID,
		LocationID: in.LocationID, AppointmentTypeID: in.AppointmentTypeID, Start: start, Notes: in.Notes,
		Overbook: in.Overbook, OverbookReason: in.OverbookReason, Source: medic.SourceDesk})
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, toAppointment(practiceZone(r.Context()))(a))
}

// rescheduleAppointment moves a booked appointment to another slot (and
// optionally location) of its practitioner; 409 when that slot is full.
func (h *Handler) rescheduleAppointment(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Start          *string `json:"start"`
		LocationID     string  `json:"location_id"`
		PractitionerID string  `json:"practitioner_id"`
	}
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	fields := medic.FieldErrors{}
	start := instantField(fields, "start", in.Start)
	if err := fields.Err(); err != nil {
		h.error(w, r, err)
		return
	}
	a, err := h.app.RescheduleAppointment(r.Context(), r.PathValue("id"), start, in.PractitionerID, in.LocationID)
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toAppointment(practiceZone(r.Context()))(a))
}

// cancelAppointment cancels with a reason (required).
func (h *Handler) cancelAppointment(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Reason string `json:"reason"`
	}
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	h.setAppointmentStatus(w, r, medic.StatusCancelled, in.Reason)
}

// appointmentStatus answers a status change without a body: check-in,
// no-show, start, complete.
func (h *Handler) appointmentStatus(to medic.AppointmentStatus) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := decodeOptional(r, &struct{}{}); err != nil {
			h.error(w, r, err)
			return
		}
		h.setAppointmentStatus(w, r, to, "")
	}
}

// setAppointmentStatus applies a change; one that the appointment's status
// does not allow is 409.
func (h *Handler) setAppointmentStatus(w http.ResponseWriter, r *http.Request, to medic.AppointmentStatus, reason string) {
	a, err := h.app.SetAppointmentStatus(r.Context(), r.PathValue("id"), to, reason)
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toAppointment(practiceZone(r.Context()))(a))
}
