package app

import (
	"context"
	"strconv"
	"strings"
	"time"

	"medic"
)

// Referrals: doctors and admins write them (clinical.write); nurses read
// them with the rest of the chart; reception and billing see none
// (DOMAIN.md "Roles"). Every read and change is one audit event naming the
// patient; a read's (the draft, one referral, a list) joins the group
// commit of reads (InReadTx).

// ReferralDraft returns a new referral for the encounter with its clinical
// summary pre-filled (SOAP assessment and plan, diagnoses, allergies,
// active problems, last vitals), for the form to show and the doctor to edit. Reading the
// encounter for it is audited.
func (a *App) ReferralDraft(ctx context.Context, encounterID string) (*medic.Referral, error) {
	if _, err := a.allow(ctx, "referral.create"); err != nil {
		return nil, err
	}
	var r *medic.Referral
	err := a.Tx.InReadTx(ctx, func(ctx context.Context) error {
		e, err := a.Encounters.FindEncounter(ctx, encounterID)
		if err != nil {
			return err
		}
		summary, err := a.referralSummary(ctx, e)
		if err != nil {
			return err
		}
		r = &medic.Referral{EncounterID: e.ID, PatientID: e.PatientID, PatientName: e.PatientName, Kind: medic.ReferralExternal,
			Urgency: medic.UrgencyRoutine, Summary: summary, Status: medic.ReferralDraft}
		return a.auditEncounter(ctx, "referral.drafted", e, nil)
	})
	return r, err
}

// referralSummary writes the encounter's clinical summary as plain text.
func (a *App) referralSummary(ctx context.Context, e *medic.Encounter) (string, error) {
	var b strings.Builder
	section := func(title, text string) {
		if text = strings.TrimSpace(text); text != "" {
			b.WriteString(title + ":\n" + text + "\n\n")
		}
	}
	section("Assessment", e.SOAP.Assessment)
	section("Plan", e.SOAP.Plan)
	ds, err := a.EncounterDiagnoses.ListDiagnoses(ctx, e.ID)
	if err != nil {
		return "", err
	}
	var lines []string
	for _, d := range ds {
		l := d.Code + " " + d.Title
		if d.Primary {
			l += " (primary)"
		}
		lines = append(lines, "- "+l)
	}
	section("Diagnoses", strings.Join(lines, "\n"))
	as, err := a.ClinicalLists.ListAllergies(ctx, e.PatientID)
	if err != nil {
		return "", err
	}
	lines = nil
	for _, al := range as.Items {
		if al.Status != medic.AllergyActive {
			continue
		}
		l := "- " + al.Substance + " (" + string(al.Severity) + ")"
		if al.Reaction != "" {
			l += ": " + al.Reaction
		}
		lines = append(lines, l)
	}
	switch {
	case len(lines) > 0:
		section("Allergies", strings.Join(lines, "\n"))
	case as.NoneKnown != nil:
		section("Allergies", "No known allergies.")
	default:
		section("Allergies", "Not recorded.")
	}
	cs, err := a.ClinicalLists.ListConditions(ctx, e.PatientID)
	if err != nil {
		return "", err
	}
	lines = nil
	for _, c := range cs {
		if c.Status == medic.ConditionActive {
			lines = append(lines, "- "+strings.TrimSpace(c.Code+" "+c.Title))
		}
	}
	section("Active problems", strings.Join(lines, "\n"))
	vs, err := a.Vitals.ListVitals(ctx, e.PatientID, time.Time{}, time.Time{}, 20)
	if err != nil {
		return "", err
	}
	lines = nil
	loc := a.location(ctx)
	for _, l := range medic.LatestVitals(vs) {
		lines = append(lines, "- "+l.Label+": "+strconv.FormatFloat(l.Value, 'f', l.Decimals, 64)+" "+l.Unit+
			" ("+l.At.In(loc).Format("2006-01-02")+")")
	}
	section("Last vitals", strings.Join(lines, "\n"))
	return strings.TrimSpace(b.String()), nil
}

// CreateReferral validates and stores a referral at its encounter. An
// empty summary is filled from the encounter, as the form pre-fills it.
func (a *App) CreateReferral(ctx context.Context, r *medic.Referral) error {
	if _, err := a.allow(ctx, "referral.create"); err != nil {
		return err
	}
	if err := r.Validate(); err != nil {
		return err
	}
	return a.Tx.InTx(ctx, func(ctx context.Context) error {
		if r.Summary == "" {
			e, err := a.Encounters.FindEncounter(ctx, r.EncounterID)
			if err != nil {
				return err
			}
			if r.Summary, err = a.referralSummary(ctx, e); err != nil {
				return err
			}
		}
		if err := a.Referrals.CreateReferral(ctx, r); err != nil {
			return err
		}
		return a.auditReferral(ctx, "referral.created", r)
	})
}

func (a *App) auditReferral(ctx context.Context, action string, r *medic.Referral) error {
	return a.Audit.Record(ctx, medic.AuditEvent{Action: action, EntityType: "referral", EntityID: r.ID, PatientID: r.PatientID,
		Detail: map[string]string{"kind": string(r.Kind), "urgency": string(r.Urgency), "status": string(r.Status)}})
}

// GetReferral returns one referral; the read is audited.
func (a *App) GetReferral(ctx context.Context, id string) (*medic.Referral, error) {
	if _, err := a.allow(ctx, "referral.view"); err != nil {
		return nil, err
	}
	var r *medic.Referral
	err := a.Tx.InReadTx(ctx, func(ctx context.Context) error {
		var err error
		if r, err = a.Referrals.FindReferral(ctx, id); err != nil {
			return err
		}
		return a.auditReferral(ctx, "referral.viewed", r)
	})
	return r, err
}

// ListReferrals lists referrals newest first; one audit event naming the
// charts shown. A patient filter naming a chart of another practice lists
// nothing.
func (a *App) ListReferrals(ctx context.Context, f medic.ReferralFilter, p medic.Page) ([]*medic.Referral, string, error) {
	return a.listReferrals(ctx, f, p, false)
}

// PatientReferrals lists a chart's referrals, newest first; ENOTFOUND for
// a chart of another practice.
func (a *App) PatientReferrals(ctx context.Context, patientID string, p medic.Page) ([]*medic.Referral, string, error) {
	return a.listReferrals(ctx, medic.ReferralFilter{PatientID: patientID}, p, true)
}

func (a *App) listReferrals(ctx context.Context, f medic.ReferralFilter, p medic.Page, chart bool) ([]*medic.Referral, string, error) {
	if _, err := a.allow(ctx, "referral.list"); err != nil {
		return nil, "", err
	}
	var out []*medic.Referral
	var next string
	err := a.Tx.InReadTx(ctx, func(ctx context.Context) error {
		ev := medic.AuditEvent{Action: "referral.listed", EntityType: "referral"}
		if f.PatientID != "" {
			pt, err := a.Patients.FindPatient(ctx, f.PatientID)
			if err == nil {
				ev.PatientID = pt.ID
			} else if chart || medic.ErrorCode(err) != medic.ENOTFOUND {
				return err
			}
		}
		var err error
		if out, next, err = a.Referrals.ListReferrals(ctx, f, p); err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, r := range out {
			if !seen[r.PatientID] {
				seen[r.PatientID] = true
				ev.PatientIDs = append(ev.PatientIDs, r.PatientID)
			}
		}
		ev.Detail = map[string]string{"results": strconv.Itoa(len(out))}
		return a.Audit.Record(ctx, ev)
	})
	return out, next, err
}

// ReferredToMe lists the internal referrals to the signed-in member's
// practitioner profile (none for a member without one).
func (a *App) ReferredToMe(ctx context.Context, p medic.Page) ([]*medic.Referral, string, error) {
	if _, err := a.allow(ctx, "referral.list"); err != nil {
		return nil, "", err
	}
	pr, err := a.MyPractitioner(ctx)
	if medic.ErrorCode(err) == medic.ENOTFOUND || err == nil && pr == nil {
		return []*medic.Referral{}, "", nil
	} else if err != nil {
		return nil, "", err
	}
	return a.ListReferrals(ctx, medic.ReferralFilter{ToPractitionerID: pr.ID}, p)
}

// SetReferralStatus sends a draft or cancels a referral (409 for any
// other move).
func (a *App) SetReferralStatus(ctx context.Context, id string, s medic.ReferralStatus) (*medic.Referral, error) {
	if _, err := a.allow(ctx, "referral.update"); err != nil {
		return nil, err
	}
	var r *medic.Referral
	err := a.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if r, err = a.Referrals.SetReferralStatus(ctx, id, s); err != nil {
			return err
		}
		return a.auditReferral(ctx, "referral."+string(s), r)
	})
	return r, err
}
