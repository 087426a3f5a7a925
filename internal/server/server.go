// Package server builds the one HTTP handler for the web desk, the JSON API
// and operations endpoints, with the middleware every request passes.
package server

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"medic"
	"medic/internal/api"
	"medic/internal/app"
	"medic/internal/auth/sessioncookie"
	"medic/internal/fhirapi"
	"medic/internal/web"
)

// Config is the HTTP side of the configuration.
type Config struct {
	SecureCookies bool  // HTTPS deployment: __Host- cookie, HSTS
	TrustProxy    bool  // take the client IP from X-Forwarded-For
	MaxBodyBytes  int64 // request body limit
	DevMailbox    bool  // serve /dev/mailbox (no SMTP configured)
	Cookie        sessioncookie.Cookie
}

// CookieName is the session cookie's name.
func (c Config) CookieName() string { return c.Cookie.Name() }

// Server is the HTTP handler.
type Server struct {
	cfg     Config
	app     *app.App
	log     *slog.Logger
	metrics *metrics
	ready   func(context.Context) error
	api     *api.Handler
	web     *web.Handler
	fhir    *fhirapi.Handler
	handler http.Handler
	routes  []string
}

// New wires every route. ready is the readiness check (the database).
func New(cfg Config, a *app.App, log *slog.Logger, pool *pgxpool.Pool, ready func(context.Context) error) *Server {
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	cfg.Cookie.Secure = cfg.SecureCookies
	if cfg.Cookie.MaxAge == 0 {
		cfg.Cookie.MaxAge = a.SessionAbsolute
	}
	s := &Server{cfg: cfg, app: a, log: log, metrics: newMetrics(pool), ready: ready}
	mux := &listingMux{ServeMux: http.NewServeMux()}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{}))
	s.api, s.web = api.New(a, cfg.Cookie, log), web.New(a, cfg.Cookie, log, cfg.DevMailbox)
	s.api.Routes(mux)
	s.web.Routes(mux)
	s.fhir = fhirapi.New(a, log)
	s.fhir.Routes(mux)

	// Cross-origin state-changing browser requests are refused (CSRF);
	// scripts with a bearer token send no browser origin headers and pass.
	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(crossOriginDenied))
	// The public booking API is called cross-origin by practices' own
	// websites (CORS, per practice) and acts for no signed-in user, so a
	// forged request gains nothing a direct one would not.
	csrf.AddInsecureBypassPattern("/api/v1/public/")
	// The SMART token endpoint is called by apps (browser apps too) and
	// reads no cookie: the code, verifier or signed assertion is the proof.
	csrf.AddInsecureBypassPattern("POST /oauth/token")
	csrf.AddInsecureBypassPattern("POST " + app.SMARTRevokePath)
	// The FHIR API reads no cookie (bearer tokens only), and browser SMART
	// apps call it cross-origin (CORS: cors.go).
	csrf.AddInsecureBypassPattern(fhirapi.Base)
	csrf.AddInsecureBypassPattern(fhirapi.Base + "/")
	s.handler = s.observe(s.secure(s.cors(csrf.Handler(s.authenticate(mux)))))
	s.routes = mux.patterns
	return s
}

// Routes lists every registered route pattern, in registration order: tests
// check each against their tables of who may use it and what it shows.
func (s *Server) Routes() []string { return slices.Clone(s.routes) }

// listingMux is a ServeMux that remembers its patterns.
type listingMux struct {
	*http.ServeMux
	patterns []string
}

func (m *listingMux) Handle(pattern string, h http.Handler) {
	m.patterns = append(m.patterns, pattern)
	m.ServeMux.Handle(pattern, h)
}

func (m *listingMux) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	m.Handle(pattern, http.HandlerFunc(h))
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// crossOriginDenied answers a refused cross-origin request: problem+json
// under /api/, plain text elsewhere.
func crossOriginDenied(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		api.WriteError(w, r, medic.Errorf(medic.EFORBIDDEN, "Cross-origin requests are refused."))
		return
	}
	http.Error(w, "Cross-origin requests are refused.", http.StatusForbidden)
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.ready(ctx); err != nil {
		s.log.Warn("not ready", "error", err)
		http.Error(w, "database unavailable\n", http.StatusServiceUnavailable)
		return
	}
	_, _ = w.Write([]byte("ready\n"))
}
