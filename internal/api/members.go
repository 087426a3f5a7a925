package api

import (
	"net/http"
	"time"

	"medic"
	"medic/internal/app"
)

// memberRoutes registers a practice's members and invitations.
func (h *Handler) memberRoutes(mux Router) {
	mux.HandleFunc("GET /api/v1/practices/{practice}/members", h.tenant(h.listMembers))
	mux.HandleFunc("POST /api/v1/practices/{practice}/members", h.tenant(h.inviteMember))
	mux.HandleFunc("GET /api/v1/practices/{practice}/members/{id}", h.tenant(h.getMember))
	mux.HandleFunc("PATCH /api/v1/practices/{practice}/members/{id}", h.tenant(h.updateMember))
	mux.HandleFunc("DELETE /api/v1/practices/{practice}/members/{id}", h.tenant(h.deactivateMember))
	mux.HandleFunc("GET /api/v1/practices/{practice}/invitations", h.tenant(h.listInvitations))
	mux.HandleFunc("DELETE /api/v1/practices/{practice}/invitations/{id}", h.tenant(h.revokeInvitation))
}

type memberDTO struct {
	ID        string     `json:"id"`
	UserID    string     `json:"user_id"`
	Email     string     `json:"email"`
	Name      string     `json:"name"`
	Role      medic.Role `json:"role"`
	Active    bool       `json:"active"`
	CreatedAt time.Time  `json:"created_at"`
}

func toMember(m *medic.Member) memberDTO {
	return memberDTO{ID: m.ID, UserID: m.UserID, Email: m.Email, Name: m.Name, Role: m.Role, Active: m.Active, CreatedAt: m.CreatedAt}
}

type invitationDTO struct {
	ID        string     `json:"id"`
	Email     string     `json:"email"`
	Role      medic.Role `json:"role"`
	ExpiresAt time.Time  `json:"expires_at"`
	CreatedAt time.Time  `json:"created_at"`
}

func toInvitation(i *medic.Invitation) invitationDTO {
	return invitationDTO{ID: i.ID, Email: i.Email, Role: i.Role, ExpiresAt: i.ExpiresAt, CreatedAt: i.CreatedAt}
}

func (h *Handler) listMembers(w http.ResponseWriter, r *http.Request) {
	p, err := page(r)
	if err != nil {
		h.error(w, r, err)
		return
	}
	ms, next, err := h.app.ListMembers(r.Context(), p)
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newList(mapAll(ms, toMember), next))
}

func (h *Handler) getMember(w http.ResponseWriter, r *http.Request) {
	m, err := h.app.GetMember(r.Context(), r.PathValue("id"))
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toMember(m))
}

// inviteMember emails an invitation; the member exists once it is accepted.
func (h *Handler) inviteMember(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Email string     `json:"email"`
		Role  medic.Role `json:"role"`
	}
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	inv, err := h.app.Invite(r.Context(), in.Email, in.Role)
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, toInvitation(inv))
}

func (h *Handler) updateMember(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Role   *medic.Role `json:"role"`
		Active *bool       `json:"active"`
	}
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	m, err := h.app.UpdateMember(r.Context(), r.PathValue("id"), app.MemberChange{Role: in.Role, Active: in.Active})
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toMember(m))
}

// deactivateMember deactivates rather than deletes: the audit trail keeps
// pointing at a real member.
func (h *Handler) deactivateMember(w http.ResponseWriter, r *http.Request) {
	off := false
	if _, err := h.app.UpdateMember(r.Context(), r.PathValue("id"), app.MemberChange{Active: &off}); err != nil {
		h.error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) listInvitations(w http.ResponseWriter, r *http.Request) {
	is, err := h.app.ListInvitations(r.Context())
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newList(mapAll(is, toInvitation), ""))
}

func (h *Handler) revokeInvitation(w http.ResponseWriter, r *http.Request) {
	if err := h.app.RevokeInvitation(r.Context(), r.PathValue("id")); err != nil {
		h.error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
