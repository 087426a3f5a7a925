package medic

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// ClaimSwitch is a medical-aid claims switch: the clearing house that takes
// a practice's claim to the patient's scheme and brings back the scheme's
// answer and, later, its remittance (what it paid). Adapters live in
// internal/claimswitch; a simulator (internal/claimswitch/switchsim) is the
// local twin for the demo and the tests. Every call goes over the network:
// callers make them from jobs, never inside a request's transaction.
type ClaimSwitch interface {
	// Submit hands a claim to the switch. The same IdempotencyKey always
	// gets the same answer and never a second claim at the scheme, so a
	// retry after a lost reply is safe. A claim that fails the switch's
	// own checks is answered with SwitchRejected and reasons, not an error;
	// errors are transport or switch failures (retry later).
	Submit(ctx context.Context, c *ClaimSubmission) (*SwitchReply, error)
	// Status is where a submitted claim stands, by the switch's reference.
	Status(ctx context.Context, ref string) (*SwitchReply, error)
	// Remittance is the scheme's payment advice for an accepted claim;
	// ErrNoRemittance while the scheme has not paid yet.
	Remittance(ctx context.Context, ref string) (*Remittance, error)
	// CheckMembership asks the scheme whether the member (and dependant)
	// is covered on the given day.
	CheckMembership(ctx context.Context, q MembershipQuery) (*MembershipReply, error)
}

// ErrNoRemittance answers Remittance while the scheme has not paid.
var ErrNoRemittance = &Error{Code: ENOTFOUND, Message: "The medical aid has not sent a remittance for this claim yet."}

// SwitchState is where a claim stands at the switch.
type SwitchState string

const (
	SwitchReceived SwitchState = "received" // taken, not yet adjudicated (batch files)
	SwitchAccepted SwitchState = "accepted"
	SwitchRejected SwitchState = "rejected"
	SwitchPaid     SwitchState = "paid"
	SwitchPartPaid SwitchState = "part_paid"
)

// Rejection reason codes a switch answers with (the simulator uses these;
// real switches map theirs onto them).
const (
	ReasonInvalidMember     = "invalid_member"
	ReasonInvalidDependent  = "invalid_dependent"
	ReasonMissingICD10      = "missing_icd10"
	ReasonInvalidICD10      = "invalid_icd10"
	ReasonBenefitExhausted  = "benefit_exhausted"
	ReasonInvalidPractice   = "invalid_practice"
	ReasonPaidAtSchemeRate  = "paid_at_scheme_rate" // a remittance line paid below the claimed amount
	ReasonMembershipUnknown = "member_not_found"
)

// ClaimSubmission is what goes to the switch: one claim version of one
// invoice. Amounts are integer cents, VAT included (what the patient was
// charged).
type ClaimSubmission struct {
	// IdempotencyKey names this claim version; the switch answers a repeat
	// with the first answer.
	IdempotencyKey string
	// Reference is the practice's own reference (the invoice number).
	Reference                string
	PracticeNumber           string
	PractitionerRegistration string // the treating practitioner's (HPCSA) number
	ServiceDate              Date
	Currency                 string
	Patient                  ClaimPatient
	Lines                    []ClaimLine
}

// ClaimPatient is the patient as the scheme knows them.
type ClaimPatient struct {
	GivenName     string
	FamilyName    string
	DateOfBirth   Date
	Scheme        string
	Plan          string
	MemberNumber  string
	DependentCode string
}

// ClaimLine is one tariff item claimed, with its diagnoses (the first is
// the primary one).
type ClaimLine struct {
	TariffCode  string
	Description string
	Quantity    int
	AmountCents int64
	ICD10       []string
}

// TotalCents is the sum of the lines.
func (c *ClaimSubmission) TotalCents() int64 {
	var n int64
	for _, l := range c.Lines {
		n += l.AmountCents
	}
	return n
}

// SwitchReply is the switch's answer about one claim.
type SwitchReply struct {
	Ref        string // the switch's claim reference
	State      SwitchState
	Rejections []ClaimRejection
	At         time.Time
}

// ClaimRejection is why a switch refused a claim; Line is the 1-based claim
// line it is about, 0 for the whole claim.
type ClaimRejection struct {
	Line    int
	Code    string
	Message string
}

// Remittance is a scheme's payment advice for one claim.
type Remittance struct {
	ID           string // the switch's remittance id: a payment is recorded once per id
	Ref          string // the claim it pays
	ClaimedCents int64
	PaidCents    int64
	Lines        []RemittanceLine
	PaidOn       Date
	Reference    string // the EFT reference on the practice's bank statement
}

// RemittanceLine is what the scheme paid on one claim line, and why less.
type RemittanceLine struct {
	Line         int
	ClaimedCents int64
	PaidCents    int64
	Reason       string // a reason code when PaidCents < ClaimedCents
}

// PartPaid reports whether the scheme paid less than claimed.
func (r *Remittance) PartPaid() bool { return r.PaidCents < r.ClaimedCents }

// MembershipQuery asks whether a member is covered.
type MembershipQuery struct {
	Scheme        string
	Plan          string
	MemberNumber  string
	DependentCode string
	DateOfBirth   Date
	On            Date
}

// MembershipReply is the scheme's answer; Reason is a code when not Active.
type MembershipReply struct {
	Active bool
	Reason string
}

// NormalizeMemberNumber checks a medical-aid member number's format and
// returns it as schemes print it: 3 to 20 letters and digits, at least one
// digit, upper case; spaces, dashes and slashes people type are dropped.
func NormalizeMemberNumber(s string) (string, error) {
	var b strings.Builder
	digits := 0
	for _, r := range strings.ToUpper(strings.TrimSpace(s)) {
		switch {
		case r == ' ' || r == '-' || r == '/':
		case r >= '0' && r <= '9':
			digits++
			b.WriteRune(r)
		case r >= 'A' && r <= 'Z':
			b.WriteRune(r)
		default:
			return "", Errorf(EINVALID, "A member number has only letters and digits.")
		}
	}
	n := b.String()
	switch {
	case n == "":
		return "", Errorf(EINVALID, "Enter the medical-aid member number.")
	case len(n) < 3 || len(n) > 20:
		return "", Errorf(EINVALID, "A member number has 3 to 20 letters and digits.")
	case digits == 0:
		return "", Errorf(EINVALID, "A member number has digits.")
	}
	return n, nil
}

// NormalizeDependentCode checks a dependant code: two digits, "00" for the
// main member ("1" is "01").
func NormalizeDependentCode(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 2 {
		return "", Errorf(EINVALID, "A dependant code has two digits: 00 for the main member, 01 and up for dependants.")
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return "", Errorf(EINVALID, "A dependant code has only digits.")
		}
	}
	if len(s) == 1 {
		s = "0" + s
	}
	return s, nil
}

// ICD10Lookup finds a catalog code (ENOTFOUND if none); ICD10Service.FindICD10
// is one.
type ICD10Lookup func(ctx context.Context, code string) (*ICD10Code, error)

// CheckClaim refuses, before submission, a claim a switch would reject on
// its face: the member number, dependant code, practice and practitioner
// numbers missing or malformed, no lines, a line without an amount, or a
// line without a valid ICD-10 code (every code in the catalog and valid for
// clinical use; the first, the primary, valid as a primary diagnosis).
// It normalises the codes in place; field errors name the line
// ("lines.0.icd10").
func CheckClaim(ctx context.Context, c *ClaimSubmission, find ICD10Lookup) error {
	fields := map[string]string{}
	var err error
	if c.Patient.MemberNumber, err = NormalizeMemberNumber(c.Patient.MemberNumber); err != nil {
		fields["member_number"] = ErrorMessage(err)
	}
	if c.Patient.DependentCode, err = NormalizeDependentCode(c.Patient.DependentCode); err != nil {
		fields["dependent_code"] = ErrorMessage(err)
	}
	if strings.TrimSpace(c.Patient.Scheme) == "" {
		fields["scheme"] = "Enter the patient's medical aid scheme."
	}
	if strings.TrimSpace(c.PracticeNumber) == "" {
		fields["practice_number"] = "The practice has no practice number; add it in the practice settings."
	}
	if strings.TrimSpace(c.PractitionerRegistration) == "" {
		fields["practitioner_registration"] = "The treating practitioner has no registration number."
	}
	if len(c.Lines) == 0 {
		fields["lines"] = "A claim has at least one line."
	}
	for i := range c.Lines {
		l := &c.Lines[i]
		key := fmt.Sprintf("lines.%d", i)
		if l.AmountCents <= 0 {
			fields[key+".amount_cents"] = "A claimed line has an amount above zero."
		}
		msg, err := checkLineICD10(ctx, l, find)
		if err != nil {
			return err
		} else if msg != "" {
			fields[key+".icd10"] = msg
		}
	}
	if len(fields) > 0 {
		return &Error{Code: EINVALID, Message: "This claim would be rejected; correct it before submitting.", Fields: fields}
	}
	return nil
}

// checkLineICD10 normalises a line's codes and says what is wrong, if
// anything; an error is the catalog failing.
func checkLineICD10(ctx context.Context, l *ClaimLine, find ICD10Lookup) (string, error) {
	if len(l.ICD10) == 0 {
		return fmt.Sprintf("Line %s has no ICD-10 code; medical aids refuse such claims.", l.TariffCode), nil
	}
	for j, raw := range l.ICD10 {
		code, err := NormalizeICD10(raw)
		if err != nil {
			return fmt.Sprintf("%q is not an ICD-10 code.", raw), nil
		}
		c, err := find(ctx, code)
		if ErrorCode(err) == ENOTFOUND {
			return fmt.Sprintf("%s is not in the ICD-10 catalog.", code), nil
		} else if err != nil {
			return "", fmt.Errorf("icd-10 lookup: %w", err)
		}
		if !c.ValidClinical {
			return fmt.Sprintf("%s is a category; use one of its subdivisions.", code), nil
		}
		if j == 0 && !c.ValidPrimary {
			return fmt.Sprintf("%s cannot be the primary diagnosis; put the condition's code first.", code), nil
		}
		l.ICD10[j] = code
	}
	return "", nil
}
