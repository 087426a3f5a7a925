package fhirapi

import (
	"net/http"
	"strings"

	"medic/internal/app"
	"medic/internal/fhir"
)

func (h *Handler) observationType() *resourceType {
	return &resourceType{name: "Observation", doc: "Vital signs (vital-signs category; LOINC codes, UCUM units; blood pressure as one Observation with systolic and diastolic components). A search names the patient or the encounter.",
		read: h.readObservation, search: h.searchObservations,
		params: []searchParam{
			{"patient", "reference", "The patient (this or encounter is required)."},
			{"encounter", "reference", "The encounter."},
			{"code", "token", "LOINC code (" + fhir.LOINCSystem + "|code or the code alone; comma: any of); a component's code finds its panel."},
			{"date", "date", "When measured, with prefixes eq, lt, le, gt, ge, sa, eb."},
			{"category", "token", "vital-signs."},
		}}
}

func (h *Handler) readObservation(w http.ResponseWriter, r *http.Request, id string) {
	enc, _, _, ok := fhir.ParseCompositeID(id, fhir.KindObservation)
	if !ok {
		h.error(w, r, errNotFound)
		return
	}
	pv, err := h.app.EncounterVitals(r.Context(), enc)
	if err != nil {
		h.error(w, r, err)
		return
	}
	for _, rec := range pv.Records {
		for _, o := range fhir.FromVitals(rec.Vitals) {
			if o.ID == id {
				h.writeVersioned(w, http.StatusOK, o.Meta, o)
				return
			}
		}
	}
	h.error(w, r, errNotFound)
}

func (h *Handler) searchObservations(w http.ResponseWriter, r *http.Request, s *searchRequest) {
	patient, noneP, err := refParam(s, "patient", "Patient")
	var encounter string
	var noneE bool
	if err == nil {
		encounter, noneE, err = refParam(s, "encounter", "Encounter")
	}
	if err == nil && patient == "" && encounter == "" && !noneP && !noneE {
		err = badRequest("Observation searches name the patient or the encounter.")
	}
	var span span
	if err == nil {
		span, err = dateSpan("date", s.get("date"), s.loc)
	}
	var codes [][2]string
	for _, v := range ids(s.get("code")) {
		system, code, has := strings.Cut(v, "|")
		if !has {
			system, code = "", v
		}
		codes = append(codes, [2]string{system, code})
	}
	categoryOK := true
	for _, v := range s.get("category") {
		for _, c := range strings.Split(v, ",") {
			_, code, has := strings.Cut(c, "|")
			if !has {
				code = c
			}
			categoryOK = categoryOK && code == "vital-signs"
		}
	}
	if err != nil {
		h.error(w, r, err)
		return
	}
	if noneP || noneE || span.empty() || !categoryOK {
		h.writeEmpty(w, s)
		return
	}
	var pv *app.PatientVitals
	if encounter != "" {
		pv, err = h.app.EncounterVitals(r.Context(), encounter)
	} else {
		pv, err = h.app.ListPatientVitals(r.Context(), patient, span.from, span.before)
	}
	if err != nil {
		h.error(w, r, err)
		return
	}
	var kept []*fhir.Observation
	for _, rec := range pv.Records {
		if patient != "" && rec.Vitals.PatientID != patient {
			continue
		}
		for _, o := range fhir.FromVitals(rec.Vitals) {
			ok := len(codes) == 0
			for _, c := range codes {
				ok = ok || fhir.ObservationMatches(o, c[0], c[1])
			}
			at := o.Effective()
			if (!span.from.IsZero() && at.Before(span.from)) || (!span.before.IsZero() && !at.Before(span.before)) {
				ok = false
			}
			if ok {
				kept = append(kept, o)
			}
		}
	}
	if s.count {
		h.writeCount(w, s, len(kept))
		return
	}
	page, next := pageByID(kept, func(o *fhir.Observation) string { return o.ID }, s.page)
	entries := make([]entry, len(page))
	for i, o := range page {
		entries[i] = entry{typ: "Observation", id: o.ID, res: o}
	}
	h.writeBundle(w, s, entries, next, nil)
}
