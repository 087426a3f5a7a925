package app

import (
	"context"
	"errors"
	"strconv"
	"time"

	"medic"
)

// ErrPossibleDuplicate says a new chart looks like an existing one; the
// caller shows the matches and may create anyway with confirmation.
var ErrPossibleDuplicate = &medic.Error{Code: medic.ECONFLICT, Message: "This looks like a patient who already has a chart. Open the existing chart, or confirm that this is a different person."}

// location is the practice's time zone (UTC if it cannot be loaded).
func (a *App) location(ctx context.Context) *time.Location {
	t, _ := medic.TenantFrom(ctx)
	l, err := loadLocation(t.TimeZone)
	if err != nil {
		return time.UTC
	}
	return l
}

// today is the current date in the practice's time zone.
func (a *App) today(ctx context.Context) medic.Date {
	return medic.DateOf(a.now().In(a.location(ctx)))
}

// SearchPatients lists charts of the practice in context, as the member's
// role may see them; the read is audited.
func (a *App) SearchPatients(ctx context.Context, f medic.PatientFilter, p medic.Page) ([]*medic.Patient, string, error) {
	t, err := a.allow(ctx, "patient.search")
	if err != nil {
		return nil, "", err
	}
	var out []*medic.Patient
	var next string
	err = a.Tx.InReadTx(ctx, func(ctx context.Context) error {
		var err error
		if out, next, err = a.Patients.SearchPatients(ctx, f, p); err != nil {
			return err
		}
		// The query itself may be a name: the log keeps only the count and
		// the charts shown.
		return a.auditListed(ctx, "patient.searched", "search", out)
	})
	return projectAll(out, t.Role), next, err
}

// projectAll is every chart of a list as role r may see it
// (medic.ProjectPatient): use cases return no chart any other way.
func projectAll(ps []*medic.Patient, r medic.Role) []*medic.Patient {
	for i, p := range ps {
		ps[i] = medic.ProjectPatient(p, r)
	}
	return ps
}

// auditListed records a list of charts as one event naming every chart
// shown (a read of each patient's data, findable by patient).
func (a *App) auditListed(ctx context.Context, action, list string, ps []*medic.Patient) error {
	ids := make([]string, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	return a.Audit.Record(ctx, medic.AuditEvent{Action: action, EntityType: "patient", PatientIDs: ids,
		Detail: map[string]string{"results": strconv.Itoa(len(ps)), "list": list}})
}

// GetPatient returns one chart as the member's role may see it; the read
// is audited.
func (a *App) GetPatient(ctx context.Context, id string) (*medic.Patient, error) {
	t, err := a.allow(ctx, "patient.view")
	if err != nil {
		return nil, err
	}
	var p *medic.Patient
	err = a.Tx.InReadTx(ctx, func(ctx context.Context) error {
		var err error
		if p, err = a.Patients.FindPatient(ctx, id); err != nil {
			return err
		}
		return a.auditPatient(ctx, "patient.viewed", p.ID, nil)
	})
	if err != nil {
		return nil, err
	}
	return medic.ProjectPatient(p, t.Role), nil
}

// auditPatient records an event about a patient.
func (a *App) auditPatient(ctx context.Context, action, patientID string, detail map[string]string) error {
	return a.Audit.Record(ctx, medic.AuditEvent{Action: action, EntityType: "patient", EntityID: patientID, PatientID: patientID, Detail: detail})
}

// CreatePatient validates and stores a new chart, and leaves p as the
// member's role may see it. Unless confirmed, likely duplicates (same ID
// number, same email, or same name and date of birth) stop it with
// ErrPossibleDuplicate and are returned. A role that may not write the
// clinical part must leave its fields nil (medic.CheckChartEdit).
func (a *App) CreatePatient(ctx context.Context, p *medic.Patient, confirmed bool) ([]medic.DuplicateMatch, error) {
	t, err := a.allow(ctx, "patient.create")
	if err != nil {
		return nil, err
	}
	checked, err := medic.CheckChartEdit(&medic.Patient{}, p, t.Role)
	if err != nil {
		return nil, a.denied(ctx, "patient.create", err)
	}
	*p = *checked
	p.Status = medic.PatientActive
	if err := p.Validate(a.today(ctx)); err != nil {
		return nil, err
	}
	var dups []medic.DuplicateMatch
	err = a.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if dups, err = a.Patients.FindDuplicates(ctx, p); err != nil {
			return err
		}
		if len(dups) > 0 && !confirmed {
			return ErrPossibleDuplicate
		}
		if err := a.Patients.CreatePatient(ctx, p); err != nil {
			return err
		}
		detail := map[string]string{}
		if len(dups) > 0 {
			detail["confirmed_despite_duplicates"] = strconv.Itoa(len(dups))
		}
		return a.auditPatient(ctx, "patient.created", p.ID, detail)
	})
	for i := range dups {
		dups[i].Patient = medic.ProjectPatient(dups[i].Patient, t.Role)
	}
	*p = *medic.ProjectPatient(p, t.Role)
	return dups, err
}

// UpdatePatient saves the changes change makes to the chart as the
// member's role sees it (medic.ProjectPatient) and returns the chart so
// seen. Parts the role may not write keep their stored values; setting one
// is refused and audited (medic.CheckChartEdit).
func (a *App) UpdatePatient(ctx context.Context, id string, change func(p *medic.Patient)) (*medic.Patient, error) {
	return a.updatePatient(ctx, id, nil, change)
}

// updatePatient is UpdatePatient that first lets check refuse the chart as
// stored (a version precondition), under the row's lock.
func (a *App) updatePatient(ctx context.Context, id string, check func(stored *medic.Patient) error, change func(p *medic.Patient)) (*medic.Patient, error) {
	t, err := a.allow(ctx, "patient.update")
	if err != nil {
		return nil, err
	}
	var p *medic.Patient
	err = a.Tx.InTx(ctx, func(ctx context.Context) error {
		full, err := a.Patients.FindPatientForUpdate(ctx, id)
		if err != nil {
			return err
		}
		if check != nil {
			if err := check(full); err != nil {
				return err
			}
		}
		if full.Status == medic.PatientMerged {
			return medic.Errorf(medic.ECONFLICT, "This chart was merged into another; edit that one.")
		}
		edited := medic.ProjectPatient(full, t.Role)
		change(edited)
		if p, err = medic.CheckChartEdit(full, edited, t.Role); err != nil {
			return err
		}
		if err := p.Validate(a.today(ctx)); err != nil {
			return err
		}
		if err := a.Patients.UpdatePatient(ctx, p); err != nil {
			return err
		}
		return a.auditPatient(ctx, "patient.updated", p.ID, nil)
	})
	if errors.Is(err, medic.ErrClinicalWrite) {
		return nil, a.denied(ctx, "patient.update", err)
	}
	if err != nil {
		return nil, err
	}
	return medic.ProjectPatient(p, t.Role), nil
}

// SetPatientStatus deactivates or reactivates a chart (never deletes it).
func (a *App) SetPatientStatus(ctx context.Context, id string, s medic.PatientStatus) (*medic.Patient, error) {
	if s != medic.PatientActive && s != medic.PatientInactive {
		return nil, &medic.Error{Code: medic.EINVALID, Message: "Choose active or inactive.", Fields: map[string]string{"status": "Choose active or inactive."}}
	}
	return a.UpdatePatient(ctx, id, func(p *medic.Patient) { p.Status = s })
}

// MergePatients moves everything of chart `from` into chart `into`. It is
// irreversible, so it needs confirm.
func (a *App) MergePatients(ctx context.Context, from, into string, confirm bool) error {
	if _, err := a.allow(ctx, "patient.merge"); err != nil {
		return err
	}
	if from == into {
		return &medic.Error{Code: medic.EINVALID, Message: "Choose two different charts.", Fields: map[string]string{"into": "Choose a different chart."}}
	}
	if !confirm {
		return &medic.Error{Code: medic.EINVALID, Message: "Merging cannot be undone. Confirm to go ahead.", Fields: map[string]string{"confirm": "Tick to confirm the merge."}}
	}
	return a.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := a.Patients.MergePatients(ctx, from, into); err != nil {
			return err
		}
		if err := a.auditPatient(ctx, "patient.merged_away", from, map[string]string{"into": into}); err != nil {
			return err
		}
		return a.auditPatient(ctx, "patient.merged_into", into, map[string]string{"from": from})
	})
}

// RecentPatients lists the most recently changed charts (dashboard), as
// the member's role may see them.
func (a *App) RecentPatients(ctx context.Context, limit int) ([]*medic.Patient, error) {
	t, err := a.allow(ctx, "patient.recent")
	if err != nil {
		return nil, err
	}
	var out []*medic.Patient
	err = a.Tx.InReadTx(ctx, func(ctx context.Context) error {
		var err error
		if out, err = a.Patients.RecentPatients(ctx, limit); err != nil {
			return err
		}
		return a.auditListed(ctx, "patient.listed", "recent", out)
	})
	return projectAll(out, t.Role), err
}
