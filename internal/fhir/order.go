package fhir

import (
	"strings"
	"time"

	"medic"
)

// Lab and imaging orders: the order is a ServiceRequest; once resulted it
// has a DiagnosticReport (same id: one report per order) whose results
// are Observations of category laboratory or imaging, each basedOn the
// ServiceRequest.

const (
	// OrderCodeSystem names the practice's test codes (FBC, HBA1C, CXR or
	// its own); common tests also carry their LOINC code.
	OrderCodeSystem = "urn:medic:order-code"
	// OrderStatusExtension carries Medic's own step of the order (ordered,
	// collected, resulted, reviewed, cancelled): R4's ServiceRequest.status
	// is coarser and has no business status.
	OrderStatusExtension = "urn:medic:fhir:extension:order-status"
	v2DiagnosticService  = "http://terminology.hl7.org/CodeSystem/v2-0074"
	interpretationSys    = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
)

// Extension is an element Medic adds (a code).
type Extension struct {
	URL       string `json:"url"`
	ValueCode string `json:"valueCode,omitempty"`
}

// ServiceRequest is a lab or imaging order.
type ServiceRequest struct {
	ResourceType string            `json:"resourceType"`
	ID           string            `json:"id,omitempty"`
	Meta         *Meta             `json:"meta,omitempty"`
	Extension    []Extension       `json:"extension,omitempty"`
	Status       string            `json:"status"`
	Intent       string            `json:"intent"`
	Category     []CodeableConcept `json:"category,omitempty"`
	Priority     string            `json:"priority,omitempty"`
	Code         *CodeableConcept  `json:"code,omitempty"`
	Subject      Reference         `json:"subject"`
	Encounter    *Reference        `json:"encounter,omitempty"`
	AuthoredOn   string            `json:"authoredOn,omitempty"`
	Requester    *Reference        `json:"requester,omitempty"`
	Note         []Annotation      `json:"note,omitempty"`
}

// DiagnosticReport is the results of a resulted order.
type DiagnosticReport struct {
	ResourceType       string            `json:"resourceType"`
	ID                 string            `json:"id,omitempty"`
	Meta               *Meta             `json:"meta,omitempty"`
	BasedOn            []Reference       `json:"basedOn,omitempty"`
	Status             string            `json:"status"`
	Category           []CodeableConcept `json:"category,omitempty"`
	Code               CodeableConcept   `json:"code"`
	Subject            *Reference        `json:"subject,omitempty"`
	Encounter          *Reference        `json:"encounter,omitempty"`
	EffectiveDateTime  string            `json:"effectiveDateTime,omitempty"`
	Issued             string            `json:"issued,omitempty"`
	ResultsInterpreter []Reference       `json:"resultsInterpreter,omitempty"`
	Result             []Reference       `json:"result,omitempty"`
	Conclusion         string            `json:"conclusion,omitempty"`
}

// commonLOINC are the LOINC codes of the common tests (CommonTests).
var commonLOINC = map[string][2]string{
	"FBC":   {"58410-2", "CBC panel - Blood by Automated count"},
	"UE":    {"24362-6", "Renal function 2000 panel - Serum or Plasma"},
	"HBA1C": {"4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood"},
	"LIPID": {"24331-1", "Lipid 1996 panel - Serum or Plasma"},
	"TSH":   {"3016-3", "Thyrotropin [Units/volume] in Serum or Plasma"},
	"LFT":   {"24325-3", "Hepatic function 2000 panel - Serum or Plasma"},
	"CRP":   {"1988-5", "C reactive protein [Mass/volume] in Serum or Plasma"},
	"FGLU":  {"14771-0", "Fasting glucose [Moles/volume] in Serum or Plasma"},
	"PSA":   {"2857-1", "Prostate specific Ag [Mass/volume] in Serum or Plasma"},
	"ECG":   {"11524-6", "EKG study"},
}

// OrderCode is the coded test of an order.
func OrderCode(o *medic.Order) CodeableConcept {
	c := CodeableConcept{Coding: []Coding{{System: OrderCodeSystem, Code: o.Code, Display: o.Description}}, Text: o.Description}
	if l, ok := commonLOINC[o.Code]; ok {
		c.Coding = append(c.Coding, Coding{System: LOINCSystem, Code: l[0], Display: l[1]})
	}
	return c
}

// ServiceRequestStatus is the R4 status of an order's step: active until
// resulted, then completed; cancelled is revoked.
func ServiceRequestStatus(s medic.OrderStatus) string {
	switch s {
	case medic.OrderResulted, medic.OrderReviewed:
		return "completed"
	case medic.OrderCancelled:
		return "revoked"
	}
	return "active"
}

// OrderStatusesOf maps an R4 ServiceRequest status to Medic's steps (nil
// for one no order has).
func OrderStatusesOf(s string) []medic.OrderStatus {
	switch s {
	case "active":
		return []medic.OrderStatus{medic.OrderOrdered, medic.OrderCollected}
	case "completed":
		return []medic.OrderStatus{medic.OrderResulted, medic.OrderReviewed}
	case "revoked":
		return []medic.OrderStatus{medic.OrderCancelled}
	}
	return nil
}

// OrderCategory is the ServiceRequest category of a kind (SNOMED CT, from
// R4's servicerequest-category value set).
func OrderCategory(k medic.OrderKind) CodeableConcept {
	if k == medic.OrderImaging {
		return *concept(snomedSystem, "363679005", "Imaging")
	}
	return *concept(snomedSystem, "108252007", "Laboratory procedure")
}

// OrderKindOf reads a category code of any of the three category systems
// (ServiceRequest, DiagnosticReport, Observation) as an order kind.
func OrderKindOf(code string) (medic.OrderKind, bool) {
	switch code {
	case "108252007", "LAB", "laboratory":
		return medic.OrderLab, true
	case "363679005", "RAD", "imaging":
		return medic.OrderImaging, true
	}
	return "", false
}

// orderChanged is the order's last change (its own steps).
func orderChanged(o *medic.Order) time.Time {
	last := o.OrderedAt
	for _, t := range []time.Time{o.CollectedAt, o.ResultedAt, o.ReviewedAt, o.CancelledAt} {
		if t.After(last) {
			last = t
		}
	}
	return last
}

// FromOrder maps an order.
func FromOrder(o *medic.Order) *ServiceRequest {
	code := OrderCode(o)
	r := &ServiceRequest{ResourceType: "ServiceRequest", ID: o.ID, Meta: metaOf(orderChanged(o)),
		Extension: []Extension{{URL: OrderStatusExtension, ValueCode: string(o.Status)}},
		Status:    ServiceRequestStatus(o.Status), Intent: "order", Category: []CodeableConcept{OrderCategory(o.Kind)},
		Priority: "routine", Code: &code, Subject: *Ref("Patient", o.PatientID, o.PatientName), Encounter: Ref("Encounter", o.EncounterID, ""),
		AuthoredOn: dateTime(o.OrderedAt)}
	if o.Urgency == medic.OrderUrgent {
		r.Priority = "urgent"
	}
	if o.OrderedByName != "" {
		r.Requester = &Reference{Display: o.OrderedByName}
	}
	if o.Note != "" {
		r.Note = append(r.Note, Annotation{Text: o.Note})
	}
	if o.Status == medic.OrderCancelled && o.CancelReason != "" {
		r.Note = append(r.Note, Annotation{Text: "Cancelled: " + o.CancelReason})
	}
	return r
}

// HasReport reports whether the order has a DiagnosticReport (it has
// results).
func HasReport(o *medic.Order) bool {
	return (o.Status == medic.OrderResulted || o.Status == medic.OrderReviewed) && len(o.Results) > 0
}

// sampled is when the specimen was taken (or the order made, for
// imaging): the results' effective time.
func sampled(o *medic.Order) time.Time {
	if !o.CollectedAt.IsZero() {
		return o.CollectedAt
	}
	return o.OrderedAt
}

// FromOrderReport maps a resulted order (with its results) to its report:
// final once resulted, the reviewing doctor as the interpreter, the
// results with a value as Observations and the free-text reports as the
// conclusion. Nil unless HasReport.
func FromOrderReport(o *medic.Order) *DiagnosticReport {
	if !HasReport(o) {
		return nil
	}
	cat := *concept(v2DiagnosticService, "LAB", "Laboratory")
	if o.Kind == medic.OrderImaging {
		cat = *concept(v2DiagnosticService, "RAD", "Radiology")
	}
	last := orderChanged(o)
	var reports []string
	r := &DiagnosticReport{ResourceType: "DiagnosticReport", ID: o.ID, BasedOn: []Reference{*Ref("ServiceRequest", o.ID, "")},
		Status: "final", Category: []CodeableConcept{cat}, Code: OrderCode(o), Subject: Ref("Patient", o.PatientID, o.PatientName),
		Encounter: Ref("Encounter", o.EncounterID, ""), EffectiveDateTime: dateTime(sampled(o)), Issued: Instant(o.ResultedAt)}
	for _, res := range o.Results {
		if res.EnteredAt.After(last) {
			last = res.EnteredAt
		}
		if res.Value != "" {
			r.Result = append(r.Result, *Ref("Observation", CompositeID(KindResult, o.ID, res.ID), res.Name))
		}
		if res.Report != "" {
			reports = append(reports, res.Report)
		}
	}
	if o.ReviewedByName != "" {
		r.ResultsInterpreter = []Reference{{Display: o.ReviewedByName}}
	}
	r.Conclusion = strings.Join(reports, "\n\n")
	r.Meta = metaOf(last)
	return r
}

// ucum maps the units results are typed in to UCUM codes.
var ucum = map[string]string{
	"%": "%", "g/dL": "g/dL", "g/L": "g/L", "mg/dL": "mg/dL", "mg/L": "mg/L", "mmol/L": "mmol/L", "µmol/L": "umol/L", "umol/L": "umol/L",
	"mIU/L": "m[IU]/L", "IU/L": "[IU]/L", "U/L": "U/L", "x10^9/L": "10*9/L", "x10^12/L": "10*12/L", "ng/mL": "ng/mL", "pmol/L": "pmol/L",
	"mL/min/1.73m2": "mL/min/{1.73_m2}", "fL": "fL", "pg": "pg", "mm/h": "mm/h", "s": "s",
}

// resultQuantity is a value with its unit, UCUM-coded where the unit is
// known.
func resultQuantity(v float64, unit string) *Quantity {
	q := &Quantity{Value: v, Unit: unit}
	if code, ok := ucum[unit]; ok {
		q.System, q.Code = UCUMSystem, code
	}
	return q
}

var interpretations = map[medic.ResultFlag]*CodeableConcept{
	medic.ResultLow:      concept(interpretationSys, "L", "Low"),
	medic.ResultHigh:     concept(interpretationSys, "H", "High"),
	medic.ResultAbnormal: concept(interpretationSys, "A", "Abnormal"),
	medic.ResultNormal:   concept(interpretationSys, "N", "Normal"),
}

// FromOrderResults maps an order's results that have a value to
// Observations (a report alone is the DiagnosticReport's conclusion).
func FromOrderResults(o *medic.Order) []*Observation {
	cat := *concept(observationCatSys, "laboratory", "Laboratory")
	if o.Kind == medic.OrderImaging {
		cat = *concept(observationCatSys, "imaging", "Imaging")
	}
	var out []*Observation
	for _, res := range o.Results {
		if res.Value == "" {
			continue
		}
		name := res.Name
		if name == "" {
			name = o.Description
		}
		ob := &Observation{ResourceType: "Observation", ID: CompositeID(KindResult, o.ID, res.ID), Meta: metaOf(res.EnteredAt),
			BasedOn: []Reference{*Ref("ServiceRequest", o.ID, "")}, Status: "final", Category: []CodeableConcept{cat},
			Code: CodeableConcept{Text: name}, Subject: Ref("Patient", o.PatientID, ""), Encounter: Ref("Encounter", o.EncounterID, ""),
			EffectiveDateTime: dateTime(sampled(o)), Issued: Instant(res.EnteredAt)}
		if res.Numeric != nil {
			ob.ValueQuantity = resultQuantity(*res.Numeric, res.Unit)
		} else {
			ob.ValueString = res.Value
		}
		if in := interpretations[res.Flag]; in != nil {
			ob.Interpretation = []CodeableConcept{*in}
		}
		if res.RefLow != nil || res.RefHigh != nil || res.RefText != "" {
			rr := ReferenceRange{Text: res.RefText}
			if res.RefLow != nil {
				rr.Low = resultQuantity(*res.RefLow, res.Unit)
			}
			if res.RefHigh != nil {
				rr.High = resultQuantity(*res.RefHigh, res.Unit)
			}
			if rr.Text == "" {
				rr.Text = res.RangeLabel()
			}
			ob.ReferenceRange = []ReferenceRange{rr}
		}
		if res.Report != "" {
			ob.Note = []Annotation{{Text: res.Report}}
		}
		out = append(out, ob)
	}
	return out
}

// OrderCodesOf reads a code search value (system|code or the code alone)
// as the test codes it names: Medic's own, or a common test's LOINC code.
// None for another system.
func OrderCodesOf(system, code string) []string {
	switch system {
	case "", OrderCodeSystem:
		out := []string{strings.ToUpper(code)}
		if system == "" {
			out = append(out, OrderCodesOf(LOINCSystem, code)...)
		}
		return out
	case LOINCSystem:
		var out []string
		for c, l := range commonLOINC {
			if l[0] == code {
				out = append(out, c)
			}
		}
		return out
	}
	return nil
}
