package fhir

import (
	"slices"
	"sort"
	"strconv"
	"strings"

	"medic"
)

// AuditEvent is one event of a practice's audit log (read-only).
type AuditEvent struct {
	ResourceType string        `json:"resourceType"`
	ID           string        `json:"id,omitempty"`
	Meta         *Meta         `json:"meta,omitempty"`
	Type         Coding        `json:"type"`
	Subtype      []Coding      `json:"subtype,omitempty"`
	Action       string        `json:"action,omitempty"`
	Recorded     string        `json:"recorded"`
	Outcome      string        `json:"outcome,omitempty"`
	OutcomeDesc  string        `json:"outcomeDesc,omitempty"`
	Agent        []AuditAgent  `json:"agent"`
	Source       AuditSource   `json:"source"`
	Entity       []AuditEntity `json:"entity,omitempty"`
}

// AuditAgent is who (or what) acted.
type AuditAgent struct {
	Type      *CodeableConcept `json:"type,omitempty"`
	Who       *Reference       `json:"who,omitempty"`
	AltID     string           `json:"altId,omitempty"`
	Requestor bool             `json:"requestor"`
	Network   *AuditNetwork    `json:"network,omitempty"`
}

// AuditNetwork is where the request came from.
type AuditNetwork struct {
	Address string `json:"address,omitempty"`
	Type    string `json:"type,omitempty"`
}

// AuditSource is what recorded the event.
type AuditSource struct {
	Site     string    `json:"site,omitempty"`
	Observer Reference `json:"observer"`
}

// AuditEntity is a chart or record the event was about.
type AuditEntity struct {
	What   *Reference          `json:"what,omitempty"`
	Type   *Coding             `json:"type,omitempty"`
	Role   *Coding             `json:"role,omitempty"`
	Detail []AuditEntityDetail `json:"detail,omitempty"`
}

// AuditEntityDetail is a detail of the event (never patient data).
type AuditEntityDetail struct {
	Type        string `json:"type"`
	ValueString string `json:"valueString"`
}

const (
	// AuditActionSystem names Medic's audit actions (patient.viewed,
	// order.resulted ...): AuditEvent.subtype.
	AuditActionSystem = "urn:medic:audit-action"
	// UserSystem and APITokenSystem identify a member's user and the
	// personal API token it acted through.
	UserSystem     = "urn:medic:user"
	APITokenSystem = "urn:medic:api-token"
	auditTypeSys   = "http://terminology.hl7.org/CodeSystem/audit-event-type"
	dicomSys       = "http://dicom.nema.org/resources/ontology/DCM"
	entityTypeSys  = "http://terminology.hl7.org/CodeSystem/audit-entity-type"
	objectRoleSys  = "http://terminology.hl7.org/CodeSystem/object-role"
)

// AuditAction is the CRUDE code of a Medic action, from its verb.
func AuditAction(action string) string {
	_, verb, _ := strings.Cut(action, ".")
	switch {
	case strings.HasSuffix(verb, "viewed"), strings.HasSuffix(verb, "listed"), strings.HasSuffix(verb, "searched"),
		verb == "everything", strings.HasSuffix(verb, "exported"), strings.HasSuffix(verb, "printed"), strings.HasSuffix(verb, "downloaded"):
		return "R"
	case strings.HasSuffix(verb, "created"), strings.HasSuffix(verb, "added"), strings.HasSuffix(verb, "booked"), strings.HasSuffix(verb, "placed"),
		strings.HasSuffix(verb, "recorded"), strings.HasSuffix(verb, "invited"):
		return "C"
	case strings.HasSuffix(verb, "deleted"), strings.HasSuffix(verb, "removed"), strings.HasSuffix(verb, "revoked"):
		return "D"
	case strings.HasPrefix(action, "auth."):
		return "E"
	}
	return "U"
}

// auditOutcome is R4's outcome code: 0 success, 4 minor failure (a
// refusal), 8 serious failure.
func auditOutcome(o string) string {
	switch o {
	case medic.OutcomeSuccess, "":
		return "0"
	case medic.OutcomeDenied:
		return "4"
	}
	return "8"
}

// AuditOutcomeOf maps an R4 outcome code back to Medic's ("" for none).
func AuditOutcomeOf(code string) string {
	switch code {
	case "0":
		return medic.OutcomeSuccess
	case "4":
		return medic.OutcomeDenied
	case "8":
		return medic.OutcomeFailure
	}
	return ""
}

// entityTypes maps an audited entity type to the FHIR type served for it.
var entityTypes = map[string]string{
	"patient": "Patient", "appointment": "Appointment", "encounter": "Encounter", "order": "ServiceRequest",
	"practitioner": "Practitioner", "location": "Location", "practice": "Organization",
}

// FromAuditEvent maps an event of practice practiceID's log: the member
// (and the API token it used) as agents, the charts it names and the
// record it was about as entities, the details on the record.
func FromAuditEvent(e *medic.AuditEvent, practiceID string) *AuditEvent {
	r := &AuditEvent{ResourceType: "AuditEvent", ID: strconv.FormatInt(e.ID, 10), Meta: metaOf(e.OccurredAt),
		Type:    Coding{System: auditTypeSys, Code: "rest", Display: "RESTful Operation"},
		Subtype: []Coding{{System: AuditActionSystem, Code: e.Action}}, Action: AuditAction(e.Action),
		Recorded: Instant(e.OccurredAt), Outcome: auditOutcome(e.Outcome), Source: AuditSource{Observer: *Ref("Organization", practiceID, "")}}
	if strings.HasPrefix(e.Action, "auth.") {
		r.Type = Coding{System: dicomSys, Code: "110114", Display: "User Authentication"}
	}
	if e.Outcome != "" && e.Outcome != medic.OutcomeSuccess {
		r.OutcomeDesc = e.Outcome
	}
	human := AuditAgent{Requestor: true}
	if e.ActorID != "" {
		human.Who = &Reference{Identifier: &Identifier{System: UserSystem, Value: e.ActorID}, Display: e.ActorEmail}
		human.AltID = e.ActorEmail
	} else {
		human.Who, human.Requestor = &Reference{Display: "Medic (system)"}, false
	}
	if e.IP != "" {
		human.Network = &AuditNetwork{Address: e.IP, Type: "2"}
	}
	r.Agent = []AuditAgent{human}
	if tok := e.Detail["token_id"]; tok != "" {
		r.Agent = append(r.Agent, AuditAgent{Type: concept(dicomSys, "110150", "Application"),
			Who: &Reference{Identifier: &Identifier{System: APITokenSystem, Value: tok}, Display: "Personal API token"}, Requestor: false})
	}
	patients := append([]string{}, e.PatientIDs...)
	if e.PatientID != "" && !slices.Contains(patients, e.PatientID) {
		patients = append([]string{e.PatientID}, patients...)
	}
	for _, p := range patients {
		r.Entity = append(r.Entity, AuditEntity{What: Ref("Patient", p, ""), Type: &Coding{System: entityTypeSys, Code: "1", Display: "Person"},
			Role: &Coding{System: objectRoleSys, Code: "1", Display: "Patient"}})
	}
	if e.EntityID != "" || len(e.Detail) > 0 {
		rec := AuditEntity{Type: &Coding{System: entityTypeSys, Code: "2", Display: "System Object"}}
		if e.EntityID != "" && !(e.EntityType == "patient" && slices.Contains(patients, e.EntityID)) {
			if typ, ok := entityTypes[e.EntityType]; ok {
				rec.What = Ref(typ, e.EntityID, "")
			} else {
				rec.What = &Reference{Identifier: &Identifier{System: "urn:medic:" + e.EntityType, Value: e.EntityID}}
			}
		}
		keys := make([]string, 0, len(e.Detail))
		for k := range e.Detail {
			if k != "token_id" {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			if e.Detail[k] != "" {
				rec.Detail = append(rec.Detail, AuditEntityDetail{Type: k, ValueString: e.Detail[k]})
			}
		}
		if rec.What != nil || len(rec.Detail) > 0 {
			r.Entity = append(r.Entity, rec)
		}
	}
	return r
}
