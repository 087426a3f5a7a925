package web

import (
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"medic"
)

// auditView is the data of the audit log page.
type auditView struct {
	Events   []auditRow
	OlderURL string
	Outcomes []string
	Filtered bool
}

// auditRow is one event as the table shows it.
type auditRow struct {
	medic.AuditEvent
	DetailText string
}

// audit shows the practice's audit log, newest first, with filters on the
// action prefix, outcome and a date range (in the practice's time zone).
func (h *Handler) audit(w http.ResponseWriter, r *http.Request, v *visitor) {
	q := r.URL.Query()
	f := newForm("filter", url.Values{"action": {strings.TrimSpace(q.Get("action"))}, "outcome": {q.Get("outcome")}, "from": {q.Get("from")}, "to": {q.Get("to")}})
	loc, err := time.LoadLocation(v.practice.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	filter := medic.AuditFilter{Action: f.Get("action")}
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
		Filtered: f.Get("action") != "" || f.Get("outcome") != "" || f.Get("from") != "" || f.Get("to") != ""}
	status := http.StatusOK
	if f.err() == nil {
		events, next, err := h.app.ListAuditEvents(r.Context(), filter, medic.Page{Limit: 50, Cursor: q.Get("cursor")})
		if err != nil {
			if medic.ErrorCode(err) != medic.EINVALID {
				h.fail(w, r, err)
				return
			}
			f.setError(err) // a cursor that is not ours
			status = http.StatusUnprocessableEntity
		}
		for _, e := range events {
			d.Events = append(d.Events, auditRow{AuditEvent: e, DetailText: detailText(e.Detail)})
		}
		if next != "" {
			older := url.Values{}
			for _, k := range []string{"action", "outcome", "from", "to"} {
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
