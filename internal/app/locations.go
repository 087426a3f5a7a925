package app

import (
	"context"

	"medic"
)

// ListLocations lists the locations of the practice in context.
func (a *App) ListLocations(ctx context.Context, p medic.Page) ([]*medic.Location, string, error) {
	if _, ok := medic.TenantFrom(ctx); !ok {
		return nil, "", medic.ErrNotFound
	}
	return a.Locations.ListLocations(ctx, p)
}

// GetLocation returns one location of the practice in context.
func (a *App) GetLocation(ctx context.Context, id string) (*medic.Location, error) {
	if _, ok := medic.TenantFrom(ctx); !ok {
		return nil, medic.ErrNotFound
	}
	return a.Locations.FindLocation(ctx, id)
}

// CreateLocation adds a site to the practice in context (admin).
func (a *App) CreateLocation(ctx context.Context, l *medic.Location) error {
	if _, err := a.allow(ctx, "location.create"); err != nil {
		return err
	}
	if err := l.Validate(); err != nil {
		return err
	}
	return a.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := a.Locations.CreateLocation(ctx, l); err != nil {
			return err
		}
		return a.audit(ctx, "location.created", "location", l.ID, map[string]string{"name": l.Name})
	})
}

// UpdateLocation saves a location of the practice in context (admin).
func (a *App) UpdateLocation(ctx context.Context, l *medic.Location) error {
	if _, err := a.allow(ctx, "location.update"); err != nil {
		return err
	}
	if err := l.Validate(); err != nil {
		return err
	}
	return a.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := a.Locations.UpdateLocation(ctx, l); err != nil {
			return err
		}
		return a.audit(ctx, "location.updated", "location", l.ID, map[string]string{"name": l.Name})
	})
}

// DeleteLocation removes a location of the practice in context (admin).
func (a *App) DeleteLocation(ctx context.Context, id string) error {
	if _, err := a.allow(ctx, "location.delete"); err != nil {
		return err
	}
	return a.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := a.Locations.DeleteLocation(ctx, id); err != nil {
			return err
		}
		return a.audit(ctx, "location.deleted", "location", id, nil)
	})
}
