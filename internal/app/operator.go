package app

import (
	"context"

	"medic"
)

// requireOperator fails unless the actor is a platform operator. The
// operator manages the registry; it is not a member and sees no patient data.
func requireOperator(ctx context.Context) error {
	if !medic.ActorFrom(ctx).IsOperator {
		return medic.ErrNotFound
	}
	return nil
}

// PracticeSummary is one row of the operator's practice list.
type PracticeSummary struct {
	Practice *medic.Practice
	Counts   medic.PracticeCounts
}

// ListPracticesForOperator lists every practice with aggregate counts.
func (a *App) ListPracticesForOperator(ctx context.Context) ([]PracticeSummary, error) {
	if err := requireOperator(ctx); err != nil {
		return nil, err
	}
	ps, err := a.Platform.ListPractices(ctx)
	if err != nil {
		return nil, err
	}
	counts, err := a.Platform.PracticeCounts(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]PracticeSummary, len(ps))
	for i, p := range ps {
		out[i] = PracticeSummary{Practice: p, Counts: counts[p.ID]}
	}
	return out, nil
}

// CreatePractice registers a practice and invites its first admin by email.
func (a *App) CreatePractice(ctx context.Context, p *medic.Practice, adminEmail string) error {
	if err := requireOperator(ctx); err != nil {
		return err
	}
	f := medic.FieldErrors{}
	if p.TimeZone == "" {
		p.TimeZone = medic.DefaultTimeZone // a new practice may leave it out
	}
	if err := p.Validate(); err != nil {
		for k, v := range medic.ErrorFields(err) {
			f.Add(k, v)
		}
	}
	email, err := medic.NormalizeEmail(adminEmail)
	if err != nil {
		f.Add("admin_email", "Enter the email of the practice's first admin.")
	}
	if err := f.Err(); err != nil {
		return err
	}
	return a.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := a.Platform.CreatePractice(ctx, p); err != nil {
			return err
		}
		if err := a.Audit.RecordPlatform(ctx, medic.AuditEvent{Action: "practice.created", EntityType: "practice", EntityID: p.ID, Detail: map[string]string{"slug": p.Slug}}); err != nil {
			return err
		}
		tctx := medic.WithTenant(ctx, medic.Tenant{PracticeID: p.ID, Slug: p.Slug, Name: p.Name})
		if err := a.audit(tctx, "practice.created", "practice", p.ID, map[string]string{"by": "operator"}); err != nil {
			return err
		}
		_, err := a.invite(tctx, medic.Tenant{PracticeID: p.ID, Name: p.Name}, email, medic.RoleAdmin)
		return err
	})
}

// SetPracticeStatus suspends or reactivates a practice.
func (a *App) SetPracticeStatus(ctx context.Context, id string, s medic.PracticeStatus) error {
	if err := requireOperator(ctx); err != nil {
		return err
	}
	if s != medic.PracticeActive && s != medic.PracticeSuspended {
		return &medic.Error{Code: medic.EINVALID, Message: "Status is active or suspended.", Fields: map[string]string{"status": "Use active or suspended."}}
	}
	return a.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := a.Platform.SetPracticeStatus(ctx, id, s); err != nil {
			return err
		}
		action := "practice.suspended"
		if s == medic.PracticeActive {
			action = "practice.reactivated"
		}
		if err := a.Audit.RecordPlatform(ctx, medic.AuditEvent{Action: action, EntityType: "practice", EntityID: id}); err != nil {
			return err
		}
		return a.audit(medic.WithTenant(ctx, medic.Tenant{PracticeID: id}), action, "practice", id, map[string]string{"by": "operator"})
	})
}

// PublicPractice returns a practice for its public pages by slug; a
// suspended one is EUNAVAILABLE.
func (a *App) PublicPractice(ctx context.Context, slug string) (*medic.Practice, error) {
	p, err := a.Practices.FindPracticeByRef(ctx, slug)
	if err != nil {
		return nil, err
	}
	if p.Status != medic.PracticeActive {
		return p, medic.Errorf(medic.EUNAVAILABLE, "This practice is not available at the moment.")
	}
	return p, nil
}
