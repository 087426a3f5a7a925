package server

import (
	"net/http"
	"strings"

	"medic/internal/app"
	"medic/internal/fhirapi"
)

// CORS for browser SMART apps: the token and revocation endpoints, the
// discovery documents and the FHIR API answer preflights and carry
// Access-Control-Allow-Origin for the origin of a registered app's redirect
// URI (never "*", never with credentials: these routes read no cookie, the
// bearer token is the proof). Every other route, the desk's above all,
// gets no CORS headers.

// smartCORS is what one group of paths allows cross-origin.
type smartCORS struct {
	methods, headers, expose string
}

var (
	corsFHIR = smartCORS{methods: "GET, POST, PUT, DELETE", headers: "Authorization, Content-Type, Accept, If-Match, If-None-Exist, If-None-Match, Prefer",
		expose: "ETag, Location, Content-Location, Last-Modified, X-Progress, Retry-After, WWW-Authenticate"}
	corsOAuth     = smartCORS{methods: "POST", headers: "Authorization, Content-Type", expose: "WWW-Authenticate"}
	corsDiscovery = smartCORS{methods: "GET", headers: "Accept"}
)

func smartCORSFor(path string) (smartCORS, bool) {
	switch {
	case path == fhirapi.Base || strings.HasPrefix(path, fhirapi.Base+"/"):
		return corsFHIR, true
	case path == app.SMARTTokenPath || path == app.SMARTRevokePath:
		return corsOAuth, true
	case path == "/.well-known/smart-configuration" || path == app.SMARTJWKSPath:
		return corsDiscovery, true
	}
	return smartCORS{}, false
}

// cors answers preflights on the SMART paths (204, with the CORS headers
// only for an allowed origin) and marks other answers on them readable by
// an allowed origin.
func (s *Server) cors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rule, ok := smartCORSFor(r.URL.Path)
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		h.Add("Vary", "Origin")
		preflight := r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
		if origin := r.Header.Get("Origin"); origin != "" {
			allowed, err := s.app.SMARTOriginAllowed(r.Context(), origin)
			if err != nil {
				s.refuse(w, r, err)
				return
			}
			if allowed {
				h.Set("Access-Control-Allow-Origin", origin)
				if rule.expose != "" {
					h.Set("Access-Control-Expose-Headers", rule.expose)
				}
				if preflight {
					h.Set("Access-Control-Allow-Methods", rule.methods)
					h.Set("Access-Control-Allow-Headers", rule.headers)
					h.Set("Access-Control-Max-Age", "600")
				}
			}
		}
		if preflight {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}
