package fhirapi

import (
	"net/http"
	"time"

	"medic"
	"medic/internal/app"
	"medic/internal/fhir"
)

func (h *Handler) diagnosticReportType() *resourceType {
	return &resourceType{name: "DiagnosticReport", doc: "The results of a resulted lab or imaging order (its id is the ServiceRequest's): final, the results with a value as Observations (category laboratory or imaging), free-text reports as the conclusion, the reviewing doctor as resultsInterpreter. Clinical: members who read clinical records only.",
		read: h.readDiagnosticReport, search: h.searchDiagnosticReports,
		params: []searchParam{
			{"patient", "reference", "The patient."},
			{"encounter", "reference", "The encounter the order was made at."},
			{"status", "token", "final (every report served is)."},
			{"category", "token", "LAB or RAD (" + "http://terminology.hl7.org/CodeSystem/v2-0074" + "; comma: any of)."},
			{"code", "token", "Test code (" + fhir.OrderCodeSystem + "|code, a common test's LOINC code, or the code alone; comma: any of)."},
			{"date", "date", "When the specimen was taken (or the order made), with prefixes eq, lt, le, gt, ge, sa, eb."},
		}}
}

func (h *Handler) readDiagnosticReport(w http.ResponseWriter, r *http.Request, id string) {
	o, err := h.app.GetOrder(r.Context(), id)
	if err != nil {
		h.error(w, r, err)
		return
	}
	res := fhir.FromOrderReport(o)
	if res == nil {
		h.error(w, r, errNotFound) // not resulted: no report yet
		return
	}
	h.writeVersioned(w, http.StatusOK, res.Meta, res)
}

func (h *Handler) searchDiagnosticReports(w http.ResponseWriter, r *http.Request, s *searchRequest) {
	f, none, err := orderFilter(s, "date")
	if err != nil {
		h.error(w, r, err)
		return
	}
	for _, v := range ids(s.get("status")) {
		none = none || v != "final"
	}
	if none {
		h.writeEmpty(w, s)
		return
	}
	// The date is the sample's, taken at or after the order: only the
	// upper bound narrows the query; the lower is checked on each report
	// (so a page may hold fewer than _count, its next link still right).
	from, before := f.OrderedFrom, f.OrderedBefore
	f.OrderedFrom = time.Time{}
	f.Statuses = []medic.OrderStatus{medic.OrderResulted, medic.OrderReviewed}
	f.WithResults = true
	q := app.OrderQuery{Filter: f}
	keep := func(os []*medic.Order) []*fhir.DiagnosticReport {
		var out []*fhir.DiagnosticReport
		for _, o := range os {
			res := fhir.FromOrderReport(o)
			at := o.CollectedAt
			if at.IsZero() {
				at = o.OrderedAt
			}
			if res == nil || (!from.IsZero() && at.Before(from)) || (!before.IsZero() && !at.Before(before)) {
				continue
			}
			out = append(out, res)
		}
		return out
	}
	if s.count {
		n, err := countPages(func(p medic.Page) (int, string, error) {
			os, next, err := h.app.ListOrders(r.Context(), q, p)
			return len(keep(os)), next, err
		})
		if err != nil {
			h.error(w, r, err)
			return
		}
		h.writeCount(w, s, n)
		return
	}
	os, next, err := h.app.ListOrders(r.Context(), q, s.page)
	if err != nil {
		h.error(w, r, err)
		return
	}
	var entries []entry
	for _, res := range keep(os) {
		entries = append(entries, entry{typ: "DiagnosticReport", id: res.ID, res: res})
	}
	h.writeBundle(w, s, entries, next, nil)
}
