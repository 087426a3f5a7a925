package demo

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"medic"
)

// Prescriptions for the demo charts, issued by the practice's doctor at the
// chart's last finished visit and run through the safety checks
// (medic.CheckPrescription) as the desk runs them. The hypertension
// showcase chart gets its chronic repeat (amlodipine and
// hydrochlorothiazide, five repeats) and simvastatin, whose interaction
// with amlodipine the doctor overrides with a recorded reason; about one
// in six of the charts with a history gets a short acute course, unless a
// check fires or refuses it (a child with no weight). Each issue writes
// its audit event, override reasons included, like the app's. A chart
// that has any prescription is left alone, so a reload adds nothing.

// demoRx is one item as the loader writes it: the medicine by name and
// strength, then what the doctor typed.
type demoRx struct {
	name, strength, dose, frequency string
	days, repeats                   int
	quantity, instructions          string
	override                        string
}

// showcaseRx are the hypertension showcase chart's prescriptions at its
// last visit: the chronic repeat first, so it is current when the statin
// is checked against it.
var showcaseRx = [][]demoRx{
	{
		{name: "Amlodipine", strength: "10 mg", dose: "1 tablet", frequency: "daily", days: 30, repeats: 5, quantity: "30 tablets", instructions: "Take in the morning."},
		{name: "Hydrochlorothiazide", strength: "12.5 mg", dose: "1 tablet", frequency: "daily", days: 30, repeats: 5, quantity: "30 tablets", instructions: "Take in the morning."},
	},
	{
		{name: "Simvastatin", strength: "20 mg", dose: "1 tablet", frequency: "at night", days: 30, repeats: 5, quantity: "30 tablets",
			instructions: "Report muscle pain or weakness.",
			override:     "Kept at 20 mg a day with amlodipine as advised; LDL raised on the last bloods; told to report muscle pain."},
	},
}

// acuteRx are the short courses other charts may get.
var acuteRx = []demoRx{
	{name: "Amoxicillin", strength: "500 mg", dose: "1 capsule", frequency: "tds", days: 5, quantity: "15 capsules", instructions: "Finish the course."},
	{name: "Paracetamol", strength: "500 mg", dose: "2 tablets", frequency: "qid as needed", days: 5, quantity: "40 tablets", instructions: "At most 8 tablets in 24 hours."},
	{name: "Cetirizine", strength: "10 mg", dose: "1 tablet", frequency: "daily", days: 14, quantity: "14 tablets"},
	{name: "Ibuprofen", strength: "400 mg", dose: "1 tablet", frequency: "tds with food", days: 5, quantity: "15 tablets"},
}

func (l *loader) prescriptions(ctx context.Context, p *medic.Practice) ([]string, error) {
	doctor := medic.ActorFrom(ctx).UserID
	if doctor == "" {
		return nil, nil
	}
	zone, err := time.LoadLocation(p.TimeZone)
	if err != nil {
		return nil, err
	}
	today := medic.DateOf(l.clock.Now().In(zone))
	meds := map[string]*medic.Medicine{} // name + strength -> the practice's medicine
	medicine := func(name, strength string) (*medic.Medicine, error) {
		if m := meds[name+" "+strength]; m != nil {
			return m, nil
		}
		ms, _, err := l.s.ListMedicines(ctx, medic.MedicineFilter{Query: name + " " + strength}, medic.Page{Limit: 20})
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			if m.Name == name && m.Strength == strength {
				meds[name+" "+strength] = m
				return m, nil
			}
		}
		return nil, fmt.Errorf("no %s %s in the medicines list", name, strength)
	}
	// lastVisit is the chart's last finished visit, nil when the chart has
	// none or has a prescription already.
	lastVisit := func(pt *medic.Patient) (*medic.Encounter, error) {
		if have, _, err := l.s.ListPrescriptions(ctx, medic.PrescriptionFilter{PatientID: pt.ID}, medic.Page{Limit: 1}); err != nil || len(have) > 0 {
			return nil, err
		}
		es, _, err := l.s.ListEncounters(ctx, medic.EncounterFilter{PatientID: pt.ID, Statuses: []medic.EncounterStatus{medic.EncounterFinished}}, medic.Page{Limit: 1})
		if err != nil || len(es) == 0 {
			return nil, err
		}
		return es[0], nil
	}
	n := 0
	// issue checks and writes one prescription at e; with skipAlerts, one
	// whose checks fire or refuse it is not written (false).
	issue := func(e *medic.Encounter, rx []demoRx, skipAlerts bool) (bool, error) {
		pr := &medic.Prescription{EncounterID: e.ID, PrescriberID: doctor, IssuedAt: e.FinishedAt.In(zone)}
		ms := make([]*medic.Medicine, len(rx))
		for i, x := range rx {
			m, err := medicine(x.name, x.strength)
			if err != nil {
				return false, err
			}
			ms[i] = m
			pr.Items = append(pr.Items, &medic.PrescriptionItem{MedicineID: m.ID, MedicineLabel: m.Label(), Route: m.Route, Dose: x.dose,
				Frequency: x.frequency, DurationDays: x.days, Quantity: x.quantity, Repeats: x.repeats, Instructions: x.instructions, OverrideReason: x.override})
		}
		if err := pr.Validate(); err != nil {
			return false, err
		}
		chart, err := l.s.PrescribingChart(ctx, e.ID, medic.DateOf(pr.IssuedAt))
		if err != nil {
			return false, err
		}
		alerts, err := medic.CheckPrescription(pr.Items, ms, chart, medic.DateOf(pr.IssuedAt))
		if skipAlerts && (len(alerts) > 0 || errors.Is(err, medic.ErrNoWeight)) {
			return false, nil // a child with no weight is not given a dose-checked medicine either
		}
		if err != nil {
			return false, err
		}
		for _, al := range alerts {
			pr.Items[al.Item].Alerts = append(pr.Items[al.Item].Alerts, al.SafetyAlert)
		}
		detail := map[string]string{"items": strconv.Itoa(len(pr.Items))}
		for i, it := range pr.Items {
			if len(it.Alerts) == 0 {
				it.OverrideReason = ""
				continue
			}
			if it.OverrideReason == "" {
				return false, fmt.Errorf("%s: %s fires %s with no override reason", e.ID, it.MedicineLabel, it.Alerts[0].Kind)
			}
			kinds := make([]string, len(it.Alerts))
			for j, al := range it.Alerts {
				kinds[j] = string(al.Kind)
			}
			detail[fmt.Sprintf("override.%d", i+1)] = it.MedicineLabel + " (" + strings.Join(kinds, ", ") + "): " + it.OverrideReason
		}
		if err := l.s.CreatePrescription(ctx, pr); err != nil {
			return false, err
		}
		n++
		return true, l.s.Record(ctx, medic.AuditEvent{Action: "prescription.issued", EntityType: "prescription", EntityID: pr.ID,
			PatientID: pr.PatientID, OccurredAt: l.clock.Now(), Detail: detail})
	}
	for _, sc := range vitalsShowcases[p.Slug] {
		if sc.child {
			continue
		}
		pt, err := l.showcasePatient(ctx, sc, today)
		if err != nil {
			return nil, err
		}
		e, err := lastVisit(pt)
		if err != nil {
			return nil, err
		}
		for _, rx := range showcaseRx {
			if e == nil {
				break
			}
			if _, err := issue(e, rx, false); err != nil {
				return nil, fmt.Errorf("%s: %w", pt.FullName(), err)
			}
		}
	}
	charts, _, err := l.s.SearchPatients(ctx, medic.PatientFilter{Sort: "created"}, medic.Page{Limit: demoHistoryCharts})
	if err != nil {
		return nil, err
	}
	for _, pt := range charts {
		r := newRand("prescriptions", pt.ID)
		if r.IntN(6) != 0 {
			continue
		}
		e, err := lastVisit(pt)
		if err != nil {
			return nil, err
		}
		if e == nil {
			continue
		}
		if _, err := issue(e, []demoRx{pick(r, acuteRx)}, true); err != nil {
			return nil, fmt.Errorf("%s: %w", pt.FullName(), err)
		}
	}
	if n == 0 {
		return nil, nil
	}
	return []string{fmt.Sprintf("%d prescriptions", n)}, nil
}
