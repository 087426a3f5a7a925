package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"medic"
	"medic/internal/app"
)

// bookingRoutes registers the public booking steps.
func (h *Handler) bookingRoutes(mux Router) {
	mux.HandleFunc("GET /book/{slug}", h.book)
	// One pattern per method for a practice's steps: separate patterns
	// such as /book/{slug}/details would conflict with /book/manage/{token}.
	mux.HandleFunc("GET /book/{slug}/{step}", h.bookStep)
	mux.HandleFunc("POST /book/{slug}/{step}", publicForm(h.bookStep))
}

// The public booking page walks a patient through: choose the visit, a day
// and a time (GET, nothing personal in the address) -> details -> a code
// emailed to them -> confirm. Between steps the choices and details travel
// in hidden fields of POSTed forms, never in URLs, and nothing is stored
// until the code confirms the booking.

const (
	// stripDays is how many days the day picker offers as buttons.
	stripDays = 14
	// horizonDays is how far ahead the date input may go.
	horizonDays = 60
	// maxAlternatives bounds the times offered when a chosen one went.
	maxAlternatives = 12
)

// pickFields are the choices of the first step; detailFields the patient's
// details. Both travel in hidden fields from step to step.
var (
	pickFields   = []string{"type", "practitioner", "location", "date", "slot"}
	detailFields = []string{"given_name", "family_name", "date_of_birth", "email", "phone", "reason"}
)

// bookStep routes the steps of a practice's booking page.
func (h *Handler) bookStep(w http.ResponseWriter, r *http.Request) {
	get := r.Method == http.MethodGet
	switch step := r.PathValue("step"); {
	case step == "details":
		h.bookDetails(w, r)
	case step == "theme.css" && get:
		h.bookTheme(w, r)
	case step == "logo" && get:
		h.bookLogo(w, r)
	case step == "code" && !get:
		h.bookSendCode(w, r)
	case step == "confirm" && !get:
		h.bookConfirm(w, r)
	default:
		h.fail(w, r, errNotFound)
	}
}

// publicDir indexes what a practice offers online.
type publicDir struct {
	info          *app.PublicBookingInfo
	practitioners map[string]*medic.Practitioner
	locations     map[string]*medic.Location
	types         map[string]*medic.AppointmentType
}

func newPublicDir(info *app.PublicBookingInfo) *publicDir {
	d := &publicDir{info: info, practitioners: map[string]*medic.Practitioner{}, locations: map[string]*medic.Location{}, types: map[string]*medic.AppointmentType{}}
	for _, p := range info.Practitioners {
		d.practitioners[p.ID] = p
	}
	for _, l := range info.Locations {
		d.locations[l.ID] = l
	}
	for _, t := range info.Types {
		d.types[t.ID] = t
	}
	return d
}

func (d *publicDir) practitionerName(id string) string {
	if p := d.practitioners[id]; p != nil {
		return p.Name
	}
	return ""
}

func (d *publicDir) locationName(id string) string {
	if l := d.locations[id]; l != nil {
		return l.Name
	}
	return ""
}

// open reports whether anything can be booked online.
func (d *publicDir) open() bool { return len(d.info.Types) > 0 && len(d.info.Practitioners) > 0 }

// criteria keeps the choices of values that are the practice's own ("" for
// the rest); with a single type on offer, that type is chosen.
func (d *publicDir) criteria(values url.Values) url.Values {
	c := url.Values{}
	if id := strings.TrimSpace(values.Get("type")); d.types[id] != nil {
		c.Set("type", id)
	} else if len(d.info.Types) == 1 {
		c.Set("type", d.info.Types[0].ID)
	}
	if id := strings.TrimSpace(values.Get("practitioner")); d.practitioners[id] != nil {
		c.Set("practitioner", id)
	}
	if id := strings.TrimSpace(values.Get("location")); d.locations[id] != nil {
		c.Set("location", id)
	}
	if values.Get("by") == "practitioner" && c.Get("practitioner") == "" {
		c.Set("by", "practitioner")
	}
	return c
}

// bookChoice is a chosen time: a slot of a type, practitioner and location.
type bookChoice struct {
	Slot         string
	Type         *medic.AppointmentType
	Practitioner *medic.Practitioner
	Location     *medic.Location
	Start, End   time.Time
}

// choice reads a chosen slot; false unless type, practitioner and location
// are all the practice's and on offer.
func (d *publicDir) choice(typeID, slot string) (*bookChoice, bool) {
	start, prID, locID, ok := parseSlot(slot)
	c := &bookChoice{Slot: slot, Type: d.types[typeID], Practitioner: d.practitioners[prID], Location: d.locations[locID], Start: start}
	if !ok || c.Type == nil || c.Practitioner == nil || c.Location == nil {
		return nil, false
	}
	c.End = start.Add(time.Duration(c.Type.DurationMinutes) * time.Minute)
	return c, true
}

// publicSlot is an open time offered to a patient.
type publicSlot struct {
	Value                          string
	Start, End                     time.Time
	PractitionerName, LocationName string
	Checked                        bool
}

func (d *publicDir) slots(ss []medic.Slot, chosen string) []publicSlot {
	out := make([]publicSlot, 0, len(ss))
	for _, s := range ss {
		v := slotValue(s)
		out = append(out, publicSlot{Value: v, Start: s.Start, End: s.End, PractitionerName: d.practitionerName(s.PractitionerID),
			LocationName: d.locationName(s.LocationID), Checked: v == chosen})
	}
	return out
}

// dayChoice is a button of the day picker.
type dayChoice struct {
	Date    medic.Date
	URL     string
	Open    int // open times that day
	Current bool
	Today   bool
}

// hidden is a field carried to the next step.
type hidden struct{ Name, Value string }

// carry lists the non-empty values of names in f, in order.
func carry(f *form, names ...[]string) []hidden {
	var out []hidden
	for _, ns := range names {
		for _, n := range ns {
			if v := f.Get(n); v != "" {
				out = append(out, hidden{n, v})
			}
		}
	}
	return out
}

// bookURL is the first step with the criteria c, changed by changes (pairs).
func bookURL(slug string, c url.Values, changes ...string) string {
	v := url.Values{}
	for _, k := range []string{"type", "practitioner", "location", "date", "by"} {
		if s := c.Get(k); s != "" {
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
	u := "/book/" + url.PathEscape(slug)
	if len(v) > 0 {
		u += "?" + v.Encode()
	}
	return u
}

// dayStrip is the next stripDays days from today, with their open times.
func dayStrip(today, current medic.Date, counts map[medic.Date]int, link func(medic.Date) string) []dayChoice {
	out := make([]dayChoice, 0, stripDays)
	for i := range stripDays {
		d := today.AddDays(i)
		out = append(out, dayChoice{Date: d, URL: link(d), Open: counts[d], Current: d.Equal(current), Today: i == 0})
	}
	return out
}

// pickDay reads a YYYY-MM-DD day within [today, today+horizonDays]; today
// otherwise.
func pickDay(s string, today medic.Date) medic.Date {
	d, err := medic.ParseDate(strings.TrimSpace(s))
	if err != nil || d.Before(today) || d.After(today.AddDays(horizonDays)) {
		return today
	}
	return d
}

// bookView is the data of the first step.
type bookView struct {
	Slug          string
	Base          string // /book/{slug}
	Info          *app.PublicBookingInfo
	Open          bool // anything to book online
	Crit          url.Values
	Type          *medic.AppointmentType
	Practitioners []option
	Locations     []option
	ShowWho       bool // slots name the practitioner (more than one on offer)
	Day           medic.Date
	Today         medic.Date
	MaxDay        medic.Date
	Days          []dayChoice
	Slots         []publicSlot
	Groups        []slotGroup[publicSlot] // Slots as shown: per practitioner, or one per time for anyone
	PerTime       bool
	// ByPractitionerURL and PerTimeURL switch the arrangement (anyone only).
	ByPractitionerURL, PerTimeURL string
	Zone                          zoneNote
	NextOpenDay                   medic.Date
	NextOpenURL                   string
}

// publicInfo loads the practice's booking page or answers the failure
// (404 for an unknown slug, 503 for a suspended practice).
func (h *Handler) publicInfo(w http.ResponseWriter, r *http.Request) (*publicDir, bool) {
	info, err := h.app.PublicBooking(r.Context(), r.PathValue("slug"))
	if err != nil {
		h.fail(w, r, err)
		return nil, false
	}
	return newPublicDir(info), true
}

// book is the first step: the practice, what it offers online, a day
// picker and that day's open times.
func (h *Handler) book(w http.ResponseWriter, r *http.Request) {
	dir, ok := h.publicInfo(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	p := dir.info.Practice
	zone := practiceZone(p)
	today := medic.DateOf(h.app.Clock.Now().In(zone))
	crit := dir.criteria(r.URL.Query())
	day := pickDay(r.URL.Query().Get("date"), today)
	crit.Set("date", day.String())
	d := bookView{Slug: p.Slug, Base: "/book/" + url.PathEscape(p.Slug), Info: dir.info, Open: dir.open(), Crit: crit,
		Type: dir.types[crit.Get("type")], ShowWho: len(dir.info.Practitioners) > 1, Day: day, Today: today, MaxDay: today.AddDays(horizonDays)}
	for _, pr := range dir.info.Practitioners {
		label := pr.Name
		if pr.Specialty != "" {
			label += " (" + pr.Specialty + ")"
		}
		d.Practitioners = append(d.Practitioners, option{pr.ID, label})
	}
	for _, l := range dir.info.Locations {
		d.Locations = append(d.Locations, option{l.ID, l.Name})
	}
	counts := map[medic.Date]int{}
	if d.Open && d.Type != nil {
		q := app.AvailabilityQuery{PractitionerID: crit.Get("practitioner"), LocationID: crit.Get("location"), AppointmentTypeID: d.Type.ID}
		// One read for the whole day strip; the day itself comes from it
		// unless it lies beyond.
		stripEnd := today.AddDays(stripDays)
		q.From, q.To = today.In(zone), stripEnd.In(zone)
		strip, err := h.app.PublicAvailability(ctx, p.Slug, q)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		var daySlots []medic.Slot
		for _, s := range strip {
			sd := medic.DateOf(s.Start.In(zone))
			counts[sd]++
			if sd.Equal(day) {
				daySlots = append(daySlots, s)
			}
		}
		if !day.Before(stripEnd) {
			q.From, q.To = day.In(zone), day.AddDays(1).In(zone)
			if daySlots, err = h.app.PublicAvailability(ctx, p.Slug, q); err != nil {
				h.fail(w, r, err)
				return
			}
		}
		d.PerTime = crit.Get("practitioner") == "" && crit.Get("by") != "practitioner"
		if crit.Get("practitioner") == "" && len(dir.info.Practitioners) > 1 {
			d.ByPractitionerURL, d.PerTimeURL = bookURL(p.Slug, crit, "by", "practitioner"), bookURL(p.Slug, crit, "by", "")
		}
		for _, g := range arrangeSlots(daySlots, d.PerTime, dir.practitionerName) {
			ps := dir.slots(g.Slots, "")
			d.Groups = append(d.Groups, slotGroup[publicSlot]{Title: g.Title, Slots: ps})
			d.Slots = append(d.Slots, ps...)
		}
		d.Zone = newZoneNote(zone, day.In(zone))
		if len(d.Slots) == 0 {
			q.From, q.To = day.AddDays(1).In(zone), day.AddDays(29).In(zone)
			later, err := h.app.PublicAvailability(ctx, p.Slug, q)
			if err != nil {
				h.fail(w, r, err)
				return
			}
			if len(later) > 0 {
				d.NextOpenDay = medic.DateOf(later[0].Start.In(zone))
				d.NextOpenURL = bookURL(p.Slug, crit, "date", d.NextOpenDay.String())
			}
		}
	}
	d.Days = dayStrip(today, day, counts, func(x medic.Date) string { return bookURL(p.Slug, crit, "date", x.String()) })
	pg := h.publicPage(r, p, "Book an appointment").withForm(newForm("pick", crit))
	pg.Data = d
	h.render(w, r, http.StatusOK, "book", pg)
}

// stepView is the data of the steps after the first: details, code,
// confirmation.
type stepView struct {
	Slug     string
	Base     string
	Practice *medic.Practice
	Choice   *bookChoice
	BackURL  string // the first step, same criteria and day
	Carry    []hidden
	Focus    string // the field to focus: the first with a message
	// SlotGone: the chosen time went; Alternatives are open times of the
	// same practitioner to choose instead.
	SlotGone     bool
	Alternatives []publicSlot
	Result       *app.PublicBookingResult
	Email        string
	Address      string // of the booked location
}

func (h *Handler) stepView(dir *publicDir, f *form, c *bookChoice) stepView {
	p := dir.info.Practice
	crit := dir.criteria(f.Values)
	crit.Set("date", f.Get("date"))
	return stepView{Slug: p.Slug, Base: "/book/" + url.PathEscape(p.Slug), Practice: p, Choice: c, BackURL: bookURL(p.Slug, crit), Email: f.Get("email")}
}

// readStep reads the choices and, from a POST, the details.
func readStep(r *http.Request, withDetails bool) *form {
	f := newForm("details", url.Values{})
	fields := pickFields
	if withDetails {
		fields = append(append([]string{}, pickFields...), detailFields...)
		fields = append(fields, "code", "website")
	}
	for _, k := range fields {
		if v := strings.TrimSpace(r.Form.Get(k)); v != "" {
			f.Values.Set(k, v)
		}
	}
	return f
}

// bookDetails is the details form for a chosen time: from the first step
// (GET, choices only) or back from the code step (POST, details kept).
func (h *Handler) bookDetails(w http.ResponseWriter, r *http.Request) {
	dir, ok := h.publicInfo(w, r)
	if !ok {
		return
	}
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	f := readStep(r, r.Method == http.MethodPost)
	c, ok := dir.choice(f.Get("type"), f.Get("slot"))
	if !ok {
		seeOther(w, r, h.stepView(dir, f, nil).BackURL)
		return
	}
	h.renderDetails(w, r, http.StatusOK, dir, f, c)
}

func (h *Handler) renderDetails(w http.ResponseWriter, r *http.Request, status int, dir *publicDir, f *form, c *bookChoice) {
	f.Name = "details"
	d := h.stepView(dir, f, c)
	d.Carry = carry(f, pickFields)
	for _, k := range detailFields {
		if f.Err(k) != "" {
			d.Focus = k
			break
		}
	}
	pg := h.publicPage(r, dir.info.Practice, "Your details").withForm(f)
	pg.Data = d
	h.render(w, r, status, "book_details", pg)
}

// checkDetails validates the details as the chart will (names, date of
// birth, email, mobile), so a patient corrects them before a code is sent.
func (h *Handler) checkDetails(f *form, dir *publicDir) {
	zone := practiceZone(dir.info.Practice)
	pt := &medic.Patient{GivenName: f.Get("given_name"), FamilyName: f.Get("family_name"), Email: f.Get("email"), Phone: f.Get("phone")}
	if s := f.Get("date_of_birth"); s != "" {
		d, err := medic.ParseDate(s)
		if err != nil {
			f.fail("date_of_birth", "Enter your date of birth, such as 1985-07-14.")
		}
		pt.DateOfBirth = d
	}
	if f.Get("email") == "" {
		f.fail("email", "Enter your email address: we send a code to it.")
	}
	if f.Get("phone") == "" {
		f.fail("phone", "Enter your mobile number.")
	}
	if _, err := medic.MultiLine(f.Get("reason"), medic.MaxReasonLength); err != nil {
		f.fail("reason", medic.ErrorMessage(err))
	}
	if err := pt.Validate(medic.DateOf(h.app.Clock.Now().In(zone))); err != nil {
		for k, m := range app.PublicPatientErrors(err) {
			f.fail(f.key(k), m)
		}
	}
	if f.err() != nil {
		f.Message = "Some details need your attention."
	}
}

// bookSendCode checks the details and emails a code to confirm them.
func (h *Handler) bookSendCode(w http.ResponseWriter, r *http.Request) {
	dir, ok := h.publicInfo(w, r)
	if !ok {
		return
	}
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	f := readStep(r, true)
	f.Values.Del("code")
	c, ok := dir.choice(f.Get("type"), f.Get("slot"))
	if !ok {
		// Asking for a new code while choosing another time: keep the
		// details and ask for the time first.
		if dir.types[f.Get("type")] != nil && f.Get("email") != "" {
			f.fail("slot", "Choose one of the open times first.")
			h.renderSlotGone(w, r, http.StatusUnprocessableEntity, dir, f)
			return
		}
		seeOther(w, r, h.stepView(dir, f, nil).BackURL)
		return
	}
	h.checkDetails(f, dir)
	if f.err() != nil {
		h.renderDetails(w, r, http.StatusUnprocessableEntity, dir, f, c)
		return
	}
	if f.Get("website") != "" {
		// The honeypot: people never see it, form-filling robots do. Answer
		// as if the code went out, and send nothing.
		h.log.Info("public booking honeypot", "request_id", medic.RequestInfoFrom(r.Context()).RequestID)
		h.renderCode(w, r, http.StatusOK, dir, f, c)
		return
	}
	err := h.app.RequestBookingCode(r.Context(), dir.info.Practice.Slug, app.BookingCodeRequest{Email: f.Get("email"), IP: medic.RequestInfoFrom(r.Context()).IP})
	if err != nil {
		var retry *app.RetryError
		if errors.As(err, &retry) {
			w.Header().Set("Retry-After", strconv.Itoa(int(retry.After.Seconds())))
		}
		h.formFail(w, r, err, f, func(status int) { h.renderDetails(w, r, status, dir, f, c) })
		return
	}
	h.renderCode(w, r, http.StatusOK, dir, f, c)
}

func (h *Handler) renderCode(w http.ResponseWriter, r *http.Request, status int, dir *publicDir, f *form, c *bookChoice) {
	f.Name = "code"
	d := h.stepView(dir, f, c)
	d.Carry = carry(f, pickFields, detailFields, []string{"website"})
	pg := h.publicPage(r, dir.info.Practice, "Enter your code").withForm(f)
	pg.Data = d
	h.render(w, r, status, "book_code", pg)
}

// renderSlotGone is the code step again when the chosen time went: the
// open times of the same practitioner that day (else the next days) to
// choose from, the details and the code kept.
func (h *Handler) renderSlotGone(w http.ResponseWriter, r *http.Request, status int, dir *publicDir, f *form) {
	ctx := r.Context()
	p := dir.info.Practice
	zone := practiceZone(p)
	today := medic.DateOf(h.app.Clock.Now().In(zone))
	f.Name = "code"
	d := h.stepView(dir, f, nil)
	d.SlotGone = true
	taken, prID, _, _ := parseSlot(f.Get("taken"))
	if taken.IsZero() {
		taken, prID, _, _ = parseSlot(f.Get("slot"))
	}
	if dir.practitioners[prID] == nil {
		prID = dir.criteria(f.Values).Get("practitioner")
	}
	day := pickDay(f.Get("date"), today)
	if !taken.IsZero() {
		day = pickDay(medic.DateOf(taken.In(zone)).String(), today)
	}
	// That day's open times first, then the following days'.
	slots, err := h.app.NextPublicSlots(ctx, p.Slug, prID, dir.criteria(f.Values).Get("location"), f.Get("type"), day.In(zone), maxAlternatives+1)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var open []medic.Slot
	for _, s := range slots {
		if !s.Start.Equal(taken) || s.PractitionerID != prID {
			open = append(open, s)
		}
	}
	if len(open) > maxAlternatives {
		open = open[:maxAlternatives]
	}
	if f.Get("taken") == "" && !taken.IsZero() {
		f.Values.Set("taken", f.Get("slot"))
	}
	d.Alternatives = dir.slots(open, f.Get("slot"))
	d.Carry = carry(f, []string{"type", "practitioner", "location", "date", "taken"}, detailFields, []string{"website"})
	pg := h.publicPage(r, p, "Choose another time").withForm(f)
	pg.Data = d
	h.render(w, r, status, "book_code", pg)
}

// bookConfirm checks the code and books. A time taken meanwhile brings the
// code step back with the open times left; a wrong code is a message on
// the code field.
func (h *Handler) bookConfirm(w http.ResponseWriter, r *http.Request) {
	dir, ok := h.publicInfo(w, r)
	if !ok {
		return
	}
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	f := readStep(r, true)
	if t := r.Form.Get("taken"); t != "" {
		f.Values.Set("taken", t)
	}
	f.Values.Set("code", strings.ReplaceAll(f.Get("code"), " ", ""))
	c, ok := dir.choice(f.Get("type"), f.Get("slot"))
	if !ok {
		if dir.types[f.Get("type")] == nil || f.Get("email") == "" {
			seeOther(w, r, h.stepView(dir, f, nil).BackURL)
			return
		}
		f.fail("slot", "Choose one of the open times.")
		h.renderSlotGone(w, r, http.StatusUnprocessableEntity, dir, f)
		return
	}
	renderCode := func(status int) {
		if f.Get("taken") != "" {
			h.renderSlotGone(w, r, status, dir, f)
			return
		}
		h.renderCode(w, r, status, dir, f, c)
	}
	h.checkDetails(f, dir)
	if f.err() != nil {
		h.renderDetails(w, r, http.StatusUnprocessableEntity, dir, f, c)
		return
	}
	if code := f.Get("code"); len(code) != 6 || strings.Trim(code, "0123456789") != "" {
		f.fail("code", "Enter the 6-digit code from the email.")
		f.Message = "Enter the code we emailed you."
		renderCode(http.StatusUnprocessableEntity)
		return
	}
	dob, _ := medic.ParseDate(f.Get("date_of_birth"))
	res, err := h.app.ConfirmPublicBooking(r.Context(), dir.info.Practice.Slug, app.PublicBookingRequest{
		Email: f.Get("email"), Code: f.Get("code"), PractitionerID: c.Practitioner.ID, LocationID: c.Location.ID, AppointmentTypeID: c.Type.ID,
		Start: c.Start, GivenName: f.Get("given_name"), FamilyName: f.Get("family_name"), DateOfBirth: dob,
		Phone: f.Get("phone"), Reason: f.Get("reason"), IP: medic.RequestInfoFrom(r.Context()).IP,
		Website: f.Get("website"), // the use case refuses and audits a filled honeypot
	})
	if err != nil {
		fields := medic.ErrorFields(err)
		switch {
		case errors.Is(err, medic.ErrSlotFull):
			f.Values.Set("taken", f.Get("slot"))
			f.Values.Del("slot")
			f.Message = "Sorry, that time has just been taken. Choose another time below; your details are kept."
			h.renderSlotGone(w, r, http.StatusConflict, dir, f)
		case medic.ErrorCode(err) == medic.EINVALID && fields["code"] == "" && hasAny(fields, detailFields):
			f.setError(err)
			h.renderDetails(w, r, http.StatusUnprocessableEntity, dir, f, c)
		case medic.ErrorCode(err) == medic.EINVALID && fields["code"] == "" && hasAny(fields, []string{"start", "slot", "practitioner_id", "location_id", "appointment_type_id"}):
			f.Values.Set("taken", f.Get("slot"))
			f.Values.Del("slot")
			f.Message = "That time can no longer be booked online. Choose another time below; your details are kept."
			h.renderSlotGone(w, r, http.StatusUnprocessableEntity, dir, f)
		default:
			f.Values.Del("code")
			var retry *app.RetryError
			if errors.As(err, &retry) {
				w.Header().Set("Retry-After", strconv.Itoa(int(retry.After.Seconds())))
			}
			h.formFail(w, r, err, f, renderCode)
		}
		return
	}
	d := h.stepView(dir, f, c)
	d.Result = res
	if l := dir.locations[c.Location.ID]; l != nil {
		d.Address = l.Address
	}
	pg := h.publicPage(r, dir.info.Practice, "You are booked")
	pg.Data = d
	h.render(w, r, http.StatusOK, "book_done", pg)
}

func hasAny(m map[string]string, keys []string) bool {
	for _, k := range keys {
		if m[k] != "" {
			return true
		}
	}
	return false
}
