package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"medic/internal/jobs"
	"runtime"
	"runtime/debug"
	"strings"

	"medic"
	"medic/internal/auth"
	"medic/internal/postgres"
)

// cmdMigrate applies pending migrations with the owner's connection.
func cmdMigrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	fs := newFlagSet("migrate", "migrate [flags]", stderr)
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
	if dbs.owner == "" {
		return fmt.Errorf("MEDIC_DATABASE_URL logs in as %s, which cannot change the schema: set MEDIC_OWNER_DATABASE_URL to the owner's connection", postgres.AppRole)
	}
	applied, err := postgres.Migrate(ctx, dbs.owner)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(stdout, "database is up to date")
		return nil
	}
	fmt.Fprintf(stdout, "applied migrations %v\n", applied)
	return nil
}

// cmdAdmin runs the admin subcommands.
func cmdAdmin(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create-operator" {
		fmt.Fprint(stderr, "Usage: medic admin create-operator --email E --password-stdin\n")
		return errUsage
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	fs := newFlagSet("admin create-operator", "admin create-operator --email E --password-stdin [flags]", stderr)
	cfg.bindDBFlags(fs)
	email := fs.String("email", "", "the operator's `email` (required)")
	name := fs.String("name", "", "display `name` for a new account (default: from the email)")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input (required)")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	addr, err := medic.NormalizeEmail(*email)
	if err != nil {
		return usageError(fs, "--email: give the operator's email address")
	}
	if !*fromStdin {
		return usageError(fs, "--password-stdin is required (a password is never taken from the command line)")
	}
	password, err := readPassword(stdin)
	if err != nil {
		return err
	}
	if err := auth.ValidatePassword(password); err != nil {
		return fmt.Errorf("password: %w", err)
	}
	displayName := *name
	if displayName == "" {
		displayName, _, _ = strings.Cut(addr, "@")
	}
	if displayName, err = medic.ValidateName(displayName); err != nil {
		return fmt.Errorf("--name: %s", medic.ErrorMessage(err))
	}

	logger := cfg.logger(stderr)
	dbs, err := resolveDatabases(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer dbs.stop()
	if err := migrate(ctx, dbs, logger); err != nil {
		return err
	}
	db, _, err := openStore(ctx, dbs, 2, logger, quieter(logger, cfg.LogLevel), jobs.Handlers{})
	if err != nil {
		return err
	}
	defer db.Close()

	ctx = medic.WithActor(ctx, medic.Actor{Email: "system:cli"})
	var created bool
	err = db.InTx(ctx, func(ctx context.Context) error {
		u, err := db.FindUserByEmail(ctx, addr)
		switch {
		case medic.ErrorCode(err) == medic.ENOTFOUND:
			hash, err := auth.HashPassword(password)
			if err != nil {
				return err
			}
			u = &medic.User{Email: addr, Name: displayName, PasswordHash: hash, IsOperator: true}
			if err := db.CreateUser(ctx, u); err != nil {
				return err
			}
			created = true
		case err != nil:
			return err
		case u.IsOperator:
			return nil
		default:
			if err := db.SetOperator(ctx, u.ID, true); err != nil {
				return err
			}
		}
		return db.RecordPlatform(ctx, medic.AuditEvent{Action: "operator.granted", ActorEmail: "system:cli", EntityType: "user", EntityID: u.ID,
			Detail: map[string]string{"email": addr, "created": fmt.Sprint(created)}})
	})
	if err != nil {
		return err
	}
	if created {
		fmt.Fprintf(stdout, "created platform operator %s\n", addr)
	} else {
		fmt.Fprintf(stdout, "%s is a platform operator (existing account; its password is unchanged)\n", addr)
	}
	return nil
}

// readPassword reads the first line of r (without its line ending).
func readPassword(r io.Reader) (string, error) {
	if r == nil {
		return "", errors.New("--password-stdin: no standard input")
	}
	line, err := bufio.NewReader(io.LimitReader(r, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read the password: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("--password-stdin: standard input is empty; pipe the password in, e.g. printf '%s\\n' \"$PASSWORD\" | medic admin create-operator ...")
	}
	return line, nil
}

// cmdAudit runs `audit verify`: every hash chain is walked; the first broken
// link of each broken chain is printed and the exit code is 1.
func cmdAudit(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		fmt.Fprint(stderr, "Usage: medic audit verify [flags]\n")
		return errUsage
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	fs := newFlagSet("audit verify", "audit verify [flags]", stderr)
	cfg.bindDBFlags(fs)
	if err := parse(fs, args[1:]); err != nil {
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

	practices, err := db.ListPractices(ctx)
	if err != nil {
		return err
	}
	breaks, err := db.VerifyAudit(ctx)
	if err != nil {
		return fmt.Errorf("verify the audit log: %w", err)
	}
	chains := len(practices) + 1 // and the platform log
	if len(breaks) == 0 {
		fmt.Fprintf(stdout, "audit log intact: %d chains checked\n", chains)
		return nil
	}
	slugs := map[string]string{}
	for _, p := range practices {
		slugs[p.ID] = p.Slug
	}
	for _, b := range breaks {
		log := "platform log"
		if b.PracticeID != "" {
			log = "practice " + b.PracticeID
			if s, ok := slugs[b.PracticeID]; ok {
				log = "practice " + s + " (" + b.PracticeID + ")"
			}
		}
		fmt.Fprintf(stdout, "BROKEN %s: seq %d, event %d: %s\n", log, b.Seq, b.EventID, b.Reason)
	}
	return &codeError{code: exitError, msg: fmt.Sprintf("audit log broken: %d of %d chains", len(breaks), chains)}
}

// version and commit can be set at build time (make build does):
// -ldflags "-X main.version=v1.2.3 -X main.commit=abc123". Otherwise they
// come from the build info, which has the commit when the binary was built
// in a git checkout with VCS stamping on (go build's default).
var version, commit = "", ""

// cmdVersion prints the version, the commit and the Go version.
func cmdVersion(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("version", "version", stderr)
	if err := parse(fs, args); err != nil {
		return err
	}
	v, rev, modified, when := version, commit, false, ""
	if info, ok := debug.ReadBuildInfo(); ok {
		if v == "" {
			v = info.Main.Version
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				if rev == "" {
					rev = s.Value
				}
			case "vcs.modified":
				modified = s.Value == "true"
			case "vcs.time":
				when = s.Value
			}
		}
	}
	if v == "" {
		v = "(devel)"
	}
	if rev == "" {
		rev = "unknown"
	}
	if modified {
		rev += " (modified)"
	}
	fmt.Fprintf(stdout, "medic %s\ncommit %s", v, rev)
	if when != "" {
		fmt.Fprintf(stdout, " %s", when)
	}
	fmt.Fprintf(stdout, "\n%s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}
