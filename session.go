package medic

import (
	"context"
	"time"
)

// Session is a server-side browser session. The cookie holds a random token;
// the database holds only its hash.
type Session struct {
	ID               string
	UserID           string
	ActivePracticeID string // the practice the desk works in; empty until chosen
	CreatedAt        time.Time
	LastSeenAt       time.Time
	IP               string
	UserAgent        string
	TwoFactorPending bool // password accepted, TOTP still owed
}

// Session lifetimes (defaults; configurable).
const (
	DefaultSessionIdle     = 30 * time.Minute
	DefaultSessionAbsolute = 12 * time.Hour
)

// APIToken is a personal token for the JSON API, bound to one practice.
// Every token expires: by default after TokenLifetimeDays, at most after
// TokenMaxLifetimeDays.
type APIToken struct {
	ID         string
	PracticeID string
	UserID     string
	Name       string
	CreatedAt  time.Time
	LastUsedAt *time.Time
	ExpiresAt  time.Time
	RevokedAt  *time.Time
}

// API token lifetimes in days (a default and a maximum), and how long
// before expiry the owner is told.
const (
	TokenLifetimeDays    = 90
	TokenMaxLifetimeDays = 365
	TokenExpiryNotice    = 7 * 24 * time.Hour
)

// ErrTokenExpired answers a request with an expired API token: unlike an
// unknown or revoked one, its holder is told why, so an integration knows
// to get a new token rather than suspect a typo.
var ErrTokenExpired = &Error{Code: EUNAUTHORIZED, Message: "This API token has expired. Create a new one on your account page."}

// ExpiringToken is a live token due for its expiry notice, with what the
// notice needs.
type ExpiringToken struct {
	Token        *APIToken
	Email        string // the owner's
	UserName     string
	PracticeName string
}

// SessionService stores browser sessions, password resets and sign-in failures.
type SessionService interface {
	CreateSession(ctx context.Context, s *Session, tokenHash []byte) error
	// TouchSessionWithUser records a visit to the live session with this
	// token hash and returns it with its user, whatever the user's status
	// (the caller decides). It returns ENOTFOUND for an unknown, ended, idle
	// or too old session (and ends it).
	TouchSessionWithUser(ctx context.Context, tokenHash []byte, idle, absolute time.Duration) (*Session, *User, error)
	// EndSession returns ENOTFOUND unless the session is userID's and live.
	EndSession(ctx context.Context, userID, sessionID string) error
	EndUserSessions(ctx context.Context, userID, keepSessionID string) error
	ListSessions(ctx context.Context, userID string) ([]*Session, error)

	CreatePasswordReset(ctx context.Context, userID string, tokenHash []byte, expires time.Time) error
	// UsePasswordReset returns ENOTFOUND if unknown, used or expired.
	UsePasswordReset(ctx context.Context, tokenHash []byte) (userID string, err error)
	PeekPasswordReset(ctx context.Context, tokenHash []byte) error

	// LockLoginKey serialises sign-in attempts on one key until the
	// transaction ends.
	LockLoginKey(ctx context.Context, key string) error
	RecordLoginFailure(ctx context.Context, keys ...string) error
	LoginFailures(ctx context.Context, key string, since time.Time) (int, error)
	ClearLoginFailures(ctx context.Context, key string, before time.Time) error
}

// TokenSignIn is what a bearer token signs in as, read in one round trip:
// the token, its user, and the token's practice (the only one it works in)
// with the user's membership there, so the request enters the practice
// without reading them again.
type TokenSignIn struct {
	Token    *APIToken
	User     *User
	Practice *Practice
	Member   *Member // nil: no membership
}

// TokenService stores personal API tokens.
type TokenService interface {
	CreateAPIToken(ctx context.Context, t *APIToken, tokenHash []byte) error
	// FindAPITokenWithUser returns the live token with this hash and its
	// user, whatever the user's status (the caller decides), with the
	// token's practice and the user's membership there (nil if none), and
	// records the use at most once a minute, never waiting on a lock to do
	// so; ENOTFOUND if unknown or revoked, ErrTokenExpired if expired.
	FindAPITokenWithUser(ctx context.Context, tokenHash []byte) (*TokenSignIn, error)
	// ExpiringAPITokens lists, in every practice, the live tokens of active
	// users expiring before the cutoff that were not announced yet, and that
	// were made more than TokenExpiryNotice before their expiry (a shorter
	// token's owner knew the date when making it).
	ExpiringAPITokens(ctx context.Context, now, before time.Time) ([]ExpiringToken, error)
	// MarkTokenExpiryNotified records the notice of a token of the practice
	// in context; ENOTFOUND if it was already recorded (once per token).
	MarkTokenExpiryNotified(ctx context.Context, id string, at time.Time) error
	ListAPITokens(ctx context.Context, userID string) ([]*APIToken, error)
	// RevokeAPIToken returns ENOTFOUND unless the token is userID's in the practice in context.
	RevokeAPIToken(ctx context.Context, userID, id string) error
}
