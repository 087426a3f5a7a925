package postgres_test

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"medic"
	"medic/internal/postgres/pgtest"
)

var _ medic.PublicRateService = (*pgtest.DB)(nil)

func TestPublicRateEvents(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	var mu sync.Mutex
	now := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	db.Clock = medic.ClockFunc(func() time.Time { mu.Lock(); defer mu.Unlock(); return now })
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	ctx := t.Context()
	k1, k2 := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	// Platform events are counted whatever practice the request is in.
	pa := asPractice(ctx, mustCreatePractice(t, db, "rate-a"))
	pb := asPractice(ctx, mustCreatePractice(t, db, "rate-b"))

	first := now
	if err := db.RecordPublicRate(pa, medic.RateBookingCodeEmail, k1); err != nil {
		t.Fatal(err)
	}
	advance(time.Minute)
	if err := db.RecordPublicRate(pb, medic.RateBookingCodeEmail, k1); err != nil {
		t.Fatal(err)
	}
	if err := db.RecordPublicRate(ctx, medic.RateBookingCodeIP, k1); err != nil {
		t.Fatal(err)
	}
	if err := db.RecordPublicRate(pa, medic.RateBookingCodeEmail, k2); err != nil {
		t.Fatal(err)
	}
	since := first.Add(-time.Second)
	for _, c := range []struct {
		kind  string
		key   []byte
		n     int
		first time.Time
	}{
		{medic.RateBookingCodeEmail, k1, 2, first},
		{medic.RateBookingCodeIP, k1, 1, first.Add(time.Minute)},
		{medic.RateBookingCodeEmail, k2, 1, first.Add(time.Minute)},
		{medic.RateBookingCodeIP, k2, 0, time.Time{}},
	} {
		n, oldest, err := db.CountPublicRate(pb, c.kind, c.key, since)
		if err != nil || n != c.n || !oldest.Equal(c.first) {
			t.Errorf("%s %x: %d %v %v, want %d %v", c.kind, c.key[0], n, oldest, err, c.n, c.first)
		}
	}
	if n, _, _ := db.CountPublicRate(ctx, medic.RateBookingCodeEmail, k1, first); n != 1 {
		t.Errorf("the window is not respected: %d", n)
	}

	// A day later, recording forgets the old events.
	advance(25 * time.Hour)
	if err := db.RecordPublicRate(ctx, medic.RateBookingCodeEmail, k2); err != nil {
		t.Fatal(err)
	}
	var rows int
	if err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM public_rate_events`).Scan(&rows); err != nil || rows != 1 {
		t.Errorf("%d rows kept (%v), want 1", rows, err)
	}

	// The app role may not rewrite events; a bad kind or key is refused.
	for _, sql := range []string{`UPDATE public_rate_events SET created_at = now()`, `TRUNCATE public_rate_events`} {
		_, err := db.Pool().Exec(ctx, sql)
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "42501" {
			t.Errorf("%s: %v, want permission denied", sql, err)
		}
	}
	if err := db.RecordPublicRate(ctx, "other", k1); err == nil {
		t.Error("an unknown kind was recorded")
	}
	if err := db.RecordPublicRate(ctx, medic.RateBookingCodeIP, []byte("192.0.2.1")); err == nil {
		t.Error("a key that is not a hash was recorded")
	}
}

// The lock serialises one key: a second transaction waits for the first.
func TestPublicRateLock(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := t.Context()
	key := bytes.Repeat([]byte{7}, 32)
	locked, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- db.InTx(ctx, func(ctx context.Context) error {
			if err := db.LockPublicRate(ctx, medic.RateBookingCodeIP, key); err != nil {
				return err
			}
			close(locked)
			<-release
			return nil
		})
	}()
	<-locked
	lock := func(kind string, wait time.Duration) error {
		ctx, cancel := context.WithTimeout(ctx, wait)
		defer cancel()
		return db.InTx(ctx, func(ctx context.Context) error { return db.LockPublicRate(ctx, kind, key) })
	}
	if err := lock(medic.RateBookingCodeIP, 300*time.Millisecond); err == nil {
		t.Error("the key was not locked")
	}
	if err := lock(medic.RateBookingCodeEmail, 10*time.Second); err != nil {
		t.Errorf("another kind with the same key: %v", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
