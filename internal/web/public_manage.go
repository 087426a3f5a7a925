package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"medic"
	"medic/internal/app"
)

// manageRoutes registers a patient's booking manage link.
func (h *Handler) manageRoutes(mux Router) {
	mux.HandleFunc("GET /book/manage/{token}", h.bookManage)
	mux.HandleFunc("POST /book/manage/{token}/cancel", publicForm(h.bookManageCancel))
	mux.HandleFunc("POST /book/manage/{token}/reschedule", publicForm(h.bookManageMove))
}

// The manage page is reached through the signed link in the confirmation
// email: it shows the booking (time, practitioner, location, type; nothing
// more of the patient) and lets the patient cancel or move it until the
// practice's cancellation window.

// manageView is the data of the manage page.
type manageView struct {
	Booking    *app.ManagedBooking
	Base       string // /book/manage/{token}
	Booked     bool
	Day, Today medic.Date
	MaxDay     medic.Date
	Days       []dayChoice
	Slots      []publicSlot
	// NextOpenURL is the next day with open times when Day has none.
	NextOpenDay medic.Date
	NextOpenURL string
	Phone       string
}

func (h *Handler) bookManage(w http.ResponseWriter, r *http.Request) {
	h.renderManage(w, r, http.StatusOK, r.URL.Query().Get("date"))
}

func (h *Handler) renderManage(w http.ResponseWriter, r *http.Request, status int, date string, forms ...*form) {
	ctx := r.Context()
	token := r.PathValue("token")
	b, err := h.app.ManagedBooking(ctx, token, medic.RequestInfoFrom(ctx).IP)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := b.Practice
	zone := practiceZone(p)
	today := medic.DateOf(h.app.Clock.Now().In(zone))
	base := "/book/manage/" + url.PathEscape(token)
	d := manageView{Booking: b, Base: base, Booked: b.Status == medic.StatusBooked, Today: today, MaxDay: today.AddDays(horizonDays), Phone: p.Phone}
	pg := h.publicPage(r, p, "Your appointment")
	pg.Public.NoIndex = true
	for _, f := range forms {
		pg.withForm(f)
	}
	if b.CanChange {
		d.Day = pickDay(date, today)
		if date == "" {
			d.Day = pickDay(medic.DateOf(b.Start.In(zone)).String(), today)
		}
		info, err := h.app.PublicBooking(ctx, p.Slug)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		dir := newPublicDir(info)
		q := app.AvailabilityQuery{PractitionerID: b.PractitionerID, LocationID: b.LocationID, AppointmentTypeID: b.AppointmentTypeID}
		stripEnd := today.AddDays(stripDays)
		q.From, q.To = today.In(zone), stripEnd.In(zone)
		strip, err := h.app.PublicAvailability(ctx, p.Slug, q)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		counts := map[medic.Date]int{}
		var daySlots []medic.Slot
		for _, s := range strip {
			if s.Start.Equal(b.Start) {
				continue // the booking's own time is no move
			}
			sd := medic.DateOf(s.Start.In(zone))
			counts[sd]++
			if sd.Equal(d.Day) {
				daySlots = append(daySlots, s)
			}
		}
		if !d.Day.Before(stripEnd) {
			q.From, q.To = d.Day.In(zone), d.Day.AddDays(1).In(zone)
			if daySlots, err = h.app.PublicAvailability(ctx, p.Slug, q); err != nil {
				h.fail(w, r, err)
				return
			}
		}
		chosen := ""
		if f, ok := pg.Forms["move"]; ok {
			chosen = f.Get("slot")
		}
		d.Slots = dir.slots(daySlots, chosen)
		if len(d.Slots) == 0 {
			q.From, q.To = d.Day.AddDays(1).In(zone), d.Day.AddDays(29).In(zone)
			later, err := h.app.PublicAvailability(ctx, p.Slug, q)
			if err != nil {
				h.fail(w, r, err)
				return
			}
			for _, s := range later {
				if !s.Start.Equal(b.Start) {
					d.NextOpenDay = medic.DateOf(s.Start.In(zone))
					d.NextOpenURL = base + "?date=" + d.NextOpenDay.String()
					break
				}
			}
		}
		d.Days = dayStrip(today, d.Day, counts, func(x medic.Date) string { return base + "?date=" + x.String() })
	}
	if _, ok := pg.Forms["move"]; !ok {
		pg.withForm(newForm("move", url.Values{"date": {d.Day.String()}}))
	}
	pg.Data = d
	h.render(w, r, status, "book_manage", pg)
}

// bookManageCancel cancels through the signed link, with an optional reason.
func (h *Handler) bookManageCancel(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	f := newForm("cancel", url.Values{"reason": {strings.TrimSpace(r.PostForm.Get("reason"))}})
	if len(f.Get("reason")) > 500 {
		f.fail("reason", "Use at most 500 characters.")
		h.formFail(w, r, f.err(), f, func(status int) { h.renderManage(w, r, status, "", f) })
		return
	}
	if _, err := h.app.CancelManagedBooking(r.Context(), r.PathValue("token"), f.Get("reason"), medic.RequestInfoFrom(r.Context()).IP); err != nil {
		if medic.ErrorCode(err) == medic.ETOOMANY {
			// The too-many page: showing the form again would be one more
			// manage-link request.
			h.fail(w, r, err)
			return
		}
		h.formFail(w, r, err, f, func(status int) { h.renderManage(w, r, status, "", f) })
		return
	}
	seeOther(w, r, "/book/manage/"+url.PathEscape(r.PathValue("token"))+"?m=booking-cancelled")
}

// bookManageMove moves the booking to the chosen open time.
func (h *Handler) bookManageMove(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	f := newForm("move", url.Values{"slot": {r.PostForm.Get("slot")}, "date": {r.PostForm.Get("date")}})
	rerender := func(status int) { h.renderManage(w, r, status, f.Get("date"), f) }
	start, _, _, ok := parseSlot(f.Get("slot"))
	if !ok {
		f.fail("slot", "Choose the new time.")
		h.formFail(w, r, f.err(), f, rerender)
		return
	}
	if _, err := h.app.RescheduleManagedBooking(r.Context(), r.PathValue("token"), start, medic.RequestInfoFrom(r.Context()).IP); err != nil {
		if medic.ErrorCode(err) == medic.ETOOMANY {
			h.fail(w, r, err)
			return
		}
		if errors.Is(err, medic.ErrSlotFull) {
			f.Values.Del("slot")
			f.Message = "Sorry, that time has just been taken. Choose another time below."
			rerender(http.StatusConflict)
			return
		}
		if m := medic.ErrorFields(err)["start"]; m != "" {
			f.fail("slot", m)
		}
		h.formFail(w, r, err, f, rerender)
		return
	}
	seeOther(w, r, "/book/manage/"+url.PathEscape(r.PathValue("token"))+"?m=booking-moved")
}
