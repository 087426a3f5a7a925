// Package auth holds pure credential primitives: password hashing, TOTP,
// recovery codes and opaque tokens. Nothing here touches a database or HTTP.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// OWASP-recommended argon2id parameters (m=19 MiB, t=2, p=1).
const (
	argonMemory  uint32 = 19456 // KiB
	argonTime    uint32 = 2
	argonThreads uint8  = 1
	argonSaltLen        = 16
	argonKeyLen  uint32 = 32
)

// Upper bounds accepted when parsing a stored hash, so a corrupt or hostile
// encoding cannot make us allocate gigabytes or spin for minutes.
const (
	maxArgonMemory  = 1 << 20 // 1 GiB in KiB
	maxArgonTime    = 16
	minArgonSaltLen = 8
	minArgonKeyLen  = 16
	maxArgonKeyLen  = 64
)

// Password policy limits.
const (
	MinPasswordChars = 10
	MaxPasswordBytes = 256
)

// Password policy errors. Their messages are safe to show to end users.
var (
	ErrPasswordTooShort = fmt.Errorf("password must be at least %d characters", MinPasswordChars)
	ErrPasswordTooLong  = fmt.Errorf("password must be at most %d bytes", MaxPasswordBytes)
	ErrPasswordBlank    = errors.New("password must not be only whitespace")
)

// ErrMalformedHash is returned by CheckPassword for an unparseable encoding.
var ErrMalformedHash = errors.New("auth: malformed password hash")

var b64 = base64.RawStdEncoding

// ValidatePassword applies the password policy. The returned error (one of
// the ErrPassword* values) can be shown to the user as is.
func ValidatePassword(pw string) error {
	switch {
	case len(pw) > MaxPasswordBytes:
		return ErrPasswordTooLong
	case utf8.RuneCountInString(pw) < MinPasswordChars:
		return ErrPasswordTooShort
	case strings.TrimSpace(pw) == "":
		return ErrPasswordBlank
	}
	return nil
}

// HashPassword returns an argon2id PHC string:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>.
func HashPassword(pw string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: reading salt: %w", err)
	}
	key := idKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword reports whether pw matches encoded. Parameters are read from
// the encoding so they can be raised later without breaking old hashes. A
// wrong password gives (false, nil); a malformed encoding gives an error.
func CheckPassword(encoded, pw string) (bool, error) {
	p, err := parsePHC(encoded)
	if err != nil {
		return false, err
	}
	key := idKey([]byte(pw), p.salt, p.time, p.memory, p.threads, uint32(len(p.key)))
	return subtle.ConstantTimeCompare(key, p.key) == 1, nil
}

// NeedsRehash reports whether encoded was made with parameters other than the
// current ones, so the caller can re-hash after a successful login.
func NeedsRehash(encoded string) bool {
	p, err := parsePHC(encoded)
	if err != nil {
		return true
	}
	return p.memory != argonMemory || p.time != argonTime || p.threads != argonThreads ||
		len(p.salt) != argonSaltLen || len(p.key) != int(argonKeyLen)
}

// dummySalt is fixed: DummyCheck's output is never compared to anything real.
var dummySalt = make([]byte, argonSaltLen)

// DummyCheck burns about as much time as CheckPassword against a current hash.
// Call it when the email is unknown so response timing does not reveal which
// accounts exist.
func DummyCheck(pw string) {
	key := idKey([]byte(pw), dummySalt, argonTime, argonMemory, argonThreads, argonKeyLen)
	subtle.ConstantTimeCompare(key, make([]byte, argonKeyLen))
}

type phcParams struct {
	memory, time uint32
	threads      uint8
	salt, key    []byte
}

func parsePHC(encoded string) (phcParams, error) {
	var p phcParams
	// "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, ErrMalformedHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return p, ErrMalformedHash
	}
	var threads uint32
	if n, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.memory, &p.time, &threads); err != nil || n != 3 {
		return p, ErrMalformedHash
	}
	// Sscanf tolerates trailing junk; re-render to insist on the exact form.
	if parts[3] != fmt.Sprintf("m=%d,t=%d,p=%d", p.memory, p.time, threads) {
		return p, ErrMalformedHash
	}
	if threads < 1 || threads > 255 || p.time < 1 || p.time > maxArgonTime ||
		p.memory < 8*threads || p.memory > maxArgonMemory {
		return p, ErrMalformedHash
	}
	p.threads = uint8(threads)
	var err error
	if p.salt, err = b64.Strict().DecodeString(parts[4]); err != nil || len(p.salt) < minArgonSaltLen {
		return p, ErrMalformedHash
	}
	if p.key, err = b64.Strict().DecodeString(parts[5]); err != nil ||
		len(p.key) < minArgonKeyLen || len(p.key) > maxArgonKeyLen {
		return p, ErrMalformedHash
	}
	return p, nil
}

// hashSlots bounds concurrent argon2id runs: each takes 19 MiB, so a burst
// of sign-ins waits its turn instead of growing memory without limit.
var hashSlots = make(chan struct{}, 2*runtime.GOMAXPROCS(0))

func idKey(password, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
	hashSlots <- struct{}{}
	defer func() { <-hashSlots }()
	return argon2.IDKey(password, salt, time, memory, threads, keyLen)
}
