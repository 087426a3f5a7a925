package fhir

import "medic"

// AllergyIntolerance is a recorded allergy, or the statement that the
// patient has no known allergies.
type AllergyIntolerance struct {
	ResourceType       string            `json:"resourceType"`
	ID                 string            `json:"id,omitempty"`
	Meta               *Meta             `json:"meta,omitempty"`
	ClinicalStatus     *CodeableConcept  `json:"clinicalStatus,omitempty"`
	VerificationStatus *CodeableConcept  `json:"verificationStatus,omitempty"`
	Criticality        string            `json:"criticality,omitempty"`
	Code               *CodeableConcept  `json:"code,omitempty"`
	Patient            Reference         `json:"patient"`
	RecordedDate       string            `json:"recordedDate,omitempty"`
	Reaction           []AllergyReaction `json:"reaction,omitempty"`
}

// AllergyReaction is what happens on exposure.
type AllergyReaction struct {
	Manifestation []CodeableConcept `json:"manifestation"`
	Severity      string            `json:"severity,omitempty"`
}

// FromAllergy maps an allergy of patientID.
func FromAllergy(a *medic.Allergy, patientID string) *AllergyIntolerance {
	r := &AllergyIntolerance{ResourceType: "AllergyIntolerance", ID: CompositeID(KindAllergy, patientID, a.ID), Meta: metaOf(a.UpdatedAt),
		Code: &CodeableConcept{Text: a.Substance}, Patient: *Ref("Patient", patientID, ""), RecordedDate: dateTime(a.RecordedAt)}
	switch a.Status {
	case medic.AllergyEnteredInError:
		// No clinical status with entered-in-error (invariant ait-2).
		r.VerificationStatus = concept(allergyVerSys, "entered-in-error", "Entered in Error")
	case medic.AllergyInactive:
		r.ClinicalStatus = concept(allergyClinSys, "inactive", "Inactive")
		r.VerificationStatus = concept(allergyVerSys, "confirmed", "Confirmed")
	default:
		r.ClinicalStatus = concept(allergyClinSys, "active", "Active")
		r.VerificationStatus = concept(allergyVerSys, "confirmed", "Confirmed")
	}
	if a.Severity == medic.SeveritySevere {
		r.Criticality = "high"
	} else if a.Severity != "" {
		r.Criticality = "low"
	}
	if a.Reaction != "" {
		r.Reaction = []AllergyReaction{{Manifestation: []CodeableConcept{{Text: a.Reaction}}, Severity: string(a.Severity)}}
	}
	return r
}

// NoKnownAllergiesID is the id of a chart's "no known allergies" statement.
func NoKnownAllergiesID(patientID string) string {
	return CompositeID(KindNoKnownAllergies, patientID, patientID)
}

// FromNoKnownAllergies maps the recorded statement that patientID has no
// known allergies (SNOMED CT 716186003).
func FromNoKnownAllergies(n *medic.NoKnownAllergies, patientID string) *AllergyIntolerance {
	return &AllergyIntolerance{ResourceType: "AllergyIntolerance", ID: NoKnownAllergiesID(patientID), Meta: metaOf(n.RecordedAt),
		ClinicalStatus:     concept(allergyClinSys, "active", "Active"),
		VerificationStatus: concept(allergyVerSys, "confirmed", "Confirmed"),
		Code:               &CodeableConcept{Coding: []Coding{{System: snomedSystem, Code: "716186003", Display: "No known allergy (situation)"}}, Text: "No known allergies"},
		Patient:            *Ref("Patient", patientID, ""), RecordedDate: dateTime(n.RecordedAt)}
}

// ClinicalStatus is the code of r's clinical status ("" if none).
func (r *AllergyIntolerance) ClinicalStatusCode() string {
	if r.ClinicalStatus == nil || len(r.ClinicalStatus.Coding) == 0 {
		return ""
	}
	return r.ClinicalStatus.Coding[0].Code
}

// ClinicalStatusCode is the code of c's clinical status ("" if none).
func (c *Condition) ClinicalStatusCode() string {
	if c.ClinicalStatus == nil || len(c.ClinicalStatus.Coding) == 0 {
		return ""
	}
	return c.ClinicalStatus.Coding[0].Code
}
