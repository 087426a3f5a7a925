package fhirapi

import (
	"net/http"
	"strings"

	"medic"
	"medic/internal/app"
	"medic/internal/fhir"
)

func (h *Handler) appointmentType() *resourceType {
	return &resourceType{name: "Appointment", doc: "Appointments. Create books through the same database guarantee as the desk (409 when the slot is full); update changes either the status (check-in, cancel, no-show ...) or the time, practitioner and location (a reschedule), one at a time.",
		read: h.readAppointment, search: h.searchAppointments, create: h.createAppointment, update: h.updateAppointment,
		vread: h.vread(h.appointmentVersions), history: h.history("Appointment", h.appointmentVersions),
		params: []searchParam{
			{"date", "date", "Start, with prefixes eq, lt, le, gt, ge, sa, eb; dates are days of the practice's time zone."},
			{"patient", "reference", "The patient."},
			{"practitioner", "reference", "The practitioner."},
			{"location", "reference", "The location."},
			{"status", "token", "booked, checked-in, arrived, fulfilled, cancelled or noshow (comma: any of)."},
		},
		sorts: []searchParam{{"date", "", "start; the order without _sort"}}}
}

func (h *Handler) readAppointment(w http.ResponseWriter, r *http.Request, id string) {
	a, err := h.app.GetAppointment(r.Context(), id)
	if err != nil {
		h.error(w, r, err)
		return
	}
	res := fhir.FromAppointment(a, h.location(r))
	h.writeVersioned(w, http.StatusOK, res.Meta, res)
}

// refParam reads a reference parameter given at most once as an id of typ;
// none is true when it can match nothing (another type, not an id).
func refParam(s *searchRequest, name, typ string) (id string, none bool, err error) {
	v, err := s.one(name)
	if err != nil || v == "" {
		return "", false, err
	}
	if err := noOr(name, []string{v}); err != nil {
		return "", false, err
	}
	id, ok := reference(v, typ)
	return id, !ok || !isUUID(id), nil
}

func (h *Handler) searchAppointments(w http.ResponseWriter, r *http.Request, s *searchRequest) {
	var f medic.AppointmentFilter
	var none [3]bool
	var err error
	if f.PatientID, none[0], err = refParam(s, "patient", "Patient"); err != nil {
		h.error(w, r, err)
		return
	}
	if f.PractitionerID, none[1], err = refParam(s, "practitioner", "Practitioner"); err != nil {
		h.error(w, r, err)
		return
	}
	if f.LocationID, none[2], err = refParam(s, "location", "Location"); err != nil {
		h.error(w, r, err)
		return
	}
	for _, v := range ids(s.get("status")) {
		st, ok := fhir.AppointmentStatus(v)
		if !ok {
			h.error(w, r, badRequest("status: use booked, checked-in, arrived, fulfilled, cancelled or noshow."))
			return
		}
		f.Statuses = append(f.Statuses, st)
	}
	if len(s.get("status")) > 1 {
		h.error(w, r, badRequest("status: give it once (commas list any of several)."))
		return
	}
	span, err := dateSpan("date", s.get("date"), s.loc)
	if err != nil {
		h.error(w, r, err)
		return
	}
	f.From, f.To = span.from, span.before
	if none[0] || none[1] || none[2] || span.empty() {
		if s.count {
			h.writeCount(w, s, 0)
		} else {
			h.writeBundle(w, s, nil, "", nil)
		}
		return
	}
	if s.count {
		// Counting pages through the matches (audited as listed): there is
		// no count use case for appointments yet.
		n := 0
		p := medic.Page{Limit: medic.MaxLimit}
		for {
			as, next, err := h.app.ListAppointments(r.Context(), f, p)
			if err != nil {
				h.error(w, r, err)
				return
			}
			n += len(as)
			if next == "" {
				break
			}
			p.Cursor = next
		}
		h.writeCount(w, s, n)
		return
	}
	f.Descending = s.sort == "date" && s.desc
	as, next, err := h.app.ListAppointments(r.Context(), f, s.page)
	if err != nil {
		h.error(w, r, err)
		return
	}
	loc := h.location(r)
	entries := make([]entry, len(as))
	for i, a := range as {
		entries[i] = entry{typ: "Appointment", id: a.ID, res: fhir.FromAppointment(a, loc)}
	}
	h.writeBundle(w, s, entries, next, nil)
}

// appointmentField maps the booking use case's field names to elements.
var appointmentField = map[string]string{
	"patient_id": "Appointment.participant", "practitioner_id": "Appointment.participant", "location_id": "Appointment.participant",
	"appointment_type_id": "Appointment.appointmentType", "type": "Appointment.appointmentType", "start": "Appointment.start",
	"notes": "Appointment.comment", "location": "Appointment.participant", "practitioner": "Appointment.participant",
	"reason": "Appointment.cancelationReason",
}

func (h *Handler) createAppointment(w http.ResponseWriter, r *http.Request) {
	var in fhir.Appointment
	if err := readBody(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	if in.ID != "" {
		h.error(w, r, badRequest("A new Appointment has no id; the server assigns one."))
		return
	}
	req, err := fhir.ReadAppointment(&in)
	if err == nil && req.Status != medic.StatusBooked {
		err = &medic.Error{Code: medic.EINVALID, Message: "A new appointment is booked.", Fields: map[string]string{"Appointment.status": "Use booked."}}
	}
	if err != nil {
		h.error(w, r, err)
		return
	}
	a, err := h.app.BookAppointment(r.Context(), app.BookingRequest{PatientID: req.PatientID, PractitionerID: req.PractitionerID, LocationID: req.LocationID,
		AppointmentTypeID: req.TypeID, Start: req.Start, Notes: req.Notes})
	if err != nil {
		h.error(w, r, err, appointmentField)
		return
	}
	// Not read again for the names (displays): that would audit a view of
	// what the request only wrote.
	res := fhir.FromAppointment(a, h.location(r))
	w.Header().Set("Location", h.baseURL(r)+"/Appointment/"+a.ID+"/_history/"+res.Meta.VersionID)
	h.writeVersioned(w, http.StatusCreated, res.Meta, res)
}

// updateAppointment applies one change: a status (through the desk's
// transitions) or a move (reschedule, with the slot guarantee).
func (h *Handler) updateAppointment(w http.ResponseWriter, r *http.Request, id string) {
	var in fhir.Appointment
	if err := readBody(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	if in.ID != id {
		h.error(w, r, badRequest("The Appointment's id must be the id in the URL."))
		return
	}
	req, err := fhir.ReadAppointment(&in)
	if err != nil {
		h.error(w, r, err)
		return
	}
	cur, err := h.app.GetAppointment(r.Context(), id)
	if err != nil {
		h.error(w, r, err)
		return
	}
	version, conditional, err := ifMatch(r)
	if err == nil && conditional && version != fhir.VersionOf(cur.UpdatedAt) {
		err = errPrecondition
	}
	if err != nil {
		h.error(w, r, err)
		return
	}
	moved := !req.Start.Equal(cur.Start) || req.PractitionerID != cur.PractitionerID || req.LocationID != cur.LocationID
	statusChanged := req.Status != cur.Status
	refuse := func(field, msg string) {
		h.error(w, r, &medic.Error{Code: medic.EINVALID, Message: msg, Fields: map[string]string{field: msg}})
	}
	switch {
	case req.PatientID != cur.PatientID:
		refuse("Appointment.participant", "An appointment's patient cannot change; book a new one.")
		return
	case req.TypeID != cur.AppointmentTypeID:
		refuse("Appointment.appointmentType", "An appointment's type cannot change; book a new one.")
		return
	case strings.TrimSpace(req.Notes) != strings.TrimSpace(cur.Notes):
		refuse("Appointment.comment", "The comment cannot change through FHIR.")
		return
	case moved && statusChanged:
		refuse("Appointment.status", "Change the status or the time, not both at once.")
		return
	}
	var a *medic.Appointment
	switch {
	case moved:
		a, err = h.app.RescheduleAppointment(r.Context(), id, req.Start, req.PractitionerID, req.LocationID)
	case statusChanged:
		a, err = h.app.SetAppointmentStatus(r.Context(), id, req.Status, req.CancelReason)
	default:
		a = cur
	}
	if err != nil {
		h.error(w, r, err, appointmentField)
		return
	}
	res := fhir.FromAppointment(a, h.location(r))
	h.writeVersioned(w, http.StatusOK, res.Meta, res)
}

// isUUID reports whether s looks like a UUID (ids the store can look up).
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return false
			}
		case !strings.ContainsRune("0123456789abcdefABCDEF", c):
			return false
		}
	}
	return true
}
