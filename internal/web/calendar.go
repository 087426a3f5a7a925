package web

import (
	"html/template"
	"net/http"
	"net/url"
	"time"

	"medic"
	"medic/internal/app"
)

// calendarRoutes registers the calendar.
func (h *Handler) calendarRoutes(mux Router) {
	mux.HandleFunc("GET /calendar", h.member(h.calendar))
}

// calendarView is the data of the calendar: a day or a week of one
// practitioner, one location or the whole practice, as an hour-by-day grid.
type calendarView struct {
	View           string // "day" or "week"
	Heading        string
	Dir            *directory
	PractitionerID string
	LocationID     string
	Days           []calDay
	Hours          []calHour
	Count          int
	NameDoctor     bool // blocks name the practitioner (not one practitioner's view)
	PrevURL        string
	NextURL        string
	TodayURL       string
	DayURL         string
	WeekURL        string
	BookURL        string
	Date           string
	Grid           *dayGrid      // the day view's scheduler grid
	GridMarkup     template.HTML // its cells and blocks (dayGrid.markup)
	// CanMove: the visitor may reschedule (the grid's booked blocks then
	// move by keyboard or drag, grid.js); Back is where a move returns.
	CanMove bool
	Back    string
	// Capped: the range holds more than Max appointments, the first shown.
	Capped bool
	Max    int
}

// calDay is a column of the grid.
type calDay struct {
	Date   medic.Date
	Today  bool
	Closed bool   // no working time and nothing booked, today or later: a narrow column
	URL    string // the day view of this day
	Count  int
}

// calHour is a row of the grid: the appointments starting in that hour, per day.
type calHour struct {
	Label string
	Cells [][]*medic.Appointment
}

// calendarURL is the calendar for the given parameters.
func calendarURL(view, practitioner, location string, day medic.Date) string {
	v := url.Values{}
	v.Set("view", view)
	if practitioner != "" {
		v.Set("practitioner", practitioner)
	}
	if location != "" {
		v.Set("location", location)
	}
	v.Set("date", day.String())
	return "/calendar?" + v.Encode()
}

// calendar shows a day or a week (Monday to Sunday) of appointments as
// blocks coloured by type, each linking to the appointment.
func (h *Handler) calendar(w http.ResponseWriter, r *http.Request, v *visitor) {
	q := r.URL.Query()
	dir, err := h.directory(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := calendarView{View: "day", Dir: dir, PractitionerID: q.Get("practitioner"), LocationID: q.Get("location")}
	if q.Get("view") == "week" {
		d.View = "week"
	}
	if d.PractitionerID != "" && dir.practitioner(d.PractitionerID) == nil {
		h.fail(w, r, errNotFound)
		return
	}
	if d.LocationID != "" && dir.location(d.LocationID) == nil {
		h.fail(w, r, errNotFound)
		return
	}
	d.NameDoctor = d.PractitionerID == ""
	loc := v.zone()
	today := h.today(v)
	day := h.dayQuery(v, q.Get("date"))
	d.Date = day.String()
	first, n, step := day, 1, 1
	if d.View == "week" {
		first = day.AddDays(-((int(day.Weekday()) + 6) % 7))
		n, step = 7, 7
	}
	// One read for the view: appointments, working times, one audit event.
	cal, err := h.app.Calendar(r.Context(), app.CalendarQuery{PractitionerID: d.PractitionerID, LocationID: d.LocationID,
		From: first.In(loc), To: first.AddDays(n).In(loc), Slots: true})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	as, slots := cal.Appointments, cal.Slots
	d.Count, d.Capped, d.Max = len(as), cal.Capped, app.MaxCalendarAppointments
	d.PrevURL = calendarURL(d.View, d.PractitionerID, d.LocationID, day.AddDays(-step))
	d.NextURL = calendarURL(d.View, d.PractitionerID, d.LocationID, day.AddDays(step))
	d.TodayURL = calendarURL(d.View, d.PractitionerID, d.LocationID, today)
	d.DayURL = calendarURL("day", d.PractitionerID, d.LocationID, day)
	d.WeekURL = calendarURL("week", d.PractitionerID, d.LocationID, day)
	bv := url.Values{"date": {day.String()}}
	if d.PractitionerID != "" {
		bv.Set("practitioner", d.PractitionerID)
	}
	if d.LocationID != "" {
		bv.Set("location", d.LocationID)
	}
	d.BookURL = "/appointments/new?" + bv.Encode()

	// Rows from 07:00 to 18:00, stretched to fit the appointments.
	lo, hi := 7, 18
	dayIndex := map[medic.Date]int{}
	for i := range n {
		dd := first.AddDays(i)
		dayIndex[dd] = i
		d.Days = append(d.Days, calDay{Date: dd, Today: dd.Equal(today), URL: calendarURL("day", d.PractitionerID, d.LocationID, dd)})
	}
	for _, a := range as {
		s, e := a.Start.In(loc), a.End.In(loc)
		lo = min(lo, s.Hour())
		endHour := e.Hour()
		if e.Minute() > 0 || medic.DateOf(e).After(medic.DateOf(s)) {
			endHour++
		}
		if medic.DateOf(e).After(medic.DateOf(s)) {
			endHour = 24
		}
		hi = max(hi, min(endHour, 24))
	}
	for hr := lo; hr < hi; hr++ {
		d.Hours = append(d.Hours, calHour{Label: time.Date(2000, 1, 1, hr, 0, 0, 0, time.UTC).Format("15:04"), Cells: make([][]*medic.Appointment, n)})
	}
	for _, a := range as {
		s := a.Start.In(loc)
		i, ok := dayIndex[medic.DateOf(s)]
		row := s.Hour() - lo
		if !ok || row < 0 || row >= len(d.Hours) {
			continue
		}
		d.Hours[row].Cells[i] = append(d.Hours[row].Cells[i], a)
		d.Days[i].Count++
	}
	if d.View == "day" {
		// Working times of the day (full ones too) for the grid's columns,
		// shading and free-time links.
		d.Grid = newDayGrid(dir, day, loc, h.app.Clock.Now(), slots, as)
		d.CanMove = v.tenant.Can(medic.PermAppointmentsWrite)
		d.Back = calendarURL("day", d.PractitionerID, d.LocationID, day)
	}
	if d.View == "week" {
		// Closed days (from today on: the past has no open times left to
		// tell working days by) are collapsed.
		working := map[medic.Date]bool{}
		for _, s := range slots {
			working[medic.DateOf(s.Start.In(loc))] = true
		}
		for i := range d.Days {
			dd := &d.Days[i]
			dd.Closed = !dd.Date.Before(today) && !working[dd.Date] && dd.Count == 0
		}
		last := first.AddDays(6)
		d.Heading = "Week of " + first.Time().Format("2 Jan") + " – " + last.Time().Format("2 Jan 2006")
	} else {
		d.Heading = day.Time().Format("Monday 2 January 2006")
	}
	p := h.page(r, "Calendar", "calendar").withForm(newForm("cal", url.Values{"view": {d.View}, "practitioner": {d.PractitionerID},
		"location": {d.LocationID}, "date": {d.Date}}))
	if d.Grid != nil {
		if d.GridMarkup, err = d.Grid.markup(h.views.byName["calendar"], p, &d); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	p.Data = d
	h.render(w, r, http.StatusOK, "calendar", p)
}
