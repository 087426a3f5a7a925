package web

import (
	"errors"
	"net/http"

	"medic"
	"medic/internal/app"
)

// noPracticeView explains why the desk has no practice to show.
type noPracticeView struct {
	Lost bool // the session's practice is no longer open to the user
}

// dashboard shows the current practice: its name, the visitor's role and
// what that role can do here.
func (h *Handler) dashboard(w http.ResponseWriter, r *http.Request, v *visitor) {
	if v.session.ActivePracticeID == "" {
		h.render(w, r, http.StatusOK, "no_practice", h.page(r, "No practice yet", "dashboard"))
		return
	}
	ctx, err := h.enter(r.Context(), v)
	switch {
	case errors.Is(err, app.ErrTwoFactorRequired):
		seeOther(w, r, "/account?m=2fa-required")
		return
	case medic.ErrorCode(err) == medic.ENOTFOUND:
		p := h.page(r, "No practice", "dashboard")
		p.Data = noPracticeView{Lost: true}
		h.render(w, r, http.StatusOK, "no_practice", p)
		return
	case err != nil:
		h.fail(w, r, err)
		return
	}
	r = r.WithContext(ctx)
	h.render(w, r, http.StatusOK, "dashboard", h.page(r, v.practice.Name, "dashboard"))
}

// switchPractice moves the desk to another practice of the visitor; the
// session is replaced by a new one (new cookie token).
func (h *Handler) switchPractice(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	ref := r.PostForm.Get("practice")
	if ref == "" {
		h.fail(w, r, errNotFound)
		return
	}
	out, err := h.app.SwitchPractice(r.Context(), v.session, v.user, ref)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.cookie.Set(w, out.Token)
	seeOther(w, r, "/?m=switched")
}
