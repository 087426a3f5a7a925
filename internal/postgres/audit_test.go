package postgres_test

import (
	"context"
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
