package fhir

import (
	"encoding/base32"
	"encoding/binary"
	"encoding/hex"
	"strings"
	"time"

	"medic"
)

// Schedule is a practitioner's bookable time at one location, from their
// weekly rules there; its id joins the two (ScheduleID).
type Schedule struct {
	ResourceType    string      `json:"resourceType"`
	ID              string      `json:"id,omitempty"`
	Meta            *Meta       `json:"meta,omitempty"`
	Active          *bool       `json:"active,omitempty"`
	Actor           []Reference `json:"actor"`
	PlanningHorizon *Period     `json:"planningHorizon,omitempty"`
	Comment         string      `json:"comment,omitempty"`
}

// ScheduleID names a practitioner's schedule at a location (52 characters).
func ScheduleID(practitionerID, locationID string) string {
	return slotIDs.EncodeToString(appendUUID(appendUUID(nil, practitionerID), locationID))
}

// ParseScheduleID reads a ScheduleID; ok is false for anything else.
func ParseScheduleID(id string) (practitionerID, locationID string, ok bool) {
	b, err := slotIDs.DecodeString(id)
	if err != nil || len(b) != 32 {
		return "", "", false
	}
	return formatUUID(b[:16]), formatUUID(b[16:]), true
}

// FromSchedule maps a practitioner's weekly rules at location l.
func FromSchedule(p *medic.Practitioner, l *medic.Location, rules []*medic.ScheduleRule) *Schedule {
	active := p.Status == medic.PractitionerActive && l.Active && len(rules) > 0
	// No meta: a schedule is computed from rules and has no version of its own.
	r := &Schedule{ResourceType: "Schedule", ID: ScheduleID(p.ID, l.ID), Active: &active,
		Actor: []Reference{*Ref("Practitioner", p.ID, p.Name), *Ref("Location", l.ID, l.Name)}}
	var days []string
	for _, rule := range rules {
		if rule.LocationID == l.ID {
			days = append(days, rule.Weekday.String()[:3]+" "+rule.Start.String()+"-"+rule.End.String())
		}
	}
	if len(days) > 0 {
		r.Comment = "Weekly: " + strings.Join(days, ", ")
	}
	return r
}

// Slot is a bookable start time computed by the availability engine.
type Slot struct {
	ResourceType string    `json:"resourceType"`
	ID           string    `json:"id,omitempty"`
	Schedule     Reference `json:"schedule"`
	Status       string    `json:"status"`
	Start        string    `json:"start"`
	End          string    `json:"end"`
	Comment      string    `json:"comment,omitempty"`
}

// slotIDs are lower-case base32 without padding: FHIR ids allow no '_'.
var slotIDs = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// SlotID names a slot by practitioner, location and start (64 characters).
func SlotID(s medic.Slot) string {
	b := make([]byte, 0, 40)
	b = appendUUID(b, s.PractitionerID)
	b = appendUUID(b, s.LocationID)
	b = binary.BigEndian.AppendUint64(b, uint64(s.Start.Unix()))
	return slotIDs.EncodeToString(b)
}

// ParseSlotID reads a SlotID; ok is false for anything else.
func ParseSlotID(id string) (practitionerID, locationID string, start time.Time, ok bool) {
	b, err := slotIDs.DecodeString(id)
	if err != nil || len(b) != 40 {
		return "", "", time.Time{}, false
	}
	return formatUUID(b[:16]), formatUUID(b[16:32]), time.Unix(int64(binary.BigEndian.Uint64(b[32:])), 0).UTC(), true
}

func appendUUID(b []byte, id string) []byte {
	raw, err := hex.DecodeString(strings.ReplaceAll(id, "-", ""))
	if err != nil || len(raw) != 16 {
		raw = make([]byte, 16)
	}
	return append(b, raw...)
}

func formatUUID(b []byte) string {
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// FromSlot maps a computed slot: free while places remain, busy when full.
func FromSlot(s medic.Slot, loc *time.Location) *Slot {
	status := "free"
	if s.Remaining <= 0 {
		status = "busy"
	}
	return &Slot{ResourceType: "Slot", ID: SlotID(s), Schedule: *Ref("Schedule", ScheduleID(s.PractitionerID, s.LocationID), ""), Status: status,
		Start: dateTime(s.Start.In(loc)), End: dateTime(s.End.In(loc))}
}
