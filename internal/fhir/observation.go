package fhir

import (
	"time"

	"medic"
)

// Observation is one vital sign (blood pressure as one, with components).
type Observation struct {
	ResourceType      string                 `json:"resourceType"`
	ID                string                 `json:"id,omitempty"`
	Meta              *Meta                  `json:"meta,omitempty"`
	BasedOn           []Reference            `json:"basedOn,omitempty"`
	Status            string                 `json:"status"`
	Category          []CodeableConcept      `json:"category"`
	Code              CodeableConcept        `json:"code"`
	Subject           *Reference             `json:"subject,omitempty"`
	Encounter         *Reference             `json:"encounter,omitempty"`
	EffectiveDateTime string                 `json:"effectiveDateTime,omitempty"`
	Issued            string                 `json:"issued,omitempty"`
	ValueQuantity     *Quantity              `json:"valueQuantity,omitempty"`
	ValueString       string                 `json:"valueString,omitempty"`
	Interpretation    []CodeableConcept      `json:"interpretation,omitempty"`
	Note              []Annotation           `json:"note,omitempty"`
	ReferenceRange    []ReferenceRange       `json:"referenceRange,omitempty"`
	Component         []ObservationComponent `json:"component,omitempty"`
}

// ReferenceRange is a result's normal range, as numbers or in words.
type ReferenceRange struct {
	Low  *Quantity `json:"low,omitempty"`
	High *Quantity `json:"high,omitempty"`
	Text string    `json:"text,omitempty"`
}

// ObservationComponent is a part of a panel (systolic, diastolic).
type ObservationComponent struct {
	Code          CodeableConcept `json:"code"`
	ValueQuantity *Quantity       `json:"valueQuantity,omitempty"`
}

// VitalSign is one measurement Medic records, as LOINC and UCUM code it.
type VitalSign struct {
	Key      byte // in composite ids
	LOINC    string
	Display  string
	Unit     string // UCUM code
	UnitText string
	Profile  string
	value    func(v *medic.Vitals) *float64
}

// VitalSigns lists the measurements, blood pressure first.
var VitalSigns = []VitalSign{
	{'b', "85354-9", "Blood pressure panel with all children optional", "mm[Hg]", "mmHg", bpProfile, func(v *medic.Vitals) *float64 { return v.SystolicMmHg }},
	{'h', "8867-4", "Heart rate", "/min", "beats/minute", vitalSignsProfile, func(v *medic.Vitals) *float64 { return v.PulseBPM }},
	{'t', "8310-5", "Body temperature", "Cel", "C", vitalSignsProfile, func(v *medic.Vitals) *float64 { return v.TemperatureC }},
	{'r', "9279-1", "Respiratory rate", "/min", "breaths/minute", vitalSignsProfile, func(v *medic.Vitals) *float64 { return v.RespiratoryRate }},
	{'o', "2708-6", "Oxygen saturation in Arterial blood", "%", "%", vitalSignsProfile, func(v *medic.Vitals) *float64 { return v.SpO2Percent }},
	{'w', "29463-7", "Body weight", "kg", "kg", vitalSignsProfile, func(v *medic.Vitals) *float64 { return v.WeightKg }},
	{'l', "8302-2", "Body height", "cm", "cm", vitalSignsProfile, func(v *medic.Vitals) *float64 { return v.HeightCm }},
	{'c', "9843-4", "Head Occipital-frontal circumference", "cm", "cm", vitalSignsProfile, func(v *medic.Vitals) *float64 { return v.HeadCircumferenceCm }},
	{'g', "15074-8", "Glucose [Moles/volume] in Blood", "mmol/L", "mmol/L", "", func(v *medic.Vitals) *float64 { return v.GlucoseMmolL }},
}

var vitalSignsCategory = []CodeableConcept{*concept(observationCatSys, "vital-signs", "Vital Signs")}

func quantity(v float64, s VitalSign) *Quantity {
	return &Quantity{Value: v, Unit: s.UnitText, System: UCUMSystem, Code: s.Unit}
}

// FromVitals maps a set of vitals to one Observation per measurement
// taken (blood pressure as one, systolic and diastolic as components).
func FromVitals(v *medic.Vitals) []*Observation {
	var out []*Observation
	for _, s := range VitalSigns {
		o := &Observation{ResourceType: "Observation", ID: CompositeID(KindObservation, v.EncounterID, v.ID, s.Key), Status: "final",
			Category: vitalSignsCategory, Code: *concept(LOINCSystem, s.LOINC, s.Display), Subject: Ref("Patient", v.PatientID, ""),
			Encounter: Ref("Encounter", v.EncounterID, ""), EffectiveDateTime: dateTime(v.MeasuredAt), Issued: Instant(v.CreatedAt),
			Meta: metaOf(v.CreatedAt)}
		if s.Profile != "" {
			o.Meta.Profile = []string{s.Profile}
		}
		if s.Key == 'b' {
			if v.SystolicMmHg == nil && v.DiastolicMmHg == nil {
				continue
			}
			sys, dia := VitalSign{Unit: "mm[Hg]", UnitText: "mmHg"}, VitalSign{Unit: "mm[Hg]", UnitText: "mmHg"}
			if v.SystolicMmHg != nil {
				o.Component = append(o.Component, ObservationComponent{Code: *concept(LOINCSystem, "8480-6", "Systolic blood pressure"), ValueQuantity: quantity(*v.SystolicMmHg, sys)})
			}
			if v.DiastolicMmHg != nil {
				o.Component = append(o.Component, ObservationComponent{Code: *concept(LOINCSystem, "8462-4", "Diastolic blood pressure"), ValueQuantity: quantity(*v.DiastolicMmHg, dia)})
			}
			out = append(out, o)
			continue
		}
		val := s.value(v)
		if val == nil {
			continue
		}
		o.ValueQuantity = quantity(*val, s)
		out = append(out, o)
	}
	return out
}

// ObservationMatches reports whether o has LOINC code code (any system
// when system is "").
func ObservationMatches(o *Observation, system, code string) bool {
	if system != "" && system != LOINCSystem {
		return false
	}
	for _, c := range o.Code.Coding {
		if c.Code == code {
			return true
		}
	}
	for _, c := range o.Component {
		for _, cc := range c.Code.Coding {
			if cc.Code == code {
				return true
			}
		}
	}
	return false
}

// effective is when o was measured (for date searches).
func (o *Observation) Effective() time.Time {
	t, _ := time.Parse(time.RFC3339, o.EffectiveDateTime)
	return t
}
