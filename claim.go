package medic

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ClaimStatus is where a medical-aid claim stands:
//
//	draft -> submitted -> accepted -> paid | part_paid -> closed
//	                   -> rejected -> (a new version, corrected) | closed
//
// A rejected claim is corrected in a new version (a new draft with a new
// idempotency key); the rejected one stays as it was.
type ClaimStatus string

const (
	ClaimDraft     ClaimStatus = "draft"
	ClaimSubmitted ClaimStatus = "submitted"
	ClaimAccepted  ClaimStatus = "accepted"
	ClaimRejected  ClaimStatus = "rejected"
	ClaimPaid      ClaimStatus = "paid"
	ClaimPartPaid  ClaimStatus = "part_paid"
	ClaimClosed    ClaimStatus = "closed"
)

// ClaimStatuses in lifecycle order.
var ClaimStatuses = []ClaimStatus{ClaimDraft, ClaimSubmitted, ClaimAccepted, ClaimRejected, ClaimPaid, ClaimPartPaid, ClaimClosed}

func (s ClaimStatus) Valid() bool {
	for _, v := range ClaimStatuses {
		if s == v {
			return true
		}
	}
	return false
}

// Label is the status as the desk shows it.
func (s ClaimStatus) Label() string {
	switch s {
	case ClaimPartPaid:
		return "Part-paid"
	case "":
		return ""
	}
	return strings.ToUpper(string(s[:1])) + string(s[1:])
}

// Closable: a paid, part-paid or rejected claim can be closed (the
// balance falls to the patient).
func (s ClaimStatus) Closable() bool {
	return s == ClaimPaid || s == ClaimPartPaid || s == ClaimRejected
}

// Claim is one version of a medical-aid claim for an issued invoice: what
// is sent (Submission: membership, numbers, lines with their ICD-10
// codes), and what the switch answered and paid.
type Claim struct {
	ID             string
	InvoiceID      string
	PatientID      string
	Version        int
	Status         ClaimStatus
	IdempotencyKey string // per version: "claim-<id>"
	Submission     ClaimSubmission
	Currency       string
	ClaimedCents   int64
	PaidCents      int64

	SwitchRef           string
	Rejections          []ClaimRejection
	RemittanceID        string
	RemittanceReference string
	PaymentID           string // the medical_aid payment the remittance became
	// LastError says, in words safe to show, why the last attempt to reach
	// the switch failed (the job retries with backoff).
	LastError string
	Attempts  int

	CreatedBy, SubmittedBy, ClosedBy string
	CreatedAt, UpdatedAt             time.Time
	SubmittedAt, AnsweredAt, PaidAt  time.Time
	ClosedAt                         time.Time

	// Joined for display.
	InvoiceNumber int64
	PatientName   string
}

// ClaimKey is the idempotency key of a claim version (its id is new per
// version, so a corrected claim is never taken for the first).
func ClaimKey(claimID string) string { return "claim-" + claimID }

// ClaimFromInvoice is what a claim says about an issued invoice: its lines
// (amounts as billed, VAT included) with their ICD-10 codes, the chart's
// medical aid, the practice number (the treating practitioner's own, when
// set) and the practitioner's registration number; pr is nil for an
// invoice not billed from a visit.
func ClaimFromInvoice(inv *Invoice, p *Patient, practiceNumber string, pr *Practitioner) *ClaimSubmission {
	sub := &ClaimSubmission{
		Reference: FormatInvoiceNumber(inv.Number), PracticeNumber: practiceNumber,
		ServiceDate: inv.InvoiceDate, Currency: inv.Currency,
		Patient: ClaimPatient{GivenName: p.GivenName, FamilyName: p.FamilyName, DateOfBirth: p.DateOfBirth,
			Scheme: p.MedicalAid.Scheme, MemberNumber: p.MedicalAid.MemberNumber, DependentCode: p.MedicalAid.DependentCode},
	}
	if pr != nil {
		sub.PractitionerRegistration = pr.RegistrationNumber
		if pr.PracticeNumber != "" {
			sub.PracticeNumber = pr.PracticeNumber
		}
	}
	for _, l := range inv.Lines {
		sub.Lines = append(sub.Lines, ClaimLine{TariffCode: l.Code, Description: l.Description, Quantity: l.Quantity,
			AmountCents: l.TotalCents, ICD10: append([]string{}, l.ICD10...)})
	}
	return sub
}

// ClaimEdit corrects a draft: the membership as the scheme knows it and
// each line's ICD-10 codes (amounts come from the invoice and do not
// change).
type ClaimEdit struct {
	Scheme        string
	Plan          string
	MemberNumber  string
	DependentCode string
	LineICD10     [][]string // by line; nil leaves the codes as they are
}

// Apply puts the edit on c's submission, checking what can be checked
// without the catalog (CheckClaim does the rest at submission).
func (e ClaimEdit) Apply(c *Claim) error {
	f := FieldErrors{}
	s := &c.Submission
	s.Patient.Scheme, s.Patient.Plan = e.Scheme, e.Plan
	s.Patient.MemberNumber, s.Patient.DependentCode = e.MemberNumber, e.DependentCode
	f.Line("scheme", &s.Patient.Scheme, MaxShortText)
	f.Line("plan", &s.Patient.Plan, MaxShortText)
	f.Line("member_number", &s.Patient.MemberNumber, 50)
	f.Line("dependent_code", &s.Patient.DependentCode, 10)
	if e.LineICD10 != nil {
		if len(e.LineICD10) != len(s.Lines) {
			f.Add("lines", fmt.Sprintf("Give the codes of all %d lines.", len(s.Lines)))
		} else {
			for i, codes := range e.LineICD10 {
				kept := []string{}
				for _, c := range codes {
					if c != "" {
						kept = append(kept, c)
					}
				}
				if len(kept) > MaxClaimLineICD10 {
					f.Add(fmt.Sprintf("lines.%d.icd10", i), fmt.Sprintf("A line carries at most %d codes.", MaxClaimLineICD10))
				}
				s.Lines[i].ICD10 = kept
			}
		}
	}
	return f.Err()
}

// MaxClaimLineICD10 bounds the codes on a claim line.
const MaxClaimLineICD10 = 12

// ClaimJob drives one submitted claim through the switch: submit (once per
// idempotency key), record the answer, and fetch the remittance, retried
// with backoff until the claim is answered and paid or rejected.
type ClaimJob struct {
	PracticeID string `json:"practice_id"`
	ClaimID    string `json:"claim_id"`
}

func (ClaimJob) Kind() string { return "claim_submit" }

// UniqueByArgs: one job per claim at a time.
func (ClaimJob) UniqueByArgs() bool { return true }

// ErrClaimWaiting is what a claim job returns while the switch has not
// answered or the scheme has not paid: the job looks again later.
var ErrClaimWaiting = errors.New("claim: waiting for the switch")

// ClaimFilter narrows a listing.
type ClaimFilter struct {
	InvoiceID string
	PatientID string
	Status    ClaimStatus
}

// ClaimService stores the claims of the practice in context; ENOTFOUND for
// another practice's claim or invoice.
type ClaimService interface {
	// CreateClaim stores c as a draft (its Version the next for the
	// invoice). ECONFLICT while the invoice has another claim that is not
	// rejected or closed.
	CreateClaim(ctx context.Context, c *Claim) error
	FindClaim(ctx context.Context, id string) (*Claim, error)
	// ListClaims pages through claims, newest first.
	ListClaims(ctx context.Context, f ClaimFilter, p Page) ([]*Claim, string, error)
	// UpdateClaimDraft saves a draft's submission; ECONFLICT unless draft.
	UpdateClaimDraft(ctx context.Context, c *Claim) error
	// SubmitClaim moves a draft to submitted and queues its ClaimJob, in
	// one transaction; ECONFLICT unless draft.
	SubmitClaim(ctx context.Context, id, by string, at time.Time) (*Claim, error)
	// RecordClaimAnswer saves the switch's answer on a submitted claim:
	// its reference and, when final, accepted or rejected with reasons.
	// ECONFLICT unless submitted.
	RecordClaimAnswer(ctx context.Context, id string, r *SwitchReply, at time.Time) (*Claim, error)
	// RecordClaimAttempt counts a failed attempt to reach the switch with
	// its safe reason.
	RecordClaimAttempt(ctx context.Context, id, reason string) error
	// RecordClaimRemittance marks an accepted claim paid or part-paid by
	// the remittance, naming the payment it became. ECONFLICT unless
	// accepted (a remittance is recorded once).
	RecordClaimRemittance(ctx context.Context, id string, r *Remittance, paymentID string, at time.Time) (*Claim, error)
	// CloseClaim closes a paid, part-paid or rejected claim; ECONFLICT
	// otherwise.
	CloseClaim(ctx context.Context, id, by string, at time.Time) (*Claim, error)
}
