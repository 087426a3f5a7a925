package app

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"medic"
)

// Medical-aid claims (docs/claims-switch.md). Billing staff and admins
// build a claim from an issued invoice, correct it while a draft and
// submit it; the roles that read invoices read claims. Submission runs in
// a job (RunClaimJob), never inside a request: the request only marks the
// claim submitted and queues the job in the same transaction. Every
// transition is an audit event naming the patient.

// CreateClaim builds a draft claim from an issued invoice: its lines with
// their ICD-10 codes, the patient's medical aid from the chart, the
// practice number and the treating practitioner's registration number.
func (a *App) CreateClaim(ctx context.Context, invoiceID string) (*medic.Claim, error) {
	t, err := a.allow(ctx, "claim.create")
	if err != nil {
		return nil, err
	}
	var c *medic.Claim
	err = a.Tx.InTx(ctx, func(ctx context.Context) error {
		inv, err := a.Invoices.FindInvoice(ctx, invoiceID)
		if err != nil {
			return err
		}
		switch inv.Status {
		case medic.InvoiceIssued, medic.InvoicePartlyPaid, medic.InvoicePaid:
		default:
			return medic.Errorf(medic.ECONFLICT, "Only an issued invoice can be claimed; this one is %s.", inv.Status.Label())
		}
		sub, err := a.claimFromInvoice(ctx, t, inv)
		if err != nil {
			return err
		}
		c = &medic.Claim{InvoiceID: inv.ID, Submission: *sub, Currency: inv.Currency, CreatedBy: medic.ActorFrom(ctx).UserID}
		if err := a.Claims.CreateClaim(ctx, c); err != nil {
			return err
		}
		return a.auditClaim(ctx, "claim.created", c, map[string]string{"version": strconv.Itoa(c.Version)})
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// claimFromInvoice is what a claim says about an invoice.
func (a *App) claimFromInvoice(ctx context.Context, t medic.Tenant, inv *medic.Invoice) (*medic.ClaimSubmission, error) {
	p, err := a.Patients.FindPatient(ctx, inv.PatientID)
	if err != nil {
		return nil, err
	}
	practice, err := a.Practices.FindPracticeByRef(ctx, t.PracticeID)
	if err != nil {
		return nil, err
	}
	var pr *medic.Practitioner
	if inv.EncounterID != "" {
		e, err := a.Encounters.FindEncounter(ctx, inv.EncounterID)
		if err != nil {
			return nil, err
		}
		if pr, err = a.Practitioners.FindPractitioner(ctx, e.PractitionerID); err != nil {
			return nil, err
		}
	}
	return medic.ClaimFromInvoice(inv, p, practice.RegistrationNumber, pr), nil
}

func (a *App) auditClaim(ctx context.Context, action string, c *medic.Claim, detail map[string]string) error {
	return a.Audit.Record(ctx, medic.AuditEvent{Action: action, EntityType: "claim", EntityID: c.ID, PatientID: c.PatientID, Detail: detail})
}

// GetClaim returns one claim; the read is audited.
func (a *App) GetClaim(ctx context.Context, id string) (*medic.Claim, error) {
	if _, err := a.allow(ctx, "claim.view"); err != nil {
		return nil, err
	}
	var c *medic.Claim
	err := a.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if c, err = a.Claims.FindClaim(ctx, id); err != nil {
			return err
		}
		return a.auditClaim(ctx, "claim.viewed", c, nil)
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// ListClaims pages through claims, newest first; each one shown is audited.
func (a *App) ListClaims(ctx context.Context, f medic.ClaimFilter, p medic.Page) ([]*medic.Claim, string, error) {
	if _, err := a.allow(ctx, "claim.list"); err != nil {
		return nil, "", err
	}
	if f.Status != "" && !f.Status.Valid() {
		return nil, "", &medic.Error{Code: medic.EINVALID, Message: "Unknown status.",
			Fields: map[string]string{"status": "Use draft, submitted, accepted, rejected, paid, part_paid or closed."}}
	}
	var out []*medic.Claim
	var next string
	err := a.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if out, next, err = a.Claims.ListClaims(ctx, f, p); err != nil {
			return err
		}
		es := make([]medic.AuditEvent, len(out))
		for i, c := range out {
			es[i] = medic.AuditEvent{Action: "claim.shown", EntityType: "claim", EntityID: c.ID, PatientID: c.PatientID}
		}
		return a.Audit.RecordMany(ctx, es)
	})
	if err != nil {
		return nil, "", err
	}
	return out, next, nil
}

// UpdateClaim corrects a draft's membership and ICD-10 codes.
func (a *App) UpdateClaim(ctx context.Context, id string, e medic.ClaimEdit) (*medic.Claim, error) {
	if _, err := a.allow(ctx, "claim.update"); err != nil {
		return nil, err
	}
	var c *medic.Claim
	err := a.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if c, err = a.Claims.FindClaim(ctx, id); err != nil {
			return err
		}
		if c.Status != medic.ClaimDraft {
			return medic.Errorf(medic.ECONFLICT, "The claim is %s; only a draft can be corrected.", c.Status.Label())
		}
		if err := e.Apply(c); err != nil {
			return err
		}
		if err := a.Claims.UpdateClaimDraft(ctx, c); err != nil {
			return err
		}
		if err := a.auditClaim(ctx, "claim.updated", c, nil); err != nil {
			return err
		}
		c, err = a.Claims.FindClaim(ctx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// SubmitClaim refuses a claim a switch would reject on its face (above
// all, a line without a valid ICD-10 code), else marks it submitted and
// queues its job.
func (a *App) SubmitClaim(ctx context.Context, id string) (*medic.Claim, error) {
	if _, err := a.allow(ctx, "claim.submit"); err != nil {
		return nil, err
	}
	var c *medic.Claim
	err := a.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if c, err = a.Claims.FindClaim(ctx, id); err != nil {
			return err
		}
		if c.Status != medic.ClaimDraft {
			return medic.Errorf(medic.ECONFLICT, "The claim is %s already.", c.Status.Label())
		}
		if err := medic.CheckClaim(ctx, &c.Submission, a.ICD10.FindICD10); err != nil {
			return err
		}
		// The normalised numbers and codes are what goes out.
		if err := a.Claims.UpdateClaimDraft(ctx, c); err != nil {
			return err
		}
		if c, err = a.Claims.SubmitClaim(ctx, id, medic.ActorFrom(ctx).UserID, a.now()); err != nil {
			return err
		}
		return a.auditClaim(ctx, "claim.submitted", c, map[string]string{"version": strconv.Itoa(c.Version),
			"claimed_cents": strconv.FormatInt(c.ClaimedCents, 10)})
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// ResubmitClaim starts the corrected version of a rejected claim: a new
// draft with the same content (and a new idempotency key) to correct and
// submit. The rejected claim stays as it was.
func (a *App) ResubmitClaim(ctx context.Context, id string) (*medic.Claim, error) {
	if _, err := a.allow(ctx, "claim.resubmit"); err != nil {
		return nil, err
	}
	var next *medic.Claim
	err := a.Tx.InTx(ctx, func(ctx context.Context) error {
		old, err := a.Claims.FindClaim(ctx, id)
		if err != nil {
			return err
		}
		if old.Status != medic.ClaimRejected {
			return medic.Errorf(medic.ECONFLICT, "Only a rejected claim is corrected in a new version; this one is %s.", old.Status.Label())
		}
		next = &medic.Claim{InvoiceID: old.InvoiceID, Submission: old.Submission, Currency: old.Currency, CreatedBy: medic.ActorFrom(ctx).UserID}
		if err := a.Claims.CreateClaim(ctx, next); err != nil {
			return err
		}
		if err := a.auditClaim(ctx, "claim.resubmitted", old, map[string]string{"new_claim_id": next.ID}); err != nil {
			return err
		}
		return a.auditClaim(ctx, "claim.created", next, map[string]string{"version": strconv.Itoa(next.Version), "corrects": old.ID})
	})
	if err != nil {
		return nil, err
	}
	return next, nil
}

// CloseClaim closes a paid, part-paid or rejected claim: what the scheme
// did not pay is the patient's to pay.
func (a *App) CloseClaim(ctx context.Context, id string) (*medic.Claim, error) {
	if _, err := a.allow(ctx, "claim.close"); err != nil {
		return nil, err
	}
	var c *medic.Claim
	err := a.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if c, err = a.Claims.CloseClaim(ctx, id, medic.ActorFrom(ctx).UserID, a.now()); err != nil {
			return err
		}
		return a.auditClaim(ctx, "claim.closed", c, nil)
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// RunClaimJob moves a submitted claim on at the switch: it submits (the
// claim's idempotency key makes a repeat after a crash or a lost reply the
// same claim at the switch, never a second), records the answer, and once
// the scheme pays records the remittance as a medical_aid payment on the
// invoice in the same transaction as the claim's new state. It returns
// medic.ErrClaimWaiting while there is more to wait for; other errors are the
// switch failing (the job retries with backoff; the claim shows why).
func (a *App) RunClaimJob(ctx context.Context, j medic.ClaimJob) error {
	if a.Switch == nil {
		return errors.New("claim: no switch configured")
	}
	p, err := a.Practices.FindPracticeByRef(ctx, j.PracticeID)
	if medic.ErrorCode(err) == medic.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	ctx = medic.WithTenant(ctx, medic.Tenant{PracticeID: p.ID, Slug: p.Slug, Name: p.Name, TimeZone: p.TimeZone})
	c, err := a.Claims.FindClaim(ctx, j.ClaimID)
	if medic.ErrorCode(err) == medic.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	if c.Status == medic.ClaimSubmitted {
		var reply *medic.SwitchReply
		if c.SwitchRef != "" {
			reply, err = a.Switch.Status(ctx, c.SwitchRef)
		}
		if c.SwitchRef == "" || medic.ErrorCode(err) == medic.ENOTFOUND {
			// Submitting again is safe: the key makes it the same claim.
			reply, err = a.Switch.Submit(ctx, &c.Submission)
		}
		if err != nil {
			return a.claimAttemptFailed(ctx, c, err)
		}
		if c, err = a.recordClaimAnswer(ctx, c, reply); err != nil {
			return err
		}
	}
	switch c.Status {
	case medic.ClaimSubmitted:
		return medic.ErrClaimWaiting
	case medic.ClaimAccepted:
	default:
		return nil // rejected, paid or closed: nothing more to do
	}
	rem, err := a.Switch.Remittance(ctx, c.SwitchRef)
	if errors.Is(err, medic.ErrNoRemittance) {
		return medic.ErrClaimWaiting
	} else if err != nil {
		return a.claimAttemptFailed(ctx, c, err)
	}
	return a.recordRemittance(ctx, c, rem)
}

// claimAttemptFailed records why the switch could not be reached, in
// words safe to show (the cause goes to the log through the job), and
// returns the cause for the retry.
func (a *App) claimAttemptFailed(ctx context.Context, c *medic.Claim, cause error) error {
	reason := "The switch could not be reached; Medic will try again."
	if medic.ErrorCode(cause) == medic.ECONFLICT {
		reason = "The switch holds a different claim under this claim's key; contact support."
	}
	if err := a.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := a.Claims.RecordClaimAttempt(ctx, c.ID, reason); err != nil {
			return err
		}
		return a.Audit.Record(ctx, medic.AuditEvent{Action: "claim.submit_failed", EntityType: "claim", EntityID: c.ID, PatientID: c.PatientID,
			Outcome: medic.OutcomeFailure})
	}); err != nil {
		return errors.Join(cause, err)
	}
	return fmt.Errorf("claim %s: %w", c.ID, cause)
}

func (a *App) recordClaimAnswer(ctx context.Context, c *medic.Claim, r *medic.SwitchReply) (*medic.Claim, error) {
	var out *medic.Claim
	err := a.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if out, err = a.Claims.RecordClaimAnswer(ctx, c.ID, r, a.now()); err != nil {
			return err
		}
		detail := map[string]string{"switch_ref": r.Ref}
		switch out.Status {
		case medic.ClaimAccepted:
			return a.auditClaim(ctx, "claim.accepted", out, detail)
		case medic.ClaimRejected:
			for i, x := range r.Rejections {
				detail["reason_"+strconv.Itoa(i+1)] = x.Code
			}
			return a.auditClaim(ctx, "claim.rejected", out, detail)
		}
		return a.auditClaim(ctx, "claim.received", out, detail)
	})
	return out, err
}

// recordRemittance turns the remittance into a medical_aid payment on the
// invoice (capped at what the invoice still owes: a scheme that pays what
// the patient paid already does not make the invoice over-paid) and marks
// the claim paid or part-paid, in one transaction.
func (a *App) recordRemittance(ctx context.Context, c *medic.Claim, r *medic.Remittance) error {
	return a.Tx.InTx(ctx, func(ctx context.Context) error {
		inv, err := a.Invoices.FindInvoice(ctx, c.InvoiceID)
		if err != nil {
			return err
		}
		paymentID := ""
		if amount := min(r.PaidCents, inv.BalanceCents()); amount > 0 && inv.Status != medic.InvoiceVoid {
			p := &medic.Payment{InvoiceID: inv.ID, AmountCents: amount, Method: medic.PayMedicalAid,
				Reference: r.Reference, TakenBy: c.SubmittedBy, TakenAt: a.now()}
			if err := p.Validate(); err != nil {
				return err
			}
			// The payment use case's own steps, as the system rather than
			// a member (a job has no role): the payment and its audit event.
			paid, err := a.Invoices.AddPayment(ctx, p)
			if err != nil {
				return err
			}
			if err := a.Audit.Record(ctx, medic.AuditEvent{Action: "payment.taken", EntityType: "invoice", EntityID: paid.ID, PatientID: paid.PatientID,
				Detail: map[string]string{"payment_id": p.ID, "amount_cents": strconv.FormatInt(p.AmountCents, 10), "method": string(p.Method),
					"status": string(paid.Status), "claim_id": c.ID}}); err != nil {
				return err
			}
			paymentID = p.ID
		}
		done, err := a.Claims.RecordClaimRemittance(ctx, c.ID, r, paymentID, a.now())
		if err != nil {
			return err
		}
		action := "claim.paid"
		if done.Status == medic.ClaimPartPaid {
			action = "claim.part_paid"
		}
		return a.auditClaim(ctx, action, done, map[string]string{"remittance_id": r.ID,
			"claimed_cents": strconv.FormatInt(r.ClaimedCents, 10), "paid_cents": strconv.FormatInt(r.PaidCents, 10)})
	})
}
