package web

import (
	"net/http"
	"net/url"

	"medic"
)

// EHR launch from the chart: "Launch app" lists the practice's apps with a
// launch URL; choosing one sends the member to the app with a one-time
// launch value bound to them, the chart and (from an encounter) the
// encounter.

func (h *Handler) smartLaunchRoutes(mux Router) {
	mux.HandleFunc("GET /patients/{id}/launch", h.member(h.smartLaunchMenu))
	mux.HandleFunc("POST /patients/{id}/launch", h.member(h.smartLaunch))
}

type smartLaunchView struct {
	Patient     *medic.Patient
	EncounterID string
	Apps        []*medic.SMARTClient
}

func (h *Handler) smartLaunchMenu(w http.ResponseWriter, r *http.Request, v *visitor) {
	apps, err := h.app.LaunchableSMARTApps(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p, err := h.app.GetPatient(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	pg := h.page(r, "Launch an app", "patients")
	pg.Data = smartLaunchView{Patient: p, EncounterID: r.URL.Query().Get("encounter"), Apps: apps}
	h.render(w, r, http.StatusOK, "smart_launch", pg)
}

func (h *Handler) smartLaunch(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	to, err := h.app.LaunchSMARTApp(r.Context(), r.PostForm.Get("app"), r.PathValue("id"), r.PostForm.Get("encounter"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// The app is elsewhere: the form may lead there.
	if u, err := url.Parse(to); err == nil {
		w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self' "+u.Scheme+"://"+u.Host+"; base-uri 'none'")
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}
