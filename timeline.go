package medic

import (
	"context"
	"slices"
	"strings"
	"time"
)

// TimelineKind is one kind of record a chart's timeline shows.
type TimelineKind string

const (
	TimelineEncounter    TimelineKind = "encounter"
	TimelineAddendum     TimelineKind = "addendum"
	TimelineVitals       TimelineKind = "vitals"
	TimelineDiagnosis    TimelineKind = "diagnosis"
	TimelineAllergy      TimelineKind = "allergy"
	TimelineCondition    TimelineKind = "condition"
	TimelineReferral     TimelineKind = "referral"
	TimelineOrder        TimelineKind = "order"
	TimelineResult       TimelineKind = "result"
	TimelinePrescription TimelineKind = "prescription"
	TimelineSickNote     TimelineKind = "sick_note"
)

// TimelineKinds lists every kind, in the order the filter offers them.
var TimelineKinds = []TimelineKind{TimelineEncounter, TimelineAddendum, TimelineVitals, TimelineDiagnosis,
	TimelineOrder, TimelineResult, TimelinePrescription, TimelineSickNote, TimelineAllergy, TimelineCondition, TimelineReferral}

func (k TimelineKind) Valid() bool { return slices.Contains(TimelineKinds, k) }

// Label is the kind as the desk shows it.
func (k TimelineKind) Label() string {
	switch k {
	case TimelineAddendum:
		return "Addenda"
	case TimelineVitals:
		return "Vitals"
	case TimelineDiagnosis:
		return "Diagnoses"
	case TimelineAllergy:
		return "Allergies"
	case TimelineCondition:
		return "Problems"
	case TimelineSickNote:
		return "Sick notes"
	}
	return strings.ToUpper(string(k[:1])) + string(k[1:]) + "s"
}

// ParseTimelineKinds reads a filter ("vitals,encounter"); nil for all,
// EINVALID naming the field for an unknown kind.
func ParseTimelineKinds(s string) ([]TimelineKind, error) {
	var out []TimelineKind
	for _, p := range strings.Split(s, ",") {
		k := TimelineKind(strings.TrimSpace(p))
		if k == "" {
			continue
		}
		if !k.Valid() {
			return nil, &Error{Code: EINVALID, Message: "Unknown kind \"" + string(k) + "\".",
				Fields: map[string]string{"kind": "Use kinds from: " + kindList() + "."}}
		}
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out, nil
}

func kindList() string {
	s := make([]string, len(TimelineKinds))
	for i, k := range TimelineKinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

// TimelineItem is one record on a chart's timeline.
type TimelineItem struct {
	At      time.Time
	Kind    TimelineKind
	ID      string
	Summary string
	// EncounterID is the visit the record belongs to ("" for allergies and
	// problems); OrderID the order an order or result item is about (""
	// for other kinds); By is who recorded or wrote it.
	EncounterID string
	OrderID     string
	By          string
}

// TimelineService reads a chart's timeline.
type TimelineService interface {
	// Timeline pages through the chart's records of the given kinds (all
	// for none), newest first, keyset by (at, kind, id); ENOTFOUND for a
	// chart of another practice.
	Timeline(ctx context.Context, patientID string, kinds []TimelineKind, p Page) ([]*TimelineItem, string, error)
}
