package postgres

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestVersionLess(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want bool
	}{
		{"9.6", "15", true},
		{"15", "9.6", false},
		{"15", "16", true},
		{"16", "16.2", true},
		{"17", "17", false},
	} {
		if got := versionLess(tt.a, tt.b); got != tt.want {
			t.Errorf("versionLess(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestFindServerBinariesPicksNewest(t *testing.T) {
	root := t.TempDir()
	for _, v := range []string{"9.6", "16", "15"} {
		bin := filepath.Join(root, v, "bin")
		if err := os.MkdirAll(bin, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"initdb", "pg_ctl"} {
			if err := os.WriteFile(filepath.Join(bin, name), []byte("#!/bin/sh\n"), 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	// A version missing pg_ctl does not count.
	if err := os.MkdirAll(filepath.Join(root, "17", "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	_ = os.WriteFile(filepath.Join(root, "17", "bin", "initdb"), []byte("#!/bin/sh\n"), 0o755)

	bins, err := findServerBinaries(filepath.Join(root, "*", "bin"), false)
	if err != nil {
		t.Fatal(err)
	}
	if got := pickBinaries(bins, "").version; got != "16" {
		t.Errorf("newest = %s, want 16", got)
	}
	if got := pickBinaries(bins, "15").version; got != "15" {
		t.Errorf("for a version 15 data directory picked %s, want 15", got)
	}
}

func TestResolveWithoutPostgreSQL(t *testing.T) {
	r := resolver{binGlob: filepath.Join(t.TempDir(), "*", "bin")}
	_, stop, err := r.resolve(t.Context(), t.TempDir(), nil)
	if err == nil {
		t.Fatal("resolve succeeded with no PostgreSQL anywhere")
	}
	stop()
	const want = "PostgreSQL not found: install it (apt-get install postgresql) or set MEDIC_DATABASE_URL"
	if err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}
}

// accessibleTempDir is a temporary directory the postgres OS user can reach
// when the test runs as root: directly under /tmp, whatever TMPDIR says
// (t.TempDir's directories are private).
func accessibleTempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("/tmp", "medic-pg-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestPrivateCluster starts a real cluster from the installed server
// binaries, as `medic serve` does when nothing answers on port 5432.
func TestPrivateCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a PostgreSQL cluster")
	}
	r := resolver{binGlob: defaultBinGlob, usePath: true} // no probe of 5432
	if _, err := findServerBinaries(r.binGlob, r.usePath); err != nil {
		t.Fatalf("PostgreSQL server binaries are required for this test (apt-get install postgresql): %v", err)
	}
	ctx := t.Context()
	dataDir := filepath.Join(accessibleTempDir(t), "medic data") // a space, as in real paths

	ownerURL, stop, err := r.resolve(ctx, dataDir, nil)
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			stop()
		}
	})
	if !strings.Contains(ownerURL, "/"+DatabaseName) || !strings.Contains(ownerURL, "127.0.0.1:") {
		t.Errorf("owner URL = %s", ownerURL)
	}
	for _, p := range []string{"pg/data/PG_VERSION", "pg/run", "pg/postgres.log"} {
		if _, err := os.Stat(filepath.Join(dataDir, p)); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
	sockets, _ := filepath.Glob(filepath.Join(dataDir, "pg", "run", ".s.PGSQL.[0-9]*[0-9]"))
	if len(sockets) != 1 {
		t.Errorf("unix sockets in run/: %v", sockets)
	}

	// The database is there, migrations apply and the app pool opens on it.
	if _, err := Migrate(ctx, ownerURL); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	appURL, err := AppURL(ownerURL)
	if err != nil {
		t.Fatal(err)
	}
	db, err := Open(ctx, appURL, 2)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	if err := db.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	db.Close()

	// A second resolve while it runs adopts the running cluster.
	again, stop2, err := r.resolve(ctx, dataDir, nil)
	if err != nil {
		t.Fatal(err)
	}
	stop2() // not ours to stop: a no-op
	if again != ownerURL {
		t.Errorf("second resolve = %s, want the running cluster %s", again, ownerURL)
	}
	conn, err := pgx.Connect(ctx, ownerURL)
	if err != nil {
		t.Fatalf("the cluster went down after the adopting caller stopped: %v", err)
	}
	conn.Close(ctx)

	// Stopped, then started again on the existing data (a restart of medic).
	stop()
	stopped = true
	if _, err := pgx.Connect(ctx, ownerURL); err == nil {
		t.Fatal("the cluster still answers after stop")
	}
	restarted, stop3, err := r.resolve(ctx, dataDir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer stop3()
	conn, err = pgx.Connect(context.Background(), restarted)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil || n == 0 {
		t.Errorf("data did not survive the restart: %d migrations, %v", n, err)
	}
}
