package web

import (
	"net/http"
	"net/url"

	"medic"
	"medic/internal/app"
)

// inviteRoutes registers the invitation link.
func (h *Handler) inviteRoutes(mux Router) {
	mux.HandleFunc("GET /invite/{token}", h.inviteForm)
	mux.HandleFunc("POST /invite/{token}", h.acceptInvite)
}

// inviteView is what the invitee sees.
type inviteView struct {
	PracticeName string
	Email        string
	Role         medic.Role
	ExistingUser bool
	Action       string
}

const inviteInvalid = "This invitation is not valid any more: it was used, revoked, or is older than 7 days. Ask the practice to invite you again."

func (h *Handler) lookupInvitation(w http.ResponseWriter, r *http.Request) (*app.InvitationView, bool) {
	view, err := h.app.LookupInvitation(r.Context(), r.PathValue("token"))
	if err != nil {
		h.fail(w, r, invalidLink(err, "Invitation not valid", inviteInvalid))
		return nil, false
	}
	return view, true
}

func (h *Handler) inviteForm(w http.ResponseWriter, r *http.Request) {
	view, ok := h.lookupInvitation(w, r)
	if !ok {
		return
	}
	h.renderInvite(w, r, http.StatusOK, view, newForm("invite", nil))
}

func (h *Handler) renderInvite(w http.ResponseWriter, r *http.Request, status int, view *app.InvitationView, f *form) {
	p := h.page(r, "Join "+view.PracticeName, "").withForm(f)
	p.Data = inviteView{PracticeName: view.PracticeName, Email: view.Invitation.Email, Role: view.Invitation.Role,
		ExistingUser: view.ExistingUser, Action: "/invite/" + url.PathEscape(r.PathValue("token"))}
	h.render(w, r, status, "invite", p)
}

// acceptInvite joins the practice (creating the account, or proving the
// existing one with its password), then signs the person in to it.
func (h *Handler) acceptInvite(w http.ResponseWriter, r *http.Request) {
	view, ok := h.lookupInvitation(w, r)
	if !ok {
		return
	}
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	name, password := r.PostForm.Get("name"), r.PostForm.Get("password")
	f := newForm("invite", url.Values{"name": {name}})
	rerender := func(status int) { h.renderInvite(w, r, status, view, f) }
	if !view.ExistingUser && password != r.PostForm.Get("password_confirm") {
		f.fail("password_confirm", "The two passwords are not the same.")
		h.formFail(w, r, f.err(), f, rerender)
		return
	}
	u, err := h.app.AcceptInvitation(r.Context(), r.PathValue("token"), name, password)
	if err != nil {
		if medic.ErrorCode(err) == medic.ENOTFOUND {
			h.fail(w, r, invalidLink(err, "Invitation not valid", inviteInvalid))
			return
		}
		h.formFail(w, r, err, f, rerender)
		return
	}

	ri := medic.RequestInfoFrom(r.Context())
	out, err := h.app.SignIn(r.Context(), app.Login{Email: u.Email, Password: password, IP: ri.IP, UserAgent: ri.UserAgent, DeferTOTP: true})
	if err != nil {
		// Joined, but signing in failed (throttled, say): the sign-in page says why.
		seeOther(w, r, "/login?m=joined")
		return
	}
	h.endPreviousSession(r)
	if out.Session.TwoFactorPending {
		h.cookie.Set(w, out.Token)
		seeOther(w, r, "/login/2fa")
		return
	}
	// Start in the practice just joined (a new session, a new token).
	actx := medic.WithActor(r.Context(), medic.Actor{UserID: out.User.ID, Email: out.User.Email, SessionID: out.Session.ID})
	if out.Session.ActivePracticeID != view.Invitation.PracticeID {
		if sw, err := h.app.SwitchPractice(actx, out.Session, out.User, view.Invitation.PracticeID); err == nil {
			out = sw
		}
	}
	h.cookie.Set(w, out.Token)
	seeOther(w, r, "/")
}
