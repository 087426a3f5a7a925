package api

import (
	"net/http"
	"time"

	"medic"
)

// clinicalListRoutes registers a chart's allergies and problem list.
func (h *Handler) clinicalListRoutes(mux Router) {
	mux.HandleFunc("GET /api/v1/practices/{practice}/patients/{id}/allergies", h.tenant(h.listAllergies))
	mux.HandleFunc("POST /api/v1/practices/{practice}/patients/{id}/allergies", h.tenant(h.createAllergy))
	mux.HandleFunc("POST /api/v1/practices/{practice}/patients/{id}/allergies/none-known", h.tenant(h.recordNoKnownAllergies))
	mux.HandleFunc("PATCH /api/v1/practices/{practice}/patients/{id}/allergies/{allergy}", h.tenant(h.updateAllergy))
	mux.HandleFunc("GET /api/v1/practices/{practice}/patients/{id}/conditions", h.tenant(h.listConditions))
	mux.HandleFunc("POST /api/v1/practices/{practice}/patients/{id}/conditions", h.tenant(h.createCondition))
	mux.HandleFunc("PATCH /api/v1/practices/{practice}/patients/{id}/conditions/{condition}", h.tenant(h.updateCondition))
}

type allergyDTO struct {
	ID             string                `json:"id"`
	PatientID      string                `json:"patient_id"`
	Substance      string                `json:"substance"`
	Reaction       string                `json:"reaction"`
	Severity       medic.AllergySeverity `json:"severity"`
	Status         medic.AllergyStatus   `json:"status"`
	RecordedBy     *string               `json:"recorded_by"`
	RecordedByName string                `json:"recorded_by_name"`
	RecordedAt     time.Time             `json:"recorded_at"`
	UpdatedAt      time.Time             `json:"updated_at"`
}

func toAllergy(a *medic.Allergy) allergyDTO {
	return allergyDTO{ID: a.ID, PatientID: a.PatientID, Substance: a.Substance, Reaction: a.Reaction, Severity: a.Severity,
		Status: a.Status, RecordedBy: optional(a.RecordedBy), RecordedByName: a.RecordedByName, RecordedAt: a.RecordedAt, UpdatedAt: a.UpdatedAt}
}

type noKnownAllergiesDTO struct {
	RecordedBy     *string   `json:"recorded_by"`
	RecordedByName string    `json:"recorded_by_name"`
	RecordedAt     time.Time `json:"recorded_at"`
}

func toNoKnownAllergies(n *medic.NoKnownAllergies) *noKnownAllergiesDTO {
	if n == nil {
		return nil
	}
	return &noKnownAllergiesDTO{RecordedBy: optional(n.RecordedBy), RecordedByName: n.RecordedByName, RecordedAt: n.RecordedAt}
}

// listAllergies: GET .../patients/{id}/allergies -> every entry (oldest
// first) and the "no known allergies" statement, null when none was made.
func (h *Handler) listAllergies(w http.ResponseWriter, r *http.Request) {
	as, err := h.app.Allergies(r.Context(), r.PathValue("id"))
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		list[allergyDTO]
		NoKnownAllergies *noKnownAllergiesDTO `json:"no_known_allergies"`
	}{newList(mapAll(as.Items, toAllergy), ""), toNoKnownAllergies(as.NoneKnown)})
}

func (h *Handler) createAllergy(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Substance string                `json:"substance"`
		Reaction  string                `json:"reaction"`
		Severity  medic.AllergySeverity `json:"severity"`
		Status    medic.AllergyStatus   `json:"status"`
	}
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	a := &medic.Allergy{PatientID: r.PathValue("id"), Substance: in.Substance, Reaction: in.Reaction, Severity: in.Severity, Status: in.Status}
	if err := h.app.RecordAllergy(r.Context(), a); err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, toAllergy(a))
}

func (h *Handler) updateAllergy(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Status medic.AllergyStatus `json:"status"`
	}
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	a, err := h.app.SetAllergyStatus(r.Context(), r.PathValue("id"), r.PathValue("allergy"), in.Status)
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toAllergy(a))
}

// recordNoKnownAllergies: POST .../patients/{id}/allergies/none-known.
func (h *Handler) recordNoKnownAllergies(w http.ResponseWriter, r *http.Request) {
	n, err := h.app.RecordNoKnownAllergies(r.Context(), r.PathValue("id"))
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, toNoKnownAllergies(n))
}

type conditionDTO struct {
	ID             string                `json:"id"`
	PatientID      string                `json:"patient_id"`
	Code           *string               `json:"code"`
	Title          string                `json:"title"`
	Onset          *medic.Date           `json:"onset"`
	Status         medic.ConditionStatus `json:"status"`
	Note           string                `json:"note"`
	RecordedBy     *string               `json:"recorded_by"`
	RecordedByName string                `json:"recorded_by_name"`
	RecordedAt     time.Time             `json:"recorded_at"`
	UpdatedAt      time.Time             `json:"updated_at"`
}

func toCondition(c *medic.Condition) conditionDTO {
	d := conditionDTO{ID: c.ID, PatientID: c.PatientID, Code: optional(c.Code), Title: c.Title, Status: c.Status, Note: c.Note,
		RecordedBy: optional(c.RecordedBy), RecordedByName: c.RecordedByName, RecordedAt: c.RecordedAt, UpdatedAt: c.UpdatedAt}
	if !c.Onset.IsZero() {
		d.Onset = &c.Onset
	}
	return d
}

func (h *Handler) listConditions(w http.ResponseWriter, r *http.Request) {
	cs, err := h.app.Conditions(r.Context(), r.PathValue("id"))
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newList(mapAll(cs, toCondition), ""))
}

func (h *Handler) createCondition(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Code   string                `json:"code"`
		Onset  *medic.Date           `json:"onset"`
		Status medic.ConditionStatus `json:"status"`
		Note   string                `json:"note"`
	}
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	c := &medic.Condition{PatientID: r.PathValue("id"), Code: in.Code, Status: in.Status, Note: in.Note}
	if in.Onset != nil {
		c.Onset = *in.Onset
	}
	if err := h.app.RecordCondition(r.Context(), c); err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, toCondition(c))
}

func (h *Handler) updateCondition(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Status medic.ConditionStatus `json:"status"`
	}
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	c, err := h.app.SetConditionStatus(r.Context(), r.PathValue("id"), r.PathValue("condition"), in.Status)
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toCondition(c))
}
