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

// scheduleRoutes registers working hours and their exceptions.
func (h *Handler) scheduleRoutes(mux Router) {
	mux.HandleFunc("GET /schedules", h.member(h.schedules))
	mux.HandleFunc("POST /schedules/rules", h.member(h.createRule))
	mux.HandleFunc("GET /schedules/rules/{id}", h.member(h.ruleForm))
	mux.HandleFunc("POST /schedules/rules/{id}", h.member(h.updateRule))
	mux.HandleFunc("POST /schedules/rules/{id}/delete", h.member(h.deleteRule))
	mux.HandleFunc("POST /schedules/exceptions", h.member(h.addException))
	mux.HandleFunc("POST /schedules/exceptions/{id}/delete", h.member(h.deleteException))
}

// schedulesView is the data of a practitioner's schedule: the weekly rules,
// the exceptions ahead and the forms to add both.
type schedulesView struct {
	Practitioner *medic.Practitioner // nil when the practice has none
	Dir          *directory
	Rules        []*medic.ScheduleRule
	Exceptions   []*medic.ScheduleException
	Weekdays     []option
	Locations    []option // the practitioner's locations first, then the rest
	Unassigned   bool     // the practitioner works at no location yet
	Stranded     []*medic.Appointment
}

// scheduleRuleView is the data of the rule edit page.
type scheduleRuleView struct {
	Rule         *medic.ScheduleRule
	Practitioner *medic.Practitioner
	Dir          *directory
	Weekdays     []option
	Locations    []option
	Stranded     []*medic.Appointment
}

// scheduleConfirmView asks to go ahead with a change that strands
// appointments: it lists them and re-posts the change with confirm.
type scheduleConfirmView struct {
	Heading  string
	Message  string
	Action   string
	Button   string
	Fields   []option // hidden fields re-posted
	Stranded []*medic.Appointment
	Back     string
}

// weekdayOptions are the weekdays Monday first, valued as time.Weekday.
func weekdayOptions() []option {
	var out []option
	for i := 1; i <= 7; i++ {
		d := time.Weekday(i % 7)
		out = append(out, option{strconv.Itoa(int(d)), d.String()})
	}
	return out
}

func schedulesURL(practitionerID string) string {
	return "/schedules?practitioner=" + url.QueryEscape(practitionerID)
}

func (h *Handler) schedules(w http.ResponseWriter, r *http.Request, v *visitor) {
	if !h.offers(w, r, "schedule.save") {
		return
	}
	h.renderSchedules(w, r, http.StatusOK, v, r.URL.Query().Get("practitioner"), nil)
}

// renderSchedules draws the schedule page of practitionerID (the first
// practitioner when empty); forms carries the forms re-rendered after an
// error.
func (h *Handler) renderSchedules(w http.ResponseWriter, r *http.Request, status int, v *visitor, practitionerID string, stranded []*medic.Appointment, forms ...*form) {
	dir, err := h.directory(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := schedulesView{Dir: dir, Weekdays: weekdayOptions(), Stranded: stranded}
	if practitionerID == "" && len(dir.Practitioners) > 0 {
		practitionerID = dir.Practitioners[0].ID
	}
	p := h.page(r, "Schedules", "schedules")
	for _, f := range forms {
		p.withForm(f)
	}
	if practitionerID != "" {
		if d.Practitioner, err = h.app.GetPractitioner(r.Context(), practitionerID); err != nil {
			h.fail(w, r, err)
			return
		}
		p.Title = "Schedule of " + d.Practitioner.Name
		if d.Rules, err = h.app.ListScheduleRules(r.Context(), practitionerID); err != nil {
			h.fail(w, r, err)
			return
		}
		now := h.app.Clock.Now()
		if d.Exceptions, err = h.app.ListScheduleExceptions(r.Context(), practitionerID, now.AddDate(0, 0, -1), now.AddDate(2, 0, 0)); err != nil {
			h.fail(w, r, err)
			return
		}
		d.Locations = ruleLocations(dir, d.Practitioner)
		d.Unassigned = len(d.Practitioner.Assignments) == 0
		today := h.today(v).String()
		defaults := map[string]url.Values{
			"rule":  {"weekday": {"1"}, "start": {"08:00"}, "end": {"13:00"}, "slot_minutes": {"15"}, "capacity": {"1"}, "effective_from": {today}},
			"leave": {"from_date": {today}, "to_date": {today}},
			"extra": {"date": {today}, "start": {"14:00"}, "end": {"16:00"}, "slot_minutes": {"15"}, "capacity": {"1"}},
		}
		for name, vals := range defaults {
			if _, ok := p.Forms[name]; !ok {
				if loc := primaryLocation(d.Practitioner); loc != "" {
					vals.Set("location_id", loc)
				}
				p.withForm(newForm(name, vals))
			}
		}
	}
	p.Data = d
	h.render(w, r, status, "schedules", p)
}

// ruleLocations offers the practitioner's assigned locations first (rules
// elsewhere give no slots), then the practice's other active locations.
func ruleLocations(dir *directory, p *medic.Practitioner) []option {
	var out []option
	seen := map[string]bool{}
	for _, a := range p.Assignments {
		if l := dir.location(a.LocationID); l != nil {
			out = append(out, option{l.ID, l.Name})
			seen[l.ID] = true
		}
	}
	for _, l := range dir.Locations {
		if !seen[l.ID] && l.Active {
			out = append(out, option{l.ID, l.Name + " (not assigned)"})
		}
	}
	return out
}

func primaryLocation(p *medic.Practitioner) string {
	for _, a := range p.Assignments {
		if a.Primary {
			return a.LocationID
		}
	}
	if len(p.Assignments) > 0 {
		return p.Assignments[0].LocationID
	}
	return ""
}

var ruleFields = []string{"weekday", "location_id", "start", "end", "slot_minutes", "capacity", "effective_from", "effective_to", "confirm"}

// ruleFormFrom reads the sent rule fields (type_ids may repeat).
func ruleFormFrom(r *http.Request) *form {
	v := url.Values{}
	for _, k := range ruleFields {
		if s := r.PostForm.Get(k); s != "" {
			v.Set(k, s)
		}
	}
	for _, t := range r.PostForm["type_ids"] {
		if t != "" {
			v.Add("type_ids", t)
		}
	}
	return newForm("rule", v)
}

func ruleValues(rule *medic.ScheduleRule) url.Values {
	v := url.Values{}
	v.Set("weekday", strconv.Itoa(int(rule.Weekday)))
	v.Set("location_id", rule.LocationID)
	v.Set("start", rule.Start.String())
	v.Set("end", rule.End.String())
	v.Set("slot_minutes", strconv.Itoa(rule.SlotMinutes))
	v.Set("capacity", strconv.Itoa(rule.Capacity))
	v.Set("effective_from", rule.EffectiveFrom.String())
	if !rule.EffectiveTo.IsZero() {
		v.Set("effective_to", rule.EffectiveTo.String())
	}
	v["type_ids"] = append([]string(nil), rule.AppointmentTypeIDs...)
	return v
}

// applyRule copies the form onto rule; what does not parse is recorded on f.
func applyRule(f *form, rule *medic.ScheduleRule) {
	get := func(k string) string { return strings.TrimSpace(f.Get(k)) }
	if n, err := strconv.Atoi(get("weekday")); err == nil && n >= 0 && n <= 6 {
		rule.Weekday = time.Weekday(n)
	} else {
		f.fail("weekday", "Choose a weekday.")
	}
	rule.LocationID = get("location_id")
	clock := func(k, msg string) medic.ClockTime {
		c, err := medic.ParseClockTime(get(k))
		if err != nil {
			f.fail(k, msg)
		}
		return c
	}
	rule.Start = clock("start", "Enter the start as HH:MM, such as 08:00.")
	rule.End = clock("end", "Enter the end as HH:MM, such as 13:00.")
	num := func(k, msg string) int {
		n, err := strconv.Atoi(get(k))
		if err != nil {
			f.fail(k, msg)
		}
		return n
	}
	rule.SlotMinutes = num("slot_minutes", "Enter the slot length in minutes.")
	rule.Capacity = num("capacity", "Enter how many patients fit in one slot.")
	rule.EffectiveFrom, rule.EffectiveTo = medic.Date{}, medic.Date{}
	if d, err := medic.ParseDate(get("effective_from")); err == nil {
		rule.EffectiveFrom = d
	} else {
		f.fail("effective_from", "Enter the first day as YYYY-MM-DD.")
	}
	if s := get("effective_to"); s != "" {
		if d, err := medic.ParseDate(s); err == nil {
			rule.EffectiveTo = d
		} else {
			f.fail("effective_to", "Enter the last day as YYYY-MM-DD, or leave it empty.")
		}
	}
	rule.AppointmentTypeIDs = append([]string{}, f.Values["type_ids"]...)
}

// ruleErr merges the form's own errors with the rule's validation, so every
// field is marked at once.
func ruleErr(f *form, rule *medic.ScheduleRule) error {
	if f.err() == nil {
		return nil
	}
	probe := *rule
	if err := probe.Validate(); err != nil {
		f.failFields(err)
	}
	return f.err()
}

// createRule adds a weekly rule to a practitioner.
func (h *Handler) createRule(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	prID := r.PostForm.Get("practitioner_id")
	if _, err := h.app.GetPractitioner(r.Context(), prID); err != nil {
		h.fail(w, r, err)
		return
	}
	f := ruleFormFrom(r)
	rule := &medic.ScheduleRule{PractitionerID: prID}
	rerender := func(status int) { h.renderSchedules(w, r, status, v, prID, nil, f) }
	applyRule(f, rule)
	if err := ruleErr(f, rule); err != nil {
		h.actionFormFail(w, r, "schedule.save", err, f, rerender)
		return
	}
	if _, err := h.app.SaveScheduleRule(r.Context(), rule, false); err != nil {
		h.formFail(w, r, err, f, rerender)
		return
	}
	seeOther(w, r, schedulesURL(prID)+"&m=rule-saved")
}

func (h *Handler) renderRule(w http.ResponseWriter, r *http.Request, status int, rule *medic.ScheduleRule, f *form, stranded []*medic.Appointment) {
	dir, err := h.directory(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	pr := dir.practitioner(rule.PractitionerID)
	if pr == nil {
		h.fail(w, r, errNotFound)
		return
	}
	p := h.page(r, "Edit schedule rule", "schedules").withForm(f)
	p.Data = scheduleRuleView{Rule: rule, Practitioner: pr, Dir: dir, Weekdays: weekdayOptions(), Locations: ruleLocations(dir, pr), Stranded: stranded}
	h.render(w, r, status, "schedule_rule", p)
}

func (h *Handler) ruleForm(w http.ResponseWriter, r *http.Request, v *visitor) {
	if !h.offers(w, r, "schedule.save") {
		return
	}
	rule, err := h.app.GetScheduleRule(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderRule(w, r, http.StatusOK, rule, newForm("rule", ruleValues(rule)), nil)
}

// updateRule saves a changed rule. When the change leaves booked
// appointments outside working hours the form comes back listing them, with
// "Save anyway"; the appointments are never deleted.
func (h *Handler) updateRule(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	rule, err := h.app.GetScheduleRule(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f := ruleFormFrom(r)
	sent := *rule
	rerender := func(status int) { h.renderRule(w, r, status, rule, f, nil) }
	applyRule(f, &sent)
	if err := ruleErr(f, &sent); err != nil {
		h.actionFormFail(w, r, "schedule.save", err, f, rerender)
		return
	}
	stranded, err := h.app.SaveScheduleRule(r.Context(), &sent, f.Checked("confirm"))
	if errors.Is(err, app.ErrScheduleStrandsAppointments) {
		f.Message = medic.ErrorMessage(err)
		h.renderRule(w, r, http.StatusConflict, rule, f, stranded)
		return
	}
	if err != nil {
		h.formFail(w, r, err, f, rerender)
		return
	}
	seeOther(w, r, schedulesURL(rule.PractitionerID)+"&m=rule-saved")
}

// deleteRule removes a rule; when that strands appointments it asks first.
func (h *Handler) deleteRule(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	rule, err := h.app.GetScheduleRule(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	stranded, err := h.app.DeleteScheduleRule(r.Context(), rule.ID, r.PostForm.Get("confirm") == "on")
	if errors.Is(err, app.ErrScheduleStrandsAppointments) {
		p := h.page(r, "Delete schedule rule?", "schedules")
		p.Data = scheduleConfirmView{
			Heading: "Delete this rule?",
			Message: "Deleting the " + rule.Weekday.String() + " " + rule.Start.String() + "–" + rule.End.String() +
				" rule leaves these booked appointments outside working hours. They are kept: move or cancel them yourself.",
			Action: "/schedules/rules/" + url.PathEscape(rule.ID) + "/delete", Button: "Delete anyway",
			Stranded: stranded, Back: schedulesURL(rule.PractitionerID)}
		h.render(w, r, http.StatusConflict, "schedule_confirm", p)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	seeOther(w, r, schedulesURL(rule.PractitionerID)+"&m=rule-deleted")
}

var exceptionFields = []string{"practitioner_id", "kind", "from_date", "from_time", "to_date", "to_time", "date", "start", "end", "location_id", "slot_minutes", "capacity", "reason"}

// addException records leave or extra hours. Leave that strands booked
// appointments asks first, listing them.
func (h *Handler) addException(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	prID := r.PostForm.Get("practitioner_id")
	if _, err := h.app.GetPractitioner(r.Context(), prID); err != nil {
		h.fail(w, r, err)
		return
	}
	kind := medic.ExceptionKind(r.PostForm.Get("kind"))
	if kind != medic.ExceptionLeave && kind != medic.ExceptionExtra {
		if h.offers(w, r, "schedule.exception") {
			h.fail(w, r, medic.Errorf(medic.EINVALID, "Choose leave or extra hours."))
		}
		return
	}
	vals := url.Values{}
	for _, k := range exceptionFields {
		if s := r.PostForm.Get(k); s != "" {
			vals.Set(k, s)
		}
	}
	f := newForm(string(kind), vals)
	loc := v.zone()
	e := &medic.ScheduleException{PractitionerID: prID, Kind: kind, Reason: strings.TrimSpace(f.Get("reason"))}
	at := func(dateKey, timeKey, def string) time.Time {
		d, err := medic.ParseDate(strings.TrimSpace(f.Get(dateKey)))
		if err != nil {
			f.fail(dateKey, "Enter the date as YYYY-MM-DD.")
			return time.Time{}
		}
		s := strings.TrimSpace(f.Get(timeKey))
		if s == "" {
			s = def
		}
		c, err := medic.ParseClockTime(s)
		if err != nil {
			f.fail(timeKey, "Enter the time as HH:MM.")
			return time.Time{}
		}
		return c.On(d, loc)
	}
	if kind == medic.ExceptionLeave {
		// Leave runs from the start of the first day to the end of the last
		// unless times are given.
		e.Start = at("from_date", "from_time", "00:00")
		e.End = at("to_date", "to_time", "24:00")
	} else {
		e.Start = at("date", "start", "")
		e.End = at("date", "end", "")
		e.LocationID = strings.TrimSpace(f.Get("location_id"))
		var err error
		if e.SlotMinutes, err = strconv.Atoi(strings.TrimSpace(f.Get("slot_minutes"))); err != nil {
			f.fail("slot_minutes", "Enter the slot length in minutes.")
		}
		if e.Capacity, err = strconv.Atoi(strings.TrimSpace(f.Get("capacity"))); err != nil {
			f.fail("capacity", "Enter how many patients fit in one slot.")
		}
	}
	rerender := func(status int) { h.renderSchedules(w, r, status, v, prID, nil, f) }
	if f.err() != nil {
		h.actionFormFail(w, r, "schedule.exception", f.err(), f, rerender)
		return
	}
	stranded, err := h.app.AddScheduleException(r.Context(), e, r.PostForm.Get("confirm") == "on")
	if errors.Is(err, app.ErrScheduleStrandsAppointments) {
		fields := []option{}
		for _, k := range exceptionFields {
			if s := f.Get(k); s != "" {
				fields = append(fields, option{k, s})
			}
		}
		p := h.page(r, "Add leave?", "schedules")
		p.Data = scheduleConfirmView{
			Heading: "Add this leave?",
			Message: "The leave covers these booked appointments. They are kept: move or cancel them yourself.",
			Action:  "/schedules/exceptions", Button: "Add leave anyway", Fields: fields,
			Stranded: stranded, Back: schedulesURL(prID)}
		h.render(w, r, http.StatusConflict, "schedule_confirm", p)
		return
	}
	if err != nil {
		if m := medic.ErrorFields(err)["end"]; m != "" && kind == medic.ExceptionLeave {
			f.fail("to_date", m) // leave has no "end" field: its end is the last day
		}
		h.formFail(w, r, err, f, rerender)
		return
	}
	seeOther(w, r, schedulesURL(prID)+"&m=exception-added")
}

func (h *Handler) deleteException(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	id, prID := r.PathValue("id"), r.PostForm.Get("practitioner_id")
	stranded, err := h.app.DeleteScheduleException(r.Context(), id, r.PostForm.Get("confirm") == "on")
	if errors.Is(err, app.ErrScheduleStrandsAppointments) {
		p := h.page(r, "Remove extra hours?", "schedules")
		p.Data = scheduleConfirmView{
			Heading: "Remove these extra hours?",
			Message: "Removing them leaves these booked appointments outside working hours. They are kept: move or cancel them yourself.",
			Action:  "/schedules/exceptions/" + url.PathEscape(id) + "/delete", Button: "Remove anyway",
			Fields: []option{{"practitioner_id", prID}}, Stranded: stranded, Back: schedulesURL(prID)}
		h.render(w, r, http.StatusConflict, "schedule_confirm", p)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	seeOther(w, r, schedulesURL(prID)+"&m=exception-deleted")
}
