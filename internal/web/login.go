package web

import (
	"net/http"
	"net/url"
	"strings"

	"medic"
	"medic/internal/app"
)

// loginRoutes registers sign-in (with its second step) and sign-out.
func (h *Handler) loginRoutes(mux Router) {
	mux.HandleFunc("GET /login", h.loginForm)
	mux.HandleFunc("POST /login", h.login)
	mux.HandleFunc("GET /login/2fa", h.twoFactorForm)
	mux.HandleFunc("POST /login/2fa", h.twoFactor)
	mux.HandleFunc("POST /logout", h.logout)
}

// loginForm shows the sign-in form; a signed-in visitor goes on to the desk.
func (h *Handler) loginForm(w http.ResponseWriter, r *http.Request) {
	next := r.URL.Query().Get("next")
	if medic.ActorFrom(r.Context()).SessionID != "" {
		seeOther(w, r, safeNext(next))
		return
	}
	h.renderLogin(w, r, http.StatusOK, newForm("login", url.Values{"next": {next}}))
}

func (h *Handler) renderLogin(w http.ResponseWriter, r *http.Request, status int, f *form) {
	h.render(w, r, status, "login", h.page(r, "Sign in", "").withForm(f))
}

// login checks the password. With 2FA on, the new session waits for the
// code (TwoFactorPending) and the browser goes to the second step.
func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	email, password := strings.TrimSpace(r.PostForm.Get("email")), r.PostForm.Get("password")
	f := newForm("login", url.Values{"email": {email}, "next": {r.PostForm.Get("next")}})
	if email == "" {
		f.fail("email", "Enter your email address.")
	}
	if password == "" {
		f.fail("password", "Enter your password.")
	}
	if err := f.err(); err != nil {
		h.formFail(w, r, err, f, func(status int) { h.renderLogin(w, r, status, f) })
		return
	}
	ri := medic.RequestInfoFrom(r.Context())
	out, err := h.app.SignIn(r.Context(), app.Login{Email: email, Password: password, IP: ri.IP, UserAgent: ri.UserAgent, DeferTOTP: true})
	if err != nil {
		h.formFail(w, r, err, f, func(status int) { h.renderLogin(w, r, status, f) })
		return
	}
	h.endPreviousSession(r)
	h.cookie.Set(w, out.Token)
	next := safeNext(f.Get("next"))
	if out.Session.TwoFactorPending {
		seeOther(w, r, "/login/2fa?next="+url.QueryEscape(next))
		return
	}
	seeOther(w, r, next)
}

// endPreviousSession ends the session the browser had before a new sign-in,
// so it does not linger server-side.
func (h *Handler) endPreviousSession(r *http.Request) {
	if s := app.SessionFrom(r.Context()); s != nil {
		_ = h.app.SignOut(r.Context(), s)
	}
}

// pendingSession is the session waiting for a TOTP code, or nil.
func pendingSession(r *http.Request) *medic.Session {
	if s := app.SessionFrom(r.Context()); s != nil && s.TwoFactorPending {
		return s
	}
	return nil
}

func (h *Handler) twoFactorForm(w http.ResponseWriter, r *http.Request) {
	next := r.URL.Query().Get("next")
	if pendingSession(r) == nil {
		h.loginForm(w, r)
		return
	}
	h.renderTwoFactor(w, r, http.StatusOK, newForm("totp", url.Values{"next": {next}}))
}

// renderTwoFactor draws the code form and the recovery-code form; f is the
// one sent (or the code form), the other starts empty.
func (h *Handler) renderTwoFactor(w http.ResponseWriter, r *http.Request, status int, f *form) {
	p := h.page(r, "Two-factor sign-in", "")
	other := "recovery"
	if f.Name == "recovery" {
		other = "totp"
	}
	p.withForm(newForm(other, url.Values{"next": {f.Get("next")}}))
	h.render(w, r, status, "login_2fa", p.withForm(f))
}

// twoFactor checks the code, from the app or (second form on the page) a
// recovery code; the pending session is replaced by a new one.
func (h *Handler) twoFactor(w http.ResponseWriter, r *http.Request) {
	s := pendingSession(r)
	if s == nil {
		seeOther(w, r, "/login")
		return
	}
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	next := url.Values{"next": {r.PostForm.Get("next")}}
	code, recovery := strings.TrimSpace(r.PostForm.Get("totp")), ""
	f := newForm("totp", next)
	_, byRecovery := r.PostForm["recovery_code"]
	if byRecovery {
		recovery = strings.TrimSpace(r.PostForm.Get("recovery_code"))
		f = newForm("recovery", next)
	}
	rerender := func(status int) { h.renderTwoFactor(w, r, status, f) }
	switch {
	case byRecovery && recovery == "":
		f.fail("recovery_code", "Enter one of your recovery codes.")
	case !byRecovery && code == "":
		f.fail("totp", "Enter the 6-digit code from your authenticator app.")
	}
	if err := f.err(); err != nil {
		h.formFail(w, r, err, f, rerender)
		return
	}
	out, err := h.app.CompleteTwoFactor(r.Context(), s, code, recovery)
	if medic.ErrorCode(err) == medic.ETOOMANY {
		// The app ended the pending session: start again from the password.
		h.cookie.Clear(w)
		lf := newForm("login", url.Values{"next": {f.Get("next")}})
		h.formFail(w, r, err, lf, func(status int) { h.renderLogin(w, r, status, lf) })
		return
	} else if err != nil {
		h.formFail(w, r, err, f, rerender)
		return
	}
	h.cookie.Set(w, out.Token)
	seeOther(w, r, safeNext(f.Get("next")))
}

// logout ends the session server-side and clears the cookie.
func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	if s := app.SessionFrom(r.Context()); s != nil {
		if err := h.app.SignOut(r.Context(), s); err != nil && medic.ErrorCode(err) != medic.ENOTFOUND {
			h.fail(w, r, err)
			return
		}
	}
	h.cookie.Clear(w)
	seeOther(w, r, "/login?m=signed-out")
}

// safeNext returns next when it is a path on this site, else "/": the
// sign-in page must not send anyone to another site (open redirect).
func safeNext(next string) string {
	if next == "" || next[0] != '/' || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n\t") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "/"
	}
	if u.Path == "/login" || strings.HasPrefix(u.Path, "/login/") || u.Path == "/logout" {
		return "/"
	}
	return next
}
