package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"medic"
	"medic/internal/app"
	"medic/internal/fhirapi"
)

// statusWriter remembers the status for logs and metrics.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe assigns a request id, recovers panics, and logs and measures each
// request by its route pattern (never its path or query: they may hold
// patient data).
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-ID")
		if len(id) == 0 || len(id) > 64 || strings.ContainsFunc(id, func(c rune) bool { return c < '!' || c > '~' }) {
			b := make([]byte, 8)
			_, _ = rand.Read(b)
			id = hex.EncodeToString(b)
		}
		w.Header().Set("X-Request-ID", id)
		ctx := medic.WithRequestInfo(r.Context(), medic.RequestInfo{RequestID: id, IP: clientIP(r, s.cfg.TrustProxy), UserAgent: r.UserAgent()})
		r = r.WithContext(ctx)
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				s.log.Error("panic", "request_id", id, "panic", v)
				if sw.status == 0 {
					http.Error(sw, "Internal error.", http.StatusInternalServerError)
				}
			}
			route := r.Pattern
			if route == "" {
				route = "unmatched"
			}
			d := time.Since(start)
			s.metrics.observe(route, r.Method, sw.status, d)
			level := slog.LevelInfo
			switch {
			case sw.status == http.StatusServiceUnavailable:
				level = slog.LevelWarn // an outage's cause is logged once, at ERROR, where it is mapped
			case sw.status >= 500:
				level = slog.LevelError
			}
			s.log.LogAttrs(ctx, level, "request", slog.String("request_id", id), slog.String("method", r.Method),
				slog.String("route", route), slog.Int("status", sw.status), slog.Duration("duration", d))
		}()
		next.ServeHTTP(sw, r)
	})
}

// secure sets headers that every response needs and bounds request bodies.
func (s *Server) secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
		if s.cfg.SecureCookies {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		if r.Body != nil {
			limit := s.cfg.MaxBodyBytes
			if r.Method == http.MethodPost && (r.URL.Path == "/operator/icd10/imports" || r.URL.Path == "/api/v1/operator/icd10/imports") {
				// An operator's ICD-10 code table (the handlers refuse
				// anyone else before reading it).
				limit = max(limit, medic.MaxICD10ImportBytes+1<<20)
			}
			if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/medicines/import") {
				// A practice's medicines list (admins; the use case refuses
				// anyone else before reading it).
				limit = max(limit, medic.MaxMedicineImportBytes+1<<20)
			}
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		// A path or query that is not valid text (a NUL byte, broken UTF-8)
		// is refused here rather than reaching the database.
		if !medic.StorableText(r.URL.Path) || !storableQuery(r.URL.RawQuery) {
			http.Error(w, medic.ErrUnstorableText.Message, http.StatusBadRequest)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// authenticate puts the actor on the context from the session cookie or a
// bearer token (a personal API token, or on /fhir/R4 a SMART access token). An unknown, revoked or ended credential makes an anonymous
// request (handlers decide what needs a sign-in); an expired token is
// refused saying so (401), and a credential that could not be checked (the
// database is down) is an outage (503), never taken for a bad one.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && bearer != "" {
			bearer = strings.TrimSpace(bearer)
			var tctx context.Context
			var err error
			switch {
			case strings.Count(bearer, ".") != 2:
				tctx, err = s.app.AuthenticateToken(ctx, bearer)
			case strings.HasPrefix(r.URL.Path, fhirapi.Base+"/") || r.URL.Path == fhirapi.Base:
				// A SMART access token (a JWT) works on the FHIR API only.
				tctx, err = s.app.AuthenticateSMART(ctx, bearer)
			default:
				err = medic.ErrNotFound
			}
			if err != nil && medic.ErrorCode(err) != medic.ENOTFOUND {
				s.refuse(w, r, err)
				return
			} else if err == nil {
				ctx = tctx
			}
		} else if c, err := r.Cookie(s.cfg.CookieName()); err == nil && c.Value != "" {
			sess, u, err := s.app.Authenticate(ctx, c.Value)
			if err != nil && medic.ErrorCode(err) != medic.ENOTFOUND {
				s.refuse(w, r, err)
				return
			} else if err == nil {
				ctx = app.WithSession(ctx, sess)
				if !sess.TwoFactorPending {
					ctx = medic.WithActor(ctx, medic.Actor{UserID: u.ID, Email: u.Email, Name: u.Name, IsOperator: u.IsOperator, SessionID: sess.ID})
					ctx = app.WithSignedInUser(ctx, u)
				}
			}
		}
		r2 := r.WithContext(ctx)
		// The mux records the matched pattern on the request it is given;
		// hand it back to observe, which labels logs and metrics with it.
		defer func() { r.Pattern = r2.Pattern }()
		next.ServeHTTP(w, r2)
	})
}

// refuse answers a request whose credential could not be accepted, as the
// surface it was for answers errors: problem+json for the API and bearer
// tokens, the desk's error page otherwise (both log the cause of an outage).
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, err error) {
	if strings.HasPrefix(r.URL.Path, fhirapi.Base+"/") {
		s.fhir.Error(w, r, err)
		return
	}
	if strings.HasPrefix(r.URL.Path, "/api/") || r.Header.Get("Authorization") != "" {
		s.api.Error(w, r, err)
		return
	}
	s.web.Fail(w, r, err)
}

// clientIP is the peer address or, behind a trusted proxy, the last
// X-Forwarded-For hop: the address the proxy saw. Earlier hops are whatever
// the client sent and must not key throttling or the audit log.
func clientIP(r *http.Request, trustProxy bool) string {
	if trustProxy {
		if fs := r.Header.Values("X-Forwarded-For"); len(fs) > 0 {
			f := fs[len(fs)-1]
			if ip := strings.TrimSpace(f[strings.LastIndex(f, ",")+1:]); ip != "" {
				return ip
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func storableQuery(raw string) bool {
	q, err := url.ParseQuery(raw)
	if err != nil {
		return true // the handler reports a malformed query its own way
	}
	for k, vs := range q {
		if !medic.StorableText(k) {
			return false
		}
		for _, v := range vs {
			if !medic.StorableText(v) {
				return false
			}
		}
	}
	return true
}
