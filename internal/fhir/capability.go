package fhir

// CapabilityStatement says what the server supports.
type CapabilityStatement struct {
	ResourceType   string              `json:"resourceType"`
	Status         string              `json:"status"`
	Date           string              `json:"date"`
	Publisher      string              `json:"publisher,omitempty"`
	Kind           string              `json:"kind"`
	Software       *CapabilitySoftware `json:"software,omitempty"`
	Implementation *CapabilityImpl     `json:"implementation,omitempty"`
	FHIRVersion    string              `json:"fhirVersion"`
	Format         []string            `json:"format"`
	Rest           []CapabilityRest    `json:"rest"`
}

// CapabilitySoftware names the software.
type CapabilitySoftware struct {
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
}

// CapabilityImpl describes this installation.
type CapabilityImpl struct {
	Description string `json:"description"`
	URL         string `json:"url,omitempty"`
}

// CapabilityRest is the server's REST interface.
type CapabilityRest struct {
	Mode          string               `json:"mode"`
	Documentation string               `json:"documentation,omitempty"`
	Security      *CapabilitySecurity  `json:"security,omitempty"`
	Resource      []CapabilityResource `json:"resource"`
	Interaction   []CapabilitySystemOp `json:"interaction,omitempty"`
	// Operation lists system-level operations (the bulk exports).
	Operation []CapabilityOperation `json:"operation,omitempty"`
}

// CapabilitySystemOp is a system-level interaction (transaction).
type CapabilitySystemOp struct {
	Code          string `json:"code"`
	Documentation string `json:"documentation,omitempty"`
}

// CapabilitySecurity describes authentication.
type CapabilitySecurity struct {
	Extension   []URIExtension    `json:"extension,omitempty"`
	Service     []CodeableConcept `json:"service,omitempty"`
	Description string            `json:"description,omitempty"`
}

// URIExtension is an extension holding a URI or further extensions (the
// SMART oauth-uris extension: authorize, token).
type URIExtension struct {
	URL       string         `json:"url"`
	Extension []URIExtension `json:"extension,omitempty"`
	ValueURI  string         `json:"valueUri,omitempty"`
}

// CapabilityResource is what is supported for one resource type.
type CapabilityResource struct {
	Type              string                  `json:"type"`
	Documentation     string                  `json:"documentation,omitempty"`
	Interaction       []CapabilityCode        `json:"interaction"`
	Versioning        string                  `json:"versioning,omitempty"`
	ReadHistory       *bool                   `json:"readHistory,omitempty"`
	UpdateCreate      *bool                   `json:"updateCreate,omitempty"`
	ConditionalCreate *bool                   `json:"conditionalCreate,omitempty"`
	ConditionalDelete string                  `json:"conditionalDelete,omitempty"`
	SearchInclude     []string                `json:"searchInclude,omitempty"`
	SearchRevInclude  []string                `json:"searchRevInclude,omitempty"`
	SearchParam       []CapabilitySearchParam `json:"searchParam,omitempty"`
	Operation         []CapabilityOperation   `json:"operation,omitempty"`
}

// CapabilityOperation is a supported operation.
type CapabilityOperation struct {
	Name       string `json:"name"`
	Definition string `json:"definition"`
}

// CapabilityCode is an interaction code.
type CapabilityCode struct {
	Code string `json:"code"`
}

// CapabilitySearchParam is a supported search parameter.
type CapabilitySearchParam struct {
	Name          string `json:"name"`
	Definition    string `json:"definition,omitempty"`
	Type          string `json:"type"`
	Documentation string `json:"documentation,omitempty"`
}
