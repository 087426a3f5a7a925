package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"text/tabwriter"
	"time"

	"medic"
	"medic/internal/app"
	"medic/internal/demo"
	"medic/internal/fhirapi"
	"medic/internal/jobs"
	"medic/internal/jwks"
	"medic/internal/mail"
	"medic/internal/postgres"
	"medic/internal/server"
)

// shutdownTimeout bounds each shutdown step (HTTP drain, job queue).
const shutdownTimeout = 10 * time.Second

// sealerSweep is how often the audit sealer looks for events it missed.
const sealerSweep = 5 * time.Minute

// cmdServe runs `serve` and `demo`: migrate, open the store, start the job
// queue and the audit sealer, serve HTTP until ctx ends, then shut down in
// order: stop accepting, drain requests, stop jobs, stop the sealer, close
// the pool (and stop a private PostgreSQL cluster started for this run).
func cmdServe(ctx context.Context, start time.Time, name string, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	cfg.Demo = name == "demo"
	fs := newFlagSet(name, name+" [flags]", stderr)
	cfg.bindServeFlags(fs)
	cpuProfile := fs.String("cpuprofile", "", "write a Go CPU profile to `file` until shutdown (for `medic bench http -server-cpuprofile`)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *cpuProfile != "" {
		stop, err := startCPUProfile(*cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	if err := cfg.finishServe(); err != nil {
		return err
	}
	logger := cfg.logger(stderr)

	// Listen first: a taken port fails at once, and the base URL can name
	// the real port. Connections wait in the backlog until we serve.
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	cfg.listening(ln.Addr().String())

	dbs, err := resolveDatabases(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer dbs.stop()
	if err := migrate(ctx, dbs, logger); err != nil {
		return err
	}

	// Mail goes out over SMTP when a server is configured, else it is kept
	// in the database for the development mailbox page.
	var deliver jobs.Deliver
	var db *postgres.DB // set by openStore below, before any job runs
	if cfg.SMTPURL != "" {
		sender, err := mail.NewSMTPSender(cfg.SMTPURL, cfg.MailFrom)
		if err != nil {
			return err
		}
		deliver = sender.Deliver
	} else {
		deliver = func(ctx context.Context, m medic.Mail) error { return db.KeepMail(ctx, m) }
	}
	var a *app.App // set below, before the queue starts working jobs
	remind := func(ctx context.Context, r medic.AppointmentReminder) error { return a.SendReminder(ctx, r) }
	checkTokens := func(ctx context.Context) (int, error) { return a.NotifyExpiringTokens(ctx) }
	sendOutbox := func(ctx context.Context, j medic.OutboxJob, final bool) error { return a.SendOutboxMail(ctx, j, final) }
	importICD10 := func(ctx context.Context, j medic.ICD10ImportJob) error { return a.RunICD10Import(ctx, j) }
	exportFHIR := func(ctx context.Context, j medic.BulkExportJob, final bool) error {
		return a.RunBulkExport(ctx, j, final, fhirapi.ExportEncoder(a))
	}
	claimSwitch, switchName, err := cfg.claimSwitch()
	if err != nil {
		return err
	}
	payments, paymentName, err := cfg.paymentProvider()
	if err != nil {
		return err
	}
	submitClaim := func(ctx context.Context, j medic.ClaimJob) error { return a.RunClaimJob(ctx, j) }
	db, queue, err := openStore(ctx, dbs, cfg.DBMaxConns, logger, quieter(logger, cfg.LogLevel),
		jobs.Handlers{Deliver: deliver, Remind: remind, CheckTokens: checkTokens, SendOutbox: sendOutbox, ImportICD10: importICD10, ExportFHIR: exportFHIR,
			SubmitClaim: submitClaim})
	if err != nil {
		return err
	}
	defer db.Close()

	if cfg.Demo {
		if err := demo.Load(ctx, db, cfg.DemoPassword, medic.SystemClock{}); err != nil {
			return fmt.Errorf("load the demo: %w", err)
		}
	}

	a = newApp(db, cfg.BaseURL)
	a.Mailer = medic.MailerFunc(deliver)
	a.JWKS = jwks.New(nil, medic.SystemClock{})
	a.SigningKey = []byte(cfg.SigningKey)
	a.Switch = claimSwitch
	a.Payments, a.PaymentProviderName = payments, paymentName
	handler := server.New(server.Config{
		SecureCookies: cfg.SecureCookies,
		TrustProxy:    cfg.TrustProxy,
		DevMailbox:    cfg.DevMailbox(),
	}, a, logger, db.Pool(), db.Ping)

	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    1 << 20,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}

	// Jobs and the sealer outlive ctx: they are stopped in order below, after
	// the HTTP requests that may enqueue work have drained.
	if err := queue.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("start the job queue: %w", err)
	}
	sealCtx, stopSealer := context.WithCancel(context.WithoutCancel(ctx))
	sealerDone := make(chan error, 1)
	go func() { sealerDone <- db.RunSealer(sealCtx, logger.With("component", "audit_sealer"), sealerSweep) }()

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	addr := ln.Addr().String()
	if cfg.Demo {
		printDemo(stdout, cfg.BaseURL, cfg.DemoPassword)
	}
	logger.Info("ready", "addr", addr, "url", cfg.BaseURL, "startup_ms", time.Since(start).Milliseconds(),
		"mail", map[bool]string{true: "dev mailbox", false: "smtp"}[cfg.DevMailbox()], "claim_switch", switchName, "demo", cfg.Demo)

	// Settings written before today's rules (or around the use cases) are
	// reported, not fixed: the charts are left to `medic check`.
	checked := make(chan struct{})
	go func() {
		defer close(checked)
		n, err := reportInvalidValues(ctx, a, app.CheckScope{}, logger)
		switch {
		case err != nil && ctx.Err() == nil:
			logger.Error("startup check", "err", err)
		case err != nil:
		case n > 0:
			logger.Warn("stored values no longer valid; run `medic check` for the full list, charts included", "count", n)
		default:
			logger.Info("stored values valid", "charts", "not checked (medic check)")
		}
	}()

	var serveErr error
	select {
	case <-ctx.Done():
		logger.Info("shutting down", "cause", context.Cause(ctx).Error())
	case serveErr = <-served:
		logger.Error("http server failed", "err", serveErr)
	}

	shutdown := func(what string, fn func(context.Context) error) {
		sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
		defer cancel()
		if err := fn(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("shutdown: "+what, "err", err)
		}
	}
	shutdown("http", func(ctx context.Context) error {
		if err := srv.Shutdown(ctx); err != nil {
			srv.Close() // requests still running after the drain time are cut off
			return err
		}
		return nil
	})
	<-checked
	shutdown("jobs", queue.Stop)
	stopSealer()
	if err := <-sealerDone; err != nil {
		logger.Error("shutdown: audit sealer", "err", err)
	}
	logger.Info("stopped")
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return serveErr
	}
	return nil
}

// newApp wires the use cases to the store.
func newApp(db *postgres.DB, baseURL string) *app.App {
	return app.New(db, medic.SystemClock{}, baseURL)
}

// printDemo tells how to sign in to the demo.
func printDemo(w io.Writer, baseURL, password string) {
	var b strings.Builder
	fmt.Fprintf(&b, "\nMedic demo is running: %s/login\n\n", baseURL)
	for _, p := range demo.Practices() {
		fmt.Fprintf(&b, "  practice %-8s %s (booking page %s/book/%s)\n", p.Slug, p.Name, baseURL, p.Slug)
	}
	fmt.Fprintf(&b, "\nSign in with any of these accounts, password: %s\n\n", password)
	tw := tabwriter.NewWriter(&b, 0, 0, 3, ' ', 0)
	for _, a := range demo.Accounts() {
		fmt.Fprintf(tw, "  %s\t%s\n", a.Email, a.Describe())
	}
	tw.Flush()
	b.WriteString("\nStop with Ctrl-C.\n\n")
	_, _ = io.WriteString(w, b.String())
}
