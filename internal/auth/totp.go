package auth

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"image/png"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"
)

// TOTP settings compatible with common authenticator apps.
const (
	totpPeriod = 30 // seconds per step
	totpDigits = 6
	totpSkew   = 1 // steps accepted either side of now, for clock drift
	qrSize     = 200
)

// NewTOTPKey generates a fresh TOTP secret (base32, no padding) and the
// otpauth:// URL to enrol it in an authenticator app.
func NewTOTPKey(issuer, account string) (secret, otpauthURL string, err error) {
	key, err := totp.Generate(totp.GenerateOpts{
		Issuer:      issuer,
		AccountName: account,
		Period:      totpPeriod,
		Digits:      otp.DigitsSix,
		Algorithm:   otp.AlgorithmSHA1,
		Rand:        rand.Reader,
	})
	if err != nil {
		return "", "", fmt.Errorf("auth: generating totp key: %w", err)
	}
	return key.Secret(), key.URL(), nil
}

// TOTPQRCodePNG renders otpauthURL as a 200x200 PNG QR code.
func TOTPQRCodePNG(otpauthURL string) ([]byte, error) {
	key, err := otp.NewKeyFromURL(otpauthURL)
	if err != nil {
		return nil, fmt.Errorf("auth: parsing otpauth url: %w", err)
	}
	img, err := key.Image(qrSize, qrSize)
	if err != nil {
		return nil, fmt.Errorf("auth: rendering qr code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("auth: encoding png: %w", err)
	}
	return buf.Bytes(), nil
}

// VerifyTOTP checks a 6-digit code against the step containing now and one
// step either side. Steps <= lastUsedStep are refused so a code cannot be
// replayed; on success the matched step is returned for the caller to store
// as the new lastUsedStep (use 0 when the key has never been used).
func VerifyTOTP(secret, code string, now time.Time, lastUsedStep int64) (step int64, ok bool) {
	code = strings.ReplaceAll(strings.TrimSpace(code), " ", "")
	if len(code) != totpDigits || strings.Trim(code, "0123456789") != "" {
		return 0, false
	}
	current := now.Unix() / totpPeriod
	for s := current - totpSkew; s <= current+totpSkew; s++ {
		if s < 0 || s <= lastUsedStep {
			continue
		}
		want, err := hotp.GenerateCodeCustom(secret, uint64(s), hotp.ValidateOpts{
			Digits:    otp.DigitsSix,
			Algorithm: otp.AlgorithmSHA1,
		})
		if err != nil {
			return 0, false // bad secret
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return s, true
		}
	}
	return 0, false
}

// recoveryAlphabet is Crockford base32 in lower case: 32 symbols (so a byte
// masked to 5 bits maps without bias) and no i, l, o, u to misread.
const recoveryAlphabet = "0123456789abcdefghjkmnpqrstvwxyz"

// NewRecoveryCodes returns n distinct single-use codes like "abcde-fghij"
// (50 bits each). Store only their hashes (HashRecoveryCode).
func NewRecoveryCodes(n int) ([]string, error) {
	if n < 0 {
		return nil, fmt.Errorf("auth: negative recovery code count %d", n)
	}
	codes := make([]string, 0, n)
	seen := make(map[string]bool, n)
	buf := make([]byte, 10)
	for len(codes) < n {
		if _, err := rand.Read(buf); err != nil {
			return nil, fmt.Errorf("auth: reading random: %w", err)
		}
		var sb strings.Builder
		for j, b := range buf {
			if j == 5 {
				sb.WriteByte('-')
			}
			sb.WriteByte(recoveryAlphabet[b&31])
		}
		if c := sb.String(); !seen[c] { // a repeat is all but impossible; the set must still be distinct
			seen[c] = true
			codes = append(codes, c)
		}
	}
	return codes, nil
}

// NormalizeRecoveryCode canonicalises user input (case, spaces, dashes, and
// the Crockford look-alikes o for 0, i and l for 1) back to the form
// NewRecoveryCodes produced, so typed codes hash the same.
func NormalizeRecoveryCode(s string) string {
	s = strings.ToLower(s)
	s = strings.NewReplacer(" ", "", "-", "", "\t", "", "o", "0", "i", "1", "l", "1").Replace(s)
	if len(s) != 10 {
		return s
	}
	return s[:5] + "-" + s[5:]
}

// IsRecoveryCode reports whether s, once normalised, has the shape of a
// recovery code (ten symbols of the alphabet), as opposed to a 6-digit
// TOTP code; it says nothing about whether the code is valid.
func IsRecoveryCode(s string) bool {
	s = NormalizeRecoveryCode(s)
	if len(s) != 11 || s[5] != '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if i != 5 && strings.IndexByte(recoveryAlphabet, s[i]) < 0 {
			return false
		}
	}
	return true
}

// HashRecoveryCode is the SHA-256 of the normalised code, the only form in
// which a recovery code is stored. A fast hash is fine: each code carries
// 50 random bits and guesses go through the sign-in throttle.
func HashRecoveryCode(s string) []byte {
	return HashToken(NormalizeRecoveryCode(s))
}
