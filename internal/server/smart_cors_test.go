package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"medic"
	"medic/internal/server/servertest"
)

// Browser SMART apps: CORS for the origins of registered apps only, and
// never on the desk.

func TestSMARTCORS(t *testing.T) {
	t.Parallel()
	w := newSMARTWorld(t)
	anon := w.env.Client()
	const appOrigin = "https://app.example" // smartRedirect's origin
	preflight := func(path, origin, method string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("OPTIONS", w.env.URL+path, nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", method)
		req.Header.Set("Access-Control-Request-Headers", "authorization, if-match")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	for _, p := range []struct{ path, method string }{
		{"/oauth/token", "POST"}, {"/oauth/revoke", "POST"}, {"/.well-known/smart-configuration", "GET"}, {"/.well-known/jwks.json", "GET"},
		{"/fhir/R4/Patient/" + w.x, "PUT"}, {"/fhir/R4/Patient", "POST"}, {"/fhir/R4", "POST"},
	} {
		res := preflight(p.path, appOrigin, p.method)
		if res.StatusCode != http.StatusNoContent || res.Header.Get("Access-Control-Allow-Origin") != appOrigin ||
			!strings.Contains(res.Header.Get("Access-Control-Allow-Methods"), p.method) || res.Header.Get("Access-Control-Allow-Credentials") != "" {
			t.Errorf("preflight %s from the app = %d %v", p.path, res.StatusCode, res.Header)
		}
		// An origin no app is registered at gets no CORS headers: the
		// browser refuses the call.
		res = preflight(p.path, "https://evil.example", p.method)
		if res.Header.Get("Access-Control-Allow-Origin") != "" || res.Header.Get("Access-Control-Allow-Methods") != "" {
			t.Errorf("preflight %s from an unknown origin = %d %v", p.path, res.StatusCode, res.Header)
		}
	}
	fhirPre := preflight("/fhir/R4/Patient/"+w.x, appOrigin, "PUT")
	for _, h := range []string{"Authorization", "Content-Type", "If-Match", "If-None-Exist", "Prefer"} {
		if !strings.Contains(fhirPre.Header.Get("Access-Control-Allow-Headers"), h) {
			t.Errorf("FHIR preflight does not allow %s: %q", h, fhirPre.Header.Get("Access-Control-Allow-Headers"))
		}
	}

	// The answers themselves carry the origin, and FHIR exposes its headers.
	tok := w.accessToken(t, w.d.c[medic.RoleDoctor], "user/*.rs", "").Str("access_token")
	read := want(t, w.fhir(t, tok).DoHeader("GET", "/fhir/R4/Patient/"+w.x, nil, map[string]string{"Origin": appOrigin}), http.StatusOK)
	if read.Header.Get("Access-Control-Allow-Origin") != appOrigin {
		t.Errorf("FHIR read from the app: ACAO %q", read.Header.Get("Access-Control-Allow-Origin"))
	}
	for _, h := range []string{"ETag", "Location", "Content-Location"} {
		if !strings.Contains(read.Header.Get("Access-Control-Expose-Headers"), h) {
			t.Errorf("FHIR does not expose %s: %q", h, read.Header.Get("Access-Control-Expose-Headers"))
		}
	}
	evil := want(t, w.fhir(t, tok).DoHeader("GET", "/fhir/R4/Patient/"+w.x, nil, map[string]string{"Origin": "https://evil.example"}), http.StatusOK)
	if evil.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("FHIR read from an unknown origin carries ACAO %q", evil.Header.Get("Access-Control-Allow-Origin"))
	}
	cfg := want(t, anon.DoHeader("GET", "/.well-known/smart-configuration", nil, map[string]string{"Origin": appOrigin}), http.StatusOK)
	if cfg.Header.Get("Access-Control-Allow-Origin") != appOrigin {
		t.Errorf("discovery from the app: ACAO %q", cfg.Header.Get("Access-Control-Allow-Origin"))
	}
	// A browser app posts the code exchange cross-origin (no CSRF refusal).
	v, ch := pkce()
	code := w.code(t, w.d.c[medic.RoleDoctor], "user/*.rs", ch, "")
	ex := want(t, w.env.Client().DoHeader("POST", "/oauth/token", url.Values{"grant_type": {"authorization_code"}, "code": {code}, "code_verifier": {v},
		"redirect_uri": {smartRedirect}, "client_id": {w.clientID}}.Encode(),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Origin": appOrigin, "Sec-Fetch-Site": "cross-site"}), http.StatusOK)
	if ex.Header.Get("Access-Control-Allow-Origin") != appOrigin {
		t.Errorf("token from the app: ACAO %q", ex.Header.Get("Access-Control-Allow-Origin"))
	}

	// A disabled app's origin is no longer allowed (once the short cache
	// has passed).
	want(t, w.d.c[medic.RoleAdmin].Do("PUT", w.d.base+"/smart-clients/"+w.clientID, map[string]any{"name": "Chart viewer",
		"redirect_uris": []string{smartRedirect}, "scopes": []string{"user/*.rs"}, "disabled": true}), http.StatusOK)
	w.env.Clock.Advance(time.Minute)
	if res := preflight("/oauth/token", appOrigin, "POST"); res.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("a disabled app's origin is still allowed")
	}

	// The desk never answers cross-origin.
	for _, path := range []string{"/", "/login", "/oauth/authorize", "/patients/" + w.x, "/api/v1/me"} {
		res := preflight(path, appOrigin, "GET")
		if res.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("%s answers a preflight from the app's origin: %v", path, res.Header)
		}
		page := w.d.c[medic.RoleDoctor].DoHeader("GET", path, nil, map[string]string{"Origin": appOrigin})
		if page.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("%s carries ACAO for the app's origin", path)
		}
	}
}

func TestSMARTRevocation(t *testing.T) {
	t.Parallel()
	w := newSMARTWorld(t)
	doctor := w.d.c[medic.RoleDoctor]
	revoke := func(v url.Values) *servertest.Response { return postForm(w.env.Client(), "/oauth/revoke", v) }

	cfg := want(t, w.env.Client().Do("GET", "/.well-known/smart-configuration", nil), http.StatusOK)
	if cfg.Str("revocation_endpoint") != w.env.URL+"/oauth/revoke" {
		t.Errorf("revocation_endpoint = %q", cfg.Str("revocation_endpoint"))
	}

	// Revoking the refresh token ends the grant: its access token gets 401
	// at the FHIR API and the refresh token no longer refreshes.
	tok := w.accessToken(t, doctor, "offline_access user/*.rs", "")
	fc := w.fhir(t, tok.Str("access_token"))
	want(t, fc.Do("GET", "/fhir/R4/Patient/"+w.x, nil), http.StatusOK)
	r := want(t, revoke(url.Values{"token": {tok.Str("refresh_token")}, "token_type_hint": {"refresh_token"}, "client_id": {w.clientID}}), http.StatusOK)
	if len(r.Body) != 0 {
		t.Errorf("revoke answered %s", r.Body)
	}
	wantOutcome(t, fc.Do("GET", "/fhir/R4/Patient/"+w.x, nil), http.StatusUnauthorized)
	wantOAuthError(t, w.token(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.Str("refresh_token")}, "client_id": {w.clientID}}),
		http.StatusBadRequest, "invalid_grant")

	// Revoking an access token (whatever the hint says) ends its grant too.
	tok = w.accessToken(t, doctor, "offline_access user/*.rs", "")
	want(t, revoke(url.Values{"token": {tok.Str("access_token")}, "token_type_hint": {"refresh_token"}, "client_id": {w.clientID}}), http.StatusOK)
	wantOutcome(t, w.fhir(t, tok.Str("access_token")).Do("GET", "/fhir/R4/Patient/"+w.x, nil), http.StatusUnauthorized)
	wantOAuthError(t, w.token(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.Str("refresh_token")}, "client_id": {w.clientID}}),
		http.StatusBadRequest, "invalid_grant")

	// Unknown tokens, and tokens of another client, answer 200 and revoke
	// nothing.
	tok = w.accessToken(t, doctor, "offline_access user/*.rs", "")
	other := want(t, w.d.c[medic.RoleAdmin].Do("POST", w.d.base+"/smart-clients", map[string]any{"name": "Other app", "type": "public",
		"redirect_uris": []string{"https://other.example/cb"}, "scopes": []string{"user/*.rs"}}), http.StatusCreated).Str("client_id")
	for _, v := range []url.Values{
		{"token": {"mrt_unknown"}, "client_id": {w.clientID}},
		{"token": {"not a token at all"}, "client_id": {w.clientID}},
		{"token": {tok.Str("refresh_token")}, "client_id": {other}},
		{"token": {tok.Str("access_token")}, "client_id": {other}},
	} {
		want(t, revoke(v), http.StatusOK)
	}
	want(t, w.fhir(t, tok.Str("access_token")).Do("GET", "/fhir/R4/Patient/"+w.x, nil), http.StatusOK)
	// The client must authenticate; no token is a bad request.
	wantOAuthError(t, revoke(url.Values{"token": {tok.Str("refresh_token")}, "client_id": {"00000000-0000-0000-0000-000000000000"}}), http.StatusUnauthorized, "invalid_client")
	wantOAuthError(t, revoke(url.Values{"client_id": {w.clientID}}), http.StatusBadRequest, "invalid_request")
	want(t, w.fhir(t, tok.Str("access_token")).Do("GET", "/fhir/R4/Patient/"+w.x, nil), http.StatusOK)

	// The admin revokes all of the app's grants (API), then again from the
	// desk: the tokens stop working; a nurse may not; practice B cannot.
	want(t, w.d.c[medic.RoleNurse].Do("POST", w.d.base+"/smart-clients/"+w.clientID+"/revoke-grants", nil), http.StatusForbidden)
	want(t, w.other.c[medic.RoleAdmin].Do("POST", w.other.base+"/smart-clients/"+w.clientID+"/revoke-grants", nil), http.StatusNotFound)
	want(t, w.fhir(t, tok.Str("access_token")).Do("GET", "/fhir/R4/Patient/"+w.x, nil), http.StatusOK)
	n := want(t, w.d.c[medic.RoleAdmin].Do("POST", w.d.base+"/smart-clients/"+w.clientID+"/revoke-grants", nil), http.StatusOK)
	if n.Get("revoked") != float64(1) {
		t.Errorf("revoke-grants = %s, want 1 revoked (the others were revoked already)", n.Body)
	}
	wantOutcome(t, w.fhir(t, tok.Str("access_token")).Do("GET", "/fhir/R4/Patient/"+w.x, nil), http.StatusUnauthorized)

	tok = w.accessToken(t, doctor, "user/*.rs", "")
	page := want(t, w.d.c[medic.RoleAdmin].Do("GET", "/settings/smart-apps/"+w.clientID, nil), http.StatusOK)
	if !strings.Contains(string(page.Body), "Revoke all access") {
		t.Errorf("the app's page offers no revocation")
	}
	want(t, postForm(w.d.c[medic.RoleAdmin], "/settings/smart-apps/"+w.clientID+"/revoke", url.Values{}), http.StatusSeeOther)
	wantOutcome(t, w.fhir(t, tok.Str("access_token")).Do("GET", "/fhir/R4/Patient/"+w.x, nil), http.StatusUnauthorized)
	// The app may ask again.
	tok = w.accessToken(t, doctor, "user/*.rs", "")
	want(t, w.fhir(t, tok.Str("access_token")).Do("GET", "/fhir/R4/Patient/"+w.x, nil), http.StatusOK)

	// Each revocation is in the practice's audit log.
	var revoked, adminRevoked bool
	for _, e := range want(t, w.d.c[medic.RoleAdmin].Do("GET", w.d.base+"/audit-events?limit=200", nil), http.StatusOK).Items() {
		revoked = revoked || e["action"] == "smart.revoked"
		adminRevoked = adminRevoked || e["action"] == "smart_client.grants_revoked"
	}
	if !revoked || !adminRevoked {
		t.Errorf("audit: smart.revoked %v, smart_client.grants_revoked %v", revoked, adminRevoked)
	}
}
