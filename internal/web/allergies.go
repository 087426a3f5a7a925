package web

import (
	"net/http"
	"net/url"
	"strings"

	"medic"
)

// clinicalListRoutes registers a chart's allergies and problem list, and the ICD-10 typeahead they use.
func (h *Handler) clinicalListRoutes(mux Router) {
	mux.HandleFunc("POST /patients/{id}/allergies", h.member(h.createAllergy))
	mux.HandleFunc("POST /patients/{id}/allergies/none-known", h.member(h.recordNoKnownAllergies))
	mux.HandleFunc("POST /patients/{id}/allergies/{allergy}/status", h.member(h.setAllergyStatus))
	mux.HandleFunc("POST /patients/{id}/conditions", h.member(h.createCondition))
	mux.HandleFunc("POST /patients/{id}/conditions/{condition}/status", h.member(h.setConditionStatus))
	mux.HandleFunc("GET /icd10", h.member(h.icd10Options))
}

// withPatientBanner puts the patient's severe-allergy banner on p (the
// layout shows it on every page of that patient). Roles that read no
// clinical data get none; a failure to read it fails the page, since a
// missing warning must not pass for "no severe allergy".
func (h *Handler) withPatientBanner(r *http.Request, p *page, patientID string) error {
	severe, err := h.app.SevereAllergies(r.Context(), patientID)
	if err != nil {
		return err
	}
	p.SevereAllergies = severe
	return nil
}

// icd10Choices is the data of the "icd10Options" partial.
type icd10Choices struct {
	Name  string // the radio group's field name
	Query string
	Items []*medic.ICD10Code
}

// icd10Options answers the desk's ICD-10 typeahead (htmx): the matching
// codes as a radio group named by ?name= (default "code").
func (h *Handler) icd10Options(w http.ResponseWriter, r *http.Request, v *visitor) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	name := r.URL.Query().Get("name")
	if name != "diagnosis_code" {
		name = "code"
	}
	d := icd10Choices{Name: name, Query: q}
	if q != "" {
		var err error
		if d.Items, err = h.app.SearchICD10(r.Context(), q, 12); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	h.renderPartial(w, r, "icd10Options", d)
}

// renderPartial writes one partial template (an htmx fragment).
func (h *Handler) renderPartial(w http.ResponseWriter, r *http.Request, name string, data any) {
	t := h.views.byName["patient"].Lookup(name)
	if t == nil {
		h.log.Error("no such partial", "request_id", medic.RequestInfoFrom(r.Context()).RequestID, "partial", name)
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := t.Execute(w, data); err != nil {
		h.log.Error("render failed", "request_id", medic.RequestInfoFrom(r.Context()).RequestID, "partial", name, "error", err)
	}
}

func chartURL(id, notice string) string {
	return "/patients/" + url.PathEscape(id) + "?m=" + notice
}

// createAllergy records an allergy from the chart's form.
func (h *Handler) createAllergy(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	f := newForm("allergy", r.PostForm)
	id := r.PathValue("id")
	a := &medic.Allergy{PatientID: id, Substance: f.Get("substance"), Reaction: f.Get("reaction"), Severity: medic.AllergySeverity(f.Get("severity"))}
	if err := h.app.RecordAllergy(r.Context(), a); err != nil {
		h.formFail(w, r, err, f, func(status int) { h.renderPatient(w, r, status, v, f) })
		return
	}
	seeOther(w, r, chartURL(id, "allergy-recorded"))
}

// setAllergyStatus marks an allergy inactive, entered in error or active.
func (h *Handler) setAllergyStatus(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	id := r.PathValue("id")
	if _, err := h.app.SetAllergyStatus(r.Context(), id, r.PathValue("allergy"), medic.AllergyStatus(r.PostForm.Get("status"))); err != nil {
		h.fail(w, r, err)
		return
	}
	seeOther(w, r, chartURL(id, "allergy-updated"))
}

// recordNoKnownAllergies records the "no known allergies" statement.
func (h *Handler) recordNoKnownAllergies(w http.ResponseWriter, r *http.Request, v *visitor) {
	id := r.PathValue("id")
	if _, err := h.app.RecordNoKnownAllergies(r.Context(), id); err != nil {
		h.fail(w, r, err)
		return
	}
	seeOther(w, r, chartURL(id, "allergy-none-known"))
}

// createCondition adds a coded problem from the chart's form.
func (h *Handler) createCondition(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	f := newForm("condition", r.PostForm)
	id := r.PathValue("id")
	c := &medic.Condition{PatientID: id, Code: f.Get("code"), Note: f.Get("note")}
	if s := strings.TrimSpace(f.Get("onset")); s != "" {
		d, err := medic.ParseDate(s)
		if err != nil {
			f.fail("onset", "Use a date like 2024-03-31.")
			h.renderPatient(w, r, http.StatusUnprocessableEntity, v, f)
			return
		}
		c.Onset = d
	}
	if err := h.app.RecordCondition(r.Context(), c); err != nil {
		h.formFail(w, r, err, f, func(status int) { h.renderPatient(w, r, status, v, f) })
		return
	}
	seeOther(w, r, chartURL(id, "condition-recorded"))
}

// setConditionStatus marks a problem resolved or active again.
func (h *Handler) setConditionStatus(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	id := r.PathValue("id")
	if _, err := h.app.SetConditionStatus(r.Context(), id, r.PathValue("condition"), medic.ConditionStatus(r.PostForm.Get("status"))); err != nil {
		h.fail(w, r, err)
		return
	}
	seeOther(w, r, chartURL(id, "condition-updated"))
}
