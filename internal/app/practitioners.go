package app

import (
	"context"

	"medic"
)

// ListPractitioners lists the practice's practitioners (any member).
func (a *App) ListPractitioners(ctx context.Context, p medic.Page) ([]*medic.Practitioner, string, error) {
	if _, ok := medic.TenantFrom(ctx); !ok {
		return nil, "", medic.ErrNotFound
	}
	return a.Practitioners.ListPractitioners(ctx, p)
}

// GetPractitioner returns one practitioner (any member).
func (a *App) GetPractitioner(ctx context.Context, id string) (*medic.Practitioner, error) {
	if _, ok := medic.TenantFrom(ctx); !ok {
		return nil, medic.ErrNotFound
	}
	return a.Practitioners.FindPractitioner(ctx, id)
}

// MyPractitioner returns the practitioner profile linked to the signed-in
// member, if any (ENOTFOUND otherwise).
func (a *App) MyPractitioner(ctx context.Context) (*medic.Practitioner, error) {
	t, ok := medic.TenantFrom(ctx)
	if !ok || t.MemberID == "" {
		return nil, medic.ErrNotFound
	}
	return a.Practitioners.FindPractitionerByMember(ctx, t.MemberID)
}

// checkPractitionerRefs makes sure the linked member and assigned locations
// are this practice's (ENOTFOUND-safe: foreign ids read as missing).
func (a *App) checkPractitionerRefs(ctx context.Context, p *medic.Practitioner) error {
	f := medic.FieldErrors{}
	if p.MemberID != "" {
		if _, err := a.Members.FindMember(ctx, p.MemberID); err != nil {
			f.Add("member_id", "Choose a member of this practice.")
		}
	}
	for _, as := range p.Assignments {
		if _, err := a.Locations.FindLocation(ctx, as.LocationID); err != nil {
			f.Add("assignments", "Choose locations of this practice.")
		}
	}
	return f.Err()
}

// CreatePractitioner adds a practitioner (admin).
func (a *App) CreatePractitioner(ctx context.Context, p *medic.Practitioner) error {
	if _, err := a.allow(ctx, "practitioner.create"); err != nil {
		return err
	}
	if err := p.Validate(); err != nil {
		return err
	}
	return a.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := a.checkPractitionerRefs(ctx, p); err != nil {
			return err
		}
		if err := a.Practitioners.CreatePractitioner(ctx, p); err != nil {
			return err
		}
		return a.audit(ctx, "practitioner.created", "practitioner", p.ID, map[string]string{"name": p.Name})
	})
}

// UpdatePractitioner saves changes made by change (admin).
func (a *App) UpdatePractitioner(ctx context.Context, id string, change func(p *medic.Practitioner)) (*medic.Practitioner, error) {
	if _, err := a.allow(ctx, "practitioner.update"); err != nil {
		return nil, err
	}
	var p *medic.Practitioner
	err := a.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if p, err = a.Practitioners.FindPractitioner(ctx, id); err != nil {
			return err
		}
		before := p.Status
		change(p)
		if err := p.Validate(); err != nil {
			return err
		}
		if err := a.checkPractitionerRefs(ctx, p); err != nil {
			return err
		}
		if err := a.Practitioners.UpdatePractitioner(ctx, p); err != nil {
			return err
		}
		detail := map[string]string{"name": p.Name}
		if before != p.Status {
			detail["from_status"], detail["to_status"] = string(before), string(p.Status)
		}
		return a.audit(ctx, "practitioner.updated", "practitioner", p.ID, detail)
	})
	return p, err
}
