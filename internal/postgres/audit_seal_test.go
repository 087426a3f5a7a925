package postgres_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"medic"
	"medic/internal/postgres"
	"medic/internal/postgres/pgtest"
)

func mustCreatePractice(t *testing.T, db *pgtest.DB, slug string) *medic.Practice {
	t.Helper()
	p := &medic.Practice{Slug: slug, Name: "Practice " + slug, Type: medic.PracticeClinic}
	if err := db.CreatePractice(t.Context(), p); err != nil {
		t.Fatalf("create practice: %v", err)
	}
	return p
}

func asPractice(ctx context.Context, p *medic.Practice) context.Context {
	return medic.WithTenant(ctx, medic.Tenant{PracticeID: p.ID})
}

func mustRecord(t testing.TB, db *pgtest.DB, ctx context.Context, action string) {
	t.Helper()
	e := medic.AuditEvent{Action: action, EntityType: "member", EntityID: "m-1", Detail: map[string]string{"role": "doctor", "a": "1"}}
	if err := db.Record(ctx, e); err != nil {
		t.Errorf("record: %v", err)
	}
}

func mustSeal(t *testing.T, db *pgtest.DB, p *medic.Practice, want int) {
	t.Helper()
	n, err := db.SealPractice(t.Context(), p.ID)
	if err != nil {
		t.Fatalf("seal: %v", err)
	}
	if n != want {
		t.Fatalf("sealed %d events, want %d", n, want)
	}
}

func wantIntact(t *testing.T, db *pgtest.DB) {
	t.Helper()
	breaks, err := db.VerifyAudit(t.Context())
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if breaks == nil || len(breaks) != 0 {
		t.Fatalf("VerifyAudit = %#v, want an empty slice", breaks)
	}
}

// owner connects as the superuser, who (unlike the app) can tamper.
func owner(t *testing.T, db *pgtest.DB) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(t.Context(), db.OwnerURL)
	if err != nil {
		t.Fatalf("connect as owner: %v", err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// sealedEvents maps seq to event id for the practice, read as the owner.
func sealedEvents(t *testing.T, owner *pgx.Conn, p *medic.Practice) map[int64]int64 {
	t.Helper()
	rows, err := owner.Query(t.Context(), `SELECT seq, event_id FROM audit_seals WHERE practice_id = $1`, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	m := map[int64]int64{}
	var seq, id int64
	if _, err := pgx.ForEachRow(rows, []any{&seq, &id}, func() error { m[seq] = id; return nil }); err != nil {
		t.Fatal(err)
	}
	return m
}

// wantChain checks seqs 1..n each seal a distinct event.
func wantChain(t *testing.T, seals map[int64]int64, n int) {
	t.Helper()
	events := map[int64]bool{}
	for seq := int64(1); seq <= int64(n); seq++ {
		id, ok := seals[seq]
		if !ok {
			t.Fatalf("seq %d missing; seals %v", seq, seals)
		}
		if events[id] {
			t.Fatalf("event %d sealed twice", id)
		}
		events[id] = true
	}
	if len(seals) != n {
		t.Fatalf("%d seals, want %d", len(seals), n)
	}
}

func TestAuditSealAndVerify(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	p := mustCreatePractice(t, db, "seal-verify")
	ctx := asPractice(t.Context(), p)

	wantIntact(t, db) // empty chains are intact
	for i := range 3 {
		mustRecord(t, db, ctx, fmt.Sprintf("member.action_%d", i))
	}
	if err := db.RecordPlatform(t.Context(), medic.AuditEvent{Action: "operator.login"}); err != nil {
		t.Fatal(err)
	}
	mustSeal(t, db, p, 3)
	mustSeal(t, db, p, 0) // nothing new
	if n, err := db.SealPlatform(t.Context()); err != nil || n != 1 {
		t.Fatalf("SealPlatform = %d, %v; want 1", n, err)
	}
	if n, err := db.SealPlatform(t.Context()); err != nil || n != 0 {
		t.Fatalf("second SealPlatform = %d, %v; want 0", n, err)
	}
	wantIntact(t, db)

	// Unsealed events are not breaks, and sealing continues the chain.
	mustRecord(t, db, ctx, "member.later")
	wantIntact(t, db)
	mustSeal(t, db, p, 1)
	wantIntact(t, db)

	// Seqs follow id order and show in the listing.
	events, _, err := db.ListAuditEvents(ctx, medic.AuditFilter{}, medic.Page{})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 4 {
		t.Fatalf("%d events, want 4", len(events))
	}
	for i, e := range events { // newest first
		if want := int64(4 - i); e.Seq != want {
			t.Errorf("event %d: seq %d, want %d", e.ID, e.Seq, want)
		}
	}
}

func TestAuditSealConcurrentWriters(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	p := mustCreatePractice(t, db, "seal-writers")
	ctx := asPractice(t.Context(), p)

	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() { mustRecord(t, db, ctx, fmt.Sprintf("member.write_%d", i)) })
	}
	wg.Wait()
	mustSeal(t, db, p, 20)
	wantChain(t, sealedEvents(t, owner(t, db), p), 20)
	wantIntact(t, db)
}

func TestAuditSealConcurrentSealers(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	p := mustCreatePractice(t, db, "seal-sealers")
	ctx := asPractice(t.Context(), p)
	for i := range 30 {
		mustRecord(t, db, ctx, fmt.Sprintf("member.a_%d", i))
	}

	// Sealers race each other, and writers keep writing meanwhile.
	var mu sync.Mutex
	total := 0
	seal := func() {
		n, err := db.SealPractice(t.Context(), p.ID)
		if err != nil {
			t.Errorf("seal: %v", err)
		}
		mu.Lock()
		total += n
		mu.Unlock()
	}
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Go(seal)
		wg.Go(func() {
			for j := range 5 {
				mustRecord(t, db, ctx, fmt.Sprintf("member.b_%d_%d", i, j))
			}
		})
	}
	wg.Wait()
	seal() // whatever the racing sealers missed
	if total != 60 {
		t.Fatalf("sealed %d in all, want 60", total)
	}
	wantChain(t, sealedEvents(t, owner(t, db), p), 60)
	wantIntact(t, db)
}

func TestAuditVerifyFindsTampering(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		sql     string // $1 practice, $2 the id of the event sealed at seq 3
		seq     int64  // where the break shows
		eventOf int64  // the seq whose event id the break names
		reason  string
	}{
		{"edited event", `UPDATE audit_events SET action = 'x' WHERE practice_id = $1 AND id = $2`, 3, 3, postgres.BreakHashMismatch},
		// Same bytes, moved across a field boundary: the length prefixes tell them apart.
		{"shifted field boundary", `UPDATE audit_events SET entity_type = 'memberm', entity_id = '-1' WHERE practice_id = $1 AND id = $2`, 3, 3, postgres.BreakHashMismatch},
		{"edited detail", `UPDATE audit_events SET detail = '{"role": "admin", "a": "1"}' WHERE practice_id = $1 AND id = $2`, 3, 3, postgres.BreakHashMismatch},
		{"edited time", `UPDATE audit_events SET occurred_at = occurred_at + interval '1 microsecond' WHERE practice_id = $1 AND id = $2`, 3, 3, postgres.BreakHashMismatch},
		{"deleted event", `DELETE FROM audit_events WHERE practice_id = $1 AND id = $2`, 3, 3, postgres.BreakEventMissing},
		// Who saw whose data: the patients an event names are hashed too.
		{"patient dropped from an event", `UPDATE audit_events SET patient_ids = patient_ids[1:1] WHERE practice_id = $1 AND id = $2`, 3, 3, postgres.BreakHashMismatch},
		{"patients cleared from an event", `UPDATE audit_events SET patient_ids = '{}' WHERE practice_id = $1 AND id = $2`, 3, 3, postgres.BreakHashMismatch},
		{"deleted seal", `DELETE FROM audit_seals WHERE practice_id = $1 AND event_id = $2`, 4, 4, postgres.BreakSeqGap},
		{"rewritten seal hash", `UPDATE audit_seals SET hash = sha256(hash) WHERE practice_id = $1 AND event_id = $2`, 3, 3, postgres.BreakHashMismatch},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db := pgtest.New(t)
			p := mustCreatePractice(t, db, "tampered")
			other := mustCreatePractice(t, db, "untouched")
			for _, q := range []*medic.Practice{p, other} {
				for i := range 5 {
					// Each names two patients, as a list shown does.
					e := medic.AuditEvent{Action: fmt.Sprintf("member.e_%d", i), EntityType: "member", EntityID: "m-1",
						Detail: map[string]string{"role": "doctor", "a": "1"}, PatientIDs: []string{uuid.NewString(), uuid.NewString()}}
					if err := db.Record(asPractice(t.Context(), q), e); err != nil {
						t.Fatal(err)
					}
				}
				mustSeal(t, db, q, 5)
			}
			wantIntact(t, db)
			own := owner(t, db)

			seals := sealedEvents(t, own, p)
			if _, err := own.Exec(t.Context(), tc.sql, p.ID, seals[3]); err != nil {
				t.Fatalf("tamper: %v", err)
			}
			breaks, err := db.VerifyAudit(t.Context())
			if err != nil {
				t.Fatalf("verify: %v", err)
			}
			want := postgres.AuditBreak{PracticeID: p.ID, Seq: tc.seq, EventID: seals[tc.eventOf], Reason: tc.reason}
			if len(breaks) != 1 || breaks[0] != want {
				t.Fatalf("VerifyAudit = %+v, want [%+v]", breaks, want)
			}
		})
	}
}

func TestAuditVerifyFindsPlatformTampering(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	for _, a := range []string{"operator.login", "operator.practice_created"} {
		if err := db.RecordPlatform(t.Context(), medic.AuditEvent{Action: a}); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := db.SealPlatform(t.Context()); err != nil || n != 2 {
		t.Fatalf("SealPlatform = %d, %v; want 2", n, err)
	}
	wantIntact(t, db)
	var id int64
	if err := owner(t, db).QueryRow(t.Context(), `UPDATE platform_events SET actor_email = 'x@example.com'
		WHERE id = (SELECT event_id FROM platform_seals WHERE seq = 2) RETURNING id`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	breaks, err := db.VerifyAudit(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := postgres.AuditBreak{Seq: 2, EventID: id, Reason: postgres.BreakHashMismatch}
	if len(breaks) != 1 || breaks[0] != want {
		t.Fatalf("VerifyAudit = %+v, want [%+v]", breaks, want)
	}
}

func TestAuditAppendOnlyForApp(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	p := mustCreatePractice(t, db, "append-only")
	mustRecord(t, db, asPractice(t.Context(), p), "member.x")
	mustSeal(t, db, p, 1)

	for _, sql := range []string{
		`UPDATE audit_events SET action = 'x'`,
		`DELETE FROM audit_events`,
		`UPDATE audit_seals SET hash = hash`,
		`DELETE FROM audit_seals`,
		`UPDATE platform_events SET action = 'x'`,
		`DELETE FROM platform_seals`,
	} {
		err := pgx.BeginFunc(t.Context(), db.Pool(), func(tx pgx.Tx) error {
			if _, err := tx.Exec(t.Context(), `SELECT set_config('app.practice_id', $1, true)`, p.ID); err != nil {
				return err
			}
			_, err := tx.Exec(t.Context(), sql)
			return err
		})
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "42501" {
			t.Errorf("%s: err %v, want permission denied (42501)", sql, err)
		}
	}
	wantIntact(t, db)
}

func TestAuditRunSealer(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	p := mustCreatePractice(t, db, "run-sealer")
	ctx := asPractice(t.Context(), p)
	mustRecord(t, db, ctx, "member.before_start") // found by the start sweep

	runCtx, cancel := context.WithCancel(t.Context())
	defer cancel()
	ret := make(chan error, 1)
	logger := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
	go func() { ret <- db.RunSealer(runCtx, logger, time.Hour) }()

	own := owner(t, db)
	waitSealed := func(n int) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for len(sealedEvents(t, own, p)) < n {
			if time.Now().After(deadline) {
				t.Fatalf("%d events sealed after 10s, want %d", len(sealedEvents(t, own, p)), n)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitSealed(1)
	// Notified events: a burst is coalesced and sealed in order.
	for i := range 5 {
		mustRecord(t, db, ctx, fmt.Sprintf("member.after_start_%d", i))
	}
	if err := db.RecordPlatform(t.Context(), medic.AuditEvent{Action: "operator.login"}); err != nil {
		t.Fatal(err)
	}
	waitSealed(6)
	wantChain(t, sealedEvents(t, own, p), 6)
	deadline := time.Now().Add(10 * time.Second)
	for {
		var n int
		if err := own.QueryRow(t.Context(), `SELECT count(*) FROM platform_seals`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("platform event not sealed after 10s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	wantIntact(t, db)

	cancel()
	select {
	case err := <-ret:
		if err != nil {
			t.Fatalf("RunSealer returned %v, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("RunSealer did not return after cancel")
	}
}

func TestAuditSealManyBatches(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	p := mustCreatePractice(t, db, "seal-batches")
	own := owner(t, db)
	// More than two sealing batches, written directly to keep the test fast.
	if _, err := own.Exec(t.Context(), `INSERT INTO audit_events (practice_id, occurred_at, action, outcome, detail)
		SELECT $1, now(), 'member.bulk_' || i, 'success', jsonb_build_object('i', i::text) FROM generate_series(1, 2500) i`, p.ID); err != nil {
		t.Fatal(err)
	}
	mustSeal(t, db, p, 2500)
	wantChain(t, sealedEvents(t, own, p), 2500)
	wantIntact(t, db)
}

func TestAuditRunSealerReconnects(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	p := mustCreatePractice(t, db, "sealer-reconnect")
	ctx := asPractice(t.Context(), p)
	own := owner(t, db)

	runCtx, cancel := context.WithCancel(t.Context())
	ret := make(chan error, 1)
	go func() { ret <- db.RunSealer(runCtx, slog.New(slog.NewTextHandler(t.Output(), nil)), time.Hour) }()
	defer func() { cancel(); <-ret }()

	waitFor := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not after 10s", what)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	listener := func() (pid int) {
		_ = own.QueryRow(t.Context(), `SELECT coalesce(max(pid), 0) FROM pg_stat_activity
			WHERE datname = current_database() AND query = 'LISTEN audit_events'`).Scan(&pid)
		return pid
	}
	waitFor("sealer listening", func() bool { return listener() != 0 })
	// Drop the sealer's connection under it, as a database restart would.
	old := listener()
	if _, err := own.Exec(t.Context(), `SELECT pg_terminate_backend($1)`, old); err != nil {
		t.Fatal(err)
	}
	waitFor("old listener gone", func() bool { return listener() != old })
	// Written while nobody listens (the sealer backs off ~1s): the sweep after
	// reconnecting seals it.
	mustRecord(t, db, ctx, "member.while_down")
	waitFor("event sealed after reconnect", func() bool { return len(sealedEvents(t, own, p)) == 1 })
	// And the new session hears notifications.
	waitFor("sealer listening again", func() bool { return listener() != 0 })
	mustRecord(t, db, ctx, "member.after_reconnect")
	waitFor("event sealed by notification", func() bool { return len(sealedEvents(t, own, p)) == 2 })
	wantIntact(t, db)
}

// ownerTx begins a transaction as the owner on its own connection.
func ownerTx(t *testing.T, db *pgtest.DB) pgx.Tx {
	t.Helper()
	tx, err := owner(t, db).Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tx.Rollback(context.Background()) })
	return tx
}

// insertEvent inserts an event in tx and returns its id and tx's xid.
func insertEvent(t *testing.T, tx pgx.Tx, p *medic.Practice, action string) (id int64, xid uint64) {
	t.Helper()
	if err := tx.QueryRow(t.Context(), `INSERT INTO audit_events (practice_id, occurred_at, action, outcome) VALUES ($1, now(), $2, 'success') RETURNING id, xid`,
		p.ID, action).Scan(&id, &xid); err != nil {
		t.Fatal(err)
	}
	return id, xid
}

// headGaps reads the gap transactions of the practice's head as the owner.
// Transactions of other databases of the cluster show there too (a snapshot
// cannot tell them apart), so tests look for their own.
func headGaps(t *testing.T, own *pgx.Conn, p *medic.Practice) (gaps []uint64) {
	t.Helper()
	if err := own.QueryRow(t.Context(), `SELECT gaps FROM audit_seal_heads WHERE practice_id = $1`, p.ID).Scan(&gaps); err != nil {
		t.Fatal(err)
	}
	return gaps
}

// Ids are taken before commit: an event with a lower id may commit after
// one with a higher id was sealed. It must be sealed all the same, whether
// its transaction started before the sealed one's (a gap the head passed)
// or after it.
func TestAuditSealOutOfOrderCommits(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name         string
		lateFirstXid bool // the late transaction has the lower xid
	}{
		{"late transaction started first", true},
		{"late transaction started second", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db := pgtest.New(t)
			p := mustCreatePractice(t, db, "out-of-order")
			own := owner(t, db)
			late, early := ownerTx(t, db), ownerTx(t, db)
			if !tc.lateFirstXid {
				if _, err := early.Exec(t.Context(), `SELECT pg_current_xact_id()`); err != nil {
					t.Fatal(err)
				}
			}
			lowID, lateXid := insertEvent(t, late, p, "member.late")
			highID, _ := insertEvent(t, early, p, "member.early")
			if lowID >= highID {
				t.Fatalf("ids %d, %d: want the late one lower", lowID, highID)
			}
			if err := early.Commit(t.Context()); err != nil {
				t.Fatal(err)
			}
			mustSeal(t, db, p, 1)
			if got := sealedEvents(t, own, p); got[1] != highID {
				t.Fatalf("seals %v, want seq 1 = event %d", got, highID)
			}
			wantIntact(t, db)

			if err := late.Commit(t.Context()); err != nil {
				t.Fatal(err)
			}
			mustSeal(t, db, p, 1)
			if got := sealedEvents(t, own, p); got[2] != lowID {
				t.Fatalf("seals %v, want seq 2 = event %d", got, lowID)
			}
			mustSeal(t, db, p, 0)
			wantIntact(t, db)
			if gaps := headGaps(t, own, p); slices.Contains(gaps, lateXid) {
				t.Errorf("gaps %v still hold the late transaction %d after it ended", gaps, lateXid)
			}
		})
	}
}

// A transaction in flight when the head passes it and then rolled back
// leaves nothing to seal and no gap behind.
func TestAuditSealRolledBackGap(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	p := mustCreatePractice(t, db, "rolled-back")
	own := owner(t, db)
	aborted, early := ownerTx(t, db), ownerTx(t, db)
	_, abortedXid := insertEvent(t, aborted, p, "member.aborted")
	insertEvent(t, early, p, "member.early")
	if err := early.Commit(t.Context()); err != nil {
		t.Fatal(err)
	}
	mustSeal(t, db, p, 1)
	if gaps := headGaps(t, own, p); !slices.Contains(gaps, abortedXid) {
		t.Fatalf("gaps %v, want the transaction in flight %d", gaps, abortedXid)
	}
	if err := aborted.Rollback(t.Context()); err != nil {
		t.Fatal(err)
	}
	mustSeal(t, db, p, 0)
	if gaps := headGaps(t, own, p); slices.Contains(gaps, abortedXid) {
		t.Errorf("gaps %v still hold %d after it rolled back", gaps, abortedXid)
	}
	wantIntact(t, db)
}

// A gap transaction with more events than a batch is sealed batch by batch
// from its own progress, while newer transactions are sealed meanwhile.
func TestAuditSealLargeGap(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	p := mustCreatePractice(t, db, "large-gap")
	own := owner(t, db)
	bulk, early := ownerTx(t, db), ownerTx(t, db)
	if _, err := bulk.Exec(t.Context(), `INSERT INTO audit_events (practice_id, occurred_at, action, outcome)
		SELECT $1, now(), 'patient.import_' || i, 'success' FROM generate_series(1, 2500) i`, p.ID); err != nil {
		t.Fatal(err)
	}
	insertEvent(t, early, p, "member.early")
	if err := early.Commit(t.Context()); err != nil {
		t.Fatal(err)
	}
	mustSeal(t, db, p, 1)
	if err := bulk.Commit(t.Context()); err != nil {
		t.Fatal(err)
	}
	mustRecord(t, db, asPractice(t.Context(), p), "member.after")
	// One batch at a time: the progress inside the gap is committed.
	if n, err := db.SealPracticeBatches(t.Context(), p.ID, 1); err != nil || n != 1000 {
		t.Fatalf("one batch sealed %d, %v; want 1000", n, err)
	}
	mustSeal(t, db, p, 1501)
	wantChain(t, sealedEvents(t, own, p), 2502)
	wantIntact(t, db)
}

// A sealer stopped midway (a restart) resumes from its last committed batch.
func TestAuditSealResumesAfterRestart(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	p := mustCreatePractice(t, db, "resume")
	own := owner(t, db)
	if _, err := own.Exec(t.Context(), `INSERT INTO audit_events (practice_id, occurred_at, action, outcome)
		SELECT $1, now(), 'member.bulk_' || i, 'success' FROM generate_series(1, 2500) i`, p.ID); err != nil {
		t.Fatal(err)
	}
	if n, err := db.SealPracticeBatches(t.Context(), p.ID, 2); err != nil || n != 2000 {
		t.Fatalf("two batches sealed %d, %v; want 2000", n, err)
	}
	// A new process: its own pool, nothing carried over but the database.
	appURL, err := postgres.AppURL(db.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	restarted, err := postgres.Open(t.Context(), appURL, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer restarted.Close()
	if n, err := restarted.SealPractice(t.Context(), p.ID); err != nil || n != 500 {
		t.Fatalf("after the restart sealed %d, %v; want 500", n, err)
	}
	wantChain(t, sealedEvents(t, own, p), 2500)
	wantIntact(t, db)
}

// Events written before migration 0009 carry xid 0 and the chain starts with
// a gap for them: the sealer seals those the old sealer had not (including
// one below its last sealed id), skips those it had, and goes on forward.
func TestAuditSealLegacyEvents(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	p := mustCreatePractice(t, db, "legacy")
	own := owner(t, db)
	legacy := func(ids ...int64) {
		t.Helper()
		for _, id := range ids {
			if _, err := own.Exec(t.Context(), `INSERT INTO audit_events (practice_id, id, xid, occurred_at, action, outcome)
				VALUES ($1, $2, '0', now(), 'member.legacy', 'success')`, p.ID, id); err != nil {
				t.Fatal(err)
			}
		}
	}
	legacy(10, 20, 30)
	mustSeal(t, db, p, 3) // as the old sealer did, in id order
	// What migration 0009 leaves: the head past every xid 0 event, one gap.
	if _, err := own.Exec(t.Context(), `UPDATE audit_seal_heads SET xid = '0', event_id = 9223372036854775807, gaps = '{0}', gap_after = '{0}'
		WHERE practice_id = $1`, p.ID); err != nil {
		t.Fatal(err)
	}
	legacy(15, 40)
	mustRecord(t, db, asPractice(t.Context(), p), "member.new")
	mustSeal(t, db, p, 3)
	seals := sealedEvents(t, own, p)
	wantChain(t, seals, 6)
	if seals[4] != 15 || seals[5] != 40 {
		t.Errorf("seals %v: want the legacy events 15 and 40 at seq 4 and 5", seals)
	}
	if gaps := headGaps(t, own, p); slices.Contains(gaps, 0) {
		t.Errorf("gaps %v still hold the legacy gap after its events were sealed", gaps)
	}
	wantIntact(t, db)
}

// During a rolling upgrade a replica still on the old sealer (no heads) may
// seal events ahead of the head; the new sealer skips them, not fails.
func TestAuditSealSkipsEventsSealedByAnOldSealer(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	p := mustCreatePractice(t, db, "old-sealer")
	own := owner(t, db)
	tx := ownerTx(t, db)
	var ids []int64
	for i := range 3 {
		id, _ := insertEvent(t, tx, p, fmt.Sprintf("member.e_%d", i))
		ids = append(ids, id)
	}
	if err := tx.Commit(t.Context()); err != nil {
		t.Fatal(err)
	}
	// The old sealer sealed the second event (its hash is not checked here).
	if _, err := own.Exec(t.Context(), `INSERT INTO audit_seals (practice_id, seq, event_id, prev_hash, hash)
		VALUES ($1, 1, $2, sha256(''), sha256(''))`, p.ID, ids[1]); err != nil {
		t.Fatal(err)
	}
	mustSeal(t, db, p, 2)
	seals := sealedEvents(t, own, p)
	wantChain(t, seals, 3)
	if seals[2] != ids[0] || seals[3] != ids[2] {
		t.Errorf("seals %v: want events %d and %d at seq 2 and 3", seals, ids[0], ids[2])
	}
}

// auditRowsRead sums the rows PostgreSQL has read from the audit tables and
// their indexes (sequential, index and heap fetches), as counted so far.
func auditRowsRead(t *testing.T, own *pgx.Conn) int64 {
	t.Helper()
	if _, err := own.Exec(t.Context(), `SELECT pg_stat_clear_snapshot()`); err != nil {
		t.Fatal(err)
	}
	var n int64
	if err := own.QueryRow(t.Context(), `SELECT
			(SELECT coalesce(sum(coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0)), 0) FROM pg_stat_user_tables WHERE relname IN ('audit_events', 'audit_seals'))
			+ (SELECT coalesce(sum(idx_tup_read), 0) FROM pg_stat_user_indexes WHERE relname IN ('audit_events', 'audit_seals'))`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// The work of a pass is bounded by the new events, not the size of the log:
// with a large sealed log, sealing five new events reads a few dozen rows.
func TestAuditSealPassReadsOnlyNewEvents(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	p := mustCreatePractice(t, db, "pass-cost")
	own := owner(t, db)
	for _, tb := range []string{"audit_events", "audit_seals"} {
		if _, err := own.Exec(t.Context(), `ALTER TABLE `+tb+` SET (autovacuum_enabled = off)`); err != nil {
			t.Fatal(err)
		}
	}
	const logSize = 20_000
	if _, err := own.Exec(t.Context(), `INSERT INTO audit_events (practice_id, occurred_at, action, outcome)
		SELECT $1, now(), 'member.bulk_' || i, 'success' FROM generate_series(1, $2) i`, p.ID, logSize); err != nil {
		t.Fatal(err)
	}
	one := onePool(t, db)
	flush := func() {
		t.Helper()
		for _, q := range []interface {
			Exec(context.Context, string, ...any) (pgconn.CommandTag, error)
		}{one.Pool(), own} {
			if _, err := q.Exec(t.Context(), `SELECT pg_stat_force_next_flush()`); err != nil {
				t.Fatal(err)
			}
		}
	}
	if n, err := one.SealPractice(t.Context(), p.ID); err != nil || n != logSize {
		t.Fatalf("sealing the log sealed %d, %v; want %d", n, err, logSize)
	}
	if _, err := own.Exec(t.Context(), `INSERT INTO audit_events (practice_id, occurred_at, action, outcome)
		SELECT $1, now(), 'member.new_' || i, 'success' FROM generate_series(1, 5) i`, p.ID); err != nil {
		t.Fatal(err)
	}
	flush()
	before := auditRowsRead(t, own)
	if n, err := one.SealPractice(t.Context(), p.ID); err != nil || n != 5 {
		t.Fatalf("the pass sealed %d, %v; want 5", n, err)
	}
	flush()
	read := auditRowsRead(t, own) - before
	t.Logf("a pass sealing 5 new events after a sealed log of %d read %d rows", logSize, read)
	if read > 50 {
		t.Errorf("a pass sealing 5 new events after a sealed log of %d read %d rows of the audit tables; want at most 50", logSize, read)
	}
	wantIntact(t, db)
}

// A backlog is read once, whatever the planner's statistics: with none
// (autovacuum off, never analyzed), a plan that sorts all remaining events
// for each batch would read the backlog once per batch.
func TestAuditSealCatchUpReadsEachEventOnce(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	p := mustCreatePractice(t, db, "catch-up-cost")
	own := owner(t, db)
	for _, tb := range []string{"audit_events", "audit_seals"} {
		if _, err := own.Exec(t.Context(), `ALTER TABLE `+tb+` SET (autovacuum_enabled = off)`); err != nil {
			t.Fatal(err)
		}
	}
	const backlog = 10_500 // and verify walks two batches
	if _, err := own.Exec(t.Context(), `INSERT INTO audit_events (practice_id, occurred_at, action, outcome)
		SELECT $1, now(), 'member.bulk_' || i, 'success' FROM generate_series(1, $2) i`, p.ID, backlog); err != nil {
		t.Fatal(err)
	}
	one := onePool(t, db)
	flush := func() {
		t.Helper()
		for _, q := range []interface {
			Exec(context.Context, string, ...any) (pgconn.CommandTag, error)
		}{one.Pool(), own} {
			if _, err := q.Exec(t.Context(), `SELECT pg_stat_force_next_flush()`); err != nil {
				t.Fatal(err)
			}
		}
	}
	flush()
	before := auditRowsRead(t, own)
	if n, err := one.SealPractice(t.Context(), p.ID); err != nil || n != backlog {
		t.Fatalf("sealed %d, %v; want %d", n, err, backlog)
	}
	flush()
	read := auditRowsRead(t, own) - before
	t.Logf("sealing a backlog of %d read %d rows", backlog, read)
	if read > 3*backlog {
		t.Errorf("sealing a backlog of %d events read %d rows of the audit tables; want at most %d", backlog, read, 3*backlog)
	}
	wantIntact(t, db)
	// A break in the second batch of the walk is found there.
	var id int64
	if err := own.QueryRow(t.Context(), `UPDATE audit_events SET action = 'x' WHERE practice_id = $1
		AND id = (SELECT event_id FROM audit_seals WHERE practice_id = $1 AND seq = 10200) RETURNING id`, p.ID).Scan(&id); err != nil {
		t.Fatal(err)
	}
	breaks, err := db.VerifyAudit(t.Context())
	want := postgres.AuditBreak{PracticeID: p.ID, Seq: 10200, EventID: id, Reason: postgres.BreakHashMismatch}
	if err != nil || len(breaks) != 1 || breaks[0] != want {
		t.Fatalf("VerifyAudit = %+v, %v; want [%+v]", breaks, err, want)
	}
}

// onePool opens the app role's store with one connection, so its table
// statistics can be flushed on demand (PostgreSQL flushes them lazily).
func onePool(t *testing.T, db *pgtest.DB) *postgres.DB {
	t.Helper()
	appURL, err := postgres.AppURL(db.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	one, err := postgres.Open(t.Context(), appURL, 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(one.Close)
	return one
}

// BenchmarkAuditSealCatchUp times sealing a backlog of unsealed events in
// one practice from a cold start (a fresh pool, as after a restart):
//
//	go test ./internal/postgres -run '^$' -bench AuditSealCatchUp -benchtime 1x
//
// MEDIC_SEAL_BACKLOG sets the backlog (default 1,000,000). "analyzed" runs
// after ANALYZE, "no statistics" with autovacuum off and no ANALYZE ever.
func BenchmarkAuditSealCatchUp(b *testing.B) {
	backlog := 1_000_000
	if s := os.Getenv("MEDIC_SEAL_BACKLOG"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			b.Fatalf("MEDIC_SEAL_BACKLOG: %v", err)
		}
		backlog = n
	}
	for _, analyze := range []bool{true, false} {
		name := "analyzed"
		if !analyze {
			name = "no statistics"
		}
		b.Run(name, func(b *testing.B) {
			db := pgtest.New(b)
			p := &medic.Practice{Slug: "catch-up", Name: "Catch-up", Type: medic.PracticeClinic}
			if err := db.CreatePractice(b.Context(), p); err != nil {
				b.Fatal(err)
			}
			own, err := pgx.Connect(b.Context(), db.OwnerURL)
			if err != nil {
				b.Fatal(err)
			}
			defer own.Close(context.Background())
			exec := func(sql string, args ...any) {
				b.Helper()
				if _, err := own.Exec(b.Context(), sql, args...); err != nil {
					b.Fatalf("%s: %v", sql, err)
				}
			}
			if !analyze {
				exec(`ALTER TABLE audit_events SET (autovacuum_enabled = off)`)
				exec(`ALTER TABLE audit_seals SET (autovacuum_enabled = off)`)
			}
			// Events shaped like a request's: an actor, a patient, a detail.
			exec(`INSERT INTO audit_events (practice_id, occurred_at, actor_id, actor_email, action, entity_type, entity_id, patient_id, outcome, ip, user_agent, request_id, detail)
				SELECT $1, now() - i * interval '1 ms', gen_random_uuid(), 'dr.ndlovu@example.org', 'patient.read', 'patient', gen_random_uuid()::text, gen_random_uuid(),
					'success', '192.0.2.10', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36', md5(i::text), jsonb_build_object('fields', 'name,dob', 'via', 'api')
				FROM generate_series(1, $2) i`, p.ID, backlog)
			if analyze {
				exec(`VACUUM ANALYZE audit_events`)
			}
			appURL, err := postgres.AppURL(db.OwnerURL)
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				exec(`DELETE FROM audit_seals`)
				exec(`DELETE FROM audit_seal_heads`)
				// One connection, so its server process's CPU time is the
				// database's share of the work.
				cold, err := postgres.Open(b.Context(), appURL, 1)
				if err != nil {
					b.Fatal(err)
				}
				var pid int
				if err := cold.Pool().QueryRow(b.Context(), `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
					b.Fatal(err)
				}
				pg0, self0 := processCPU(b, pid), selfCPU()
				b.StartTimer()
				start := time.Now()
				n, err := cold.SealPractice(b.Context(), p.ID)
				if err != nil || n != backlog {
					b.Fatalf("sealed %d, %v; want %d", n, err, backlog)
				}
				elapsed := time.Since(start)
				b.StopTimer()
				b.ReportMetric(float64(n)/elapsed.Seconds(), "events/s")
				b.ReportMetric((selfCPU() - self0).Seconds(), "sealer-cpu-s")
				b.ReportMetric((processCPU(b, pid) - pg0).Seconds(), "postgres-cpu-s")
				cold.Close()
			}
		})
	}
}

// processCPU is the user and system CPU time of a local process (a
// PostgreSQL backend on this machine), from /proc.
func processCPU(b *testing.B, pid int) time.Duration {
	b.Helper()
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Fatalf("the benchmark reads the backend's CPU time from /proc (PostgreSQL on this machine): %v", err)
	}
	// Fields after the parenthesised command: utime and stime are 14 and 15.
	f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+2:]))
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * time.Second / 100 // USER_HZ
}

// selfCPU is this process's user and system CPU time.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
