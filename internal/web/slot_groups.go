package web

import (
	"slices"
	"strings"
	"time"

	"medic"
)

// slotGroup is one heading of a slot picker: a practitioner's open times,
// or (Title "") every time once, when the visitor asked for anyone.
type slotGroup[T any] struct {
	Title string
	Slots []T
}

// arrangeSlots orders a day's slots as the pickers show them. With
// perTime (anyone available), one slot per start: the first with room
// (several practitioners free at 09:00 are one button, not three). Else a
// group per practitioner, by name, each in time order.
func arrangeSlots(ss []medic.Slot, perTime bool, name func(id string) string) []slotGroup[medic.Slot] {
	if len(ss) == 0 {
		return nil
	}
	if perTime {
		var out []medic.Slot
		at := map[int64]int{} // start -> index in out
		for _, s := range ss {
			k := s.Start.Unix()
			i, seen := at[k]
			switch {
			case !seen:
				at[k] = len(out)
				out = append(out, s)
			case out[i].Remaining <= 0 && s.Remaining > 0:
				out[i] = s // a full one only stands in until one with room comes
			}
		}
		slices.SortStableFunc(out, func(a, b medic.Slot) int { return a.Start.Compare(b.Start) })
		return []slotGroup[medic.Slot]{{Slots: out}}
	}
	by := map[string]*slotGroup[medic.Slot]{}
	var order []string
	for _, s := range ss {
		g := by[s.PractitionerID]
		if g == nil {
			g = &slotGroup[medic.Slot]{Title: name(s.PractitionerID)}
			by[s.PractitionerID] = g
			order = append(order, s.PractitionerID)
		}
		g.Slots = append(g.Slots, s)
	}
	out := make([]slotGroup[medic.Slot], 0, len(order))
	for _, id := range order {
		g := by[id]
		slices.SortStableFunc(g.Slots, func(a, b medic.Slot) int { return a.Start.Compare(b.Start) })
		out = append(out, *g)
	}
	slices.SortStableFunc(out, func(a, b slotGroup[medic.Slot]) int { return strings.Compare(a.Title, b.Title) })
	return out
}

// flatSlots are a picker's slots in the order shown.
func flatSlots(gs []slotGroup[medic.Slot]) []medic.Slot {
	var out []medic.Slot
	for _, g := range gs {
		out = append(out, g.Slots...)
	}
	return out
}

// zoneNote says which time zone a picker's times are in; the page's
// script hides it when the visitor's browser is in the same zone (without
// script it stays: true, if sometimes needless).
type zoneNote struct {
	Name  string // IANA name, compared with the browser's
	Label string // "Africa/Johannesburg (SAST, UTC+02:00)"
}

func newZoneNote(loc *time.Location, at time.Time) zoneNote {
	abbr := at.In(loc).Format("MST")
	off := at.In(loc).Format("-07:00")
	label := loc.String() + " (UTC" + off + ")"
	if !strings.HasPrefix(abbr, "+") && !strings.HasPrefix(abbr, "-") {
		label = loc.String() + " (" + abbr + ", UTC" + off + ")"
	}
	return zoneNote{Name: loc.String(), Label: label}
}
