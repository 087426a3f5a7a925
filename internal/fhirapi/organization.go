package fhirapi

import (
	"net/http"
	"slices"

	"medic/internal/fhir"
)

func (h *Handler) organizationType() *resourceType {
	return &resourceType{name: "Organization", doc: "The practice the token belongs to (the only Organization it sees).",
		read: h.readOrganization, search: h.searchOrganizations,
		params: []searchParam{{"_id", "token", "The practice's id."}}}
}

func (h *Handler) readOrganization(w http.ResponseWriter, r *http.Request, id string) {
	p, err := h.app.GetPractice(r.Context())
	if err != nil {
		h.error(w, r, err)
		return
	}
	if p.ID != id {
		h.error(w, r, errNotFound)
		return
	}
	res := fhir.FromPractice(p)
	h.writeVersioned(w, http.StatusOK, res.Meta, res)
}

func (h *Handler) searchOrganizations(w http.ResponseWriter, r *http.Request, s *searchRequest) {
	p, err := h.app.GetPractice(r.Context())
	if err != nil {
		h.error(w, r, err)
		return
	}
	var entries []entry
	if want := ids(s.get("_id")); len(want) == 0 || slices.Contains(want, p.ID) {
		entries = append(entries, entry{typ: "Organization", id: p.ID, res: fhir.FromPractice(p)})
	}
	if s.count {
		h.writeCount(w, s, len(entries))
		return
	}
	h.writeBundle(w, s, entries, "", nil)
}
