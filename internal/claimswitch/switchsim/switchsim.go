// Package switchsim is a medical-aid claims switch simulator: the local
// twin of medic.ClaimSwitch for tests and the demo (`medic dev switch`).
// Switch answers in process, Handler serves it over the JSON wire format
// and ProcessBatches over the batch files (docs/claims-switch.md), so one
// contract table runs against all three.
//
// It adjudicates from the claim's content alone, so every outcome can be
// chosen by the data (docs/claims-switch.md lists the rules): a member
// number ending in 00 is unknown, in 99 has exhausted its benefit, in 5 is
// paid at the scheme rate (80%); a line without an ICD-10 code is refused.
package switchsim

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"medic"
	"medic/internal/claimswitch"
)

// SchemeRatePercent is what the simulator pays of a line for members whose
// number ends in 5.
const SchemeRatePercent = 80

// Switch is the simulator's state, safe for concurrent use.
type Switch struct {
	now func() time.Time

	mu sync.Mutex
	// HoldRemittances keeps accepted claims unpaid until PayHeld (to see
	// the accepted state stand); off, the scheme pays on acceptance.
	holdRemittances bool
	byKey           map[string]*claim
	byRef           map[string]*claim
	calls           int // Submit calls, repeats included
	dropReplies     int // HTTP replies to lose after the work is done
}

type claim struct {
	fingerprint string
	submission  *medic.ClaimSubmission
	reply       medic.SwitchReply
	remittance  *medic.Remittance // nil until paid
}

var _ medic.ClaimSwitch = (*Switch)(nil)

// New makes an empty switch on the given clock (time.Now if nil).
func New(now func() time.Time) *Switch {
	if now == nil {
		now = time.Now
	}
	return &Switch{now: now, byKey: map[string]*claim{}, byRef: map[string]*claim{}}
}

// HoldRemittances makes the scheme wait for PayHeld before paying.
func (s *Switch) HoldRemittances(hold bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.holdRemittances = hold
}

// PayHeld pays every accepted, unpaid claim; it returns how many.
func (s *Switch) PayHeld() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.byKey {
		if c.reply.State == medic.SwitchAccepted && c.remittance == nil {
			s.pay(c)
			n++
		}
	}
	return n
}

// Claims is how many distinct claims the switch holds: a retried
// submission must not add one.
func (s *Switch) Claims() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.byKey)
}

// Calls is how many times Submit was called, repeats included.
func (s *Switch) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// DropReplies makes the HTTP server do the next n submissions and then
// lose the reply (the connection breaks): a crash between submission and
// acknowledgement, as the caller sees it.
func (s *Switch) DropReplies(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropReplies = n
}

func (s *Switch) takeDrop() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dropReplies > 0 {
		s.dropReplies--
		return true
	}
	return false
}

// Submit adjudicates a claim, once per idempotency key.
func (s *Switch) Submit(ctx context.Context, sub *medic.ClaimSubmission) (*medic.SwitchReply, error) {
	if sub.IdempotencyKey == "" {
		return nil, medic.Errorf(medic.EINVALID, "A claim needs an idempotency key.")
	}
	fp, err := json.Marshal(claimswitch.ClaimToWire(sub))
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if c, ok := s.byKey[sub.IdempotencyKey]; ok {
		if c.fingerprint != string(fp) {
			return nil, medic.Errorf(medic.ECONFLICT, "The switch already holds a different claim under this key.")
		}
		return copyReply(c.reply), nil
	}
	c := &claim{fingerprint: string(fp), submission: sub}
	c.reply = medic.SwitchReply{Ref: fmt.Sprintf("SIM-%06d", len(s.byKey)+1), State: medic.SwitchAccepted, At: s.now()}
	c.reply.Rejections = adjudicate(sub)
	if len(c.reply.Rejections) > 0 {
		c.reply.State = medic.SwitchRejected
	}
	s.byKey[sub.IdempotencyKey] = c
	s.byRef[c.reply.Ref] = c
	if c.reply.State == medic.SwitchAccepted && !s.holdRemittances {
		s.pay(c)
	}
	return copyReply(c.reply), nil
}

// adjudicate is the scheme's judgement: the reasons to refuse, if any.
func adjudicate(c *medic.ClaimSubmission) []medic.ClaimRejection {
	var out []medic.ClaimRejection
	refuse := func(line int, code, msg string) {
		out = append(out, medic.ClaimRejection{Line: line, Code: code, Message: msg})
	}
	member, err := medic.NormalizeMemberNumber(c.Patient.MemberNumber)
	switch {
	case err != nil:
		refuse(0, medic.ReasonInvalidMember, "Member number format is invalid.")
	case strings.HasSuffix(member, "00"):
		refuse(0, medic.ReasonMembershipUnknown, "The scheme has no member with this number.")
	}
	if _, err := medic.NormalizeDependentCode(c.Patient.DependentCode); err != nil {
		refuse(0, medic.ReasonInvalidDependent, "Dependant code is invalid.")
	}
	if strings.TrimSpace(c.PracticeNumber) == "" {
		refuse(0, medic.ReasonInvalidPractice, "Practice number is missing.")
	}
	for i, l := range c.Lines {
		if len(l.ICD10) == 0 {
			refuse(i+1, medic.ReasonMissingICD10, "Line has no ICD-10 code.")
			continue
		}
		for _, code := range l.ICD10 {
			if _, err := medic.NormalizeICD10(code); err != nil {
				refuse(i+1, medic.ReasonInvalidICD10, "ICD-10 code is not valid.")
				break
			}
		}
	}
	if len(c.Lines) == 0 {
		refuse(0, medic.ReasonMissingICD10, "Claim has no lines.")
	}
	if len(out) == 0 && strings.HasSuffix(member, "99") {
		refuse(0, medic.ReasonBenefitExhausted, "The member's benefit for this service is exhausted.")
	}
	return out
}

// pay writes the claim's remittance (s.mu held).
func (s *Switch) pay(c *claim) {
	member, _ := medic.NormalizeMemberNumber(c.submission.Patient.MemberNumber)
	r := &medic.Remittance{ID: "RA-" + c.reply.Ref, Ref: c.reply.Ref, PaidOn: medic.DateOf(s.now()), Reference: "SIMEFT" + strings.TrimPrefix(c.reply.Ref, "SIM-")}
	for i, l := range c.submission.Lines {
		rl := medic.RemittanceLine{Line: i + 1, ClaimedCents: l.AmountCents, PaidCents: l.AmountCents}
		if strings.HasSuffix(member, "5") {
			rl.PaidCents = l.AmountCents * SchemeRatePercent / 100
			rl.Reason = medic.ReasonPaidAtSchemeRate
		}
		r.Lines = append(r.Lines, rl)
		r.ClaimedCents += rl.ClaimedCents
		r.PaidCents += rl.PaidCents
	}
	c.remittance = r
	c.reply.State = medic.SwitchPaid
	if r.PartPaid() {
		c.reply.State = medic.SwitchPartPaid
	}
}

// Status reads a claim by the switch's reference.
func (s *Switch) Status(ctx context.Context, ref string) (*medic.SwitchReply, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.byRef[ref]
	if !ok {
		return nil, medic.ErrNotFound
	}
	return copyReply(c.reply), nil
}

// Remittance reads a claim's payment advice.
func (s *Switch) Remittance(ctx context.Context, ref string) (*medic.Remittance, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.byRef[ref]
	if !ok {
		return nil, medic.ErrNotFound
	}
	if c.remittance == nil {
		return nil, medic.ErrNoRemittance
	}
	r := *c.remittance
	r.Lines = append([]medic.RemittanceLine(nil), r.Lines...)
	return &r, nil
}

// CheckMembership applies the same member rules as adjudication.
func (s *Switch) CheckMembership(ctx context.Context, q medic.MembershipQuery) (*medic.MembershipReply, error) {
	member, err := medic.NormalizeMemberNumber(q.MemberNumber)
	switch {
	case err != nil:
		return &medic.MembershipReply{Reason: medic.ReasonInvalidMember}, nil
	case strings.HasSuffix(member, "00"):
		return &medic.MembershipReply{Reason: medic.ReasonMembershipUnknown}, nil
	}
	if _, err := medic.NormalizeDependentCode(q.DependentCode); err != nil {
		return &medic.MembershipReply{Reason: medic.ReasonInvalidDependent}, nil
	}
	return &medic.MembershipReply{Active: true}, nil
}

// remittanceByKey is a claim's remittance by its idempotency key, nil while
// unpaid (for the batch files).
func (s *Switch) remittanceByKey(key string) *medic.Remittance {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.byKey[key]; ok && c.remittance != nil {
		r := *c.remittance
		return &r
	}
	return nil
}

func copyReply(r medic.SwitchReply) *medic.SwitchReply {
	r.Rejections = append([]medic.ClaimRejection(nil), r.Rejections...)
	return &r
}
