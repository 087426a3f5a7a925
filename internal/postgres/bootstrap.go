package postgres

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// DatabaseName is the database the zero-setup default creates and uses.
const DatabaseName = "medic"

// ErrPostgresNotFound is the one-line instruction given when there is no
// PostgreSQL to use and none configured.
var ErrPostgresNotFound = errors.New("PostgreSQL not found: install it (apt-get install postgresql) or set MEDIC_DATABASE_URL")

// ResolveDatabase finds a database when none is configured (development):
//
//  1. a PostgreSQL on 127.0.0.1:5432 that lets user postgres in without a
//     password (a stock Debian install set to trust): database medic is
//     created there if missing;
//  2. else a private cluster under dataDir/pg, made with the newest
//     installed server binaries (/usr/lib/postgresql/*/bin, or initdb and
//     pg_ctl on PATH) and started; stop shuts it down again;
//  3. else ErrPostgresNotFound.
//
// ownerURL connects as the superuser (trust authentication); migrate with
// it and open the app pool on AppURL(ownerURL). stop is never nil.
func ResolveDatabase(ctx context.Context, dataDir string, logger *slog.Logger) (ownerURL string, stop func(), err error) {
	return resolver{probeAddr: "127.0.0.1:5432", binGlob: defaultBinGlob, usePath: true}.resolve(ctx, dataDir, logger)
}

const defaultBinGlob = "/usr/lib/postgresql/*/bin"

// resolver is ResolveDatabase with its probes made replaceable for tests.
type resolver struct {
	probeAddr string // host:port tried first; "" skips the probe
	binGlob   string // where server binaries are looked for
	usePath   bool   // also look for initdb and pg_ctl on PATH
}

func (r resolver) resolve(ctx context.Context, dataDir string, logger *slog.Logger) (string, func(), error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	noop := func() {}
	var probeErr error
	if r.probeAddr != "" {
		u := &url.URL{Scheme: "postgres", User: url.User("postgres"), Host: r.probeAddr, Path: "/postgres", RawQuery: "sslmode=disable&connect_timeout=3"}
		ownerURL, err := ensureDatabase(ctx, u.String())
		if err == nil {
			logger.Info("using the local PostgreSQL", "addr", r.probeAddr, "database", DatabaseName)
			return ownerURL, noop, nil
		}
		probeErr = err
		logger.Debug("no usable PostgreSQL on the default port", "addr", r.probeAddr, "err", err)
	}
	bins, err := findServerBinaries(r.binGlob, r.usePath)
	if err != nil {
		if probeErr != nil && answered(probeErr) {
			// Something listens but will not let us in: say so rather than
			// claim PostgreSQL is missing.
			return "", noop, fmt.Errorf("PostgreSQL on %s refused user postgres without a password: set MEDIC_DATABASE_URL", r.probeAddr)
		}
		return "", noop, ErrPostgresNotFound
	}
	return startPrivateCluster(ctx, bins, filepath.Join(dataDir, "pg"), logger)
}

// answered reports whether err came from a server that spoke the protocol
// (as opposed to nothing listening).
func answered(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe)
}

// ensureDatabase connects to adminURL (a superuser on some database),
// creates DatabaseName if missing and returns adminURL pointed at it.
func ensureDatabase(ctx context.Context, adminURL string) (string, error) {
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(cctx, adminURL)
	if err != nil {
		return "", err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var super bool
	if err := conn.QueryRow(cctx, `SELECT rolsuper FROM pg_roles WHERE rolname = current_user`).Scan(&super); err != nil {
		return "", err
	}
	if !super {
		return "", errors.New("user postgres is not a superuser")
	}
	var exists bool
	if err := conn.QueryRow(cctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, DatabaseName).Scan(&exists); err != nil {
		return "", err
	}
	if !exists {
		_, err := conn.Exec(cctx, `CREATE DATABASE `+DatabaseName)
		var pe *pgconn.PgError
		if err != nil && !(errors.As(err, &pe) && pe.Code == "42P04") { // created meanwhile
			return "", fmt.Errorf("create database %s: %w", DatabaseName, err)
		}
	}
	u, err := url.Parse(adminURL)
	if err != nil {
		return "", err
	}
	u.Path = "/" + DatabaseName
	q := u.Query()
	q.Del("connect_timeout")
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// serverBinaries is where initdb and pg_ctl of one PostgreSQL version live.
type serverBinaries struct {
	dir     string
	version string // major version from the directory name, "" when found on PATH
}

func (b serverBinaries) path(name string) string { return filepath.Join(b.dir, name) }

// findServerBinaries lists the versions under glob (each match a bin
// directory holding initdb and pg_ctl), oldest first, else initdb and pg_ctl
// on PATH.
func findServerBinaries(glob string, usePath bool) ([]serverBinaries, error) {
	dirs, _ := filepath.Glob(glob)
	var found []serverBinaries
	for _, d := range dirs {
		if isExecutable(filepath.Join(d, "initdb")) && isExecutable(filepath.Join(d, "pg_ctl")) {
			found = append(found, serverBinaries{dir: d, version: filepath.Base(filepath.Dir(d))})
		}
	}
	if len(found) > 0 {
		sort.Slice(found, func(i, j int) bool { return versionLess(found[i].version, found[j].version) })
		return found, nil
	}
	if usePath {
		initdb, err1 := exec.LookPath("initdb")
		pgctl, err2 := exec.LookPath("pg_ctl")
		if err1 == nil && err2 == nil && filepath.Dir(initdb) == filepath.Dir(pgctl) {
			return []serverBinaries{{dir: filepath.Dir(initdb)}}, nil
		}
	}
	return nil, ErrPostgresNotFound
}

// pickBinaries chooses the version that made an existing data directory
// (PG_VERSION), else the newest.
func pickBinaries(bins []serverBinaries, dataVersion string) serverBinaries {
	for _, b := range bins {
		if dataVersion != "" && b.version == dataVersion {
			return b
		}
	}
	return bins[len(bins)-1]
}

// versionLess orders "9.6" < "15" < "16.2" numerically, part by part.
func versionLess(a, b string) bool {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) || i < len(pb); i++ {
		var x, y int
		if i < len(pa) {
			x, _ = strconv.Atoi(pa[i])
		}
		if i < len(pb) {
			y, _ = strconv.Atoi(pb[i])
		}
		if x != y {
			return x < y
		}
	}
	return a < b
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// cluster is a private PostgreSQL cluster under one directory:
// data/ (PGDATA), run/ (the unix socket) and postgres.log.
type cluster struct {
	bin    serverBinaries
	dir    string
	asUser *user.User // run the server binaries as this OS user (when we are root)
}

func (c cluster) dataDir() string { return filepath.Join(c.dir, "data") }
func (c cluster) runDir() string  { return filepath.Join(c.dir, "run") }
func (c cluster) logFile() string { return filepath.Join(c.dir, "postgres.log") }

// startPrivateCluster initialises the cluster in dir if needed, starts it
// (or adopts it when it is already running) and ensures the database.
func startPrivateCluster(ctx context.Context, bins []serverBinaries, dir string, logger *slog.Logger) (string, func(), error) {
	noop := func() {}
	c := cluster{dir: dir}
	dataVersion, err := os.ReadFile(filepath.Join(c.dataDir(), "PG_VERSION"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", noop, fmt.Errorf("private PostgreSQL cluster: %w", err)
	}
	c.bin = pickBinaries(bins, strings.TrimSpace(string(dataVersion)))
	if os.Geteuid() == 0 {
		// initdb refuses to run as root: the cluster belongs to the postgres user.
		u, err := user.Lookup("postgres")
		if err != nil {
			return "", noop, fmt.Errorf("running as root, the private PostgreSQL cluster must run as the postgres OS user, which does not exist: %w", err)
		}
		c.asUser = u
	}
	if err := c.prepareDirs(); err != nil {
		return "", noop, err
	}
	fresh := len(dataVersion) == 0
	if fresh {
		logger.Info("creating a private PostgreSQL cluster", "dir", c.dir, "bin", c.bin.dir)
		if err := c.initdb(ctx); err != nil {
			return "", noop, err
		}
	} else if err := c.checkVersion(strings.TrimSpace(string(dataVersion))); err != nil {
		return "", noop, err
	}

	port, running := c.runningPort()
	stop := noop
	if running {
		logger.Info("using the private PostgreSQL cluster that is already running", "dir", c.dir, "port", port)
	} else {
		var err error
		if port, err = freePort(); err != nil {
			return "", noop, err
		}
		if err := c.start(ctx, port); err != nil {
			return "", noop, err
		}
		stop = func() {
			sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := c.stop(sctx); err != nil {
				logger.Error("stopping the private PostgreSQL cluster", "err", err)
				return
			}
			logger.Info("private PostgreSQL cluster stopped", "dir", c.dir)
		}
		logger.Info("private PostgreSQL cluster started", "dir", c.dir, "port", port, "new", fresh)
	}
	u := &url.URL{Scheme: "postgres", User: url.User("postgres"), Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), Path: "/postgres", RawQuery: "sslmode=disable"}
	ownerURL, err := ensureDatabase(ctx, u.String())
	if err != nil {
		stop()
		return "", noop, fmt.Errorf("private PostgreSQL cluster in %s: %w", c.dir, err)
	}
	return ownerURL, stop, nil
}

// prepareDirs creates dir and run/ with the right owner; as root it checks
// that the postgres user can reach dir at all.
func (c cluster) prepareDirs() error {
	// The data directory itself stays reachable (the postgres user must pass
	// through it when we are root); the cluster's own directory is private.
	if err := os.MkdirAll(filepath.Dir(c.dir), 0o755); err != nil {
		return fmt.Errorf("private PostgreSQL cluster: %w", err)
	}
	for _, d := range []string{c.dir, c.runDir()} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return fmt.Errorf("private PostgreSQL cluster: %w", err)
		}
	}
	if c.asUser == nil {
		return nil
	}
	uid, _ := strconv.Atoi(c.asUser.Uid)
	gid, _ := strconv.Atoi(c.asUser.Gid)
	err := filepath.WalkDir(c.dir, func(p string, _ os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, uid, gid)
	})
	if err != nil {
		return fmt.Errorf("private PostgreSQL cluster: chown to postgres: %w", err)
	}
	// Every parent must be searchable by others (postgres is not its owner).
	for p := filepath.Dir(c.dir); ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil {
			return err
		}
		if fi.Mode().Perm()&0o001 == 0 {
			if st, ok := fi.Sys().(*syscall.Stat_t); !ok || int(st.Uid) != uid {
				return fmt.Errorf("the postgres OS user cannot reach %s (%s is mode %v): set MEDIC_DATA_DIR to a directory it can reach, such as /var/lib/medic", c.dir, p, fi.Mode().Perm())
			}
		}
		if p == filepath.Dir(p) {
			return nil
		}
	}
}

// command runs a server binary, as the postgres user when we are root, in
// its own process group so a terminal's Ctrl-C reaches only medic (which
// then stops the cluster in order).
func (c cluster) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	var cmd *exec.Cmd
	if c.asUser != nil {
		cmd = exec.CommandContext(ctx, "runuser", append([]string{"-u", c.asUser.Username, "--", c.bin.path(name)}, args...)...)
	} else {
		cmd = exec.CommandContext(ctx, c.bin.path(name), args...)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// The server pg_ctl starts must not keep our output pipes open.
	cmd.WaitDelay = 5 * time.Second
	cmd.Dir = c.dir
	cmd.Env = append(os.Environ(), "LC_ALL=C", "LANG=C")
	return cmd
}

func (c cluster) run(ctx context.Context, name string, args ...string) error {
	cmd := c.command(ctx, name, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w: %s", name, err, lastLines(out.String(), 5))
	}
	return nil
}

func (c cluster) initdb(ctx context.Context) error {
	return c.run(ctx, "initdb", "-D", c.dataDir(), "--username=postgres", "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-instructions")
}

func (c cluster) start(ctx context.Context, port int) error {
	// pg_ctl hands these to a shell: quote the socket directory.
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k '%s'", port, c.runDir())
	err := c.run(ctx, "pg_ctl", "start", "-D", c.dataDir(), "-w", "-t", "60", "-s", "-l", c.logFile(), "-o", opts)
	if err != nil {
		log, _ := os.ReadFile(c.logFile())
		return fmt.Errorf("start private PostgreSQL cluster: %w; server log: %s", err, lastLines(string(log), 5))
	}
	return nil
}

func (c cluster) stop(ctx context.Context) error {
	return c.run(ctx, "pg_ctl", "stop", "-D", c.dataDir(), "-m", "fast", "-w", "-s")
}

// runningPort reports the port of a server already running on this data
// directory (a previous medic still up, or one that died without stopping it).
func (c cluster) runningPort() (int, bool) {
	pid, err := os.ReadFile(filepath.Join(c.dataDir(), "postmaster.pid"))
	if err != nil {
		return 0, false
	}
	// postmaster.pid: pid, data dir, start time, port, socket dir, listen address, ...
	lines := strings.Split(string(pid), "\n")
	if len(lines) < 4 {
		return 0, false
	}
	port, err := strconv.Atoi(strings.TrimSpace(lines[3]))
	if err != nil {
		return 0, false
	}
	if err := c.command(context.Background(), "pg_ctl", "status", "-D", c.dataDir()).Run(); err != nil {
		return 0, false // stale lock file; pg_ctl start clears it
	}
	return port, true
}

// checkVersion refuses a data directory made by another major version.
func (c cluster) checkVersion(v string) error {
	if c.bin.version != "" && v != c.bin.version {
		return fmt.Errorf("the private PostgreSQL cluster in %s was made by PostgreSQL %s, which is not installed (found %s): install it again, or move the directory away to start afresh", c.dir, v, c.bin.version)
	}
	return nil
}

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}
