package web

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"medic"
	"medic/internal/app"
)

// auditRoutes registers the audit log.
func (h *Handler) auditRoutes(mux Router) {
	mux.HandleFunc("GET /audit", h.member(h.audit))
}

// auditView is the data of the audit log page.
type auditView struct {
	Events      []auditRow
	OlderURL    string
	Outcomes    []string
	People      []option // members, for the person filter
	PatientName string   // the chart the log is filtered to
	Filtered    bool
}

// auditRow is one event as the table shows it: who did what to whom in
// words, the codes and ids kept aside (and in the JSON API).
type auditRow struct {
	medic.AuditEvent
	Sentence   string
	DetailText string
}

// audit shows the practice's audit log, newest first, with filters on the
// action prefix, outcome and a date range (in the practice's time zone).
func (h *Handler) audit(w http.ResponseWriter, r *http.Request, v *visitor) {
	q := r.URL.Query()
	f := newForm("filter", url.Values{"action": {strings.TrimSpace(q.Get("action"))}, "outcome": {q.Get("outcome")}, "from": {q.Get("from")}, "to": {q.Get("to")},
		"person": {q.Get("person")}, "patient": {q.Get("patient")}})
	loc, err := time.LoadLocation(v.practice.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	filter := medic.AuditFilter{Action: f.Get("action"), ActorID: f.Get("person"), PatientID: f.Get("patient")}
	switch o := f.Get("outcome"); o {
	case "", medic.OutcomeSuccess, medic.OutcomeFailure, medic.OutcomeDenied:
		filter.Outcome = o
	default:
		f.fail("outcome", "Choose success, failure or denied.")
	}
	day := func(k string) time.Time {
		s := f.Get(k)
		if s == "" {
			return time.Time{}
		}
		t, err := time.ParseInLocation("2006-01-02", s, loc)
		if err != nil {
			f.fail(k, "Enter a date as YYYY-MM-DD.")
		}
		return t
	}
	filter.From = day("from")
	if to := day("to"); !to.IsZero() {
		filter.To = to.AddDate(0, 0, 1) // the whole "to" day
	}
	if !filter.From.IsZero() && !filter.To.IsZero() && !filter.From.Before(filter.To) {
		f.fail("to", "The end date is before the start date.")
	}
	d := auditView{Outcomes: []string{medic.OutcomeSuccess, medic.OutcomeFailure, medic.OutcomeDenied},
		Filtered: f.Get("action") != "" || f.Get("outcome") != "" || f.Get("from") != "" || f.Get("to") != "" || f.Get("person") != "" || f.Get("patient") != ""}
	status := http.StatusOK
	if f.err() == nil {
		log, err := h.app.ReadAuditLog(r.Context(), filter, medic.Page{Limit: 50, Cursor: q.Get("cursor")})
		if err != nil {
			if medic.ErrorCode(err) != medic.EINVALID {
				h.fail(w, r, err)
				return
			}
			f.setError(err) // a cursor that is not ours
			status = http.StatusUnprocessableEntity
			log = &app.AuditPage{}
		}
		for _, m := range log.Actors {
			d.People = append(d.People, option{m.UserID, m.Name + " (" + roleLabel(m.Role) + ")"})
		}
		sort.Slice(d.People, func(i, j int) bool { return d.People[i].Label < d.People[j].Label })
		d.PatientName = log.Patients[filter.PatientID]
		for _, e := range log.Events {
			d.Events = append(d.Events, auditRow{AuditEvent: e, Sentence: auditSentence(e, log), DetailText: detailText(e.Detail)})
		}
		next := log.Next
		if next != "" {
			older := url.Values{}
			for _, k := range []string{"action", "outcome", "from", "to", "person", "patient"} {
				if s := f.Get(k); s != "" {
					older.Set(k, s)
				}
			}
			older.Set("cursor", next)
			d.OlderURL = "/audit?" + older.Encode()
		}
	} else {
		if !h.offers(w, r, "audit.read") {
			return
		}
		f.Message = "Some filters are not valid."
		status = http.StatusUnprocessableEntity
	}
	p := h.page(r, "Audit log", "audit").withForm(f)
	p.Data = d
	h.render(w, r, status, "audit", p)
}

// detailText is an event's detail as "key=value" pairs, sorted.
func detailText(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + m[k]
	}
	return strings.Join(parts, ", ")
}

// auditPhrases say what an action did, in words; {p} is the patient's
// name. Actions not listed are read from their code.
var auditPhrases = map[string]string{
	"patient.viewed":          "opened the chart of {p}",
	"patient.created":         "added the chart of {p}",
	"patient.updated":         "changed the chart of {p}",
	"patient.merged":          "merged a chart into {p}",
	"patient.searched":        "searched the charts",
	"patient.listed":          "listed charts",
	"appointment.viewed":      "opened an appointment of {p}",
	"appointment.listed":      "listed appointments",
	"appointment.booked":      "booked an appointment for {p}",
	"appointment.cancelled":   "cancelled an appointment of {p}",
	"appointment.checked_in":  "checked in {p}",
	"appointment.rescheduled": "moved an appointment of {p}",
	"dashboard.viewed":        "viewed the dashboard",
	"audit.viewed":            "read the audit log",
	"auth.login":              "signed in",
	"auth.logout":             "signed out",
	"auth.login_failed":       "failed to sign in",
	"member.role_changed":     "changed a member's role",
	"member.invited":          "invited a new member",
	"member.deactivated":      "deactivated a member",
	"member.reactivated":      "reactivated a member",
	"practice.updated":        "changed the practice settings",
}

// auditSentence is "Nomsa Dlamini (reception) opened the chart of Thabo
// Mokoena": the actor by name and role, the action in words, the patients
// by name (ids stay in the JSON API).
func auditSentence(e medic.AuditEvent, log *app.AuditPage) string {
	who := "The system"
	if m := log.Actors[e.ActorID]; m != nil {
		who = m.Name + " (" + strings.ToLower(roleLabel(m.Role)) + ")"
	} else if e.ActorEmail != "" {
		who = e.ActorEmail
	}
	name := func(id string) string {
		if n := log.Patients[id]; n != "" {
			return n
		}
		return "a removed chart"
	}
	what, ok := auditPhrases[e.Action]
	if !ok {
		what = strings.NewReplacer(".", ": ", "_", " ").Replace(e.Action)
		if e.PatientID != "" {
			what += " for {p}"
		}
	}
	what = strings.ReplaceAll(what, "{p}", name(e.PatientID))
	if n := len(e.PatientIDs); n > 0 {
		names := make([]string, 0, min(n, 3))
		for _, id := range e.PatientIDs[:min(n, 3)] {
			names = append(names, name(id))
		}
		what += ", showing " + strings.Join(names, ", ")
		if n > 3 {
			what += fmt.Sprintf(" and %d more", n-3)
		}
	}
	switch e.Outcome {
	case medic.OutcomeDenied:
		return who + " was refused: " + what
	case medic.OutcomeFailure:
		return who + " tried and failed: " + what
	}
	return who + " " + what
}
