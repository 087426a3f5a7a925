// Package fhirapi serves the FHIR R4 API under /fhir/R4: each resource
// type is one entry of the table that registers its handlers and lists
// its interactions and search parameters in the CapabilityStatement, so the
// two cannot drift. Every handler reads and writes through the use cases
// (internal/app), which check the member's role and audit; the mapping is
// internal/fhir's.
package fhirapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"medic"
	"medic/internal/app"
	"medic/internal/fhir"
)

// Base is the path the API is served under.
const Base = "/fhir/R4"

// Router is where routes are registered (the server's listing mux).
type Router interface {
	HandleFunc(pattern string, handler func(http.ResponseWriter, *http.Request))
}

// Handler serves the FHIR API.
type Handler struct {
	app   *app.App
	log   *slog.Logger
	types []*resourceType
}

// Interaction is a FHIR RESTful interaction a resource type supports.
type Interaction string

const (
	Read  Interaction = "read"
	VRead Interaction = "vread"
	// History is an instance's history.
	History Interaction = "history-instance"
	Search  Interaction = "search-type"
	Create  Interaction = "create"
	Update  Interaction = "update"
	Delete  Interaction = "delete"
)

// searchParam is a supported search parameter of a type.
type searchParam struct {
	name, typ, doc string
}

// handlerFunc serves one interaction inside the token's practice.
type handlerFunc func(w http.ResponseWriter, r *http.Request)

// resourceType is one row of the table: what a type supports and who
// serves it. A nil handler is an interaction not supported.
type resourceType struct {
	name   string
	doc    string
	read   func(w http.ResponseWriter, r *http.Request, id string)
	search func(w http.ResponseWriter, r *http.Request, s *searchRequest)
	create func(w http.ResponseWriter, r *http.Request)
	update func(w http.ResponseWriter, r *http.Request, id string)
	delete func(w http.ResponseWriter, r *http.Request, id string)
	// vread and history serve kept versions ({id}/_history/{vid}, {id}/_history).
	vread   func(w http.ResponseWriter, r *http.Request, id, vid string)
	history func(w http.ResponseWriter, r *http.Request, id string)
	params  []searchParam
	// conditionalCreate: create honours If-None-Exist.
	conditionalCreate bool
	// operations are instance operations: GET {type}/{id}/${name}.
	operations []operation
	// sorts are the _sort keys the search takes, with what each says.
	sorts []searchParam
}

// operation is an instance-level operation, e.g. Patient/{id}/$everything.
type operation struct {
	name, definition string
	serve            func(w http.ResponseWriter, r *http.Request, id string)
}

// interactions lists what t supports, in the CapabilityStatement's order.
func (t *resourceType) interactions() []Interaction {
	var out []Interaction
	for _, x := range []struct {
		in Interaction
		ok bool
	}{{Read, t.read != nil}, {VRead, t.vread != nil}, {Update, t.update != nil}, {Delete, t.delete != nil}, {History, t.history != nil}, {Search, t.search != nil}, {Create, t.create != nil}} {
		if x.ok {
			out = append(out, x.in)
		}
	}
	return out
}

// New builds the handler with its table of resource types.
func New(a *app.App, log *slog.Logger) *Handler {
	h := &Handler{app: a, log: log}
	h.types = []*resourceType{
		h.patientType(),
		h.practitionerType(),
		h.practitionerRoleType(),
		h.organizationType(),
		h.locationType(),
		h.scheduleType(),
		h.slotType(),
		h.appointmentType(),
		h.encounterType(),
		h.observationType(),
		h.conditionType(),
		h.allergyType(),
		h.medicationRequestType(),
		h.documentReferenceType(),
		h.binaryType(),
		h.serviceRequestType(),
		h.diagnosticReportType(),
		h.auditEventType(),
		h.groupType(),
	}
	return h
}

// Routes registers every FHIR route from the table.
func (h *Handler) Routes(mux Router) {
	mux.HandleFunc("GET "+Base+"/metadata", h.serve("", "", h.metadata))
	mux.HandleFunc("POST "+Base, h.tenant("Bundle", Create, h.transaction))
	// Clients that join paths to the base (fhir-kit-client) post the
	// Bundle to the base with its slash: the same interaction.
	mux.HandleFunc("POST "+Base+"/{$}", h.tenant("Bundle", Create, h.transaction))
	for _, t := range h.types {
		t := t
		if t.read != nil {
			mux.HandleFunc("GET "+Base+"/"+t.name+"/{id}", h.tenant(t.name, Read, func(w http.ResponseWriter, r *http.Request) { t.read(w, r, r.PathValue("id")) }))
		}
		if t.search != nil {
			s := h.tenant(t.name, Search, func(w http.ResponseWriter, r *http.Request) { h.runSearch(w, r, t) })
			mux.HandleFunc("GET "+Base+"/"+t.name, s)
			mux.HandleFunc("POST "+Base+"/"+t.name+"/_search", s)
		}
		if t.create != nil {
			mux.HandleFunc("POST "+Base+"/"+t.name, h.tenant(t.name, Create, t.create))
		}
		if t.update != nil {
			mux.HandleFunc("PUT "+Base+"/"+t.name+"/{id}", h.tenant(t.name, Update, func(w http.ResponseWriter, r *http.Request) { t.update(w, r, r.PathValue("id")) }))
		}
		if t.vread != nil {
			mux.HandleFunc("GET "+Base+"/"+t.name+"/{id}/_history/{vid}", h.tenant(t.name, VRead, func(w http.ResponseWriter, r *http.Request) { t.vread(w, r, r.PathValue("id"), r.PathValue("vid")) }))
		}
		if t.history != nil {
			mux.HandleFunc("GET "+Base+"/"+t.name+"/{id}/_history", h.tenant(t.name, History, func(w http.ResponseWriter, r *http.Request) { t.history(w, r, r.PathValue("id")) }))
		}
		for _, op := range t.operations {
			op := op
			mux.HandleFunc("GET "+Base+"/"+t.name+"/{id}/$"+op.name, h.tenant(t.name, Interaction("$"+op.name), func(w http.ResponseWriter, r *http.Request) { op.serve(w, r, r.PathValue("id")) }))
		}
		if t.delete != nil {
			mux.HandleFunc("DELETE "+Base+"/"+t.name+"/{id}", h.tenant(t.name, Delete, func(w http.ResponseWriter, r *http.Request) { t.delete(w, r, r.PathValue("id")) }))
		}
	}
	h.exportRoutes(mux)
	mux.HandleFunc(Base+"/", h.serve("", "", func(w http.ResponseWriter, r *http.Request) {
		h.error(w, r, &medic.Error{Code: medic.ENOTFOUND, Message: "This server does not support that resource type or interaction; see " + Base + "/metadata."})
	}))
}

// serve checks the requested format before anything else (an export's
// files are NDJSON; a Binary may be its PDF).
func (h *Handler) serve(typ string, in Interaction, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if in != ExportDownload && !acceptsJSON(r) && !(typ == "Binary" && acceptsPDF(r)) {
			h.writeOutcome(w, http.StatusNotAcceptable, fhir.Outcome("not-supported", "This server speaks JSON only: application/fhir+json."))
			return
		}
		next(w, r)
	}
}

// tenant enters the practice the bearer token is bound to and checks the
// grant for the interaction before the handler runs: a personal API token
// of a member, or a SMART access token (its scopes checked here).
func (h *Handler) tenant(typ string, in Interaction, next http.HandlerFunc) http.HandlerFunc {
	return h.serve(typ, in, func(w http.ResponseWriter, r *http.Request) {
		practice := ""
		if acc := app.SMARTAccessFrom(r.Context()); acc != nil {
			practice = acc.PracticeID
		} else if tok := app.APITokenFrom(r.Context()); tok != nil && medic.ActorFrom(r.Context()).UserID != "" {
			if tok.PracticeID == "" {
				h.error(w, r, medic.Errorf(medic.EFORBIDDEN, "This token is not bound to a practice; create one for the practice whose data it reads."))
				return
			}
			practice = tok.PracticeID
		} else {
			w.Header().Set("WWW-Authenticate", `Bearer realm="medic-fhir"`)
			h.error(w, r, medic.Errorf(medic.EUNAUTHORIZED, "Send a bearer token bound to a practice (Authorization: Bearer ...)."))
			return
		}
		ctx, _, err := h.app.EnterRequestPractice(r.Context(), practice)
		if err != nil {
			h.error(w, r, err)
			return
		}
		r = r.WithContext(ctx)
		patient, err := permit(r, typ, in)
		if err != nil {
			h.error(w, r, err)
			return
		}
		if (in == Create || in == Update) && !jsonBody(r) {
			h.writeOutcome(w, http.StatusUnsupportedMediaType, fhir.Outcome("not-supported", "Send the resource as application/fhir+json."))
			return
		}
		if patient != "" {
			h.inCompartment(w, r, typ, in, patient, next)
			return
		}
		next(w, r)
	})
}

// acceptsJSON reports whether the client takes JSON: _format or Accept.
func acceptsJSON(r *http.Request) bool {
	if f := r.URL.Query().Get("_format"); f != "" {
		switch f {
		case "json", "application/json", "application/fhir+json", "application/json+fhir":
			return true
		}
		return false
	}
	acc := r.Header.Get("Accept")
	if acc == "" {
		return true
	}
	for _, part := range strings.Split(acc, ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch mt {
		case "*/*", "application/*", "application/json", "application/fhir+json", "application/json+fhir":
			return true
		}
	}
	return false
}

func jsonBody(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && (mt == "application/fhir+json" || mt == "application/json" || mt == "application/json+fhir")
}

// ContentType is the type of every FHIR response.
const ContentType = "application/fhir+json; charset=utf-8"

func (h *Handler) writeResource(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", ContentType)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// writeVersioned writes a resource with its ETag and Last-Modified.
func (h *Handler) writeVersioned(w http.ResponseWriter, status int, meta *fhir.Meta, v any) {
	if meta != nil && meta.VersionID != "" {
		w.Header().Set("ETag", `W/"`+meta.VersionID+`"`)
		if t, ok := fhir.ParseVersion(meta.VersionID); ok {
			w.Header().Set("Last-Modified", t.Format(http.TimeFormat))
		}
	}
	h.writeResource(w, status, v)
}

func (h *Handler) writeOutcome(w http.ResponseWriter, status int, o *fhir.OperationOutcome) {
	h.writeResource(w, status, o)
}

// errPrecondition is a failed If-Match (412).
var errPrecondition = errors.New("precondition failed")

// error maps an error to its status and an OperationOutcome: the one
// mapping of this surface. fields maps a domain field name to the FHIRPath
// of the element it came from.
func (h *Handler) error(w http.ResponseWriter, r *http.Request, err error, fields ...map[string]string) {
	if errors.Is(err, app.ErrVersionMismatch) || errors.Is(err, errPrecondition) {
		h.writeOutcome(w, http.StatusPreconditionFailed, fhir.Outcome("conflict", "The resource was changed since that version (If-Match); read it again."))
		return
	}
	code := medic.ErrorCode(err)
	status, issue := http.StatusInternalServerError, "exception"
	switch code {
	case medic.EINVALID:
		status, issue = http.StatusUnprocessableEntity, "invalid"
	case medic.ENOTFOUND:
		status, issue = http.StatusNotFound, "not-found"
	case medic.ECONFLICT:
		status, issue = http.StatusConflict, "conflict"
	case medic.EFORBIDDEN:
		status, issue = http.StatusForbidden, "forbidden"
	case medic.EUNAUTHORIZED:
		status, issue = http.StatusUnauthorized, "login"
	case medic.ETOOMANY:
		status, issue = http.StatusTooManyRequests, "throttled"
	case medic.EUNAVAILABLE:
		status, issue = http.StatusServiceUnavailable, "transient"
		w.Header().Set("Retry-After", "5")
	case medic.ETOOLARGE:
		status, issue = http.StatusRequestEntityTooLarge, "too-costly"
	}
	if errors.Is(err, errBadRequest) {
		status = http.StatusBadRequest
	}
	msg := medic.ErrorMessage(err)
	switch {
	case code == medic.ENOTFOUND:
		msg = "The resource does not exist." // identical for foreign and missing ids
	case status == http.StatusInternalServerError:
		h.log.Error("internal error", "request_id", medic.RequestInfoFrom(r.Context()).RequestID, "route", r.Pattern, "error", err)
		msg = "Something went wrong on our side."
	case code == medic.EUNAVAILABLE:
		h.log.Error("database unavailable", "request_id", medic.RequestInfoFrom(r.Context()).RequestID, "route", r.Pattern, "error", err)
	}
	o := fhir.Outcome(issue, msg)
	fe := medic.ErrorFields(err)
	for _, k := range sortedKeys(fe) {
		path := k
		for _, m := range fields {
			if p, ok := m[k]; ok {
				path = p
			}
		}
		o.Add(issue, fe[k], path)
	}
	h.writeOutcome(w, status, o)
}

// errBadRequest marks errors answered 400 (malformed requests, unsupported
// search parameters) rather than 422 (content the rules refuse).
var errBadRequest = errors.New("bad request")

// badRequest is a 400 with msg.
func badRequest(msg string) error {
	return &badReq{e: &medic.Error{Code: medic.EINVALID, Message: msg}}
}

type badReq struct{ e *medic.Error }

func (b *badReq) Error() string        { return b.e.Error() }
func (b *badReq) Unwrap() []error      { return []error{b.e, errBadRequest} }
func (b *badReq) Is(target error) bool { return target == errBadRequest }

// readBody decodes a resource body; malformed JSON is a 400.
func readBody(r *http.Request, dst any) error {
	body, err := io.ReadAll(r.Body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return &medic.Error{Code: medic.ETOOLARGE, Message: "The request body is too large."}
	} else if err != nil {
		return badRequest("The request body could not be read.")
	}
	if !utf8.Valid(body) || bytes.Contains(body, []byte(`\u0000`)) {
		return badRequest(medic.ErrUnstorableText.Message)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field != "" {
			return badRequest("The element " + typeErr.Field + " has the wrong type.")
		}
		if msg := err.Error(); strings.HasPrefix(msg, "json: unknown field ") {
			return badRequest("This server does not store the element " + strings.TrimPrefix(msg, "json: unknown field ") + "; leave it out.")
		}
		return badRequest("The body is not a valid JSON resource.")
	}
	if dec.More() {
		return badRequest("The body holds more than one JSON value.")
	}
	return nil
}

// Error answers a FHIR request refused before its handler ran
// (authentication) as an OperationOutcome.
func (h *Handler) Error(w http.ResponseWriter, r *http.Request, err error) {
	if medic.ErrorCode(err) == medic.EUNAUTHORIZED {
		w.Header().Set("WWW-Authenticate", `Bearer realm="medic-fhir"`)
	}
	h.error(w, r, err)
}

var errNotFound = medic.ErrNotFound
