package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"medic"
	"medic/internal/app"
	"medic/internal/bench"
	"medic/internal/jobs"
	"medic/internal/postgres"
)

// benchDatabaseName is the database `medic bench` uses on the local
// PostgreSQL when none is configured, apart from the demo's.
const benchDatabaseName = "medic_bench"

// cmdBench runs `bench`: load synthetic practices (skipping those already
// loaded), then run the search, availability and booking scenarios through
// the store and the use cases as the app role, and report throughput and
// latency against the targets. Exit 1 if a target is missed.
func cmdBench(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "http" {
		return cmdBenchHTTP(ctx, args[1:], getenv, stdout, stderr)
	}
	if len(args) > 0 && args[0] == "fhir" {
		return cmdBenchFHIR(ctx, args[1:], getenv, stdout, stderr)
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	fs := newFlagSet("bench", "bench [flags]", stderr)
	dbURL := fs.String("database-url", "", "the schema owner's connection `URL` (default: MEDIC_OWNER_DATABASE_URL or MEDIC_DATABASE_URL, else database "+benchDatabaseName+" on the local PostgreSQL at 127.0.0.1:5432)")
	practices := fs.Int("practices", 1000, "`number` of practices to generate")
	patients := fs.Int("patients", 1000, "`number` of patients per practice")
	perDay := fs.Int("appointments-per-day", 8, "mean appointments per practitioner per weekday (3 practitioners, a year of weekdays)")
	seed := fs.Uint64("seed", 1, "random `seed` for the data and the scenarios")
	skipGenerate := fs.Bool("skip-generate", false, "use the data already loaded")
	duration := fs.Duration("duration", 20*time.Second, "measured `time` per scenario")
	warmup := fs.Duration("warmup", 2*time.Second, "unmeasured `time` before each scenario")
	concurrency := fs.Int("concurrency", 0, "concurrent clients of every scenario (0: 2 for search and availability, 16 for booking)")
	scenarios := fs.String("scenarios", strings.Join(bench.Scenarios, ","), "comma-separated `list` of scenarios to run (none: generate only)")
	cpuProfile := fs.String("cpuprofile", "", "write a Go CPU profile of the scenarios to `file`")
	fs.TextVar(&cfg.LogLevel, "log-level", cfg.LogLevel, "log `level`: debug, info, warn, error (MEDIC_LOG_LEVEL)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *practices < 1 || *patients < 1 || *perDay < 0 || *concurrency < 0 || *duration <= 0 {
		return usageError(fs, "-practices and -patients must be positive, -concurrency not negative, -duration above zero")
	}
	var run []string
	for _, s := range strings.Split(*scenarios, ",") {
		if s = strings.TrimSpace(s); s != "" {
			run = append(run, s)
		}
	}
	logger := cfg.logger(stderr)

	owner, err := benchOwnerURL(ctx, *dbURL, cfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "medic bench on %s\n", redactURL(owner))
	if _, err := postgres.Migrate(ctx, owner); err != nil {
		return err
	}
	if !*skipGenerate {
		start := time.Now()
		err := bench.Generate(ctx, owner, bench.GenConfig{Practices: *practices, PatientsPerPractice: *patients,
			AppointmentsPerPractitionerPerDay: *perDay, Seed: int64(*seed)}, stderr)
		if err != nil {
			return fmt.Errorf("generate: %w", err)
		}
		fmt.Fprintf(stdout, "generation (or the check that it was done) took %s\n", time.Since(start).Round(time.Second))
	}
	if len(run) == 0 {
		return nil
	}

	// The app as serve wires it, working as medic_app under row-level
	// security; jobs (confirmation and reminder mails) are only inserted.
	appURL, err := postgres.AppURL(owner)
	if err != nil {
		return err
	}
	runCfg := bench.RunConfig{OwnerURL: owner, Duration: *duration, Warmup: *warmup, Concurrency: *concurrency, Scenarios: run, Seed: *seed}
	db, _, err := openStore(ctx, databases{owner: owner, app: appURL, stop: func() {}, derived: true},
		runCfg.MaxClients()+4, logger, quieter(logger, cfg.LogLevel), jobs.Handlers{})
	if err != nil {
		return err
	}
	defer db.Close()
	a := newApp(db, "http://127.0.0.1:8080")
	targets := bench.Targets{
		SearchPatients: db.SearchPatients,
		Availability: func(ctx context.Context, practitionerID, locationID, typeID string, from, to time.Time) ([]medic.Slot, error) {
			return a.Availability(ctx, app.AvailabilityQuery{PractitionerID: practitionerID, LocationID: locationID, AppointmentTypeID: typeID, From: from, To: to})
		},
		Book: func(ctx context.Context, patientID, practitionerID, locationID, typeID string, start time.Time) error {
			_, err := a.BookAppointment(ctx, app.BookingRequest{PatientID: patientID, PractitionerID: practitionerID,
				LocationID: locationID, AppointmentTypeID: typeID, Start: start, Source: medic.SourceDesk})
			return err
		},
	}
	if *cpuProfile != "" {
		stop, err := startCPUProfile(*cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	rep, err := bench.Run(ctx, runCfg, targets, stdout)
	if err != nil {
		return err
	}
	if !rep.Pass() {
		return &codeError{code: exitError, msg: "bench: a target was missed (see the report)"}
	}
	return nil
}

// startCPUProfile writes a Go CPU profile to path until stop is called.
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// benchOwnerURL is the schema owner's URL the bench loads into: the flag,
// else the configured owner or database URL (serve's resolution), else
// database medic_bench on the local PostgreSQL, created if missing.
func benchOwnerURL(ctx context.Context, flagURL string, cfg Config) (string, error) {
	for _, u := range []string{flagURL, cfg.OwnerDatabaseURL, cfg.DatabaseURL} {
		if u == "" {
			continue
		}
		user, err := urlUser(u)
		if err != nil {
			return "", fmt.Errorf("database url: %w", err)
		}
		if user == postgres.AppRole {
			if u == flagURL {
				return "", fmt.Errorf("-database-url logs in as %s; the bench loads data and verifies bookings as the schema owner", postgres.AppRole)
			}
			continue // MEDIC_DATABASE_URL as the app role: look further
		}
		return u, nil
	}
	if cfg.DatabaseURL != "" {
		return "", fmt.Errorf("MEDIC_DATABASE_URL logs in as %s: give the owner with -database-url or MEDIC_OWNER_DATABASE_URL", postgres.AppRole)
	}
	admin := "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable&connect_timeout=3"
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return "", fmt.Errorf("no database configured and the local PostgreSQL at 127.0.0.1:5432 did not let user postgres in (%w): set -database-url", err)
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, benchDatabaseName).Scan(&exists); err != nil {
		return "", err
	}
	if !exists {
		if _, err := conn.Exec(ctx, "CREATE DATABASE "+benchDatabaseName); err != nil {
			return "", fmt.Errorf("create database %s: %w", benchDatabaseName, err)
		}
	}
	return "postgres://postgres@127.0.0.1:5432/" + benchDatabaseName + "?sslmode=disable", nil
}

// redactURL hides a password in a connection URL.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(database url)"
	}
	return u.Redacted()
}
