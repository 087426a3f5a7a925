package postgres_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"medic"
	"medic/internal/postgres/pgtest"
)

// A read use case's audit event is durable when InReadTx returns, in the
// practice's own log; the read itself ran no transaction of its own and a
// write inside it is refused.
func TestReadAuditIsCommittedBeforeTheReadReturns(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	a := mustCreatePractice(t, db, "alpha")
	b := mustCreatePractice(t, db, "bravo")
	ctx := asPractice(context.Background(), a)
	patient := uuid.NewString()
	err := db.InReadTx(ctx, func(ctx context.Context) error {
		if _, err := db.CountPatients(ctx, medic.PatientActive); err != nil {
			return err
		}
		return db.Record(ctx, medic.AuditEvent{Action: "patient.viewed", EntityType: "patient", EntityID: patient, PatientID: patient})
	})
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := db.ListAuditEvents(ctx, medic.AuditFilter{PatientID: patient}, medic.Page{})
	if err != nil || len(got) != 1 || got[0].Action != "patient.viewed" {
		t.Fatalf("after the read: %+v (%v), want its event", got, err)
	}
	if other, _, err := db.ListAuditEvents(asPractice(context.Background(), b), medic.AuditFilter{}, medic.Page{}); err != nil || len(other) != 0 {
		t.Fatalf("practice B sees %d events (%v)", len(other), err)
	}
	mustSeal(t, db, a, 1)
	wantIntact(t, db)

	// A read that fails writes no event.
	boom := errors.New("boom")
	err = db.InReadTx(ctx, func(ctx context.Context) error {
		if err := db.Record(ctx, medic.AuditEvent{Action: "patient.viewed", EntityType: "patient", PatientID: uuid.NewString()}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("failed read: %v", err)
	}
	if all, _, _ := db.ListAuditEvents(ctx, medic.AuditFilter{}, medic.Page{}); len(all) != 1 {
		t.Errorf("%d events after a failed read, want 1", len(all))
	}

	// A read that writes is refused, and its write is not made.
	err = db.InReadTx(ctx, func(ctx context.Context) error {
		return db.UpdatePractice(ctx, a)
	})
	if err == nil {
		t.Fatal("a write inside InReadTx succeeded")
	}
	// Nor does the database let a write through that the code did not
	// refuse: a read's statements run read-only.
	err = db.InReadTx(ctx, func(ctx context.Context) error {
		return db.QueryInTx(ctx, `UPDATE practices SET name = 'renamed' WHERE id = $1 RETURNING id`, a.ID)
	})
	if err == nil {
		t.Fatal("an UPDATE ... RETURNING inside InReadTx succeeded")
	}
	if p, err := db.FindPracticeByRef(context.Background(), "alpha"); err != nil || p.Name == "renamed" {
		t.Fatalf("practice after the refused writes: %+v (%v)", p, err)
	}
}

// Reads' events of several practices commit in one transaction (one xid),
// each in its own log; an event the database refuses fails only its own
// read, the others still commit.
func TestReadAuditGroupCommit(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	a := mustCreatePractice(t, db, "alpha")
	b := mustCreatePractice(t, db, "bravo")
	ev := func(action string) medic.AuditEvent {
		p := uuid.NewString()
		return medic.AuditEvent{Action: action, EntityType: "patient", EntityID: p, PatientID: p}
	}
	ctx := context.Background()
	errs := db.CommitAuditBatch(ctx, []string{a.ID, b.ID, a.ID}, []medic.AuditEvent{ev("patient.viewed"), ev("patient.viewed"), ev("patient.searched")})
	for i, err := range errs {
		if err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
	}
	owner, err := pgx.Connect(ctx, db.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close(ctx)
	var events, xids int
	if err := owner.QueryRow(ctx, `SELECT count(*), count(DISTINCT xid) FROM audit_events`).Scan(&events, &xids); err != nil {
		t.Fatal(err)
	}
	if events != 3 || xids != 1 {
		t.Errorf("%d events in %d transactions, want 3 in 1", events, xids)
	}
	if got, _, _ := db.ListAuditEvents(asPractice(ctx, a), medic.AuditFilter{}, medic.Page{}); len(got) != 2 {
		t.Errorf("alpha's log holds %d events, want 2", len(got))
	}

	// The middle write's patient id is not a uuid: refused alone.
	bad := ev("patient.viewed")
	bad.PatientID = "not-a-uuid"
	errs = db.CommitAuditBatch(ctx, []string{a.ID, b.ID, a.ID}, []medic.AuditEvent{ev("patient.viewed"), bad, ev("patient.viewed")})
	if errs[0] != nil || errs[1] == nil || errs[2] != nil {
		t.Fatalf("outcomes %v, want only the second refused", errs)
	}
	if err := owner.QueryRow(ctx, `SELECT count(*) FROM audit_events`).Scan(&events); err != nil || events != 5 {
		t.Errorf("%d events (%v), want 5", events, err)
	}
	mustSeal(t, db, a, 4)
	wantIntact(t, db)
}
