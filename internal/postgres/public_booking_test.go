package postgres_test

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"medic"
	"medic/internal/postgres"
	"medic/internal/postgres/pgtest"
)

var (
	_ medic.PublicBookingService = (*postgres.DB)(nil)
	_ medic.NotificationService  = (*postgres.DB)(nil)
)

func TestBookingCodesAndChartsStayInTheirPractice(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	stepClock(db)
	a := asPractice(t.Context(), mustCreatePractice(t, db, "codes-a"))
	b := asPractice(t.Context(), mustCreatePractice(t, db, "codes-b"))
	since := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

	for i := 0; i < 2; i++ {
		c := &medic.BookingCode{Email: "x@example.org", Hash: []byte("hash"), Salt: []byte("salt"), ExpiresAt: since.AddDate(1, 0, 0), IP: "192.0.2.1"}
		if err := db.CreateBookingCode(a, c); err != nil {
			t.Fatal(err)
		}
	}
	newest := &medic.BookingCode{Email: "x@example.org", Hash: []byte("newest"), Salt: []byte("salt"), ExpiresAt: since.AddDate(1, 0, 0), IP: "192.0.2.2"}
	if err := db.CreateBookingCode(a, newest); err != nil {
		t.Fatal(err)
	}
	if _, err := db.LockLatestBookingCode(b, "x@example.org"); !errors.Is(err, medic.ErrNotFound) {
		t.Errorf("B found A's code: %v", err)
	}
	err := db.InTx(a, func(ctx2 context.Context) error {
		c, err := db.LockLatestBookingCode(ctx2, "x@example.org")
		if err != nil {
			return err
		}
		if c.ID != newest.ID || !bytes.Equal(c.Hash, []byte("newest")) {
			t.Errorf("latest code: %+v", c)
		}
		if err := db.BookingCodeFailed(ctx2, c.ID); err != nil {
			return err
		}
		return db.UseBookingCode(ctx2, c.ID, since)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.UseBookingCode(a, newest.ID, since); !errors.Is(err, medic.ErrNotFound) {
		t.Errorf("a used code was used again: %v", err)
	}
	if err := db.UseBookingCode(b, newest.ID, since); !errors.Is(err, medic.ErrNotFound) {
		t.Errorf("B used A's code: %v", err)
	}

	dob := medic.NewDate(1990, 5, 6)
	pa := mustPatient(t, db, a, &medic.Patient{GivenName: "Ann", FamilyName: "A", DateOfBirth: dob, Email: "x@example.org", Status: medic.PatientActive})
	if p, err := db.FindOnlinePatient(a, "x@example.org", dob, "ann", " a"); err != nil || p.ID != pa.ID {
		t.Errorf("A's chart: %v %v", p, err)
	}
	if _, err := db.FindOnlinePatient(b, "x@example.org", dob, "Ann", "A"); !errors.Is(err, medic.ErrNotFound) {
		t.Errorf("B found A's chart: %v", err)
	}
	if _, err := db.FindOnlinePatient(a, "x@example.org", medic.NewDate(1990, 5, 7), "Ann", "A"); !errors.Is(err, medic.ErrNotFound) {
		t.Errorf("another date of birth matched: %v", err)
	}
	if _, err := db.FindOnlinePatient(a, "x@example.org", dob, "Ben", "A"); !errors.Is(err, medic.ErrNotFound) {
		t.Errorf("a twin with another given name matched Ann's chart: %v", err)
	}
}

func TestSigningKeyIsMadeOnce(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	keys := make([][]byte, 10)
	var wg sync.WaitGroup
	for i := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k, err := db.SigningKey(t.Context(), "test", func() ([]byte, error) { return bytes.Repeat([]byte{byte(i + 1)}, 32), nil })
			if err != nil {
				t.Error(err)
			}
			keys[i] = k
		}()
	}
	wg.Wait()
	for _, k := range keys {
		if len(k) != 32 || !bytes.Equal(k, keys[0]) {
			t.Fatalf("keys differ: %x", keys)
		}
	}
}

func TestNotificationsPageAndStayInTheirPractice(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	a := asPractice(t.Context(), mustCreatePractice(t, db, "notes-a"))
	b := asPractice(t.Context(), mustCreatePractice(t, db, "notes-b"))
	var ids []string
	for range 5 { // the same instant: the order is still the order made
		n := &medic.Notification{Kind: medic.NotificationOnlineBooking, Title: "t"}
		if err := db.CreateNotification(a, n); err != nil {
			t.Fatal(err)
		}
		ids = append([]string{n.ID}, ids...)
	}
	var got []string
	page := medic.Page{Limit: 2}
	for {
		ns, next, err := db.ListNotifications(a, page)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range ns {
			got = append(got, n.ID)
		}
		if next == "" {
			break
		}
		page.Cursor = next
	}
	if len(got) != 5 || got[0] != ids[0] || got[4] != ids[4] {
		t.Errorf("pages %v, want %v", got, ids)
	}
	if ns, _, err := db.ListNotifications(b, medic.Page{}); err != nil || len(ns) != 0 {
		t.Errorf("B lists %d: %v", len(ns), err)
	}
	if err := db.MarkNotificationRead(b, ids[0], time.Now()); !errors.Is(err, medic.ErrNotFound) {
		t.Errorf("B marked A's: %v", err)
	}
	if err := db.MarkNotificationRead(a, ids[0], time.Now()); err != nil {
		t.Fatal(err)
	}
	if n, err := db.CountUnreadNotifications(a); err != nil || n != 4 {
		t.Errorf("unread %d %v", n, err)
	}
}
