package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"math/big"
)

const tokenBytes = 32

// NewToken returns an opaque bearer token (prefix + 32 random bytes, base64
// raw URL) and its SHA-256. Store only the hash; the prefix makes tokens
// recognisable in logs and secret scanners.
func NewToken(prefix string) (plain string, hash []byte, err error) {
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("auth: reading random: %w", err)
	}
	plain = prefix + base64.RawURLEncoding.EncodeToString(b)
	return plain, HashToken(plain), nil
}

// HashToken returns the SHA-256 of plain. A fast hash is fine here because
// tokens carry 256 bits of entropy, unlike passwords.
func HashToken(plain string) []byte {
	sum := sha256.Sum256([]byte(plain))
	return sum[:]
}

// NewNumericCode returns a zero-padded random code of the given length
// (1..18 digits). rand.Int samples uniformly, so there is no modulo bias.
func NewNumericCode(digits int) (string, error) {
	if digits < 1 || digits > 18 {
		return "", fmt.Errorf("auth: numeric code length %d out of range 1..18", digits)
	}
	limit := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(digits)), nil)
	n, err := rand.Int(rand.Reader, limit)
	if err != nil {
		return "", fmt.Errorf("auth: reading random: %w", err)
	}
	return fmt.Sprintf("%0*d", digits, n.Int64()), nil
}
