package medic

import (
	"cmp"
	"slices"
	"time"
)

// Slot is a bookable start time.
type Slot struct {
	Start, End     time.Time
	PractitionerID string
	LocationID     string
	// Remaining places for an appointment of the asked type starting here
	// (the fewest over the slots it covers).
	Remaining int
	// Claims are the slots an appointment starting here occupies.
	Claims []SlotClaim
}

// AvailabilityInput is everything the availability engine needs about one
// practitioner; it does no I/O.
type AvailabilityInput struct {
	Location                       *time.Location // the practice's time zone
	Now                            time.Time
	From, To                       time.Time // slots starting in [From, To)
	Practitioner                   *Practitioner
	Rules                          []*ScheduleRule
	Exceptions                     []*ScheduleException
	Type                           *AppointmentType
	LocationID                     string            // "" for every location
	Booked                         map[time.Time]int // places taken per slot start
	Busy                           []Interval        // holding appointments, for buffers
	BufferMinutes, LeadTimeMinutes int
	// IgnoreCapacity lists full slots too (Remaining may be 0): used to find
	// the slot grid when an admin overbooks or a booking is checked.
	IgnoreCapacity bool
}

// ComputeSlots returns the start times at which an appointment of in.Type
// can be booked with in.Practitioner, sorted by start then location (with
// a nil Type: single slots of each block's own length, for any type). It is
// pure and deterministic.
//
// Weekly rules are laid out in local wall-clock time in in.Location: a rule
// block is cut into slots of SlotMinutes at wall-clock boundaries; a
// boundary that does not exist (the spring-forward gap) is no slot, and a
// boundary that happens twice (the fall-back hour) is a slot only the first
// time. Extra hours are cut in real time from their start. An appointment
// starting at a slot occupies ceil(duration/slot) consecutive slots of the
// same block, which are its Claims; Slot.End is the start plus the duration
// in real time.
//
// Booked is looked up by instant, whatever the location of its keys. If two
// blocks of the practitioner overlap in time (the use case refuses such
// rules), the block at the lowest location id keeps the overlapping time and
// the other loses it, so no place is counted twice.
func ComputeSlots(in AvailabilityInput) []Slot {
	p, typ := in.Practitioner, in.Type
	if p == nil || p.Status != PractitionerActive || !in.To.After(in.From) || (typ != nil && (!typ.Active || typ.DurationMinutes <= 0)) {
		return nil
	}
	loc := in.Location
	if loc == nil {
		loc = time.UTC
	}

	blocks := scheduleBlocks(in, loc)
	// The first block by location id (then rules before extra hours) keeps
	// time that blocks overlap.
	slices.SortStableFunc(blocks, func(a, b *block) int {
		return cmp.Or(
			cmp.Compare(a.locationID, b.locationID),
			cmp.Compare(a.order, b.order),
			a.start.Compare(b.start),
			cmp.Compare(a.id, b.id),
		)
	})

	booked := make(map[int64]int, len(in.Booked))
	for t, n := range in.Booked {
		booked[t.UnixNano()] += n
	}
	busy := slices.Clone(in.Busy)
	slices.SortFunc(busy, func(a, b Interval) int { return a.Start.Compare(b.Start) })
	var longestBusy time.Duration
	for _, b := range busy {
		longestBusy = max(longestBusy, b.End.Sub(b.Start))
	}
	var leaves []Interval
	for _, e := range in.Exceptions {
		if e != nil && e.Kind == ExceptionLeave && ownedBy(e.PractitionerID, p) {
			leaves = append(leaves, Interval{e.Start, e.End})
		}
	}
	earliest := in.Now.Add(time.Duration(in.LeadTimeMinutes) * time.Minute)
	buffer := time.Duration(in.BufferMinutes) * time.Minute

	// One allocation each for the slots and their claims, sized for every
	// slot of every block (an upper bound for one-slot types).
	n := 0
	for _, b := range blocks {
		n += len(b.slots)
	}
	out := make([]Slot, 0, n)
	claimBuf := make([]SlotClaim, 0, n)
	for i, b := range blocks {
		// Without a type, each block offers single slots of its own length
		// for any type.
		minutes, typeID := b.slotMinutes, ""
		if typ != nil {
			minutes, typeID = typ.DurationMinutes, typ.ID
		}
		if !b.offers(in.LocationID, typeID, typ == nil) {
			continue
		}
		duration := time.Duration(minutes) * time.Minute
		need := (minutes + b.slotMinutes - 1) / b.slotMinutes
		for j := 0; j+need <= len(b.slots); j++ {
			start := b.slots[j]
			end := start.Add(duration)
			if start.Before(in.From) || !start.Before(in.To) || start.Before(earliest) {
				continue
			}
			if lostToEarlierBlock(blocks[:i], b, j, need) || overlapsAny(leaves, start, end) ||
				(buffer > 0 && tooClose(busy, longestBusy, start, end, buffer)) {
				continue
			}
			if cap(claimBuf)-len(claimBuf) < need {
				claimBuf = make([]SlotClaim, 0, max(n, need))
			}
			// A capped sub-slice: no slot's claims can grow into the next's.
			claims := claimBuf[len(claimBuf) : len(claimBuf)+need : len(claimBuf)+need]
			remaining := b.capacity
			for k := range need {
				s := b.slots[j+k]
				claims[k] = SlotClaim{Start: s, Capacity: b.capacity}
				remaining = min(remaining, b.capacity-booked[s.UnixNano()])
			}
			if remaining <= 0 {
				if !in.IgnoreCapacity {
					continue
				}
				remaining = 0
			}
			claimBuf = claimBuf[:len(claimBuf)+need]
			out = append(out, Slot{
				Start:          start,
				End:            end,
				PractitionerID: p.ID,
				LocationID:     b.locationID,
				Remaining:      remaining,
				Claims:         claims,
			})
		}
	}
	slices.SortStableFunc(out, func(a, b Slot) int {
		return cmp.Or(a.Start.Compare(b.Start), cmp.Compare(a.LocationID, b.LocationID))
	})
	return out
}

// FindSlot returns the slot starting exactly at start at locationID; the
// booking use case checks a requested start with it.
func FindSlot(slots []Slot, start time.Time, locationID string) (Slot, bool) {
	i, _ := slices.BinarySearchFunc(slots, start, func(s Slot, t time.Time) int { return s.Start.Compare(t) })
	for ; i < len(slots) && slots[i].Start.Equal(start); i++ {
		if slots[i].LocationID == locationID {
			return slots[i], true
		}
	}
	return Slot{}, false
}

// block is one stretch of working time: a weekly rule on one day, or extra
// hours. slots are the existing slot starts in order; the block covers
// [start, end) in real time.
type block struct {
	locationID  string
	order       int // 0 rule, 1 extra hours
	id          string
	start, end  time.Time
	slots       []time.Time
	slotMinutes int
	capacity    int
	rule        *ScheduleRule // nil for extra hours: every type
}

func (b *block) offers(locationID, typeID string, anyType bool) bool {
	return (locationID == "" || b.locationID == locationID) && (anyType || b.rule == nil || b.rule.Allows(typeID))
}

// scheduleBlocks lays out the rules active on each local day touching
// [From, To) and the extra hours overlapping it, at locations the
// practitioner is assigned to that day. The location filter and the type are
// applied later, so that overlaps are settled the same way whatever is asked.
func scheduleBlocks(in AvailabilityInput, loc *time.Location) []*block {
	p := in.Practitioner
	var blocks []*block
	first, last := DateOf(in.From.In(loc)), DateOf(in.To.Add(-time.Nanosecond).In(loc))
	for day := first; !day.After(last); day = day.AddDays(1) {
		for _, r := range in.Rules {
			if r == nil || !ownedBy(r.PractitionerID, p) || r.SlotMinutes <= 0 || r.Start >= r.End ||
				!r.ActiveOn(day) || !p.AssignedAt(r.LocationID, day) {
				continue
			}
			b := &block{locationID: r.LocationID, id: r.ID, slotMinutes: r.SlotMinutes, capacity: r.Capacity, rule: r}
			b.start, _ = wallClock(day, r.Start, loc)
			b.end, _ = wallClock(day, r.End, loc)
			for c := r.Start; c+ClockTime(r.SlotMinutes) <= r.End; c += ClockTime(r.SlotMinutes) {
				if t, ok := wallClock(day, c, loc); ok {
					b.slots = append(b.slots, t)
				}
			}
			blocks = append(blocks, b)
		}
	}
	for _, e := range in.Exceptions {
		if e == nil || e.Kind != ExceptionExtra || !ownedBy(e.PractitionerID, p) || e.SlotMinutes <= 0 ||
			!e.End.After(e.Start) || !e.Start.Before(in.To) || !e.End.After(in.From) ||
			!p.AssignedAt(e.LocationID, DateOf(e.Start.In(loc))) {
			continue
		}
		b := &block{locationID: e.LocationID, order: 1, id: e.ID, start: e.Start.In(loc), end: e.End.In(loc),
			slotMinutes: e.SlotMinutes, capacity: e.Capacity}
		step := time.Duration(e.SlotMinutes) * time.Minute
		for t := b.start; !t.Add(step).After(b.end); t = t.Add(step) {
			b.slots = append(b.slots, t)
		}
		blocks = append(blocks, b)
	}
	return blocks
}

// ownedBy reports whether a rule or exception of practitionerID ("" when
// the caller did not set it) belongs to p.
func ownedBy(practitionerID string, p *Practitioner) bool {
	return practitionerID == "" || p.ID == "" || practitionerID == p.ID
}

// wallClock returns the instant the wall clock in loc reads c on day, and
// false if it never does (the spring-forward gap; the instant is then
// time.Date's normalisation). A reading that happens twice (the fall-back
// hour) gives the first instant. 24:00 is the next day's midnight.
func wallClock(day Date, c ClockTime, loc *time.Location) (time.Time, bool) {
	if c >= 24*60 {
		day, c = day.AddDays(int(c)/(24*60)), c%(24*60)
	}
	h, m := int(c)/60, int(c)%60
	t := time.Date(day.Year(), day.Month(), day.Day(), h, m, 0, 0, loc)
	if t.Hour() != h || t.Minute() != m || t.Day() != day.Day() {
		return t, false
	}
	// time.Date may pick the second of two instants with this reading: step
	// back over the transition that began the current zone period and see
	// whether the clock read the same before it.
	if zoneStart, _ := t.ZoneBounds(); !zoneStart.IsZero() {
		_, cur := t.Zone()
		_, prev := zoneStart.Add(-time.Nanosecond).Zone()
		if prev > cur {
			if u := t.Add(-time.Duration(prev-cur) * time.Second); u.Before(zoneStart) && u.Hour() == h && u.Minute() == m && u.Day() == day.Day() {
				return u, true
			}
		}
	}
	return t, true
}

// lostToEarlierBlock reports whether any of the need slots from b.slots[j]
// overlaps a block that keeps its time before b.
func lostToEarlierBlock(earlier []*block, b *block, j, need int) bool {
	from := b.slots[j]
	to := b.end
	if j+need < len(b.slots) {
		to = b.slots[j+need]
	}
	for _, e := range earlier {
		if e.start.Before(to) && from.Before(e.end) {
			return true
		}
	}
	return false
}

func overlapsAny(ranges []Interval, start, end time.Time) bool {
	for _, r := range ranges {
		if r.Start.Before(end) && start.Before(r.End) {
			return true
		}
	}
	return false
}

// tooClose reports whether a busy interval that does not overlap [start,
// end) ends less than buffer before start or begins less than buffer after
// end. busy is sorted by start; longest is its longest interval.
func tooClose(busy []Interval, longest time.Duration, start, end time.Time, buffer time.Duration) bool {
	lo := start.Add(-buffer - longest)
	i, _ := slices.BinarySearchFunc(busy, lo, func(b Interval, t time.Time) int { return b.Start.Compare(t) })
	for ; i < len(busy) && busy[i].Start.Before(end.Add(buffer)); i++ {
		b := busy[i]
		switch {
		case !b.End.After(start):
			if start.Sub(b.End) < buffer {
				return true
			}
		case !b.Start.Before(end):
			if b.Start.Sub(end) < buffer {
				return true
			}
		}
	}
	return false
}
