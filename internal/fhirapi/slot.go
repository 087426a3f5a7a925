package fhirapi

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"medic"
	"medic/internal/app"
	"medic/internal/fhir"
)

func (h *Handler) slotType() *resourceType {
	return &resourceType{name: "Slot", doc: "Bookable times computed by the availability engine (the desk's view: lead time does not apply). A search covers at most 62 days; without start it covers the coming 7 days.",
		read: h.readSlot, search: h.searchSlots,
		params: []searchParam{
			{"schedule", "reference", "The Schedule (a practitioner at a location)."},
			{"start", "date", "Slot start, with prefixes eq, lt, le, gt, ge, sa, eb."},
			{"status", "token", "free (places remain) or busy (full); default both."},
		}}
}

func (h *Handler) readSlot(w http.ResponseWriter, r *http.Request, id string) {
	pid, lid, start, ok := fhir.ParseSlotID(id)
	if !ok {
		h.error(w, r, errNotFound)
		return
	}
	slots, err := h.app.Availability(r.Context(), app.AvailabilityQuery{PractitionerID: pid, LocationID: lid, From: start, To: start.Add(time.Minute), Desk: true, IncludeFull: true})
	if medic.ErrorCode(err) == medic.EINVALID {
		err = errNotFound // a practitioner or location of another practice
	}
	if err != nil {
		h.error(w, r, err)
		return
	}
	for _, sl := range slots {
		if sl.Start.Equal(start) && sl.LocationID == lid {
			h.writeResource(w, http.StatusOK, fhir.FromSlot(sl, h.location(r)))
			return
		}
	}
	h.error(w, r, errNotFound)
}

func (h *Handler) searchSlots(w http.ResponseWriter, r *http.Request, s *searchRequest) {
	q := app.AvailabilityQuery{Desk: true, IncludeFull: true}
	sched, err := s.one("schedule")
	if err != nil {
		h.error(w, r, err)
		return
	}
	if sched != "" {
		id, ok := reference(sched, "Schedule")
		pid, lid, valid := fhir.ParseScheduleID(id)
		if !ok || !valid {
			h.writeBundle(w, s, nil, "", nil)
			return
		}
		q.PractitionerID, q.LocationID = pid, lid
	}
	status, err := s.one("status")
	if err == nil && status != "" && status != "free" && status != "busy" {
		err = badRequest("status: use free or busy.")
	}
	if err != nil {
		h.error(w, r, err)
		return
	}
	span, err := dateSpan("start", s.get("start"), s.loc)
	if err != nil {
		h.error(w, r, err)
		return
	}
	now := h.app.Clock.Now()
	q.From, q.To = span.from, span.before
	if q.From.IsZero() {
		q.From = now
		if !q.To.IsZero() && q.To.Sub(q.From) > 62*24*time.Hour {
			q.From = q.To.Add(-62 * 24 * time.Hour)
		}
	}
	if q.To.IsZero() {
		q.To = q.From.Add(7 * 24 * time.Hour)
	}
	if span.empty() || !q.To.After(q.From) {
		h.writeBundle(w, s, nil, "", nil)
		return
	}
	if q.To.Sub(q.From) > 62*24*time.Hour {
		h.error(w, r, badRequest("start: search at most 62 days of slots at a time."))
		return
	}
	slots, err := h.app.Availability(r.Context(), q)
	if medic.ErrorCode(err) == medic.EINVALID && sched != "" {
		h.writeBundle(w, s, nil, "", nil) // a schedule of another practice matches nothing
		return
	} else if err != nil {
		h.error(w, r, err)
		return
	}
	var kept []medic.Slot
	for _, sl := range slots {
		if status == "" || (status == "free") == (sl.Remaining > 0) {
			kept = append(kept, sl)
		}
	}
	if s.count {
		h.writeCount(w, s, len(kept))
		return
	}
	// Keyset by (start, id): the cursor is the last slot's.
	key := func(sl medic.Slot) string { return strconv.FormatInt(sl.Start.Unix(), 10) + "." + fhir.SlotID(sl) }
	sort.SliceStable(kept, func(i, j int) bool { return slotKeyLess(key(kept[i]), key(kept[j])) })
	var after string
	if s.page.Cursor != "" {
		after = s.page.Cursor
	}
	limit := s.page.Normalize().Limit
	var page []medic.Slot
	next := ""
	for _, sl := range kept {
		if after != "" && slotKeyLess(key(sl), after) {
			continue
		}
		if after != "" && key(sl) == after {
			continue
		}
		if len(page) == limit {
			next = key(page[len(page)-1])
			break
		}
		page = append(page, sl)
	}
	loc := h.location(r)
	entries := make([]entry, len(page))
	for i, sl := range page {
		res := fhir.FromSlot(sl, loc)
		entries[i] = entry{typ: "Slot", id: res.ID, res: res}
	}
	h.writeBundle(w, s, entries, next, nil)
}

// slotKeyLess orders "unix.id" keys by time, then id.
func slotKeyLess(a, b string) bool {
	at, aid, _ := strings.Cut(a, ".")
	bt, bid, _ := strings.Cut(b, ".")
	an, _ := strconv.ParseInt(at, 10, 64)
	bn, _ := strconv.ParseInt(bt, 10, 64)
	if an != bn {
		return an < bn
	}
	return aid < bid
}
