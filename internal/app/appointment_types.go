package app

import (
	"context"

	"medic"
)

// ListAppointmentTypes lists the practice's appointment types (any member).
func (a *App) ListAppointmentTypes(ctx context.Context) ([]*medic.AppointmentType, error) {
	if _, ok := medic.TenantFrom(ctx); !ok {
		return nil, medic.ErrNotFound
	}
	return a.AppointmentTypes.ListAppointmentTypes(ctx)
}

// GetAppointmentType returns one type.
func (a *App) GetAppointmentType(ctx context.Context, id string) (*medic.AppointmentType, error) {
	if _, ok := medic.TenantFrom(ctx); !ok {
		return nil, medic.ErrNotFound
	}
	return a.AppointmentTypes.FindAppointmentType(ctx, id)
}

// CreateAppointmentType adds a type (admin).
func (a *App) CreateAppointmentType(ctx context.Context, t *medic.AppointmentType) error {
	if _, err := a.allow(ctx, "appointment_type.create"); err != nil {
		return err
	}
	t.Active = true
	if err := t.Validate(); err != nil {
		return err
	}
	return a.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := a.AppointmentTypes.CreateAppointmentType(ctx, t); err != nil {
			return err
		}
		return a.audit(ctx, "appointment_type.created", "appointment_type", t.ID, map[string]string{"name": t.Name})
	})
}

// UpdateAppointmentType saves changes made by change (admin).
func (a *App) UpdateAppointmentType(ctx context.Context, id string, change func(t *medic.AppointmentType)) (*medic.AppointmentType, error) {
	if _, err := a.allow(ctx, "appointment_type.update"); err != nil {
		return nil, err
	}
	var t *medic.AppointmentType
	err := a.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if t, err = a.AppointmentTypes.FindAppointmentType(ctx, id); err != nil {
			return err
		}
		change(t)
		if err := t.Validate(); err != nil {
			return err
		}
		if err := a.AppointmentTypes.UpdateAppointmentType(ctx, t); err != nil {
			return err
		}
		return a.audit(ctx, "appointment_type.updated", "appointment_type", t.ID, map[string]string{"name": t.Name})
	})
	return t, err
}
