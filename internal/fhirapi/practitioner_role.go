package fhirapi

import (
	"net/http"
	"slices"

	"medic"
	"medic/internal/fhir"
)

func (h *Handler) practitionerRoleType() *resourceType {
	return &resourceType{name: "PractitionerRole", doc: "Each practitioner's place in the practice (one per practitioner, with the practitioner's id) and the locations they are assigned to.",
		read: h.readPractitionerRole, search: h.searchPractitionerRoles,
		params: []searchParam{
			{"_id", "token", "Ids (comma: any of)."},
			{"practitioner", "reference", "The practitioner."},
			{"location", "reference", "A location the practitioner is assigned to."},
			{"active", "token", "true or false."},
		}}
}

func (h *Handler) readPractitionerRole(w http.ResponseWriter, r *http.Request, id string) {
	p, err := h.app.GetPractitioner(r.Context(), id)
	if err != nil {
		h.error(w, r, err)
		return
	}
	t, _ := medic.TenantFrom(r.Context())
	res := fhir.FromPractitionerRole(p, t.PracticeID, t.Name)
	h.writeVersioned(w, http.StatusOK, res.Meta, res)
}

func (h *Handler) searchPractitionerRoles(w http.ResponseWriter, r *http.Request, s *searchRequest) {
	ps, err := h.practitioners(r, s)
	if err != nil {
		h.error(w, r, err)
		return
	}
	var practitioner, location []string
	for _, v := range s.get("practitioner") {
		id, ok := reference(v, "Practitioner")
		if !ok {
			id = "none"
		}
		practitioner = append(practitioner, id)
	}
	for _, v := range s.get("location") {
		id, ok := reference(v, "Location")
		if !ok {
			id = "none"
		}
		location = append(location, id)
	}
	var kept []*medic.Practitioner
	for _, p := range ps {
		ok := true
		for _, id := range practitioner {
			ok = ok && p.ID == id
		}
		for _, id := range location {
			ok = ok && slices.Contains(p.LocationIDs(), id)
		}
		if ok {
			kept = append(kept, p)
		}
	}
	if s.count {
		h.writeCount(w, s, len(kept))
		return
	}
	t, _ := medic.TenantFrom(r.Context())
	page, next := pageByID(kept, func(p *medic.Practitioner) string { return p.ID }, s.page)
	entries := make([]entry, len(page))
	for i, p := range page {
		entries[i] = entry{typ: "PractitionerRole", id: p.ID, res: fhir.FromPractitionerRole(p, t.PracticeID, t.Name)}
	}
	h.writeBundle(w, s, entries, next, nil)
}
