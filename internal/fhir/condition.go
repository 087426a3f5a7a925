package fhir

import "medic"

// Condition is a problem-list entry or an encounter diagnosis.
type Condition struct {
	ResourceType       string            `json:"resourceType"`
	ID                 string            `json:"id,omitempty"`
	Meta               *Meta             `json:"meta,omitempty"`
	ClinicalStatus     *CodeableConcept  `json:"clinicalStatus,omitempty"`
	VerificationStatus *CodeableConcept  `json:"verificationStatus,omitempty"`
	Category           []CodeableConcept `json:"category"`
	Code               *CodeableConcept  `json:"code,omitempty"`
	Subject            Reference         `json:"subject"`
	Encounter          *Reference        `json:"encounter,omitempty"`
	OnsetDateTime      string            `json:"onsetDateTime,omitempty"`
	RecordedDate       string            `json:"recordedDate,omitempty"`
	Note               []Annotation      `json:"note,omitempty"`
}

// Annotation is a note.
type Annotation struct {
	Text string `json:"text"`
}

var confirmed = concept(conditionVerSys, "confirmed", "Confirmed")

func icd10(code, title string) *CodeableConcept {
	if code == "" {
		return &CodeableConcept{Text: title}
	}
	return &CodeableConcept{Coding: []Coding{{System: ICD10System, Code: code, Display: title}}, Text: title}
}

// FromProblem maps a problem-list entry.
func FromProblem(c *medic.Condition) *Condition {
	status := "active"
	if c.Status == medic.ConditionResolved {
		status = "resolved"
	}
	r := &Condition{ResourceType: "Condition", ID: CompositeID(KindProblem, c.PatientID, c.ID), Meta: metaOf(c.UpdatedAt),
		ClinicalStatus: concept(conditionClinSys, status, ""), VerificationStatus: confirmed,
		Category: []CodeableConcept{*concept(conditionCatSys, "problem-list-item", "Problem List Item")},
		Code:     icd10(c.Code, c.Title), Subject: *Ref("Patient", c.PatientID, ""), RecordedDate: dateTime(c.RecordedAt)}
	r.ClinicalStatus.Coding[0].Display = map[string]string{"active": "Active", "resolved": "Resolved"}[status]
	if !c.Onset.IsZero() {
		r.OnsetDateTime = c.Onset.String()
	}
	if c.Note != "" {
		r.Note = []Annotation{{Text: c.Note}}
	}
	return r
}

// FromDiagnosis maps an encounter diagnosis.
func FromDiagnosis(d *medic.Diagnosis) *Condition {
	return &Condition{ResourceType: "Condition", ID: CompositeID(KindDiagnosis, d.EncounterID, d.ID), Meta: metaOf(d.RecordedAt),
		VerificationStatus: confirmed,
		Category:           []CodeableConcept{*concept(conditionCatSys, "encounter-diagnosis", "Encounter Diagnosis")},
		Code:               icd10(d.Code, d.Title), Subject: *Ref("Patient", d.PatientID, ""), Encounter: Ref("Encounter", d.EncounterID, ""),
		RecordedDate: dateTime(d.RecordedAt)}
}
