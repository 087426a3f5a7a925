package postgres_test

import (
	"errors"
	"testing"
	"time"

	"medic"
	"medic/internal/postgres/pgtest"
)

func (f *schedFixture) mustEncounter(t *testing.T, appointmentID string) *medic.Encounter {
	t.Helper()
	e := &medic.Encounter{PatientID: f.pat.ID, PractitionerID: f.pr.ID, LocationID: f.loc.ID, AppointmentID: appointmentID}
	if err := f.db.CreateEncounter(f.ctx, e); err != nil {
		t.Fatalf("create encounter: %v", err)
	}
	return e
}

func TestEncounterStore(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	f := newSchedFixture(t, db, "encounters")
	ap := f.mustBook(t, 1, 0)

	e := f.mustEncounter(t, ap.ID)
	if e.Status != medic.EncounterDraft || e.Stage != medic.StageRegistration || e.Version != 1 {
		t.Fatalf("new encounter: %+v", e)
	}
	// One open draft per appointment.
	dup := &medic.Encounter{PatientID: f.pat.ID, PractitionerID: f.pr.ID, LocationID: f.loc.ID, AppointmentID: ap.ID}
	if err := db.CreateEncounter(f.ctx, dup); medic.ErrorCode(err) != medic.ECONFLICT {
		t.Errorf("second open encounter for the appointment: %v, want ECONFLICT", err)
	}
	open, err := db.FindOpenEncounterForAppointment(f.ctx, ap.ID)
	if err != nil || open.ID != e.ID {
		t.Fatalf("open encounter of the appointment: %+v, %v", open, err)
	}

	// Save with the right version, then a stale one.
	e.SOAP = medic.SOAP{Subjective: "Headache for 3 days", Plan: "Paracetamol"}
	e.Stage, e.StageSince = medic.StageConsultation, time.Now()
	if err := db.SaveEncounter(f.ctx, e); err != nil || e.Version != 2 {
		t.Fatalf("save: version %d, %v", e.Version, err)
	}
	stale := *e
	stale.Version = 1
	stale.SOAP.Plan = "overwritten"
	if err := db.SaveEncounter(f.ctx, &stale); !errors.Is(err, medic.ErrEncounterStale) {
		t.Errorf("save on version 1: %v, want ErrEncounterStale", err)
	}
	got, err := db.FindEncounter(f.ctx, e.ID)
	if err != nil || got.SOAP.Plan != "Paracetamol" || got.Stage != medic.StageConsultation || got.Version != 2 || got.PatientName != "Thabo Nkosi" {
		t.Fatalf("read back: %+v, %v", got, err)
	}

	// The queue shows the draft; a finished one leaves it.
	q, err := db.Queue(f.ctx, f.loc.ID)
	if err != nil || len(q) != 1 || q[0].ID != e.ID {
		t.Fatalf("queue: %v, %v", q, err)
	}
	// An addendum needs a finished encounter.
	if err := db.AddAddendum(f.ctx, &medic.Addendum{EncounterID: e.ID, Text: "x", Reason: "y"}); medic.ErrorCode(err) != medic.ECONFLICT {
		t.Errorf("addendum on a draft: %v, want ECONFLICT", err)
	}
	e.Status, e.FinishedAt = medic.EncounterFinished, time.Now()
	if err := db.SaveEncounter(f.ctx, e); err != nil {
		t.Fatalf("finish: %v", err)
	}
	e.SOAP.Plan = "changed after finishing"
	if err := db.SaveEncounter(f.ctx, e); !errors.Is(err, medic.ErrEncounterFinished) {
		t.Errorf("save after finishing: %v, want ErrEncounterFinished", err)
	}
	if q, _ := db.Queue(f.ctx, ""); len(q) != 0 {
		t.Errorf("queue after finishing: %d lines", len(q))
	}
	ad := &medic.Addendum{EncounterID: e.ID, Text: "BP rechecked: 128/82", Reason: "Late result", AuthorName: "Dr Khumalo"}
	if err := db.AddAddendum(f.ctx, ad); err != nil {
		t.Fatalf("addendum: %v", err)
	}
	got, _ = db.FindEncounter(f.ctx, e.ID)
	if got.Status != medic.EncounterFinished || got.SOAP.Plan != "Paracetamol" || len(got.Addenda) != 1 || got.Addenda[0].Reason != "Late result" || got.Addenda[0].AuthorName != "Dr Khumalo" {
		t.Errorf("finished encounter: %+v, addenda %v", got, got.Addenda)
	}
	// A new draft for the same appointment is allowed once the first is finished.
	second := f.mustEncounter(t, ap.ID)

	// A patient's encounters, newest first, paged.
	walkIn := f.mustEncounter(t, "")
	var ids []string
	page := medic.Page{Limit: 2}
	for {
		es, next, err := db.ListEncounters(f.ctx, medic.EncounterFilter{PatientID: f.pat.ID}, page)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range es {
			ids = append(ids, x.ID)
		}
		if next == "" {
			break
		}
		page.Cursor = next
	}
	if len(ids) != 3 || ids[0] != walkIn.ID || ids[1] != second.ID || ids[2] != e.ID {
		t.Errorf("patient's encounters %v, want %v", ids, []string{walkIn.ID, second.ID, e.ID})
	}
	if es, _, _ := db.ListEncounters(f.ctx, medic.EncounterFilter{Statuses: []medic.EncounterStatus{medic.EncounterFinished}}, medic.Page{}); len(es) != 1 || es[0].ID != e.ID {
		t.Errorf("finished encounters: %v", es)
	}

	// Templates: the shipped four, then the practice's own.
	ts, err := db.ListEncounterTemplates(f.ctx, false)
	if err != nil || len(ts) != 4 {
		t.Fatalf("shipped templates: %d, %v", len(ts), err)
	}
	tpl := &medic.EncounterTemplate{Name: "Travel clinic", SOAP: medic.SOAP{Plan: "Vaccines:"}}
	if err := db.CreateEncounterTemplate(f.ctx, tpl); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateEncounterTemplate(f.ctx, &medic.EncounterTemplate{Name: "Travel clinic"}); medic.ErrorCode(err) != medic.ECONFLICT {
		t.Errorf("duplicate template name: %v", err)
	}
	tpl.Active = false
	if err := db.UpdateEncounterTemplate(f.ctx, tpl); err != nil {
		t.Fatal(err)
	}
	if ts, _ := db.ListEncounterTemplates(f.ctx, false); len(ts) != 4 {
		t.Errorf("active templates after retiring one: %d", len(ts))
	}
	if ts, _ := db.ListEncounterTemplates(f.ctx, true); len(ts) != 5 {
		t.Errorf("all templates: %d", len(ts))
	}
}

// TestEncounterCrossTenant: practice B finds, changes and lists none of
// practice A's encounters, addenda or templates, and cannot start one on
// A's chart, practitioner, location or appointment.
func TestEncounterCrossTenant(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	a := newSchedFixture(t, db, "enc-a")
	b := newSchedFixture(t, db, "enc-b")
	ap := a.mustBook(t, 1, 0)
	e := a.mustEncounter(t, ap.ID)
	e.SOAP.Plan = "A's plan"
	if err := db.SaveEncounter(a.ctx, e); err != nil {
		t.Fatal(err)
	}
	tpls, _ := db.ListEncounterTemplates(a.ctx, false)

	notFound := map[string]error{}
	_, err := db.FindEncounter(b.ctx, e.ID)
	notFound["FindEncounter"] = err
	_, err = db.FindOpenEncounterForAppointment(b.ctx, ap.ID)
	notFound["FindOpenEncounterForAppointment"] = err
	stolen := *e
	stolen.SOAP.Plan = "B's plan"
	notFound["SaveEncounter"] = db.SaveEncounter(b.ctx, &stolen)
	notFound["AddAddendum"] = db.AddAddendum(b.ctx, &medic.Addendum{EncounterID: e.ID, Text: "x", Reason: "y"})
	_, err = db.FindEncounterTemplate(b.ctx, tpls[0].ID)
	notFound["FindEncounterTemplate"] = err
	notFound["UpdateEncounterTemplate"] = db.UpdateEncounterTemplate(b.ctx, &medic.EncounterTemplate{ID: tpls[0].ID, Name: "Stolen"})
	for name, enc := range map[string]*medic.Encounter{
		"A's patient":      {PatientID: a.pat.ID, PractitionerID: b.pr.ID, LocationID: b.loc.ID},
		"A's practitioner": {PatientID: b.pat.ID, PractitionerID: a.pr.ID, LocationID: b.loc.ID},
		"A's location":     {PatientID: b.pat.ID, PractitionerID: b.pr.ID, LocationID: a.loc.ID},
		"A's appointment":  {PatientID: b.pat.ID, PractitionerID: b.pr.ID, LocationID: b.loc.ID, AppointmentID: ap.ID},
	} {
		notFound["CreateEncounter with "+name] = db.CreateEncounter(b.ctx, enc)
	}
	for name, err := range notFound {
		if !errors.Is(err, medic.ErrNotFound) {
			t.Errorf("%s from practice B on practice A's rows: %v, want ENOTFOUND", name, err)
		}
	}
	if es, _, err := db.ListEncounters(b.ctx, medic.EncounterFilter{}, medic.Page{}); err != nil || len(es) != 0 {
		t.Errorf("B lists %d encounters (%v)", len(es), err)
	}
	if es, _, _ := db.ListEncounters(b.ctx, medic.EncounterFilter{PatientID: a.pat.ID}, medic.Page{}); len(es) != 0 {
		t.Errorf("B lists %d encounters of A's patient", len(es))
	}
	if q, _ := db.Queue(b.ctx, ""); len(q) != 0 {
		t.Errorf("B's queue holds %d of A's visits", len(q))
	}
	if q, _ := db.Queue(b.ctx, a.loc.ID); len(q) != 0 {
		t.Errorf("B's queue at A's location holds %d visits", len(q))
	}
	if ts, _ := db.ListEncounterTemplates(b.ctx, true); len(ts) != 4 {
		t.Errorf("B sees %d templates, want its own 4", len(ts))
	}
	got, err := db.FindEncounter(a.ctx, e.ID)
	if err != nil || got.SOAP.Plan != "A's plan" || len(got.Addenda) != 0 {
		t.Errorf("A's encounter after B's attempts: %+v, %v", got, err)
	}
}
