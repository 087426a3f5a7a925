package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"medic"
	"medic/internal/claimswitch"
	"medic/internal/claimswitch/switchsim"
)

// claimSwitch builds the medical-aid switch the configuration names, and
// says which for the log.
func (c Config) claimSwitch() (medic.ClaimSwitch, string, error) {
	v := c.ClaimSwitch
	switch {
	case v == "" || v == "simulator":
		// The local twin: claims are adjudicated in memory by the
		// simulator's rules, so the demo runs without a switch.
		return switchsim.New(time.Now), "in-process simulator", nil
	case strings.HasPrefix(v, "http://") || strings.HasPrefix(v, "https://"):
		return claimswitch.NewClient(v, c.ClaimSwitchKey), "http", nil
	case strings.HasPrefix(v, "file:"):
		dir := strings.TrimPrefix(strings.TrimPrefix(v, "file:"), "//")
		out, in := filepath.Join(dir, "outbox"), filepath.Join(dir, "inbox")
		for _, d := range []string{out, in} {
			if err := os.MkdirAll(d, 0o750); err != nil {
				return nil, "", fmt.Errorf("claim switch directory: %w", err)
			}
		}
		return claimswitch.NewFiles(out, in), "batch files", nil
	}
	return nil, "", fmt.Errorf("MEDIC_CLAIM_SWITCH %q: use an http(s) URL, file:DIR, or nothing for the simulator", v)
}
