package web

import (
	"errors"
	"net/http"
	"net/url"

	"medic"
	"medic/internal/app"
)

// The SMART authorization endpoint: a signed-in member of the app's
// practice sees what the app asks for (never more than their role allows)
// and allows or denies it; the answer goes back to the app's registered
// redirect URI.

func (h *Handler) smartAuthorizeRoutes(mux Router) {
	mux.HandleFunc("GET "+app.SMARTAuthorizePath, h.signedIn(h.smartAuthorize))
	mux.HandleFunc("POST "+app.SMARTAuthorizePath, h.signedIn(h.smartDecide))
}

type smartConsentView struct {
	Consent *app.Consent
	Scopes  []string // what each granted scope allows, in words
	Hidden  url.Values
}

func (h *Handler) smartAuthorize(w http.ResponseWriter, r *http.Request, v *visitor) {
	req := app.AuthorizeRequestFrom(r.URL.Query())
	ctx, cs, err := h.app.CheckAuthorize(r.Context(), req)
	if err != nil {
		h.smartRefuse(w, r, err)
		return
	}
	h.renderConsent(w, r.WithContext(ctx), http.StatusOK, cs, newForm("smart_consent", nil))
}

func (h *Handler) renderConsent(w http.ResponseWriter, r *http.Request, status int, cs *app.Consent, f *form) {
	d := smartConsentView{Consent: cs, Hidden: cs.Request.Query()}
	for _, s := range cs.Scopes {
		d.Scopes = append(d.Scopes, scopeWords(s))
	}
	// The decision is posted here and redirected to the app: allow the
	// form to lead there.
	if u, err := url.Parse(cs.Request.RedirectURI); err == nil {
		w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self' "+u.Scheme+"://"+u.Host+"; base-uri 'none'")
	}
	p := h.page(r, "Allow "+cs.Client.Name+"?", "").withForm(f)
	p.Data = d
	h.render(w, r, status, "smart_consent", p)
}

// smartRefuse answers a request that cannot go on: back to the app when
// its redirect URI is trusted, else an error page here.
func (h *Handler) smartRefuse(w http.ResponseWriter, r *http.Request, err error) {
	var re *app.RedirectError
	if errors.As(err, &re) {
		http.Redirect(w, r, re.URI, http.StatusSeeOther)
		return
	}
	h.fail(w, r, err)
}

func (h *Handler) smartDecide(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	ctx, cs, err := h.app.CheckAuthorize(r.Context(), app.AuthorizeRequestFrom(r.PostForm))
	if err != nil {
		h.smartRefuse(w, r, err)
		return
	}
	r = r.WithContext(ctx)
	var to string
	if r.PostForm.Get("decision") == "allow" {
		to, err = h.app.ApproveAuthorize(ctx, cs, r.PostForm.Get("patient"))
	} else {
		to, err = h.app.DenyAuthorize(ctx, cs)
	}
	if err != nil {
		f := newForm("smart_consent", url.Values{"patient": {r.PostForm.Get("patient")}})
		h.formFail(w, r, err, f, func(status int) { h.renderConsent(w, r, status, cs, f) })
		return
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// scopeWords says what a granted scope allows.
func scopeWords(s medic.SMARTScope) string {
	switch s.Name {
	case "openid", "fhirUser":
		return s.Name + ": who you are (your name and role)"
	case "launch", "launch/patient":
		return s.Name + ": the patient you choose below"
	case "offline_access":
		return s.Name + ": keep access while you are away (until you or an admin revoke it)"
	case "online_access":
		return s.Name + ": keep access while you are signed in"
	}
	what := "all record types"
	if s.Type != "*" {
		what = s.Type + " records"
	}
	whose := "of every patient you may see"
	if s.Context == "patient" {
		whose = "of the chosen patient only"
	}
	verbs := ""
	for i, l := range s.Perms {
		if i > 0 {
			verbs += ", "
		}
		verbs += map[rune]string{'c': "create", 'r': "read", 'u': "update", 'd': "delete", 's': "search"}[l]
	}
	return s.Name + ": " + verbs + " " + what + " " + whose
}
