package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"medic/internal/bench"
	"medic/internal/postgres"
)

// benchFHIRFlags are `bench fhir`'s settings.
type benchFHIRFlags struct {
	dbURL, base                      string
	practices, patients, bigPatients int
	perDay                           int
	seed                             uint64
	skipGenerate                     bool
	clients                          int
	duration, warmup                 time.Duration
	scenarios                        []string
	serverLog, serverProfile         string
	maxConns                         int
}

// parseBenchFHIR reads `bench fhir`'s flags; an unknown scenario or a
// bad number is a usage error.
func parseBenchFHIR(args []string, stderr io.Writer) (benchFHIRFlags, error) {
	var f benchFHIRFlags
	fs := newFlagSet("bench fhir", "bench fhir [flags]", stderr)
	fs.StringVar(&f.dbURL, "database-url", "", "the schema owner's connection `URL` (default: MEDIC_OWNER_DATABASE_URL or MEDIC_DATABASE_URL, else database "+benchDatabaseName+" on the local PostgreSQL at 127.0.0.1:5432)")
	fs.StringVar(&f.base, "base", "", "drive the server at this `URL` instead of starting one (it must serve the same database)")
	fs.IntVar(&f.practices, "practices", 1000, "`number` of platform practices to generate (the bookings use a hundred of them)")
	fs.IntVar(&f.patients, "patients", 1000, "`number` of patients per platform practice")
	fs.IntVar(&f.bigPatients, "big-patients", 200000, "`number` of patients of the large practice ("+bench.BigSlug+") the Patient scenarios work in (at least 10000)")
	fs.IntVar(&f.perDay, "appointments-per-day", 8, "mean appointments per practitioner per weekday")
	fs.Uint64Var(&f.seed, "seed", 1, "random `seed` for the data and the requests")
	fs.BoolVar(&f.skipGenerate, "skip-generate", false, "use the data already loaded")
	fs.IntVar(&f.clients, "clients", 16, "`number` of concurrent clients")
	fs.DurationVar(&f.duration, "duration", 20*time.Second, "measured `time` per scenario")
	fs.DurationVar(&f.warmup, "warmup", 5*time.Second, "unmeasured `time` before each scenario")
	scenarios := fs.String("scenarios", strings.Join(bench.FHIRScenarios, ","), "comma-separated `list` of scenarios: "+strings.Join(bench.FHIRScenarios, ", ")+" (none: generate only)")
	fs.StringVar(&f.serverLog, "server-log", "", "write the started server's log to `file` (default: discarded)")
	fs.StringVar(&f.serverProfile, "server-cpuprofile", "", "write a Go CPU profile of the started server to `file` (all scenarios; pick one with -scenarios)")
	fs.IntVar(&f.maxConns, "db-max-conns", 0, "the started server's pool size, MEDIC_DB_MAX_CONNS (0: serve's default)")
	if err := parse(fs, args); err != nil {
		return f, err
	}
	if f.practices < 0 || f.patients < 1 || f.bigPatients < 10000 || f.clients < 1 || f.duration <= 0 || f.warmup < 0 || f.maxConns < 0 {
		return f, usageError(fs, "-patients and -clients must be positive, -big-patients at least 10000, -duration above zero, -warmup not negative")
	}
	for _, s := range strings.Split(*scenarios, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		if !slices.Contains(bench.FHIRScenarios, s) {
			return f, usageError(fs, "unknown scenario %q (use %s)", s, strings.Join(bench.FHIRScenarios, ", "))
		}
		f.scenarios = append(f.scenarios, s)
	}
	return f, nil
}

// cmdBenchFHIR runs `bench fhir`: load the data as `bench http` does
// (skipping what exists), start `medic serve` on it (or use -base), then
// drive the FHIR API over HTTP with bearer tokens and report throughput,
// latency, statuses and the CPU split. Exit 1 if a target is missed.
func cmdBenchFHIR(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	f, err := parseBenchFHIR(args, stderr)
	if err != nil {
		return err
	}
	owner, err := benchOwnerURL(ctx, f.dbURL, cfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "medic bench fhir on %s\n", redactURL(owner))
	if _, err := postgres.Migrate(ctx, owner); err != nil {
		return err
	}
	if !f.skipGenerate {
		start := time.Now()
		gen := bench.GenConfig{Practices: f.practices, PatientsPerPractice: f.patients, AppointmentsPerPractitionerPerDay: f.perDay, Seed: int64(f.seed)}
		if err := bench.Generate(ctx, owner, gen, stderr); err != nil {
			return fmt.Errorf("generate: %w", err)
		}
		gen.PatientsPerPractice = f.bigPatients
		if err := bench.GenerateBig(ctx, owner, gen, stderr); err != nil {
			return fmt.Errorf("generate: %w", err)
		}
		fmt.Fprintf(stdout, "generation (or the check that it was done) took %s\n", time.Since(start).Round(time.Second))
	}
	if len(f.scenarios) == 0 {
		return nil
	}

	hcfg := bench.HTTPConfig{BaseURL: strings.TrimRight(f.base, "/"), OwnerURL: owner, Email: "bench-fhir@bench.example", Password: randomPassword(),
		Clients: f.clients, Duration: f.duration, Warmup: f.warmup, Scenarios: f.scenarios, Seed: f.seed}
	if f.warmup == 0 {
		hcfg.Warmup = -1 // none (zero is the default's)
	}
	if hcfg.BaseURL == "" {
		srv, err := startBenchServer(ctx, owner, f.serverLog, f.serverProfile, f.maxConns)
		if err != nil {
			return err
		}
		defer srv.stop(stderr)
		hcfg.BaseURL, hcfg.ServerPID = srv.url, srv.cmd.Process.Pid
		fmt.Fprintf(stdout, "started medic serve (pid %d) at %s\n", hcfg.ServerPID, srv.url)
	}
	results, err := bench.RunFHIR(ctx, hcfg, stdout)
	if err != nil {
		return err
	}
	for _, r := range results {
		if !r.Pass {
			return &codeError{code: exitError, msg: "bench fhir: a target was missed (see the report)"}
		}
	}
	return nil
}
