package fhirapi

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"medic"
	"medic/internal/app"
	"medic/internal/fhir"
)

// include is an _include (the matches' references to target, found under
// the named elements) or a _revinclude (resources of source whose param
// points at the matches) a type supports.
type include struct {
	value    string   // as sent: Appointment:patient, Observation:encounter
	target   string   // the type included
	elements []string // _include: the top-level elements holding the references
	rev      bool
}

// includesOf lists what the type's searches can include.
var includesOf = map[string][]include{
	"Appointment":        {{value: "Appointment:patient", target: "Patient", elements: []string{"participant"}}, {value: "Appointment:practitioner", target: "Practitioner", elements: []string{"participant"}}},
	"Encounter":          {{value: "Encounter:patient", target: "Patient", elements: []string{"subject"}}, {value: "Encounter:practitioner", target: "Practitioner", elements: []string{"participant"}}, {value: "Observation:encounter", target: "Observation", rev: true}},
	"Observation":        {{value: "Observation:patient", target: "Patient", elements: []string{"subject"}}},
	"Condition":          {{value: "Condition:patient", target: "Patient", elements: []string{"subject"}}},
	"AllergyIntolerance": {{value: "AllergyIntolerance:patient", target: "Patient", elements: []string{"patient"}}},
	"MedicationRequest":  {{value: "MedicationRequest:patient", target: "Patient", elements: []string{"subject"}}},
	"DocumentReference":  {{value: "DocumentReference:patient", target: "Patient", elements: []string{"subject"}}},
	"Patient":            {{value: "MedicationRequest:patient", target: "MedicationRequest", rev: true}},
	"ServiceRequest":     {{value: "ServiceRequest:patient", target: "Patient", elements: []string{"subject"}}},
	"DiagnosticReport":   {{value: "DiagnosticReport:patient", target: "Patient", elements: []string{"subject"}}, {value: "DiagnosticReport:result", target: "Observation", elements: []string{"result"}}},
}

// parseIncludes reads _include and _revinclude against the type's list:
// an unsupported value is a 400 under strict handling, else ignored (and
// left out of the self link).
func (s *searchRequest) parseIncludes(typ string, name string, vs []string, strict bool) error {
	for _, v := range vs {
		i := slices.IndexFunc(includesOf[typ], func(in include) bool { return in.value == v && in.rev == (name == "_revinclude") })
		if i < 0 {
			if strict {
				return badRequest(name + "=" + v + " is not supported for " + typ + " (see " + Base + "/metadata).")
			}
			if !slices.Contains(s.ignored, name) {
				s.ignored = append(s.ignored, name)
			}
			continue
		}
		s.includes = append(s.includes, includesOf[typ][i])
		s.params.Add(name, v)
	}
	return nil
}

// included reads what the search's includes add to the matches, through
// the use cases (so roles and audit apply and nothing of another practice
// is found): the charts in one audited search, practitioners by id, an
// encounter's observations through its vitals and orders.
func (h *Handler) included(ctx context.Context, s *searchRequest, matches []entry) ([]entry, error) {
	seen := map[string]bool{}
	for _, e := range matches {
		seen[e.typ+"/"+e.id] = true
	}
	var out []entry
	add := func(typ, id string, res any) {
		if !seen[typ+"/"+id] {
			seen[typ+"/"+id] = true
			out = append(out, entry{typ: typ, id: id, res: res, mode: "include"})
		}
	}
	for _, in := range s.includes {
		if in.rev && in.target == "MedicationRequest" { // the charts' prescriptions, a search per chart
			for _, e := range matches {
				ps, err := allPages(func(p medic.Page) ([]*medic.Prescription, string, error) {
					return h.app.ListPrescriptionItems(ctx, medic.MedicationFilter{PatientID: e.id}, p)
				})
				if err != nil {
					return nil, err
				}
				for _, m := range medicationResources(ps, h.app.Today(ctx)) {
					add(m.typ, m.id, m.res)
				}
			}
			continue
		}
		if in.rev { // Observation:encounter on encounters
			for _, e := range matches {
				obs, err := h.encounterObservations(ctx, e.id)
				if err != nil {
					return nil, err
				}
				for _, o := range obs {
					add("Observation", o.ID, o)
				}
			}
			continue
		}
		var refs []string
		for _, e := range matches {
			for _, id := range references(e.res, in.elements, in.target) {
				if !slices.Contains(refs, id) && !seen[in.target+"/"+id] {
					refs = append(refs, id)
				}
			}
		}
		if len(refs) == 0 {
			continue
		}
		switch in.target {
		case "Patient":
			ps, _, err := h.app.FindPatients(ctx, medic.PatientCriteria{IDs: refs}, medic.Page{Limit: medic.MaxLimit})
			if err != nil {
				return nil, err
			}
			for _, p := range ps {
				add("Patient", p.ID, fhir.FromPatient(p))
			}
		case "Practitioner":
			for _, id := range refs {
				p, err := h.app.GetPractitioner(ctx, id)
				if medic.ErrorCode(err) == medic.ENOTFOUND {
					continue
				} else if err != nil {
					return nil, err
				}
				add("Practitioner", p.ID, fhir.FromPractitioner(p))
			}
		case "Observation": // a report's results: one read of each order
			orders := map[string]bool{}
			for _, id := range refs {
				if order, _, _, ok := fhir.ParseCompositeID(id, fhir.KindResult); ok && !orders[order] {
					orders[order] = true
					o, err := h.app.GetOrder(ctx, order)
					if err != nil {
						return nil, err
					}
					for _, ob := range fhir.FromOrderResults(o) {
						add("Observation", ob.ID, ob)
					}
				}
			}
		}
	}
	return out, nil
}

// encounterObservations are an encounter's vital signs and results.
func (h *Handler) encounterObservations(ctx context.Context, encounter string) ([]*fhir.Observation, error) {
	pv, err := h.app.EncounterVitals(ctx, encounter)
	if err != nil {
		return nil, err
	}
	var out []*fhir.Observation
	for _, rec := range pv.Records {
		out = append(out, fhir.FromVitals(rec.Vitals)...)
	}
	q := app.OrderQuery{Filter: medic.OrderFilter{EncounterID: encounter, Statuses: []medic.OrderStatus{medic.OrderResulted, medic.OrderReviewed}, WithResults: true}, InPath: true}
	os, err := allPages(func(p medic.Page) ([]*medic.Order, string, error) { return h.app.ListOrders(ctx, q, p) })
	if err != nil {
		return nil, err
	}
	for _, o := range os {
		out = append(out, fhir.FromOrderResults(o)...)
	}
	return out, nil
}

// references are the ids of target that res references under elements.
func references(res any, elements []string, target string) []string {
	raw, err := json.Marshal(res)
	if err != nil {
		return nil
	}
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil {
		return nil
	}
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, c := range x {
				if ref, ok := c.(string); ok && k == "reference" && strings.HasPrefix(ref, target+"/") {
					out = append(out, strings.TrimPrefix(ref, target+"/"))
				} else {
					walk(c)
				}
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	for _, el := range elements {
		walk(m[el])
	}
	return out
}
