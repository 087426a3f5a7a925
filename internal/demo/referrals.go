package demo

import (
	"context"
	"fmt"
	"strings"

	"medic"
)

// Referrals for the demo charts: the hypertension showcase chart is
// referred to a cardiologist outside the practice after its last visit;
// about one in five of the charts with a history has a referral from its
// last visit, internal (to another practitioner of the practice) or
// external, most sent, some still drafts. A chart that has any referral is
// left alone, so a reload adds nothing.

var demoSpecialists = []struct{ name, speciality, facility string }{
	{"Dr Priya Naidoo", "Cardiology", "Groote Schuur Hospital"},
	{"Dr Kabelo Molefe", "Ophthalmology", "St John Eye Hospital"},
	{"Dr Anke Botha", "Dermatology", "Tygerberg Hospital"},
	{"Dr Lindiwe Khumalo", "Orthopaedics", "Chris Hani Baragwanath Hospital"},
	{"", "Physiotherapy", "Rosebank Physio Rooms"},
}

var demoReferralReasons = []string{
	"Further assessment and management advice",
	"Symptoms not settling on first-line treatment",
	"Second opinion requested by the patient",
	"Specialist review before changing treatment",
}

func (l *loader) referrals(ctx context.Context, p *medic.Practice) ([]string, error) {
	prs, _, err := l.s.ListPractitioners(ctx, medic.Page{Limit: 20})
	if err != nil {
		return nil, err
	}
	today := medic.DateOf(l.clock.Now())
	n := 0
	// refer writes one referral from the chart's last finished visit,
	// unless the chart has one already.
	refer := func(pt *medic.Patient, build func(e *medic.Encounter) *medic.Referral) error {
		if have, _, err := l.s.ListReferrals(ctx, medic.ReferralFilter{PatientID: pt.ID}, medic.Page{Limit: 1}); err != nil || len(have) > 0 {
			return err
		}
		es, _, err := l.s.ListEncounters(ctx, medic.EncounterFilter{PatientID: pt.ID, Statuses: []medic.EncounterStatus{medic.EncounterFinished}}, medic.Page{Limit: 1})
		if err != nil || len(es) == 0 {
			return err
		}
		e := es[0]
		r := build(e)
		r.EncounterID, r.CreatedAt = e.ID, e.FinishedAt
		r.Summary = demoReferralSummary(e)
		if err := r.Validate(); err != nil {
			return err
		}
		if err := l.s.CreateReferral(ctx, r); err != nil {
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
		if err := refer(pt, func(*medic.Encounter) *medic.Referral {
			return &medic.Referral{Kind: medic.ReferralExternal, ToName: "Dr Priya Naidoo", ToSpeciality: "Cardiology", ToFacility: "Groote Schuur Hospital",
				Urgency: medic.UrgencyRoutine, Reason: "Hypertension: echocardiogram and review of treatment", Status: medic.ReferralSent}
		}); err != nil {
			return nil, err
		}
	}
	charts, _, err := l.s.SearchPatients(ctx, medic.PatientFilter{Sort: "created"}, medic.Page{Limit: demoHistoryCharts})
	if err != nil {
		return nil, err
	}
	for _, pt := range charts {
		r := newRand("referrals", pt.ID)
		if r.IntN(5) != 0 {
			continue
		}
		if err := refer(pt, func(e *medic.Encounter) *medic.Referral {
			ref := &medic.Referral{Urgency: pick(r, []medic.ReferralUrgency{medic.UrgencyRoutine, medic.UrgencyRoutine, medic.UrgencyUrgent}),
				Reason: pick(r, demoReferralReasons), Status: medic.ReferralSent}
			if r.IntN(4) == 0 {
				ref.Status = medic.ReferralDraft
			}
			var colleagues []*medic.Practitioner
			for _, pr := range prs {
				if pr.ID != e.PractitionerID && pr.Status == medic.PractitionerActive {
					colleagues = append(colleagues, pr)
				}
			}
			if len(colleagues) > 0 && r.IntN(2) == 0 {
				ref.Kind, ref.ToPractitionerID = medic.ReferralInternal, pick(r, colleagues).ID
				return ref
			}
			s := pick(r, demoSpecialists)
			ref.Kind, ref.ToName, ref.ToSpeciality, ref.ToFacility = medic.ReferralExternal, s.name, s.speciality, s.facility
			return ref
		}); err != nil {
			return nil, err
		}
	}
	if n == 0 {
		return nil, nil
	}
	return []string{fmt.Sprintf("%d referrals", n)}, nil
}

// demoReferralSummary is the visit's assessment and plan, as the desk's
// form starts it.
func demoReferralSummary(e *medic.Encounter) string {
	var b strings.Builder
	for _, s := range []struct{ title, text string }{{"Assessment", e.SOAP.Assessment}, {"Plan", e.SOAP.Plan}} {
		if t := strings.TrimSpace(s.text); t != "" {
			b.WriteString(s.title + ":\n" + t + "\n\n")
		}
	}
	return strings.TrimSpace(b.String())
}
