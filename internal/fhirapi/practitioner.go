package fhirapi

import (
	"net/http"
	"slices"

	"medic"
	"medic/internal/fhir"
)

func (h *Handler) practitionerType() *resourceType {
	return &resourceType{name: "Practitioner", doc: "The practice's practitioners.", read: h.readPractitioner, search: h.searchPractitioners,
		params: []searchParam{
			{"_id", "token", "Practitioner ids (comma: any of)."},
			{"name", "string", "Starts a word of the name."},
			{"identifier", "token", "Registration number: " + fhir.HPCSASystem + "|value, or the value alone."},
			{"active", "token", "true or false."},
		}}
}

func (h *Handler) readPractitioner(w http.ResponseWriter, r *http.Request, id string) {
	p, err := h.app.GetPractitioner(r.Context(), id)
	if err != nil {
		h.error(w, r, err)
		return
	}
	res := fhir.FromPractitioner(p)
	h.writeVersioned(w, http.StatusOK, res.Meta, res)
}

// practitioners reads the practice's practitioners matching the common
// parameters of Practitioner and PractitionerRole searches.
func (h *Handler) practitioners(r *http.Request, s *searchRequest) ([]*medic.Practitioner, error) {
	if err := noOr("name", s.get("name")); err != nil {
		return nil, err
	}
	active, err := s.one("active")
	if err != nil {
		return nil, err
	}
	if active != "" && active != "true" && active != "false" {
		return nil, badRequest("active: use true or false.")
	}
	all, err := allPages(func(p medic.Page) ([]*medic.Practitioner, string, error) {
		return h.app.ListPractitioners(r.Context(), p)
	})
	if err != nil {
		return nil, err
	}
	want := ids(s.get("_id"))
	ident, err := s.one("identifier")
	if err != nil {
		return nil, err
	}
	var out []*medic.Practitioner
	for _, p := range all {
		ok := len(want) == 0 || slices.Contains(want, p.ID)
		for _, n := range s.get("name") {
			ok = ok && matchesWord(p.Name, n)
		}
		if ident != "" {
			value, system := ident, ""
			if i := lastBar(ident); i >= 0 {
				system, value = ident[:i], ident[i+1:]
			}
			ok = ok && (system == "" || system == fhir.HPCSASystem) && p.RegistrationNumber == value
		}
		if active != "" {
			ok = ok && (p.Status == medic.PractitionerActive) == (active == "true")
		}
		if ok {
			out = append(out, p)
		}
	}
	return out, nil
}

func lastBar(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '|' {
			return i
		}
	}
	return -1
}

func (h *Handler) searchPractitioners(w http.ResponseWriter, r *http.Request, s *searchRequest) {
	ps, err := h.practitioners(r, s)
	if err != nil {
		h.error(w, r, err)
		return
	}
	if s.count {
		h.writeCount(w, s, len(ps))
		return
	}
	page, next := pageByID(ps, func(p *medic.Practitioner) string { return p.ID }, s.page)
	entries := make([]entry, len(page))
	for i, p := range page {
		entries[i] = entry{typ: "Practitioner", id: p.ID, res: fhir.FromPractitioner(p)}
	}
	h.writeBundle(w, s, entries, next, nil)
}
