package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"medic/internal/claimswitch/switchsim"
)

// cmdDev runs development helpers: today the medical-aid switch simulator.
func cmdDev(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "switch" {
		fmt.Fprint(stderr, "Usage: medic dev switch [flags]\n\nserve the medical-aid claims switch simulator (docs/claims-switch.md)\n")
		return errUsage
	}
	return cmdDevSwitch(ctx, args[1:], getenv, stdout, stderr)
}

// devSwitchPoll is how often the simulator looks for new batch files.
const devSwitchPoll = 2 * time.Second

// cmdDevSwitch serves the switch simulator over HTTP (the JSON wire format)
// and, given an outbox and inbox, plays the switch's side of the batch-file
// exchange, until interrupted.
func cmdDevSwitch(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("dev switch", "dev switch [flags]", stderr)
	addr := fs.String("addr", envOr(getenv, "MEDIC_SWITCH_ADDR", "127.0.0.1:8091"), "listen address (MEDIC_SWITCH_ADDR)")
	key := fs.String("api-key", envOr(getenv, "MEDIC_SWITCH_API_KEY", "dev-switch-key"), "bearer API key callers must send (MEDIC_SWITCH_API_KEY)")
	outbox := fs.String("outbox", "", "directory Medic writes claim batch files to (empty: no batch files)")
	inbox := fs.String("inbox", "", "directory to write acknowledgement and remittance files to")
	hold := fs.Bool("hold-remittances", false, "leave accepted claims unpaid until the simulator restarts with this off")
	if err := parse(fs, args); err != nil {
		return err
	}
	if (*outbox == "") != (*inbox == "") {
		return usageError(fs, "--outbox and --inbox go together")
	}
	logger := slog.New(slog.NewJSONHandler(stderr, nil))
	sw := switchsim.New(time.Now)
	sw.HoldRemittances(*hold)
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{Handler: sw.Handler(*key), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
	}()
	if *outbox != "" {
		go func() {
			t := time.NewTicker(devSwitchPoll)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
					if n, err := sw.ProcessBatches(ctx, *outbox, *inbox); err != nil {
						logger.Error("batch files", "err", err)
					} else if n > 0 {
						logger.Info("batch files answered", "files", n)
					}
				}
			}
		}()
	}
	fmt.Fprintf(stdout, "claims switch simulator on http://%s (API key %q)\n", ln.Addr(), *key)
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
