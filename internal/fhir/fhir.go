// Package fhir holds the FHIR R4 resources Medic serves, as plain structs
// with only the elements it fills, and pure mapping functions between them
// and the domain types (no I/O: the handlers in internal/fhirapi read
// through the use cases and call these).
package fhir

import (
	"strconv"
	"time"
)

// Version is the FHIR version served.
const Version = "4.0.1"

// Systems and code systems used in mappings.
const (
	// SAIDSystem names South African ID numbers. No national NamingSystem
	// URI is published yet; this one is Medic's, documented in the
	// CapabilityStatement, and the identifier's type says it is national
	// (v2-0203 NI).
	SAIDSystem     = "urn:medic:sid:za-id-number"
	PassportSystem = "urn:medic:sid:passport"
	// HPCSASystem names practitioner registration numbers.
	HPCSASystem        = "urn:medic:sid:hpcsa-registration"
	PracticeNumberSys  = "urn:medic:sid:practice-number"
	ICD10System        = "http://hl7.org/fhir/sid/icd-10"
	LOINCSystem        = "http://loinc.org"
	UCUMSystem         = "http://unitsofmeasure.org"
	v2IdentifierType   = "http://terminology.hl7.org/CodeSystem/v2-0203"
	observationCatSys  = "http://terminology.hl7.org/CodeSystem/observation-category"
	conditionCatSys    = "http://terminology.hl7.org/CodeSystem/condition-category"
	conditionClinSys   = "http://terminology.hl7.org/CodeSystem/condition-clinical"
	conditionVerSys    = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
	allergyClinSys     = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
	allergyVerSys      = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification"
	actCodeSystem      = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
	snomedSystem       = "http://snomed.info/sct"
	vitalSignsProfile  = "http://hl7.org/fhir/StructureDefinition/vitalsigns"
	bpProfile          = "http://hl7.org/fhir/StructureDefinition/bp"
	organizationTypeCS = "http://terminology.hl7.org/CodeSystem/organization-type"
)

// Meta is a resource's version and last change.
type Meta struct {
	VersionID   string   `json:"versionId,omitempty"`
	LastUpdated string   `json:"lastUpdated,omitempty"`
	Profile     []string `json:"profile,omitempty"`
}

// VersionOf is the versionId of a row last changed at t: its microsecond
// instant (as PostgreSQL stores it), so each save makes a new version.
func VersionOf(t time.Time) string { return strconv.FormatInt(t.UnixMicro(), 10) }

// ParseVersion reads a versionId made by VersionOf.
func ParseVersion(v string) (time.Time, bool) {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return time.Time{}, false
	}
	return time.UnixMicro(n).UTC(), true
}

// metaOf is the Meta of a row last changed at t.
func metaOf(t time.Time, profiles ...string) *Meta {
	if t.IsZero() {
		return nil
	}
	return &Meta{VersionID: VersionOf(t), LastUpdated: Instant(t), Profile: profiles}
}

// Instant formats t as a FHIR instant (UTC, to the microsecond, as stored).
func Instant(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }

// Identifier is a business identifier.
type Identifier struct {
	Use    string           `json:"use,omitempty"`
	Type   *CodeableConcept `json:"type,omitempty"`
	System string           `json:"system,omitempty"`
	Value  string           `json:"value,omitempty"`
}

// HumanName is a person's name.
type HumanName struct {
	Use    string   `json:"use,omitempty"`
	Text   string   `json:"text,omitempty"`
	Family string   `json:"family,omitempty"`
	Given  []string `json:"given,omitempty"`
}

// ContactPoint is a phone number or email address.
type ContactPoint struct {
	System string `json:"system,omitempty"`
	Value  string `json:"value,omitempty"`
	Use    string `json:"use,omitempty"`
}

// Address is a postal address; Medic keeps addresses as text.
type Address struct {
	Use  string   `json:"use,omitempty"`
	Text string   `json:"text,omitempty"`
	Line []string `json:"line,omitempty"`
}

// Coding is a code from a system.
type Coding struct {
	System  string `json:"system,omitempty"`
	Code    string `json:"code,omitempty"`
	Display string `json:"display,omitempty"`
}

// CodeableConcept is a concept as codes and text.
type CodeableConcept struct {
	Coding []Coding `json:"coding,omitempty"`
	Text   string   `json:"text,omitempty"`
}

func concept(system, code, display string) *CodeableConcept {
	return &CodeableConcept{Coding: []Coding{{System: system, Code: code, Display: display}}}
}

// Reference points at another resource.
type Reference struct {
	Reference  string      `json:"reference,omitempty"`
	Identifier *Identifier `json:"identifier,omitempty"`
	Display    string      `json:"display,omitempty"`
}

// Ref is a relative reference "Type/id" (nil for an empty id).
func Ref(typ, id, display string) *Reference {
	if id == "" {
		return nil
	}
	return &Reference{Reference: typ + "/" + id, Display: display}
}

// Period is a time range.
type Period struct {
	Start string `json:"start,omitempty"`
	End   string `json:"end,omitempty"`
}

// Quantity is a measured amount with a UCUM unit.
type Quantity struct {
	Value  float64 `json:"value"`
	Unit   string  `json:"unit,omitempty"`
	System string  `json:"system,omitempty"`
	Code   string  `json:"code,omitempty"`
}

// Narrative is a resource's human-readable summary.
type Narrative struct {
	Status string `json:"status"`
	Div    string `json:"div"`
}

// dateTime formats t as a FHIR dateTime with its offset, in loc when given.
func dateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}

func itoa(i int) string { return strconv.Itoa(i) }
