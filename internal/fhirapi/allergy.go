package fhirapi

import (
	"net/http"

	"medic"
	"medic/internal/fhir"
)

func (h *Handler) allergyType() *resourceType {
	return &resourceType{name: "AllergyIntolerance", doc: "Recorded allergies, and the recorded statement 'no known allergies' (SNOMED CT 716186003). A search names the patient.",
		read: h.readAllergy, search: h.searchAllergies,
		params: []searchParam{
			{"patient", "reference", "The patient (required)."},
			{"clinical-status", "token", "active or inactive (comma: any of)."},
		}}
}

// allergyResources maps a chart's allergy record.
func allergyResources(as *medic.Allergies, patientID string) []*fhir.AllergyIntolerance {
	var out []*fhir.AllergyIntolerance
	if as.NoneKnown != nil {
		out = append(out, fhir.FromNoKnownAllergies(as.NoneKnown, patientID))
	}
	for _, a := range as.Items {
		out = append(out, fhir.FromAllergy(a, patientID))
	}
	return out
}

func (h *Handler) readAllergy(w http.ResponseWriter, r *http.Request, id string) {
	patient, _, _, ok := fhir.ParseCompositeID(id, fhir.KindAllergy)
	if !ok {
		patient, _, _, ok = fhir.ParseCompositeID(id, fhir.KindNoKnownAllergies)
	}
	if !ok {
		h.error(w, r, errNotFound)
		return
	}
	as, err := h.app.Allergies(r.Context(), patient)
	if err != nil {
		h.error(w, r, err)
		return
	}
	for _, res := range allergyResources(as, patient) {
		if res.ID == id {
			h.writeVersioned(w, http.StatusOK, res.Meta, res)
			return
		}
	}
	h.error(w, r, errNotFound)
}

func (h *Handler) searchAllergies(w http.ResponseWriter, r *http.Request, s *searchRequest) {
	patient, none, err := refParam(s, "patient", "Patient")
	if err == nil && patient == "" && !none {
		err = badRequest("AllergyIntolerance searches name the patient.")
	}
	if err != nil {
		h.error(w, r, err)
		return
	}
	if none {
		h.writeEmpty(w, s)
		return
	}
	statuses, _ := tokenSet(s.get("clinical-status"), "")
	as, err := h.app.Allergies(r.Context(), patient)
	if err != nil {
		h.error(w, r, err)
		return
	}
	var kept []*fhir.AllergyIntolerance
	for _, a := range allergyResources(as, patient) {
		if statuses == nil || statuses[a.ClinicalStatusCode()] {
			kept = append(kept, a)
		}
	}
	if s.count {
		h.writeCount(w, s, len(kept))
		return
	}
	page, next := pageByID(kept, func(a *fhir.AllergyIntolerance) string { return a.ID }, s.page)
	entries := make([]entry, len(page))
	for i, a := range page {
		entries[i] = entry{typ: "AllergyIntolerance", id: a.ID, res: a}
	}
	h.writeBundle(w, s, entries, next, nil)
}
