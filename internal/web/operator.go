package web

import (
	"net/http"
	"net/url"
	"strings"

	"medic"
	"medic/internal/app"
)

// operatorRoutes registers the operator console.
func (h *Handler) operatorRoutes(mux Router) {
	mux.HandleFunc("GET /operator", h.signedIn(h.operator))
	mux.HandleFunc("POST /operator/practices", h.signedIn(h.createPractice))
	mux.HandleFunc("POST /operator/practices/{id}/status", h.signedIn(h.setPracticeStatus))
}

// operatorView is the data of the operator console.
type operatorView struct {
	Practices []app.PracticeSummary
	TimeZones []string
}

// operator lists every practice with aggregate counts (never patient data)
// and the form to register a practice. Anyone else gets the 404 page.
func (h *Handler) operator(w http.ResponseWriter, r *http.Request, v *visitor) {
	h.renderOperator(w, r, http.StatusOK, v, newForm("practice", url.Values{"type": {string(medic.PracticeClinic)}, "time_zone": {"Africa/Johannesburg"}}))
}

func (h *Handler) renderOperator(w http.ResponseWriter, r *http.Request, status int, v *visitor, f *form) {
	if !v.user.IsOperator {
		h.fail(w, r, errNotFound)
		return
	}
	ps, err := h.app.ListPracticesForOperator(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := h.page(r, "Operator console", "operator").withForm(f)
	p.Data = operatorView{Practices: ps, TimeZones: timeZones}
	h.render(w, r, status, "operator", p)
}

// createPractice registers a practice and invites its first admin.
func (h *Handler) createPractice(w http.ResponseWriter, r *http.Request, v *visitor) {
	if !v.user.IsOperator {
		h.fail(w, r, errNotFound)
		return
	}
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	values := url.Values{}
	for _, k := range []string{"name", "slug", "type", "time_zone", "admin_email"} {
		values.Set(k, strings.TrimSpace(r.PostForm.Get(k)))
	}
	f := newForm("practice", values)
	p := &medic.Practice{Name: f.Get("name"), Slug: f.Get("slug"), Type: medic.PracticeType(f.Get("type")), TimeZone: f.Get("time_zone")}
	if err := h.app.CreatePractice(r.Context(), p, f.Get("admin_email")); err != nil {
		h.formFail(w, r, err, f, func(status int) { h.renderOperator(w, r, status, v, f) })
		return
	}
	seeOther(w, r, "/operator?m=practice-created")
}

// setPracticeStatus suspends or reactivates a practice.
func (h *Handler) setPracticeStatus(w http.ResponseWriter, r *http.Request, v *visitor) {
	if !v.user.IsOperator {
		h.fail(w, r, errNotFound)
		return
	}
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.app.SetPracticeStatus(r.Context(), r.PathValue("id"), medic.PracticeStatus(r.PostForm.Get("status"))); err != nil {
		h.fail(w, r, err)
		return
	}
	seeOther(w, r, "/operator?m=practice-status")
}
