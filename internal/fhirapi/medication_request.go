package fhirapi

import (
	"net/http"

	"medic"
	"medic/internal/fhir"
)

func (h *Handler) medicationRequestType() *resourceType {
	return &resourceType{name: "MedicationRequest", doc: "Prescriptions: one MedicationRequest per medicine on a prescription (id: the item's; groupIdentifier " + fhir.PrescriptionSystem + ": the prescription). status is active until the item's last day of use (its duration for each supply, repeats included), then completed; cancelled with its prescription. The medicine is its label as issued, with its ATC code (" + fhir.ATCSystem + ") when the practice's list has one. A search names the patient or the encounter; newest first unless _sort says otherwise. Members who read prescriptions only.",
		read: h.readMedicationRequest, search: h.searchMedicationRequests,
		params: []searchParam{
			{"patient", "reference", "The patient (this or encounter is required)."},
			{"encounter", "reference", "The encounter the prescription was written at."},
			{"status", "token", "active, completed or cancelled (comma: any of)."},
		},
		sorts: []searchParam{{"authoredon", "", "when the prescription was issued; newest first without _sort"},
			{"status", "", "status code (active, cancelled, completed), newest first within each"}}}
}

func (h *Handler) readMedicationRequest(w http.ResponseWriter, r *http.Request, id string) {
	p, it, err := h.app.GetPrescriptionItem(r.Context(), id)
	if err != nil {
		h.error(w, r, err)
		return
	}
	res := fhir.FromPrescriptionItem(p, it, h.app.Today(r.Context()))
	h.writeVersioned(w, http.StatusOK, res.Meta, res)
}

// medicationResources maps every item of ps as judged on the day on.
func medicationResources(ps []*medic.Prescription, on medic.Date) []entry {
	var out []entry
	for _, p := range ps {
		for _, it := range p.Items {
			out = append(out, entry{typ: "MedicationRequest", id: it.ID, res: fhir.FromPrescriptionItem(p, it, on)})
		}
	}
	return out
}

func (h *Handler) searchMedicationRequests(w http.ResponseWriter, r *http.Request, s *searchRequest) {
	var f medic.MedicationFilter
	patient, noneP, err := refParam(s, "patient", "Patient")
	var noneE bool
	if err == nil {
		f.EncounterID, noneE, err = refParam(s, "encounter", "Encounter")
	}
	if err == nil && patient == "" && f.EncounterID == "" && !noneP && !noneE {
		err = badRequest("MedicationRequest searches name the patient or the encounter.")
	}
	if err == nil && len(s.get("status")) > 1 {
		err = badRequest("status: give it once (commas list any of several).")
	}
	f.PatientID = patient
	f.Sort, f.Desc = map[string]medic.MedicationSort{"authoredon": medic.MedicationByIssued, "status": medic.MedicationByStatus}[s.sort], s.desc
	for _, v := range ids(s.get("status")) {
		switch st := medic.MedicationStatus(v); st {
		case medic.MedicationActive, medic.MedicationCompleted, medic.MedicationCancelled:
			f.Statuses = append(f.Statuses, st)
		default:
			err = badRequest("status: use active, completed or cancelled.")
		}
	}
	if err != nil {
		h.error(w, r, err)
		return
	}
	if noneP || noneE {
		h.writeEmpty(w, s)
		return
	}
	if s.count {
		n, err := countPages(func(p medic.Page) (int, string, error) {
			ps, next, err := h.app.ListPrescriptionItems(r.Context(), f, p)
			n := 0
			for _, p := range ps {
				n += len(p.Items)
			}
			return n, next, err
		})
		if err != nil {
			h.error(w, r, err)
			return
		}
		h.writeCount(w, s, n)
		return
	}
	ps, next, err := h.app.ListPrescriptionItems(r.Context(), f, s.page)
	if err != nil {
		h.error(w, r, err)
		return
	}
	h.writeBundle(w, s, medicationResources(ps, h.app.Today(r.Context())), next, nil)
}
