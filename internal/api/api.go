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

// Routes registers every API route.
func (h *Handler) Routes(mux Router) {
	mux.HandleFunc("POST /api/v1/auth/login", h.login)
	mux.HandleFunc("POST /api/v1/auth/logout", h.logout)
	mux.HandleFunc("POST /api/v1/auth/password-reset", h.requestPasswordReset)
	mux.HandleFunc("POST /api/v1/auth/password-reset/{token}", h.resetPassword)
	mux.HandleFunc("POST /api/v1/auth/tokens", h.sessionOnly(h.createToken))
	mux.HandleFunc("GET /api/v1/auth/tokens", h.signedIn(h.listTokens))
	mux.HandleFunc("DELETE /api/v1/auth/tokens/{id}", h.sessionOnly(h.revokeToken))

	mux.HandleFunc("GET /api/v1/me", h.signedIn(h.me))
	mux.HandleFunc("PATCH /api/v1/me", h.signedIn(h.updateMe))
	mux.HandleFunc("POST /api/v1/me/password", h.sessionOnly(h.changePassword))
	mux.HandleFunc("GET /api/v1/me/sessions", h.sessionOnly(h.listSessions))
	mux.HandleFunc("DELETE /api/v1/me/sessions/{id}", h.sessionOnly(h.endSession))
	mux.HandleFunc("POST /api/v1/me/totp", h.sessionOnly(h.beginTOTP))
	mux.HandleFunc("POST /api/v1/me/totp/confirm", h.sessionOnly(h.confirmTOTP))
	mux.HandleFunc("POST /api/v1/me/totp/disable", h.sessionOnly(h.disableTOTP))
	mux.HandleFunc("POST /api/v1/me/totp/recovery-codes", h.sessionOnly(h.newRecoveryCodes))

	mux.HandleFunc("GET /api/v1/practices/{practice}", h.tenant(h.getPractice))
	mux.HandleFunc("PATCH /api/v1/practices/{practice}", h.tenant(h.updatePractice))
	mux.HandleFunc("GET /api/v1/practices/{practice}/members", h.tenant(h.listMembers))
	mux.HandleFunc("POST /api/v1/practices/{practice}/members", h.tenant(h.inviteMember))
	mux.HandleFunc("GET /api/v1/practices/{practice}/members/{id}", h.tenant(h.getMember))
	mux.HandleFunc("PATCH /api/v1/practices/{practice}/members/{id}", h.tenant(h.updateMember))
	mux.HandleFunc("DELETE /api/v1/practices/{practice}/members/{id}", h.tenant(h.deactivateMember))
	mux.HandleFunc("GET /api/v1/practices/{practice}/invitations", h.tenant(h.listInvitations))
	mux.HandleFunc("DELETE /api/v1/practices/{practice}/invitations/{id}", h.tenant(h.revokeInvitation))
	mux.HandleFunc("GET /api/v1/practices/{practice}/locations", h.tenant(h.listLocations))
	mux.HandleFunc("POST /api/v1/practices/{practice}/locations", h.tenant(h.createLocation))
	mux.HandleFunc("GET /api/v1/practices/{practice}/locations/{id}", h.tenant(h.getLocation))
	mux.HandleFunc("PATCH /api/v1/practices/{practice}/locations/{id}", h.tenant(h.updateLocation))
	mux.HandleFunc("DELETE /api/v1/practices/{practice}/locations/{id}", h.tenant(h.deleteLocation))
	mux.HandleFunc("GET /api/v1/practices/{practice}/audit-events", h.tenant(h.listAuditEvents))
	mux.HandleFunc("GET /api/v1/practices/{practice}/dashboard", h.tenant(h.getDashboard))
	mux.HandleFunc("GET /api/v1/practices/{practice}/search", h.tenant(h.search))

	mux.HandleFunc("GET /api/v1/practices/{practice}/patients", h.tenant(h.searchPatients))
	mux.HandleFunc("POST /api/v1/practices/{practice}/patients", h.tenant(h.createPatient))
	mux.HandleFunc("GET /api/v1/practices/{practice}/patients/{id}", h.tenant(h.getPatient))
	mux.HandleFunc("PATCH /api/v1/practices/{practice}/patients/{id}", h.tenant(h.updatePatient))
	mux.HandleFunc("POST /api/v1/practices/{practice}/patients/{id}/deactivate", h.tenant(h.deactivatePatient))
	mux.HandleFunc("POST /api/v1/practices/{practice}/patients/{id}/reactivate", h.tenant(h.reactivatePatient))
	mux.HandleFunc("POST /api/v1/practices/{practice}/patients/{id}/merge", h.tenant(h.mergePatient))
	mux.HandleFunc("GET /api/v1/practices/{practice}/patients/{id}/appointments", h.tenant(h.listPatientAppointments))
	mux.HandleFunc("GET /api/v1/practices/{practice}/patients/{id}/allergies", h.tenant(h.listAllergies))
	mux.HandleFunc("POST /api/v1/practices/{practice}/patients/{id}/allergies", h.tenant(h.createAllergy))
	mux.HandleFunc("POST /api/v1/practices/{practice}/patients/{id}/allergies/none-known", h.tenant(h.recordNoKnownAllergies))
	mux.HandleFunc("PATCH /api/v1/practices/{practice}/patients/{id}/allergies/{allergy}", h.tenant(h.updateAllergy))
	mux.HandleFunc("GET /api/v1/practices/{practice}/patients/{id}/conditions", h.tenant(h.listConditions))
	mux.HandleFunc("POST /api/v1/practices/{practice}/patients/{id}/conditions", h.tenant(h.createCondition))
	mux.HandleFunc("PATCH /api/v1/practices/{practice}/patients/{id}/conditions/{condition}", h.tenant(h.updateCondition))

	mux.HandleFunc("GET /api/v1/practices/{practice}/practitioners", h.tenant(h.listPractitioners))
	mux.HandleFunc("POST /api/v1/practices/{practice}/practitioners", h.tenant(h.createPractitioner))
	mux.HandleFunc("GET /api/v1/practices/{practice}/practitioners/{id}", h.tenant(h.getPractitioner))
	mux.HandleFunc("PATCH /api/v1/practices/{practice}/practitioners/{id}", h.tenant(h.updatePractitioner))
	mux.HandleFunc("GET /api/v1/practices/{practice}/appointment-types", h.tenant(h.listAppointmentTypes))
	mux.HandleFunc("POST /api/v1/practices/{practice}/appointment-types", h.tenant(h.createAppointmentType))
	mux.HandleFunc("GET /api/v1/practices/{practice}/appointment-types/{id}", h.tenant(h.getAppointmentType))
	mux.HandleFunc("PATCH /api/v1/practices/{practice}/appointment-types/{id}", h.tenant(h.updateAppointmentType))
	mux.HandleFunc("GET /api/v1/practices/{practice}/schedules", h.tenant(h.listScheduleRules))
	mux.HandleFunc("POST /api/v1/practices/{practice}/schedules", h.tenant(h.createScheduleRule))
	mux.HandleFunc("GET /api/v1/practices/{practice}/schedules/{id}", h.tenant(h.getScheduleRule))
	mux.HandleFunc("PATCH /api/v1/practices/{practice}/schedules/{id}", h.tenant(h.updateScheduleRule))
	mux.HandleFunc("DELETE /api/v1/practices/{practice}/schedules/{id}", h.tenant(h.deleteScheduleRule))
	mux.HandleFunc("GET /api/v1/practices/{practice}/schedule-exceptions", h.tenant(h.listScheduleExceptions))
	mux.HandleFunc("POST /api/v1/practices/{practice}/schedule-exceptions", h.tenant(h.createScheduleException))
	mux.HandleFunc("DELETE /api/v1/practices/{practice}/schedule-exceptions/{id}", h.tenant(h.deleteScheduleException))
	mux.HandleFunc("GET /api/v1/practices/{practice}/availability", h.tenant(h.getAvailability))

	mux.HandleFunc("GET /api/v1/practices/{practice}/appointments", h.tenant(h.listAppointments))
	mux.HandleFunc("POST /api/v1/practices/{practice}/appointments", h.tenant(h.bookAppointment))
	mux.HandleFunc("GET /api/v1/practices/{practice}/appointments/{id}", h.tenant(h.getAppointment))
	mux.HandleFunc("POST /api/v1/practices/{practice}/appointments/{id}/reschedule", h.tenant(h.rescheduleAppointment))
	mux.HandleFunc("POST /api/v1/practices/{practice}/appointments/{id}/cancel", h.tenant(h.cancelAppointment))
	mux.HandleFunc("POST /api/v1/practices/{practice}/appointments/{id}/check-in", h.tenant(h.appointmentStatus(medic.StatusCheckedIn)))
	mux.HandleFunc("POST /api/v1/practices/{practice}/appointments/{id}/no-show", h.tenant(h.appointmentStatus(medic.StatusNoShow)))
	mux.HandleFunc("POST /api/v1/practices/{practice}/appointments/{id}/start", h.tenant(h.appointmentStatus(medic.StatusInProgress)))
	mux.HandleFunc("POST /api/v1/practices/{practice}/appointments/{id}/complete", h.tenant(h.appointmentStatus(medic.StatusCompleted)))

	mux.HandleFunc("GET /api/v1/practices/{practice}/encounters", h.tenant(h.listEncounters))
	mux.HandleFunc("POST /api/v1/practices/{practice}/encounters", h.tenant(h.createEncounter))
	mux.HandleFunc("GET /api/v1/practices/{practice}/encounters/{id}", h.tenant(h.getEncounter))
	mux.HandleFunc("PATCH /api/v1/practices/{practice}/encounters/{id}", h.tenant(h.updateEncounter))
	mux.HandleFunc("POST /api/v1/practices/{practice}/encounters/{id}/finish", h.tenant(h.finishEncounter))
	mux.HandleFunc("POST /api/v1/practices/{practice}/encounters/{id}/addenda", h.tenant(h.addAddendum))
	mux.HandleFunc("POST /api/v1/practices/{practice}/encounters/{id}/stage", h.tenant(h.setEncounterStage))
	mux.HandleFunc("POST /api/v1/practices/{practice}/encounters/{id}/vitals", h.tenant(h.recordVitals))
	mux.HandleFunc("GET /api/v1/practices/{practice}/encounters/{id}/diagnoses", h.tenant(h.listDiagnoses))
	mux.HandleFunc("POST /api/v1/practices/{practice}/encounters/{id}/diagnoses", h.tenant(h.addDiagnosis))
	mux.HandleFunc("DELETE /api/v1/practices/{practice}/encounters/{id}/diagnoses/{diagnosis}", h.tenant(h.removeDiagnosis))
	mux.HandleFunc("GET /api/v1/practices/{practice}/patients/{id}/vitals", h.tenant(h.listPatientVitals))
	mux.HandleFunc("POST /api/v1/practices/{practice}/encounters/{id}/referrals", h.tenant(h.createReferral))
	mux.HandleFunc("GET /api/v1/practices/{practice}/encounters/{id}/referral-summary", h.tenant(h.referralSummary))
	mux.HandleFunc("GET /api/v1/practices/{practice}/referrals", h.tenant(h.listReferrals))
	mux.HandleFunc("GET /api/v1/practices/{practice}/referrals/{id}", h.tenant(h.getReferral))
	mux.HandleFunc("POST /api/v1/practices/{practice}/referrals/{id}/send", h.tenant(h.referralStatus(medic.ReferralSent)))
	mux.HandleFunc("POST /api/v1/practices/{practice}/referrals/{id}/cancel", h.tenant(h.referralStatus(medic.ReferralCancelled)))
	mux.HandleFunc("GET /api/v1/practices/{practice}/patients/{id}/referrals", h.tenant(h.listPatientReferrals))
	mux.HandleFunc("GET /api/v1/practices/{practice}/patients/{id}/timeline", h.tenant(h.getTimeline))
	mux.HandleFunc("GET /api/v1/practices/{practice}/encounters/{id}/orders", h.tenant(h.listEncounterOrders))
	mux.HandleFunc("POST /api/v1/practices/{practice}/encounters/{id}/orders", h.tenant(h.createOrder))
	mux.HandleFunc("GET /api/v1/practices/{practice}/orders", h.tenant(h.listOrders))
	mux.HandleFunc("GET /api/v1/practices/{practice}/orders/counts", h.tenant(h.orderCounts))
	mux.HandleFunc("GET /api/v1/practices/{practice}/orders/{id}", h.tenant(h.getOrder))
	mux.HandleFunc("POST /api/v1/practices/{practice}/orders/{id}/collect", h.tenant(h.collectOrder))
	mux.HandleFunc("POST /api/v1/practices/{practice}/orders/{id}/results", h.tenant(h.addOrderResult))
	mux.HandleFunc("POST /api/v1/practices/{practice}/orders/{id}/review", h.tenant(h.reviewOrder))
	mux.HandleFunc("POST /api/v1/practices/{practice}/orders/{id}/cancel", h.tenant(h.cancelOrder))
	mux.HandleFunc("GET /api/v1/practices/{practice}/patients/{id}/orders", h.tenant(h.listPatientOrders))
	mux.HandleFunc("GET /api/v1/practices/{practice}/queue", h.tenant(h.getQueue))
	mux.HandleFunc("GET /api/v1/practices/{practice}/encounter-templates", h.tenant(h.listEncounterTemplates))
	mux.HandleFunc("POST /api/v1/practices/{practice}/encounter-templates", h.tenant(h.createEncounterTemplate))
	mux.HandleFunc("GET /api/v1/practices/{practice}/encounter-templates/{id}", h.tenant(h.getEncounterTemplate))
	mux.HandleFunc("PATCH /api/v1/practices/{practice}/encounter-templates/{id}", h.tenant(h.updateEncounterTemplate))

	mux.HandleFunc("GET /api/v1/operator/practices", h.sessionOnly(h.operatorListPractices))
	mux.HandleFunc("POST /api/v1/operator/practices", h.sessionOnly(h.operatorCreatePractice))
	mux.HandleFunc("POST /api/v1/operator/practices/{id}/suspend", h.sessionOnly(h.operatorSuspend))
	mux.HandleFunc("POST /api/v1/operator/practices/{id}/reactivate", h.sessionOnly(h.operatorReactivate))
	mux.HandleFunc("GET /api/v1/operator/icd10/imports", h.sessionOnly(h.operatorListICD10Imports))
	mux.HandleFunc("POST /api/v1/operator/icd10/imports", h.sessionOnly(h.operatorImportICD10))
	mux.HandleFunc("GET /api/v1/operator/icd10/imports/{id}", h.sessionOnly(h.operatorGetICD10Import))

	mux.HandleFunc("GET /api/v1/practices/{practice}/icd10", h.tenant(h.searchICD10))

	mux.HandleFunc("GET /api/v1/practices/{practice}/notifications", h.tenant(h.listNotifications))
	mux.HandleFunc("POST /api/v1/practices/{practice}/notifications/{id}/read", h.tenant(h.readNotification))
	mux.HandleFunc("GET /api/v1/practices/{practice}/outbox", h.tenant(h.listOutbox))
	mux.HandleFunc("POST /api/v1/practices/{practice}/outbox/{id}/retry", h.tenant(h.retryOutboxMail))

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
