package api

import (
	"encoding/json"
	"errors"
	"net/http"

	"medic/internal/app"
)

// The SMART on FHIR authorization server's machine endpoints: discovery,
// the published keys and the token endpoint. The authorization endpoint
// (a signed-in desk page with the consent screen) is the desk's.
func (h *Handler) smartRoutes(mux Router) {
	mux.HandleFunc("GET /.well-known/smart-configuration", h.smartConfiguration)
	mux.HandleFunc("GET "+app.SMARTJWKSPath, h.smartJWKS)
	mux.HandleFunc("POST "+app.SMARTTokenPath, h.smartToken)
	mux.HandleFunc("POST "+app.SMARTRevokePath, h.smartRevoke)
}

// smartScopesSupported are listed in the discovery document.
var smartScopesSupported = []string{"openid", "fhirUser", "launch", "launch/patient", "offline_access", "online_access",
	"user/*.rs", "user/*.cruds", "user/*.read", "user/*.write", "patient/*.rs", "patient/*.read", "system/*.rs", "system/*.read"}

func (h *Handler) smartConfiguration(w http.ResponseWriter, r *http.Request) {
	base := h.app.BaseURL
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                 base,
		"jwks_uri":               base + app.SMARTJWKSPath,
		"authorization_endpoint": base + app.SMARTAuthorizePath,
		"token_endpoint":         base + app.SMARTTokenPath,
		"revocation_endpoint":    base + app.SMARTRevokePath,
		"revocation_endpoint_auth_methods_supported":       []string{"none", "private_key_jwt"},
		"token_endpoint_auth_methods_supported":            []string{"none", "private_key_jwt"},
		"token_endpoint_auth_signing_alg_values_supported": []string{"ES256", "RS256"},
		"grant_types_supported":                            []string{"authorization_code", "refresh_token", "client_credentials"},
		"response_types_supported":                         []string{"code"},
		"code_challenge_methods_supported":                 []string{"S256"},
		"scopes_supported":                                 smartScopesSupported,
		"capabilities": []string{"launch-standalone", "client-public", "client-confidential-asymmetric",
			"context-standalone-patient", "permission-patient", "permission-user", "permission-offline", "permission-v1", "permission-v2"},
	})
}

func (h *Handler) smartJWKS(w http.ResponseWriter, r *http.Request) {
	b, err := h.app.SMARTJWKS(r.Context())
	if err != nil {
		h.error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/jwk-set+json")
	w.Header().Set("Cache-Control", "max-age=300")
	_, _ = w.Write(b)
}

// smartToken: POST /oauth/token (application/x-www-form-urlencoded).
// Refusals are OAuth errors (400, or 401 for client authentication), not
// problem+json: that is what OAuth clients read.
func (h *Handler) smartToken(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeOAuthError(w, &app.OAuthError{Code: "invalid_request", Description: "Send the parameters as application/x-www-form-urlencoded."})
		return
	}
	f := r.PostForm
	for k, vs := range f {
		if len(vs) > 1 {
			writeOAuthError(w, &app.OAuthError{Code: "invalid_request", Description: "The parameter " + k + " is repeated."})
			return
		}
	}
	out, err := h.app.Token(r.Context(), app.TokenRequest{GrantType: f.Get("grant_type"), Code: f.Get("code"), RedirectURI: f.Get("redirect_uri"),
		CodeVerifier: f.Get("code_verifier"), ClientID: f.Get("client_id"), RefreshToken: f.Get("refresh_token"), Scope: f.Get("scope"),
		ClientAssertionType: f.Get("client_assertion_type"), ClientAssertion: f.Get("client_assertion")})
	var oe *app.OAuthError
	switch {
	case errors.As(err, &oe):
		writeOAuthError(w, oe)
		return
	case err != nil:
		h.error(w, r, err)
		return
	}
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, out)
}

// smartRevoke: POST /oauth/revoke (RFC 7009), token and token_type_hint,
// the client authenticated as at the token endpoint. 200 with an empty
// body whether or not the token was known.
func (h *Handler) smartRevoke(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeOAuthError(w, &app.OAuthError{Code: "invalid_request", Description: "Send the parameters as application/x-www-form-urlencoded."})
		return
	}
	f := r.PostForm
	for k, vs := range f {
		if len(vs) > 1 {
			writeOAuthError(w, &app.OAuthError{Code: "invalid_request", Description: "The parameter " + k + " is repeated."})
			return
		}
	}
	err := h.app.RevokeToken(r.Context(), app.RevokeRequest{Token: f.Get("token"), TokenTypeHint: f.Get("token_type_hint"), ClientID: f.Get("client_id"),
		ClientAssertionType: f.Get("client_assertion_type"), ClientAssertion: f.Get("client_assertion")})
	var oe *app.OAuthError
	switch {
	case errors.As(err, &oe):
		writeOAuthError(w, oe)
		return
	case err != nil:
		h.error(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
}

func writeOAuthError(w http.ResponseWriter, e *app.OAuthError) {
	status := http.StatusBadRequest
	if e.Code == "invalid_client" {
		status = http.StatusUnauthorized
		w.Header().Set("WWW-Authenticate", `Bearer realm="medic-oauth"`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": e.Code, "error_description": e.Description})
}
