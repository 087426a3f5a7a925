package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Integrity is what Verify found; every count but Slots must be zero.
type Integrity struct {
	Slots int // slot_places rows checked
	// OverCapacity counts slots held by more (non-overbooked) holding
	// appointments than their capacity: double bookings.
	OverCapacity int
	// Miscounted counts slots whose booked counter differs from the number
	// of holding, non-overbooked appointments holding them.
	Miscounted int
	// Overlaps counts pairs of holding, non-overbooked appointments of one
	// practitioner of a generated practice (capacity 1) that overlap in
	// time, at least one of them created since the given time.
	Overlaps int
	Took     time.Duration
}

// OK reports zero double bookings and consistent counters.
func (i Integrity) OK() bool { return i.OverCapacity == 0 && i.Miscounted == 0 && i.Overlaps == 0 }

func (i Integrity) String() string {
	return fmt.Sprintf("%d slots checked: %d over capacity, %d with a wrong booked count, %d overlapping appointment pairs (%s)",
		i.Slots, i.OverCapacity, i.Miscounted, i.Overlaps, i.Took.Round(time.Millisecond))
}

// Verify checks, as the owner (no row-level security in the way), that no
// slot starting at or after since is held beyond its capacity, that every
// slot's booked counter equals its holders, and that no two holding
// appointments of a generated practitioner (capacity 1) overlap when one
// of them was created at or after since. A zero since checks every slot;
// practices limits the checks to those practices (nil: all).
func Verify(ctx context.Context, ownerURL string, since time.Time, practices []string) (Integrity, error) {
	start := time.Now()
	var in Integrity
	conn, err := pgx.Connect(ctx, ownerURL)
	if err != nil {
		return in, fmt.Errorf("connect owner: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `SET work_mem = '256MB'`); err != nil {
		return in, err
	}
	// Holders per slot, from the appointments' own slot rows and statuses.
	err = conn.QueryRow(ctx, `
		WITH holders AS (
			SELECT s.practice_id, s.practitioner_id, s.slot_start, count(*) AS n
			FROM appointment_slots s
			JOIN appointments a ON a.practice_id = s.practice_id AND a.id = s.appointment_id
			WHERE s.slot_start >= $1 AND NOT s.overbooked AND ($2::uuid[] IS NULL OR s.practice_id = ANY($2))
			  AND a.status NOT IN ('cancelled', 'no_show')
			GROUP BY 1, 2, 3
		)
		SELECT count(*),
		       count(*) FILTER (WHERE coalesce(h.n, 0) > sp.capacity),
		       count(*) FILTER (WHERE coalesce(h.n, 0) <> sp.booked)
		FROM slot_places sp
		LEFT JOIN holders h USING (practice_id, practitioner_id, slot_start)
		WHERE sp.slot_start >= $1 AND ($2::uuid[] IS NULL OR sp.practice_id = ANY($2))`, since, practices).Scan(&in.Slots, &in.OverCapacity, &in.Miscounted)
	if err != nil {
		return in, fmt.Errorf("check slots: %w", err)
	}
	// Holders of slots that have no slot_places row at all.
	var orphans int
	err = conn.QueryRow(ctx, `SELECT count(*) FROM appointment_slots s
		WHERE s.slot_start >= $1 AND ($2::uuid[] IS NULL OR s.practice_id = ANY($2)) AND NOT EXISTS (SELECT 1 FROM slot_places sp
			WHERE sp.practice_id = s.practice_id AND sp.practitioner_id = s.practitioner_id AND sp.slot_start = s.slot_start)`, since, practices).Scan(&orphans)
	if err != nil {
		return in, fmt.Errorf("check slots: %w", err)
	}
	in.Miscounted += orphans
	// Overlapping appointments, independent of the slot tables.
	err = conn.QueryRow(ctx, `
		SELECT count(*)
		FROM practices p
		JOIN appointments a ON a.practice_id = p.id
		JOIN appointments b ON b.practice_id = a.practice_id AND b.practitioner_id = a.practitioner_id
		     AND b.id <> a.id AND b.starts_at < a.ends_at AND a.starts_at < b.ends_at
		WHERE p.slug LIKE $2 AND ($3::uuid[] IS NULL OR p.id = ANY($3))
		  AND a.created_at >= $1
		  AND a.status NOT IN ('cancelled', 'no_show') AND NOT a.overbooked
		  AND b.status NOT IN ('cancelled', 'no_show') AND NOT b.overbooked
		  AND (b.created_at < $1 OR a.id < b.id)`, since, SlugPrefix+"%", practices).Scan(&in.Overlaps)
	if err != nil {
		return in, fmt.Errorf("check overlaps: %w", err)
	}
	in.Took = time.Since(start)
	return in, nil
}
