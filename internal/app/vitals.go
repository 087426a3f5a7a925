package app

import (
	"context"
	"strconv"
	"time"

	"medic"
)

// Vitals: nurses, doctors and admins record them (vitals.write); whoever
// reads clinical content reads them (clinical.read). Reception and billing
// see none.

// RecordedVitals is a recorded set with what the chart needs to show it.
type RecordedVitals struct {
	Vitals *medic.Vitals
	BMI    *float64
	Flags  []medic.VitalFlag
	Band   medic.AgeBand
}

// maxVitalsSeries bounds one series read (a chart over years of visits).
const maxVitalsSeries = 2000

// maxClockSkew is how far in the future a measurement time may be (a
// device clock a little ahead).
const maxClockSkew = 5 * time.Minute

// RecordVitals validates v against the patient of the encounter (age band
// on the day measured, now if v.MeasuredAt is zero), stores it on the draft
// encounter and returns its BMI and flags. EINVALID names the field;
// ENOTFOUND for another practice's encounter; ErrEncounterFinished (409)
// once the encounter is locked.
func (a *App) RecordVitals(ctx context.Context, encounterID string, v *medic.Vitals) (*RecordedVitals, error) {
	if _, err := a.allow(ctx, "vitals.record"); err != nil {
		return nil, err
	}
	now := a.now()
	if v.MeasuredAt.IsZero() {
		v.MeasuredAt = now
	} else if v.MeasuredAt.After(now.Add(maxClockSkew)) {
		return nil, &medic.Error{Code: medic.EINVALID, Message: "Some fields are not valid.",
			Fields: map[string]string{"measured_at": "The measurement time cannot be in the future."}}
	}
	var out *RecordedVitals
	err := a.Tx.InTx(ctx, func(ctx context.Context) error {
		e, err := a.Encounters.FindEncounter(ctx, encounterID)
		if err != nil {
			return err
		}
		if e.Finished() {
			return medic.ErrEncounterFinished
		}
		p, err := a.Patients.FindPatient(ctx, e.PatientID)
		if err != nil {
			return err
		}
		s := medic.VitalsSubject{DateOfBirth: p.DateOfBirth, Sex: p.Sex}
		on := medic.DateOf(v.MeasuredAt.In(a.location(ctx)))
		if err := v.Validate(s, on); err != nil {
			return err
		}
		v.EncounterID, v.RecordedBy = e.ID, medic.ActorFrom(ctx).UserID
		if err := a.Vitals.CreateVitals(ctx, v); err != nil {
			return err
		}
		out = &RecordedVitals{Vitals: v, BMI: v.BMI(), Flags: v.Flags(s, on), Band: medic.AgeBandOn(s.DateOfBirth, on)}
		return a.Audit.Record(ctx, medic.AuditEvent{Action: "vitals.recorded", EntityType: "vitals", EntityID: v.ID, PatientID: v.PatientID,
			Detail: map[string]string{"encounter_id": e.ID, "flags": strconv.Itoa(len(out.Flags))}})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// PatientVitals is a chart's vitals over a time range, for the series API
// and the charts page.
type PatientVitals struct {
	Patient *medic.Patient
	Subject medic.VitalsSubject
	Today   medic.Date
	Records []*RecordedVitals // oldest first
	Latest  []medic.VitalLatest
}

// ListPatientVitals returns the vitals of a chart measured in [from, to)
// (zero bounds are open), oldest first, with each set's flags; one audit
// event per read. ENOTFOUND for another practice's chart.
func (a *App) ListPatientVitals(ctx context.Context, patientID string, from, to time.Time) (*PatientVitals, error) {
	return a.patientVitals(ctx, patientID, from, to, maxVitalsSeries)
}

// LatestPatientVitals is the chart summary's last vitals: the newest value
// of each measurement with the one before it (from the last 50 sets).
func (a *App) LatestPatientVitals(ctx context.Context, patientID string) (*PatientVitals, error) {
	return a.patientVitals(ctx, patientID, time.Time{}, time.Time{}, 50)
}

func (a *App) patientVitals(ctx context.Context, patientID string, from, to time.Time, limit int) (*PatientVitals, error) {
	if _, err := a.allow(ctx, "vitals.list"); err != nil {
		return nil, err
	}
	if !from.IsZero() && !to.IsZero() && !to.After(from) {
		return nil, &medic.Error{Code: medic.EINVALID, Message: "Some fields are not valid.", Fields: map[string]string{"to": "The end must be after the start."}}
	}
	var out *PatientVitals
	err := a.Tx.InReadTx(ctx, func(ctx context.Context) error {
		p, err := a.Patients.FindPatient(ctx, patientID)
		if err != nil {
			return err
		}
		vs, err := a.Vitals.ListVitals(ctx, p.ID, from, to, limit)
		if err != nil {
			return err
		}
		out = a.withFlags(ctx, p, vs)
		return a.Audit.Record(ctx, medic.AuditEvent{Action: "vitals.viewed", EntityType: "patient", EntityID: p.ID, PatientID: p.ID,
			Detail: map[string]string{"results": strconv.Itoa(len(vs))}})
	})
	return out, err
}

// EncounterVitals returns the vitals recorded at an encounter with their
// flags; one audit event. ENOTFOUND for another practice's encounter.
func (a *App) EncounterVitals(ctx context.Context, encounterID string) (*PatientVitals, error) {
	if _, err := a.allow(ctx, "vitals.list"); err != nil {
		return nil, err
	}
	var out *PatientVitals
	err := a.Tx.InReadTx(ctx, func(ctx context.Context) error {
		e, err := a.Encounters.FindEncounter(ctx, encounterID)
		if err != nil {
			return err
		}
		p, err := a.Patients.FindPatient(ctx, e.PatientID)
		if err != nil {
			return err
		}
		vs, err := a.Vitals.EncounterVitals(ctx, e.ID)
		if err != nil {
			return err
		}
		out = a.withFlags(ctx, p, vs)
		return a.Audit.Record(ctx, medic.AuditEvent{Action: "vitals.viewed", EntityType: "encounter", EntityID: e.ID, PatientID: p.ID,
			Detail: map[string]string{"results": strconv.Itoa(len(vs))}})
	})
	return out, err
}

func (a *App) withFlags(ctx context.Context, p *medic.Patient, vs []*medic.Vitals) *PatientVitals {
	loc := a.location(ctx)
	s := medic.VitalsSubject{DateOfBirth: p.DateOfBirth, Sex: p.Sex}
	out := &PatientVitals{Patient: p, Subject: s, Today: medic.DateOf(a.now().In(loc)), Latest: medic.LatestVitals(vs)}
	for _, v := range vs {
		on := medic.DateOf(v.MeasuredAt.In(loc))
		out.Records = append(out.Records, &RecordedVitals{Vitals: v, BMI: v.BMI(), Flags: v.Flags(s, on), Band: medic.AgeBandOn(s.DateOfBirth, on)})
	}
	return out
}
