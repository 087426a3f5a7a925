package medic

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// Date is a calendar date without a time zone (a birth date, a rule's
// effective date), held as midnight UTC.
type Date struct{ t time.Time }

// NewDate returns the date y-m-d.
func NewDate(y int, m time.Month, d int) Date { return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)} }

// DateOf returns the calendar date of t in its own location.
func DateOf(t time.Time) Date { return NewDate(t.Date()) }

// ParseDate parses YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return Date{}, Errorf(EINVALID, "Use a date like 2026-03-31.")
	}
	return Date{t}, nil
}

func (d Date) IsZero() bool             { return d.t.IsZero() }
func (d Date) String() string           { return d.t.Format("2006-01-02") }
func (d Date) Time() time.Time          { return d.t }
func (d Date) Year() int                { return d.t.Year() }
func (d Date) Month() time.Month        { return d.t.Month() }
func (d Date) Day() int                 { return d.t.Day() }
func (d Date) Weekday() time.Weekday    { return d.t.Weekday() }
func (d Date) Before(o Date) bool       { return d.t.Before(o.t) }
func (d Date) After(o Date) bool        { return d.t.After(o.t) }
func (d Date) Equal(o Date) bool        { return d.t.Equal(o.t) }
func (d Date) AddDays(n int) Date       { return Date{d.t.AddDate(0, 0, n)} }
func (d Date) AddDate(y, m, n int) Date { return Date{d.t.AddDate(y, m, n)} }

// In returns the instant the date starts in loc (wall-clock midnight, or
// the first instant after it on a day whose midnight is skipped).
func (d Date) In(loc *time.Location) time.Time {
	return time.Date(d.t.Year(), d.t.Month(), d.t.Day(), 0, 0, 0, 0, loc)
}

func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(d.String())
}

func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = Date{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return Errorf(EINVALID, "Use a date like 2026-03-31.")
	}
	v, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// looseDateLayouts are the ways people type a date into a search box, day
// first as in South Africa (03/02/2001 is 3 February).
var looseDateLayouts = []string{
	"2006-01-02", "2006/01/02", "02/01/2006", "2/1/2006", "02-01-2006", "2-1-2006", "02.01.2006", "2.1.2006",
	"2 Jan 2006", "2 January 2006", "Jan 2 2006", "January 2 2006", "2 Jan, 2006", "January 2, 2006", "Jan 2, 2006",
}

// ParseLooseDate reads a date typed in one of the common forms (2001-02-03,
// 03/02/2001, 3 Feb 2001, ...); ok is false for anything else.
func ParseLooseDate(s string) (d Date, ok bool) {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) < 8 || len(s) > 20 {
		return Date{}, false
	}
	for _, layout := range looseDateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return DateOf(t), true
		}
	}
	// Month names in any case ("3 feb 2001"), as time.Parse wants them.
	if t, err := time.Parse("2 Jan 2006", titleWords(s)); err == nil {
		return DateOf(t), true
	}
	if t, err := time.Parse("2 January 2006", titleWords(s)); err == nil {
		return DateOf(t), true
	}
	return Date{}, false
}

func titleWords(s string) string {
	ws := strings.Fields(strings.ToLower(s))
	for i, w := range ws {
		if w != "" {
			ws[i] = strings.ToUpper(w[:1]) + w[1:]
		}
	}
	return strings.Join(ws, " ")
}

// AgeLabel is the age of someone born on dob, on day on, as people say
// it: "34 years", "8 months", "12 days" (babies in months and days).
func AgeLabel(dob, on Date) string {
	if dob.IsZero() || on.Before(dob) {
		return ""
	}
	months := (on.Year()-dob.Year())*12 + int(on.Month()) - int(dob.Month())
	if on.Day() < dob.Day() {
		months--
	}
	plural := func(n int, unit string) string {
		if n == 1 {
			return "1 " + unit
		}
		return strconv.Itoa(n) + " " + unit + "s"
	}
	switch {
	case months >= 24:
		return plural(months/12, "year")
	case months >= 1:
		return plural(months, "month")
	}
	return plural(int(on.Time().Sub(dob.Time()).Hours()/24), "day")
}
