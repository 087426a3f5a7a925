package fhirapi

import (
	"net/http"

	"medic"
	"medic/internal/fhir"
)

func (h *Handler) encounterType() *resourceType {
	return &resourceType{name: "Encounter", doc: "Visits: a draft is in-progress, a locked one finished. Clinical: members who read clinical records only.",
		read: h.readEncounter, search: h.searchEncounters,
		params: []searchParam{
			{"patient", "reference", "The patient."},
			{"practitioner", "reference", "The practitioner."},
			{"location", "reference", "The location."},
			{"status", "token", "in-progress or finished (comma: any of)."},
		}}
}

func (h *Handler) readEncounter(w http.ResponseWriter, r *http.Request, id string) {
	e, err := h.app.GetEncounter(r.Context(), id)
	if err != nil {
		h.error(w, r, err)
		return
	}
	t, _ := medic.TenantFrom(r.Context())
	res := fhir.FromEncounter(e, t.PracticeID)
	h.writeVersioned(w, http.StatusOK, res.Meta, res)
}

func (h *Handler) searchEncounters(w http.ResponseWriter, r *http.Request, s *searchRequest) {
	var f medic.EncounterFilter
	var none [3]bool
	var err error
	if f.PatientID, none[0], err = refParam(s, "patient", "Patient"); err == nil {
		if f.PractitionerID, none[1], err = refParam(s, "practitioner", "Practitioner"); err == nil {
			f.LocationID, none[2], err = refParam(s, "location", "Location")
		}
	}
	if err == nil && len(s.get("status")) > 1 {
		err = badRequest("status: give it once (commas list any of several).")
	}
	for _, v := range ids(s.get("status")) {
		st := fhir.EncounterStatus(v)
		if st == "" {
			err = badRequest("status: use in-progress or finished.")
			break
		}
		f.Statuses = append(f.Statuses, st)
	}
	if err != nil {
		h.error(w, r, err)
		return
	}
	if none[0] || none[1] || none[2] {
		h.writeEmpty(w, s)
		return
	}
	if s.count {
		n, err := countPages(func(p medic.Page) (int, string, error) {
			es, next, err := h.app.ListEncounters(r.Context(), f, p)
			return len(es), next, err
		})
		if err != nil {
			h.error(w, r, err)
			return
		}
		h.writeCount(w, s, n)
		return
	}
	es, next, err := h.app.ListEncounters(r.Context(), f, s.page)
	if err != nil {
		h.error(w, r, err)
		return
	}
	t, _ := medic.TenantFrom(r.Context())
	entries := make([]entry, len(es))
	for i, e := range es {
		entries[i] = entry{typ: "Encounter", id: e.ID, res: fhir.FromEncounter(e, t.PracticeID)}
	}
	h.writeBundle(w, s, entries, next, nil)
}
