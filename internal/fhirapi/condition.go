package fhirapi

import (
	"net/http"
	"strings"

	"medic/internal/fhir"
)

func (h *Handler) conditionType() *resourceType {
	return &resourceType{name: "Condition", doc: "The problem list (problem-list-item) and encounter diagnoses (encounter-diagnosis), coded in ICD-10 (" + fhir.ICD10System + "). A search names the patient or the encounter; billing reads encounter diagnoses only (category=encounter-diagnosis).",
		read: h.readCondition, search: h.searchConditions,
		params: []searchParam{
			{"patient", "reference", "The patient (this or encounter is required)."},
			{"encounter", "reference", "The encounter (its diagnoses)."},
			{"category", "token", "problem-list-item or encounter-diagnosis (comma: any of)."},
			{"clinical-status", "token", "active or resolved (problem list; comma: any of)."},
			{"code", "token", "ICD-10 code (" + fhir.ICD10System + "|code or the code alone; comma: any of)."},
		}}
}

func (h *Handler) readCondition(w http.ResponseWriter, r *http.Request, id string) {
	if patient, _, _, ok := fhir.ParseCompositeID(id, fhir.KindProblem); ok {
		cs, err := h.app.Conditions(r.Context(), patient)
		if err != nil {
			h.error(w, r, err)
			return
		}
		for _, c := range cs {
			if res := fhir.FromProblem(c); res.ID == id {
				h.writeVersioned(w, http.StatusOK, res.Meta, res)
				return
			}
		}
	} else if enc, _, _, ok := fhir.ParseCompositeID(id, fhir.KindDiagnosis); ok {
		ds, err := h.app.Diagnoses(r.Context(), enc)
		if err != nil {
			h.error(w, r, err)
			return
		}
		for _, d := range ds {
			if res := fhir.FromDiagnosis(d); res.ID == id {
				h.writeVersioned(w, http.StatusOK, res.Meta, res)
				return
			}
		}
	}
	h.error(w, r, errNotFound)
}

// tokenSet reads a token parameter as a set of codes (system ignored
// unless it is not want); nil when absent.
func tokenSet(vs []string, system string) (codes map[string]bool, foreign bool) {
	for _, v := range ids(vs) {
		sys, code, has := strings.Cut(v, "|")
		if !has {
			sys, code = "", v
		}
		if sys != "" && system != "" && sys != system {
			foreign = true
			continue
		}
		if codes == nil {
			codes = map[string]bool{}
		}
		codes[code] = true
	}
	return codes, foreign
}

func (h *Handler) searchConditions(w http.ResponseWriter, r *http.Request, s *searchRequest) {
	patient, noneP, err := refParam(s, "patient", "Patient")
	var encounter string
	var noneE bool
	if err == nil {
		encounter, noneE, err = refParam(s, "encounter", "Encounter")
	}
	if err == nil && patient == "" && encounter == "" && !noneP && !noneE {
		err = badRequest("Condition searches name the patient or the encounter.")
	}
	if err != nil {
		h.error(w, r, err)
		return
	}
	cats, _ := tokenSet(s.get("category"), "")
	statuses, _ := tokenSet(s.get("clinical-status"), "")
	codes, foreignCode := tokenSet(s.get("code"), fhir.ICD10System)
	if noneP || noneE || (foreignCode && codes == nil) {
		h.writeEmpty(w, s)
		return
	}
	var all []*fhir.Condition
	wantProblems := encounter == "" && (cats == nil || cats["problem-list-item"])
	wantDiagnoses := cats == nil || cats["encounter-diagnosis"]
	if wantProblems {
		cs, err := h.app.Conditions(r.Context(), patient)
		if err != nil {
			h.error(w, r, err)
			return
		}
		for _, c := range cs {
			all = append(all, fhir.FromProblem(c))
		}
	}
	if wantDiagnoses {
		var err error
		if encounter != "" {
			ds, e := h.app.Diagnoses(r.Context(), encounter)
			for _, d := range ds {
				if patient == "" || d.PatientID == patient {
					all = append(all, fhir.FromDiagnosis(d))
				}
			}
			err = e
		} else {
			ds, e := h.app.PatientDiagnoses(r.Context(), patient)
			for _, d := range ds {
				all = append(all, fhir.FromDiagnosis(d))
			}
			err = e
		}
		if err != nil {
			h.error(w, r, err)
			return
		}
	}
	var kept []*fhir.Condition
	for _, c := range all {
		ok := statuses == nil || statuses[c.ClinicalStatusCode()]
		if codes != nil {
			ok = ok && c.Code != nil && len(c.Code.Coding) > 0 && codes[c.Code.Coding[0].Code]
		}
		if ok {
			kept = append(kept, c)
		}
	}
	if s.count {
		h.writeCount(w, s, len(kept))
		return
	}
	page, next := pageByID(kept, func(c *fhir.Condition) string { return c.ID }, s.page)
	entries := make([]entry, len(page))
	for i, c := range page {
		entries[i] = entry{typ: "Condition", id: c.ID, res: c}
	}
	h.writeBundle(w, s, entries, next, nil)
}
