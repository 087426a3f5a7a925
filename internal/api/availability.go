package api

import (
	"context"
	"net/http"
	"sync"
	"time"

	"medic"
	"medic/internal/app"
)

// availabilityRoutes registers free times.
func (h *Handler) availabilityRoutes(mux Router) {
	mux.HandleFunc("GET /api/v1/practices/{practice}/availability", h.tenant(h.getAvailability))
}

type slotDTO struct {
	Start          time.Time `json:"start"`
	End            time.Time `json:"end"`
	PractitionerID string    `json:"practitioner_id"`
	LocationID     string    `json:"location_id"`
	Remaining      int       `json:"remaining"`
}

func toSlot(loc *time.Location) func(medic.Slot) slotDTO {
	return func(s medic.Slot) slotDTO {
		return slotDTO{Start: s.Start.In(loc), End: s.End.In(loc), PractitionerID: s.PractitionerID, LocationID: s.LocationID, Remaining: s.Remaining}
	}
}

// getAvailability lists open slots. from and to take RFC 3339 instants or
// dates (YYYY-MM-DD, the practice's local midnight); both default as the
// use case says (the next 7 days).
func (h *Handler) getAvailability(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	loc := practiceZone(r.Context())
	fields := medic.FieldErrors{}
	from := instantParam(fields, q, "from", loc)
	to := instantParam(fields, q, "to", loc)
	if err := fields.Err(); err != nil {
		h.error(w, r, err)
		return
	}
	slots, err := h.app.Availability(r.Context(), app.AvailabilityQuery{
		PractitionerID: q.Get("practitioner"), LocationID: q.Get("location"), AppointmentTypeID: q.Get("type"), From: from, To: to,
	})
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newList(mapAll(slots, toSlot(loc)), ""))
}

// zones caches time zones: time.LoadLocation reads the tz database each call.
var zones sync.Map // name -> *time.Location

// practiceZone is the time zone of the practice in context (UTC if unknown):
// instants go out in it, and a bare date means its local midnight.
func practiceZone(ctx context.Context) *time.Location {
	t, _ := medic.TenantFrom(ctx)
	name := t.TimeZone
	if name == "" {
		name = "Africa/Johannesburg"
	}
	if l, ok := zones.Load(name); ok {
		return l.(*time.Location)
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	zones.Store(name, l)
	return l
}

// parseInstant reads an RFC 3339 instant, or a date as its midnight in loc.
func parseInstant(s string, loc *time.Location) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, true
	}
	d, err := medic.ParseDate(s)
	if err != nil {
		return time.Time{}, false
	}
	return d.In(loc), true
}

// instantParam reads an optional instant from the query, noting a bad one.
func instantParam(fields medic.FieldErrors, q map[string][]string, name string, loc *time.Location) time.Time {
	vs := q[name]
	if len(vs) == 0 || vs[0] == "" {
		return time.Time{}
	}
	t, ok := parseInstant(vs[0], loc)
	if !ok {
		fields.Add(name, "Use RFC 3339 (2030-03-04T09:00:00+02:00) or a date (2030-03-04).")
	}
	return t
}

// instantField reads a required RFC 3339 instant from a body field.
func instantField(fields medic.FieldErrors, name string, s *string) time.Time {
	if s == nil || *s == "" {
		fields.Add(name, "Required: a time like 2030-03-04T09:00:00+02:00.")
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, *s)
	if err != nil {
		fields.Add(name, "Use RFC 3339 with an offset, like 2030-03-04T09:00:00+02:00.")
	}
	return t
}

// dateField reads an optional YYYY-MM-DD body field ("" or absent: zero).
func dateField(fields medic.FieldErrors, name string, s *string) medic.Date {
	if s == nil || *s == "" {
		return medic.Date{}
	}
	d, err := medic.ParseDate(*s)
	if err != nil {
		fields.Add(name, "Use a date like 2030-03-04.")
	}
	return d
}
