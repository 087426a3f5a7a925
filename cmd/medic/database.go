package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5"

	"medic/internal/jobs"
	"medic/internal/postgres"
)

// databases are the two connection strings of a run.
type databases struct {
	owner string // schema owner (migrations); "" when only the app role is known
	app   string // the app role medic_app (serving)
	stop  func() // stops a private cluster started for this run; never nil
	// derived: app was made from a superuser URL (medic_app, no password).
	derived bool
}

// resolveDatabases works out the owner and app URLs:
//   - neither URL: a local PostgreSQL found or started (development);
//   - only MEDIC_OWNER_DATABASE_URL: migrate with it, serve as medic_app beside it;
//   - MEDIC_DATABASE_URL as medic_app: serve with it, migrate with
//     MEDIC_OWNER_DATABASE_URL if given (production);
//   - MEDIC_DATABASE_URL as another role (a development superuser): migrate
//     with it, serve as medic_app on the same server.
func resolveDatabases(ctx context.Context, c Config, logger *slog.Logger) (databases, error) {
	d := databases{stop: func() {}}
	if c.DatabaseURL == "" && c.OwnerDatabaseURL != "" {
		// Only the owner given (e.g. `medic migrate`): serve as medic_app beside it.
		c.DatabaseURL = c.OwnerDatabaseURL
	}
	if c.DatabaseURL == "" {
		owner, stop, err := postgres.ResolveDatabase(ctx, c.DataDir, logger)
		if err != nil {
			return d, err
		}
		d.owner, d.stop = owner, stop
		d.app, err = postgres.AppURL(owner)
		d.derived = true
		return d, err
	}
	user, err := urlUser(c.DatabaseURL)
	if err != nil {
		return d, fmt.Errorf("MEDIC_DATABASE_URL: %w", err)
	}
	d.owner = c.OwnerDatabaseURL
	if user == postgres.AppRole {
		d.app = c.DatabaseURL
		if d.owner != "" {
			if ou, err := urlUser(d.owner); err != nil {
				return d, fmt.Errorf("MEDIC_OWNER_DATABASE_URL: %w", err)
			} else if ou == postgres.AppRole {
				return d, fmt.Errorf("MEDIC_OWNER_DATABASE_URL logs in as %s; it must be the schema owner", postgres.AppRole)
			}
		}
		return d, nil
	}
	if d.owner == "" {
		d.owner = c.DatabaseURL
	}
	d.app, err = postgres.AppURL(c.DatabaseURL)
	d.derived = true
	return d, err
}

// urlUser is the role a connection string logs in as.
func urlUser(url string) (string, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return "", err
	}
	return cfg.User, nil
}

// migrate applies pending migrations when the owner is known.
func migrate(ctx context.Context, d databases, logger *slog.Logger) error {
	if d.owner == "" {
		logger.Info("migrations skipped: MEDIC_DATABASE_URL is the app role and MEDIC_OWNER_DATABASE_URL is not set; run medic migrate with the owner's URL")
		return nil
	}
	applied, err := postgres.Migrate(ctx, d.owner)
	if err != nil {
		return err
	}
	if len(applied) > 0 {
		logger.Info("migrations applied", "versions", applied)
	}
	return nil
}

// openStore opens the app pool as medic_app with a job queue that works
// jobs through deliver, or only inserts them when deliver is nil.
func openStore(ctx context.Context, d databases, maxConns int, logger, jobsLogger *slog.Logger, handlers jobs.Handlers) (*postgres.DB, *jobs.Queue, error) {
	db, err := postgres.Open(ctx, d.app, int32(maxConns))
	if err != nil {
		if d.derived {
			return nil, nil, fmt.Errorf("open the app pool as %s: %w (from a superuser MEDIC_DATABASE_URL, medic serves as %s on the same server without a password, which needs trust authentication; otherwise set MEDIC_DATABASE_URL to %s's own URL and MEDIC_OWNER_DATABASE_URL to the owner's)",
				postgres.AppRole, err, postgres.AppRole, postgres.AppRole)
		}
		return nil, nil, fmt.Errorf("open the app pool: %w", err)
	}
	queue, err := jobs.New(db.Pool(), jobsLogger.With("component", "jobs"), handlers)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	db.Enqueue = func(ctx context.Context, tx pgx.Tx, jobs ...postgres.Job) error {
		return queue.Insert(ctx, tx, jobs...)
	}
	return db, queue, nil
}
