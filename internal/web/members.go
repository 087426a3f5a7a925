package web

import (
	"net/http"
	"net/url"
	"strings"

	"medic"
	"medic/internal/app"
)

// memberRoutes registers the members and their invitations.
func (h *Handler) memberRoutes(mux Router) {
	mux.HandleFunc("GET /members", h.member(h.members))
	mux.HandleFunc("POST /members/invite", h.member(h.invite))
	mux.HandleFunc("POST /members/{id}", h.member(h.updateMember))
	mux.HandleFunc("POST /invitations/{id}/revoke", h.member(h.revokeInvitation))
}

// membersView is the data of the members page.
type membersView struct {
	Members     []*medic.Member
	Invitations []*medic.Invitation
	NextURL     string
	MyMemberID  string
}

// members lists the practice's members; admins also see open invitations,
// the invite form and the controls to change roles and deactivate.
func (h *Handler) members(w http.ResponseWriter, r *http.Request, v *visitor) {
	h.renderMembers(w, r, http.StatusOK, v, newForm("invite", url.Values{"role": {string(medic.RoleReceptionist)}}), "")
}

func (h *Handler) renderMembers(w http.ResponseWriter, r *http.Request, status int, v *visitor, invite *form, alert string) {
	ms, next, err := h.app.ListMembers(r.Context(), medic.Page{Limit: 100, Cursor: r.URL.Query().Get("cursor")})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := membersView{Members: ms, MyMemberID: v.tenant.MemberID}
	if next != "" {
		d.NextURL = "/members?cursor=" + url.QueryEscape(next)
	}
	if v.tenant.Can(medic.PermMembersManage) {
		if d.Invitations, err = h.app.ListInvitations(r.Context()); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	p := h.page(r, "Members", "members").withForm(invite)
	p.Alert = alert
	p.Data = d
	h.render(w, r, status, "members", p)
}

// invite emails an invitation to join with a role.
func (h *Handler) invite(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	email, role := strings.TrimSpace(r.PostForm.Get("email")), r.PostForm.Get("role")
	f := newForm("invite", url.Values{"email": {email}, "role": {role}})
	if _, err := h.app.Invite(r.Context(), email, medic.Role(role)); err != nil {
		h.formFail(w, r, err, f, func(status int) { h.renderMembers(w, r, status, v, f, "") })
		return
	}
	seeOther(w, r, "/members?m=invited")
}

// updateMember changes a member's role ("role") or active flag ("active").
func (h *Handler) updateMember(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	var ch app.MemberChange
	if s := r.PostForm.Get("role"); s != "" {
		role := medic.Role(s)
		ch.Role = &role
	}
	switch r.PostForm.Get("active") {
	case "true":
		on := true
		ch.Active = &on
	case "false":
		off := false
		ch.Active = &off
	}
	if ch.Role == nil && ch.Active == nil {
		h.fail(w, r, medic.Errorf(medic.EINVALID, "Choose a role, or deactivate or reactivate the member."))
		return
	}
	if _, err := h.app.UpdateMember(r.Context(), r.PathValue("id"), ch); err != nil {
		switch medic.ErrorCode(err) {
		case medic.EINVALID, medic.ECONFLICT:
			// e.g. the last admin: say so above the list.
			h.renderMembers(w, r, medic.HTTPStatus(medic.ErrorCode(err)), v, newForm("invite", nil), medic.ErrorMessage(err))
		default:
			h.fail(w, r, err)
		}
		return
	}
	seeOther(w, r, "/members?m=member-updated")
}

func (h *Handler) revokeInvitation(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := h.app.RevokeInvitation(r.Context(), r.PathValue("id")); err != nil {
		h.fail(w, r, err)
		return
	}
	seeOther(w, r, "/members?m=invitation-revoked")
}
