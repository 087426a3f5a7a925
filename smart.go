package medic

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"time"
)

// SMART on FHIR: apps a practice's admin registers (SMARTClient) read and
// write the practice's FHIR API with scoped, short-lived access tokens.

// SMARTClient is an app registered by a practice. A public client (a
// browser or phone app) proves nothing but PKCE; a confidential one signs a
// client assertion with a key of its JWKS (private_key_jwt) and may also
// act for itself (backend services, system/ scopes).
type SMARTClient struct {
	ID           string // the OAuth client_id
	PracticeID   string
	Name         string
	Confidential bool
	JWKS         string // inline public keys (JSON Web Key Set)
	JWKSURL      string
	RedirectURIs []string // compared exactly
	// LaunchURL is where the desk sends a member who launches the app from
	// a chart (EHR launch); "" for an app not launched from the desk.
	LaunchURL string
	Scopes    []string // the most it may be granted
	CreatedAt time.Time
	Disabled  bool
}

// Limits of a client registration.
const (
	MaxSMARTRedirectURIs = 10
	MaxSMARTScopes       = 40
	MaxSMARTJWKS         = 20000
)

// Validate checks a registration, naming each mistake by field.
func (c *SMARTClient) Validate() error {
	f := map[string]string{}
	c.Name = strings.TrimSpace(c.Name)
	switch {
	case c.Name == "":
		f["name"] = "Give the app a name."
	case len(c.Name) > 200:
		f["name"] = "Keep the name under 200 characters."
	}
	if len(c.RedirectURIs) > MaxSMARTRedirectURIs {
		f["redirect_uris"] = "Register at most 10 redirect URIs."
	}
	for _, u := range c.RedirectURIs {
		if msg := redirectURIProblem(u); msg != "" {
			f["redirect_uris"] = msg
			break
		}
	}
	if c.LaunchURL != "" {
		if msg := redirectURIProblem(c.LaunchURL); msg != "" {
			f["launch_url"] = strings.Replace(msg, "Each redirect URI", "The launch URL", 1)
		}
	}
	if len(c.Scopes) == 0 {
		f["scopes"] = "Allow at least one scope."
	} else if len(c.Scopes) > MaxSMARTScopes {
		f["scopes"] = "Allow at most 40 scopes."
	}
	for _, s := range c.Scopes {
		if _, err := ParseSMARTScope(s); err != nil {
			f["scopes"] = "Not a scope this server grants: " + s + "."
			break
		}
	}
	if c.Confidential {
		switch {
		case c.JWKS == "" && c.JWKSURL == "":
			f["jwks"] = "A confidential client needs its public keys: paste its JWKS or give the https URL where it publishes them."
		case c.JWKS == "":
			// The keys are fetched from the JWKS URL when the app signs in.
		case len(c.JWKS) > MaxSMARTJWKS:
			f["jwks"] = "The JWKS is too long."
		case c.JWKS != "" && !jwksShape(c.JWKS):
			f["jwks"] = `Paste a JSON Web Key Set: {"keys": [...]} with public keys only.`
		}
		if c.JWKSURL != "" {
			if u, err := url.Parse(c.JWKSURL); err != nil || u.Scheme != "https" || u.Host == "" {
				f["jwks_url"] = "Give an https:// URL."
			}
		}
	} else {
		if len(c.RedirectURIs) == 0 {
			f["redirect_uris"] = "A public client needs at least one redirect URI."
		}
		if c.JWKS != "" || c.JWKSURL != "" {
			f["jwks"] = "Only a confidential client has keys."
		}
		for _, s := range c.Scopes {
			if strings.HasPrefix(s, "system/") {
				f["scopes"] = "system/ scopes are for confidential (backend) clients only."
				break
			}
		}
	}
	if len(f) > 0 {
		return &Error{Code: EINVALID, Message: "Some fields are not valid.", Fields: f}
	}
	return nil
}

func redirectURIProblem(s string) string {
	u, err := url.Parse(s)
	switch {
	case err != nil || !u.IsAbs() || u.Host == "":
		return "Each redirect URI must be an absolute URL: " + s + "."
	case u.Fragment != "" || strings.Contains(s, "#"):
		return "A redirect URI has no #fragment: " + s + "."
	case u.Scheme != "https" && !(u.Scheme == "http" && (u.Hostname() == "localhost" || u.Hostname() == "127.0.0.1")):
		return "Use https (http only for localhost): " + s + "."
	}
	return ""
}

// PublicJWKS reports whether s is a JWKS of public keys only.
func PublicJWKS(s string) bool { return jwksShape(s) }

// JWKSFetcher fetches the key set a confidential client publishes at its
// JWKS URL (cached as the answer allows).
type JWKSFetcher interface {
	FetchJWKS(ctx context.Context, url string) (string, error)
}

// jwksShape reports whether s is a JWKS of public keys: no private member.
func jwksShape(s string) bool {
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	if json.Unmarshal([]byte(s), &set) != nil || len(set.Keys) == 0 {
		return false
	}
	for _, k := range set.Keys {
		if _, ok := k["kty"].(string); !ok {
			return false
		}
		for _, private := range []string{"d", "p", "q", "dp", "dq", "qi", "k"} {
			if _, ok := k[private]; ok {
				return false
			}
		}
	}
	return true
}

// SMARTScope is one parsed scope. Resource scopes are Context/Type.Perms:
// Context "patient", "user" or "system"; Type a resource type or "*";
// Perms a subset of "cruds" (SMART v2; v1's read is "rs", write "cud",
// * all). Other scopes (openid, fhirUser, launch, launch/patient,
// offline_access, online_access) have only Name.
type SMARTScope struct {
	Name    string // as written
	Context string
	Type    string
	Perms   string // canonical order, e.g. "rs"
}

// smartPlainScopes are the scopes that name no resources.
var smartPlainScopes = []string{"openid", "fhirUser", "launch", "launch/patient", "offline_access", "online_access"}

// ParseSMARTScope parses one scope; EINVALID if this server does not grant it.
func ParseSMARTScope(s string) (SMARTScope, error) {
	bad := Errorf(EINVALID, "Unknown scope.")
	if slices.Contains(smartPlainScopes, s) {
		return SMARTScope{Name: s}, nil
	}
	ctx, rest, ok := strings.Cut(s, "/")
	if !ok || (ctx != "patient" && ctx != "user" && ctx != "system") {
		return SMARTScope{}, bad
	}
	typ, perms, ok := strings.Cut(rest, ".")
	if !ok || typ == "" || (typ != "*" && !isResourceTypeName(typ)) {
		return SMARTScope{}, bad
	}
	switch perms {
	case "read":
		perms = "rs"
	case "write":
		perms = "cud"
	case "*":
		perms = "cruds"
	default:
		// v2: letters in the order c r u d s, each at most once.
		if perms == "" || strings.ContainsFunc(perms, func(r rune) bool { return !strings.ContainsRune("cruds", r) }) {
			return SMARTScope{}, bad
		}
		canon := ""
		for _, r := range "cruds" {
			if strings.ContainsRune(perms, r) {
				canon += string(r)
			}
		}
		if canon != perms {
			return SMARTScope{}, bad
		}
	}
	return SMARTScope{Name: s, Context: ctx, Type: typ, Perms: perms}, nil
}

func isResourceTypeName(s string) bool {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return false
	}
	return !strings.ContainsFunc(s, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') })
}

// SMARTScopes is a granted scope string, parsed.
type SMARTScopes []SMARTScope

// ParseSMARTScopes parses a space-separated scope string; unknown scopes
// are EINVALID.
func ParseSMARTScopes(s string) (SMARTScopes, error) {
	var out SMARTScopes
	for _, f := range strings.Fields(s) {
		sc, err := ParseSMARTScope(f)
		if err != nil {
			return nil, err
		}
		if !slices.ContainsFunc(out, func(o SMARTScope) bool { return o.Name == sc.Name }) {
			out = append(out, sc)
		}
	}
	return out, nil
}

// String is the space-separated scope string.
func (ss SMARTScopes) String() string {
	names := make([]string, len(ss))
	for i, s := range ss {
		names[i] = s.Name
	}
	return strings.Join(names, " ")
}

// Has reports whether the plain scope name is granted.
func (ss SMARTScopes) Has(name string) bool {
	return slices.ContainsFunc(ss, func(s SMARTScope) bool { return s.Name == name })
}

// Allows reports whether a scope of the given context ("" any) grants perm
// (one of c r u d s) on resource type typ.
func (ss SMARTScopes) Allows(context, typ string, perm byte) bool {
	for _, s := range ss {
		if s.Perms != "" && (context == "" || s.Context == context) && (s.Type == "*" || s.Type == typ) && strings.IndexByte(s.Perms, perm) >= 0 {
			return true
		}
	}
	return false
}

// SMARTAccess is what a SMART access token grants, on the request's context.
type SMARTAccess struct {
	GrantID    string
	ClientID   string
	ClientName string
	PracticeID string
	UserID     string // "" for a backend service
	PatientID  string // the launch patient, for patient/ scopes
	Scopes     SMARTScopes
}

// SMARTCode is an issued authorization code (stored by its hash).
type SMARTCode struct {
	ClientID      string
	UserID        string
	Scope         string
	RedirectURI   string
	CodeChallenge string
	PatientID     string
	EncounterID   string // EHR launch from an encounter
	ExpiresAt     time.Time
}

// SMARTLaunch is an EHR launch from the desk chart: a one-time value
// (stored by its hash) the app passes back to /oauth/authorize, bound to the
// member who launched, the app and the chart (and the encounter).
type SMARTLaunch struct {
	ClientID    string
	UserID      string
	PatientID   string
	EncounterID string
	ExpiresAt   time.Time
}

// SMARTGrant is one authorization: its access tokens work while it is not
// revoked, and its refresh tokens form one family.
type SMARTGrant struct {
	ID         string
	PracticeID string
	ClientID   string
	UserID     string
	Scope      string
	PatientID  string
	// EncounterID is the launch encounter (EHR launch from an encounter).
	EncounterID string
	CreatedAt   time.Time
	ExpiresAt   time.Time
	Revoked     bool
}

// SMARTKey is a platform key that signs access tokens. Private never leaves
// the server; PublicJWK is what the JWKS endpoint publishes.
type SMARTKey struct {
	KID       string
	Alg       string
	Private   []byte // PKCS #8
	PublicJWK string
	CreatedAt time.Time
}

// ErrRefreshReused says a rotated refresh token was presented again: its
// whole family has been revoked.
var ErrRefreshReused = Errorf(EUNAUTHORIZED, "This refresh token was already used; the authorization is revoked.")

// SMARTService stores clients, codes, grants and keys.
type SMARTService interface {
	// CreateSMARTClient registers c in the practice in context.
	CreateSMARTClient(ctx context.Context, c *SMARTClient) error
	// UpdateSMARTClient changes c; ENOTFOUND unless it is the practice's.
	UpdateSMARTClient(ctx context.Context, c *SMARTClient) error
	ListSMARTClients(ctx context.Context) ([]*SMARTClient, error)
	// FindSMARTClient returns ENOTFOUND unless the client is the practice's.
	FindSMARTClient(ctx context.Context, id string) (*SMARTClient, error)
	// LookupSMARTClient finds a client by its id alone, in whichever
	// practice (the OAuth endpoints know nothing else); ENOTFOUND if unknown.
	LookupSMARTClient(ctx context.Context, id string) (*SMARTClient, error)

	// The rest work in the practice in context (the client's).
	CreateSMARTCode(ctx context.Context, c *SMARTCode, hash []byte) error
	// TakeSMARTCode marks the code used and returns it; ENOTFOUND if it is
	// unknown, another client's, expired or already used.
	TakeSMARTCode(ctx context.Context, clientID string, hash []byte) (*SMARTCode, error)
	CreateSMARTGrant(ctx context.Context, g *SMARTGrant) error
	// FindSMARTGrant returns a grant, Revoked also when its client is disabled.
	FindSMARTGrant(ctx context.Context, id string) (*SMARTGrant, error)
	RevokeSMARTGrant(ctx context.Context, id string) error
	AddSMARTRefreshToken(ctx context.Context, grantID string, hash []byte) error
	// UseSMARTRefreshToken marks a refresh token of clientID used and
	// returns its live grant; a token used before revokes its grant and
	// returns ErrRefreshReused (the revocation stays even though the
	// caller fails); ENOTFOUND if unknown, another client's or its grant
	// is revoked or expired.
	UseSMARTRefreshToken(ctx context.Context, clientID string, hash []byte) (*SMARTGrant, error)
	CreateSMARTLaunch(ctx context.Context, l *SMARTLaunch, hash []byte) error
	// FindSMARTLaunch returns a live launch of clientID and userID (unused,
	// unexpired); ENOTFOUND otherwise.
	FindSMARTLaunch(ctx context.Context, clientID, userID string, hash []byte) (*SMARTLaunch, error)
	// TakeSMARTLaunch is FindSMARTLaunch marking it used: one use.
	TakeSMARTLaunch(ctx context.Context, clientID, userID string, hash []byte) (*SMARTLaunch, error)
	// FindSMARTRefreshGrant returns the grant of a refresh token of
	// clientID, used or not; ENOTFOUND if unknown or another client's.
	FindSMARTRefreshGrant(ctx context.Context, clientID string, hash []byte) (*SMARTGrant, error)
	// RevokeSMARTClientGrants revokes every live grant of the practice's
	// client and returns how many; ENOTFOUND unless the client is the
	// practice's.
	RevokeSMARTClientGrants(ctx context.Context, clientID string) (int, error)
	// SMARTOriginRegistered reports whether an active client of any
	// practice has a redirect URI at origin (scheme://host[:port]).
	SMARTOriginRegistered(ctx context.Context, origin string) (bool, error)
	// UseSMARTAssertion records a client assertion's jti; ECONFLICT if seen.
	UseSMARTAssertion(ctx context.Context, clientID, jti string, expires time.Time) error

	// SMARTKeys lists the platform keys created at or after since, newest first.
	SMARTKeys(ctx context.Context, since time.Time) ([]*SMARTKey, error)
	AddSMARTKey(ctx context.Context, k *SMARTKey) error
}
