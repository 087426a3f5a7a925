package web

import (
	"net/http"
	"net/url"

	"medic"
)

// diagnosisRoutes registers an encounter's diagnoses.
func (h *Handler) diagnosisRoutes(mux Router) {
	mux.HandleFunc("GET /encounters/{id}/diagnoses", h.member(h.encounterDiagnoses))
	mux.HandleFunc("POST /encounters/{id}/diagnoses", h.member(h.addDiagnosis))
	mux.HandleFunc("POST /encounters/{id}/diagnoses/{diagnosis}/remove", h.member(h.removeDiagnosis))
}

// diagnosesSection is an encounter's diagnoses and the add-diagnosis form
// (the "diagnosesSection" partial, which the encounter page can embed).
type diagnosesSection struct {
	EncounterID string
	PatientID   string
	PatientName string
	Finished    bool
	CanRecord   bool
	Items       []*medic.Diagnosis
	Form        *form
	// Back is where adding or removing returns: "encounter" for the
	// encounter page, else the diagnoses page.
	Back string
}

// encounterDiagnoses shows an encounter's diagnoses with the keyboard
// typeahead to add one: type a code or words, Tab to the matches, arrow
// keys to choose, Enter to add.
func (h *Handler) encounterDiagnoses(w http.ResponseWriter, r *http.Request, v *visitor) {
	h.renderEncounterDiagnoses(w, r, http.StatusOK, v, newForm("diagnosis", nil))
}

// loadDiagnoses is the diagnoses section of encounter e (also embedded in
// the encounter page).
func (h *Handler) loadDiagnoses(r *http.Request, v *visitor, e *medic.Encounter, f *form, back string) (*diagnosesSection, error) {
	ds, err := h.app.Diagnoses(r.Context(), e.ID)
	if err != nil {
		return nil, err
	}
	return &diagnosesSection{EncounterID: e.ID, PatientID: e.PatientID, PatientName: e.PatientName, Finished: e.Finished(),
		CanRecord: v.tenant.Can(medic.PermClinicalWrite) && !e.Finished(), Items: ds, Form: f, Back: back}, nil
}

func (h *Handler) renderEncounterDiagnoses(w http.ResponseWriter, r *http.Request, status int, v *visitor, f *form) {
	e, err := h.app.GetEncounter(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	sec, err := h.loadDiagnoses(r, v, e, f, "")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := h.page(r, "Diagnoses: "+e.PatientName, "patients")
	if err := h.withPatientBanner(r, p, e.PatientID); err != nil {
		h.fail(w, r, err)
		return
	}
	p.Data = sec
	h.render(w, r, status, "encounter_diagnoses", p.withForm(f))
}

// diagnosesURL is where a change returns: the encounter page when made
// there (back=encounter), else the diagnoses page.
func diagnosesURL(r *http.Request, id, notice string) string {
	if r.PostFormValue("back") == "encounter" {
		return "/encounters/" + url.PathEscape(id) + "?m=" + notice + "#diagnoses"
	}
	return "/encounters/" + url.PathEscape(id) + "/diagnoses?m=" + notice
}

// addDiagnosis adds the chosen code (radio "diagnosis_code") to the encounter.
func (h *Handler) addDiagnosis(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	f := newForm("diagnosis", r.PostForm)
	id := r.PathValue("id")
	d := &medic.Diagnosis{EncounterID: id, Code: f.Get("diagnosis_code"), Primary: f.Checked("primary")}
	if d.Code == "" {
		f.fail("code", "Search for a code and choose one of the matches.")
		h.renderEncounterDiagnoses(w, r, http.StatusUnprocessableEntity, v, f)
		return
	}
	if err := h.app.AddDiagnosis(r.Context(), d); err != nil {
		h.formFail(w, r, err, f, func(status int) { h.renderEncounterDiagnoses(w, r, status, v, f) })
		return
	}
	seeOther(w, r, diagnosesURL(r, id, "diagnosis-added"))
}

// removeDiagnosis removes a diagnosis from a draft encounter.
func (h *Handler) removeDiagnosis(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	id := r.PathValue("id")
	if err := h.app.RemoveDiagnosis(r.Context(), id, r.PathValue("diagnosis")); err != nil {
		h.fail(w, r, err)
		return
	}
	seeOther(w, r, diagnosesURL(r, id, "diagnosis-removed"))
}
