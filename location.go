package medic

import (
	"context"
	"strings"
	"time"
)

// Location is a clinic site of a practice.
type Location struct {
	ID         string
	PracticeID string
	Name       string
	Address    string
	Phone      string
	Email      string
	Hours      WeekHours
	Latitude   *float64
	Longitude  *float64
	Active     bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// WeekHours are opening hours per weekday: "mon".."sun" -> "08:00-17:00"
// (empty or missing: closed).
type WeekHours map[string]string

// Weekdays in display order.
var Weekdays = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// Validate checks the fields a user can set.
func (l *Location) Validate() error {
	f := FieldErrors{}
	f.RequiredLine("name", &l.Name, MaxNameLength, "Enter the location name.")
	f.MultiLine("address", &l.Address, MaxAddressLength)
	if l.Email = strings.TrimSpace(l.Email); l.Email != "" {
		if e, err := NormalizeEmail(l.Email); err != nil {
			f.Add("email", "Enter a valid email address.")
		} else {
			l.Email = e
		}
	}
	if l.Phone = strings.TrimSpace(l.Phone); l.Phone != "" {
		if p, err := NormalizePhone(l.Phone); err != nil {
			f.Add("phone", "Enter a phone number such as +27 21 555 0100.")
		} else {
			l.Phone = p
		}
	}
	for day, span := range l.Hours {
		if !validDay(day) {
			f.Add("hours", "Use the weekdays mon to sun.")
			continue
		}
		if span == "" {
			delete(l.Hours, day)
			continue
		}
		if !validSpan(span) {
			f.Add("hours."+day, "Use HH:MM-HH:MM with the start before the end.")
		}
	}
	if (l.Latitude == nil) != (l.Longitude == nil) {
		f.Add("latitude", "Give both latitude and longitude, or neither.")
	} else if l.Latitude != nil && (*l.Latitude < -90 || *l.Latitude > 90 || *l.Longitude < -180 || *l.Longitude > 180) {
		f.Add("latitude", "Latitude is -90..90 and longitude -180..180.")
	}
	return f.Err()
}

func validDay(d string) bool {
	for _, w := range Weekdays {
		if w == d {
			return true
		}
	}
	return false
}

func validSpan(s string) bool {
	from, to, ok := strings.Cut(strings.ReplaceAll(s, " ", ""), "-")
	if !ok {
		return false
	}
	a, err1 := time.Parse("15:04", from)
	b, err2 := time.Parse("15:04", to)
	return err1 == nil && err2 == nil && a.Before(b)
}

// LocationService manages the locations of the practice in context; ENOTFOUND
// for a location of another practice.
type LocationService interface {
	ListLocations(ctx context.Context, p Page) ([]*Location, string, error)
	FindLocation(ctx context.Context, id string) (*Location, error)
	CreateLocation(ctx context.Context, l *Location) error
	UpdateLocation(ctx context.Context, l *Location) error
	DeleteLocation(ctx context.Context, id string) error
}
