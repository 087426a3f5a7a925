package api

import (
	"errors"
	"io"
	"net/http"

	"medic"
)

func (h *Handler) medicineRoutes(mux Router) {
	mux.HandleFunc("GET /api/v1/practices/{practice}/medicines", h.tenant(h.listMedicines))
	mux.HandleFunc("POST /api/v1/practices/{practice}/medicines", h.tenant(h.createMedicine))
	mux.HandleFunc("POST /api/v1/practices/{practice}/medicines/import", h.tenant(h.importMedicines))
	mux.HandleFunc("GET /api/v1/practices/{practice}/medicines/{id}", h.tenant(h.getMedicine))
	mux.HandleFunc("PUT /api/v1/practices/{practice}/medicines/{id}", h.tenant(h.updateMedicine))
}

type medicineDTO struct {
	ID             string               `json:"id"`
	Name           string               `json:"name"`
	Label          string               `json:"label"`
	Ingredients    []string             `json:"ingredients"`
	ATC            string               `json:"atc"`
	Strength       string               `json:"strength"`
	Form           string               `json:"form"`
	Route          string               `json:"route"`
	Schedule       medic.DrugSchedule   `json:"schedule"`
	DoseUnit       string               `json:"dose_unit"`
	UnitMg         float64              `json:"unit_mg"`
	PaedMaxMgKgDay float64              `json:"paed_max_mg_kg_day"`
	Source         medic.MedicineSource `json:"source"`
	Active         bool                 `json:"active"`
}

func toMedicine(m *medic.Medicine) medicineDTO {
	return medicineDTO{ID: m.ID, Name: m.Name, Label: m.Label(), Ingredients: m.Ingredients, ATC: m.ATC, Strength: m.Strength,
		Form: m.Form, Route: m.Route, Schedule: m.Schedule, DoseUnit: m.DoseUnit, UnitMg: m.UnitMg, PaedMaxMgKgDay: m.PaedMaxMgKgDay,
		Source: m.Source, Active: m.Active}
}

// medicineInput is the body of a create or update.
type medicineInput struct {
	Name           string             `json:"name"`
	Ingredients    []string           `json:"ingredients"`
	ATC            string             `json:"atc"`
	Strength       string             `json:"strength"`
	Form           string             `json:"form"`
	Route          string             `json:"route"`
	Schedule       medic.DrugSchedule `json:"schedule"`
	DoseUnit       string             `json:"dose_unit"`
	UnitMg         float64            `json:"unit_mg"`
	PaedMaxMgKgDay float64            `json:"paed_max_mg_kg_day"`
	Active         *bool              `json:"active"`
}

func (in medicineInput) medicine(id string) *medic.Medicine {
	m := &medic.Medicine{ID: id, Name: in.Name, Ingredients: in.Ingredients, ATC: in.ATC, Strength: in.Strength, Form: in.Form,
		Route: in.Route, Schedule: in.Schedule, DoseUnit: in.DoseUnit, UnitMg: in.UnitMg, PaedMaxMgKgDay: in.PaedMaxMgKgDay, Active: true}
	if in.Active != nil {
		m.Active = *in.Active
	}
	return m
}

// listMedicines: GET .../medicines?q=&inactive=1.
func (h *Handler) listMedicines(w http.ResponseWriter, r *http.Request) {
	p, err := page(r)
	if err != nil {
		h.error(w, r, err)
		return
	}
	q := r.URL.Query()
	ms, next, err := h.app.ListMedicines(r.Context(), medic.MedicineFilter{Query: q.Get("q"), WithInactive: q.Get("inactive") == "1"}, p)
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newList(mapAll(ms, toMedicine), next))
}

func (h *Handler) getMedicine(w http.ResponseWriter, r *http.Request) {
	m, err := h.app.GetMedicine(r.Context(), r.PathValue("id"))
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toMedicine(m))
}

// createMedicine: POST .../medicines (admin).
func (h *Handler) createMedicine(w http.ResponseWriter, r *http.Request) {
	var in medicineInput
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	m := in.medicine("")
	if err := h.app.CreateMedicine(r.Context(), m); err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, toMedicine(m))
}

// updateMedicine: PUT .../medicines/{id} (admin): the whole entry;
// "active": false takes it out of the prescription picker.
func (h *Handler) updateMedicine(w http.ResponseWriter, r *http.Request) {
	var in medicineInput
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	m := in.medicine(r.PathValue("id"))
	if err := h.app.UpdateMedicine(r.Context(), m); err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toMedicine(m))
}

type rejectedRowDTO struct {
	Line   int    `json:"line"`
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

// importMedicines: POST .../medicines/import with a CSV body (admin) ->
// {"added", "updated", "rejected": [{"line", "name", "reason"}]}.
func (h *Handler) importMedicines(w http.ResponseWriter, r *http.Request) {
	if err := h.app.Authorize(r.Context(), "medicine.manage"); err != nil {
		h.error(w, r, err) // before reading a large body
		return
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, medic.MaxMedicineImportBytes+1))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) || len(data) > medic.MaxMedicineImportBytes {
		h.error(w, r, &medic.Error{Code: medic.ETOOLARGE, Message: "The file is too large."})
		return
	} else if err != nil {
		h.error(w, r, &medic.Error{Code: medic.EINVALID, Message: "The request body could not be read."})
		return
	}
	rep, err := h.app.ImportMedicines(r.Context(), data)
	if err != nil {
		h.error(w, r, err)
		return
	}
	rejected := make([]rejectedRowDTO, len(rep.Rejected))
	for i, rr := range rep.Rejected {
		rejected[i] = rejectedRowDTO{Line: rr.Line, Name: rr.Name, Reason: rr.Reason}
	}
	writeJSON(w, http.StatusOK, map[string]any{"added": rep.Added, "updated": rep.Updated, "rejected": rejected})
}
