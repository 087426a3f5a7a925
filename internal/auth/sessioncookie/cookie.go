// Package sessioncookie writes and reads the session cookie; it is the only
// HTTP piece of sign-in, kept apart so the use cases never import net/http.
package sessioncookie

import (
	"net/http"
	"time"
)

// Cookie writes and reads the session cookie. With Secure (HTTPS
// deployments) it is a __Host- cookie: host-only, path /, Secure.
type Cookie struct {
	Secure bool
	// MaxAge is the absolute session lifetime; the server enforces expiry anyway.
	MaxAge time.Duration
}

// Name is the cookie's name.
func (c Cookie) Name() string {
	if c.Secure {
		return "__Host-medic_session"
	}
	return "medic_session"
}

// Set sends the session token.
func (c Cookie) Set(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{Name: c.Name(), Value: token, Path: "/", HttpOnly: true, Secure: c.Secure,
		SameSite: http.SameSiteLaxMode, MaxAge: int(c.MaxAge.Seconds())})
}

// Clear deletes the cookie in the browser.
func (c Cookie) Clear(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: c.Name(), Value: "", Path: "/", HttpOnly: true, Secure: c.Secure, SameSite: http.SameSiteLaxMode, MaxAge: -1})
}
