package auth

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// SMART on FHIR mechanics: signing keys, access tokens (JWT), PKCE and
// client assertions. No HTTP and no storage here.

// SMARTAlgs are the only signature algorithms accepted anywhere (never
// "none", never a shared-secret HS*).
var SMARTAlgs = []jose.SignatureAlgorithm{jose.ES256, jose.RS256}

// NewSigningKey makes an ES256 key: its kid, its private key (PKCS #8) and
// the public JWK to publish.
func NewSigningKey() (kid string, private []byte, publicJWK string, err error) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", nil, "", fmt.Errorf("auth: generate key: %w", err)
	}
	if private, err = x509.MarshalPKCS8PrivateKey(k); err != nil {
		return "", nil, "", fmt.Errorf("auth: marshal key: %w", err)
	}
	pub := jose.JSONWebKey{Key: &k.PublicKey, Algorithm: string(jose.ES256), Use: "sig"}
	tp, err := pub.Thumbprint(crypto.SHA256)
	if err != nil {
		return "", nil, "", fmt.Errorf("auth: thumbprint: %w", err)
	}
	pub.KeyID = base64.RawURLEncoding.EncodeToString(tp)
	b, err := json.Marshal(pub)
	if err != nil {
		return "", nil, "", fmt.Errorf("auth: marshal jwk: %w", err)
	}
	return pub.KeyID, private, string(b), nil
}

// AccessClaims are the claims of a Medic access token.
type AccessClaims struct {
	jwt.Claims
	Scope    string `json:"scope"`
	ClientID string `json:"client_id"`
	Practice string `json:"practice"`
	Grant    string `json:"grant"`
	Patient  string `json:"patient,omitempty"`
	FHIRUser string `json:"fhirUser,omitempty"`
}

// SignAccessToken signs claims with the PKCS #8 key under kid.
func SignAccessToken(kid, alg string, private []byte, c AccessClaims) (string, error) {
	key, err := x509.ParsePKCS8PrivateKey(private)
	if err != nil {
		return "", fmt.Errorf("auth: parse signing key: %w", err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.SignatureAlgorithm(alg), Key: jose.JSONWebKey{Key: key, KeyID: kid}},
		(&jose.SignerOptions{}).WithType("at+jwt"))
	if err != nil {
		return "", fmt.Errorf("auth: signer: %w", err)
	}
	return jwt.Signed(signer).Claims(c).Serialize()
}

// ErrBadToken is any access token or assertion that does not verify.
var ErrBadToken = errors.New("auth: token does not verify")

// ErrExpiredToken is a well-signed token past its exp.
var ErrExpiredToken = errors.New("auth: token expired")

// TokenKeyID returns the kid of a compact JWS signed with an allowed
// algorithm (anything else, alg none included, is ErrBadToken).
func TokenKeyID(token string) (string, error) {
	t, err := jwt.ParseSigned(token, SMARTAlgs)
	if err != nil || len(t.Headers) != 1 || t.Headers[0].KeyID == "" {
		return "", ErrBadToken
	}
	return t.Headers[0].KeyID, nil
}

// VerifyAccessToken checks the signature with publicJWK (the key named by
// the token's kid), the algorithm, exp/nbf at now and the audience.
func VerifyAccessToken(token, publicJWK, audience string, now time.Time) (*AccessClaims, error) {
	var key jose.JSONWebKey
	if err := key.UnmarshalJSON([]byte(publicJWK)); err != nil || !key.IsPublic() {
		return nil, fmt.Errorf("auth: bad stored key: %w", err)
	}
	t, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(key.Algorithm)})
	if err != nil || len(t.Headers) != 1 || t.Headers[0].KeyID != key.KeyID {
		return nil, ErrBadToken
	}
	var c AccessClaims
	if err := t.Claims(key.Key, &c); err != nil {
		return nil, ErrBadToken
	}
	if c.Expiry == nil {
		return nil, ErrBadToken
	}
	if err := c.Claims.ValidateWithLeeway(jwt.Expected{AnyAudience: jwt.Audience{audience}, Time: now}, 0); err != nil {
		if errors.Is(err, jwt.ErrExpired) {
			return nil, ErrExpiredToken
		}
		return nil, ErrBadToken
	}
	return &c, nil
}

// MaxAssertionLifetime bounds a client assertion's exp (SMART backend services).
const MaxAssertionLifetime = 5 * time.Minute

// VerifyClientAssertion checks a private_key_jwt client assertion against
// the client's JWKS: iss = sub = clientID, aud = tokenURL, a jti, exp in
// the future but at most five minutes away. It returns the jti and exp.
func VerifyClientAssertion(assertion, jwks, clientID, tokenURL string, now time.Time) (jti string, exp time.Time, err error) {
	var set jose.JSONWebKeySet
	if err := json.Unmarshal([]byte(jwks), &set); err != nil {
		return "", time.Time{}, ErrBadToken
	}
	t, err := jwt.ParseSigned(assertion, SMARTAlgs)
	if err != nil || len(t.Headers) != 1 {
		return "", time.Time{}, ErrBadToken
	}
	h := t.Headers[0]
	var c jwt.Claims
	verified := false
	for _, k := range set.Keys {
		if !k.IsPublic() || (h.KeyID != "" && k.KeyID != h.KeyID) || (k.Algorithm != "" && k.Algorithm != h.Algorithm) {
			continue
		}
		if t.Claims(k.Key, &c) == nil {
			verified = true
			break
		}
	}
	if !verified || c.ID == "" || c.Expiry == nil {
		return "", time.Time{}, ErrBadToken
	}
	if err := c.ValidateWithLeeway(jwt.Expected{Issuer: clientID, Subject: clientID, AnyAudience: jwt.Audience{tokenURL}, Time: now}, 0); err != nil {
		return "", time.Time{}, ErrBadToken
	}
	if exp = c.Expiry.Time(); exp.After(now.Add(MaxAssertionLifetime)) {
		return "", time.Time{}, ErrBadToken
	}
	return c.ID, exp, nil
}

// PKCEChallenge is the S256 code challenge of verifier.
func PKCEChallenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// CheckPKCE reports whether verifier (43 to 128 unreserved characters,
// RFC 7636) matches the S256 challenge.
func CheckPKCE(verifier, challenge string) bool {
	if len(verifier) < 43 || len(verifier) > 128 || strings.ContainsFunc(verifier, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-._~", r))
	}) {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(PKCEChallenge(verifier)), []byte(challenge)) == 1
}
