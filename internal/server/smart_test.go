package server_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/jackc/pgx/v5"

	"medic"
	"medic/internal/auth"
	"medic/internal/server"
	"medic/internal/server/servertest"
)

// SMART on FHIR: app registration, the authorization code flow with PKCE,
// refresh rotation, backend services, and tokens that must not work.

const smartRedirect = "https://app.example/cb"

type smartWorld struct {
	env      *servertest.Env
	d, other *desk
	clientID string // sunrise's public app
	x, y     string // two charts of sunrise
}

func newSMARTWorld(t *testing.T) *smartWorld {
	t.Helper()
	env := servertest.New(t)
	w := &smartWorld{env: env, d: newDesk(t, env, "sunrise"), other: newDesk(t, env, "other")}
	admin := w.d.c[medic.RoleAdmin]
	w.clientID = want(t, admin.Do("POST", w.d.base+"/smart-clients", map[string]any{"name": "Chart viewer", "type": "public",
		"redirect_uris": []string{smartRedirect}, "scopes": []string{"openid", "fhirUser", "offline_access", "launch/patient", "user/*.cruds", "patient/*.rs"}}),
		http.StatusCreated).Str("client_id")
	w.x = want(t, admin.Do("POST", w.d.base+"/patients", map[string]any{"given_name": "Xolani", "family_name": "Xaba", "date_of_birth": "1980-01-02",
		"sex": "male", "phone": "082 555 0101"}), http.StatusCreated).Str("id")
	w.y = want(t, admin.Do("POST", w.d.base+"/patients", map[string]any{"given_name": "Yolanda", "family_name": "Yende", "date_of_birth": "1975-06-07",
		"sex": "female", "phone": "082 555 0102"}), http.StatusCreated).Str("id")
	return w
}

// pkce returns a verifier and its S256 challenge.
func pkce() (verifier, challenge string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	verifier = base64.RawURLEncoding.EncodeToString(b)
	return verifier, auth.PKCEChallenge(verifier)
}

func (w *smartWorld) authorizeQuery(scope, challenge string) url.Values {
	return url.Values{"response_type": {"code"}, "client_id": {w.clientID}, "redirect_uri": {smartRedirect}, "scope": {scope},
		"state": {"st-1"}, "aud": {w.env.URL + "/fhir/R4"}, "code_challenge": {challenge}, "code_challenge_method": {"S256"}}
}

// code runs the consent as c (allowing) and returns the code the app gets.
func (w *smartWorld) code(t *testing.T, c *servertest.Client, scope, challenge, patient string) string {
	t.Helper()
	q := w.authorizeQuery(scope, challenge)
	want(t, c.Do("GET", "/oauth/authorize?"+q.Encode(), nil), http.StatusOK)
	q.Set("decision", "allow")
	q.Set("patient", patient)
	r := want(t, postForm(c, "/oauth/authorize", q), http.StatusSeeOther)
	loc, err := url.Parse(r.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(loc.String(), smartRedirect+"?") || loc.Query().Get("state") != "st-1" || loc.Query().Get("code") == "" {
		t.Fatalf("redirect after consent = %q", r.Header.Get("Location"))
	}
	return loc.Query().Get("code")
}

func (w *smartWorld) token(v url.Values) *servertest.Response {
	return postForm(w.env.Client(), "/oauth/token", v)
}

func (w *smartWorld) exchange(code, verifier string) *servertest.Response {
	return w.token(url.Values{"grant_type": {"authorization_code"}, "code": {code}, "code_verifier": {verifier},
		"redirect_uri": {smartRedirect}, "client_id": {w.clientID}})
}

// accessToken runs the whole flow as c and returns the token response.
func (w *smartWorld) accessToken(t *testing.T, c *servertest.Client, scope, patient string) *servertest.Response {
	t.Helper()
	v, ch := pkce()
	return want(t, w.exchange(w.code(t, c, scope, ch, patient), v), http.StatusOK)
}

func (w *smartWorld) fhir(t *testing.T, token string) *servertest.Client {
	return w.env.TokenClient(t, token)
}

func wantOAuthError(t *testing.T, r *servertest.Response, status int, code string) {
	t.Helper()
	if r.Status != status || r.Str("error") != code {
		t.Errorf("%s %s = %d %s, want %d with error %q", r.Method, r.Path, r.Status, r.Body, status, code)
	}
}

func wantOutcome(t *testing.T, r *servertest.Response, status int) {
	t.Helper()
	if r.Status != status || r.Str("resourceType") != "OperationOutcome" {
		t.Errorf("%s %s = %d %s, want %d OperationOutcome", r.Method, r.Path, r.Status, r.Body, status)
	}
}

func TestSMARTDiscovery(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	c := env.Client()
	cfg := want(t, c.Do("GET", "/.well-known/smart-configuration", nil), http.StatusOK)
	if cfg.Str("token_endpoint") != env.URL+"/oauth/token" || cfg.Str("authorization_endpoint") != env.URL+"/oauth/authorize" {
		t.Errorf("endpoints: %s", cfg.Body)
	}
	if got, _ := json.Marshal(cfg.Get("code_challenge_methods_supported")); string(got) != `["S256"]` {
		t.Errorf("code_challenge_methods_supported = %s", got)
	}
	for _, capability := range []string{"client-public", "client-confidential-asymmetric", "permission-v2", "context-standalone-patient"} {
		if !strings.Contains(string(cfg.Body), `"`+capability+`"`) {
			t.Errorf("capabilities lack %s: %s", capability, cfg.Body)
		}
	}
	jwks := want(t, c.Do("GET", strings.TrimPrefix(cfg.Str("jwks_uri"), env.URL), nil), http.StatusOK)
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(jwks.Body, &set); err != nil || len(set.Keys) != 1 || set.Keys[0].KeyID == "" || !set.Keys[0].IsPublic() {
		t.Fatalf("jwks = %s (%v)", jwks.Body, err)
	}
	meta := want(t, c.Do("GET", "/fhir/R4/metadata", nil), http.StatusOK)
	if !strings.Contains(string(meta.Body), "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris") ||
		!strings.Contains(string(meta.Body), env.URL+"/oauth/token") {
		t.Errorf("metadata lacks the SMART oauth-uris extension: %s", meta.Body)
	}
}

func TestSMARTClientRegistration(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	d := newDesk(t, env, "sunrise")
	admin := d.c[medic.RoleAdmin]
	for _, s := range []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"no redirect for a public app", map[string]any{"name": "A", "type": "public", "scopes": []string{"user/*.rs"}}, "redirect_uris"},
		{"fragment", map[string]any{"name": "A", "type": "public", "redirect_uris": []string{"https://a.example/cb#x"}, "scopes": []string{"user/*.rs"}}, "redirect_uris"},
		{"plain http", map[string]any{"name": "A", "type": "public", "redirect_uris": []string{"http://a.example/cb"}, "scopes": []string{"user/*.rs"}}, "redirect_uris"},
		{"unknown scope", map[string]any{"name": "A", "type": "public", "redirect_uris": []string{"https://a.example/cb"}, "scopes": []string{"user/*.everything"}}, "scopes"},
		{"system scope on a public app", map[string]any{"name": "A", "type": "public", "redirect_uris": []string{"https://a.example/cb"}, "scopes": []string{"system/*.rs"}}, "scopes"},
		{"confidential without keys", map[string]any{"name": "A", "type": "confidential", "scopes": []string{"system/*.rs"}}, "jwks"},
		{"a private key", map[string]any{"name": "A", "type": "confidential", "scopes": []string{"system/*.rs"},
			"jwks": `{"keys":[{"kty":"EC","crv":"P-256","x":"a","y":"b","d":"secret"}]}`}, "jwks"},
		{"no name", map[string]any{"name": " ", "type": "public", "redirect_uris": []string{"https://a.example/cb"}, "scopes": []string{"user/*.rs"}}, "name"},
	} {
		r := want(t, admin.Do("POST", d.base+"/smart-clients", s.body), http.StatusUnprocessableEntity)
		if r.Str("errors."+s.field) == "" {
			t.Errorf("%s: no message for %s: %s", s.name, s.field, r.Body)
		}
	}
	// The desk form names the mistake and keeps what was typed.
	r := want(t, postForm(admin, "/settings/smart-apps/new", url.Values{"name": {"Typed name"}, "type": {"public"}, "scopes": {"user/*.rs"}}), http.StatusUnprocessableEntity)
	if body := string(r.Body); !strings.Contains(body, "A public client needs at least one redirect URI.") || !strings.Contains(body, `value="Typed name"`) {
		t.Errorf("desk form: %s", r.Body)
	}
	if n := len(want(t, admin.Do("GET", d.base+"/smart-clients", nil), http.StatusOK).Items()); n != 0 {
		t.Errorf("%d apps registered by refused forms", n)
	}
	// A registered app is listed with its client id; a nurse may not see the list.
	id := want(t, postForm(admin, "/settings/smart-apps/new", url.Values{"name": {"Growth charts"}, "type": {"public"},
		"redirect_uris": {"https://growth.example/cb"}, "scopes": {"user/*.rs launch/patient"}}), http.StatusSeeOther).Header.Get("Location")
	list := want(t, admin.Do("GET", "/settings/smart-apps", nil), http.StatusOK)
	if !strings.Contains(string(list.Body), "Growth charts") || !strings.Contains(id, "/settings/smart-apps/") {
		t.Errorf("list: %s", list.Body)
	}
	want(t, d.c[medic.RoleNurse].Do("GET", "/settings/smart-apps", nil), http.StatusForbidden)
}

func TestSMARTAuthorizationCodeFlow(t *testing.T) {
	t.Parallel()
	w := newSMARTWorld(t)
	doctor := w.d.c[medic.RoleDoctor]

	// Signed out: to the sign-in page and back.
	_, ch := pkce()
	q := w.authorizeQuery("user/*.rs", ch)
	r := want(t, w.env.Client().Do("GET", "/oauth/authorize?"+q.Encode(), nil), http.StatusSeeOther)
	if loc := r.Header.Get("Location"); !strings.HasPrefix(loc, "/login?next=%2Foauth%2Fauthorize%3F") {
		t.Errorf("signed-out authorize redirects to %q", loc)
	}

	// The consent screen lists the scopes.
	q = w.authorizeQuery("openid fhirUser offline_access user/*.cruds", ch)
	page := want(t, doctor.Do("GET", "/oauth/authorize?"+q.Encode(), nil), http.StatusOK)
	for _, s := range []string{"Chart viewer", "user/*.cruds: create, read, update, delete, search all record types", "offline_access"} {
		if !strings.Contains(string(page.Body), s) {
			t.Errorf("consent page lacks %q", s)
		}
	}

	tok := w.accessToken(t, doctor, "openid fhirUser offline_access user/*.cruds", "")
	if tok.Str("token_type") != "Bearer" || tok.Str("refresh_token") == "" || tok.Str("scope") != "openid fhirUser offline_access user/*.cruds" || tok.Get("expires_in") != float64(600) {
		t.Fatalf("token response: %s", tok.Body)
	}
	fc := w.fhir(t, tok.Str("access_token"))
	read := want(t, fc.Do("GET", "/fhir/R4/Patient/"+w.x, nil), http.StatusOK)
	if read.Str("id") != w.x {
		t.Errorf("read: %s", read.Body)
	}
	// The read is audited as the doctor, naming the app.
	audit := want(t, w.d.c[medic.RoleAdmin].Do("GET", w.d.base+"/audit-events?action=patient.viewed&patient="+w.x, nil), http.StatusOK).Items()
	if len(audit) == 0 || audit[0]["actor_email"] != "doctor@sunrise.example" || audit[0]["detail"].(map[string]any)["client_id"] != w.clientID {
		t.Errorf("audit of the read: %v", audit)
	}
	// A SMART token is for the FHIR API only.
	want(t, fc.Do("GET", w.d.base+"/patients/"+w.x, nil), http.StatusUnauthorized)

	// Denying sends the app access_denied.
	q.Set("decision", "deny")
	r = want(t, postForm(doctor, "/oauth/authorize", q), http.StatusSeeOther)
	if loc, _ := url.Parse(r.Header.Get("Location")); loc.Query().Get("error") != "access_denied" || loc.Query().Get("state") != "st-1" {
		t.Errorf("deny redirects to %q", r.Header.Get("Location"))
	}

	// A member of another practice cannot authorize this practice's app.
	want(t, w.other.c[medic.RoleAdmin].Do("GET", "/oauth/authorize?"+q.Encode(), nil), http.StatusForbidden)

	// A role never gets more than it holds: billing asked for everything gets reads.
	billing := w.accessToken(t, w.d.c[medic.RoleBilling], "user/*.cruds", "")
	if billing.Str("scope") != "user/*.rs" {
		t.Errorf("billing granted %q", billing.Str("scope"))
	}
}

func TestSMARTTokenAbuse(t *testing.T) {
	t.Parallel()
	w := newSMARTWorld(t)
	doctor := w.d.c[medic.RoleDoctor]

	t.Run("authorization code replay", func(t *testing.T) {
		v, ch := pkce()
		code := w.code(t, doctor, "user/*.rs", ch, "")
		want(t, w.exchange(code, v), http.StatusOK)
		wantOAuthError(t, w.exchange(code, v), http.StatusBadRequest, "invalid_grant")
	})
	t.Run("wrong PKCE verifier burns the code", func(t *testing.T) {
		v, ch := pkce()
		other, _ := pkce()
		code := w.code(t, doctor, "user/*.rs", ch, "")
		wantOAuthError(t, w.exchange(code, other), http.StatusBadRequest, "invalid_grant")
		wantOAuthError(t, w.exchange(code, v), http.StatusBadRequest, "invalid_grant")
	})
	t.Run("non-exact redirect URI", func(t *testing.T) {
		_, ch := pkce()
		for _, uri := range []string{smartRedirect + "/", smartRedirect + "?x=1", "https://evil.example/cb", strings.ToUpper(smartRedirect)} {
			q := w.authorizeQuery("user/*.rs", ch)
			q.Set("redirect_uri", uri)
			r := want(t, doctor.Do("GET", "/oauth/authorize?"+q.Encode(), nil), http.StatusUnprocessableEntity)
			if r.Header.Get("Location") != "" {
				t.Errorf("%s: redirected to %s", uri, r.Header.Get("Location"))
			}
		}
		v, ch := pkce()
		code := w.code(t, doctor, "user/*.rs", ch, "")
		wantOAuthError(t, w.token(url.Values{"grant_type": {"authorization_code"}, "code": {code}, "code_verifier": {v},
			"redirect_uri": {smartRedirect + "/"}, "client_id": {w.clientID}}), http.StatusBadRequest, "invalid_grant")
	})
	t.Run("plain PKCE or none is refused", func(t *testing.T) {
		q := w.authorizeQuery("user/*.rs", "x")
		q.Set("code_challenge_method", "plain")
		r := want(t, doctor.Do("GET", "/oauth/authorize?"+q.Encode(), nil), http.StatusSeeOther)
		if loc, _ := url.Parse(r.Header.Get("Location")); loc.Query().Get("error") != "invalid_request" {
			t.Errorf("plain PKCE: %q", r.Header.Get("Location"))
		}
	})

	readOnly := w.accessToken(t, doctor, "user/*.rs", "").Str("access_token")
	t.Run("read-only scope writing", func(t *testing.T) {
		fc := w.fhir(t, readOnly)
		want(t, fc.Do("GET", "/fhir/R4/Patient/"+w.x, nil), http.StatusOK)
		r := fc.DoHeader("POST", "/fhir/R4/Patient", `{"resourceType":"Patient","name":[{"family":"New","given":["Chart"]}],"birthDate":"1990-01-01","gender":"male"}`,
			map[string]string{"Content-Type": "application/fhir+json"})
		wantOutcome(t, r, http.StatusForbidden)
		wantOutcome(t, fc.Do("DELETE", "/fhir/R4/Patient/"+w.x, nil), http.StatusForbidden)
	})
	t.Run("practice A's token on practice B's ids", func(t *testing.T) {
		bPatient := want(t, w.other.c[medic.RoleAdmin].Do("POST", w.other.base+"/patients", map[string]any{"given_name": "Other", "family_name": "Practice",
			"date_of_birth": "1970-03-04", "sex": "male", "phone": "082 555 0199"}), http.StatusCreated).Str("id")
		wantOutcome(t, w.fhir(t, readOnly).Do("GET", "/fhir/R4/Patient/"+bPatient, nil), http.StatusNotFound)
		bundle := want(t, w.fhir(t, readOnly).Do("GET", "/fhir/R4/Patient?_id="+bPatient, nil), http.StatusOK)
		if bundle.Get("entry") != nil {
			t.Errorf("search shows B's chart: %s", bundle.Body)
		}
	})

	key := smartSigningKey(t, w.env)
	forged := func(mutate func(c *auth.AccessClaims)) string {
		c := claimsOf(t, readOnly)
		mutate(&c)
		s, err := auth.SignAccessToken(key.KID, key.Alg, key.Private, c)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	t.Run("the genuine token re-signed verifies", func(t *testing.T) {
		want(t, w.fhir(t, forged(func(*auth.AccessClaims) {})).Do("GET", "/fhir/R4/Patient/"+w.x, nil), http.StatusOK)
	})
	t.Run("wrong audience", func(t *testing.T) {
		tok := forged(func(c *auth.AccessClaims) { c.Audience = jwt.Audience{"https://other.example/fhir/R4"} })
		wantOutcome(t, w.fhir(t, tok).Do("GET", "/fhir/R4/Patient/"+w.x, nil), http.StatusUnauthorized)
	})
	t.Run("another practice named in a token of this grant", func(t *testing.T) {
		tok := forged(func(c *auth.AccessClaims) { c.Practice = w.other.p.ID })
		wantOutcome(t, w.fhir(t, tok).Do("GET", "/fhir/R4/Patient/"+w.x, nil), http.StatusUnauthorized)
	})
	t.Run("alg none", func(t *testing.T) {
		parts := strings.Split(readOnly, ".")
		header := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","kid":"` + key.KID + `","typ":"at+jwt"}`))
		for _, tok := range []string{header + "." + parts[1] + ".", header + "." + parts[1] + "." + parts[2]} {
			wantOutcome(t, w.fhir(t, tok).Do("GET", "/fhir/R4/Patient/"+w.x, nil), http.StatusUnauthorized)
		}
	})
	t.Run("HS256 with the public key as secret", func(t *testing.T) {
		signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: jose.JSONWebKey{Key: []byte(key.PublicJWK), KeyID: key.KID}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		tok, _ := jwt.Signed(signer).Claims(claimsOf(t, readOnly)).Serialize()
		wantOutcome(t, w.fhir(t, tok).Do("GET", "/fhir/R4/Patient/"+w.x, nil), http.StatusUnauthorized)
	})
	t.Run("signed by another key under the real kid", func(t *testing.T) {
		_, other, _, err := auth.NewSigningKey()
		if err != nil {
			t.Fatal(err)
		}
		tok, err := auth.SignAccessToken(key.KID, "ES256", other, claimsOf(t, readOnly))
		if err != nil {
			t.Fatal(err)
		}
		wantOutcome(t, w.fhir(t, tok).Do("GET", "/fhir/R4/Patient/"+w.x, nil), http.StatusUnauthorized)
	})

	t.Run("refresh token reuse after rotation revokes the family", func(t *testing.T) {
		first := w.accessToken(t, doctor, "offline_access user/*.rs", "")
		refresh := func(rt string) *servertest.Response {
			return w.token(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {w.clientID}})
		}
		second := want(t, refresh(first.Str("refresh_token")), http.StatusOK)
		if second.Str("refresh_token") == "" || second.Str("refresh_token") == first.Str("refresh_token") {
			t.Fatalf("not rotated: %s", second.Body)
		}
		want(t, w.fhir(t, second.Str("access_token")).Do("GET", "/fhir/R4/Patient/"+w.x, nil), http.StatusOK)
		wantOAuthError(t, refresh(first.Str("refresh_token")), http.StatusBadRequest, "invalid_grant")
		// The family is revoked: the newest refresh token and the access tokens too.
		wantOAuthError(t, refresh(second.Str("refresh_token")), http.StatusBadRequest, "invalid_grant")
		for _, at := range []string{first.Str("access_token"), second.Str("access_token")} {
			wantOutcome(t, w.fhir(t, at).Do("GET", "/fhir/R4/Patient/"+w.x, nil), http.StatusUnauthorized)
		}
		// Another client cannot use a refresh token either.
		third := w.accessToken(t, doctor, "offline_access user/*.rs", "")
		wantOAuthError(t, w.token(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {third.Str("refresh_token")}, "client_id": {newUUID()}}),
			http.StatusUnauthorized, "invalid_client")
	})

	t.Run("patient X's token reading patient Y", func(t *testing.T) {
		admin := w.d.c[medic.RoleAdmin]
		encounter := func(patient string) string {
			return want(t, admin.Do("POST", w.d.base+"/encounters", map[string]any{"patient_id": patient, "practitioner_id": w.d.practitioner,
				"location_id": w.d.loc.ID}), http.StatusCreated).Str("id")
		}
		ex, ey := encounter(w.x), encounter(w.y)
		tok := w.accessToken(t, doctor, "launch/patient patient/*.rs", w.x)
		if tok.Str("patient") != w.x || tok.Str("scope") != "launch/patient patient/*.rs" {
			t.Fatalf("patient token: %s", tok.Body)
		}
		fc := w.fhir(t, tok.Str("access_token"))
		want(t, fc.Do("GET", "/fhir/R4/Patient/"+w.x, nil), http.StatusOK)
		want(t, fc.Do("GET", "/fhir/R4/Encounter/"+ex, nil), http.StatusOK)
		wantOutcome(t, fc.Do("GET", "/fhir/R4/Patient/"+w.y, nil), http.StatusNotFound)
		wantOutcome(t, fc.Do("GET", "/fhir/R4/Encounter/"+ey, nil), http.StatusNotFound)
		wantOutcome(t, fc.Do("GET", "/fhir/R4/Patient/"+w.y+"/$everything", nil), http.StatusNotFound)
		for _, path := range []string{"/fhir/R4/Patient?_id=" + w.y, "/fhir/R4/Encounter?patient=" + w.y, "/fhir/R4/Encounter?patient=Patient/" + w.y} {
			b := want(t, fc.Do("GET", path, nil), http.StatusOK)
			entries, _ := json.Marshal(b.Get("entry"))
			if strings.Contains(string(entries), w.y) || strings.Contains(string(entries), ey) {
				t.Errorf("%s shows patient Y: %s", path, b.Body)
			}
		}
		if b := want(t, fc.Do("GET", "/fhir/R4/Encounter", nil), http.StatusOK); !strings.Contains(string(b.Body), ex) {
			t.Errorf("X's own encounters are not found: %s", b.Body)
		}
		// patient/ scopes read only; an unknown chart cannot be chosen.
		wantOutcome(t, fc.Do("DELETE", "/fhir/R4/Patient/"+w.x, nil), http.StatusForbidden)
		_, ch := pkce()
		q := w.authorizeQuery("launch/patient patient/*.rs", ch)
		q.Set("decision", "allow")
		q.Set("patient", newUUID())
		if r := want(t, postForm(doctor, "/oauth/authorize", q), http.StatusUnprocessableEntity); !strings.Contains(string(r.Body), "No such patient in this practice.") {
			t.Errorf("unknown patient: %s", r.Body)
		}
	})

	t.Run("patient scopes reach no system-level operation", func(t *testing.T) {
		fc := w.fhir(t, w.accessToken(t, doctor, "launch/patient patient/*.rs", w.x).Str("access_token"))
		for _, path := range []string{"/fhir/R4/$export", "/fhir/R4/Patient/$export", "/fhir/R4/AuditEvent"} {
			wantOutcome(t, fc.DoHeader("GET", path, nil, map[string]string{"Prefer": "respond-async", "Accept": "application/fhir+json"}), http.StatusForbidden)
		}
		want(t, fc.Do("GET", "/fhir/R4/Practitioner/"+w.d.practitioner, nil), http.StatusOK)
	})
	t.Run("a disabled app's tokens stop at once", func(t *testing.T) {
		tok := w.accessToken(t, doctor, "offline_access user/*.rs", "")
		fc := w.fhir(t, tok.Str("access_token"))
		want(t, fc.Do("GET", "/fhir/R4/Patient/"+w.x, nil), http.StatusOK)
		admin := w.d.c[medic.RoleAdmin]
		body := map[string]any{"name": "Chart viewer", "redirect_uris": []string{smartRedirect},
			"scopes": []string{"openid", "fhirUser", "offline_access", "launch/patient", "user/*.cruds", "patient/*.rs"}, "disabled": true}
		want(t, admin.Do("PUT", w.d.base+"/smart-clients/"+w.clientID, body), http.StatusOK)
		wantOutcome(t, fc.Do("GET", "/fhir/R4/Patient/"+w.x, nil), http.StatusUnauthorized)
		wantOAuthError(t, w.token(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.Str("refresh_token")}, "client_id": {w.clientID}}),
			http.StatusUnauthorized, "invalid_client")
		body["disabled"] = false
		want(t, admin.Do("PUT", w.d.base+"/smart-clients/"+w.clientID, body), http.StatusOK)
	})

	t.Run("expired token", func(t *testing.T) {
		tok := w.accessToken(t, doctor, "user/*.rs", "").Str("access_token")
		w.env.Clock.Advance(10*time.Minute + time.Second)
		r := w.fhir(t, tok).Do("GET", "/fhir/R4/Patient/"+w.x, nil)
		wantOutcome(t, r, http.StatusUnauthorized)
		if !strings.Contains(string(r.Body), "expired") {
			t.Errorf("expired token: %s", r.Body)
		}
	})
}

// claimsOf reads a token's claims without checking it.
func claimsOf(t *testing.T, token string) auth.AccessClaims {
	t.Helper()
	var c auth.AccessClaims
	tok, err := jwt.ParseSigned(token, auth.SMARTAlgs)
	if err == nil {
		err = tok.UnsafeClaimsWithoutVerification(&c)
	}
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// smartSigningKey reads the current signing key (as only the server can).
func smartSigningKey(t *testing.T, env *servertest.Env) *medic.SMARTKey {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), env.DB.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var k medic.SMARTKey
	if err := conn.QueryRow(context.Background(), `SELECT kid, alg, private_key, public_jwk FROM smart_keys ORDER BY created_at DESC LIMIT 1`).
		Scan(&k.KID, &k.Alg, &k.Private, &k.PublicJWK); err != nil {
		t.Fatal(err)
	}
	return &k
}

func TestSMARTBackendService(t *testing.T) {
	t.Parallel()
	w := newSMARTWorld(t)
	admin := w.d.c[medic.RoleAdmin]
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "backend-1", Algorithm: "ES256", Use: "sig"}}})
	client := want(t, admin.Do("POST", w.d.base+"/smart-clients", map[string]any{"name": "Lab sync", "type": "confidential",
		"jwks": string(pub), "scopes": []string{"system/*.rs"}}), http.StatusCreated).Str("client_id")
	assertion := func(jti string, exp time.Duration, aud string) string {
		signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: key, KeyID: "backend-1"}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		now := w.env.Clock.Now()
		s, err := jwt.Signed(signer).Claims(jwt.Claims{Issuer: client, Subject: client, Audience: jwt.Audience{aud}, ID: jti,
			IssuedAt: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(exp))}).Serialize()
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	tokenURL := w.env.URL + "/oauth/token"
	grant := func(a, scope string) *servertest.Response {
		return w.token(url.Values{"grant_type": {"client_credentials"}, "scope": {scope},
			"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {a}})
	}
	a1 := assertion("jti-1", 4*time.Minute, tokenURL)
	tok := want(t, grant(a1, "system/*.rs system/*.cruds user/*.rs"), http.StatusOK)
	if tok.Str("scope") != "system/*.rs" || tok.Str("refresh_token") != "" {
		t.Errorf("backend token: %s", tok.Body)
	}
	fc := w.fhir(t, tok.Str("access_token"))
	want(t, fc.Do("GET", "/fhir/R4/Patient/"+w.x, nil), http.StatusOK)
	want(t, fc.Do("GET", "/fhir/R4/Patient?_count=5", nil), http.StatusOK)
	wantOutcome(t, fc.DoHeader("POST", "/fhir/R4/Patient", `{"resourceType":"Patient","name":[{"family":"New"}]}`, map[string]string{"Content-Type": "application/fhir+json"}), http.StatusForbidden)
	wantOutcome(t, fc.Do("GET", "/fhir/R4/AuditEvent", nil), http.StatusForbidden)
	// The audit log names the app as the actor.
	audit := want(t, admin.Do("GET", w.d.base+"/audit-events?action=patient.viewed&patient="+w.x, nil), http.StatusOK).Items()
	if len(audit) == 0 || audit[0]["actor_email"] != "smart-client:"+client || audit[0]["detail"].(map[string]any)["client_id"] != client {
		t.Errorf("audit of the backend read: %v", audit)
	}

	wantOAuthError(t, grant(a1, "system/*.rs"), http.StatusUnauthorized, "invalid_client")                                           // jti replay
	wantOAuthError(t, grant(assertion("jti-2", 10*time.Minute, tokenURL), "system/*.rs"), http.StatusUnauthorized, "invalid_client") // exp too far
	wantOAuthError(t, grant(assertion("jti-3", time.Minute, w.env.URL+"/fhir/R4"), "system/*.rs"), http.StatusUnauthorized, "invalid_client")
	wantOAuthError(t, grant(assertion("jti-4", time.Minute, tokenURL), "user/*.rs"), http.StatusBadRequest, "invalid_scope")
	// A public client cannot use client_credentials, nor send an assertion.
	wantOAuthError(t, w.token(url.Values{"grant_type": {"client_credentials"}, "client_id": {w.clientID}, "scope": {"system/*.rs"}}),
		http.StatusBadRequest, "unauthorized_client")
}

// TestSMARTBackendJWKSURL: a backend that publishes its keys at a JWKS URL
// signs in with them; the keys are fetched (and kept for their max-age).
func TestSMARTBackendJWKSURL(t *testing.T) {
	t.Parallel()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "published-1", Algorithm: "ES256", Use: "sig"}}})
	var fetches atomic.Int32
	keys := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetches.Add(1)
		w.Header().Set("Cache-Control", "max-age=300")
		_, _ = w.Write(pub)
	}))
	defer keys.Close()
	env := servertest.NewWithOptions(t, servertest.Options{Config: server.Config{DevMailbox: true}, JWKSClient: keys.Client()})
	d := newDesk(t, env, "sunrise")
	admin := d.c[medic.RoleAdmin]
	client := want(t, admin.Do("POST", d.base+"/smart-clients", map[string]any{"name": "Published keys", "type": "confidential",
		"jwks_url": keys.URL + "/jwks.json", "scopes": []string{"system/*.rs"}}), http.StatusCreated).Str("client_id")
	grant := func(jti string, signWith *ecdsa.PrivateKey) *servertest.Response {
		signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: signWith, KeyID: "published-1"}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		now := env.Clock.Now()
		a, err := jwt.Signed(signer).Claims(jwt.Claims{Issuer: client, Subject: client, Audience: jwt.Audience{env.URL + "/oauth/token"}, ID: jti,
			IssuedAt: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(time.Minute))}).Serialize()
		if err != nil {
			t.Fatal(err)
		}
		return postForm(env.Client(), "/oauth/token", url.Values{"grant_type": {"client_credentials"}, "scope": {"system/*.rs"},
			"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {a}})
	}
	tok := want(t, grant("j-1", key), http.StatusOK)
	if tok.Str("scope") != "system/*.rs" {
		t.Errorf("token: %s", tok.Body)
	}
	want(t, grant("j-2", key), http.StatusOK)
	if n := fetches.Load(); n != 1 {
		t.Errorf("%d fetches within max-age, want 1", n)
	}
	env.Clock.Advance(6 * time.Minute)
	want(t, grant("j-3", key), http.StatusOK)
	if n := fetches.Load(); n != 2 {
		t.Errorf("%d fetches after max-age, want 2", n)
	}
	// Another key than the published one does not sign in.
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	wantOAuthError(t, grant("j-4", other), http.StatusUnauthorized, "invalid_client")
	// A JWKS URL must be https.
	r := want(t, admin.Do("POST", d.base+"/smart-clients", map[string]any{"name": "Plain", "type": "confidential",
		"jwks_url": "http://keys.example/jwks.json", "scopes": []string{"system/*.rs"}}), http.StatusUnprocessableEntity)
	if r.Str("errors.jwks_url") == "" {
		t.Errorf("http JWKS URL: %s", r.Body)
	}
}
