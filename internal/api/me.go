package api

import (
	"context"
	"net/http"
	"time"

	"medic"
	"medic/internal/app"
)

// meRoutes registers the signed-in user's own account.
func (h *Handler) meRoutes(mux Router) {
	mux.HandleFunc("GET /api/v1/me", h.signedIn(h.me))
	mux.HandleFunc("PATCH /api/v1/me", h.signedIn(h.updateMe))
	mux.HandleFunc("POST /api/v1/me/password", h.sessionOnly(h.changePassword))
	mux.HandleFunc("GET /api/v1/me/sessions", h.sessionOnly(h.listSessions))
	mux.HandleFunc("DELETE /api/v1/me/sessions/{id}", h.sessionOnly(h.endSession))
	mux.HandleFunc("POST /api/v1/me/totp", h.sessionOnly(h.beginTOTP))
	mux.HandleFunc("POST /api/v1/me/totp/confirm", h.sessionOnly(h.confirmTOTP))
	mux.HandleFunc("POST /api/v1/me/totp/disable", h.sessionOnly(h.disableTOTP))
	mux.HandleFunc("POST /api/v1/me/totp/recovery-codes", h.sessionOnly(h.newRecoveryCodes))
}

type membershipDTO struct {
	MemberID       string             `json:"member_id"`
	PracticeID     string             `json:"practice_id"`
	PracticeSlug   string             `json:"practice_slug"`
	PracticeName   string             `json:"practice_name"`
	PracticeStatus string             `json:"practice_status"`
	Role           medic.Role         `json:"role"`
	Active         bool               `json:"active"`
	Permissions    []medic.Permission `json:"permissions"`
}

type userDTO struct {
	ID          string `json:"id"`
	Email       string `json:"email"`
	Name        string `json:"name"`
	IsOperator  bool   `json:"is_operator"`
	TOTPEnabled bool   `json:"totp_enabled"`
	// RecoveryCodesLeft is the number of unused recovery codes, present
	// only with 2FA on.
	RecoveryCodesLeft *int `json:"recovery_codes_left,omitempty"`
}

type meDTO struct {
	User                userDTO         `json:"user"`
	Memberships         []membershipDTO `json:"memberships"`
	ActivePracticeID    string          `json:"active_practice_id,omitempty"`
	PractitionerProfile any             `json:"practitioner_profile"`
}

func toMe(me *app.Me, active string) meDTO {
	out := meDTO{
		User:             userDTO{ID: me.User.ID, Email: me.User.Email, Name: me.User.Name, IsOperator: me.User.IsOperator, TOTPEnabled: me.User.TOTPEnabled},
		Memberships:      []membershipDTO{},
		ActivePracticeID: active,
	}
	for _, m := range me.Memberships {
		perms := []medic.Permission{}
		if m.Active && m.PracticeStatus == medic.PracticeActive {
			perms = m.Role.Permissions()
		}
		out.Memberships = append(out.Memberships, membershipDTO{MemberID: m.MemberID, PracticeID: m.PracticeID, PracticeSlug: m.PracticeSlug,
			PracticeName: m.PracticeName, PracticeStatus: string(m.PracticeStatus), Role: m.Role, Active: m.Active, Permissions: perms})
	}
	return out
}

// toMeWithCodes is toMe with the count of recovery codes left (2FA on).
func (h *Handler) toMeWithCodes(ctx context.Context, me *app.Me, active string) (meDTO, error) {
	out := toMe(me, active)
	if me.User.TOTPEnabled {
		n, err := h.app.RecoveryCodesLeft(ctx)
		if err != nil {
			return out, err
		}
		out.User.RecoveryCodesLeft = &n
	}
	return out, nil
}

// me returns the user, memberships with roles and permissions.
func (h *Handler) me(w http.ResponseWriter, r *http.Request) {
	me, err := h.app.WhoAmI(r.Context())
	if err != nil {
		h.error(w, r, err)
		return
	}
	active := ""
	if s := app.SessionFrom(r.Context()); s != nil {
		active = s.ActivePracticeID
	} else if t := app.APITokenFrom(r.Context()); t != nil {
		active = t.PracticeID
	}
	out, err := h.toMeWithCodes(r.Context(), me, active)
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *Handler) updateMe(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name string `json:"name"`
	}
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	if err := h.app.UpdateMyName(r.Context(), in.Name); err != nil {
		h.error(w, r, err)
		return
	}
	h.me(w, r)
}

func (h *Handler) changePassword(w http.ResponseWriter, r *http.Request) {
	var in struct {
		CurrentPassword string `json:"current_password"`
		NewPassword     string `json:"new_password"`
	}
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	if err := h.app.ChangePassword(r.Context(), in.CurrentPassword, in.NewPassword); err != nil {
		h.error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type sessionDTO struct {
	ID         string    `json:"id"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	IP         string    `json:"ip"`
	UserAgent  string    `json:"user_agent"`
	Current    bool      `json:"current"`
}

func (h *Handler) listSessions(w http.ResponseWriter, r *http.Request) {
	ss, err := h.app.ListMySessions(r.Context())
	if err != nil {
		h.error(w, r, err)
		return
	}
	current := medic.ActorFrom(r.Context()).SessionID
	writeJSON(w, http.StatusOK, newList(mapAll(ss, func(s *medic.Session) sessionDTO {
		return sessionDTO{ID: s.ID, CreatedAt: s.CreatedAt, LastSeenAt: s.LastSeenAt, IP: s.IP, UserAgent: s.UserAgent, Current: s.ID == current}
	}), ""))
}

func (h *Handler) endSession(w http.ResponseWriter, r *http.Request) {
	if err := h.app.EndMySession(r.Context(), r.PathValue("id")); err != nil {
		h.error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// recoveryCodesDTO is a new set of recovery codes, in this response only.
type recoveryCodesDTO struct {
	RecoveryCodes []string `json:"recovery_codes"`
}

// newRecoveryCodes replaces the recovery codes of an account with 2FA on:
// {"password": ...} -> 201 {"recovery_codes": [...]}, shown this once.
func (h *Handler) newRecoveryCodes(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Password string `json:"password"`
	}
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	codes, err := h.app.GenerateRecoveryCodes(r.Context(), in.Password)
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, recoveryCodesDTO{RecoveryCodes: codes})
}

// beginTOTP starts enrolment: a new secret to scan.
func (h *Handler) beginTOTP(w http.ResponseWriter, r *http.Request) {
	e, err := h.app.BeginTOTP(r.Context())
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"secret": e.Secret, "otpauth_url": e.URL})
}

func (h *Handler) confirmTOTP(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Code string `json:"code"`
	}
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	codes, err := h.app.ConfirmTOTP(r.Context(), in.Code)
	if err != nil {
		h.error(w, r, err)
		return
	}
	// 2FA is on; the first recovery codes are in this response only.
	writeJSON(w, http.StatusOK, recoveryCodesDTO{RecoveryCodes: codes})
}

func (h *Handler) disableTOTP(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Password string `json:"password"`
	}
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	if err := h.app.DisableTOTP(r.Context(), in.Password); err != nil {
		h.error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
