package web

import (
	"net/http"
	"net/url"
	"time"

	"medic"
)

// timelineRoutes registers the chart's timeline fragment.
func (h *Handler) timelineRoutes(mux Router) {
	mux.HandleFunc("GET /patients/{id}/timeline", h.member(h.timeline))
}

// The chart's timeline section: kind filter chips and "Older" paging,
// both through htmx (plain links to the chart page without script).

const timelinePageSize = 20

// timelineView is the data of the "timelineSection" and "timelineItems"
// partials.
type timelineView struct {
	PatientID string
	Chips     []timelineChip
	Rows      []timelineRow
	// OlderURL is the chart page at the next page; OlderHX the fragment of
	// the rows after (empty when there are no more).
	OlderURL, OlderHX string
	Filtered          bool
}

type timelineChip struct {
	Label, URL, HX string
	Current        bool
}

type timelineRow struct {
	When, DateTime, Kind, KindLabel, Summary, EncounterID, OrderID, By string
}

// kindsParam is the filter as the query writes it.
func kindsParam(kinds []medic.TimelineKind) string {
	s := ""
	for i, k := range kinds {
		if i > 0 {
			s += ","
		}
		s += string(k)
	}
	return s
}

func newTimelineView(patientID string, kinds []medic.TimelineKind, items []*medic.TimelineItem, next string, loc *time.Location) *timelineView {
	base := "/patients/" + url.PathEscape(patientID)
	d := &timelineView{PatientID: patientID, Filtered: len(kinds) > 0}
	filter := kindsParam(kinds)
	d.Chips = append(d.Chips, timelineChip{Label: "All", URL: base + "#timeline", HX: base + "/timeline", Current: filter == ""})
	for _, k := range medic.TimelineKinds {
		q := "?kind=" + url.QueryEscape(string(k))
		d.Chips = append(d.Chips, timelineChip{Label: k.Label(), URL: base + q + "#timeline", HX: base + "/timeline" + q, Current: filter == string(k)})
	}
	for _, it := range items {
		d.Rows = append(d.Rows, timelineRow{When: it.At.In(loc).Format("Mon 2 Jan 2006, 15:04"), DateTime: it.At.Format(time.RFC3339),
			Kind: string(it.Kind), KindLabel: it.Kind.Label(), Summary: it.Summary, EncounterID: it.EncounterID, OrderID: it.OrderID, By: it.By})
	}
	if next != "" {
		q := url.Values{"cursor": {next}}
		if filter != "" {
			q.Set("kind", filter)
		}
		d.OlderURL = base + "?" + q.Encode() + "#timeline"
		q.Set("more", "1")
		d.OlderHX = base + "/timeline?" + q.Encode()
	}
	return d
}

// timeline answers the section's htmx requests: the whole section for a
// chip (?kind=), the next rows for "Older" (?more=1). Without htmx it is
// the chart page itself.
func (h *Handler) timeline(w http.ResponseWriter, r *http.Request, v *visitor) {
	q := r.URL.Query()
	id := r.PathValue("id")
	kinds, err := medic.ParseTimelineKinds(q.Get("kind"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !isHTMX(r) {
		if err := h.app.Authorize(r.Context(), "timeline.view"); err != nil {
			h.fail(w, r, err)
			return
		}
		to := url.Values{}
		for _, k := range []string{"kind", "cursor"} {
			if s := q.Get(k); s != "" {
				to.Set(k, s)
			}
		}
		u := "/patients/" + url.PathEscape(id)
		if len(to) > 0 {
			u += "?" + to.Encode()
		}
		seeOther(w, r, u+"#timeline")
		return
	}
	items, next, err := h.app.Timeline(r.Context(), id, kinds, medic.Page{Limit: timelinePageSize, Cursor: q.Get("cursor")})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := newTimelineView(id, kinds, items, next, v.zone())
	if q.Get("more") != "" {
		h.renderPartial(w, r, "timelineItems", d)
		return
	}
	h.renderPartial(w, r, "timelineSection", d)
}
