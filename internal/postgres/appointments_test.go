package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"medic"
	"medic/internal/postgres/pgtest"
)

// schedFixture is one practice with a location, a practitioner working
// there, an appointment type and a patient: enough to book.
type schedFixture struct {
	db       *pgtest.DB
	ctx      context.Context
	practice *medic.Practice
	loc      *medic.Location
	pr       *medic.Practitioner
	typ      *medic.AppointmentType
	pat      *medic.Patient
}

func newSchedFixture(t *testing.T, db *pgtest.DB, slug string) *schedFixture {
	t.Helper()
	f := &schedFixture{db: db, practice: mustCreatePractice(t, db, slug)}
	f.ctx = asPractice(t.Context(), f.practice)
	f.loc = &medic.Location{Name: "Rosebank rooms", Active: true}
	if err := db.CreateLocation(f.ctx, f.loc); err != nil {
		t.Fatalf("create location: %v", err)
	}
	f.pr = &medic.Practitioner{Name: "Dr Naledi Khumalo", Specialty: "General practice", RegistrationNumber: "MP0123456",
		Assignments: []medic.LocationAssignment{{LocationID: f.loc.ID, Primary: true, StartDate: medic.NewDate(2024, 1, 1)}}}
	if err := db.CreatePractitioner(f.ctx, f.pr); err != nil {
		t.Fatalf("create practitioner: %v", err)
	}
	f.typ = &medic.AppointmentType{Name: "Consultation", DurationMinutes: 15, Color: "#2a7f62", Active: true}
	if err := db.CreateAppointmentType(f.ctx, f.typ); err != nil {
		t.Fatalf("create appointment type: %v", err)
	}
	f.pat = mustPatient(t, db, f.ctx, &medic.Patient{GivenName: "Thabo", FamilyName: "Nkosi", DateOfBirth: medic.NewDate(1985, 3, 14)})
	return f
}

// slot0 is the first slot of the tests' day (09:00 Johannesburg).
var slot0 = time.Date(2026, 6, 1, 7, 0, 0, 0, time.UTC)

func slotAt(n int) time.Time { return slot0.Add(time.Duration(n) * 15 * time.Minute) }

// appt is an appointment of the fixture's patient and practitioner over
// the given 15-minute slots.
func (f *schedFixture) appt(slots ...int) *medic.Appointment {
	return &medic.Appointment{PatientID: f.pat.ID, PractitionerID: f.pr.ID, LocationID: f.loc.ID, AppointmentTypeID: f.typ.ID,
		Start: slotAt(slots[0]), End: slotAt(slots[len(slots)-1] + 1)}
}

func claims(capacity int, slots ...int) []medic.SlotClaim {
	cs := make([]medic.SlotClaim, len(slots))
	for i, s := range slots {
		cs[i] = medic.SlotClaim{Start: slotAt(s), Capacity: capacity}
	}
	return cs
}

func (f *schedFixture) mustBook(t *testing.T, capacity int, slots ...int) *medic.Appointment {
	t.Helper()
	a := f.appt(slots...)
	if err := f.db.BookAppointment(f.ctx, a, claims(capacity, slots...)); err != nil {
		t.Fatalf("book slots %v: %v", slots, err)
	}
	return a
}

// places returns the booked and overbooked counters of a slot (0, 0 if no row).
func (f *schedFixture) places(t *testing.T, owner *pgx.Conn, slot int) (booked, overbooked int) {
	t.Helper()
	err := owner.QueryRow(context.Background(), `SELECT booked, overbooked FROM slot_places WHERE practice_id = $1 AND practitioner_id = $2 AND slot_start = $3`,
		f.practice.ID, f.pr.ID, slotAt(slot)).Scan(&booked, &overbooked)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return booked, overbooked
}

// wantConsistent checks, as the owner, that every counter equals the places
// recorded for appointments and never exceeds its capacity.
func wantConsistent(t *testing.T, owner *pgx.Conn) {
	t.Helper()
	rows, err := owner.Query(context.Background(), `SELECT sp.slot_start, sp.capacity, sp.booked, sp.overbooked,
			(SELECT count(*) FROM appointment_slots s WHERE s.practice_id = sp.practice_id AND s.practitioner_id = sp.practitioner_id AND s.slot_start = sp.slot_start AND NOT s.overbooked),
			(SELECT count(*) FROM appointment_slots s WHERE s.practice_id = sp.practice_id AND s.practitioner_id = sp.practitioner_id AND s.slot_start = sp.slot_start AND s.overbooked)
		FROM slot_places sp`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var start time.Time
		var capacity, booked, over, held, heldOver int
		if err := rows.Scan(&start, &capacity, &booked, &over, &held, &heldOver); err != nil {
			t.Fatal(err)
		}
		if booked > capacity || booked != held || over != heldOver {
			t.Errorf("slot %s: capacity %d, booked %d (held %d), overbooked %d (held %d)", start, capacity, booked, held, over, heldOver)
		}
	}
	var orphans int
	if err := owner.QueryRow(context.Background(), `SELECT count(*) FROM appointments a WHERE status IN ('booked', 'checked_in', 'in_progress', 'completed')
		AND NOT EXISTS (SELECT 1 FROM appointment_slots s WHERE s.practice_id = a.practice_id AND s.appointment_id = a.id)`).Scan(&orphans); err != nil {
		t.Fatal(err)
	}
	if orphans != 0 {
		t.Errorf("%d holding appointments hold no place", orphans)
	}
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := medic.ErrorCode(err); got != code {
		t.Errorf("%s: error %v (code %q), want code %q", what, err, got, code)
	}
}

func countAppointments(t *testing.T, f *schedFixture) int {
	t.Helper()
	as, _, err := f.db.ListAppointments(f.ctx, medic.AppointmentFilter{}, medic.Page{Limit: medic.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	return len(as)
}

// race books the same claims from n goroutines at once and returns how many succeeded.
func race(t *testing.T, f *schedFixture, n, capacity int, slots ...int) int {
	t.Helper()
	var ok, full atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range n {
		wg.Go(func() {
			<-start
			err := f.db.BookAppointment(f.ctx, f.appt(slots...), claims(capacity, slots...))
			switch {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, medic.ErrSlotFull):
				full.Add(1)
			default:
				t.Errorf("booking: %v", err)
			}
		})
	}
	close(start)
	wg.Wait()
	if int(ok.Load()+full.Load()) != n {
		t.Fatalf("%d succeeded and %d were refused, of %d", ok.Load(), full.Load(), n)
	}
	return int(ok.Load())
}

func TestBookingConcurrentOneSlot(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	owner := rlsOwnerConn(t, db)
	for _, capacity := range []int{1, 3} {
		t.Run(fmt.Sprintf("capacity %d", capacity), func(t *testing.T) {
			f := newSchedFixture(t, db, fmt.Sprintf("race-%d", capacity))
			if got := race(t, f, 50, capacity, 0); got != capacity {
				t.Errorf("%d of 50 concurrent bookings succeeded, want exactly %d", got, capacity)
			}
			if n := countAppointments(t, f); n != capacity {
				t.Errorf("%d appointment rows, want %d (refused bookings must leave nothing)", n, capacity)
			}
			if booked, _ := f.places(t, owner, 0); booked != capacity {
				t.Errorf("slot_places.booked = %d, want %d", booked, capacity)
			}
			bp, err := db.BookedPlaces(f.ctx, f.pr.ID, slotAt(0), slotAt(1))
			if err != nil {
				t.Fatal(err)
			}
			if bp[slotAt(0)] != capacity || len(bp) != 1 {
				t.Errorf("BookedPlaces = %v, want %d at %s", bp, capacity, slotAt(0))
			}
			wantConsistent(t, owner)
		})
	}
}

func TestBookingConcurrentMultiSlot(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	owner := rlsOwnerConn(t, db)
	f := newSchedFixture(t, db, "multi")
	const capacity = 2
	// 30-minute appointments over slots 0+1 and 1+2 race 15-minute ones on
	// each slot; the claims overlap in every order.
	var wg sync.WaitGroup
	start := make(chan struct{})
	var mu sync.Mutex
	won := map[string]int{}
	for i := range 60 {
		slots := [][]int{{0, 1}, {1, 2}, {0}, {1}, {2}, {2, 1, 0}}[i%6]
		wg.Go(func() {
			<-start
			err := db.BookAppointment(f.ctx, f.appt(min(slots[0], slots[len(slots)-1]), max(slots[0], slots[len(slots)-1])), claims(capacity, slots...))
			if err != nil && !errors.Is(err, medic.ErrSlotFull) {
				t.Errorf("booking %v: %v (only ErrSlotFull may refuse a booking)", slots, err)
			}
			if err == nil {
				mu.Lock()
				won[fmt.Sprint(slots)]++
				mu.Unlock()
			}
		})
	}
	close(start)
	wg.Wait()
	for s := range 3 {
		if booked, _ := f.places(t, owner, s); booked > capacity {
			t.Errorf("slot %d: %d booked, capacity %d", s, booked, capacity)
		} else if booked != capacity {
			t.Errorf("slot %d: %d booked; with 60 bookings racing every slot should be full", s, booked)
		}
	}
	wantConsistent(t, owner)
	t.Logf("winners: %v", won)
}

func TestBookingReleaseMoveOverbook(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	owner := rlsOwnerConn(t, db)

	t.Run("cancel releases the place", func(t *testing.T) {
		f := newSchedFixture(t, db, "cancel")
		a := f.mustBook(t, 1, 0)
		err := db.BookAppointment(f.ctx, f.appt(0), claims(1, 0))
		if !errors.Is(err, medic.ErrSlotFull) {
			t.Fatalf("second booking of a full slot: %v, want ErrSlotFull", err)
		}
		if err := db.SetAppointmentStatus(f.ctx, a.ID, medic.StatusBooked, medic.StatusCancelled, "Patient is travelling"); err != nil {
			t.Fatal(err)
		}
		if booked, _ := f.places(t, owner, 0); booked != 0 {
			t.Errorf("after cancelling, booked = %d", booked)
		}
		got, err := db.FindAppointment(f.ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != medic.StatusCancelled || got.CancelReason != "Patient is travelling" {
			t.Errorf("cancelled appointment: status %q reason %q", got.Status, got.CancelReason)
		}
		f.mustBook(t, 1, 0)
		wantConsistent(t, owner)
	})

	t.Run("no-show releases, check-in keeps", func(t *testing.T) {
		f := newSchedFixture(t, db, "noshow")
		a := f.mustBook(t, 1, 0)
		b := f.mustBook(t, 1, 1)
		if err := db.SetAppointmentStatus(f.ctx, a.ID, medic.StatusBooked, medic.StatusNoShow, "ignored"); err != nil {
			t.Fatal(err)
		}
		if err := db.SetAppointmentStatus(f.ctx, b.ID, medic.StatusBooked, medic.StatusCheckedIn, ""); err != nil {
			t.Fatal(err)
		}
		if booked, _ := f.places(t, owner, 0); booked != 0 {
			t.Errorf("no-show kept its place: booked = %d", booked)
		}
		if booked, _ := f.places(t, owner, 1); booked != 1 {
			t.Errorf("checked-in appointment lost its place: booked = %d", booked)
		}
		got, _ := db.FindAppointment(f.ctx, a.ID)
		if got.CancelReason != "" {
			t.Errorf("a no-show saved a cancel reason %q", got.CancelReason)
		}
		wantConsistent(t, owner)
	})

	t.Run("move releases old and claims new", func(t *testing.T) {
		f := newSchedFixture(t, db, "move")
		a := f.mustBook(t, 1, 0, 1)
		if err := db.MoveAppointment(f.ctx, a, slotAt(1), slotAt(3), claims(1, 1, 2)); err != nil {
			t.Fatal(err)
		}
		for s, want := range []int{0, 1, 1} {
			if booked, _ := f.places(t, owner, s); booked != want {
				t.Errorf("after the move, slot %d booked = %d, want %d", s, booked, want)
			}
		}
		got, _ := db.FindAppointment(f.ctx, a.ID)
		if !got.Start.Equal(slotAt(1)) || !got.End.Equal(slotAt(3)) {
			t.Errorf("moved appointment at %s-%s", got.Start, got.End)
		}
		f.mustBook(t, 1, 0) // the freed slot
		wantConsistent(t, owner)
	})

	t.Run("move to another location", func(t *testing.T) {
		f := newSchedFixture(t, db, "moveloc")
		other := newSchedFixture(t, db, "moveloc-other")
		loc2 := &medic.Location{Name: "Sandton rooms", Active: true}
		if err := db.CreateLocation(f.ctx, loc2); err != nil {
			t.Fatal(err)
		}
		a := f.mustBook(t, 1, 0)
		bad := f.withID(a)
		bad.LocationID = other.loc.ID
		wantCode(t, "move to another practice's location", db.MoveAppointment(f.ctx, bad, slotAt(1), slotAt(2), claims(1, 1)), medic.ENOTFOUND)
		if booked, _ := f.places(t, owner, 1); booked != 0 {
			t.Errorf("the refused move took a place")
		}
		a.LocationID = loc2.ID
		if err := db.MoveAppointment(f.ctx, a, slotAt(1), slotAt(2), claims(1, 1)); err != nil {
			t.Fatal(err)
		}
		got, _ := db.FindAppointment(f.ctx, a.ID)
		if got.LocationID != loc2.ID || got.LocationName != "Sandton rooms" || !got.Start.Equal(slotAt(1)) {
			t.Errorf("moved appointment: %+v", got)
		}
		a.LocationID = "" // keeps the location
		if err := db.MoveAppointment(f.ctx, a, slotAt(2), slotAt(3), claims(1, 2)); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.FindAppointment(f.ctx, a.ID); got.LocationID != loc2.ID || a.LocationID != loc2.ID {
			t.Errorf("a move without a location changed it to %q", got.LocationID)
		}
		wantConsistent(t, owner)
	})

	t.Run("move into a full slot changes nothing", func(t *testing.T) {
		f := newSchedFixture(t, db, "movefull")
		a := f.mustBook(t, 1, 0)
		f.mustBook(t, 1, 2)
		before, _ := db.FindAppointment(f.ctx, a.ID)
		err := db.MoveAppointment(f.ctx, f.withID(a), slotAt(1), slotAt(3), claims(1, 1, 2))
		if !errors.Is(err, medic.ErrSlotFull) {
			t.Fatalf("move into a full slot: %v, want ErrSlotFull", err)
		}
		after, _ := db.FindAppointment(f.ctx, a.ID)
		if !after.Start.Equal(before.Start) || !after.End.Equal(before.End) || !after.UpdatedAt.Equal(before.UpdatedAt) {
			t.Errorf("the refused move changed the appointment: %s-%s -> %s-%s", before.Start, before.End, after.Start, after.End)
		}
		for s, want := range []int{1, 0, 1} {
			if booked, _ := f.places(t, owner, s); booked != want {
				t.Errorf("after the refused move, slot %d booked = %d, want %d", s, booked, want)
			}
		}
		wantConsistent(t, owner)
	})

	t.Run("move of a cancelled appointment", func(t *testing.T) {
		f := newSchedFixture(t, db, "movecancelled")
		a := f.mustBook(t, 1, 0)
		if err := db.SetAppointmentStatus(f.ctx, a.ID, medic.StatusBooked, medic.StatusCancelled, "x"); err != nil {
			t.Fatal(err)
		}
		wantCode(t, "move a cancelled appointment", db.MoveAppointment(f.ctx, f.withID(a), slotAt(1), slotAt(2), claims(1, 1)), medic.ECONFLICT)
		if booked, _ := f.places(t, owner, 1); booked != 0 {
			t.Errorf("a refused move took a place")
		}
	})

	t.Run("overbooking is counted apart and allowed", func(t *testing.T) {
		f := newSchedFixture(t, db, "overbook")
		f.mustBook(t, 1, 0)
		for range 2 {
			a := f.appt(0)
			a.Overbooked, a.OverbookReason = true, "Acute chest pain"
			if err := db.BookAppointment(f.ctx, a, claims(1, 0)); err != nil {
				t.Fatalf("overbook: %v", err)
			}
		}
		if booked, over := f.places(t, owner, 0); booked != 1 || over != 2 {
			t.Errorf("booked %d overbooked %d, want 1 and 2", booked, over)
		}
		bp, _ := db.BookedPlaces(f.ctx, f.pr.ID, slotAt(0), slotAt(4))
		if bp[slotAt(0)] != 1 {
			t.Errorf("BookedPlaces counts overbooked places: %v", bp)
		}
		a := f.appt(0)
		a.Overbooked = true
		wantCode(t, "overbook without a reason", db.BookAppointment(f.ctx, a, claims(1, 0)), medic.EINVALID)
		if !errors.Is(db.BookAppointment(f.ctx, f.appt(0), claims(1, 0)), medic.ErrSlotFull) {
			t.Error("a normal booking got into a full slot next to overbooked places")
		}

		// Leave to overbook over a full and a free slot: the free one
		// takes its regular place.
		a = f.appt(0, 1)
		a.Overbooked, a.OverbookReason = true, "Long procedure"
		if err := db.BookAppointment(f.ctx, a, claims(1, 0, 1)); err != nil {
			t.Fatal(err)
		}
		if booked, over := f.places(t, owner, 0); booked != 1 || over != 3 {
			t.Errorf("full slot: booked %d overbooked %d, want 1 and 3", booked, over)
		}
		if booked, over := f.places(t, owner, 1); booked != 1 || over != 0 {
			t.Errorf("free slot: booked %d overbooked %d, want 1 and 0", booked, over)
		}
		if got, _ := db.FindAppointment(f.ctx, a.ID); !got.Overbooked || got.OverbookReason != "Long procedure" || !a.Overbooked {
			t.Errorf("the appointment is not marked overbooked: %+v", got)
		}

		// Leave to overbook where there is room: a regular booking.
		a = f.appt(2)
		a.Overbooked, a.OverbookReason = true, "Just in case"
		if err := db.BookAppointment(f.ctx, a, claims(1, 2)); err != nil {
			t.Fatal(err)
		}
		if booked, over := f.places(t, owner, 2); booked != 1 || over != 0 {
			t.Errorf("free slot booked with leave to overbook: booked %d overbooked %d, want 1 and 0", booked, over)
		}
		if got, _ := db.FindAppointment(f.ctx, a.ID); got.Overbooked || got.OverbookReason != "" || a.Overbooked {
			t.Errorf("an appointment that fit is marked overbooked: %+v", got)
		}
		wantConsistent(t, owner)
	})

	t.Run("moving an overbooked appointment to a free slot takes a normal place", func(t *testing.T) {
		f := newSchedFixture(t, db, "overmove")
		f.mustBook(t, 1, 0)
		a := f.appt(0)
		a.Overbooked, a.OverbookReason = true, "Urgent"
		if err := db.BookAppointment(f.ctx, a, claims(1, 0)); err != nil {
			t.Fatal(err)
		}
		f.mustBook(t, 1, 2)
		moved := f.withID(a)
		moved.Overbooked = false // no leave to overbook: a full slot refuses
		if err := db.MoveAppointment(f.ctx, moved, slotAt(2), slotAt(3), claims(1, 2)); !errors.Is(err, medic.ErrSlotFull) {
			t.Errorf("move of an overbooked appointment into a full slot without leave: %v", err)
		}
		// With leave to overbook (as stored), a free slot is taken normally.
		if err := db.MoveAppointment(f.ctx, a, slotAt(1), slotAt(2), claims(1, 1)); err != nil {
			t.Fatal(err)
		}
		if a.Overbooked || a.OverbookReason != "" {
			t.Errorf("after the move a is %v %q", a.Overbooked, a.OverbookReason)
		}
		if booked, over := f.places(t, owner, 0); booked != 1 || over != 0 {
			t.Errorf("old slot: booked %d overbooked %d, want 1 and 0", booked, over)
		}
		if booked, over := f.places(t, owner, 1); booked != 1 || over != 0 {
			t.Errorf("new slot: booked %d overbooked %d, want 1 and 0", booked, over)
		}
		got, _ := db.FindAppointment(f.ctx, a.ID)
		if got.Overbooked || got.OverbookReason != "" {
			t.Errorf("moved appointment still overbooked (%v, %q)", got.Overbooked, got.OverbookReason)
		}
		wantConsistent(t, owner)
	})

	t.Run("a larger capacity in the schedule opens places", func(t *testing.T) {
		f := newSchedFixture(t, db, "capacity")
		f.mustBook(t, 1, 0)
		f.mustBook(t, 2, 0)
		if !errors.Is(db.BookAppointment(f.ctx, f.appt(0), claims(2, 0)), medic.ErrSlotFull) {
			t.Error("a third booking got into a slot of capacity 2")
		}
		wantConsistent(t, owner)
	})

	t.Run("ErrSlotFull inside a use case transaction leaves nothing behind", func(t *testing.T) {
		f := newSchedFixture(t, db, "nested")
		f.mustBook(t, 1, 1)
		var second *medic.Appointment
		err := db.InTx(f.ctx, func(ctx context.Context) error {
			err := db.BookAppointment(ctx, f.appt(0, 1), claims(1, 0, 1))
			if !errors.Is(err, medic.ErrSlotFull) {
				return fmt.Errorf("booking over a full slot: %v", err)
			}
			second = f.appt(2)
			if err := db.BookAppointment(ctx, second, claims(1, 2)); err != nil { // the use case goes on
				return err
			}
			// A second refusal in the same transaction, then reads and a
			// booking: the transaction and its tenant settings still work.
			if err := db.BookAppointment(ctx, f.appt(2), claims(1, 2)); !errors.Is(err, medic.ErrSlotFull) {
				return fmt.Errorf("booking the slot just taken: %v", err)
			}
			if got, err := db.FindAppointment(ctx, second.ID); err != nil || !got.Start.Equal(second.Start) {
				return fmt.Errorf("reading the booking back after a refusal: %v %v", got, err)
			}
			return db.BookAppointment(ctx, f.appt(3), claims(1, 3))
		})
		if err != nil {
			t.Fatal(err)
		}
		if n := countAppointments(t, f); n != 3 {
			t.Errorf("%d appointments, want 3 (the refused ones must be gone)", n)
		}
		if booked, _ := f.places(t, owner, 0); booked != 0 {
			t.Errorf("the refused booking kept slot 0: booked = %d", booked)
		}
		wantConsistent(t, owner)
	})

	t.Run("bad claims", func(t *testing.T) {
		f := newSchedFixture(t, db, "claims")
		wantCode(t, "no claims", db.BookAppointment(f.ctx, f.appt(0), nil), medic.EINVALID)
		wantCode(t, "duplicate claims", db.BookAppointment(f.ctx, f.appt(0), claims(1, 0, 0)), medic.EINVALID)
		wantCode(t, "capacity 0", db.BookAppointment(f.ctx, f.appt(0), claims(0, 0)), medic.EINVALID)
		a := f.appt(0)
		a.End = a.Start
		wantCode(t, "empty interval", db.BookAppointment(f.ctx, a, claims(1, 0)), medic.EINVALID)
		a = f.appt(0)
		a.Status = medic.StatusCancelled
		wantCode(t, "book cancelled", db.BookAppointment(f.ctx, a, claims(1, 0)), medic.EINVALID)
		a = f.appt(0)
		a.PatientID = "not-a-uuid"
		wantCode(t, "non-UUID patient", db.BookAppointment(f.ctx, a, claims(1, 0)), medic.ENOTFOUND)
		if n := countAppointments(t, f); n != 0 {
			t.Errorf("refused bookings left %d appointments", n)
		}
	})
}

// withID is a copy of a carrying only what a caller of MoveAppointment knows.
func (f *schedFixture) withID(a *medic.Appointment) *medic.Appointment {
	c := *a
	return &c
}

func TestAppointmentStatus(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	f := newSchedFixture(t, db, "status")
	a := f.mustBook(t, 1, 0)

	if err := db.SetAppointmentStatus(f.ctx, a.ID, medic.StatusBooked, medic.StatusCheckedIn, ""); err != nil {
		t.Fatal(err)
	}
	// A second desk still thinks it is booked.
	wantCode(t, "stale from", db.SetAppointmentStatus(f.ctx, a.ID, medic.StatusBooked, medic.StatusCancelled, "x"), medic.ECONFLICT)
	wantCode(t, "not allowed", db.SetAppointmentStatus(f.ctx, a.ID, medic.StatusCheckedIn, medic.StatusCompleted, ""), medic.EINVALID)
	wantCode(t, "back from cancelled", db.SetAppointmentStatus(f.ctx, a.ID, medic.StatusCancelled, medic.StatusBooked, ""), medic.EINVALID)
	wantCode(t, "unknown id", db.SetAppointmentStatus(f.ctx, "00000000-0000-4000-8000-000000000000", medic.StatusBooked, medic.StatusCheckedIn, ""), medic.ENOTFOUND)
	wantCode(t, "non-UUID id", db.SetAppointmentStatus(f.ctx, "x", medic.StatusBooked, medic.StatusCheckedIn, ""), medic.ENOTFOUND)
	for _, step := range [][2]medic.AppointmentStatus{{medic.StatusCheckedIn, medic.StatusInProgress}, {medic.StatusInProgress, medic.StatusCompleted}} {
		if err := db.SetAppointmentStatus(f.ctx, a.ID, step[0], step[1], ""); err != nil {
			t.Fatalf("%s -> %s: %v", step[0], step[1], err)
		}
	}
	got, _ := db.FindAppointment(f.ctx, a.ID)
	if got.Status != medic.StatusCompleted {
		t.Errorf("status %q, want completed", got.Status)
	}

	// Two desks cancel at once: one wins, the other is told to reload.
	b := f.mustBook(t, 1, 1)
	var wg sync.WaitGroup
	errs := make([]error, 10)
	for i := range errs {
		wg.Go(func() {
			errs[i] = db.SetAppointmentStatus(f.ctx, b.ID, medic.StatusBooked, medic.StatusCancelled, "race")
		})
	}
	wg.Wait()
	okN := 0
	for _, err := range errs {
		if err == nil {
			okN++
		} else {
			wantCode(t, "concurrent cancel", err, medic.ECONFLICT)
		}
	}
	if okN != 1 {
		t.Errorf("%d concurrent cancellations succeeded, want 1", okN)
	}
	wantConsistent(t, rlsOwnerConn(t, db))
}

func TestAppointmentQueries(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	f := newSchedFixture(t, db, "queries")

	// Five appointments across two local days in Johannesburg (UTC+2):
	// 23:30 UTC on 1 June is 01:30 on 2 June there.
	day1 := time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)
	book := func(start time.Time) *medic.Appointment {
		t.Helper()
		a := f.appt(0)
		a.Start, a.End = start, start.Add(15*time.Minute)
		a.Notes = "follow-up"
		if err := db.BookAppointment(f.ctx, a, []medic.SlotClaim{{Start: start, Capacity: 1}}); err != nil {
			t.Fatal(err)
		}
		return a
	}
	a1 := book(day1)
	a2 := book(day1.Add(time.Hour))
	a3 := book(day1.Add(15*time.Hour + 30*time.Minute)) // 23:30 UTC
	a4 := book(day1.Add(24 * time.Hour))
	a5 := book(day1.Add(25 * time.Hour))
	if err := db.SetAppointmentStatus(f.ctx, a2.ID, medic.StatusBooked, medic.StatusCancelled, "ill"); err != nil {
		t.Fatal(err)
	}
	if err := db.SetAppointmentStatus(f.ctx, a5.ID, medic.StatusBooked, medic.StatusCheckedIn, ""); err != nil {
		t.Fatal(err)
	}

	t.Run("find joins names", func(t *testing.T) {
		got, err := db.FindAppointment(f.ctx, a1.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.PatientName != "Thabo Nkosi" || got.PractitionerName != f.pr.Name || got.LocationName != f.loc.Name ||
			got.TypeName != "Consultation" || got.TypeColor != "#2a7f62" || got.Notes != "follow-up" ||
			got.Status != medic.StatusBooked || got.Source != medic.SourceDesk || !got.Start.Equal(day1) || got.PracticeID != f.practice.ID {
			t.Errorf("found %+v", got)
		}
		if _, err := db.FindAppointment(f.ctx, "nope"); !errors.Is(err, medic.ErrNotFound) {
			t.Errorf("non-UUID id: %v", err)
		}
	})

	t.Run("list pages in time order", func(t *testing.T) {
		var all []*medic.Appointment
		page := medic.Page{Limit: 2}
		for i := 0; ; i++ {
			as, next, err := db.ListAppointments(f.ctx, medic.AppointmentFilter{}, page)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, as...)
			if next == "" {
				break
			}
			if i > 5 {
				t.Fatal("pagination does not end")
			}
			page.Cursor = next
		}
		want := []*medic.Appointment{a1, a2, a3, a4, a5}
		if len(all) != len(want) {
			t.Fatalf("listed %d appointments, want %d", len(all), len(want))
		}
		for i := range want {
			if all[i].ID != want[i].ID {
				t.Errorf("position %d: %s, want %s", i, all[i].Start, want[i].Start)
			}
		}
		if _, _, err := db.ListAppointments(f.ctx, medic.AppointmentFilter{}, medic.Page{Cursor: "garbage"}); medic.ErrorCode(err) != medic.EINVALID {
			t.Errorf("bad cursor: %v", err)
		}
	})

	t.Run("list filters", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			f    medic.AppointmentFilter
			want int
		}{
			{"window", medic.AppointmentFilter{From: day1, To: day1.Add(24 * time.Hour)}, 3},
			{"statuses", medic.AppointmentFilter{Statuses: []medic.AppointmentStatus{medic.StatusCancelled, medic.StatusCheckedIn}}, 2},
			{"patient", medic.AppointmentFilter{PatientID: f.pat.ID}, 5},
			{"practitioner and location", medic.AppointmentFilter{PractitionerID: f.pr.ID, LocationID: f.loc.ID}, 5},
			{"other patient", medic.AppointmentFilter{PatientID: "00000000-0000-4000-8000-000000000000"}, 0},
			{"non-UUID practitioner", medic.AppointmentFilter{PractitionerID: "x"}, 0},
		} {
			as, _, err := db.ListAppointments(f.ctx, tc.f, medic.Page{})
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			} else if len(as) != tc.want {
				t.Errorf("%s: %d appointments, want %d", tc.name, len(as), tc.want)
			}
		}
	})

	t.Run("busy lists holding appointments overlapping", func(t *testing.T) {
		busy, err := db.Busy(f.ctx, f.pr.ID, day1.Add(-10*time.Minute), day1.Add(2*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if len(busy) != 1 || !busy[0].Start.Equal(a1.Start) || !busy[0].End.Equal(a1.End) {
			t.Errorf("busy = %v, want only %s (the cancelled one is free)", busy, a1.Start)
		}
		// Overlap at the edges: [a1.Start+5m, ...) overlaps a1; [a1.End, ...) does not.
		busy, _ = db.Busy(f.ctx, f.pr.ID, a1.End, a1.End.Add(30*time.Minute))
		if len(busy) != 0 {
			t.Errorf("an interval starting at the end of an appointment overlaps it: %v", busy)
		}
		busy, _ = db.Busy(f.ctx, f.pr.ID, a1.Start.Add(5*time.Minute), a1.Start.Add(6*time.Minute))
		if len(busy) != 1 {
			t.Errorf("busy inside an appointment = %v", busy)
		}
	})

	t.Run("counts by status", func(t *testing.T) {
		got, err := db.CountAppointmentsByStatus(f.ctx, day1, day1.Add(48*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		want := map[medic.AppointmentStatus]int{medic.StatusBooked: 3, medic.StatusCancelled: 1, medic.StatusCheckedIn: 1}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("counts %v, want %v", got, want)
		}
		got, _ = db.CountAppointmentsByStatus(f.ctx, day1.Add(24*time.Hour), day1.Add(48*time.Hour))
		if got[medic.StatusBooked] != 1 || got[medic.StatusCheckedIn] != 1 || len(got) != 2 {
			t.Errorf("counts on day 2: %v", got)
		}
	})

	t.Run("daily counts per local day", func(t *testing.T) {
		jhb, err := time.LoadLocation("Africa/Johannesburg")
		if err != nil {
			t.Skip("no tzdata")
		}
		from := medic.NewDate(2026, 6, 1).In(jhb)
		got, err := db.DailyCounts(f.ctx, from, from.AddDate(0, 0, 7), jhb)
		if err != nil {
			t.Fatal(err)
		}
		// Day 1: a1 (a2 cancelled); day 2: a3 (01:30 local), a4, a5.
		want := map[medic.Date]int{medic.NewDate(2026, 6, 1): 1, medic.NewDate(2026, 6, 2): 3}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("daily counts %v, want %v", got, want)
		}
		got, _ = db.DailyCounts(f.ctx, from, from.AddDate(0, 0, 7), nil)
		if want := (map[medic.Date]int{medic.NewDate(2026, 6, 1): 2, medic.NewDate(2026, 6, 2): 2}); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("daily counts in UTC %v, want %v", got, want)
		}
	})
}

// TestSchedulingCrossTenant: practice B acting on practice A's ids gets
// ENOTFOUND everywhere, and B's lists and counts never hold A's rows.
func TestSchedulingCrossTenant(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	a := newSchedFixture(t, db, "tenant-a")
	b := newSchedFixture(t, db, "tenant-b")
	owner := rlsOwnerConn(t, db)
	ctxB := b.ctx

	appt := a.mustBook(t, 1, 0)
	other := mustPatient(t, db, a.ctx, &medic.Patient{GivenName: "Lerato", FamilyName: "Nkosi", DateOfBirth: medic.NewDate(1990, 1, 2), Email: "lerato@example.org"})
	rule := &medic.ScheduleRule{PractitionerID: a.pr.ID, LocationID: a.loc.ID, Weekday: time.Monday, Start: 8 * 60, End: 12 * 60,
		SlotMinutes: 15, Capacity: 1, AppointmentTypeIDs: []string{a.typ.ID}, EffectiveFrom: medic.NewDate(2026, 1, 1)}
	if err := db.CreateScheduleRule(a.ctx, rule); err != nil {
		t.Fatal(err)
	}
	exc := &medic.ScheduleException{PractitionerID: a.pr.ID, Kind: medic.ExceptionLeave, Start: slot0, End: slot0.Add(48 * time.Hour), Reason: "Conference"}
	if err := db.CreateScheduleException(a.ctx, exc); err != nil {
		t.Fatal(err)
	}

	notFound := map[string]error{}
	find := func(name string, err error) { notFound[name] = err }
	_, err := db.FindPatient(ctxB, a.pat.ID)
	find("FindPatient", err)
	find("UpdatePatient", db.UpdatePatient(ctxB, &medic.Patient{ID: a.pat.ID, GivenName: "X", FamilyName: "Y", DateOfBirth: medic.NewDate(1980, 1, 1)}))
	find("MergePatients A into A", db.MergePatients(ctxB, other.ID, a.pat.ID))
	find("MergePatients A into B", db.MergePatients(ctxB, a.pat.ID, b.pat.ID))
	_, err = db.FindPractitioner(ctxB, a.pr.ID)
	find("FindPractitioner", err)
	find("UpdatePractitioner", db.UpdatePractitioner(ctxB, &medic.Practitioner{ID: a.pr.ID, Name: "X"}))
	find("UpdatePractitioner with A's location", db.UpdatePractitioner(ctxB, &medic.Practitioner{ID: b.pr.ID, Name: "X",
		Assignments: []medic.LocationAssignment{{LocationID: a.loc.ID}}}))
	find("CreatePractitioner with A's location", db.CreatePractitioner(ctxB, &medic.Practitioner{Name: "X",
		Assignments: []medic.LocationAssignment{{LocationID: a.loc.ID}}}))
	_, err = db.FindScheduleRule(ctxB, rule.ID)
	find("FindScheduleRule", err)
	ruleB := *rule
	ruleB.PractitionerID, ruleB.LocationID, ruleB.AppointmentTypeIDs = b.pr.ID, b.loc.ID, []string{b.typ.ID}
	find("UpdateScheduleRule", db.UpdateScheduleRule(ctxB, &ruleB))
	find("DeleteScheduleRule", db.DeleteScheduleRule(ctxB, rule.ID))
	find("CreateScheduleRule with A's practitioner", db.CreateScheduleRule(ctxB, &medic.ScheduleRule{PractitionerID: a.pr.ID, LocationID: b.loc.ID,
		Weekday: time.Monday, Start: 480, End: 720, SlotMinutes: 15, Capacity: 1, EffectiveFrom: medic.NewDate(2026, 1, 1)}))
	find("CreateScheduleRule with A's type", db.CreateScheduleRule(ctxB, &medic.ScheduleRule{PractitionerID: b.pr.ID, LocationID: b.loc.ID,
		Weekday: time.Monday, Start: 480, End: 720, SlotMinutes: 15, Capacity: 1, AppointmentTypeIDs: []string{a.typ.ID}, EffectiveFrom: medic.NewDate(2026, 1, 1)}))
	find("CreateScheduleException with A's practitioner", db.CreateScheduleException(ctxB, &medic.ScheduleException{PractitionerID: a.pr.ID,
		Kind: medic.ExceptionLeave, Start: slot0, End: slot0.Add(time.Hour)}))
	find("DeleteScheduleException", db.DeleteScheduleException(ctxB, exc.ID))
	_, err = db.FindAppointmentType(ctxB, a.typ.ID)
	find("FindAppointmentType", err)
	find("UpdateAppointmentType", db.UpdateAppointmentType(ctxB, &medic.AppointmentType{ID: a.typ.ID, Name: "X", DurationMinutes: 10}))
	_, err = db.FindAppointment(ctxB, appt.ID)
	find("FindAppointment", err)
	find("SetAppointmentStatus", db.SetAppointmentStatus(ctxB, appt.ID, medic.StatusBooked, medic.StatusCancelled, "x"))
	find("MoveAppointment", db.MoveAppointment(ctxB, b.withID(appt), slotAt(4), slotAt(5), claims(1, 4)))
	booking := b.appt(6)
	booking.PatientID = a.pat.ID
	find("BookAppointment for A's patient", db.BookAppointment(ctxB, booking, claims(1, 6)))
	booking = b.appt(6)
	booking.PractitionerID = a.pr.ID
	find("BookAppointment with A's practitioner", db.BookAppointment(ctxB, booking, claims(1, 6)))
	booking = b.appt(6)
	booking.AppointmentTypeID = a.typ.ID
	find("BookAppointment of A's type", db.BookAppointment(ctxB, booking, claims(1, 6)))
	for name, err := range notFound {
		if !errors.Is(err, medic.ErrNotFound) {
			t.Errorf("%s from practice B on practice A's rows: %v, want ENOTFOUND", name, err)
		}
	}

	// Nothing of A changed.
	if got, err := db.FindAppointment(a.ctx, appt.ID); err != nil || got.Status != medic.StatusBooked || !got.Start.Equal(appt.Start) {
		t.Errorf("A's appointment after B's attempts: %+v, %v", got, err)
	}
	if got, err := db.FindPatient(a.ctx, a.pat.ID); err != nil || got.GivenName != "Thabo" || got.Status != medic.PatientActive {
		t.Errorf("A's patient after B's attempts: %+v, %v", got, err)
	}
	if _, err := db.FindScheduleRule(a.ctx, rule.ID); err != nil {
		t.Errorf("A's rule after B's attempts: %v", err)
	}
	if got, _ := db.FindPractitioner(a.ctx, a.pr.ID); got.Name != a.pr.Name || len(got.Assignments) != 1 {
		t.Errorf("A's practitioner after B's attempts: %+v", got)
	}
	if got, _ := db.FindAppointmentType(a.ctx, a.typ.ID); got.Name != "Consultation" {
		t.Errorf("A's type after B's attempts: %+v", got)
	}
	if booked, _ := a.places(t, owner, 0); booked != 1 {
		t.Errorf("A's slot after B's attempts: booked %d", booked)
	}

	// B's lists and counts hold only B's rows.
	owns := func(what, practice string) {
		t.Helper()
		if practice != b.practice.ID {
			t.Errorf("%s from practice B returned a row of practice %s", what, practice)
		}
	}
	ps, _, err := db.SearchPatients(ctxB, medic.PatientFilter{IncludeInactive: true}, medic.Page{})
	if err != nil || len(ps) != 1 {
		t.Errorf("SearchPatients from B: %d patients, %v", len(ps), err)
	}
	for _, q := range []string{"", "Nkosi", "nksoi", "lerato@example.org", "Lerato"} {
		ps, _, _ := db.SearchPatients(ctxB, medic.PatientFilter{Query: q, IncludeInactive: true}, medic.Page{})
		for _, p := range ps {
			owns("SearchPatients "+q, p.PracticeID)
		}
	}
	if n, _ := db.CountPatients(ctxB, ""); n != 1 {
		t.Errorf("CountPatients from B = %d, want 1", n)
	}
	if ds, _ := db.FindDuplicates(ctxB, other); len(ds) != 0 {
		t.Errorf("FindDuplicates from B found %d of A's charts", len(ds))
	}
	rps, _ := db.RecentPatients(ctxB, 10)
	for _, p := range rps {
		owns("RecentPatients", p.PracticeID)
	}
	prs, _, _ := db.ListPractitioners(ctxB, medic.Page{})
	if len(prs) != 1 {
		t.Errorf("ListPractitioners from B: %d", len(prs))
	}
	for _, p := range prs {
		owns("ListPractitioners", p.PracticeID)
	}
	if rs, _ := db.ListScheduleRules(ctxB, ""); len(rs) != 0 {
		t.Errorf("ListScheduleRules from B: %d rules", len(rs))
	}
	if rs, _ := db.ListScheduleRules(ctxB, a.pr.ID); len(rs) != 0 {
		t.Errorf("ListScheduleRules from B for A's practitioner: %d rules", len(rs))
	}
	if es, _ := db.ListScheduleExceptions(ctxB, "", time.Time{}, time.Time{}); len(es) != 0 {
		t.Errorf("ListScheduleExceptions from B: %d", len(es))
	}
	ts, _ := db.ListAppointmentTypes(ctxB)
	for _, ty := range ts {
		owns("ListAppointmentTypes", ty.PracticeID)
	}
	if as, _, _ := db.ListAppointments(ctxB, medic.AppointmentFilter{}, medic.Page{}); len(as) != 0 {
		t.Errorf("ListAppointments from B: %d", len(as))
	}
	if as, _, _ := db.ListAppointments(ctxB, medic.AppointmentFilter{PractitionerID: a.pr.ID}, medic.Page{}); len(as) != 0 {
		t.Errorf("ListAppointments from B for A's practitioner: %d", len(as))
	}
	if bp, _ := db.BookedPlaces(ctxB, a.pr.ID, slotAt(0), slotAt(10)); len(bp) != 0 {
		t.Errorf("BookedPlaces from B for A's practitioner: %v", bp)
	}
	if busy, _ := db.Busy(ctxB, a.pr.ID, slotAt(0), slotAt(10)); len(busy) != 0 {
		t.Errorf("Busy from B for A's practitioner: %v", busy)
	}
	if c, _ := db.CountAppointmentsByStatus(ctxB, time.Time{}, time.Time{}); len(c) != 0 {
		t.Errorf("CountAppointmentsByStatus from B: %v", c)
	}
	if c, _ := db.DailyCounts(ctxB, slot0.Add(-24*time.Hour), slot0.Add(24*time.Hour), time.UTC); len(c) != 0 {
		t.Errorf("DailyCounts from B: %v", c)
	}
	if _, err := db.FindPractitionerByMember(ctxB, "00000000-0000-4000-8000-000000000000"); !errors.Is(err, medic.ErrNotFound) {
		t.Errorf("FindPractitionerByMember of nobody: %v", err)
	}
}
