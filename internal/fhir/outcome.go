package fhir

// OperationOutcome reports errors and warnings.
type OperationOutcome struct {
	ResourceType string         `json:"resourceType"`
	Issue        []OutcomeIssue `json:"issue"`
}

// OutcomeIssue is one problem.
type OutcomeIssue struct {
	Severity    string           `json:"severity"`
	Code        string           `json:"code"`
	Details     *CodeableConcept `json:"details,omitempty"`
	Diagnostics string           `json:"diagnostics,omitempty"`
	Expression  []string         `json:"expression,omitempty"`
}

// Outcome is an OperationOutcome with one issue of severity error (or
// information for code "informational").
func Outcome(code, text string) *OperationOutcome {
	sev := "error"
	if code == "informational" {
		sev = "information"
	}
	return &OperationOutcome{ResourceType: "OperationOutcome", Issue: []OutcomeIssue{{Severity: sev, Code: code, Details: &CodeableConcept{Text: text}}}}
}

// Add appends an issue about the element at expression.
func (o *OperationOutcome) Add(code, text, expression string) {
	is := OutcomeIssue{Severity: "error", Code: code, Details: &CodeableConcept{Text: text}}
	if expression != "" {
		is.Expression = []string{expression}
	}
	o.Issue = append(o.Issue, is)
}
