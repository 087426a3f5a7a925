package postgres_test

import (
	"context"
	"slices"
	"testing"

	"github.com/google/uuid"

	"medic"
	"medic/internal/postgres/pgtest"
)

// RecordMany writes one event per patient in one statement; they list,
// filter by patient, seal and verify like single events, and stay in the
// practice in context.
func TestAuditRecordMany(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	a := mustCreatePractice(t, db, "alpha")
	b := mustCreatePractice(t, db, "bravo")
	ctx := asPractice(context.Background(), a)
	patients := []string{uuid.NewString(), uuid.NewString(), uuid.NewString()}
	var es []medic.AuditEvent
	for _, p := range patients {
		es = append(es, medic.AuditEvent{Action: "patient.listed", EntityType: "patient", EntityID: p, PatientID: p, Detail: map[string]string{"list": "search"}})
	}
	if err := db.RecordMany(ctx, es); err != nil {
		t.Fatal(err)
	}
	got, _, err := db.ListAuditEvents(ctx, medic.AuditFilter{Action: "patient.listed"}, medic.Page{})
	if err != nil || len(got) != 3 {
		t.Fatalf("listed %d events (%v), want 3", len(got), err)
	}
	one, _, err := db.ListAuditEvents(ctx, medic.AuditFilter{PatientID: patients[1]}, medic.Page{})
	if err != nil || len(one) != 1 || one[0].Detail["list"] != "search" || one[0].Outcome != medic.OutcomeSuccess {
		t.Fatalf("by patient: %+v (%v)", one, err)
	}
	other, _, err := db.ListAuditEvents(asPractice(context.Background(), b), medic.AuditFilter{}, medic.Page{})
	if err != nil || len(other) != 0 {
		t.Fatalf("practice B sees %d of A's events (%v)", len(other), err)
	}
	mustSeal(t, db, a, 3)
	wantIntact(t, db)
	if err := db.RecordMany(context.Background(), es); err == nil {
		t.Fatal("RecordMany without a practice in context succeeded")
	}
}

// One event per list names every patient shown (patient_ids): the log finds
// it by any of them, as by patient_id, only in its own practice; the ids
// are kept once each, in order; sealing and verifying cover them.
func TestAuditEventNamesThePatientsShown(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	a := mustCreatePractice(t, db, "alpha")
	b := mustCreatePractice(t, db, "bravo")
	ctx := asPractice(context.Background(), a)
	p1, p2, p3, unseen := uuid.NewString(), uuid.NewString(), uuid.NewString(), uuid.NewString()
	if err := db.Record(ctx, medic.AuditEvent{Action: "patient.searched", EntityType: "patient", PatientIDs: []string{p1, p2, p1}}); err != nil {
		t.Fatal(err)
	}
	if err := db.Record(ctx, medic.AuditEvent{Action: "patient.viewed", EntityType: "patient", EntityID: p3, PatientID: p3}); err != nil {
		t.Fatal(err)
	}
	if err := db.RecordMany(ctx, []medic.AuditEvent{{Action: "appointment.listed", PatientIDs: []string{p3, p2}}, {Action: "appointment.listed"}}); err != nil {
		t.Fatal(err)
	}
	actions := func(ctx context.Context, patient string) []string {
		t.Helper()
		es, _, err := db.ListAuditEvents(ctx, medic.AuditFilter{PatientID: patient}, medic.Page{})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range es {
			out = append(out, e.Action)
		}
		return out
	}
	for _, tc := range []struct {
		patient string
		want    []string
	}{
		{p1, []string{"patient.searched"}},
		{p2, []string{"appointment.listed", "patient.searched"}},
		{p3, []string{"appointment.listed", "patient.viewed"}},
		{unseen, nil},
		{"not-a-uuid", nil},
	} {
		if got := actions(ctx, tc.patient); !slices.Equal(got, tc.want) {
			t.Errorf("events naming %s: %v, want %v", tc.patient, got, tc.want)
		}
	}
	if got := actions(asPractice(context.Background(), b), p2); got != nil {
		t.Errorf("practice B finds A's events: %v", got)
	}
	es, _, err := db.ListAuditEvents(ctx, medic.AuditFilter{Action: "patient.searched"}, medic.Page{})
	if err != nil || len(es) != 1 || !slices.Equal(es[0].PatientIDs, []string{p1, p2}) {
		t.Fatalf("patient ids kept: %+v (%v), want [%s %s]", es, err, p1, p2)
	}
	mustSeal(t, db, a, 4)
	wantIntact(t, db)
}
