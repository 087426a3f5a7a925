package fhirapi

import (
	"net/http"
	"time"

	"medic"
	"medic/internal/app"
	"medic/internal/fhir"
)

// patientEverything answers Patient/{id}/$everything: the chart and what
// the member's role may read of its records, as one searchset (not paged:
// a chart's records are bounded, vitals to the series limit), read and
// audited as one event by the use case.
func (h *Handler) patientEverything(w http.ResponseWriter, r *http.Request, id string) {
	for name := range r.URL.Query() {
		if name != "_format" && preferStrict(r) {
			h.error(w, r, badRequest("Patient/$everything takes no parameters here ("+name+" is not supported)."))
			return
		}
	}
	rec, err := h.app.PatientEverything(r.Context(), id)
	if err != nil {
		h.error(w, r, err)
		return
	}
	t, _ := medic.TenantFrom(r.Context())
	entries := recordEntries(rec, t.PracticeID, h.location(r), h.app.Today(r.Context()))
	total := len(entries)
	s := &searchRequest{params: nil, base: h.baseURL(r), typ: "Patient/" + id + "/$everything"}
	h.writeBundle(w, s, entries, "", &total)
}

// recordEntries maps a chart's records: the chart first, then each kind.
func recordEntries(rec *app.PatientRecord, practiceID string, loc *time.Location, today medic.Date) []entry {
	entries := []entry{{typ: "Patient", id: rec.Patient.ID, res: fhir.FromPatient(rec.Patient)}}
	for _, a := range rec.Appointments {
		entries = append(entries, entry{typ: "Appointment", id: a.ID, res: fhir.FromAppointment(a, loc)})
	}
	for _, e := range rec.Encounters {
		entries = append(entries, entry{typ: "Encounter", id: e.ID, res: fhir.FromEncounter(e, practiceID)})
	}
	for _, v := range rec.Vitals {
		for _, o := range fhir.FromVitals(v) {
			entries = append(entries, entry{typ: "Observation", id: o.ID, res: o})
		}
	}
	if rec.Allergies != nil {
		for _, a := range allergyResources(rec.Allergies, rec.Patient.ID) {
			entries = append(entries, entry{typ: "AllergyIntolerance", id: a.ID, res: a})
		}
	}
	for _, c := range rec.Conditions {
		res := fhir.FromProblem(c)
		entries = append(entries, entry{typ: "Condition", id: res.ID, res: res})
	}
	for _, d := range rec.Diagnoses {
		res := fhir.FromDiagnosis(d)
		entries = append(entries, entry{typ: "Condition", id: res.ID, res: res})
	}
	for _, o := range rec.Orders {
		entries = append(entries, entry{typ: "ServiceRequest", id: o.ID, res: fhir.FromOrder(o)})
		if dr := fhir.FromOrderReport(o); dr != nil {
			entries = append(entries, entry{typ: "DiagnosticReport", id: dr.ID, res: dr})
			for _, ob := range fhir.FromOrderResults(o) {
				entries = append(entries, entry{typ: "Observation", id: ob.ID, res: ob})
			}
		}
	}
	entries = append(entries, medicationResources(rec.Prescriptions, today)...)
	entries = append(entries, documentResources(rec.Documents)...)
	return entries
}
