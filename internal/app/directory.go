package app

import (
	"context"

	"medic"
)

// Directory is the practice's practitioners, locations and appointment
// types: what the scheduling pages choose from and name.
type Directory struct {
	Practitioners []*medic.Practitioner
	Locations     []*medic.Location
	Types         []*medic.AppointmentType
}

// ReadDirectory reads the whole directory of the practice in context in
// one read (InReadTx: no transaction of its own); not patient data, so
// not audited.
func (a *App) ReadDirectory(ctx context.Context) (*Directory, error) {
	if _, ok := medic.TenantFrom(ctx); !ok {
		return nil, medic.ErrNotFound
	}
	d := &Directory{}
	err := a.Tx.InReadTx(ctx, func(ctx context.Context) error {
		for page := (medic.Page{Limit: medic.MaxLimit}); ; {
			ps, next, err := a.Practitioners.ListPractitioners(ctx, page)
			if err != nil {
				return err
			}
			d.Practitioners = append(d.Practitioners, ps...)
			if page.Cursor = next; next == "" {
				break
			}
		}
		for page := (medic.Page{Limit: medic.MaxLimit}); ; {
			ls, next, err := a.Locations.ListLocations(ctx, page)
			if err != nil {
				return err
			}
			d.Locations = append(d.Locations, ls...)
			if page.Cursor = next; next == "" {
				break
			}
		}
		var err error
		d.Types, err = a.AppointmentTypes.ListAppointmentTypes(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}
