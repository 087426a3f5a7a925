package auth

import (
	"net/http"
	"time"
)

// SessionCookie writes and reads the session cookie. With Secure (HTTPS
// deployments) it is a __Host- cookie: host-only, path /, Secure.
type SessionCookie struct {
	Secure bool
	// MaxAge is the absolute session lifetime; the server enforces expiry anyway.
	MaxAge time.Duration
}

// Name is the cookie's name.
func (c SessionCookie) Name() string {
	if c.Secure {
		return "__Host-medic_session"
	}
	return "medic_session"
}

// Set sends the session token.
func (c SessionCookie) Set(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{Name: c.Name(), Value: token, Path: "/", HttpOnly: true, Secure: c.Secure,
		SameSite: http.SameSiteLaxMode, MaxAge: int(c.MaxAge.Seconds())})
}

// Clear deletes the cookie in the browser.
func (c SessionCookie) Clear(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: c.Name(), Value: "", Path: "/", HttpOnly: true, Secure: c.Secure, SameSite: http.SameSiteLaxMode, MaxAge: -1})
}
