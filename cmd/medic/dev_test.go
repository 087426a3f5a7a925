package main

import (
	"context"
	"regexp"
	"testing"

	"medic"
	"medic/internal/claimswitch"
)

// medic dev switch serves the simulator: a claim posted with its API key is
// adjudicated, a wrong key is refused, and an interrupt ends it cleanly.
func TestDevSwitchServesTheSimulator(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	var out, errOut syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"medic", "dev", "switch", "--addr", "127.0.0.1:0", "--api-key", "k1"}, env(nil), nil, &out, &errOut)
	}()
	addr := regexp.MustCompile(`http://127\.0\.0\.1:\d+`)
	waitFor(t, "the simulator's address", func() bool { return addr.MatchString(out.String()) })
	url := addr.FindString(out.String())

	claim := &medic.ClaimSubmission{IdempotencyKey: "dev-1", PracticeNumber: "0123456", PractitionerRegistration: "MP1",
		Patient: medic.ClaimPatient{Scheme: "GEMS", MemberNumber: "12345675", DependentCode: "00"},
		Lines:   []medic.ClaimLine{{TariffCode: "0190", Quantity: 1, AmountCents: 10000, ICD10: []string{"J06.9"}}}}
	r, err := claimswitch.NewClient(url, "k1").Submit(ctx, claim)
	if err != nil || r.State != medic.SwitchPartPaid {
		t.Fatalf("submit: %+v %v", r, err)
	}
	if _, err := claimswitch.NewClient(url, "wrong").Status(ctx, r.Ref); err == nil {
		t.Error("a wrong API key was let in")
	}
	cancel()
	if code := <-done; code != exitOK {
		t.Errorf("exit %d: %s", code, errOut.String())
	}
}

func TestDevWithoutSubcommandIsAUsageError(t *testing.T) {
	if r := runCmd(t, nil, "", "dev"); r.code != exitUsage {
		t.Errorf("medic dev: exit %d", r.code)
	}
	if r := runCmd(t, nil, "", "dev", "switch", "--outbox", "/tmp"); r.code != exitUsage {
		t.Errorf("--outbox alone: exit %d", r.code)
	}
}
