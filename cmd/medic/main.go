// Command medic is the Medic platform in one binary: the web desk, the JSON
// and FHIR APIs, background jobs and the operator's tools.
//
//	medic serve                        serve (migrating first)
//	medic demo                         load the demo platform and serve it
//	medic migrate                      apply database migrations
//	medic admin create-operator ...    create a platform operator
//	medic audit verify                 check the audit log's hash chains
//	medic dev switch                   serve the medical-aid switch simulator
//	medic version                      print version information
//
// Configuration comes from MEDIC_* environment variables, overridden by flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// After the first signal, a second one kills at once (default handling).
	context.AfterFunc(ctx, stop)
	os.Exit(run(ctx, os.Args, os.Getenv, os.Stdin, os.Stdout, os.Stderr))
}

const usage = `Usage: medic <command> [flags]

Commands:
  serve                 migrate the database, then serve HTTP (--demo: as demo)
  demo                  load the demo platform (idempotent), print how to sign in, serve
  migrate               apply pending database migrations with the owner's connection
  admin create-operator --email E --password-stdin
                        create a platform operator (or make an existing user one)
  audit verify          check every audit log hash chain; exit 1 on a broken link
  check                 re-validate every stored value (charts included); exit 1 if any fails
  dev switch            serve the medical-aid claims switch simulator (docs/claims-switch.md)
  bench                 generate a large synthetic platform and benchmark search, availability and booking
  bench http            benchmark the JSON API over HTTP against a real server (medic bench http -h)
  bench fhir            benchmark the FHIR API over HTTP with bearer tokens against a real server (medic bench fhir -h)
  version               print the version, commit and Go version

Run "medic <command> -h" for a command's flags. Every flag has an
environment variable (MEDIC_ADDR, MEDIC_DATABASE_URL, ...); see README.md.
`

// Exit codes.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

// errUsage marks a command line mistake (exit 2); the message was printed.
var errUsage = errors.New("usage")

// run is the whole program: it parses args and the environment (through
// getenv) and runs one command until it finishes or ctx is cancelled.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	start := time.Now()
	if len(args) < 2 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	cmd, rest := args[1], args[2:]
	var err error
	switch cmd {
	case "serve", "demo":
		err = cmdServe(ctx, start, cmd, rest, getenv, stdout, stderr)
	case "migrate":
		err = cmdMigrate(ctx, rest, getenv, stdout, stderr)
	case "admin":
		err = cmdAdmin(ctx, rest, getenv, stdin, stdout, stderr)
	case "audit":
		err = cmdAudit(ctx, rest, getenv, stdout, stderr)
	case "dev":
		err = cmdDev(ctx, rest, getenv, stdout, stderr)
	case "bench":
		err = cmdBench(ctx, rest, getenv, stdout, stderr)
	case "check":
		err = cmdCheck(ctx, rest, getenv, stdout, stderr)
	case "version":
		err = cmdVersion(rest, stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	default:
		fmt.Fprintf(stderr, "medic: unknown command %q\n\n%s", cmd, usage)
		return exitUsage
	}
	var ce *codeError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.Is(err, errUsage):
		return exitUsage
	case errors.As(err, &ce):
		if ce.msg != "" {
			fmt.Fprintln(stderr, "medic: "+ce.msg)
		}
		return ce.code
	default:
		fmt.Fprintf(stderr, "medic: %v\n", err)
		return exitError
	}
}

// codeError ends a command with a given exit code (and an optional message).
type codeError struct {
	code int
	msg  string
}

func (e *codeError) Error() string { return e.msg }

// usageError prints msg and the command's usage, then exits 2.
func usageError(fs *flag.FlagSet, format string, a ...any) error {
	fmt.Fprintf(fs.Output(), "medic: "+format+"\n", a...)
	fs.Usage()
	return errUsage
}

// parse parses a command's flags; a mistake is a usage error (flag printed it).
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		return usageError(fs, "unexpected argument %q", fs.Arg(0))
	}
	return nil
}
