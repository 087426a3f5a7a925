package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"medic/internal/bench"
	"medic/internal/postgres"
)

// cmdBenchHTTP runs `bench http`: load the platform and the large practice
// (skipping what exists), start `medic serve` on that database as a child
// process (or use the server at -base), then drive the JSON API over HTTP
// and report throughput, latency, errors and the CPU split. Exit 1 if a
// target is missed.
func cmdBenchHTTP(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	fs := newFlagSet("bench http", "bench http [flags]", stderr)
	dbURL := fs.String("database-url", "", "the schema owner's connection `URL` (default: MEDIC_OWNER_DATABASE_URL or MEDIC_DATABASE_URL, else database "+benchDatabaseName+" on the local PostgreSQL at 127.0.0.1:5432)")
	base := fs.String("base", "", "drive the server at this `URL` instead of starting one (it must serve the same database)")
	practices := fs.Int("practices", 1000, "`number` of platform practices to generate")
	patients := fs.Int("patients", 1000, "`number` of patients per platform practice")
	bigPatients := fs.Int("big-patients", 200000, "`number` of patients of the large practice ("+bench.BigSlug+") the token clients work in")
	perDay := fs.Int("appointments-per-day", 8, "mean appointments per practitioner per weekday")
	seed := fs.Uint64("seed", 1, "random `seed` for the data and the requests")
	skipGenerate := fs.Bool("skip-generate", false, "use the data already loaded")
	clients := fs.Int("clients", 16, "`number` of concurrent clients")
	sessionClients := fs.Int("session-clients", 4, "`number` of the clients that sign in with a password (a session each); the rest share one API token")
	duration := fs.Duration("duration", 15*time.Second, "measured `time` per scenario")
	warmup := fs.Duration("warmup", 5*time.Second, "unmeasured `time` before each scenario")
	scenarios := fs.String("scenarios", strings.Join(bench.HTTPScenarios, ","), "comma-separated `list` of scenarios (none: generate only)")
	serverLog := fs.String("server-log", "", "write the started server's log to `file` (default: discarded)")
	serverProfile := fs.String("server-cpuprofile", "", "write a Go CPU profile of the started server to `file` (all scenarios; pick one with -scenarios)")
	withPgbench := fs.Bool("pgbench", false, "first run pgbench -S (select only) and TPC-B with -clients clients for -duration on the same PostgreSQL (database "+benchDatabaseName+"_pgbench, scale 10): the machine's physical bound, side by side")
	maxConns := fs.Int("db-max-conns", 0, "the started server's pool size, MEDIC_DB_MAX_CONNS (0: serve's default)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *practices < 0 || *patients < 1 || *bigPatients < 1 || *clients < 1 || *sessionClients < 0 || *sessionClients > *clients || *duration <= 0 || *maxConns < 0 {
		return usageError(fs, "-patients, -big-patients and -clients must be positive, -session-clients at most -clients, -duration above zero")
	}
	var run []string
	for _, s := range strings.Split(*scenarios, ",") {
		if s = strings.TrimSpace(s); s != "" {
			run = append(run, s)
		}
	}

	owner, err := benchOwnerURL(ctx, *dbURL, cfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "medic bench http on %s\n", redactURL(owner))
	if _, err := postgres.Migrate(ctx, owner); err != nil {
		return err
	}
	if !*skipGenerate {
		start := time.Now()
		gen := bench.GenConfig{Practices: *practices, PatientsPerPractice: *patients, AppointmentsPerPractitionerPerDay: *perDay, Seed: int64(*seed)}
		if err := bench.Generate(ctx, owner, gen, stderr); err != nil {
			return fmt.Errorf("generate: %w", err)
		}
		gen.PatientsPerPractice = *bigPatients
		if err := bench.GenerateBig(ctx, owner, gen, stderr); err != nil {
			return fmt.Errorf("generate: %w", err)
		}
		if err := bench.GenerateClinical(ctx, owner, bench.ClinicalConfig{Seed: *seed}, stderr); err != nil {
			return fmt.Errorf("generate: %w", err)
		}
		fmt.Fprintf(stdout, "generation (or the check that it was done) took %s\n", time.Since(start).Round(time.Second))
	}
	if len(run) == 0 {
		return nil
	}

	if *withPgbench {
		if err := runPgbench(ctx, owner, *clients, *duration, stdout, stderr); err != nil {
			return fmt.Errorf("pgbench: %w", err)
		}
	}

	hcfg := bench.HTTPConfig{BaseURL: strings.TrimRight(*base, "/"), OwnerURL: owner, Email: "bench-http@bench.example", Password: randomPassword(),
		Clients: *clients, SessionClients: *sessionClients, Duration: *duration, Warmup: *warmup, Scenarios: run, Seed: *seed}
	if hcfg.BaseURL == "" {
		srv, err := startBenchServer(ctx, owner, *serverLog, *serverProfile, *maxConns)
		if err != nil {
			return err
		}
		defer srv.stop(stderr)
		hcfg.BaseURL, hcfg.ServerPID = srv.url, srv.cmd.Process.Pid
		fmt.Fprintf(stdout, "started medic serve (pid %d) at %s\n", hcfg.ServerPID, srv.url)
	}
	results, err := bench.RunHTTP(ctx, hcfg, stdout)
	if err != nil {
		return err
	}
	for _, r := range results {
		if r.Target != "" && !r.Pass {
			return &codeError{code: exitError, msg: "bench http: a target was missed (see the report)"}
		}
	}
	return nil
}

// randomPassword is the bench account's password for this run (it is set
// again every run).
func randomPassword() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// benchServer is a `medic serve` child process.
type benchServer struct {
	cmd  *exec.Cmd
	url  string
	done chan error
}

// startBenchServer starts this binary's `serve` on the bench database (as the
// app role, migrations by the owner) on a free local port and waits until
// it is ready.
func startBenchServer(ctx context.Context, owner, logPath, cpuProfile string, maxConns int) (*benchServer, error) {
	appURL, err := postgres.AppURL(owner)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, "serve")
	if cpuProfile != "" {
		cmd.Args = append(cmd.Args, "-cpuprofile", cpuProfile)
	}
	cmd.Env = append(os.Environ(), "MEDIC_OWNER_DATABASE_URL="+owner, "MEDIC_DATABASE_URL="+appURL, "MEDIC_ADDR="+addr,
		"MEDIC_BASE_URL=http://"+addr, "MEDIC_SMTP_URL=")
	if maxConns > 0 {
		cmd.Env = append(cmd.Env, "MEDIC_DB_MAX_CONNS="+strconv.Itoa(maxConns))
	}
	if logPath != "" {
		f, err := os.Create(logPath)
		if err != nil {
			return nil, err
		}
		defer f.Close() // the child has its own descriptor
		cmd.Stdout, cmd.Stderr = f, f
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start medic serve: %w", err)
	}
	s := &benchServer{cmd: cmd, url: "http://" + addr, done: make(chan error, 1)}
	go func() { s.done <- cmd.Wait() }()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		select {
		case err := <-s.done:
			return nil, fmt.Errorf("medic serve stopped before it was ready (%v); see -server-log", err)
		case <-ctx.Done():
			s.stop(io.Discard)
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if resp, err := http.Get(s.url + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		if time.Now().After(deadline) {
			s.stop(io.Discard)
			return nil, errors.New("medic serve was not ready within 2 minutes")
		}
	}
}

// stop ends the server as an operator would (SIGTERM, then a kill if it
// does not stop in time).
func (s *benchServer) stop(stderr io.Writer) {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		fmt.Fprintln(stderr, "medic bench http: the server did not stop in 30 s; killing it")
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

// runPgbench runs pgbench's select-only and TPC-B scripts against a
// database of their own on the bench's PostgreSQL (made and initialised at
// scale 10 if missing) and prints their transactions per second.
func runPgbench(ctx context.Context, owner string, clients int, d time.Duration, stdout, stderr io.Writer) error {
	u, err := url.Parse(owner)
	if err != nil {
		return err
	}
	name := benchDatabaseName + "_pgbench"
	conn, err := pgx.Connect(ctx, owner)
	if err != nil {
		return err
	}
	var exists bool
	err = conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists)
	if err == nil && !exists {
		_, err = conn.Exec(ctx, "CREATE DATABASE "+name)
	}
	conn.Close(ctx)
	if err != nil {
		return err
	}
	u.Path = "/" + name
	target := u.String()
	pgbench := func(args ...string) (string, error) {
		cmd := exec.CommandContext(ctx, "pgbench", append(args, target)...)
		cmd.Stderr = stderr
		out, err := cmd.Output()
		return string(out), err
	}
	if !exists {
		fmt.Fprintf(stdout, "pgbench: initialising %s at scale 10 ...\n", name)
		if _, err := pgbench("-i", "-q", "-s", "10"); err != nil {
			return err
		}
	}
	secs := strconv.Itoa(max(1, int(d.Seconds())))
	jobs := strconv.Itoa(min(clients, runtime.NumCPU()))
	for _, run := range []struct{ name, flag string }{{"pgbench -S (one indexed SELECT per transaction)", "-S"}, {"pgbench TPC-B (3 UPDATEs, 1 SELECT, 1 INSERT, COMMIT)", ""}} {
		args := []string{"-n", "-c", strconv.Itoa(clients), "-j", jobs, "-T", secs}
		if run.flag == "-S" {
			args = append(args, "-S")
		}
		out, err := pgbench(args...)
		if err != nil {
			return err
		}
		var tps, lat string
		for _, line := range strings.Split(out, "\n") {
			switch {
			case strings.HasPrefix(line, "tps = "):
				tps = strings.Fields(line)[2]
			case strings.HasPrefix(line, "latency average = "):
				lat = strings.TrimPrefix(line, "latency average = ")
			}
		}
		fmt.Fprintf(stdout, "%s, %d clients, %ss: %s transactions/s, latency average %s\n", run.name, clients, secs, tps, lat)
	}
	fmt.Fprintln(stdout)
	return nil
}
