package fhirapi

import (
	"context"
	"net/http"
	"slices"

	"medic"
	"medic/internal/fhir"
)

func (h *Handler) scheduleType() *resourceType {
	return &resourceType{name: "Schedule", doc: "A practitioner's bookable time at one location (their weekly rules there); its Slots come from the availability engine.",
		read: h.readSchedule, search: h.searchSchedules,
		params: []searchParam{
			{"_id", "token", "Schedule ids (comma: any of)."},
			{"actor", "reference", "Practitioner/{id} or Location/{id}."},
			{"active", "token", "true or false."},
		}}
}

// scheduleOf is one practitioner's schedule at one location.
type scheduleOf struct {
	p     *medic.Practitioner
	l     *medic.Location
	rules []*medic.ScheduleRule
}

func (s scheduleOf) id() string { return fhir.ScheduleID(s.p.ID, s.l.ID) }

// schedules lists every practitioner's schedule at each location they are
// assigned to or have weekly rules at.
func (h *Handler) schedules(ctx context.Context, practitionerID string) ([]scheduleOf, error) {
	var ps []*medic.Practitioner
	if practitionerID != "" {
		p, err := h.app.GetPractitioner(ctx, practitionerID)
		if err != nil {
			return nil, err
		}
		ps = []*medic.Practitioner{p}
	} else {
		var err error
		if ps, err = allPages(func(p medic.Page) ([]*medic.Practitioner, string, error) { return h.app.ListPractitioners(ctx, p) }); err != nil {
			return nil, err
		}
	}
	locs, err := allPages(func(p medic.Page) ([]*medic.Location, string, error) { return h.app.ListLocations(ctx, p) })
	if err != nil {
		return nil, err
	}
	var out []scheduleOf
	for _, p := range ps {
		rules, err := h.app.ListScheduleRules(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		for _, l := range locs {
			s := scheduleOf{p: p, l: l}
			for _, rule := range rules {
				if rule.LocationID == l.ID {
					s.rules = append(s.rules, rule)
				}
			}
			if len(s.rules) > 0 || slices.Contains(p.LocationIDs(), l.ID) {
				out = append(out, s)
			}
		}
	}
	return out, nil
}

func (h *Handler) readSchedule(w http.ResponseWriter, r *http.Request, id string) {
	pid, lid, ok := fhir.ParseScheduleID(id)
	if !ok {
		h.error(w, r, errNotFound)
		return
	}
	all, err := h.schedules(r.Context(), pid)
	if err != nil {
		h.error(w, r, err)
		return
	}
	for _, s := range all {
		if s.l.ID == lid {
			res := fhir.FromSchedule(s.p, s.l, s.rules)
			h.writeVersioned(w, http.StatusOK, res.Meta, res)
			return
		}
	}
	h.error(w, r, errNotFound)
}

func (h *Handler) searchSchedules(w http.ResponseWriter, r *http.Request, s *searchRequest) {
	active, err := s.one("active")
	if err == nil && active != "" && active != "true" && active != "false" {
		err = badRequest("active: use true or false.")
	}
	if err != nil {
		h.error(w, r, err)
		return
	}
	all, err := h.schedules(r.Context(), "")
	if err != nil {
		h.error(w, r, err)
		return
	}
	want := ids(s.get("_id"))
	var kept []scheduleOf
	for _, sc := range all {
		ok := len(want) == 0 || slices.Contains(want, sc.id())
		for _, v := range s.get("actor") {
			if id, isP := reference(v, "Practitioner"); isP && len(v) > len(id) {
				ok = ok && sc.p.ID == id
			} else if id, isL := reference(v, "Location"); isL && len(v) > len(id) {
				ok = ok && sc.l.ID == id
			} else {
				ok = ok && (sc.p.ID == v || sc.l.ID == v)
			}
		}
		res := fhir.FromSchedule(sc.p, sc.l, sc.rules)
		if active != "" {
			ok = ok && *res.Active == (active == "true")
		}
		if ok {
			kept = append(kept, sc)
		}
	}
	if s.count {
		h.writeCount(w, s, len(kept))
		return
	}
	page, next := pageByID(kept, scheduleOf.id, s.page)
	entries := make([]entry, len(page))
	for i, sc := range page {
		entries[i] = entry{typ: "Schedule", id: sc.id(), res: fhir.FromSchedule(sc.p, sc.l, sc.rules)}
	}
	h.writeBundle(w, s, entries, next, nil)
}
