package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"medic"
	"medic/internal/app"
)

// scheduleRoutes registers working hours and their exceptions.
func (h *Handler) scheduleRoutes(mux Router) {
	mux.HandleFunc("GET /api/v1/practices/{practice}/schedules", h.tenant(h.listScheduleRules))
	mux.HandleFunc("POST /api/v1/practices/{practice}/schedules", h.tenant(h.createScheduleRule))
	mux.HandleFunc("GET /api/v1/practices/{practice}/schedules/{id}", h.tenant(h.getScheduleRule))
	mux.HandleFunc("PATCH /api/v1/practices/{practice}/schedules/{id}", h.tenant(h.updateScheduleRule))
	mux.HandleFunc("DELETE /api/v1/practices/{practice}/schedules/{id}", h.tenant(h.deleteScheduleRule))
	mux.HandleFunc("GET /api/v1/practices/{practice}/schedule-exceptions", h.tenant(h.listScheduleExceptions))
	mux.HandleFunc("POST /api/v1/practices/{practice}/schedule-exceptions", h.tenant(h.createScheduleException))
	mux.HandleFunc("DELETE /api/v1/practices/{practice}/schedule-exceptions/{id}", h.tenant(h.deleteScheduleException))
}

type scheduleRuleDTO struct {
	ID                 string     `json:"id"`
	PractitionerID     string     `json:"practitioner_id"`
	LocationID         string     `json:"location_id"`
	Weekday            string     `json:"weekday"`
	Start              string     `json:"start"`
	End                string     `json:"end"`
	SlotMinutes        int        `json:"slot_minutes"`
	Capacity           int        `json:"capacity"`
	AppointmentTypeIDs []string   `json:"appointment_type_ids"`
	EffectiveFrom      medic.Date `json:"effective_from"`
	EffectiveTo        medic.Date `json:"effective_to"`
	CreatedAt          time.Time  `json:"created_at"`
}

func toScheduleRule(r *medic.ScheduleRule) scheduleRuleDTO {
	return scheduleRuleDTO{ID: r.ID, PractitionerID: r.PractitionerID, LocationID: r.LocationID, Weekday: strings.ToLower(r.Weekday.String()),
		Start: r.Start.String(), End: r.End.String(), SlotMinutes: r.SlotMinutes, Capacity: r.Capacity,
		AppointmentTypeIDs: nonNilStrings(r.AppointmentTypeIDs), EffectiveFrom: r.EffectiveFrom, EffectiveTo: r.EffectiveTo, CreatedAt: r.CreatedAt}
}

// parseWeekday reads "monday".."sunday" (any case).
func parseWeekday(s string) (time.Weekday, bool) {
	for d := time.Sunday; d <= time.Saturday; d++ {
		if strings.EqualFold(s, d.String()) {
			return d, true
		}
	}
	return 0, false
}

// scheduleRuleInput is a create or partial update; nil fields stay as they
// are. "confirm" saves a change that leaves appointments outside working
// hours (they are kept).
type scheduleRuleInput struct {
	PractitionerID     *string   `json:"practitioner_id"`
	LocationID         *string   `json:"location_id"`
	Weekday            *string   `json:"weekday"`
	Start              *string   `json:"start"`
	End                *string   `json:"end"`
	SlotMinutes        *int      `json:"slot_minutes"`
	Capacity           *int      `json:"capacity"`
	AppointmentTypeIDs *[]string `json:"appointment_type_ids"`
	EffectiveFrom      *string   `json:"effective_from"`
	EffectiveTo        *string   `json:"effective_to"` // "" or null: open-ended
	Confirm            bool      `json:"confirm"`
}

func (in scheduleRuleInput) apply(r *medic.ScheduleRule) error {
	f := medic.FieldErrors{}
	if in.PractitionerID != nil {
		r.PractitionerID = *in.PractitionerID
	}
	if in.LocationID != nil {
		r.LocationID = *in.LocationID
	}
	if in.Weekday != nil {
		d, ok := parseWeekday(*in.Weekday)
		if !ok {
			f.Add("weekday", "Choose monday to sunday.")
		}
		r.Weekday = d
	}
	for _, c := range []struct {
		field string
		in    *string
		dst   *medic.ClockTime
	}{{"start", in.Start, &r.Start}, {"end", in.End, &r.End}} {
		if c.in == nil {
			continue
		}
		t, err := medic.ParseClockTime(*c.in)
		if err != nil {
			f.Add(c.field, "Use a time like 08:30.")
		}
		*c.dst = t
	}
	if in.SlotMinutes != nil {
		r.SlotMinutes = *in.SlotMinutes
	}
	if in.Capacity != nil {
		r.Capacity = *in.Capacity
	}
	if in.AppointmentTypeIDs != nil {
		r.AppointmentTypeIDs = *in.AppointmentTypeIDs
		if len(r.AppointmentTypeIDs) > 50 {
			f.Add("appointment_type_ids", "Choose at most 50 types.")
		}
	}
	if in.EffectiveFrom != nil {
		r.EffectiveFrom = dateField(f, "effective_from", in.EffectiveFrom)
	}
	if in.EffectiveTo != nil {
		r.EffectiveTo = dateField(f, "effective_to", in.EffectiveTo)
	}
	return f.Err()
}

// strandedProblem is the 409 for a schedule change that would leave booked
// appointments outside working hours: the problem with those appointments.
type strandedProblem struct {
	problem
	StrandedAppointments []appointmentDTO `json:"stranded_appointments"`
}

// writeScheduleError answers ErrScheduleStrandsAppointments with the list;
// other errors as usual.
func (h *Handler) writeScheduleError(w http.ResponseWriter, r *http.Request, err error, stranded []*medic.Appointment) {
	if !errors.Is(err, app.ErrScheduleStrandsAppointments) {
		h.error(w, r, err)
		return
	}
	body := strandedProblem{
		problem:              problem{Type: "about:blank", Title: http.StatusText(http.StatusConflict), Status: http.StatusConflict, Detail: medic.ErrorMessage(err)},
		StrandedAppointments: mapAll(stranded, toAppointment(practiceZone(r.Context()))),
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(http.StatusConflict)
	_ = json.NewEncoder(w).Encode(body)
}

// confirmParam reads ?confirm=true.
func confirmParam(r *http.Request) (bool, error) {
	fields := medic.FieldErrors{}
	c := boolParam(fields, r.URL.Query(), "confirm")
	return c, fields.Err()
}

// decodeOptional is decode for a body that may be left out.
func decodeOptional(r *http.Request, dst any) error {
	body, err := io.ReadAll(r.Body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return &medic.Error{Code: medic.ETOOLARGE, Message: "The request body is too large."}
	} else if err != nil {
		return &medic.Error{Code: medic.EINVALID, Message: "The request body could not be read."}
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return decode(r, dst)
}

// listScheduleRules lists the weekly rules, of one practitioner with
// ?practitioner= (a practitioner of another practice has none).
func (h *Handler) listScheduleRules(w http.ResponseWriter, r *http.Request) {
	rs, err := h.app.ListScheduleRules(r.Context(), r.URL.Query().Get("practitioner"))
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newList(mapAll(rs, toScheduleRule), ""))
}

func (h *Handler) getScheduleRule(w http.ResponseWriter, r *http.Request) {
	rule, err := h.app.GetScheduleRule(r.Context(), r.PathValue("id"))
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toScheduleRule(rule))
}

func (h *Handler) createScheduleRule(w http.ResponseWriter, r *http.Request) {
	var in scheduleRuleInput
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	// A new rule holds one booking per slot and starts today unless told otherwise.
	rule := &medic.ScheduleRule{Capacity: 1, EffectiveFrom: medic.DateOf(h.app.Clock.Now().In(practiceZone(r.Context())))}
	err := in.apply(rule)
	if in.Weekday == nil {
		err = mergeFieldErrors(err, &medic.Error{Code: medic.EINVALID, Fields: map[string]string{"weekday": "Choose monday to sunday."}})
	}
	if err != nil {
		h.error(w, r, err)
		return
	}
	if _, err := h.app.SaveScheduleRule(r.Context(), rule, in.Confirm); err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, toScheduleRule(rule))
}

// updateScheduleRule changes a rule. A change that leaves booked
// appointments outside working hours answers 409 with them in
// "stranded_appointments" unless confirmed (?confirm=true or "confirm":
// true); confirmed, the rule changes and the appointments are kept.
func (h *Handler) updateScheduleRule(w http.ResponseWriter, r *http.Request) {
	var in scheduleRuleInput
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	confirm, err := confirmParam(r)
	if err != nil {
		h.error(w, r, err)
		return
	}
	if err := in.apply(&medic.ScheduleRule{}); err != nil {
		h.error(w, r, err)
		return
	}
	rule, err := h.app.GetScheduleRule(r.Context(), r.PathValue("id"))
	if err != nil {
		h.error(w, r, err)
		return
	}
	_ = in.apply(rule)
	stranded, err := h.app.SaveScheduleRule(r.Context(), rule, confirm || in.Confirm)
	if err != nil {
		h.writeScheduleError(w, r, err, stranded)
		return
	}
	writeJSON(w, http.StatusOK, toScheduleRule(rule))
}

// deleteScheduleRule removes a rule, with the same confirmation as a change.
func (h *Handler) deleteScheduleRule(w http.ResponseWriter, r *http.Request) {
	h.deleteConfirmed(w, r, h.app.DeleteScheduleRule)
}

// deleteConfirmed runs a removal that answers 409 with the appointments it
// would strand unless confirmed (?confirm=true or {"confirm": true}).
func (h *Handler) deleteConfirmed(w http.ResponseWriter, r *http.Request, remove func(ctx context.Context, id string, confirm bool) ([]*medic.Appointment, error)) {
	var in struct {
		Confirm bool `json:"confirm"`
	}
	if err := decodeOptional(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	confirm, err := confirmParam(r)
	if err != nil {
		h.error(w, r, err)
		return
	}
	stranded, err := remove(r.Context(), r.PathValue("id"), confirm || in.Confirm)
	if err != nil {
		h.writeScheduleError(w, r, err, stranded)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type scheduleExceptionDTO struct {
	ID             string              `json:"id"`
	PractitionerID string              `json:"practitioner_id"`
	Kind           medic.ExceptionKind `json:"kind"`
	Start          time.Time           `json:"start"`
	End            time.Time           `json:"end"`
	LocationID     *string             `json:"location_id"`
	SlotMinutes    int                 `json:"slot_minutes"`
	Capacity       int                 `json:"capacity"`
	Reason         string              `json:"reason"`
	CreatedAt      time.Time           `json:"created_at"`
}

func toScheduleException(loc *time.Location) func(*medic.ScheduleException) scheduleExceptionDTO {
	return func(e *medic.ScheduleException) scheduleExceptionDTO {
		d := scheduleExceptionDTO{ID: e.ID, PractitionerID: e.PractitionerID, Kind: e.Kind, Start: e.Start.In(loc), End: e.End.In(loc),
			SlotMinutes: e.SlotMinutes, Capacity: e.Capacity, Reason: e.Reason, CreatedAt: e.CreatedAt}
		if e.LocationID != "" {
			l := e.LocationID
			d.LocationID = &l
		}
		return d
	}
}

// listScheduleExceptions lists leave and extra hours overlapping [from,
// to) (either side open when left out), of one practitioner with
// ?practitioner=.
func (h *Handler) listScheduleExceptions(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	loc := practiceZone(r.Context())
	fields := medic.FieldErrors{}
	from := instantParam(fields, q, "from", loc)
	to := instantParam(fields, q, "to", loc)
	if err := fields.Err(); err != nil {
		h.error(w, r, err)
		return
	}
	es, err := h.app.ListScheduleExceptions(r.Context(), q.Get("practitioner"), from, to)
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newList(mapAll(es, toScheduleException(loc)), ""))
}

// createScheduleException records leave ("kind": "leave", a range) or
// one-off extra hours ("kind": "extra", at a location, with slot_minutes
// and capacity). start and end take RFC 3339 instants or dates (the
// practice's local midnight; end is exclusive). Leave over booked
// appointments answers 409 with them unless confirmed.
func (h *Handler) createScheduleException(w http.ResponseWriter, r *http.Request) {
	var in struct {
		PractitionerID string              `json:"practitioner_id"`
		Kind           medic.ExceptionKind `json:"kind"`
		Start          string              `json:"start"`
		End            string              `json:"end"`
		LocationID     string              `json:"location_id"`
		SlotMinutes    int                 `json:"slot_minutes"`
		Capacity       int                 `json:"capacity"`
		Reason         string              `json:"reason"`
		Confirm        bool                `json:"confirm"`
	}
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	confirm, err := confirmParam(r)
	if err != nil {
		h.error(w, r, err)
		return
	}
	loc := practiceZone(r.Context())
	fields := medic.FieldErrors{}
	e := &medic.ScheduleException{PractitionerID: in.PractitionerID, Kind: in.Kind, LocationID: in.LocationID,
		SlotMinutes: in.SlotMinutes, Capacity: in.Capacity, Reason: strings.TrimSpace(in.Reason)}
	for _, t := range []struct {
		field, in string
		dst       *time.Time
	}{{"start", in.Start, &e.Start}, {"end", in.End, &e.End}} {
		v, ok := parseInstant(t.in, loc)
		if !ok {
			fields.Add(t.field, "Use RFC 3339 (2030-03-04T09:00:00+02:00) or a date (2030-03-04).")
		}
		*t.dst = v
	}
	if err := fields.Err(); err != nil {
		h.error(w, r, err)
		return
	}
	stranded, err := h.app.AddScheduleException(r.Context(), e, confirm || in.Confirm)
	if err != nil {
		h.writeScheduleError(w, r, err, stranded)
		return
	}
	writeJSON(w, http.StatusCreated, toScheduleException(loc)(e))
}

// deleteScheduleException removes leave or extra hours; removing extra
// hours that strands appointments answers 409 with them unless confirmed.
func (h *Handler) deleteScheduleException(w http.ResponseWriter, r *http.Request) {
	h.deleteConfirmed(w, r, h.app.DeleteScheduleException)
}
