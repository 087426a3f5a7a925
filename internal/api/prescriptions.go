package api

import (
	"net/http"
	"time"

	"medic"
)

func (h *Handler) prescriptionRoutes(mux Router) {
	mux.HandleFunc("POST /api/v1/practices/{practice}/prescriptions", h.tenant(h.issuePrescription))
	mux.HandleFunc("GET /api/v1/practices/{practice}/prescriptions", h.tenant(h.listPrescriptions))
	mux.HandleFunc("GET /api/v1/practices/{practice}/prescriptions/{id}", h.tenant(h.getPrescription))
	mux.HandleFunc("POST /api/v1/practices/{practice}/prescriptions/{id}/cancel", h.tenant(h.cancelPrescription))
	mux.HandleFunc("GET /api/v1/practices/{practice}/patients/{id}/medications", h.tenant(h.currentMedicines))
}

type prescriptionItemDTO struct {
	ID             string     `json:"id"`
	MedicineID     string     `json:"medicine_id"`
	Medicine       string     `json:"medicine"`
	Dose           string     `json:"dose"`
	Route          string     `json:"route"`
	Frequency      string     `json:"frequency"`
	DurationDays   int        `json:"duration_days"`
	Quantity       string     `json:"quantity"`
	Repeats        int        `json:"repeats"`
	Instructions   string     `json:"instructions"`
	Alerts         []alertDTO `json:"alerts"`
	OverrideReason string     `json:"override_reason"`
}

type prescriptionDTO struct {
	ID             string                   `json:"id"`
	EncounterID    string                   `json:"encounter_id"`
	PatientID      string                   `json:"patient_id"`
	PatientName    string                   `json:"patient_name"`
	PrescriberID   string                   `json:"prescriber_id"`
	PrescriberName string                   `json:"prescriber_name"`
	Status         medic.PrescriptionStatus `json:"status"`
	IssuedAt       time.Time                `json:"issued_at"`
	CancelledAt    *time.Time               `json:"cancelled_at"`
	CancelReason   string                   `json:"cancel_reason"`
	Items          []prescriptionItemDTO    `json:"items"`
}

func toPrescriptionItem(it *medic.PrescriptionItem) prescriptionItemDTO {
	d := prescriptionItemDTO{ID: it.ID, MedicineID: it.MedicineID, Medicine: it.MedicineLabel, Dose: it.Dose, Route: it.Route, Frequency: it.Frequency,
		DurationDays: it.DurationDays, Quantity: it.Quantity, Repeats: it.Repeats, Instructions: it.Instructions, OverrideReason: it.OverrideReason,
		Alerts: []alertDTO{}}
	for _, a := range it.Alerts {
		d.Alerts = append(d.Alerts, alertDTO{Kind: a.Kind, Severity: a.Severity, Message: a.Message})
	}
	return d
}

func toPrescription(loc *time.Location) func(*medic.Prescription) prescriptionDTO {
	return func(p *medic.Prescription) prescriptionDTO {
		d := prescriptionDTO{ID: p.ID, EncounterID: p.EncounterID, PatientID: p.PatientID, PatientName: p.PatientName, PrescriberID: p.PrescriberID,
			PrescriberName: p.PrescriberName, Status: p.Status, IssuedAt: p.IssuedAt.In(loc), CancelReason: p.CancelReason,
			Items: mapAll(p.Items, toPrescriptionItem)}
		if !p.CancelledAt.IsZero() {
			t := p.CancelledAt.In(loc)
			d.CancelledAt = &t
		}
		return d
	}
}

// issuePrescription: POST .../prescriptions {"encounter_id", "items": [...]}
// -> 201, or 422 with "alerts" when a check fired on an item without an
// override reason.
func (h *Handler) issuePrescription(w http.ResponseWriter, r *http.Request) {
	var in struct {
		EncounterID string `json:"encounter_id"`
		Items       []struct {
			MedicineID     string `json:"medicine_id"`
			Dose           string `json:"dose"`
			Route          string `json:"route"`
			Frequency      string `json:"frequency"`
			DurationDays   int    `json:"duration_days"`
			Quantity       string `json:"quantity"`
			Repeats        int    `json:"repeats"`
			Instructions   string `json:"instructions"`
			OverrideReason string `json:"override_reason"`
		} `json:"items"`
	}
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	p := &medic.Prescription{EncounterID: in.EncounterID}
	for _, it := range in.Items {
		p.Items = append(p.Items, &medic.PrescriptionItem{MedicineID: it.MedicineID, Dose: it.Dose, Route: it.Route, Frequency: it.Frequency,
			DurationDays: it.DurationDays, Quantity: it.Quantity, Repeats: it.Repeats, Instructions: it.Instructions, OverrideReason: it.OverrideReason})
	}
	if err := h.app.IssuePrescription(r.Context(), p); err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, toPrescription(practiceZone(r.Context()))(p))
}

// listPrescriptions: GET .../prescriptions?patient= or ?encounter=.
func (h *Handler) listPrescriptions(w http.ResponseWriter, r *http.Request) {
	pg, err := page(r)
	if err != nil {
		h.error(w, r, err)
		return
	}
	q := r.URL.Query()
	ps, next, err := h.app.ListPrescriptions(r.Context(), medic.PrescriptionFilter{PatientID: q.Get("patient"), EncounterID: q.Get("encounter")}, pg)
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newList(mapAll(ps, toPrescription(practiceZone(r.Context()))), next))
}

func (h *Handler) getPrescription(w http.ResponseWriter, r *http.Request) {
	p, err := h.app.GetPrescription(r.Context(), r.PathValue("id"))
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toPrescription(practiceZone(r.Context()))(p))
}

// cancelPrescription: POST .../prescriptions/{id}/cancel {"reason"}.
func (h *Handler) cancelPrescription(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Reason string `json:"reason"`
	}
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	p, err := h.app.CancelPrescription(r.Context(), r.PathValue("id"), in.Reason)
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toPrescription(practiceZone(r.Context()))(p))
}

type currentMedicineDTO struct {
	PrescriptionID string              `json:"prescription_id"`
	IssuedAt       time.Time           `json:"issued_at"`
	Until          string              `json:"until"`
	Item           prescriptionItemDTO `json:"item"`
	Medicine       medicineDTO         `json:"medicine"`
}

// currentMedicines: GET .../patients/{id}/medications: what the patient
// takes today, from issued prescriptions.
func (h *Handler) currentMedicines(w http.ResponseWriter, r *http.Request) {
	cms, err := h.app.CurrentMedicines(r.Context(), r.PathValue("id"))
	if err != nil {
		h.error(w, r, err)
		return
	}
	loc := practiceZone(r.Context())
	out := make([]currentMedicineDTO, len(cms))
	for i, cm := range cms {
		out[i] = currentMedicineDTO{PrescriptionID: cm.PrescriptionID, IssuedAt: cm.IssuedAt.In(loc), Until: cm.Until.String(),
			Item: toPrescriptionItem(cm.Item), Medicine: toMedicine(cm.Medicine)}
	}
	writeJSON(w, http.StatusOK, newList(out, ""))
}
