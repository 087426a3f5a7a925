package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"medic"
	"medic/internal/app"
)

// appointmentRoutes registers booking an appointment and acting on one.
func (h *Handler) appointmentRoutes(mux Router) {
	mux.HandleFunc("GET /appointments/new", h.member(h.newAppointment))
	mux.HandleFunc("POST /appointments/new", h.member(h.bookAppointment))
	mux.HandleFunc("GET /appointments/{id}", h.member(h.appointment))
	mux.HandleFunc("POST /appointments/{id}/reschedule", h.member(h.rescheduleAppointment))
	mux.HandleFunc("POST /appointments/{id}/cancel", h.member(h.cancelAppointment))
	mux.HandleFunc("POST /appointments/{id}/status", h.member(h.setAppointmentStatus))
}

// slotChoice is one open time offered as a radio button. Its value names the
// start, practitioner and location, so that a slot of "any practitioner"
// books the right one.
type slotChoice struct {
	Value            string
	Start, End       time.Time
	PractitionerName string
	LocationName     string
	Remaining        int
	Full             bool // only offered to those who may book beyond capacity
	Checked          bool
	N                int // its number in the picker (the radio button's id)
}

// slotValue encodes a slot for a form; parseSlot reads it back.
func slotValue(s medic.Slot) string {
	return s.Start.UTC().Format(time.RFC3339) + "|" + s.PractitionerID + "|" + s.LocationID
}

func parseSlot(v string) (start time.Time, practitionerID, locationID string, ok bool) {
	parts := strings.Split(v, "|")
	if len(parts) != 3 {
		return time.Time{}, "", "", false
	}
	t, err := time.Parse(time.RFC3339, parts[0])
	if err != nil {
		return time.Time{}, "", "", false
	}
	return t, parts[1], parts[2], true
}

// slotChoices turns slots into choices, marking the one chosen.
func slotChoices(slots []medic.Slot, dir *directory, chosen string) []slotChoice {
	out := make([]slotChoice, 0, len(slots))
	for _, s := range slots {
		v := slotValue(s)
		out = append(out, slotChoice{Value: v, Start: s.Start, End: s.End, PractitionerName: dir.PractitionerName(s.PractitionerID),
			LocationName: dir.LocationName(s.LocationID), Remaining: s.Remaining, Full: s.Remaining <= 0, Checked: v == chosen})
	}
	return out
}

// choiceGroups turns arranged slots into choices, numbered through all
// groups (the radio buttons' ids).
func choiceGroups(gs []slotGroup[medic.Slot], dir *directory, chosen string) []slotGroup[slotChoice] {
	out := make([]slotGroup[slotChoice], len(gs))
	n := 0
	for i, g := range gs {
		out[i] = slotGroup[slotChoice]{Title: g.Title, Slots: slotChoices(g.Slots, dir, chosen)}
		for j := range out[i].Slots {
			out[i].Slots[j].N = n
			n++
		}
	}
	return out
}

// dayQuery reads a YYYY-MM-DD parameter as a day in the practice's zone
// (today when empty or invalid).
func (h *Handler) dayQuery(v *visitor, s string) medic.Date {
	if d, err := medic.ParseDate(strings.TrimSpace(s)); err == nil {
		return d
	}
	return h.today(v)
}

// canOverbook mirrors the use case: admins and doctors may book beyond
// capacity, with a reason.
func canOverbook(t medic.Tenant) bool { return t.Role == medic.RoleAdmin || t.Role == medic.RoleDoctor }

// bookingView is the data of the new appointment page.
type bookingView struct {
	Patient                       *medic.Patient
	PatientQuery                  string
	PatientResults                []patientPick
	Dir                           *directory
	Criteria                      url.Values // patient, practitioner, location, type, date
	Day                           medic.Date
	PrevURL                       string
	NextURL                       string
	TodayURL                      string
	Ready                         bool // a type and a day are chosen: slots are listed
	Slots                         []slotChoice
	Groups                        []slotGroup[slotChoice] // Slots as shown: per practitioner, or one per time for anyone
	PerTime                       bool                    // anyone: one button per time
	ByPractitionerURL, PerTimeURL string                  // the other arrangement (anyone only)
	Zone                          zoneNote
	OpenCount                     int
	NextOpenURL                   string // the next day with open times, when this one has none
	NextOpenDay                   medic.Date
	CanOverbook                   bool
	PracticeToday                 medic.Date
	ChangeURL                     string // the page without the chosen patient
	SlotForm                      string
}

// patientPick is a search result with the link that chooses it.
type patientPick struct {
	Patient *medic.Patient
	URL     string
}

var bookingCriteria = []string{"patient", "practitioner", "location", "type", "date", "start", "by"}

// bookingURL is the new appointment page for criteria, with changes.
func bookingURL(crit url.Values, changes ...string) string {
	v := url.Values{}
	for _, k := range bookingCriteria {
		if s := crit.Get(k); s != "" {
			v.Set(k, s)
		}
	}
	for i := 0; i+1 < len(changes); i += 2 {
		if changes[i+1] == "" {
			v.Del(changes[i])
		} else {
			v.Set(changes[i], changes[i+1])
		}
	}
	return "/appointments/new?" + v.Encode()
}

// newAppointment is the booking page: choose the patient (search), the
// practitioner, location, type and day, then one of the open times.
func (h *Handler) newAppointment(w http.ResponseWriter, r *http.Request, v *visitor) {
	q := r.URL.Query()
	crit := url.Values{}
	for _, k := range bookingCriteria {
		if s := strings.TrimSpace(q.Get(k)); s != "" {
			crit.Set(k, s)
		}
	}
	f := newForm("book", url.Values{})
	h.renderBooking(w, r, http.StatusOK, v, crit, strings.TrimSpace(q.Get("pq")), f)
}

func (h *Handler) renderBooking(w http.ResponseWriter, r *http.Request, status int, v *visitor, crit url.Values, pq string, f *form) {
	ctx := r.Context()
	if !h.offers(w, r, "appointment.book") {
		return
	}
	dir, err := h.directory(ctx)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// A free time chosen on the calendar comes as start (with practitioner
	// and location): its day, and its slot chosen in the form.
	if start, err := time.Parse(time.RFC3339, crit.Get("start")); err == nil {
		if crit.Get("date") == "" {
			crit.Set("date", medic.DateOf(start.In(v.zone())).String())
		}
		if f.Get("slot") == "" && crit.Get("practitioner") != "" && crit.Get("location") != "" {
			f.Values.Set("slot", start.UTC().Format(time.RFC3339)+"|"+crit.Get("practitioner")+"|"+crit.Get("location"))
		}
	} else {
		crit.Del("start")
	}
	day := h.dayQuery(v, crit.Get("date"))
	crit.Set("date", day.String())
	d := bookingView{Dir: dir, Criteria: crit, Day: day, PatientQuery: pq, CanOverbook: canOverbook(v.tenant), PracticeToday: h.today(v), SlotForm: "book"}
	d.ChangeURL = bookingURL(crit, "patient", "")
	d.PrevURL = bookingURL(crit, "date", day.AddDays(-1).String())
	d.NextURL = bookingURL(crit, "date", day.AddDays(1).String())
	d.TodayURL = bookingURL(crit, "date", d.PracticeToday.String())
	if id := crit.Get("patient"); id != "" {
		if d.Patient, err = h.app.GetPatient(ctx, id); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	if pq != "" {
		ps, _, err := h.app.SearchPatients(ctx, medic.PatientFilter{Query: pq}, medic.Page{Limit: 10})
		if err != nil {
			h.fail(w, r, err)
			return
		}
		for _, p := range ps {
			d.PatientResults = append(d.PatientResults, patientPick{Patient: p, URL: bookingURL(crit, "patient", p.ID)})
		}
	}
	// An id that is not a choice of this practice lists nothing rather
	// than failing (the form offers only the practice's own).
	if crit.Get("practitioner") != "" && dir.practitioner(crit.Get("practitioner")) == nil {
		crit.Del("practitioner")
	}
	if crit.Get("location") != "" && dir.location(crit.Get("location")) == nil {
		crit.Del("location")
	}
	if crit.Get("type") != "" && dir.apptType(crit.Get("type")) == nil {
		crit.Del("type")
	}
	if crit.Get("type") == "" {
		if opts := dir.TypeOptions(""); len(opts) > 0 {
			crit.Set("type", opts[0].Value)
		}
	}
	for _, k := range []string{"practitioner", "location", "type", "date"} {
		f.Values.Set(k, crit.Get(k))
	}
	if crit.Get("type") != "" {
		d.Ready = true
		loc := v.zone()
		aq := app.AvailabilityQuery{PractitionerID: crit.Get("practitioner"), LocationID: crit.Get("location"), AppointmentTypeID: crit.Get("type"),
			From: day.In(loc), To: day.AddDays(1).In(loc), Desk: true, IncludeFull: d.CanOverbook}
		slots, err := h.app.Availability(ctx, aq)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		d.PerTime = crit.Get("practitioner") == "" && crit.Get("by") != "practitioner"
		if crit.Get("practitioner") == "" {
			d.ByPractitionerURL, d.PerTimeURL = bookingURL(crit, "by", "practitioner"), bookingURL(crit, "by", "")
		}
		d.Groups = choiceGroups(arrangeSlots(slots, d.PerTime, dir.PractitionerName), dir, f.Get("slot"))
		d.Zone = newZoneNote(loc, day.In(loc))
		for _, g := range d.Groups {
			d.Slots = append(d.Slots, g.Slots...)
		}
		for _, s := range d.Slots {
			if !s.Full {
				d.OpenCount++
			}
		}
		if d.OpenCount == 0 {
			aq.From, aq.To, aq.IncludeFull = day.AddDays(1).In(loc), day.AddDays(29).In(loc), false
			if later, err := h.app.Availability(ctx, aq); err == nil && len(later) > 0 {
				d.NextOpenDay = medic.DateOf(later[0].Start.In(loc))
				d.NextOpenURL = bookingURL(crit, "date", d.NextOpenDay.String())
			} else if err != nil {
				h.fail(w, r, err)
				return
			}
		}
	}
	p := h.page(r, "Book an appointment", "calendar").withForm(f)
	p.Data = d
	h.render(w, r, status, "appointment_new", p)
}

// bookAppointment books the chosen slot. A slot taken meanwhile brings the
// page back with "That time was just taken" and the times still open.
func (h *Handler) bookAppointment(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	crit := url.Values{}
	for _, k := range bookingCriteria {
		if s := strings.TrimSpace(r.PostForm.Get(k)); s != "" {
			crit.Set(k, s)
		}
	}
	f := newForm("book", url.Values{})
	for _, k := range []string{"slot", "notes", "overbook", "overbook_reason"} {
		if s := r.PostForm.Get(k); s != "" {
			f.Values.Set(k, s)
		}
	}
	rerender := func(status int) { h.renderBooking(w, r, status, v, crit, "", f) }
	in := app.BookingRequest{PatientID: crit.Get("patient"), AppointmentTypeID: crit.Get("type"), Notes: strings.TrimSpace(f.Get("notes")),
		Overbook: f.Checked("overbook"), OverbookReason: f.Get("overbook_reason"), Source: medic.SourceDesk}
	if in.PatientID == "" {
		f.fail("patient", "Choose the patient first.")
	}
	if start, pr, loc, ok := parseSlot(f.Get("slot")); ok {
		in.Start, in.PractitionerID, in.LocationID = start, pr, loc
	} else {
		f.fail("slot", "Choose one of the open times.")
	}
	if f.err() != nil {
		h.formFail(w, r, f.err(), f, rerender)
		return
	}
	ap, err := h.app.BookAppointment(r.Context(), in)
	if err != nil {
		if errors.Is(err, medic.ErrSlotFull) {
			f.Values.Del("slot")
			f.Message = "That time was just taken. Choose another time below."
			rerender(http.StatusConflict)
			return
		}
		if fs := medic.ErrorFields(err); fs["start"] != "" {
			f.fail("slot", fs["start"])
		}
		if fs := medic.ErrorFields(err); fs["patient_id"] != "" {
			f.fail("patient", fs["patient_id"])
		}
		h.formFail(w, r, err, f, rerender)
		return
	}
	seeOther(w, r, "/appointments/"+url.PathEscape(ap.ID)+"?m=booked")
}

// appointmentView is the data of an appointment's page.
type appointmentView struct {
	Appointment *medic.Appointment
	Next        []medic.AppointmentStatus // valid status changes, cancel aside
	CanWrite    bool
	CanCancel   bool
	// Rescheduling: the day looked at and its open times.
	CanMove   bool
	Day       medic.Date
	Location  string
	Locations []option
	// Practitioner is the one the open times are of (the appointment's own
	// unless another is chosen).
	Practitioner  string
	Practitioners []option
	Slots         []slotChoice
	Groups        []slotGroup[slotChoice]
	Zone          zoneNote
	PrevURL       string
	NextURL       string
	NextOpenURL   string
	NextOpenDay   medic.Date
	SlotForm      string
}

func (h *Handler) appointment(w http.ResponseWriter, r *http.Request, v *visitor) {
	q := r.URL.Query()
	h.renderAppointment(w, r, http.StatusOK, v, moveCriteria{q.Get("date"), q.Get("location"), q.Get("practitioner")})
}

// moveCriteria are the reschedule form's day, location and practitioner
// ("" for the appointment's own).
type moveCriteria struct{ date, location, practitioner string }

// renderAppointment draws an appointment with the forms it allows; forms
// carries the ones re-rendered after an error.
func (h *Handler) renderAppointment(w http.ResponseWriter, r *http.Request, status int, v *visitor, mc moveCriteria, forms ...*form) {
	date, location := mc.date, mc.location
	ctx := r.Context()
	ap, err := h.app.GetAppointment(ctx, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	write := v.tenant.Can(medic.PermAppointmentsWrite)
	d := appointmentView{Appointment: ap, CanWrite: write, CanCancel: write && ap.Status.CanBecome(medic.StatusCancelled),
		CanMove: write && ap.Status == medic.StatusBooked, SlotForm: "move"}
	if write {
		d.Next = nextStatuses(ap, h.today(v), v.zone())
	}
	p := h.page(r, "", "calendar")
	p.Title = ap.PatientName + " · " + p.When(ap.Start)
	for _, f := range forms {
		p.withForm(f)
	}
	if d.CanMove {
		dir, err := h.directory(ctx)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		loc := v.zone()
		d.Day = medic.DateOf(ap.Start.In(loc))
		if date != "" {
			d.Day = h.dayQuery(v, date)
		}
		d.Location = ap.LocationID
		if location != "" && dir.location(location) != nil {
			d.Location = location
		}
		d.Practitioner = ap.PractitionerID
		if mc.practitioner != "" && dir.practitioner(mc.practitioner) != nil {
			d.Practitioner = mc.practitioner
		}
		d.Practitioners = dir.PractitionerOptions(d.Practitioner)
		if pr := dir.practitioner(d.Practitioner); pr != nil {
			for _, a := range pr.Assignments {
				if l := dir.location(a.LocationID); l != nil {
					d.Locations = append(d.Locations, option{l.ID, l.Name})
				}
			}
		}
		// Another practitioner may not work where the appointment is.
		if len(d.Locations) > 0 && !slices.ContainsFunc(d.Locations, func(o option) bool { return o.Value == d.Location }) {
			d.Location = d.Locations[0].Value
		}
		base := "/appointments/" + url.PathEscape(ap.ID) + "?practitioner=" + url.QueryEscape(d.Practitioner) + "&location=" + url.QueryEscape(d.Location) + "&date="
		d.PrevURL, d.NextURL = base+d.Day.AddDays(-1).String(), base+d.Day.AddDays(1).String()
		aq := app.AvailabilityQuery{PractitionerID: d.Practitioner, LocationID: d.Location, AppointmentTypeID: ap.AppointmentTypeID,
			From: d.Day.In(loc), To: d.Day.AddDays(1).In(loc), Desk: true}
		slots, err := h.app.Availability(ctx, aq)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		chosen := ""
		if f, ok := p.Forms["move"]; ok {
			chosen = f.Get("slot")
		}
		d.Slots = slotChoices(slots, dir, chosen)
		for i := range d.Slots {
			d.Slots[i].N = i
		}
		d.Groups = []slotGroup[slotChoice]{{Slots: d.Slots}}
		d.Zone = newZoneNote(loc, d.Day.In(loc))
		if len(d.Slots) == 0 {
			aq.From, aq.To = d.Day.AddDays(1).In(loc), d.Day.AddDays(29).In(loc)
			later, err := h.app.Availability(ctx, aq)
			if err != nil {
				h.fail(w, r, err)
				return
			}
			if len(later) > 0 {
				d.NextOpenDay = medic.DateOf(later[0].Start.In(loc))
				d.NextOpenURL = base + d.NextOpenDay.String()
			}
		}
		if _, ok := p.Forms["move"]; !ok {
			p.withForm(newForm("move", url.Values{"date": {d.Day.String()}, "location": {d.Location}, "practitioner": {d.Practitioner}}))
		}
	}
	p.Data = d
	h.render(w, r, status, "appointment", p)
}

// rescheduleAppointment moves a booked appointment to the chosen time.
func (h *Handler) rescheduleAppointment(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	f := newForm("move", url.Values{"slot": {r.PostForm.Get("slot")}, "date": {r.PostForm.Get("date")}, "location": {r.PostForm.Get("location")},
		"practitioner": {r.PostForm.Get("practitioner")}})
	rerender := func(status int) {
		h.renderAppointment(w, r, status, v, moveCriteria{f.Get("date"), f.Get("location"), f.Get("practitioner")}, f)
	}
	start, pr, loc, ok := parseSlot(f.Get("slot"))
	if !ok {
		f.fail("slot", "Choose the new time.")
		h.actionFormFail(w, r, "appointment.reschedule", f.err(), f, rerender)
		return
	}
	// The same use case as the API's: working hours, room in the slot.
	ap, err := h.app.RescheduleAppointment(r.Context(), r.PathValue("id"), start, pr, loc)
	if err != nil {
		if errors.Is(err, medic.ErrSlotFull) {
			f.Values.Del("slot")
			f.Message = "That time was just taken. Choose another time below."
			rerender(http.StatusConflict)
			return
		}
		if m := medic.ErrorFields(err)["start"]; m != "" {
			f.fail("slot", m)
		}
		h.formFail(w, r, err, f, rerender)
		return
	}
	// Moved from the calendar's grid (grid.js): back to the grid.
	if back := localPath(r.PostForm.Get("next")); back != "" {
		seeOther(w, r, withNotice(back, "rescheduled"))
		return
	}
	seeOther(w, r, "/appointments/"+url.PathEscape(ap.ID)+"?m=rescheduled")
}

// cancelAppointment cancels with a reason; the appointment is kept.
func (h *Handler) cancelAppointment(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	f := newForm("cancel", url.Values{"reason": {r.PostForm.Get("reason")}})
	rerender := func(status int) { h.renderAppointment(w, r, status, v, moveCriteria{}, f) }
	ap, err := h.app.SetAppointmentStatus(r.Context(), r.PathValue("id"), medic.StatusCancelled, f.Get("reason"))
	if err != nil {
		h.formFail(w, r, err, f, rerender)
		return
	}
	seeOther(w, r, "/appointments/"+url.PathEscape(ap.ID)+"?m=cancelled")
}

// setAppointmentStatus moves an appointment along (check in, start,
// complete, no-show) and returns to the page the button was on.
func (h *Handler) setAppointmentStatus(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	to := medic.AppointmentStatus(r.PostForm.Get("to"))
	if to == medic.StatusCancelled {
		h.fail(w, r, medic.Errorf(medic.EINVALID, "Cancel with the cancel form, giving a reason."))
		return
	}
	ap, err := h.app.SetAppointmentStatus(r.Context(), r.PathValue("id"), to, "")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	back := localPath(r.PostForm.Get("next"))
	if back == "" {
		back = "/appointments/" + url.PathEscape(ap.ID)
	}
	seeOther(w, r, withNotice(back, "status-changed"))
}

// localPath returns p if it is a path on this site, else "".
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") {
		return ""
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return ""
	}
	return p
}

// withNotice adds ?m=key to a local path, replacing any earlier notice.
func withNotice(p, key string) string {
	u, err := url.Parse(p)
	if err != nil {
		return p
	}
	q := u.Query()
	q.Set("m", key)
	u.RawQuery = q.Encode()
	return u.RequestURI()
}
