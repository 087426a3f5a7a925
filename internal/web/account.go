package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"medic"
	"medic/internal/app"
)

// accountRoutes registers the signed-in user's own account.
func (h *Handler) accountRoutes(mux Router) {
	mux.HandleFunc("GET /account", h.signedIn(h.account))
	mux.HandleFunc("POST /account/name", h.signedIn(h.updateName))
	mux.HandleFunc("POST /account/password", h.signedIn(h.changePassword))
	mux.HandleFunc("POST /account/2fa", h.signedIn(h.beginTOTP))
	mux.HandleFunc("POST /account/2fa/confirm", h.signedIn(h.confirmTOTP))
	mux.HandleFunc("POST /account/2fa/disable", h.signedIn(h.disableTOTP))
	mux.HandleFunc("POST /account/2fa/recovery-codes", h.signedIn(h.newRecoveryCodes))
	mux.HandleFunc("GET /account/2fa/qr.png", h.signedIn(h.totpQR))
	mux.HandleFunc("POST /account/sessions/{id}/end", h.signedIn(h.endSession))
	mux.HandleFunc("POST /account/tokens", h.signedIn(h.createToken))
	mux.HandleFunc("POST /account/tokens/{id}/revoke", h.signedIn(h.revokeToken))
}

// accountView is the data of the account page.
type accountView struct {
	TOTPEnabled bool
	TOTPPending bool
	TOTPSecret  string // the pending secret, for typing in by hand
	Sessions    []sessionRow
	Tokens      []tokenRow
	// TokenPractice is where a new token works (the current practice); nil
	// when there is none, with TokenNote saying why.
	TokenPractice *medic.Practice
	TokenNote     string
	NewToken      *app.NewAPIToken // shown once, right after creation

	// RecoveryCodes is a new set, shown once right after it was made.
	RecoveryCodes []string
	// RecoveryLeft is how many unused codes the user has (2FA on);
	// RecoveryLow says to warn (RecoveryLeft <= medic.RecoveryCodesLow).
	RecoveryLeft int
	RecoveryLow  bool
}

// RecoveryText is the new codes one per line, for the copy box.
func (d accountView) RecoveryText() string { return strings.Join(d.RecoveryCodes, "\n") }

// accountOnce is what the account page shows once, right after it was
// made: a new API token or a new set of recovery codes.
type accountOnce struct {
	token         *app.NewAPIToken
	recoveryCodes []string
	notice        string
}

type sessionRow struct {
	*medic.Session
	Current bool
}

type tokenRow struct {
	*medic.APIToken
	PracticeName string
	Revoked      bool
	Expired      bool
}

// account shows the visitor's own settings. It needs no practice, so a
// practice that requires 2FA can send people here to set it up.
func (h *Handler) account(w http.ResponseWriter, r *http.Request, v *visitor) {
	h.renderAccount(w, r, http.StatusOK, v, nil)
}

// renderAccount draws the page; forms carries any form re-rendered after an
// error, the rest start fresh.
func (h *Handler) renderAccount(w http.ResponseWriter, r *http.Request, status int, v *visitor, once *accountOnce, forms ...*form) {
	if once == nil {
		once = &accountOnce{}
	}
	d := accountView{NewToken: once.token, RecoveryCodes: once.recoveryCodes}
	if v.session.ActivePracticeID == "" {
		d.TokenNote = "API tokens work in one practice; you are not in one yet."
	} else if !v.inPractice() {
		ctx, err := h.enter(r.Context(), v)
		switch {
		case err == nil:
			r = r.WithContext(ctx)
		case errors.Is(err, app.ErrTwoFactorRequired):
			d.TokenNote = "Your current practice requires two-factor sign-in: turn it on above before creating a token."
		default:
			d.TokenNote = "Your current practice is not available; switch to another to create a token."
		}
	}
	if v.inPractice() {
		d.TokenPractice = v.practice
	}

	u := v.user
	d.TOTPEnabled, d.TOTPPending = u.TOTPEnabled, !u.TOTPEnabled && u.TOTPSecret != ""
	if d.TOTPPending {
		d.TOTPSecret = u.TOTPSecret
	}
	if d.TOTPEnabled {
		n, err := h.app.RecoveryCodesLeft(r.Context())
		if err != nil {
			h.fail(w, r, err)
			return
		}
		d.RecoveryLeft, d.RecoveryLow = n, n <= medic.RecoveryCodesLow
	}
	sessions, err := h.app.ListMySessions(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, s := range sessions {
		d.Sessions = append(d.Sessions, sessionRow{Session: s, Current: s.ID == v.session.ID})
	}
	tokens, err := h.app.ListMyTokens(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	names := map[string]string{}
	for _, m := range v.memberships {
		names[m.PracticeID] = m.PracticeName
	}
	for _, t := range tokens {
		d.Tokens = append(d.Tokens, tokenRow{APIToken: t, PracticeName: names[t.PracticeID], Revoked: t.RevokedAt != nil, Expired: !t.ExpiresAt.After(h.app.Clock.Now())})
	}

	p := h.page(r, "Your account", "account")
	p.withForm(newForm("name", url.Values{"name": {u.Name}}))
	p.withForm(newForm("password", nil))
	p.withForm(newForm("totp", nil))
	p.withForm(newForm("disable", nil))
	p.withForm(newForm("recovery", nil))
	p.withForm(newForm("token", url.Values{"expires_in_days": {strconv.Itoa(medic.TokenLifetimeDays)}}))
	for _, f := range forms {
		p.withForm(f)
	}
	if once.notice != "" {
		p.Notice = once.notice
	}
	p.Data = d
	h.render(w, r, status, "account", p)
}

func (h *Handler) updateName(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	f := newForm("name", url.Values{"name": {r.PostForm.Get("name")}})
	if err := h.app.UpdateMyName(r.Context(), f.Get("name")); err != nil {
		h.formFail(w, r, err, f, func(status int) { h.renderAccount(w, r, status, v, nil, f) })
		return
	}
	seeOther(w, r, "/account?m=name-saved")
}

// changePassword keeps this session and ends the others.
func (h *Handler) changePassword(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	f := newForm("password", nil)
	rerender := func(status int) { h.renderAccount(w, r, status, v, nil, f) }
	next := r.PostForm.Get("new_password")
	if next != r.PostForm.Get("new_password_confirm") {
		f.fail("new_password_confirm", "The two new passwords are not the same.")
		h.formFail(w, r, f.err(), f, rerender)
		return
	}
	if err := h.app.ChangePassword(r.Context(), r.PostForm.Get("current_password"), next); err != nil {
		h.formFail(w, r, err, f, rerender)
		return
	}
	seeOther(w, r, "/account?m=password-changed")
}

// beginTOTP starts (or restarts) enrolment: a new secret to scan.
func (h *Handler) beginTOTP(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	if _, err := h.app.BeginTOTP(r.Context()); err != nil {
		h.fail(w, r, err)
		return
	}
	seeOther(w, r, "/account#two-factor")
}

// confirmTOTP turns 2FA on once a code from the new device checks out.
func (h *Handler) confirmTOTP(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	f := newForm("totp", nil)
	codes, err := h.app.ConfirmTOTP(r.Context(), r.PostForm.Get("code"))
	if err != nil {
		h.formFail(w, r, err, f, func(status int) { h.renderAccount(w, r, status, v, nil, f) })
		return
	}
	// The page answers directly (no redirect): the codes are shown once.
	h.renderRecoveryCodes(w, r, v, codes, "Two-factor sign-in is on. Save your recovery codes below.")
}

// newRecoveryCodes replaces the recovery codes after the password is
// checked; the old ones stop working.
func (h *Handler) newRecoveryCodes(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	f := newForm("recovery", nil)
	codes, err := h.app.GenerateRecoveryCodes(r.Context(), r.PostForm.Get("password"))
	if err != nil {
		h.formFail(w, r, err, f, func(status int) { h.renderAccount(w, r, status, v, nil, f) })
		return
	}
	h.renderRecoveryCodes(w, r, v, codes, "New recovery codes are made. The old ones no longer work.")
}

// renderRecoveryCodes shows the account page with a new set of codes, the
// user reloaded (2FA may just have been turned on).
func (h *Handler) renderRecoveryCodes(w http.ResponseWriter, r *http.Request, v *visitor, codes []string, notice string) {
	me, err := h.app.WhoAmI(app.WithSignedInUser(r.Context(), nil)) // read the user again
	if err != nil {
		h.fail(w, r, err)
		return
	}
	fresh := *v
	fresh.user = me.User
	h.renderAccount(w, r, http.StatusOK, &fresh, &accountOnce{recoveryCodes: codes, notice: notice})
}

// disableTOTP turns 2FA off after the password is checked.
func (h *Handler) disableTOTP(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	f := newForm("disable", nil)
	if err := h.app.DisableTOTP(r.Context(), r.PostForm.Get("password")); err != nil {
		h.formFail(w, r, err, f, func(status int) { h.renderAccount(w, r, status, v, nil, f) })
		return
	}
	seeOther(w, r, "/account?m=2fa-disabled")
}

// totpQR is the QR code of the enrolment in progress.
func (h *Handler) totpQR(w http.ResponseWriter, r *http.Request, v *visitor) {
	e, err := h.app.PendingTOTP(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "no-store") // it is a secret
	_, _ = w.Write(e.QRPNG)
}

// endSession ends one of the visitor's sessions; ending this one signs out.
func (h *Handler) endSession(w http.ResponseWriter, r *http.Request, v *visitor) {
	id := r.PathValue("id")
	if err := h.app.EndMySession(r.Context(), id); err != nil {
		h.fail(w, r, err)
		return
	}
	if id == v.session.ID {
		h.cookie.Clear(w)
		seeOther(w, r, "/login?m=signed-out")
		return
	}
	seeOther(w, r, "/account?m=session-ended")
}

// createToken issues a personal API token for the current practice. The
// page answers directly (no redirect) because the token is shown only once.
func (h *Handler) createToken(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	f := newForm("token", url.Values{"name": {r.PostForm.Get("name")}, "expires_in_days": {strings.TrimSpace(r.PostForm.Get("expires_in_days"))}})
	rerender := func(status int) { h.renderAccount(w, r, status, v, nil, f) }
	var days *int // empty: the default lifetime
	if s := f.Get("expires_in_days"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			f.fail("expires_in_days", fmt.Sprintf("Enter a whole number of days, 1 to %d.", medic.TokenMaxLifetimeDays))
			h.formFail(w, r, f.err(), f, rerender)
			return
		}
		days = &n
	}
	if v.session.ActivePracticeID == "" {
		h.fail(w, r, medic.Errorf(medic.EINVALID, "API tokens work in one practice; you are not in one yet."))
		return
	}
	ctx, err := h.enter(r.Context(), v)
	if err != nil {
		if errors.Is(err, app.ErrTwoFactorRequired) {
			seeOther(w, r, "/account?m=2fa-required")
			return
		}
		h.fail(w, r, err)
		return
	}
	r = r.WithContext(ctx)
	out, err := h.app.CreateAPIToken(ctx, f.Get("name"), days)
	if err != nil {
		h.formFail(w, r, err, f, rerender)
		return
	}
	h.renderAccount(w, r, http.StatusOK, v, &accountOnce{token: out})
}

// revokeToken revokes one of the visitor's tokens, in whichever practice it
// belongs to.
func (h *Handler) revokeToken(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := h.app.RevokeMyToken(r.Context(), r.PathValue("id")); err != nil {
		h.fail(w, r, err)
		return
	}
	seeOther(w, r, "/account?m=token-revoked")
}
