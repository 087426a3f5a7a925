package main

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"medic/internal/bench"
)

// TestBenchFHIRFlags: `medic bench fhir` runs the four scenarios
// for 20 s at 16 clients by default, takes a subset and the short run's
// flags, and refuses an unknown scenario or a practice too small.
func TestBenchFHIRFlags(t *testing.T) {
	t.Parallel()
	var stderr bytes.Buffer
	f, err := parseBenchFHIR(nil, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(f.scenarios, []string{"create", "read", "search", "book"}) || !slices.Equal(f.scenarios, bench.FHIRScenarios) ||
		f.clients != 16 || f.duration != 20*time.Second || f.warmup <= 0 || f.bigPatients < 10000 || f.skipGenerate {
		t.Errorf("defaults: %+v", f)
	}
	f, err = parseBenchFHIR([]string{"-skip-generate", "-duration", "10s", "-warmup", "3s", "-scenarios", " search, book ", "-clients", "8"}, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	if !f.skipGenerate || f.duration != 10*time.Second || f.warmup != 3*time.Second || f.clients != 8 || !slices.Equal(f.scenarios, []string{"search", "book"}) {
		t.Errorf("set: %+v", f)
	}
	if f, err := parseBenchFHIR([]string{"-scenarios", ""}, &stderr); err != nil || len(f.scenarios) != 0 {
		t.Errorf("no scenarios (generate only): %+v %v", f, err)
	}
	for _, args := range [][]string{{"-scenarios", "read,delete"}, {"-big-patients", "500"}, {"-duration", "0s"}, {"-clients", "0"}, {"-warmup", "soon"}, {"extra"}} {
		stderr.Reset()
		if _, err := parseBenchFHIR(args, &stderr); !errors.Is(err, errUsage) || !strings.Contains(stderr.String(), "Usage: medic bench fhir") {
			t.Errorf("%v: want a usage error, got %v: %s", args, err, stderr.String())
		}
	}
}
