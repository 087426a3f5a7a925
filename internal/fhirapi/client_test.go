package fhirapi_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"medic/internal/fhir"
	"medic/internal/fhirapi"
)

// TestFHIRKitClient drives a running server with the npm client
// fhir-kit-client (testdata/fhirkit.mjs), as an outside system would:
// metadata, create, read, update with If-Match and a stale one (412),
// search paged through its next links, Patient/$everything and a
// transaction Bundle (and the same slot again, 409). The client is a
// test-only npm package that scripts/install-test-deps.sh installs;
// without it the test fails, never skips.
func TestFHIRKitClient(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat(filepath.Join("testdata", "node_modules", "fhir-kit-client", "package.json")); err != nil {
		t.Fatal("fhir-kit-client is not installed in testdata/node_modules: run ./scripts/install-test-deps.sh")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is not installed: run ./scripts/install-test-deps.sh")
	}
	f := newFx(t)
	pr, typ := f.scheduling(t)
	tok := f.tokens["receptionist"].Header.Get("Authorization")[len("Bearer "):]
	run, _ := json.Marshal(map[string]string{"base": f.env.URL + fhirapi.Base, "token": tok, "practitioner": pr, "location": f.locA.ID,
		"appointmentType": typ, "appointmentTypeSystem": fhir.AppointmentTypeSystem, "start": "2030-03-07T10:00:00+02:00"})
	file := filepath.Join(t.TempDir(), "run.json")
	if err := os.WriteFile(file, run, 0o600); err != nil {
		t.Fatal(err)
	}
	script, _ := filepath.Abs(filepath.Join("testdata", "fhirkit.mjs"))
	cmd := exec.Command(node, script, file)
	cmd.Dir = "testdata"
	var out, stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, _ := cmd.StdoutPipe()
	stdin, _ := cmd.StdinPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The script says "tick" before a change that needs a new version:
	// the clock moves on a second, then the script goes on.
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		if lines.Text() == "tick" {
			f.env.Clock.Advance(time.Second)
			_, _ = io.WriteString(stdin, "\n")
			continue
		}
		out.WriteString(lines.Text() + "\n")
	}
	stdin.Close()
	err = cmd.Wait()
	out.Write(stderr.Bytes())
	if err != nil {
		t.Fatalf("the fhir-kit-client run failed (%v):\n%s", err, out.String())
	}
	t.Logf("%s", out.String())
}
