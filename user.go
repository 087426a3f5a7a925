package medic

import (
	"context"
	"net/mail"
	"strings"
	"time"
)

type UserStatus string

const (
	UserActive   UserStatus = "active"
	UserDisabled UserStatus = "disabled"
)

// User is a person who signs in; platform-wide, a member of zero or more practices.
type User struct {
	ID           string
	Email        string
	Name         string
	PasswordHash string
	TOTPSecret   string
	TOTPEnabled  bool
	TOTPLastStep int64
	IsOperator   bool
	Status       UserStatus
	CreatedAt    time.Time
}

// NormalizeEmail lower-cases and checks an email address.
func NormalizeEmail(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if _, err := Line(s, 254); err != nil {
		return "", Errorf(EINVALID, "Enter a valid email address.")
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || !strings.Contains(s[strings.LastIndex(s, "@")+1:], ".") || len(s) > 254 {
		return "", Errorf(EINVALID, "Enter a valid email address.")
	}
	return s, nil
}

// ValidateName checks a person's display name.
func ValidateName(s string) (string, error) {
	s, err := Line(s, MaxNameLength)
	if err != nil {
		return "", err
	}
	if s == "" {
		return "", Errorf(EINVALID, "Enter a name.")
	}
	return s, nil
}

// UserService stores platform users. Users are not tenant data; membership is.
type UserService interface {
	// FindUserByEmail returns ENOTFOUND if no user has that email.
	FindUserByEmail(ctx context.Context, email string) (*User, error)
	// FindUserByID returns ENOTFOUND if no user has that id.
	FindUserByID(ctx context.Context, id string) (*User, error)
	// CreateUser returns ECONFLICT if the email is taken.
	CreateUser(ctx context.Context, u *User) error
	UpdateUserProfile(ctx context.Context, id, name string) error
	SetPassword(ctx context.Context, id, hash string) error
	// ReplacePasswordHash stores hash only while the stored hash is still
	// old (a rehash must not undo a password changed meanwhile).
	ReplacePasswordHash(ctx context.Context, id, old, hash string) error
	SetOperator(ctx context.Context, id string, on bool) error
	// SetTOTP stores a pending (enabled=false) or enabled secret; "" turns 2FA off.
	SetTOTP(ctx context.Context, id, secret string, enabled bool) error
	// UseTOTPStep returns EUNAUTHORIZED unless step is newer than the last used (replay).
	UseTOTPStep(ctx context.Context, id string, step int64) error

	// Recovery codes are single-use 2FA codes for a user who lost the
	// authenticator. Only their SHA-256 hashes are stored.

	// ReplaceRecoveryCodes deletes every recovery code of the user and
	// stores these hashes as the new, unused set.
	ReplaceRecoveryCodes(ctx context.Context, id string, hashes [][]byte) error
	// UseRecoveryCode marks the user's unused code with this hash as used,
	// atomically: of concurrent uses of one code only one succeeds. It
	// returns EUNAUTHORIZED if the user has no unused code with that hash.
	UseRecoveryCode(ctx context.Context, id string, hash []byte) error
	// CountRecoveryCodes returns how many unused recovery codes the user has.
	CountRecoveryCodes(ctx context.Context, id string) (int, error)
	// DeleteRecoveryCodes deletes every recovery code of the user and
	// returns how many were unused. SetTOTP deletes them too whenever it
	// leaves 2FA not enabled.
	DeleteRecoveryCodes(ctx context.Context, id string) (unused int, err error)
}

// RecoveryCodeCount is how many recovery codes a user gets at a time, and
// RecoveryCodesLow the number left at which the account page warns.
const (
	RecoveryCodeCount = 10
	RecoveryCodesLow  = 2
)
