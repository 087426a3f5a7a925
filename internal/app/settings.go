package app

import (
	"bytes"
	"context"
	"strconv"

	"medic"
)

// MaxLogoBytes bounds an uploaded logo.
const MaxLogoBytes = 512 << 10

// GetPractice returns the practice in context.
func (a *App) GetPractice(ctx context.Context) (*medic.Practice, error) {
	t, ok := medic.TenantFrom(ctx)
	if !ok {
		return nil, medic.ErrNotFound
	}
	return a.Practices.FindPracticeByRef(ctx, t.PracticeID)
}

// UpdatePractice saves the practice's details, branding and booking settings
// (admin). The slug, status and plan are the operator's.
func (a *App) UpdatePractice(ctx context.Context, change func(p *medic.Practice)) (*medic.Practice, error) {
	if _, err := a.allow(ctx, "practice.update"); err != nil {
		return nil, err
	}
	var p *medic.Practice
	err := a.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if p, err = a.GetPractice(ctx); err != nil {
			return err
		}
		slug, status, plan, hasLogo := p.Slug, p.Status, p.Plan, p.Branding.HasLogo
		before := *p
		change(p)
		p.Slug, p.Status, p.Plan, p.Branding.HasLogo = slug, status, plan, hasLogo
		if err := p.Validate(); err != nil {
			return err
		}
		if err := a.Practices.UpdatePractice(ctx, p); err != nil {
			return err
		}
		return a.audit(ctx, "practice.settings_changed", "practice", p.ID, changedSettings(&before, p))
	})
	return p, err
}

// SetLogo stores an uploaded PNG or JPEG logo (admin).
func (a *App) SetLogo(ctx context.Context, data []byte) error {
	if _, err := a.allow(ctx, "practice.logo"); err != nil {
		return err
	}
	if len(data) == 0 || len(data) > MaxLogoBytes {
		return &medic.Error{Code: medic.EINVALID, Message: "Upload a PNG or JPEG of at most 512 KB.", Fields: map[string]string{"logo": "Upload a PNG or JPEG of at most 512 KB."}}
	}
	ct := imageType(data)
	if ct == "" {
		return &medic.Error{Code: medic.EINVALID, Message: "The logo must be a PNG or JPEG image.", Fields: map[string]string{"logo": "The logo must be a PNG or JPEG image."}}
	}
	return a.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := a.Practices.SetLogo(ctx, &medic.Logo{ContentType: ct, Data: data}); err != nil {
			return err
		}
		return a.audit(ctx, "practice.logo_changed", "practice", "", nil)
	})
}

// Logo returns the logo of the practice in context.
func (a *App) Logo(ctx context.Context) (*medic.Logo, error) {
	return a.Practices.Logo(ctx)
}

// ListAuditEvents lists the practice's audit log (admin).
func (a *App) ListAuditEvents(ctx context.Context, f medic.AuditFilter, p medic.Page) ([]medic.AuditEvent, string, error) {
	if _, err := a.allow(ctx, "audit.read"); err != nil {
		return nil, "", err
	}
	return a.Audit.ListAuditEvents(ctx, f, p)
}

// AuditPage is a page of the audit log with the names its events refer
// to: members by user id (with their role) and charts by id.
type AuditPage struct {
	Events   []medic.AuditEvent
	Next     string
	Actors   map[string]*medic.Member // by user id
	Patients map[string]string        // chart id -> name
}

// ReadAuditLog is ListAuditEvents with names for people to read. Showing
// chart names is a read of them: the page is audited naming those charts.
func (a *App) ReadAuditLog(ctx context.Context, f medic.AuditFilter, p medic.Page) (*AuditPage, error) {
	if _, err := a.allow(ctx, "audit.read"); err != nil {
		return nil, err
	}
	out := &AuditPage{Actors: map[string]*medic.Member{}}
	err := a.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if out.Events, out.Next, err = a.Audit.ListAuditEvents(ctx, f, p); err != nil {
			return err
		}
		page := medic.Page{Limit: medic.MaxLimit}
		for {
			ms, next, err := a.Members.ListMembers(ctx, page)
			if err != nil {
				return err
			}
			for _, m := range ms {
				out.Actors[m.UserID] = m
			}
			if next == "" {
				break
			}
			page.Cursor = next
		}
		var ids []string
		seen := map[string]bool{}
		add := func(id string) {
			if id != "" && !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
		add(f.PatientID)
		for _, e := range out.Events {
			add(e.PatientID)
			for _, id := range e.PatientIDs {
				add(id)
			}
		}
		if out.Patients, err = a.Patients.PatientNames(ctx, ids); err != nil {
			return err
		}
		if len(out.Patients) == 0 {
			return nil
		}
		shown := make([]string, 0, len(out.Patients))
		for id := range out.Patients {
			shown = append(shown, id)
		}
		return a.Audit.Record(ctx, medic.AuditEvent{Action: "audit.viewed", EntityType: "audit", PatientIDs: shown,
			Detail: map[string]string{"events": strconv.Itoa(len(out.Events))}})
	})
	return out, err
}

// imageType recognises PNG and JPEG by their signatures ("" otherwise).
func imageType(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png"
	case bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}):
		return "image/jpeg"
	}
	return ""
}

// changedSettings names what an update changed, for the audit log
// (require_2fa also records its new value).
func changedSettings(a, b *medic.Practice) map[string]string {
	d := map[string]string{}
	mark := func(name string, changed bool) {
		if changed {
			d[name] = "changed"
		}
	}
	mark("name", a.Name != b.Name)
	mark("type", a.Type != b.Type)
	mark("email", a.Email != b.Email)
	mark("phone", a.Phone != b.Phone)
	mark("address", a.Address != b.Address)
	mark("registration_number", a.RegistrationNumber != b.RegistrationNumber)
	mark("time_zone", a.TimeZone != b.TimeZone)
	mark("branding", a.Branding != b.Branding)
	mark("booking", !a.Booking.Equal(b.Booking))
	if a.Require2FA != b.Require2FA {
		d["require_2fa"] = map[bool]string{true: "on", false: "off"}[b.Require2FA]
	}
	return d
}
