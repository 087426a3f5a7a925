package medic

import "time"

// A sick note states its period in calendar days and, for the employer
// (BCEA sick leave is counted in working days), in working days: Monday to
// Friday less South Africa's public holidays.

// CalendarDays counts the days from from to to, both included (0 when to
// is before from).
func CalendarDays(from, to Date) int {
	if to.Before(from) {
		return 0
	}
	return int(to.Time().Sub(from.Time()).Hours()/24+0.5) + 1
}

// WorkingDays counts the days from from to to, both included, that are
// neither a Saturday, a Sunday nor a South African public holiday.
func WorkingDays(from, to Date) int {
	n := 0
	holidays := map[int]map[Date]bool{}
	for d := from; !d.After(to); d = d.AddDays(1) {
		if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
			continue
		}
		hs, ok := holidays[d.Year()]
		if !ok {
			hs = PublicHolidays(d.Year())
			holidays[d.Year()] = hs
		}
		if !hs[d] {
			n++
		}
	}
	return n
}

// fixedHolidays are the Public Holidays Act's (36 of 1994) holidays on a
// fixed date; Good Friday and Family Day follow Easter.
var fixedHolidays = [...]struct {
	m time.Month
	d int
}{
	{time.January, 1},    // New Year's Day
	{time.March, 21},     // Human Rights Day
	{time.April, 27},     // Freedom Day
	{time.May, 1},        // Workers' Day
	{time.June, 16},      // Youth Day
	{time.August, 9},     // National Women's Day
	{time.September, 24}, // Heritage Day
	{time.December, 16},  // Day of Reconciliation
	{time.December, 25},  // Christmas Day
	{time.December, 26},  // Day of Goodwill
}

// PublicHolidays returns South Africa's public holidays in year y: the ten
// fixed days, Good Friday and Family Day (Easter Monday), and for a holiday
// on a Sunday the Monday after it (section 2(1) of the Act). When that
// Monday is itself a holiday (Christmas on a Sunday: the Day of Goodwill)
// the day off moves on to the Tuesday, as the President declared under
// section 2A in 2016 and 2022. Days declared once (election days) are not
// included.
func PublicHolidays(y int) map[Date]bool {
	var days []Date
	for _, f := range fixedHolidays {
		days = append(days, NewDate(y, f.m, f.d))
	}
	easter := EasterSunday(y)
	days = append(days, easter.AddDays(-2), easter.AddDays(1))
	out := make(map[Date]bool, len(days)+2)
	for _, d := range days {
		out[d] = true
	}
	for _, d := range days {
		if d.Weekday() != time.Sunday {
			continue
		}
		next := d.AddDays(1)
		for out[next] {
			next = next.AddDays(1)
		}
		out[next] = true
	}
	return out
}

// EasterSunday is the date of Western Easter in year y (the anonymous
// Gregorian algorithm, "Meeus/Jones/Butcher").
func EasterSunday(y int) Date {
	a := y % 19
	b, c := y/100, y%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return NewDate(y, time.Month(month), day)
}
