package fhirapi

import (
	"net/http"
	"strings"

	"medic"
	"medic/internal/app"
	"medic/internal/fhir"
)

func (h *Handler) serviceRequestType() *resourceType {
	return &resourceType{name: "ServiceRequest", doc: "Lab and imaging orders. status is active (ordered or collected), completed (resulted or reviewed) or revoked (cancelled); the extension " + fhir.OrderStatusExtension + " carries the step itself. code is the practice's test code (" + fhir.OrderCodeSystem + "), with LOINC for the common tests. Clinical: members who read clinical records only.",
		read: h.readServiceRequest, search: h.searchServiceRequests,
		params: []searchParam{
			{"patient", "reference", "The patient."},
			{"encounter", "reference", "The encounter the order was made at."},
			{"status", "token", "active, completed or revoked (comma: any of)."},
			{"category", "token", "108252007 (laboratory) or 363679005 (imaging), SNOMED CT (comma: any of)."},
			{"code", "token", "Test code (" + fhir.OrderCodeSystem + "|code, a common test's LOINC code, or the code alone; comma: any of)."},
			{"authored", "date", "When ordered, with prefixes eq, lt, le, gt, ge, sa, eb."},
		}}
}

func (h *Handler) readServiceRequest(w http.ResponseWriter, r *http.Request, id string) {
	o, err := h.app.GetOrder(r.Context(), id)
	if err != nil {
		h.error(w, r, err)
		return
	}
	res := fhir.FromOrder(o)
	h.writeVersioned(w, http.StatusOK, res.Meta, res)
}

// orderFilter reads the search parameters orders share (patient,
// encounter, category, code and the date parameter named date); none is
// true when they can match nothing.
func orderFilter(s *searchRequest, date string) (f medic.OrderFilter, none bool, err error) {
	var noneP, noneE bool
	if f.PatientID, noneP, err = refParam(s, "patient", "Patient"); err != nil {
		return f, false, err
	}
	if f.EncounterID, noneE, err = refParam(s, "encounter", "Encounter"); err != nil {
		return f, false, err
	}
	none = noneP || noneE
	if len(s.get("category")) > 0 {
		for _, v := range ids(s.get("category")) {
			_, code, has := strings.Cut(v, "|")
			if !has {
				code = v
			}
			if k, ok := fhir.OrderKindOf(code); ok {
				f.Kinds = append(f.Kinds, k)
			}
		}
		none = none || len(f.Kinds) == 0
	}
	if len(s.get("code")) > 0 {
		for _, v := range ids(s.get("code")) {
			system, code, has := strings.Cut(v, "|")
			if !has {
				system, code = "", v
			}
			f.Codes = append(f.Codes, fhir.OrderCodesOf(system, code)...)
		}
		none = none || len(f.Codes) == 0
	}
	sp, err := dateSpan(date, s.get(date), s.loc)
	if err != nil {
		return f, false, err
	}
	f.OrderedFrom, f.OrderedBefore = sp.from, sp.before
	return f, none || sp.empty(), nil
}

func (h *Handler) searchServiceRequests(w http.ResponseWriter, r *http.Request, s *searchRequest) {
	f, none, err := orderFilter(s, "authored")
	if err == nil && len(s.get("status")) > 1 {
		err = badRequest("status: give it once (commas list any of several).")
	}
	for _, v := range ids(s.get("status")) {
		st := fhir.OrderStatusesOf(v)
		if st == nil {
			err = badRequest("status: use active, completed or revoked.")
			break
		}
		f.Statuses = append(f.Statuses, st...)
	}
	if err != nil {
		h.error(w, r, err)
		return
	}
	if none {
		h.writeEmpty(w, s)
		return
	}
	q := app.OrderQuery{Filter: f}
	if s.count {
		n, err := countPages(func(p medic.Page) (int, string, error) {
			os, next, err := h.app.ListOrders(r.Context(), q, p)
			return len(os), next, err
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
	entries := make([]entry, len(os))
	for i, o := range os {
		entries[i] = entry{typ: "ServiceRequest", id: o.ID, res: fhir.FromOrder(o)}
	}
	h.writeBundle(w, s, entries, next, nil)
}
