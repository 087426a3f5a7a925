package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"medic/internal/app"
	"medic/internal/jobs"
)

// cmdCheck re-validates every stored value, charts and appointments
// included, and lists those today's rules refuse (exit 1 if any).
func cmdCheck(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	fs := newFlagSet("check", "check [flags]", stderr)
	cfg.bindDBFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	logger := cfg.logger(stderr)
	dbs, err := resolveDatabases(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer dbs.stop()
	db, _, err := openStore(ctx, dbs, 2, logger, quieter(logger, cfg.LogLevel), jobs.Handlers{})
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := reportInvalidValues(ctx, newApp(db, cfg.BaseURL), app.CheckScope{Charts: true}, logger)
	if err != nil {
		return err
	}
	if n > 0 {
		return &codeError{code: exitError, msg: fmt.Sprintf("%d stored values do not pass today's validation (listed in the log above); correct them in the desk or the API", n)}
	}
	fmt.Fprintln(stdout, "stored values valid")
	return nil
}

// reportInvalidValues logs each stored value that no longer validates at
// WARN, naming practice, table, field and id but never the value (it may be
// patient data), and returns how many there were.
func reportInvalidValues(ctx context.Context, a *app.App, scope app.CheckScope, logger *slog.Logger) (int, error) {
	found, err := a.CheckStoredValues(ctx, scope)
	if err != nil {
		return 0, fmt.Errorf("check stored values: %w", err)
	}
	for _, v := range found {
		logger.Warn("stored value no longer valid", "practice_id", v.PracticeID, "table", v.Table, "field", v.Field, "id", v.ID)
	}
	return len(found), nil
}
