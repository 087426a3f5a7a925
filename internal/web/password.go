package web

import (
	"net/http"
	"net/url"
	"strings"

	"medic"
)

// passwordRoutes registers the forgotten-password request and the reset link.
func (h *Handler) passwordRoutes(mux Router) {
	mux.HandleFunc("GET /forgot", h.forgotForm)
	mux.HandleFunc("POST /forgot", h.forgot)
	mux.HandleFunc("GET /reset/{token}", h.resetForm)
	mux.HandleFunc("POST /reset/{token}", h.reset)
}

func (h *Handler) forgotForm(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("sent") == "1" {
		h.render(w, r, http.StatusOK, "forgot_sent", h.page(r, "Check your email", ""))
		return
	}
	h.render(w, r, http.StatusOK, "forgot", h.page(r, "Reset your password", "").withForm(newForm("forgot", nil)))
}

// forgot emails a reset link. The answer is the same whether or not an
// account has that email, so the page cannot be used to find accounts.
func (h *Handler) forgot(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	email := strings.TrimSpace(r.PostForm.Get("email"))
	f := newForm("forgot", url.Values{"email": {email}})
	if email == "" {
		f.fail("email", "Enter your email address.")
		h.formFail(w, r, f.err(), f, func(status int) {
			h.render(w, r, status, "forgot", h.page(r, "Reset your password", "").withForm(f))
		})
		return
	}
	if err := h.app.RequestPasswordReset(r.Context(), email); err != nil {
		h.fail(w, r, err)
		return
	}
	seeOther(w, r, "/forgot?sent=1")
}

// invalidLink is the page for a reset or invitation link that does not
// work (any more); other errors stay what they are.
func invalidLink(err error, title, msg string) error {
	if medic.ErrorCode(err) != medic.ENOTFOUND {
		return err
	}
	return &pageError{title: title, message: msg, err: err}
}

const resetInvalid = "This reset link is not valid any more: it was used, or it is older than one hour. Ask for a new one under “Forgot your password?” on the sign-in page."

func (h *Handler) resetForm(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	if err := h.app.CheckPasswordReset(r.Context(), token); err != nil {
		h.fail(w, r, invalidLink(err, "Reset link not valid", resetInvalid))
		return
	}
	h.renderReset(w, r, http.StatusOK, token, newForm("reset", nil))
}

func (h *Handler) renderReset(w http.ResponseWriter, r *http.Request, status int, token string, f *form) {
	p := h.page(r, "Choose a new password", "").withForm(f)
	p.Data = "/reset/" + url.PathEscape(token)
	h.render(w, r, status, "reset", p)
}

// reset sets the new password once; every session of the user ends.
func (h *Handler) reset(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	f := newForm("reset", nil)
	password := r.PostForm.Get("password")
	if password != r.PostForm.Get("password_confirm") {
		f.fail("password_confirm", "The two passwords are not the same.")
		h.formFail(w, r, f.err(), f, func(status int) { h.renderReset(w, r, status, token, f) })
		return
	}
	if err := h.app.ResetPassword(r.Context(), token, password); err != nil {
		if medic.ErrorCode(err) == medic.ENOTFOUND {
			h.fail(w, r, invalidLink(err, "Reset link not valid", resetInvalid))
			return
		}
		h.formFail(w, r, err, f, func(status int) { h.renderReset(w, r, status, token, f) })
		return
	}
	h.cookie.Clear(w)
	seeOther(w, r, "/login?m=password-reset")
}
