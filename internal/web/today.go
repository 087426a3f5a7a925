package web

import (
	"bytes"
	"net/http"
	"net/url"
	"time"

	"medic"
	"medic/internal/app"
)

// todayRoutes registers the day's list.
func (h *Handler) todayRoutes(mux Router) {
	mux.HandleFunc("GET /today", h.member(h.todayList))
}

// todayView is the data of today's list.
type todayView struct {
	Day            medic.Date
	Dir            *directory
	PractitionerID string
	LocationID     string
	Appointments   []todayRow
	Figures        dayFigures
	Back           string // this page, where status buttons return
	LiveURL        string // the live part of this page, polled
	Version        string // the fingerprint of the list shown
	CanWrite       bool
	// MyID is the visitor's own practitioner (empty when they are none);
	// Mine is true when the list shows only their appointments.
	MyID, MyURL, AllURL string
	Mine                bool
	// Capped: the day holds more than Max appointments, the first shown.
	Capped bool
	Max    int
}

type todayRow struct {
	*medic.Appointment
	Next []medic.AppointmentStatus
}

// todayLiveSeconds is how often an open Today page asks whether its list
// changed; it reloads the list only when it did.
const todayLiveSeconds = 12

// todayList lists today's appointments in time order with the buttons that
// move each along: check in, start, complete, no-show. A member who is a
// practitioner sees their own day first (?practitioner= shows everyone's).
// With ?part=live it answers the list part alone for the page's polling,
// or 204 when the list is as the page has it (?version=).
func (h *Handler) todayList(w http.ResponseWriter, r *http.Request, v *visitor) {
	q := r.URL.Query()
	dir, err := h.directory(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := todayView{Day: h.today(v), Dir: dir, PractitionerID: q.Get("practitioner"), LocationID: q.Get("location"),
		CanWrite: v.tenant.Can(medic.PermAppointmentsWrite)}
	if mine := dir.practitionerOfMember(v.tenant.MemberID); mine != nil {
		d.MyID = mine.ID
		if _, chosen := q["practitioner"]; !chosen {
			d.PractitionerID = mine.ID
		}
		d.Mine = d.PractitionerID == mine.ID
		d.MyURL = todayURL(mine.ID, d.LocationID)
		d.AllURL = todayURL("", d.LocationID)
		if d.AllURL == "/today" {
			d.AllURL = "/today?practitioner="
		}
	}
	if d.PractitionerID != "" && dir.practitioner(d.PractitionerID) == nil {
		h.fail(w, r, errNotFound)
		return
	}
	if d.LocationID != "" && dir.location(d.LocationID) == nil {
		h.fail(w, r, errNotFound)
		return
	}
	loc := v.zone()
	f := medic.AppointmentFilter{PractitionerID: d.PractitionerID, LocationID: d.LocationID, From: d.Day.In(loc), To: d.Day.AddDays(1).In(loc)}
	live := q.Get("part") == "live"
	if d.Version, err = h.app.AppointmentsVersion(r.Context(), f); err != nil {
		h.fail(w, r, err)
		return
	}
	// The day is part of the version: after midnight the page moves on.
	d.Version = d.Day.String() + "-" + d.Version
	if live && q.Get("version") == d.Version {
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusNoContent)
		return
	}
	// The day in one read and one audit event, as the calendar reads it.
	cal, err := h.app.Calendar(r.Context(), app.CalendarQuery{PractitionerID: f.PractitionerID, LocationID: f.LocationID, From: f.From, To: f.To})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	as := cal.Appointments
	d.Capped, d.Max = cal.Capped, app.MaxCalendarAppointments
	for _, a := range as {
		row := todayRow{Appointment: a}
		if d.CanWrite {
			row.Next = nextStatuses(a, d.Day, loc)
		}
		d.Appointments = append(d.Appointments, row)
	}
	d.Figures = newDayFigures(medic.TallyAppointments(as))
	d.Back = todayURL(d.PractitionerID, d.LocationID)
	if d.MyID != "" && d.PractitionerID == "" {
		d.Back = d.AllURL // "everyone" must survive the round trip
	}
	lv, _ := url.ParseQuery("")
	if u, err := url.Parse(d.Back); err == nil {
		lv = u.Query()
	}
	lv.Set("part", "live")
	d.LiveURL = "/today?" + lv.Encode()
	p := h.page(r, "Today", "today").withForm(newForm("today", url.Values{"practitioner": {d.PractitionerID}, "location": {d.LocationID}}))
	p.Data = d
	if live {
		h.renderPart(w, r, "today", "todayLive", p)
		return
	}
	h.render(w, r, http.StatusOK, "today", p)
}

// todayURL is Today for a practitioner and a location (either may be empty).
func todayURL(practitioner, location string) string {
	v := url.Values{}
	if practitioner != "" {
		v.Set("practitioner", practitioner)
	}
	if location != "" {
		v.Set("location", location)
	}
	if len(v) == 0 {
		return "/today"
	}
	return "/today?" + v.Encode()
}

// nextStatuses are the moves the Today list offers for a: those its status
// allows (cancelling has its own form) and its date allows, as the use
// case decides (arrival only on the appointment's day).
func nextStatuses(a *medic.Appointment, today medic.Date, loc *time.Location) []medic.AppointmentStatus {
	var out []medic.AppointmentStatus
	for _, to := range medic.AppointmentStatuses {
		if to != medic.StatusCancelled && a.Status.CanBecome(to) && a.CheckStatusDay(to, today, loc) == nil {
			out = append(out, to)
		}
	}
	return out
}

// renderPart writes one named template of view alone (no layout): the part
// of a page that htmx swaps in.
func (h *Handler) renderPart(w http.ResponseWriter, r *http.Request, view, part string, p *page) {
	t, ok := h.views.byName[view]
	var buf bytes.Buffer
	if ok {
		if err := t.ExecuteTemplate(&buf, part, p); err != nil {
			h.log.Error("render failed", "request_id", medic.RequestInfoFrom(r.Context()).RequestID, "view", view, "part", part, "error", err)
			ok = false
		}
	}
	if !ok {
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", "no-store")
	hd.Set("Vary", "Cookie")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
}
