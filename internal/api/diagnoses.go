package api

import (
	"net/http"
	"time"

	"medic"
)

// diagnosisRoutes registers an encounter's diagnoses.
func (h *Handler) diagnosisRoutes(mux Router) {
	mux.HandleFunc("GET /api/v1/practices/{practice}/encounters/{id}/diagnoses", h.tenant(h.listDiagnoses))
	mux.HandleFunc("POST /api/v1/practices/{practice}/encounters/{id}/diagnoses", h.tenant(h.addDiagnosis))
	mux.HandleFunc("DELETE /api/v1/practices/{practice}/encounters/{id}/diagnoses/{diagnosis}", h.tenant(h.removeDiagnosis))
}

type diagnosisDTO struct {
	ID             string     `json:"id"`
	EncounterID    string     `json:"encounter_id"`
	PatientID      string     `json:"patient_id"`
	Code           string     `json:"code"`
	Title          string     `json:"title"`
	Primary        bool       `json:"primary"`
	RecordedBy     *string    `json:"recorded_by,omitempty"`
	RecordedByName string     `json:"recorded_by_name,omitempty"`
	RecordedAt     *time.Time `json:"recorded_at,omitempty"`
}

// toDiagnosis leaves out who recorded it when the use case withheld it
// (billing reads codes only).
func toDiagnosis(d *medic.Diagnosis) diagnosisDTO {
	out := diagnosisDTO{ID: d.ID, EncounterID: d.EncounterID, PatientID: d.PatientID, Code: d.Code, Title: d.Title, Primary: d.Primary,
		RecordedBy: optional(d.RecordedBy), RecordedByName: d.RecordedByName}
	if !d.RecordedAt.IsZero() {
		out.RecordedAt = &d.RecordedAt
	}
	return out
}

func (h *Handler) listDiagnoses(w http.ResponseWriter, r *http.Request) {
	ds, err := h.app.Diagnoses(r.Context(), r.PathValue("id"))
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newList(mapAll(ds, toDiagnosis), ""))
}

func (h *Handler) addDiagnosis(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Code    string `json:"code"`
		Primary bool   `json:"primary"`
	}
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	d := &medic.Diagnosis{EncounterID: r.PathValue("id"), Code: in.Code, Primary: in.Primary}
	if err := h.app.AddDiagnosis(r.Context(), d); err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, toDiagnosis(d))
}

func (h *Handler) removeDiagnosis(w http.ResponseWriter, r *http.Request) {
	if err := h.app.RemoveDiagnosis(r.Context(), r.PathValue("id"), r.PathValue("diagnosis")); err != nil {
		h.error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
