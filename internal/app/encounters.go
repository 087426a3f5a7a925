package app

import (
	"context"
	"strconv"
	"strings"

	"medic"
)

// Who does what with encounters (DOMAIN.md's role table; the actions table
// holds the permissions):
//   - doctors and admins write, finish and amend;
//   - nurses start visits, move them through the stages, write the SOAP
//     note and addenda, read everything; they cannot finish (a doctor
//     finishes and signs off the visit);
//   - reception sees the queue board (names, stages, waiting times, who is
//     with whom: no clinical content) and moves a visit from registration
//     to assessment, nothing else;
//   - billing reads no encounter content (the queue board's names only).

// EncounterRequest starts a visit: from an appointment (its patient,
// practitioner and location are the visit's) or as a walk-in.
type EncounterRequest struct {
	PatientID, PractitionerID, LocationID, AppointmentID string
	// Stage to start at (registration if empty): the desk's "Start
	// consultation" starts at consultation.
	Stage medic.EncounterStage
	// TemplateID pre-fills the SOAP note from a template of the practice.
	TemplateID string
	// appointmentAddressed: the appointment is the record the request
	// names (POST /appointments/{id}/encounter), so an unknown or foreign
	// one is not found rather than a field to correct.
	appointmentAddressed bool
}

func (a *App) auditEncounter(ctx context.Context, action string, e *medic.Encounter, detail map[string]string) error {
	return a.Audit.Record(ctx, medic.AuditEvent{Action: action, EntityType: "encounter", EntityID: e.ID, PatientID: e.PatientID, Detail: detail})
}

// CreateEncounter starts a draft encounter. From an appointment, the
// appointment must be checked in (it becomes in progress) and have no open
// encounter (409).
func (a *App) CreateEncounter(ctx context.Context, in EncounterRequest) (*medic.Encounter, error) {
	if _, err := a.allow(ctx, "encounter.create"); err != nil {
		return nil, err
	}
	if in.Stage == "" {
		in.Stage = medic.StageRegistration
	}
	if !in.Stage.Valid() {
		return nil, stageError()
	}
	var e *medic.Encounter
	err := a.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		e, err = a.createEncounter(ctx, in)
		return err
	})
	return e, err
}

func stageError() error {
	return &medic.Error{Code: medic.EINVALID, Message: "Some fields are not valid.",
		Fields: map[string]string{"stage": "Use registration, assessment, consultation, counselling or closure."}}
}

func (a *App) createEncounter(ctx context.Context, in EncounterRequest) (*medic.Encounter, error) {
	e := &medic.Encounter{PatientID: in.PatientID, PractitionerID: in.PractitionerID, LocationID: in.LocationID, Stage: in.Stage,
		CreatedBy: medic.ActorFrom(ctx).UserID}
	if in.AppointmentID != "" {
		ap, err := a.Appointments.FindAppointment(ctx, in.AppointmentID)
		if err != nil {
			if in.appointmentAddressed {
				return nil, err
			}
			return nil, fieldNotFound(err, "appointment_id", "Choose an appointment of this practice.")
		}
		f := medic.FieldErrors{}
		for _, c := range []struct{ field, given, want string }{{"patient_id", in.PatientID, ap.PatientID}, {"practitioner_id", in.PractitionerID, ap.PractitionerID}, {"location_id", in.LocationID, ap.LocationID}} {
			if c.given != "" && c.given != c.want {
				f.Add(c.field, "Differs from the appointment's; leave it out.")
			}
		}
		if err := f.Err(); err != nil {
			return nil, err
		}
		switch ap.Status {
		case medic.StatusCheckedIn:
			if err := a.Appointments.SetAppointmentStatus(ctx, ap.ID, ap.Status, medic.StatusInProgress, ""); err != nil {
				return nil, err
			}
			if err := a.auditAppointment(ctx, "appointment.in_progress", ap, map[string]string{"from": string(ap.Status), "to": string(medic.StatusInProgress)}); err != nil {
				return nil, err
			}
		case medic.StatusInProgress: // its earlier encounter was... still open (the index says) or none yet
		default:
			return nil, &medic.Error{Code: medic.ECONFLICT, Message: "Check the patient in before starting the encounter; this appointment is " + label(ap.Status) + ".",
				Fields: map[string]string{"appointment_id": "Not checked in."}}
		}
		e.AppointmentID, e.PatientID, e.PractitionerID, e.LocationID = ap.ID, ap.PatientID, ap.PractitionerID, ap.LocationID
	} else {
		f := medic.FieldErrors{}
		for field, v := range map[string]string{"patient_id": in.PatientID, "practitioner_id": in.PractitionerID, "location_id": in.LocationID} {
			if v == "" {
				f.Add(field, "Required.")
			}
		}
		if err := f.Err(); err != nil {
			return nil, err
		}
	}
	patient, err := a.Patients.FindPatient(ctx, e.PatientID)
	if err != nil {
		return nil, fieldNotFound(err, "patient_id", "Choose a patient of this practice.")
	}
	if patient.Status != medic.PatientActive {
		return nil, &medic.Error{Code: medic.EINVALID, Message: "This chart is not active.", Fields: map[string]string{"patient_id": "Reactivate the chart first."}}
	}
	pr, err := a.Practitioners.FindPractitioner(ctx, e.PractitionerID)
	if err != nil {
		return nil, fieldNotFound(err, "practitioner_id", "Choose a practitioner of this practice.")
	}
	loc, err := a.Locations.FindLocation(ctx, e.LocationID)
	if err != nil {
		return nil, fieldNotFound(err, "location_id", "Choose a location of this practice.")
	}
	if in.TemplateID != "" {
		t, err := a.Encounters.FindEncounterTemplate(ctx, in.TemplateID)
		if err != nil {
			return nil, fieldNotFound(err, "template_id", "Choose a template of this practice.")
		}
		e.SOAP = t.SOAP
	}
	if err := a.Encounters.CreateEncounter(ctx, e); err != nil {
		return nil, err
	}
	e.PatientName, e.PractitionerName, e.LocationName = patient.GivenName+" "+patient.FamilyName, pr.Name, loc.Name
	detail := map[string]string{"stage": string(e.Stage)}
	if e.AppointmentID != "" {
		detail["appointment_id"] = e.AppointmentID
	}
	return e, a.auditEncounter(ctx, "encounter.created", e, detail)
}

// OpenEncounterForAppointment is the desk's "Start consultation": the
// appointment's open encounter if it has one (the read is audited), else a
// new one started at stage.
func (a *App) OpenEncounterForAppointment(ctx context.Context, appointmentID string, stage medic.EncounterStage) (*medic.Encounter, error) {
	if _, err := a.allow(ctx, "encounter.create"); err != nil {
		return nil, err
	}
	var e *medic.Encounter
	err := a.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if e, err = a.Encounters.FindOpenEncounterForAppointment(ctx, appointmentID); err == nil {
			return a.auditEncounter(ctx, "encounter.viewed", e, nil)
		} else if medic.ErrorCode(err) != medic.ENOTFOUND {
			return err
		}
		e, err = a.createEncounter(ctx, EncounterRequest{AppointmentID: appointmentID, Stage: stage, appointmentAddressed: true})
		return err
	})
	return e, err
}

// GetEncounter returns an encounter with its addenda; the read is audited.
func (a *App) GetEncounter(ctx context.Context, id string) (*medic.Encounter, error) {
	if _, err := a.allow(ctx, "encounter.view"); err != nil {
		return nil, err
	}
	var e *medic.Encounter
	err := a.Tx.InReadTx(ctx, func(ctx context.Context) error {
		var err error
		if e, err = a.Encounters.FindEncounter(ctx, id); err != nil {
			return err
		}
		return a.auditEncounter(ctx, "encounter.viewed", e, nil)
	})
	return e, err
}

// ListEncounters lists encounters newest first (a chart's history, a
// practitioner's or location's); one audit event per list.
func (a *App) ListEncounters(ctx context.Context, f medic.EncounterFilter, p medic.Page) ([]*medic.Encounter, string, error) {
	if _, err := a.allow(ctx, "encounter.list"); err != nil {
		return nil, "", err
	}
	var out []*medic.Encounter
	var next string
	err := a.Tx.InReadTx(ctx, func(ctx context.Context) error {
		var err error
		if out, next, err = a.Encounters.ListEncounters(ctx, f, p); err != nil {
			return err
		}
		e := medic.AuditEvent{Action: "encounter.listed", EntityType: "encounter", PatientIDs: encounterPatients(out),
			Detail: map[string]string{"results": strconv.Itoa(len(out))}}
		// Name only a chart of this practice (the filter may hold anything).
		if f.PatientID != "" {
			if patient, err := a.Patients.FindPatient(ctx, f.PatientID); err == nil {
				e.PatientID = patient.ID
			} else if medic.ErrorCode(err) != medic.ENOTFOUND {
				return err
			}
		}
		return a.Audit.Record(ctx, e)
	})
	return out, next, err
}

// EncounterChange is a change to a draft: nil fields stay as they are.
type EncounterChange struct {
	Subjective, Objective, Assessment, Plan *string
	Stage                                   *medic.EncounterStage
	// Version is the version the change was made on; 0 skips the check
	// (a script that does not send it saves over whatever is there).
	Version int
}

// UpdateEncounter saves a change to a draft (the desk's autosave and the
// API's PATCH): 409 once it is finished, or when Version is not the
// stored one (another tab saved meanwhile).
func (a *App) UpdateEncounter(ctx context.Context, id string, c EncounterChange) (*medic.Encounter, error) {
	if _, err := a.allow(ctx, "encounter.update"); err != nil {
		return nil, err
	}
	if c.Stage != nil && !c.Stage.Valid() {
		return nil, stageError()
	}
	var e *medic.Encounter
	err := a.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if e, err = a.Encounters.FindEncounter(ctx, id); err != nil {
			return err
		}
		if e.Finished() {
			return medic.ErrEncounterFinished
		}
		if c.Version != 0 && c.Version != e.Version {
			return medic.ErrEncounterStale
		}
		var changed []string
		for _, s := range []struct {
			name string
			to   *string
			at   *string
		}{{"subjective", c.Subjective, &e.SOAP.Subjective}, {"objective", c.Objective, &e.SOAP.Objective}, {"assessment", c.Assessment, &e.SOAP.Assessment}, {"plan", c.Plan, &e.SOAP.Plan}} {
			if s.to != nil && *s.to != *s.at {
				*s.at = *s.to
				changed = append(changed, s.name)
			}
		}
		if err := e.SOAP.Validate(); err != nil {
			return err
		}
		detail := map[string]string{}
		if len(changed) > 0 {
			detail["sections"] = strings.Join(changed, ",") // which, never what
		}
		if c.Stage != nil && *c.Stage != e.Stage {
			detail["from"], detail["to"] = string(e.Stage), string(*c.Stage)
			e.Stage, e.StageSince = *c.Stage, a.now()
		}
		if err := a.Encounters.SaveEncounter(ctx, e); err != nil {
			return err
		}
		return a.auditEncounter(ctx, "encounter.updated", e, detail)
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// SetEncounterStage is the queue board's one-click stage change. Clinical
// writers move a visit to any stage; reception only from registration to
// assessment (handing the patient to triage), which shows nothing clinical.
func (a *App) SetEncounterStage(ctx context.Context, id string, to medic.EncounterStage) (*medic.Encounter, error) {
	t, err := a.allow(ctx, "encounter.stage")
	if err != nil {
		return nil, err
	}
	if !to.Valid() {
		return nil, stageError()
	}
	var e *medic.Encounter
	err = a.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if e, err = a.Encounters.FindEncounter(ctx, id); err != nil {
			return err
		}
		if e.Finished() {
			return medic.ErrEncounterFinished
		}
		if !t.Can(medic.PermNotesWrite) && !(e.Stage == medic.StageRegistration && to == medic.StageAssessment) {
			return errStageRefused
		}
		if to == e.Stage {
			return nil
		}
		from := e.Stage
		e.Stage, e.StageSince = to, a.now()
		if err := a.Encounters.SaveEncounter(ctx, e); err != nil {
			return err
		}
		return a.auditEncounter(ctx, "encounter.stage", e, map[string]string{"from": string(from), "to": string(to)})
	})
	if medic.ErrorCode(err) == medic.EFORBIDDEN {
		return nil, a.denied(ctx, "encounter.stage", err)
	}
	if err != nil {
		return nil, err
	}
	return e, nil
}

var errStageRefused = medic.Errorf(medic.EFORBIDDEN, "Your role may only send a patient from registration to assessment.")

// FinishEncounter locks a draft: from now on changes are addenda. The
// appointment it was started from is completed. version 0 skips the
// version check.
func (a *App) FinishEncounter(ctx context.Context, id string, version int) (*medic.Encounter, error) {
	if _, err := a.allow(ctx, "encounter.finish"); err != nil {
		return nil, err
	}
	var e *medic.Encounter
	err := a.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if e, err = a.Encounters.FindEncounter(ctx, id); err != nil {
			return err
		}
		if e.Finished() {
			return medic.ErrEncounterFinished
		}
		if version != 0 && version != e.Version {
			return medic.ErrEncounterStale
		}
		actor := medic.ActorFrom(ctx)
		now := a.now()
		from := e.Stage
		e.Status, e.FinishedAt, e.FinishedBy, e.FinishedByName = medic.EncounterFinished, now, actor.UserID, actor.Name
		if e.Stage != medic.StageClosure {
			e.Stage, e.StageSince = medic.StageClosure, now
		}
		if err := a.Encounters.SaveEncounter(ctx, e); err != nil {
			return err
		}
		if e.AppointmentID != "" {
			ap, err := a.Appointments.FindAppointment(ctx, e.AppointmentID)
			if err != nil {
				return err
			}
			if ap.Status == medic.StatusInProgress {
				if err := a.Appointments.SetAppointmentStatus(ctx, ap.ID, ap.Status, medic.StatusCompleted, ""); err != nil {
					return err
				}
				if err := a.auditAppointment(ctx, "appointment.completed", ap, map[string]string{"from": string(ap.Status), "to": string(medic.StatusCompleted)}); err != nil {
					return err
				}
			}
		}
		return a.auditEncounter(ctx, "encounter.finished", e, map[string]string{"from": string(from)})
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// AddAddendum amends a finished encounter with text and the reason for it;
// the author and time are recorded and shown beside the original.
func (a *App) AddAddendum(ctx context.Context, encounterID, text, reason string) (*medic.Addendum, error) {
	if _, err := a.allow(ctx, "encounter.addendum"); err != nil {
		return nil, err
	}
	actor := medic.ActorFrom(ctx)
	ad := &medic.Addendum{EncounterID: encounterID, Text: text, Reason: reason, AuthorID: actor.UserID, AuthorName: actor.Name}
	if ad.AuthorName == "" {
		ad.AuthorName = actor.Email
	}
	if err := ad.Validate(); err != nil {
		return nil, err
	}
	err := a.Tx.InTx(ctx, func(ctx context.Context) error {
		e, err := a.Encounters.FindEncounter(ctx, encounterID)
		if err != nil {
			return err
		}
		if !e.Finished() {
			return medic.Errorf(medic.ECONFLICT, "This encounter is still a draft: change the note itself.")
		}
		if err := a.Encounters.AddAddendum(ctx, ad); err != nil {
			return err
		}
		return a.Audit.Record(ctx, medic.AuditEvent{Action: "encounter.amended", EntityType: "encounter", EntityID: e.ID, PatientID: e.PatientID,
			Detail: map[string]string{"addendum_id": ad.ID}})
	})
	if err != nil {
		return nil, err
	}
	return ad, nil
}

// ViewQueue lists the open visits at a location ("" for all) for the
// queue board: names, stages, times and practitioners, no clinical content
// (reception and billing see it). One audit event per view.
func (a *App) ViewQueue(ctx context.Context, locationID string) ([]*medic.Encounter, error) {
	if _, err := a.allow(ctx, "queue.view"); err != nil {
		return nil, err
	}
	var out []*medic.Encounter
	err := a.Tx.InReadTx(ctx, func(ctx context.Context) error {
		var err error
		if out, err = a.Encounters.Queue(ctx, locationID); err != nil {
			return err
		}
		detail := map[string]string{"results": strconv.Itoa(len(out))}
		if locationID != "" {
			detail["location_id"] = locationID
		}
		// The board names its patients: the event answers "who saw whom".
		return a.Audit.Record(ctx, medic.AuditEvent{Action: "queue.viewed", EntityType: "encounter", PatientIDs: encounterPatients(out), Detail: detail})
	})
	if err != nil {
		return nil, err
	}
	// What the board shows and nothing more: whoever asks, no note leaves here.
	for _, e := range out {
		e.SOAP, e.Addenda = medic.SOAP{}, nil
	}
	return out, nil
}

// QueueVersion is a fingerprint of the queue at a location, for the
// board's polling to ask whether to redraw; it reads no patient data, so
// it records no audit event (the redraw does).
func (a *App) QueueVersion(ctx context.Context, locationID string) (string, error) {
	if _, err := a.allow(ctx, "queue.view"); err != nil {
		return "", err
	}
	return a.Encounters.QueueVersion(ctx, locationID)
}

// encounterPatients are the charts a list of encounters shows.
func encounterPatients(es []*medic.Encounter) []string {
	ids := make([]string, len(es))
	for i, e := range es {
		ids[i] = e.PatientID
	}
	return ids
}

// ListEncounterTemplates lists the practice's templates (retired ones too
// if includeRetired, for the admin page).
func (a *App) ListEncounterTemplates(ctx context.Context, includeRetired bool) ([]*medic.EncounterTemplate, error) {
	if _, err := a.allow(ctx, "encounter_template.list"); err != nil {
		return nil, err
	}
	return a.Encounters.ListEncounterTemplates(ctx, includeRetired)
}

// GetEncounterTemplate returns one template.
func (a *App) GetEncounterTemplate(ctx context.Context, id string) (*medic.EncounterTemplate, error) {
	if _, err := a.allow(ctx, "encounter_template.list"); err != nil {
		return nil, err
	}
	return a.Encounters.FindEncounterTemplate(ctx, id)
}

// CreateEncounterTemplate adds a template (admins).
func (a *App) CreateEncounterTemplate(ctx context.Context, t *medic.EncounterTemplate) error {
	if _, err := a.allow(ctx, "encounter_template.create"); err != nil {
		return err
	}
	if err := t.Validate(); err != nil {
		return err
	}
	return a.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := a.Encounters.CreateEncounterTemplate(ctx, t); err != nil {
			return err
		}
		return a.audit(ctx, "encounter_template.created", "encounter_template", t.ID, nil)
	})
}

// TemplateChange is a change to a template: nil fields stay.
type TemplateChange struct {
	Name                                    *string
	Subjective, Objective, Assessment, Plan *string
	Active                                  *bool
}

// UpdateEncounterTemplate edits or retires a template (admins).
func (a *App) UpdateEncounterTemplate(ctx context.Context, id string, c TemplateChange) (*medic.EncounterTemplate, error) {
	if _, err := a.allow(ctx, "encounter_template.update"); err != nil {
		return nil, err
	}
	var t *medic.EncounterTemplate
	err := a.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if t, err = a.Encounters.FindEncounterTemplate(ctx, id); err != nil {
			return err
		}
		for _, s := range []struct{ to, at *string }{{c.Name, &t.Name}, {c.Subjective, &t.SOAP.Subjective}, {c.Objective, &t.SOAP.Objective}, {c.Assessment, &t.SOAP.Assessment}, {c.Plan, &t.SOAP.Plan}} {
			if s.to != nil {
				*s.at = *s.to
			}
		}
		if c.Active != nil {
			t.Active = *c.Active
		}
		if err := t.Validate(); err != nil {
			return err
		}
		if err := a.Encounters.UpdateEncounterTemplate(ctx, t); err != nil {
			return err
		}
		return a.audit(ctx, "encounter_template.updated", "encounter_template", t.ID, nil)
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}
