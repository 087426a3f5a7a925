package demo

import (
	"context"
	"fmt"
	"time"

	"medic"
)

// Sick notes for the demo charts, issued by the practice's doctor at the
// chart's last finished visit: the hypertension showcase chart's with the
// patient's consent to show its diagnosis, and about one in six of the
// charts with a history without it (some fit for light duty, some on the
// patient's report). A chart that has any sick note is left alone, so a
// reload adds nothing.

func (l *loader) sickNotes(ctx context.Context, p *medic.Practice) ([]string, error) {
	doctor := medic.ActorFrom(ctx).UserID
	if doctor == "" {
		return nil, nil
	}
	zone, err := time.LoadLocation(p.TimeZone)
	if err != nil {
		return nil, err
	}
	today := medic.DateOf(l.clock.Now().In(zone))
	n := 0
	// issue writes one note from the chart's last finished visit, unless
	// the chart has one already.
	issue := func(pt *medic.Patient, days int, fitness medic.SickNoteFitness, basis medic.SickNoteBasis, consent bool) error {
		if have, _, err := l.s.ListSickNotes(ctx, medic.SickNoteFilter{PatientID: pt.ID}, medic.Page{Limit: 1}); err != nil || len(have) > 0 {
			return err
		}
		es, _, err := l.s.ListEncounters(ctx, medic.EncounterFilter{PatientID: pt.ID, Statuses: []medic.EncounterStatus{medic.EncounterFinished}}, medic.Page{Limit: 1})
		if err != nil || len(es) == 0 {
			return err
		}
		e := es[0]
		code, err := medic.NewSickNoteCode()
		if err != nil {
			return err
		}
		from := medic.DateOf(e.StartedAt.In(zone))
		sn := &medic.SickNote{EncounterID: e.ID, IssuedBy: doctor, ExaminedAt: e.StartedAt, Basis: basis, Fitness: fitness,
			From: from, To: from.AddDays(days - 1), IssuedAt: e.FinishedAt, VerificationCode: code}
		if consent {
			if sn.Diagnosis, err = l.s.PrimaryDiagnosis(ctx, e.ID); err != nil {
				return err
			}
			if sn.Diagnosis != "" {
				sn.DiagnosisConsent, sn.ConsentRecordedBy, sn.ConsentRecordedAt = true, doctor, e.FinishedAt
			}
		}
		if err := sn.Validate(e.FinishedAt, zone); err != nil {
			return fmt.Errorf("%s: %w", pt.FullName(), err)
		}
		if err := l.s.CreateSickNote(ctx, sn); err != nil {
			return fmt.Errorf("%s: %w", pt.FullName(), err)
		}
		n++
		return nil
	}
	for _, sc := range vitalsShowcases[p.Slug] {
		if sc.child {
			continue
		}
		pt, err := l.showcasePatient(ctx, sc, today)
		if err != nil {
			return nil, err
		}
		if err := issue(pt, 3, medic.FitnessUnfit, medic.BasisExamined, true); err != nil {
			return nil, err
		}
	}
	charts, _, err := l.s.SearchPatients(ctx, medic.PatientFilter{Sort: "created"}, medic.Page{Limit: demoHistoryCharts})
	if err != nil {
		return nil, err
	}
	for _, pt := range charts {
		r := newRand("sick-notes", pt.ID)
		if r.IntN(6) != 0 {
			continue
		}
		fitness, basis := medic.FitnessUnfit, medic.BasisExamined
		if r.IntN(4) == 0 {
			fitness = medic.FitnessLightDuty
		}
		if r.IntN(5) == 0 {
			basis = medic.BasisReported
		}
		if err := issue(pt, 1+r.IntN(5), fitness, basis, false); err != nil {
			return nil, err
		}
	}
	if n == 0 {
		return nil, nil
	}
	return []string{fmt.Sprintf("%d sick notes", n)}, nil
}
