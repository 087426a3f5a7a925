// Package claimswitch holds the adapters of medic.ClaimSwitch: Client
// speaks the switch's JSON over HTTP, Files writes claim batch files and
// reads the switch's reply files. Both formats are documented in
// docs/claims-switch.md; the simulator in switchsim serves the same wire.
package claimswitch

import (
	"time"

	"medic"
)

// The JSON wire format (docs/claims-switch.md). These types are the
// document; the simulator and the client both use them.

// WireClaim is the body of POST /v1/claims.
type WireClaim struct {
	Reference                string      `json:"reference"`
	PracticeNumber           string      `json:"practice_number"`
	PractitionerRegistration string      `json:"practitioner_registration"`
	ServiceDate              string      `json:"service_date,omitempty"`
	Currency                 string      `json:"currency"`
	Patient                  WirePatient `json:"patient"`
	Lines                    []WireLine  `json:"lines"`
}

// WirePatient is the member (or dependant) claimed for.
type WirePatient struct {
	GivenName     string `json:"given_name"`
	FamilyName    string `json:"family_name"`
	DateOfBirth   string `json:"date_of_birth,omitempty"`
	Scheme        string `json:"scheme"`
	Plan          string `json:"plan,omitempty"`
	MemberNumber  string `json:"member_number"`
	DependentCode string `json:"dependent_code"`
}

// WireLine is one claim line; ICD10's first code is the primary one.
type WireLine struct {
	TariffCode  string   `json:"tariff_code"`
	Description string   `json:"description,omitempty"`
	Quantity    int      `json:"quantity"`
	AmountCents int64    `json:"amount_cents"`
	ICD10       []string `json:"icd10"`
}

// WireReply answers POST /v1/claims and GET /v1/claims/{ref}.
type WireReply struct {
	ClaimRef   string          `json:"claim_ref"`
	State      string          `json:"state"`
	Rejections []WireRejection `json:"rejections"`
	At         time.Time       `json:"at"`
}

// WireRejection is one reason code; line 0 is the whole claim.
type WireRejection struct {
	Line    int    `json:"line"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// WireRemittance answers GET /v1/claims/{ref}/remittance.
type WireRemittance struct {
	RemittanceID string               `json:"remittance_id"`
	ClaimRef     string               `json:"claim_ref"`
	ClaimedCents int64                `json:"claimed_cents"`
	PaidCents    int64                `json:"paid_cents"`
	PaidOn       string               `json:"paid_on"`
	Reference    string               `json:"reference"`
	Lines        []WireRemittanceLine `json:"lines"`
}

// WireRemittanceLine is what was paid on one claim line.
type WireRemittanceLine struct {
	Line         int    `json:"line"`
	ClaimedCents int64  `json:"claimed_cents"`
	PaidCents    int64  `json:"paid_cents"`
	Reason       string `json:"reason,omitempty"`
}

// WireMembership is the body of POST /v1/membership.
type WireMembership struct {
	Scheme        string `json:"scheme"`
	Plan          string `json:"plan,omitempty"`
	MemberNumber  string `json:"member_number"`
	DependentCode string `json:"dependent_code"`
	DateOfBirth   string `json:"date_of_birth,omitempty"`
	On            string `json:"on,omitempty"`
}

// WireMembershipReply answers it.
type WireMembershipReply struct {
	Active bool   `json:"active"`
	Reason string `json:"reason,omitempty"`
}

// WireError is the body of every 4xx and 5xx answer.
type WireError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// Error codes of WireError.
const (
	WireBadRequest       = "bad_request"
	WireUnauthorized     = "unauthorized"
	WireNotFound         = "not_found"
	WireNoRemittance     = "no_remittance"
	WireKeyReused        = "idempotency_key_reused"
	WireMissingKey       = "idempotency_key_missing"
	WireSwitchError      = "switch_error"
	IdempotencyKeyHeader = "Idempotency-Key"
)

// ClaimToWire is the wire form of a claim.
func ClaimToWire(c *medic.ClaimSubmission) WireClaim {
	w := WireClaim{
		Reference:                c.Reference,
		PracticeNumber:           c.PracticeNumber,
		PractitionerRegistration: c.PractitionerRegistration,
		ServiceDate:              dateText(c.ServiceDate),
		Currency:                 c.Currency,
		Patient: WirePatient{
			GivenName: c.Patient.GivenName, FamilyName: c.Patient.FamilyName,
			DateOfBirth: dateText(c.Patient.DateOfBirth),
			Scheme:      c.Patient.Scheme, Plan: c.Patient.Plan,
			MemberNumber: c.Patient.MemberNumber, DependentCode: c.Patient.DependentCode,
		},
		Lines: make([]WireLine, len(c.Lines)),
	}
	for i, l := range c.Lines {
		w.Lines[i] = WireLine{TariffCode: l.TariffCode, Description: l.Description, Quantity: l.Quantity,
			AmountCents: l.AmountCents, ICD10: append([]string{}, l.ICD10...)}
	}
	return w
}

// ClaimFromWire is the claim a wire body carries (dates that do not parse
// are left zero; the switch judges the content).
func ClaimFromWire(key string, w WireClaim) *medic.ClaimSubmission {
	c := &medic.ClaimSubmission{
		IdempotencyKey: key, Reference: w.Reference,
		PracticeNumber: w.PracticeNumber, PractitionerRegistration: w.PractitionerRegistration,
		ServiceDate: parseDate(w.ServiceDate), Currency: w.Currency,
		Patient: medic.ClaimPatient{
			GivenName: w.Patient.GivenName, FamilyName: w.Patient.FamilyName,
			DateOfBirth: parseDate(w.Patient.DateOfBirth),
			Scheme:      w.Patient.Scheme, Plan: w.Patient.Plan,
			MemberNumber: w.Patient.MemberNumber, DependentCode: w.Patient.DependentCode,
		},
	}
	for _, l := range w.Lines {
		c.Lines = append(c.Lines, medic.ClaimLine{TariffCode: l.TariffCode, Description: l.Description,
			Quantity: l.Quantity, AmountCents: l.AmountCents, ICD10: append([]string{}, l.ICD10...)})
	}
	return c
}

// ReplyToWire and ReplyFromWire convert a switch answer.
func ReplyToWire(r *medic.SwitchReply) WireReply {
	w := WireReply{ClaimRef: r.Ref, State: string(r.State), Rejections: []WireRejection{}, At: r.At}
	for _, x := range r.Rejections {
		w.Rejections = append(w.Rejections, WireRejection{Line: x.Line, Code: x.Code, Message: x.Message})
	}
	return w
}

func ReplyFromWire(w WireReply) *medic.SwitchReply {
	r := &medic.SwitchReply{Ref: w.ClaimRef, State: medic.SwitchState(w.State), At: w.At}
	for _, x := range w.Rejections {
		r.Rejections = append(r.Rejections, medic.ClaimRejection{Line: x.Line, Code: x.Code, Message: x.Message})
	}
	return r
}

// RemittanceToWire and RemittanceFromWire convert a payment advice.
func RemittanceToWire(r *medic.Remittance) WireRemittance {
	w := WireRemittance{RemittanceID: r.ID, ClaimRef: r.Ref, ClaimedCents: r.ClaimedCents, PaidCents: r.PaidCents,
		PaidOn: dateText(r.PaidOn), Reference: r.Reference, Lines: []WireRemittanceLine{}}
	for _, l := range r.Lines {
		w.Lines = append(w.Lines, WireRemittanceLine{Line: l.Line, ClaimedCents: l.ClaimedCents, PaidCents: l.PaidCents, Reason: l.Reason})
	}
	return w
}

func RemittanceFromWire(w WireRemittance) *medic.Remittance {
	r := &medic.Remittance{ID: w.RemittanceID, Ref: w.ClaimRef, ClaimedCents: w.ClaimedCents, PaidCents: w.PaidCents,
		PaidOn: parseDate(w.PaidOn), Reference: w.Reference}
	for _, l := range w.Lines {
		r.Lines = append(r.Lines, medic.RemittanceLine{Line: l.Line, ClaimedCents: l.ClaimedCents, PaidCents: l.PaidCents, Reason: l.Reason})
	}
	return r
}

// MembershipToWire and MembershipFromWire convert a membership question.
func MembershipToWire(q medic.MembershipQuery) WireMembership {
	return WireMembership{Scheme: q.Scheme, Plan: q.Plan, MemberNumber: q.MemberNumber, DependentCode: q.DependentCode,
		DateOfBirth: dateText(q.DateOfBirth), On: dateText(q.On)}
}

func MembershipFromWire(w WireMembership) medic.MembershipQuery {
	return medic.MembershipQuery{Scheme: w.Scheme, Plan: w.Plan, MemberNumber: w.MemberNumber, DependentCode: w.DependentCode,
		DateOfBirth: parseDate(w.DateOfBirth), On: parseDate(w.On)}
}

func dateText(d medic.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

func parseDate(s string) medic.Date {
	d, err := medic.ParseDate(s)
	if err != nil {
		return medic.Date{}
	}
	return d
}
