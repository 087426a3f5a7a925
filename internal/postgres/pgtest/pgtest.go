// Package pgtest gives each test package a fresh, migrated PostgreSQL
// database. Tests that need PostgreSQL fail loudly when it is missing.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"

	"medic/internal/postgres"
)

// AdminURL is the superuser connection used to create test databases.
func AdminURL() string {
	if u := os.Getenv("MEDIC_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// DB is a fresh database: the store (app role) and the owner URL.
type DB struct {
	*postgres.DB
	OwnerURL string
	Name     string
}

// New creates and migrates a database named after the test, dropped at cleanup.
func New(t testing.TB) *DB { return NewVia(t, "") }

// NewVia is New with the app pool connecting through hostport (a proxy
// the test can cut to play a database outage); "" connects directly.
// Migrations and cleanup always connect directly.
func NewVia(t testing.TB, hostport string) *DB {
	t.Helper()
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, AdminURL())
	if err != nil {
		t.Fatalf("PostgreSQL is required for this test and did not answer at %s: %v (start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start)", AdminURL(), err)
	}
	defer admin.Close(ctx)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "medic_test_" + hex.EncodeToString(b)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	u, _ := url.Parse(AdminURL())
	u.Path = "/" + name
	ownerURL := u.String()
	if _, err := postgres.Migrate(ctx, ownerURL); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	appURL, err := postgres.AppURL(ownerURL)
	if err != nil {
		t.Fatal(err)
	}
	if hostport != "" {
		au, _ := url.Parse(appURL)
		au.Host = hostport
		appURL = au.String()
	}
	db, err := postgres.Open(ctx, appURL, 8)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() {
		db.Close()
		c, err := pgx.Connect(ctx, AdminURL())
		if err != nil {
			return
		}
		defer c.Close(ctx)
		_, _ = c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	return &DB{DB: db, OwnerURL: ownerURL, Name: name}
}
