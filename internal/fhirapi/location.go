package fhirapi

import (
	"net/http"
	"slices"

	"medic"
	"medic/internal/fhir"
)

func (h *Handler) locationType() *resourceType {
	return &resourceType{name: "Location", doc: "The practice's sites.", read: h.readLocation, search: h.searchLocations,
		params: []searchParam{
			{"_id", "token", "Location ids (comma: any of)."},
			{"name", "string", "Starts a word of the name."},
			{"status", "token", "active or inactive."},
		}}
}

func (h *Handler) readLocation(w http.ResponseWriter, r *http.Request, id string) {
	l, err := h.app.GetLocation(r.Context(), id)
	if err != nil {
		h.error(w, r, err)
		return
	}
	t, _ := medic.TenantFrom(r.Context())
	res := fhir.FromLocation(l, t.PracticeID)
	h.writeVersioned(w, http.StatusOK, res.Meta, res)
}

func (h *Handler) searchLocations(w http.ResponseWriter, r *http.Request, s *searchRequest) {
	if err := noOr("name", s.get("name")); err != nil {
		h.error(w, r, err)
		return
	}
	status, err := s.one("status")
	if err == nil && status != "" && status != "active" && status != "inactive" {
		err = badRequest("status: use active or inactive.")
	}
	if err != nil {
		h.error(w, r, err)
		return
	}
	all, err := allPages(func(p medic.Page) ([]*medic.Location, string, error) { return h.app.ListLocations(r.Context(), p) })
	if err != nil {
		h.error(w, r, err)
		return
	}
	want := ids(s.get("_id"))
	var kept []*medic.Location
	for _, l := range all {
		ok := len(want) == 0 || slices.Contains(want, l.ID)
		for _, n := range s.get("name") {
			ok = ok && matchesWord(l.Name, n)
		}
		if status != "" {
			ok = ok && l.Active == (status == "active")
		}
		if ok {
			kept = append(kept, l)
		}
	}
	if s.count {
		h.writeCount(w, s, len(kept))
		return
	}
	t, _ := medic.TenantFrom(r.Context())
	page, next := pageByID(kept, func(l *medic.Location) string { return l.ID }, s.page)
	entries := make([]entry, len(page))
	for i, l := range page {
		entries[i] = entry{typ: "Location", id: l.ID, res: fhir.FromLocation(l, t.PracticeID)}
	}
	h.writeBundle(w, s, entries, next, nil)
}
