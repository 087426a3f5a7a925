// Package api serves the JSON API under /api/v1: DTOs in, DTOs out, errors
// as RFC 9457 problem+json with per-field messages.
package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"unicode/utf8"

	"medic"
	"medic/internal/app"
	"medic/internal/auth/sessioncookie"
)

// Handler serves the JSON API.
type Handler struct {
	app    *app.App
	cookie sessioncookie.Cookie
	log    *slog.Logger
}

// New builds the API handler.
func New(a *app.App, cookie sessioncookie.Cookie, log *slog.Logger) *Handler {
	return &Handler{app: a, cookie: cookie, log: log}
}

// Router is where routes are registered: an *http.ServeMux, or a mux that
// also lists them (the server's, for tests that check every route).
type Router interface {
	HandleFunc(pattern string, handler func(http.ResponseWriter, *http.Request))
}

// Routes registers every API route: each resource registers its own, in
// the file of its handlers.
func (h *Handler) Routes(mux Router) {
	h.authRoutes(mux)
	h.meRoutes(mux)
	h.practiceRoutes(mux)
	h.memberRoutes(mux)
	h.locationRoutes(mux)
	h.auditRoutes(mux)
	h.dashboardRoutes(mux)
	h.searchRoutes(mux)
	h.patientRoutes(mux)
	h.clinicalListRoutes(mux)
	h.practitionerRoutes(mux)
	h.appointmentTypeRoutes(mux)
	h.scheduleRoutes(mux)
	h.availabilityRoutes(mux)
	h.appointmentRoutes(mux)
	h.encounterRoutes(mux)
	h.vitalsRoutes(mux)
	h.diagnosisRoutes(mux)
	h.referralRoutes(mux)
	h.medicineRoutes(mux)
	h.prescriptionRoutes(mux)
	h.sickNoteRoutes(mux)
	h.tariffRoutes(mux)
	h.invoiceRoutes(mux)
	h.claimRoutes(mux)
	h.paymentLinkRoutes(mux)
	h.documentRoutes(mux)
	h.smartClientRoutes(mux)
	h.smartRoutes(mux)
	h.timelineRoutes(mux)
	h.orderRoutes(mux)
	h.operatorRoutes(mux)
	h.icd10Routes(mux)
	h.notificationRoutes(mux)
	h.outboxRoutes(mux)
	h.publicRoutes(mux)

	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) { writeError(w, r, medic.ErrNotFound) })
}

// signedIn refuses requests without a signed-in actor.
func (h *Handler) signedIn(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if medic.ActorFrom(r.Context()).UserID == "" {
			writeError(w, r, medic.Errorf(medic.EUNAUTHORIZED, "Sign in, or send a bearer token."))
			return
		}
		next(w, r)
	}
}

// sessionOnly refuses what a leaked API token must not be able to do:
// manage credentials and sessions, or act as the platform operator.
func (h *Handler) sessionOnly(next http.HandlerFunc) http.HandlerFunc {
	return h.signedIn(func(w http.ResponseWriter, r *http.Request) {
		if app.APITokenFrom(r.Context()) != nil {
			h.error(w, r, medic.Errorf(medic.EFORBIDDEN, "Sign in with a password for this; API tokens cannot manage credentials, sessions or the platform."))
			return
		}
		next(w, r)
	})
}

// tenant enters the practice named in the path: 404 unless the actor is an
// active member (byte-identical to a practice that does not exist).
func (h *Handler) tenant(next http.HandlerFunc) http.HandlerFunc {
	return h.signedIn(func(w http.ResponseWriter, r *http.Request) {
		ctx, _, err := h.app.EnterRequestPractice(r.Context(), r.PathValue("practice"))
		if err != nil {
			h.error(w, r, err)
			return
		}
		next(w, r.WithContext(ctx))
	})
}

// problem is an RFC 9457 problem document.
type problem struct {
	Type   string            `json:"type"`
	Title  string            `json:"title"`
	Status int               `json:"status"`
	Detail string            `json:"detail,omitempty"`
	Errors map[string]string `json:"errors,omitempty"`
	// Alerts are a prescription's fired safety checks (medic.AlertsError).
	Alerts []alertDTO `json:"alerts,omitempty"`
}

type alertDTO struct {
	Item     int             `json:"item"`
	Kind     medic.AlertKind `json:"kind"`
	Severity string          `json:"severity"`
	Message  string          `json:"message"`
}

// Status maps an error code to its HTTP status (medic.HTTPStatus: one
// mapping for the API and the desk).
func Status(code string) int { return medic.HTTPStatus(code) }

// error logs internal errors and outages (their cause, never client data)
// and writes the problem.
func (h *Handler) error(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, medic.ErrStoreUnavailable):
		h.log.Error("database unavailable", "request_id", medic.RequestInfoFrom(r.Context()).RequestID, "route", r.Pattern, "error", err)
	case medic.ErrorCode(err) == medic.EINTERNAL:
		h.log.Error("internal error", "request_id", medic.RequestInfoFrom(r.Context()).RequestID, "route", r.Pattern, "error", err)
	}
	writeError(w, r, err)
}

// Error is error for middleware that answers API requests before a
// handler runs (authentication).
func (h *Handler) Error(w http.ResponseWriter, r *http.Request, err error) { h.error(w, r, err) }

// WriteError writes err as the API's problem+json, for middleware that
// answers API requests before a handler runs.
func WriteError(w http.ResponseWriter, r *http.Request, err error) { writeError(w, r, err) }

func writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := medic.ErrorCode(err)
	status := Status(code)
	p := problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: medic.ErrorMessage(err), Errors: medic.ErrorFields(err)}
	if code == medic.ENOTFOUND {
		p.Detail = medic.ErrNotFound.Message // identical for foreign and missing ids
	}
	var alerts *medic.AlertsError
	if errors.As(err, &alerts) {
		for _, a := range alerts.Alerts {
			p.Alerts = append(p.Alerts, alertDTO{Item: a.Item, Kind: a.Kind, Severity: a.Severity, Message: a.Message})
		}
	}
	if status == http.StatusTooManyRequests && w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", "900")
	}
	if errors.Is(err, medic.ErrStoreUnavailable) {
		w.Header().Set("Retry-After", strconv.Itoa(medic.OutageRetrySeconds))
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(p)
}

func jsonEncode(w io.Writer, v any) error { return json.NewEncoder(w).Encode(v) }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// decode reads a JSON body strictly: unknown fields, trailing data and
// oversized bodies are a 4xx with a clear message, never a 500.
func decode(r *http.Request, dst any) error {
	body, err := io.ReadAll(r.Body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return &medic.Error{Code: medic.ETOOLARGE, Message: "The request body is too large."}
	} else if err != nil {
		return &medic.Error{Code: medic.EINVALID, Message: "The request body could not be read."}
	}
	// JSON may spell a NUL as \u0000; PostgreSQL text cannot hold one.
	if !utf8.Valid(body) || bytes.Contains(body, []byte(`\u0000`)) {
		return medic.ErrUnstorableText
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err = dec.Decode(dst)
	if err == nil && dec.Decode(&struct{}{}) != io.EOF {
		err = errors.New("trailing data")
	}
	if err == nil {
		return nil
	}
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &typeErr) && typeErr.Field != "":
		return &medic.Error{Code: medic.EINVALID, Message: "Some fields are not valid.", Fields: map[string]string{typeErr.Field: "Has the wrong type."}}
	case errors.Is(err, io.EOF):
		return &medic.Error{Code: medic.EINVALID, Message: "Send a JSON body."}
	}
	if msg := err.Error(); len(msg) > 20 && msg[:20] == "json: unknown field " {
		return &medic.Error{Code: medic.EINVALID, Message: "Unknown field " + msg[20:] + ".", Fields: map[string]string{trimQuotes(msg[20:]): "Unknown field."}}
	}
	return &medic.Error{Code: medic.EINVALID, Message: "The body is not valid JSON."}
}

func trimQuotes(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return s[1 : len(s)-1]
	}
	return s
}

// page reads limit and cursor.
func page(r *http.Request) (medic.Page, error) {
	q := r.URL.Query()
	p := medic.Page{Cursor: q.Get("cursor")}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > medic.MaxLimit {
			return p, &medic.Error{Code: medic.EINVALID, Message: "limit must be 1 to 200.", Fields: map[string]string{"limit": "Use 1 to 200."}}
		}
		p.Limit = n
	}
	return p, nil
}

// list is the shape of every list response.
type list[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

func newList[T any](items []T, next string) list[T] {
	if items == nil {
		items = []T{}
	}
	l := list[T]{Items: items}
	if next != "" {
		l.NextCursor = &next
	}
	return l
}

func mapAll[S, T any](in []S, f func(S) T) []T {
	out := make([]T, len(in))
	for i, s := range in {
		out[i] = f(s)
	}
	return out
}
