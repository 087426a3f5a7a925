package app

import (
	"context"

	"medic"
)

// SearchLimit is how many charts the desk's search box lists.
const SearchLimit = 8

// SearchResults is what the desk's search box finds for a query, as far as
// the member's role may see it: charts cut to the role (no clinical part
// for reception and billing) and the appointment a reference names.
type SearchResults struct {
	Query       string
	ByBirthDate bool // the query was read as a date of birth
	Patients    []*medic.Patient
	Appointment *medic.Appointment
}

// Search answers the desk's search box: a date of birth in any common form
// (2001-02-03, 03/02/2001, 3 Feb 2001), else names (typo-tolerant), phone,
// email or ID number; and an appointment by its reference. Reads are
// audited as the chart search and appointment lists are.
func (a *App) Search(ctx context.Context, q string) (*SearchResults, error) {
	t, ok := medic.TenantFrom(ctx)
	if !ok {
		return nil, medic.ErrNotFound
	}
	out := &SearchResults{Query: q}
	if !t.Can(medic.PermPatientsRead) && !t.Can(medic.PermAppointmentsRead) {
		_, err := a.allow(ctx, "patient.search") // the audited refusal
		return nil, err
	}
	if t.Can(medic.PermPatientsRead) {
		f := medic.PatientFilter{Query: q}
		if d, ok := medic.ParseLooseDate(q); ok {
			f, out.ByBirthDate = medic.PatientFilter{DateOfBirth: d}, true
		}
		var err error
		if out.Patients, _, err = a.SearchPatients(ctx, f, medic.Page{Limit: SearchLimit}); err != nil {
			return nil, err
		}
	}
	if ref, ok := medic.ParseReference(q); ok && t.Can(medic.PermAppointmentsRead) {
		err := a.Tx.InReadTx(ctx, func(ctx context.Context) error {
			ap, err := a.Appointments.FindAppointmentByReference(ctx, ref)
			if medic.ErrorCode(err) == medic.ENOTFOUND {
				return nil
			}
			if err != nil {
				return err
			}
			out.Appointment = ap
			return a.Audit.Record(ctx, medic.AuditEvent{Action: "appointment.listed", EntityType: "appointment", EntityID: ap.ID, PatientID: ap.PatientID,
				PatientIDs: []string{ap.PatientID}, Detail: map[string]string{"results": "1", "list": "search"}})
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
