package fhirapi

import (
	"net/http"
	"strings"

	"medic"
	"medic/internal/app"
	"medic/internal/fhir"
)

func (h *Handler) observationType() *resourceType {
	return &resourceType{name: "Observation", doc: "Vital signs (vital-signs category; LOINC codes, UCUM units; blood pressure as one Observation with systolic and diastolic components) and the results of lab and imaging orders (laboratory or imaging category; the measured analyte as text, UCUM units where known, reference range, interpretation from the flag, basedOn the ServiceRequest). A search names the patient or the encounter; a code search finds vital signs only.",
		read: h.readObservation, search: h.searchObservations,
		params: []searchParam{
			{"patient", "reference", "The patient (this or encounter is required)."},
			{"encounter", "reference", "The encounter."},
			{"code", "token", "LOINC code (" + fhir.LOINCSystem + "|code or the code alone; comma: any of); a component's code finds its panel."},
			{"date", "date", "When measured, with prefixes eq, lt, le, gt, ge, sa, eb."},
			{"category", "token", "vital-signs, laboratory or imaging (the results of lab and imaging orders; comma: any of)."},
		},
		sorts: []searchParam{{"date", "", "when measured or sampled"}}}
}

func (h *Handler) readObservation(w http.ResponseWriter, r *http.Request, id string) {
	if order, _, _, ok := fhir.ParseCompositeID(id, fhir.KindResult); ok {
		o, err := h.app.GetOrder(r.Context(), order)
		if err != nil {
			h.error(w, r, err)
			return
		}
		for _, ob := range fhir.FromOrderResults(o) {
			if ob.ID == id {
				h.writeVersioned(w, http.StatusOK, ob.Meta, ob)
				return
			}
		}
		h.error(w, r, errNotFound)
		return
	}
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
	// Categories: vital signs, and the results of lab and imaging orders
	// (laboratory, imaging); all when none is given.
	wantVitals, kinds := true, []medic.OrderKind{medic.OrderLab, medic.OrderImaging}
	if len(s.get("category")) > 0 {
		wantVitals, kinds = false, nil
		for _, c := range ids(s.get("category")) {
			_, code, has := strings.Cut(c, "|")
			if !has {
				code = c
			}
			switch code {
			case "vital-signs":
				wantVitals = true
			case "laboratory":
				kinds = append(kinds, medic.OrderLab)
			case "imaging":
				kinds = append(kinds, medic.OrderImaging)
			}
		}
	}
	if err != nil {
		h.error(w, r, err)
		return
	}
	if noneP || noneE || span.empty() || (!wantVitals && len(kinds) == 0) {
		h.writeEmpty(w, s)
		return
	}
	var all []*fhir.Observation
	if wantVitals {
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
		for _, rec := range pv.Records {
			if patient == "" || rec.Vitals.PatientID == patient {
				all = append(all, fhir.FromVitals(rec.Vitals)...)
			}
		}
	}
	if len(kinds) > 0 && len(codes) == 0 { // results are coded in text only: a code search finds none
		q := app.OrderQuery{Filter: medic.OrderFilter{PatientID: patient, EncounterID: encounter, Kinds: kinds,
			Statuses: []medic.OrderStatus{medic.OrderResulted, medic.OrderReviewed}, OrderedBefore: span.before, WithResults: true}, InPath: true}
		os, err := allPages(func(p medic.Page) ([]*medic.Order, string, error) { return h.app.ListOrders(r.Context(), q, p) })
		if err != nil {
			h.error(w, r, err)
			return
		}
		for _, o := range os {
			all = append(all, fhir.FromOrderResults(o)...)
		}
	}
	var kept []*fhir.Observation
	for _, o := range all {
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
	if s.count {
		h.writeCount(w, s, len(kept))
		return
	}
	key := func(o *fhir.Observation) string { return o.ID }
	if s.sort == "date" {
		key = func(o *fhir.Observation) string {
			return o.Effective().UTC().Format("20060102T150405.000000000") + "." + o.ID
		}
	}
	page, next := pageByKey(kept, key, s.desc, s.page)
	entries := make([]entry, len(page))
	for i, o := range page {
		entries[i] = entry{typ: "Observation", id: o.ID, res: o}
	}
	h.writeBundle(w, s, entries, next, nil)
}
