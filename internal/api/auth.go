package api

import (
	"net/http"
	"time"

	"medic"
	"medic/internal/app"
)

// authRoutes registers sign-in, sign-out, password reset and personal API tokens.
func (h *Handler) authRoutes(mux Router) {
	mux.HandleFunc("POST /api/v1/auth/login", h.login)
	mux.HandleFunc("POST /api/v1/auth/logout", h.logout)
	mux.HandleFunc("POST /api/v1/auth/password-reset", h.requestPasswordReset)
	mux.HandleFunc("POST /api/v1/auth/password-reset/{token}", h.resetPassword)
	mux.HandleFunc("POST /api/v1/auth/tokens", h.sessionOnly(h.createToken))
	mux.HandleFunc("GET /api/v1/auth/tokens", h.signedIn(h.listTokens))
	mux.HandleFunc("DELETE /api/v1/auth/tokens/{id}", h.sessionOnly(h.revokeToken))
}

// loginRequest: with 2FA on, totp holds the app's code or a recovery code
// (told apart by shape); recovery_code is the explicit field for the latter.
type loginRequest struct {
	Email        string `json:"email"`
	Password     string `json:"password"`
	TOTP         string `json:"totp"`
	RecoveryCode string `json:"recovery_code"`
}

// login signs in and sets the session cookie (a new token every time).
func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	var in loginRequest
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	ri := medic.RequestInfoFrom(r.Context())
	out, err := h.app.SignIn(r.Context(), app.Login{Email: in.Email, Password: in.Password, TOTP: in.TOTP, RecoveryCode: in.RecoveryCode, IP: ri.IP, UserAgent: ri.UserAgent})
	if err != nil {
		h.error(w, r, err)
		return
	}
	// Signing in again from the same browser ends the session it had.
	if old := app.SessionFrom(r.Context()); old != nil {
		if err := h.app.SignOut(r.Context(), old); err != nil && medic.ErrorCode(err) != medic.ENOTFOUND {
			h.error(w, r, err)
			return
		}
	}
	h.cookie.Set(w, out.Token)
	ctx := medic.WithActor(r.Context(), medic.Actor{UserID: out.User.ID, Email: out.User.Email, SessionID: out.Session.ID})
	me, err := h.app.WhoAmI(ctx)
	if err != nil {
		h.error(w, r, err)
		return
	}
	dto, err := h.toMeWithCodes(ctx, me, out.Session.ActivePracticeID)
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, dto)
}

// logout ends the session server-side and clears the cookie.
func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	if s := app.SessionFrom(r.Context()); s != nil {
		if err := h.app.SignOut(r.Context(), s); err != nil && medic.ErrorCode(err) != medic.ENOTFOUND {
			h.error(w, r, err)
			return
		}
	}
	h.cookie.Clear(w)
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) requestPasswordReset(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Email string `json:"email"`
	}
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	if err := h.app.RequestPasswordReset(r.Context(), in.Email); err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "If an account exists for this email, a reset link is on its way."})
}

func (h *Handler) resetPassword(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Password string `json:"password"`
	}
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	if err := h.app.ResetPassword(r.Context(), r.PathValue("token"), in.Password); err != nil {
		h.error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type tokenDTO struct {
	ID         string     `json:"id"`
	PracticeID string     `json:"practice_id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	ExpiresAt  time.Time  `json:"expires_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
	Token      string     `json:"token,omitempty"`
}

func toToken(t *medic.APIToken) tokenDTO {
	return tokenDTO{ID: t.ID, PracticeID: t.PracticeID, Name: t.Name, CreatedAt: t.CreatedAt, LastUsedAt: t.LastUsedAt, ExpiresAt: t.ExpiresAt, RevokedAt: t.RevokedAt}
}

// createToken issues a personal API token bound to one practice, with its
// expiry; the token is in this response only.
func (h *Handler) createToken(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name          string `json:"name"`
		Practice      string `json:"practice"`
		ExpiresInDays *int   `json:"expires_in_days"` // absent: the default lifetime
	}
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	ref := in.Practice
	if ref == "" {
		if s := app.SessionFrom(r.Context()); s != nil {
			ref = s.ActivePracticeID
		}
	}
	if ref == "" {
		h.error(w, r, &medic.Error{Code: medic.EINVALID, Message: "Name the practice the token is for.", Fields: map[string]string{"practice": "Give a practice id or slug."}})
		return
	}
	ctx, _, err := h.app.EnterRequestPractice(r.Context(), ref)
	if err != nil {
		h.error(w, r, err)
		return
	}
	out, err := h.app.CreateAPIToken(ctx, in.Name, in.ExpiresInDays)
	if err != nil {
		h.error(w, r, err)
		return
	}
	dto := toToken(out.Token)
	dto.Token = out.Plain
	writeJSON(w, http.StatusCreated, dto)
}

func (h *Handler) listTokens(w http.ResponseWriter, r *http.Request) {
	ts, err := h.app.ListMyTokens(r.Context())
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newList(mapAll(ts, toToken), ""))
}

func (h *Handler) revokeToken(w http.ResponseWriter, r *http.Request) {
	if err := h.app.RevokeMyToken(r.Context(), r.PathValue("id")); err != nil {
		h.error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
