package app

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4/jwt"

	"medic"
	"medic/internal/auth"
)

// The SMART on FHIR authorization server's use cases: the authorization
// code flow with PKCE for desk users, refresh token rotation, and
// client_credentials with private_key_jwt for backend services; and the
// check of an access token on each FHIR request.

const (
	smartCodeTTL = time.Minute
	// smartOfflineTTL is how long an offline_access grant (its refresh
	// token family) lasts.
	smartOfflineTTL = 30 * 24 * time.Hour
)

// SMART endpoints' paths.
const (
	SMARTAuthorizePath = "/oauth/authorize"
	SMARTTokenPath     = "/oauth/token"
	SMARTJWKSPath      = "/.well-known/jwks.json"
	// SMARTFHIRPath is the FHIR base, the audience of access tokens.
	SMARTFHIRPath = "/fhir/R4"
)

// FHIRBaseURL is the audience every access token names.
func (a *App) FHIRBaseURL() string { return a.BaseURL + SMARTFHIRPath }

// SMARTTokenURL is the token endpoint (the audience of client assertions).
func (a *App) SMARTTokenURL() string { return a.BaseURL + SMARTTokenPath }

// OAuthError is an OAuth 2.0 error (RFC 6749 5.2, 4.1.2.1): a code from the
// spec and a description safe to show.
type OAuthError struct {
	Code        string
	Description string
}

func (e *OAuthError) Error() string { return "oauth: " + e.Code + ": " + e.Description }

func oauthErr(code, desc string) *OAuthError { return &OAuthError{Code: code, Description: desc} }

// AuthorizeRequest is an authorization request's parameters.
type AuthorizeRequest struct {
	ResponseType, ClientID, RedirectURI, Scope, State, Aud string
	CodeChallenge, CodeChallengeMethod, Launch             string
}

// Query is the request as URL parameters (the consent form carries it).
func (r AuthorizeRequest) Query() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"response_type": r.ResponseType, "client_id": r.ClientID, "redirect_uri": r.RedirectURI,
		"scope": r.Scope, "state": r.State, "aud": r.Aud, "code_challenge": r.CodeChallenge, "code_challenge_method": r.CodeChallengeMethod, "launch": r.Launch} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}

// AuthorizeRequestFrom reads an authorization request from URL parameters.
func AuthorizeRequestFrom(v url.Values) AuthorizeRequest {
	return AuthorizeRequest{ResponseType: v.Get("response_type"), ClientID: v.Get("client_id"), RedirectURI: v.Get("redirect_uri"),
		Scope: v.Get("scope"), State: v.Get("state"), Aud: v.Get("aud"), CodeChallenge: v.Get("code_challenge"),
		CodeChallengeMethod: v.Get("code_challenge_method"), Launch: v.Get("launch")}
}

// Consent is what the consent screen shows: the app, the practice, and the
// scopes that would be granted (never beyond the member's role).
type Consent struct {
	Request      AuthorizeRequest
	Client       *medic.SMARTClient
	Practice     *medic.Practice
	Scopes       medic.SMARTScopes
	NeedsPatient bool // launch/patient: the user picks the patient
	// Launch is the EHR launch the request names (scope launch): its
	// patient (and encounter) become the grant's context.
	Launch *medic.SMARTLaunch
}

// RedirectError is a refusal to send back to the app's redirect URI.
type RedirectError struct {
	URI string // the redirect with error, error_description and state
	Err *OAuthError
}

func (e *RedirectError) Error() string { return e.Err.Error() }

func redirectWith(uri string, params url.Values) string {
	u, _ := url.Parse(uri) // registered URIs parse
	q := u.Query()
	for k, vs := range params {
		q[k] = vs
	}
	u.RawQuery = q.Encode()
	return u.String()
}

func redirectError(r AuthorizeRequest, e *OAuthError) *RedirectError {
	v := url.Values{"error": {e.Code}, "error_description": {e.Description}}
	if r.State != "" {
		v.Set("state", r.State)
	}
	return &RedirectError{URI: redirectWith(r.RedirectURI, v), Err: e}
}

// CheckAuthorize checks an authorization request for the signed-in user
// and returns what the consent screen shows. A request whose client or
// redirect URI is not right is a plain error (never redirected: the URI
// is not trusted); other mistakes are a *RedirectError for the app. The
// user must be an active member of the client's practice.
func (a *App) CheckAuthorize(ctx context.Context, r AuthorizeRequest) (context.Context, *Consent, error) {
	c, err := a.SMART.LookupSMARTClient(ctx, r.ClientID)
	if err != nil || c.Disabled {
		if err != nil && medic.ErrorCode(err) != medic.ENOTFOUND {
			return ctx, nil, err
		}
		return ctx, nil, medic.Errorf(medic.EINVALID, "This app is not registered (unknown client_id).")
	}
	if !slices.Contains(c.RedirectURIs, r.RedirectURI) {
		return ctx, nil, medic.Errorf(medic.EINVALID, "The app sent a redirect_uri that is not registered for it.")
	}
	ctx, p, err := a.EnterPractice(ctx, c.PracticeID)
	if err != nil {
		if medic.ErrorCode(err) == medic.ENOTFOUND {
			return ctx, nil, medic.Errorf(medic.EFORBIDDEN, "This app is registered with a practice you are not a member of.")
		}
		return ctx, nil, err
	}
	switch {
	case r.ResponseType != "code":
		return ctx, nil, redirectError(r, oauthErr("unsupported_response_type", "Only response_type=code is supported."))
	case r.CodeChallengeMethod != "S256" || len(r.CodeChallenge) != 43:
		return ctx, nil, redirectError(r, oauthErr("invalid_request", "PKCE is required: code_challenge with code_challenge_method=S256."))
	case strings.TrimSuffix(r.Aud, "/") != a.FHIRBaseURL():
		return ctx, nil, redirectError(r, oauthErr("invalid_request", "aud must be this server's FHIR base URL."))
	}
	t, _ := medic.TenantFrom(ctx)
	scopes, err := grantable(r.Scope, c, t, false)
	if err != nil {
		return ctx, nil, redirectError(r, err.(*OAuthError))
	}
	cs := &Consent{Request: r, Client: c, Practice: p, Scopes: scopes, NeedsPatient: scopes.Has("launch/patient")}
	if scopes.Has("launch") {
		if cs.Launch, err = a.checkLaunch(ctx, r, c); err != nil {
			return ctx, nil, err
		}
		cs.NeedsPatient = false
	}
	return ctx, cs, nil
}

// grantable is the requested scope narrowed to what the client may have and
// what the member's role (or, for a backend, BackendPermissions) allows.
// system/ scopes are for backends only, user/ and patient/ for users.
func grantable(requested string, c *medic.SMARTClient, t medic.Tenant, backend bool) (medic.SMARTScopes, error) {
	req, err := medic.ParseSMARTScopes(requested)
	if err != nil {
		return nil, oauthErr("invalid_scope", "The request names a scope this server does not grant.")
	}
	allowed, _ := medic.ParseSMARTScopes(strings.Join(c.Scopes, " "))
	var out medic.SMARTScopes
	for _, s := range req {
		if (s.Context == "system") != backend || (backend && s.Perms == "") {
			continue
		}
		if s.Perms == "" {
			if allowed.Has(s.Name) {
				out = append(out, s)
			}
			continue
		}
		perms := ""
		for i := range len(s.Perms) {
			p := s.Perms[i]
			// patient/ scopes read only here (writes need a user/ scope).
			if allowed.Allows(s.Context, s.Type, p) && typeAllows(t, s.Type, p) && (s.Context != "patient" || p == 'r' || p == 's') {
				perms += string(p)
			}
		}
		if perms == "" {
			continue
		}
		if perms != s.Perms {
			s.Perms, s.Name = perms, s.Context+"/"+s.Type+"."+perms
		}
		if !out.Has(s.Name) {
			out = append(out, s)
		}
	}
	if !slices.ContainsFunc(out, func(s medic.SMARTScope) bool { return s.Perms != "" }) {
		return nil, oauthErr("invalid_scope", "None of the requested resource scopes can be granted to this app and user.")
	}
	return out, nil
}

// typeAllows reports whether the tenant's role may do perm (c r u d s) on
// resource type typ at all; "*" asks whether it may on any type. The use
// cases still check each request; this keeps grants from promising more.
func typeAllows(t medic.Tenant, typ string, perm byte) bool {
	read, write := typePermissions(typ)
	if typ == "*" {
		if perm == 'r' || perm == 's' {
			return t.Can(medic.PermPatientsRead)
		}
		return t.Can(medic.PermPatientsWrite) || t.Can(medic.PermAppointmentsWrite) || t.Can(medic.PermClinicalWrite)
	}
	if perm == 'r' || perm == 's' {
		return t.Can(read)
	}
	return write != "" && t.Can(write)
}

// typePermissions is the permission that reads and the one that writes a
// FHIR resource type ("" none).
func typePermissions(typ string) (read, write medic.Permission) {
	switch typ {
	case "Patient":
		return medic.PermPatientsRead, medic.PermPatientsWrite
	case "Appointment", "Slot", "Schedule":
		return medic.PermAppointmentsRead, medic.PermAppointmentsWrite
	case "Practitioner", "PractitionerRole", "Organization", "Location":
		return medic.PermAppointmentsRead, medic.PermSchedulesManage
	case "AuditEvent":
		return medic.PermAuditRead, ""
	case "MedicationRequest":
		return medic.PermPrescriptionsRead, medic.PermPrescriptionsIssue
	}
	return medic.PermClinicalRead, medic.PermClinicalWrite
}

// ApproveAuthorize issues an authorization code for the consent shown
// (ctx is CheckAuthorize's) and returns the redirect to the app. With
// launch/patient the user names the patient, read (and audited) as theirs.
func (a *App) ApproveAuthorize(ctx context.Context, cs *Consent, patientID string) (string, error) {
	encounterID := ""
	if cs.Launch != nil {
		patientID, encounterID = cs.Launch.PatientID, cs.Launch.EncounterID
	} else if cs.NeedsPatient {
		p, err := a.GetPatient(ctx, strings.TrimSpace(patientID))
		if err != nil {
			if medic.ErrorCode(err) == medic.ENOTFOUND {
				return "", &medic.Error{Code: medic.EINVALID, Message: "Some fields are not valid.", Fields: map[string]string{"patient": "No such patient in this practice."}}
			}
			return "", err
		}
		patientID = p.ID
	} else {
		patientID = ""
	}
	code, hash, err := auth.NewToken("mac_")
	if err != nil {
		return "", err
	}
	r := cs.Request
	err = a.Tx.InTx(ctx, func(ctx context.Context) error {
		if cs.Launch != nil {
			// One use: of two approvals with the same value one wins.
			if _, err := a.SMART.TakeSMARTLaunch(ctx, cs.Client.ID, medic.ActorFrom(ctx).UserID, auth.HashToken(r.Launch)); err != nil {
				if medic.ErrorCode(err) == medic.ENOTFOUND {
					return redirectError(r, errBadLaunch)
				}
				return err
			}
		}
		if err := a.SMART.CreateSMARTCode(ctx, &medic.SMARTCode{ClientID: cs.Client.ID, UserID: medic.ActorFrom(ctx).UserID, Scope: cs.Scopes.String(),
			RedirectURI: r.RedirectURI, CodeChallenge: r.CodeChallenge, PatientID: patientID, EncounterID: encounterID, ExpiresAt: a.now().Add(smartCodeTTL)}, hash); err != nil {
			return err
		}
		return a.audit(ctx, "smart.authorized", "smart_client", cs.Client.ID, map[string]string{"client_id": cs.Client.ID, "scope": cs.Scopes.String()})
	})
	var re *RedirectError
	if errors.As(err, &re) {
		return re.URI, nil
	}
	if err != nil {
		return "", err
	}
	v := url.Values{"code": {code}}
	if r.State != "" {
		v.Set("state", r.State)
	}
	return redirectWith(r.RedirectURI, v), nil
}

// DenyAuthorize records the user's refusal and returns the redirect that
// tells the app.
func (a *App) DenyAuthorize(ctx context.Context, cs *Consent) (string, error) {
	err := a.Tx.InTx(ctx, func(ctx context.Context) error {
		return a.Audit.Record(ctx, medic.AuditEvent{Action: "smart.authorized", EntityType: "smart_client", EntityID: cs.Client.ID,
			Outcome: medic.OutcomeDenied, Detail: map[string]string{"client_id": cs.Client.ID}})
	})
	if err != nil {
		return "", err
	}
	return redirectError(cs.Request, oauthErr("access_denied", "The user did not allow access.")).URI, nil
}

// TokenRequest is a token endpoint request's form parameters.
type TokenRequest struct {
	GrantType, Code, RedirectURI, CodeVerifier, ClientID, RefreshToken, Scope string
	ClientAssertionType, ClientAssertion                                      string
}

// TokenResponse is a token endpoint answer.
type TokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	Scope        string `json:"scope"`
	RefreshToken string `json:"refresh_token,omitempty"`
	Patient      string `json:"patient,omitempty"`
	Encounter    string `json:"encounter,omitempty"`
}

const assertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// Token answers the token endpoint: authorization_code, refresh_token or
// client_credentials. Every refusal is an *OAuthError (an outage is not).
func (a *App) Token(ctx context.Context, r TokenRequest) (*TokenResponse, error) {
	c, err := a.authenticateClient(ctx, r)
	if err != nil {
		return nil, err
	}
	ctx = medic.WithTenant(ctx, medic.Tenant{PracticeID: c.PracticeID})
	switch r.GrantType {
	case "authorization_code":
		return a.exchangeCode(ctx, c, r)
	case "refresh_token":
		return a.refresh(ctx, c, r)
	case "client_credentials":
		return a.clientCredentials(ctx, c, r)
	}
	return nil, oauthErr("unsupported_grant_type", "Use authorization_code, refresh_token or client_credentials.")
}

// authenticateClient finds the client: a confidential one by its signed
// assertion (single use), a public one by client_id alone.
func (a *App) authenticateClient(ctx context.Context, r TokenRequest) (*medic.SMARTClient, error) {
	badClient := oauthErr("invalid_client", "The client could not be authenticated.")
	id := r.ClientID
	if r.ClientAssertion != "" {
		if r.ClientAssertionType != assertionType {
			return nil, oauthErr("invalid_request", "client_assertion_type must be "+assertionType+".")
		}
		if id == "" { // the assertion names its client (iss, checked below)
			id = unverifiedIssuer(r.ClientAssertion)
		}
	}
	c, err := a.SMART.LookupSMARTClient(ctx, id)
	if err != nil {
		if medic.ErrorCode(err) == medic.ENOTFOUND {
			return nil, badClient
		}
		return nil, err
	}
	if c.Disabled {
		return nil, badClient
	}
	if !c.Confidential {
		if r.ClientAssertion != "" {
			return nil, badClient
		}
		return c, nil
	}
	keys := c.JWKS
	if keys == "" && c.JWKSURL != "" && a.JWKS != nil && r.ClientAssertion != "" {
		// Keys the app publishes; a URL that does not answer with keys
		// fails the sign-in like a wrong signature.
		if keys, err = a.JWKS.FetchJWKS(ctx, c.JWKSURL); err != nil {
			keys = ""
		}
	}
	if r.ClientAssertion == "" || keys == "" {
		return nil, badClient
	}
	jti, exp, err := auth.VerifyClientAssertion(r.ClientAssertion, keys, c.ID, a.SMARTTokenURL(), a.now())
	if err != nil {
		return nil, badClient
	}
	if err := a.SMART.UseSMARTAssertion(medic.WithTenant(ctx, medic.Tenant{PracticeID: c.PracticeID}), c.ID, jti, exp); err != nil {
		if medic.ErrorCode(err) == medic.ECONFLICT {
			return nil, badClient
		}
		return nil, err
	}
	return c, nil
}

// unverifiedIssuer reads iss from an assertion only to find whose keys
// verify it.
func unverifiedIssuer(assertion string) string {
	t, err := jwt.ParseSigned(assertion, auth.SMARTAlgs)
	if err != nil {
		return ""
	}
	var c jwt.Claims
	if t.UnsafeClaimsWithoutVerification(&c) != nil {
		return ""
	}
	return c.Issuer
}

var errBadGrant = oauthErr("invalid_grant", "The code or refresh token is not valid (unknown, used, expired, or issued to another client or redirect URI).")

func (a *App) exchangeCode(ctx context.Context, c *medic.SMARTClient, r TokenRequest) (*TokenResponse, error) {
	if r.Code == "" || r.CodeVerifier == "" {
		return nil, oauthErr("invalid_request", "Send code, code_verifier and redirect_uri.")
	}
	// Taken (used) before anything else is checked: a code fails once.
	code, err := a.SMART.TakeSMARTCode(ctx, c.ID, auth.HashToken(r.Code))
	if err != nil {
		if medic.ErrorCode(err) == medic.ENOTFOUND {
			return nil, errBadGrant
		}
		return nil, err
	}
	if code.RedirectURI != r.RedirectURI || !auth.CheckPKCE(r.CodeVerifier, code.CodeChallenge) {
		return nil, errBadGrant
	}
	ctx, err = a.enterAsUser(ctx, c.PracticeID, code.UserID)
	if err != nil {
		return nil, err
	}
	scopes, _ := medic.ParseSMARTScopes(code.Scope)
	g := &medic.SMARTGrant{ClientID: c.ID, UserID: code.UserID, Scope: code.Scope, PatientID: code.PatientID, EncounterID: code.EncounterID, ExpiresAt: a.now().Add(SMARTAccessTTL)}
	if scopes.Has("offline_access") {
		g.ExpiresAt = a.now().Add(smartOfflineTTL)
	}
	return a.issue(ctx, c, g, true)
}

// enterAsUser returns ctx acting as userID in the practice, refusing (as
// invalid_grant) a user who is no longer an active member.
func (a *App) enterAsUser(ctx context.Context, practiceID, userID string) (context.Context, error) {
	u, err := a.Users.FindUserByID(ctx, userID)
	if err != nil && medic.ErrorCode(err) != medic.ENOTFOUND {
		return ctx, err
	}
	if u == nil || u.Status != medic.UserActive {
		return ctx, errBadGrant
	}
	ctx = medic.WithActor(ctx, medic.Actor{UserID: u.ID, Email: u.Email, Name: u.Name})
	ctx2, _, err := a.EnterPractice(ctx, practiceID)
	if err != nil {
		if code := medic.ErrorCode(err); code == medic.ENOTFOUND || code == medic.EFORBIDDEN {
			return ctx, errBadGrant
		}
		return ctx, err
	}
	return ctx2, nil
}

func (a *App) refresh(ctx context.Context, c *medic.SMARTClient, r TokenRequest) (*TokenResponse, error) {
	g, err := a.SMART.UseSMARTRefreshToken(ctx, c.ID, auth.HashToken(r.RefreshToken))
	if err != nil {
		switch {
		case errors.Is(err, medic.ErrRefreshReused):
			_ = a.Tx.InTx(ctx, func(ctx context.Context) error {
				return a.Audit.Record(ctx, medic.AuditEvent{Action: "smart.refresh_reused", EntityType: "smart_client", EntityID: c.ID,
					Outcome: medic.OutcomeDenied, Detail: map[string]string{"client_id": c.ID}})
			})
			return nil, errBadGrant
		case medic.ErrorCode(err) == medic.ENOTFOUND:
			return nil, errBadGrant
		}
		return nil, err
	}
	if ctx, err = a.enterAsUser(ctx, c.PracticeID, g.UserID); err != nil {
		return nil, err
	}
	return a.issue(ctx, c, g, false)
}

func (a *App) clientCredentials(ctx context.Context, c *medic.SMARTClient, r TokenRequest) (*TokenResponse, error) {
	if !c.Confidential {
		return nil, oauthErr("unauthorized_client", "Only a confidential client with registered keys may use client_credentials.")
	}
	scopes, err := grantable(r.Scope, c, medic.Tenant{PracticeID: c.PracticeID, Backend: true}, true)
	if err != nil {
		return nil, err
	}
	ctx = medic.WithActor(ctx, backendActor(c))
	g := &medic.SMARTGrant{ClientID: c.ID, Scope: scopes.String(), ExpiresAt: a.now().Add(SMARTAccessTTL)}
	return a.issue(ctx, c, g, true)
}

func backendActor(c *medic.SMARTClient) medic.Actor {
	return medic.Actor{Email: "smart-client:" + c.ID, Name: c.Name, ClientID: c.ID}
}

// issue signs an access token for g (stored first when new) and, for an
// offline_access grant, a new refresh token of its family.
func (a *App) issue(ctx context.Context, c *medic.SMARTClient, g *medic.SMARTGrant, create bool) (*TokenResponse, error) {
	keys, err := a.loadSMARTKeys(ctx, false)
	if err != nil {
		return nil, err
	}
	scopes, _ := medic.ParseSMARTScopes(g.Scope)
	var refresh string
	var refreshHash []byte
	if scopes.Has("offline_access") {
		if refresh, refreshHash, err = auth.NewToken("mrt_"); err != nil {
			return nil, err
		}
	}
	err = a.Tx.InTx(ctx, func(ctx context.Context) error {
		if create {
			if err := a.SMART.CreateSMARTGrant(ctx, g); err != nil {
				return err
			}
		}
		if refreshHash != nil {
			if err := a.SMART.AddSMARTRefreshToken(ctx, g.ID, refreshHash); err != nil {
				return err
			}
		}
		return a.audit(ctx, "smart.token", "smart_grant", g.ID, map[string]string{"client_id": c.ID, "scope": g.Scope})
	})
	if err != nil {
		return nil, err
	}
	now := a.now()
	claims := auth.AccessClaims{
		Claims: jwt.Claims{Issuer: a.BaseURL, Subject: g.UserID, Audience: jwt.Audience{a.FHIRBaseURL()},
			IssuedAt: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(SMARTAccessTTL)), ID: g.ID + "." + now.Format("20060102150405.000000")},
		Scope: g.Scope, ClientID: c.ID, Practice: c.PracticeID, Grant: g.ID, Patient: g.PatientID,
	}
	if g.UserID == "" {
		claims.Subject = c.ID
	}
	k := keys[0]
	tok, err := auth.SignAccessToken(k.KID, k.Alg, k.Private, claims)
	if err != nil {
		return nil, err
	}
	return &TokenResponse{AccessToken: tok, TokenType: "Bearer", ExpiresIn: int(SMARTAccessTTL / time.Second), Scope: g.Scope,
		RefreshToken: refresh, Patient: g.PatientID, Encounter: g.EncounterID}, nil
}

type smartAccessKey struct{}

// SMARTAccessFrom returns the SMART grant a request's access token
// carries, or nil (a session or a personal API token).
func SMARTAccessFrom(ctx context.Context) *medic.SMARTAccess {
	s, _ := ctx.Value(smartAccessKey{}).(*medic.SMARTAccess)
	return s
}

// AuthenticateSMART returns ctx signed in with a SMART access token: the
// signature (by a published key, ES256 or RS256 only), expiry and audience
// are checked, then its grant (not revoked) and its user (active). Any
// token that does not verify is ENOTFOUND (anonymous); an expired one is
// ErrTokenExpired. The practice is entered later, by EnterRequestPractice.
func (a *App) AuthenticateSMART(ctx context.Context, bearer string) (context.Context, error) {
	kid, err := auth.TokenKeyID(bearer)
	if err != nil {
		return ctx, medic.ErrNotFound
	}
	k, err := a.smartKey(ctx, kid)
	if err != nil {
		return ctx, err
	}
	claims, err := auth.VerifyAccessToken(bearer, k.PublicJWK, a.FHIRBaseURL(), a.now())
	switch {
	case errors.Is(err, auth.ErrExpiredToken):
		return ctx, errSMARTExpired
	case err != nil:
		return ctx, medic.ErrNotFound
	}
	g, err := a.SMART.FindSMARTGrant(medic.WithTenant(ctx, medic.Tenant{PracticeID: claims.Practice}), claims.Grant)
	if err != nil {
		return ctx, err
	}
	sub := g.UserID
	if sub == "" {
		sub = g.ClientID
	}
	if g.Revoked || g.ClientID != claims.ClientID || claims.Subject != sub {
		return ctx, medic.ErrNotFound
	}
	scopes, err := medic.ParseSMARTScopes(claims.Scope)
	if err != nil {
		return ctx, medic.ErrNotFound
	}
	acc := &medic.SMARTAccess{GrantID: g.ID, ClientID: g.ClientID, PracticeID: g.PracticeID, UserID: g.UserID, PatientID: g.PatientID, Scopes: scopes}
	if g.UserID == "" {
		c, err := a.SMART.FindSMARTClient(medic.WithTenant(ctx, medic.Tenant{PracticeID: g.PracticeID}), g.ClientID)
		if err != nil {
			return ctx, err
		}
		if c.Disabled {
			return ctx, medic.ErrNotFound
		}
		acc.ClientName = c.Name
		ctx = medic.WithActor(ctx, backendActor(c))
	} else {
		u, err := a.Users.FindUserByID(ctx, g.UserID)
		if err != nil {
			return ctx, err
		}
		if u.Status != medic.UserActive {
			return ctx, medic.ErrNotFound
		}
		ctx = medic.WithActor(ctx, medic.Actor{UserID: u.ID, Email: u.Email, Name: u.Name, IsOperator: u.IsOperator, ClientID: g.ClientID})
		ctx = WithSignedInUser(ctx, u)
	}
	return context.WithValue(ctx, smartAccessKey{}, acc), nil
}

var errSMARTExpired = &medic.Error{Code: medic.EUNAUTHORIZED, Message: "This access token has expired; get a new one from the token endpoint."}

// enterSMART enters the practice of a SMART grant: as the member for a
// user's grant, as the backend service for a client's.
func (a *App) enterSMART(ctx context.Context, acc *medic.SMARTAccess, ref string) (context.Context, *medic.Practice, error) {
	if !strings.EqualFold(ref, acc.PracticeID) {
		return ctx, nil, medic.ErrNotFound
	}
	if acc.UserID != "" {
		return a.EnterPractice(ctx, acc.PracticeID)
	}
	p, err := a.Practices.FindPracticeByRef(ctx, acc.PracticeID)
	if err != nil {
		return ctx, nil, err
	}
	if p.Status != medic.PracticeActive {
		return ctx, nil, medic.Errorf(medic.EFORBIDDEN, "This practice is suspended.")
	}
	return medic.WithTenant(ctx, medic.Tenant{PracticeID: p.ID, Slug: p.Slug, Name: p.Name, TimeZone: p.TimeZone, Backend: true}), p, nil
}
