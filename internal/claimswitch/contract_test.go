package claimswitch_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"medic"
	"medic/internal/claimswitch"
	"medic/internal/claimswitch/switchsim"
)

var clock = func() time.Time { return time.Date(2026, 12, 6, 9, 30, 0, 0, time.UTC) }

// target is one way of reaching the switch: the in-process twin, the HTTP
// adapter against the simulator's server, the file adapter against the
// simulator's batch processing.
type target struct {
	name       string
	cs         medic.ClaimSwitch
	sim        *switchsim.Switch
	settle     func(t *testing.T) // lets the switch catch up (batch files)
	membership bool               // CheckMembership works
}

func targets(t *testing.T) []func(t *testing.T) target {
	return []func(t *testing.T) target{
		func(t *testing.T) target {
			sim := switchsim.New(clock)
			return target{name: "twin", cs: sim, sim: sim, settle: func(*testing.T) {}, membership: true}
		},
		func(t *testing.T) target {
			srv := switchsim.Start(t, clock)
			return target{name: "http", cs: claimswitch.NewClient(srv.URL, srv.APIKey), sim: srv.Switch, settle: func(*testing.T) {}, membership: true}
		},
		func(t *testing.T) target {
			sim := switchsim.New(clock)
			out, in := t.TempDir(), t.TempDir()
			return target{name: "files", cs: claimswitch.NewFiles(out, in), sim: sim, settle: func(t *testing.T) {
				t.Helper()
				if _, err := sim.ProcessBatches(context.Background(), out, in); err != nil {
					t.Fatalf("switch processing batches: %v", err)
				}
			}}
		},
	}
}

// contract runs fn against every target.
func contract(t *testing.T, fn func(t *testing.T, tg target)) {
	for _, mk := range targets(t) {
		tg := mk(t)
		t.Run(tg.name, func(t *testing.T) { fn(t, tg) })
	}
}

func claimFor(key, member string) *medic.ClaimSubmission {
	return &medic.ClaimSubmission{
		IdempotencyKey: key, Reference: "INV-000042", PracticeNumber: "0123456", PractitionerRegistration: "MP0123456",
		ServiceDate: medic.NewDate(2026, 12, 5), Currency: "ZAR",
		Patient: medic.ClaimPatient{GivenName: "Thandi", FamilyName: "Mokoena", DateOfBirth: medic.NewDate(1984, 3, 2),
			Scheme: "Discovery Health", Plan: "Classic Saver", MemberNumber: member, DependentCode: "00"},
		Lines: []medic.ClaimLine{
			{TariffCode: "0190", Description: "Consultation | GP", Quantity: 1, AmountCents: 52000, ICD10: []string{"J06.9"}},
			{TariffCode: "0308", Description: "Wound care", Quantity: 1, AmountCents: 31050, ICD10: []string{"S52.5", "W19.9"}},
		},
	}
}

// submitAndSettle submits and returns the switch's settled answer.
func submitAndSettle(t *testing.T, tg target, c *medic.ClaimSubmission) *medic.SwitchReply {
	t.Helper()
	r, err := tg.cs.Submit(context.Background(), c)
	if err != nil {
		t.Fatalf("Submit: %v", err)
	}
	if r.Ref == "" {
		t.Fatal("Submit gave no reference")
	}
	tg.settle(t)
	got, err := tg.cs.Status(context.Background(), r.Ref)
	if err != nil {
		t.Fatalf("Status(%s): %v", r.Ref, err)
	}
	if got.Ref != r.Ref {
		t.Errorf("Status ref = %q, Submit's %q", got.Ref, r.Ref)
	}
	return got
}

func TestContractPaidInFull(t *testing.T) {
	contract(t, func(t *testing.T, tg target) {
		r := submitAndSettle(t, tg, claimFor("inv42-v1", "12345678"))
		if r.State != medic.SwitchPaid || len(r.Rejections) != 0 {
			t.Fatalf("state %s, rejections %v; want paid", r.State, r.Rejections)
		}
		rem, err := tg.cs.Remittance(context.Background(), r.Ref)
		if err != nil {
			t.Fatal(err)
		}
		if rem.ID == "" || rem.ClaimedCents != 83050 || rem.PaidCents != 83050 || rem.PartPaid() || len(rem.Lines) != 2 {
			t.Errorf("remittance = %+v; want 830.50 paid in full on 2 lines", rem)
		}
		if rem.PaidOn != medic.NewDate(2026, 12, 6) || rem.Reference == "" {
			t.Errorf("paid on %s ref %q", rem.PaidOn, rem.Reference)
		}
	})
}

func TestContractPartPaid(t *testing.T) {
	contract(t, func(t *testing.T, tg target) {
		r := submitAndSettle(t, tg, claimFor("inv43-v1", "12345675"))
		if r.State != medic.SwitchPartPaid {
			t.Fatalf("state %s; want part_paid", r.State)
		}
		rem, err := tg.cs.Remittance(context.Background(), r.Ref)
		if err != nil {
			t.Fatal(err)
		}
		// 80% of each line, rounded down: 41600 + 24840.
		if rem.PaidCents != 66440 || !rem.PartPaid() || rem.Lines[1].PaidCents != 24840 || rem.Lines[1].Reason != medic.ReasonPaidAtSchemeRate {
			t.Errorf("remittance = %+v", rem)
		}
	})
}

func TestContractRejections(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(c *medic.ClaimSubmission)
		line   int
		reason string
	}{
		{"a line without ICD-10", func(c *medic.ClaimSubmission) { c.Lines[1].ICD10 = nil }, 2, medic.ReasonMissingICD10},
		{"a malformed ICD-10 code", func(c *medic.ClaimSubmission) { c.Lines[0].ICD10 = []string{"flu"} }, 1, medic.ReasonInvalidICD10},
		{"a malformed member number", func(c *medic.ClaimSubmission) { c.Patient.MemberNumber = "x" }, 0, medic.ReasonInvalidMember},
		{"an unknown member", func(c *medic.ClaimSubmission) { c.Patient.MemberNumber = "12345600" }, 0, medic.ReasonMembershipUnknown},
		{"a bad dependant code", func(c *medic.ClaimSubmission) { c.Patient.DependentCode = "A" }, 0, medic.ReasonInvalidDependent},
		{"an exhausted benefit", func(c *medic.ClaimSubmission) { c.Patient.MemberNumber = "12345699" }, 0, medic.ReasonBenefitExhausted},
	}
	contract(t, func(t *testing.T, tg target) {
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				c := claimFor(fmt.Sprintf("rej-%d", i), "12345678")
				tt.edit(c)
				r := submitAndSettle(t, tg, c)
				if r.State != medic.SwitchRejected || len(r.Rejections) != 1 {
					t.Fatalf("state %s, rejections %+v; want one rejection", r.State, r.Rejections)
				}
				if got := r.Rejections[0]; got.Line != tt.line || got.Code != tt.reason || got.Message == "" {
					t.Errorf("rejection = %+v; want line %d %s", got, tt.line, tt.reason)
				}
				if _, err := tg.cs.Remittance(context.Background(), r.Ref); !errors.Is(err, medic.ErrNoRemittance) {
					t.Errorf("remittance of a rejected claim: %v", err)
				}
			})
		}
	})
}

func TestContractIdempotent(t *testing.T) {
	contract(t, func(t *testing.T, tg target) {
		ctx := context.Background()
		first := submitAndSettle(t, tg, claimFor("inv44-v1", "12345678"))
		again, err := tg.cs.Submit(ctx, claimFor("inv44-v1", "12345678"))
		if err != nil {
			t.Fatal(err)
		}
		tg.settle(t)
		if again.Ref != first.Ref || again.State != first.State {
			t.Errorf("repeat = %+v; first %+v", again, first)
		}
		if n := tg.sim.Claims(); n != 1 {
			t.Errorf("the switch holds %d claims after a repeat; want 1", n)
		}
		changed := claimFor("inv44-v1", "12345678")
		changed.Lines[0].AmountCents++
		if _, err := tg.cs.Submit(ctx, changed); medic.ErrorCode(err) != medic.ECONFLICT {
			t.Errorf("different claim under a used key: %v; want conflict", err)
		}
		tg.settle(t)
		if n := tg.sim.Claims(); n != 1 {
			t.Errorf("the switch holds %d claims; want 1", n)
		}
	})
}

func TestContractRemittanceLater(t *testing.T) {
	contract(t, func(t *testing.T, tg target) {
		ctx := context.Background()
		tg.sim.HoldRemittances(true)
		r := submitAndSettle(t, tg, claimFor("inv45-v1", "12345678"))
		if r.State != medic.SwitchAccepted {
			t.Fatalf("state %s; want accepted", r.State)
		}
		if _, err := tg.cs.Remittance(ctx, r.Ref); !errors.Is(err, medic.ErrNoRemittance) {
			t.Fatalf("remittance before payment: %v", err)
		}
		if n := tg.sim.PayHeld(); n != 1 {
			t.Fatalf("paid %d", n)
		}
		tg.settle(t)
		rem, err := tg.cs.Remittance(ctx, r.Ref)
		if err != nil || rem.PaidCents != 83050 {
			t.Fatalf("remittance after payment: %+v %v", rem, err)
		}
		if s, _ := tg.cs.Status(ctx, r.Ref); s.State != medic.SwitchPaid {
			t.Errorf("state after payment %s", s.State)
		}
	})
}

func TestContractUnknownClaim(t *testing.T) {
	contract(t, func(t *testing.T, tg target) {
		if _, err := tg.cs.Status(context.Background(), "nothing-here"); medic.ErrorCode(err) != medic.ENOTFOUND {
			t.Errorf("Status: %v", err)
		}
		if _, err := tg.cs.Remittance(context.Background(), "nothing-here"); medic.ErrorCode(err) != medic.ENOTFOUND || errors.Is(err, medic.ErrNoRemittance) {
			t.Errorf("Remittance: %v", err)
		}
	})
}

func TestContractMembership(t *testing.T) {
	contract(t, func(t *testing.T, tg target) {
		ctx := context.Background()
		q := medic.MembershipQuery{Scheme: "Discovery Health", MemberNumber: "12345678", DependentCode: "01", On: medic.NewDate(2026, 12, 6)}
		m, err := tg.cs.CheckMembership(ctx, q)
		if !tg.membership {
			if !errors.Is(err, claimswitch.ErrMembershipOffline) {
				t.Errorf("offline switch: %v", err)
			}
			return
		}
		if err != nil || !m.Active {
			t.Fatalf("active member: %+v %v", m, err)
		}
		q.MemberNumber = "12345600"
		if m, err := tg.cs.CheckMembership(ctx, q); err != nil || m.Active || m.Reason != medic.ReasonMembershipUnknown {
			t.Errorf("unknown member: %+v %v", m, err)
		}
	})
}
