package medic

import "time"

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
