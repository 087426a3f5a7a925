package web

import (
	"context"
	"strconv"

	"medic"
)

// directory is the practice's practitioners, locations and appointment
// types: the choices of the scheduling forms, and their names for slots
// and rules (which carry ids only).
type directory struct {
	Practitioners []*medic.Practitioner
	Locations     []*medic.Location
	Types         []*medic.AppointmentType

	practitioners map[string]*medic.Practitioner
	locations     map[string]*medic.Location
	types         map[string]*medic.AppointmentType
}

// directory loads every practitioner, location and appointment type of the
// practice in ctx.
func (h *Handler) directory(ctx context.Context) (*directory, error) {
	d := &directory{practitioners: map[string]*medic.Practitioner{}, locations: map[string]*medic.Location{}, types: map[string]*medic.AppointmentType{}}
	all, err := h.app.ReadDirectory(ctx)
	if err != nil {
		return nil, err
	}
	d.Practitioners, d.Locations, d.Types = all.Practitioners, all.Locations, all.Types
	for _, p := range d.Practitioners {
		d.practitioners[p.ID] = p
	}
	for _, l := range d.Locations {
		d.locations[l.ID] = l
	}
	for _, t := range d.Types {
		d.types[t.ID] = t
	}
	return d, nil
}

// PractitionerOptions lists the practitioners one can book with (active),
// plus keep if it is set and not among them (a current value stays shown).
func (d *directory) PractitionerOptions(keep string) []option {
	var out []option
	for _, p := range d.Practitioners {
		if p.Status == medic.PractitionerActive || p.ID == keep {
			label := p.Name
			if p.Specialty != "" {
				label += " (" + p.Specialty + ")"
			}
			if p.Status != medic.PractitionerActive {
				label += " – " + practitionerStatusLabel(p.Status)
			}
			out = append(out, option{p.ID, label})
		}
	}
	return out
}

// AllPractitionerOptions lists every practitioner, whatever the status.
func (d *directory) AllPractitionerOptions() []option {
	var out []option
	for _, p := range d.Practitioners {
		label := p.Name
		if p.Status != medic.PractitionerActive {
			label += " – " + practitionerStatusLabel(p.Status)
		}
		out = append(out, option{p.ID, label})
	}
	return out
}

// LocationOptions lists the active locations (and keep).
func (d *directory) LocationOptions(keep string) []option {
	var out []option
	for _, l := range d.Locations {
		if l.Active || l.ID == keep {
			out = append(out, option{l.ID, l.Name})
		}
	}
	return out
}

// TypeOptions lists the active appointment types (and keep).
func (d *directory) TypeOptions(keep string) []option {
	var out []option
	for _, t := range d.Types {
		if t.Active || t.ID == keep {
			out = append(out, option{t.ID, t.Name + " (" + strconv.Itoa(t.DurationMinutes) + " min)"})
		}
	}
	return out
}

func (d *directory) practitioner(id string) *medic.Practitioner { return d.practitioners[id] }

// practitionerOfMember is the practitioner linked to a member, if any.
func (d *directory) practitionerOfMember(memberID string) *medic.Practitioner {
	for _, p := range d.Practitioners {
		if memberID != "" && p.MemberID == memberID {
			return p
		}
	}
	return nil
}
func (d *directory) location(id string) *medic.Location        { return d.locations[id] }
func (d *directory) apptType(id string) *medic.AppointmentType { return d.types[id] }

// PractitionerName names a practitioner by id ("" if unknown).
func (d *directory) PractitionerName(id string) string {
	if p := d.practitioners[id]; p != nil {
		return p.Name
	}
	return ""
}

// LocationName names a location by id ("" if unknown).
func (d *directory) LocationName(id string) string {
	if l := d.locations[id]; l != nil {
		return l.Name
	}
	return ""
}

// TypeName names an appointment type by id ("" if unknown).
func (d *directory) TypeName(id string) string {
	if t := d.types[id]; t != nil {
		return t.Name
	}
	return ""
}

func practitionerStatusLabel(s medic.PractitionerStatus) string {
	switch s {
	case medic.PractitionerActive:
		return "Active"
	case medic.PractitionerInactive:
		return "Inactive"
	case medic.PractitionerOnLeave:
		return "On leave"
	}
	return string(s)
}
