package fhirapi

import (
	"net/http"
	"strings"
	"time"

	"medic/internal/app"
	"medic/internal/fhir"
)

// capabilityDate is when this statement's content last changed.
const capabilityDate = "2026-12-06"

// capability is the CapabilityStatement, built from the same table that
// registers the handlers: it lists exactly what is served.
func (h *Handler) capability(base string) *fhir.CapabilityStatement {
	rest := fhir.CapabilityRest{Mode: "server",
		Documentation: "Medic's FHIR R4 API for one practice: the bearer token names the practice and the member, whose role bounds what it may read and write. Searches page with _count and next links; unknown search parameters are ignored (and left out of the self link) unless Prefer: handling=strict asks for a 400. Patient delete deactivates the chart (medical records are kept).",
		Security:      h.security()}
	yes := true
	for _, t := range h.types {
		cr := fhir.CapabilityResource{Type: t.name, Documentation: t.doc, Versioning: "versioned-update"}
		for _, in := range t.interactions() {
			cr.Interaction = append(cr.Interaction, fhir.CapabilityCode{Code: string(in)})
		}
		if t.conditionalCreate {
			cr.ConditionalCreate = &yes
		}
		if t.read == nil {
			cr.Versioning = ""
		}
		if t.vread != nil {
			cr.ReadHistory = &yes
		}
		for _, p := range t.params {
			cr.SearchParam = append(cr.SearchParam, fhir.CapabilitySearchParam{Name: p.name, Type: p.typ, Documentation: p.doc})
		}
		for _, op := range t.operations {
			cr.Operation = append(cr.Operation, fhir.CapabilityOperation{Name: op.name, Definition: op.definition})
		}
		for _, in := range includesOf[t.name] {
			if in.rev {
				cr.SearchRevInclude = append(cr.SearchRevInclude, in.value)
			} else {
				cr.SearchInclude = append(cr.SearchInclude, in.value)
			}
		}
		if len(t.sorts) > 0 {
			docs := make([]string, len(t.sorts))
			for i, p := range t.sorts {
				docs[i] = p.name + " (" + p.doc + ")"
			}
			cr.SearchParam = append(cr.SearchParam, fhir.CapabilitySearchParam{Name: "_sort", Type: "string",
				Documentation: "Order of the results, by one of: " + strings.Join(docs, ", ") + "; - before it for descending. Another key is a 400 with Prefer: handling=strict, else ignored."})
		}
		if t.search != nil {
			cr.SearchParam = append(cr.SearchParam,
				fhir.CapabilitySearchParam{Name: "_count", Type: "number", Documentation: "Page size, 1 to 200 (0 counts only)."},
				fhir.CapabilitySearchParam{Name: "_summary", Type: "token", Documentation: "count: the total only."})
		}
		rest.Resource = append(rest.Resource, cr)
	}
	rest.Interaction = []fhir.CapabilitySystemOp{{Code: "transaction", Documentation: transactionDoc}}
	rest.Operation = exportOperations
	rest.Documentation += " " + exportDoc
	return &fhir.CapabilityStatement{ResourceType: "CapabilityStatement", Status: "active", Date: capabilityDate, Publisher: "Medic",
		Kind: "instance", Software: &fhir.CapabilitySoftware{Name: "Medic"},
		Implementation: &fhir.CapabilityImpl{Description: "Medic FHIR R4 API", URL: base},
		FHIRVersion:    fhir.Version, Format: []string{"json", "application/fhir+json"}, Rest: []fhir.CapabilityRest{rest}}
}

// security names both kinds of bearer token, with the SMART endpoints in
// the oauth-uris extension (SMART App Launch 2.x).
func (h *Handler) security() *fhir.CapabilitySecurity {
	base := h.app.BaseURL
	return &fhir.CapabilitySecurity{
		Extension: []fhir.URIExtension{{URL: "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris", Extension: []fhir.URIExtension{
			{URL: "authorize", ValueURI: base + app.SMARTAuthorizePath}, {URL: "token", ValueURI: base + app.SMARTTokenPath}}}},
		Service: []fhir.CodeableConcept{{Coding: []fhir.Coding{{System: "http://terminology.hl7.org/CodeSystem/restful-security-service", Code: "SMART-on-FHIR"}},
			Text: "OAuth2 using SMART-on-FHIR profile (see " + base + "/.well-known/smart-configuration)"}},
		Description: "Authorization: Bearer with a SMART on FHIR access token (authorization code with PKCE, or client_credentials with private_key_jwt; scopes enforced per interaction), or with a personal API token created for one practice (POST /api/v1/auth/tokens).",
	}
}

// metadata serves the CapabilityStatement (no sign-in needed, as FHIR asks).
func (h *Handler) metadata(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Last-Modified", time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC).Format(http.TimeFormat))
	h.writeResource(w, http.StatusOK, h.capability(h.baseURL(r)))
}
