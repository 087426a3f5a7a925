package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"medic/internal/demo"
)

// Config is the whole configuration, built once per run from the
// environment and then the command's flags. Nothing reads the environment
// after this.
type Config struct {
	Addr             string // MEDIC_ADDR: where HTTP listens
	DatabaseURL      string // MEDIC_DATABASE_URL: the app role (or, in development, a superuser)
	OwnerDatabaseURL string // MEDIC_OWNER_DATABASE_URL: the schema owner, for migrations
	DBMaxConns       int    // MEDIC_DB_MAX_CONNS: app pool size
	BaseURL          string // MEDIC_BASE_URL: the public URL, for links in emails
	SMTPURL          string // MEDIC_SMTP_URL: outgoing mail; empty keeps mail in the dev mailbox
	MailFrom         string // MEDIC_MAIL_FROM: the From address of outgoing mail
	DataDir          string // MEDIC_DATA_DIR: local state (the private PostgreSQL cluster)
	SecureCookies    bool   // MEDIC_SECURE_COOKIES: HTTPS deployment (__Host- cookie, HSTS)
	TrustProxy       bool   // MEDIC_TRUST_PROXY: take the client IP from X-Forwarded-For
	SigningKey       string // MEDIC_SIGNING_KEY: signs emailed links (32+ characters); empty: a random key kept in the database
	LogLevel         slog.Level
	// ClaimSwitch (MEDIC_CLAIM_SWITCH) chooses the medical-aid switch:
	// empty for the in-process simulator, an http(s) URL for the JSON
	// adapter (key in MEDIC_CLAIM_SWITCH_API_KEY), file:DIR for batch
	// files in DIR/outbox and DIR/inbox (docs/claims-switch.md).
	ClaimSwitch    string
	ClaimSwitchKey string
	// PaymentProvider (MEDIC_PAYMENT_PROVIDER) chooses patient payment
	// links: local (default, the in-process twin) or stripe, with
	// MEDIC_STRIPE_SECRET_KEY, MEDIC_STRIPE_WEBHOOK_SECRET and optionally
	// MEDIC_STRIPE_API_URL (stripe-mock).
	PaymentProvider     string
	StripeSecretKey     string
	StripeWebhookSecret string
	StripeAPIURL        string
	Demo                bool   // serve --demo, or the demo command
	DemoPassword        string // MEDIC_DEMO_PASSWORD

	secureCookiesSet bool // MEDIC_SECURE_COOKIES or the flag was given
}

// loadConfig reads the environment. Flags registered by bindFlags override
// it; call finish after parsing.
func loadConfig(getenv func(string) string) (Config, error) {
	c := Config{
		Addr:                envOr(getenv, "MEDIC_ADDR", "127.0.0.1:8080"),
		DatabaseURL:         getenv("MEDIC_DATABASE_URL"),
		OwnerDatabaseURL:    getenv("MEDIC_OWNER_DATABASE_URL"),
		BaseURL:             getenv("MEDIC_BASE_URL"),
		SMTPURL:             getenv("MEDIC_SMTP_URL"),
		MailFrom:            getenv("MEDIC_MAIL_FROM"),
		DataDir:             getenv("MEDIC_DATA_DIR"),
		SigningKey:          getenv("MEDIC_SIGNING_KEY"),
		ClaimSwitch:         getenv("MEDIC_CLAIM_SWITCH"),
		ClaimSwitchKey:      getenv("MEDIC_CLAIM_SWITCH_API_KEY"),
		PaymentProvider:     getenv("MEDIC_PAYMENT_PROVIDER"),
		StripeSecretKey:     getenv("MEDIC_STRIPE_SECRET_KEY"),
		StripeWebhookSecret: getenv("MEDIC_STRIPE_WEBHOOK_SECRET"),
		StripeAPIURL:        getenv("MEDIC_STRIPE_API_URL"),
		DemoPassword:        envOr(getenv, "MEDIC_DEMO_PASSWORD", demo.DefaultPassword),
		DBMaxConns:          20,
	}
	var errs []error
	if c.DataDir == "" {
		c.DataDir = defaultDataDir(getenv)
	}
	if v := getenv("MEDIC_DB_MAX_CONNS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			errs = append(errs, fmt.Errorf("MEDIC_DB_MAX_CONNS=%q: use a number from 1 to 1000", v))
		}
		c.DBMaxConns = n
	}
	for name, dst := range map[string]*bool{"MEDIC_SECURE_COOKIES": &c.SecureCookies, "MEDIC_TRUST_PROXY": &c.TrustProxy} {
		v := getenv(name)
		if v == "" {
			continue
		}
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s=%q: use true or false", name, v))
		}
		*dst = b
		if name == "MEDIC_SECURE_COOKIES" {
			c.secureCookiesSet = true
		}
	}
	if c.SigningKey != "" && len(c.SigningKey) < 32 {
		errs = append(errs, errors.New("MEDIC_SIGNING_KEY: use at least 32 random characters (e.g. openssl rand -hex 32)"))
	}
	if v := getenv("MEDIC_LOG_LEVEL"); v != "" {
		if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
			errs = append(errs, fmt.Errorf("MEDIC_LOG_LEVEL=%q: use debug, info, warn or error", v))
		}
	}
	return c, errors.Join(errs...)
}

func envOr(getenv func(string) string, name, def string) string {
	if v := getenv(name); v != "" {
		return v
	}
	return def
}

// defaultDataDir is /var/lib/medic for root (a directory the postgres OS
// user can reach), else the XDG data directory.
func defaultDataDir(getenv func(string) string) string {
	if os.Geteuid() == 0 {
		return "/var/lib/medic"
	}
	if d := getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "medic")
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, ".local", "share", "medic")
	}
	return ".medic"
}

// bindDBFlags registers the flags every command that uses the database has.
func (c *Config) bindDBFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.DatabaseURL, "database-url", c.DatabaseURL, "app role connection `URL` (MEDIC_DATABASE_URL); empty: find or start a local PostgreSQL")
	fs.StringVar(&c.OwnerDatabaseURL, "owner-database-url", c.OwnerDatabaseURL, "schema owner connection `URL` for migrations (MEDIC_OWNER_DATABASE_URL; default: the database URL)")
	fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "`directory` for local state such as the private PostgreSQL cluster (MEDIC_DATA_DIR)")
	fs.TextVar(&c.LogLevel, "log-level", c.LogLevel, "log `level`: debug, info, warn, error (MEDIC_LOG_LEVEL)")
}

// bindServeFlags registers serve's flags, defaulting to the environment.
func (c *Config) bindServeFlags(fs *flag.FlagSet) {
	c.bindDBFlags(fs)
	fs.StringVar(&c.Addr, "addr", c.Addr, "`host:port` to listen on (MEDIC_ADDR)")
	fs.StringVar(&c.BaseURL, "base-url", c.BaseURL, "public `URL` used in emailed links (MEDIC_BASE_URL; default http://<addr>)")
	fs.StringVar(&c.SMTPURL, "smtp-url", c.SMTPURL, "SMTP server `URL`, e.g. smtp://user:pass@host:587 (MEDIC_SMTP_URL; empty: keep mail in the dev mailbox)")
	fs.StringVar(&c.MailFrom, "mail-from", c.MailFrom, "From `address` of outgoing mail (MEDIC_MAIL_FROM)")
	fs.Func("secure-cookies", "HTTPS deployment: __Host- cookie, HSTS (MEDIC_SECURE_COOKIES; default: true when the base URL is https)", func(s string) error {
		b, err := strconv.ParseBool(s)
		c.SecureCookies, c.secureCookiesSet = b, true
		return err
	})
	fs.BoolVar(&c.TrustProxy, "trust-proxy", c.TrustProxy, "take the client IP from X-Forwarded-For (MEDIC_TRUST_PROXY)")
	fs.BoolVar(&c.Demo, "demo", c.Demo, "load the demo platform before serving")
	fs.StringVar(&c.DemoPassword, "demo-password", c.DemoPassword, "the demo accounts' `password` (MEDIC_DEMO_PASSWORD)")
}

// finishServe fills derived defaults and checks the serving configuration.
func (c *Config) finishServe() error {
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return fmt.Errorf("MEDIC_ADDR=%q: use host:port, e.g. 127.0.0.1:8080", c.Addr)
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if c.BaseURL != "" && !strings.HasPrefix(c.BaseURL, "http://") && !strings.HasPrefix(c.BaseURL, "https://") {
		return fmt.Errorf("MEDIC_BASE_URL=%q: use an http:// or https:// URL", c.BaseURL)
	}
	if !c.secureCookiesSet {
		c.SecureCookies = strings.HasPrefix(c.BaseURL, "https://")
	}
	if c.SMTPURL != "" && c.MailFrom == "" {
		return errors.New("MEDIC_MAIL_FROM is required with MEDIC_SMTP_URL (e.g. Medic <noreply@medic.example>)")
	}
	return nil
}

// listening sets the base URL, when none is configured, from the address
// actually listened on (MEDIC_ADDR may ask for port 0).
func (c *Config) listening(addr string) {
	if c.BaseURL == "" {
		c.BaseURL = "http://" + browsable(addr)
	}
}

// browsable turns a listen address into one a browser can open
// (":8080" and "0.0.0.0:8080" listen everywhere; show localhost).
func browsable(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	switch host {
	case "", "0.0.0.0", "::":
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

// DevMailbox reports whether mail is kept in the database (no SMTP server).
func (c Config) DevMailbox() bool { return c.SMTPURL == "" }

// logger is the JSON logger every command writes to stderr.
func (c Config) logger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: c.LogLevel}))
}

// newFlagSet is a command's flag set writing to stderr.
func newFlagSet(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: medic %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// quieter is a logger for chatty libraries (River): only warnings and
// errors, unless the configured level is lower still.
func quieter(l *slog.Logger, configured slog.Level) *slog.Logger {
	return slog.New(minLevel{Handler: l.Handler(), min: max(configured, slog.LevelWarn)})
}

// minLevel drops records below min.
type minLevel struct {
	slog.Handler
	min slog.Level
}

func (h minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h minLevel) WithAttrs(as []slog.Attr) slog.Handler {
	return minLevel{Handler: h.Handler.WithAttrs(as), min: h.min}
}

func (h minLevel) WithGroup(name string) slog.Handler {
	return minLevel{Handler: h.Handler.WithGroup(name), min: h.min}
}
