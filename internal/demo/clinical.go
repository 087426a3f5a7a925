package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"medic"
)

// Demo encounters: the first demoHistoryCharts charts of each practice get
// 1 to 8 finished visits spread over the last two years, each written from
// the template that fits the patient (well-child for young children,
// antenatal for some women of child-bearing age, chronic follow-up for
// most adults over 45, else a general consultation) with varying text; and
// today's queue holds visits at every open stage. Everything comes from a
// seed of the chart's email or name (demoEncounterRand), so another part
// of the demo can hook in with the same numbers. A chart that has any
// encounter is left alone and the queue is filled only when the practice
// has no open visit today, so a reload adds nothing.
const demoHistoryCharts = 60

// demoEncounterRand is the seed of a chart's demo visits.
func demoEncounterRand(p *medic.Patient) *rand.Rand {
	return newRand("encounters", p.Email, p.GivenName, p.FamilyName, p.DateOfBirth.String())
}

func (l *loader) encounters(ctx context.Context, p *medic.Practice, locs []*medic.Location) ([]string, error) {
	if len(locs) == 0 {
		return nil, nil
	}
	zone, err := time.LoadLocation(p.TimeZone)
	if err != nil {
		return nil, err
	}
	now := l.clock.Now()
	today := medic.DateOf(now.In(zone))
	prs, _, err := l.s.ListPractitioners(ctx, medic.Page{Limit: 20})
	if err != nil {
		return nil, err
	}
	var active []*medic.Practitioner
	for _, pr := range prs {
		if pr.Status == medic.PractitionerActive {
			active = append(active, pr)
		}
	}
	if len(active) == 0 {
		return nil, fmt.Errorf("no active practitioner for the demo encounters")
	}
	charts, _, err := l.s.SearchPatients(ctx, medic.PatientFilter{Sort: "created"}, medic.Page{Limit: demoHistoryCharts})
	if err != nil {
		return nil, err
	}
	orderers, err := l.orderers(ctx, active)
	if err != nil {
		return nil, err
	}
	var what []string
	visits, orders := 0, 0
	for _, pt := range charts {
		have, _, err := l.s.ListEncounters(ctx, medic.EncounterFilter{PatientID: pt.ID}, medic.Page{Limit: 1})
		if err != nil {
			return nil, err
		}
		if len(have) > 0 {
			continue
		}
		r := demoEncounterRand(pt)
		n := 1 + r.IntN(8)
		days := make([]int, n)
		for i := range days {
			days[i] = 1 + r.IntN(730)
		}
		slices.Sort(days)
		slices.Reverse(days) // oldest first
		for _, ago := range days {
			at := today.AddDays(-ago).In(zone).Add(time.Duration(8*60+r.IntN(8*60)) * time.Minute)
			pr := pick(r, active)
			e := &medic.Encounter{PatientID: pt.ID, PractitionerID: pr.ID, LocationID: practitionerLocation(pr, locs), Stage: medic.StageConsultation,
				StartedAt: at, StageSince: at}
			if err := l.s.CreateEncounter(ctx, e); err != nil {
				return nil, fmt.Errorf("%s: %w", pt.FullName(), err)
			}
			// Tests are ordered while the visit is open (orders.go).
			n, err := l.visitOrders(ctx, e, pt, at, ago, orderers[pr.ID])
			if err != nil {
				return nil, fmt.Errorf("orders of %s: %w", pt.FullName(), err)
			}
			orders += n
			e.SOAP = demoNote(r, pt, medic.DateOf(at.In(zone)))
			e.Stage, e.StageSince = medic.StageClosure, at.Add(time.Duration(10+r.IntN(20))*time.Minute)
			e.Status, e.FinishedAt = medic.EncounterFinished, e.StageSince.Add(5*time.Minute)
			if err := e.SOAP.Validate(); err != nil {
				return nil, err
			}
			if err := l.s.SaveEncounter(ctx, e); err != nil {
				return nil, fmt.Errorf("%s: %w", pt.FullName(), err)
			}
			visits++
		}
	}
	if visits > 0 {
		what = append(what, fmt.Sprintf("%d past encounters", visits))
	}
	if orders > 0 {
		what = append(what, fmt.Sprintf("%d orders with their results", orders))
	}
	q, err := l.queue(ctx, charts, active, locs, now, zone)
	if err != nil {
		return nil, err
	}
	return append(what, q...), nil
}

// practitionerLocation is where pr works (the first location otherwise).
func practitionerLocation(pr *medic.Practitioner, locs []*medic.Location) string {
	for _, a := range pr.Assignments {
		for _, l := range locs {
			if l.ID == a.LocationID {
				return l.ID
			}
		}
	}
	return locs[0].ID
}

// queue fills today's board: visits waiting at registration, assessment,
// consultation and counselling, started from today's booked appointments
// (checked in, then in progress) where there are some, else as walk-ins.
// Open demo visits of earlier days are finished first, so the board shows
// today only.
func (l *loader) queue(ctx context.Context, charts []*medic.Patient, prs []*medic.Practitioner, locs []*medic.Location, now time.Time, zone *time.Location) ([]string, error) {
	open, err := l.s.Queue(ctx, "")
	if err != nil {
		return nil, err
	}
	start := medic.DateOf(now.In(zone)).In(zone)
	var what []string
	for _, e := range open {
		if !e.StartedAt.Before(start) {
			return what, nil // today's queue is there
		}
		if e.CreatedBy != "" {
			continue // a member's visit: theirs to finish
		}
		e.Status, e.FinishedAt = medic.EncounterFinished, now
		if err := l.s.SaveEncounter(ctx, e); err != nil {
			return nil, err
		}
		what = append(what, "yesterday's open demo visit finished")
	}
	aps, _, err := l.s.ListAppointments(ctx, medic.AppointmentFilter{From: start, To: start.Add(24 * time.Hour), Statuses: []medic.AppointmentStatus{medic.StatusBooked}}, medic.Page{Limit: 10})
	if err != nil {
		return nil, err
	}
	stages := []medic.EncounterStage{medic.StageRegistration, medic.StageAssessment, medic.StageAssessment, medic.StageConsultation, medic.StageCounselling, medic.StageRegistration}
	r := newRand("queue", start.Format("2006-01-02"))
	for i, stage := range stages {
		e := &medic.Encounter{Stage: stage, StartedAt: now.Add(-time.Duration(15+10*(len(stages)-i)+r.IntN(10)) * time.Minute)}
		e.StageSince = now.Add(-time.Duration(2+r.IntN(25)) * time.Minute)
		if i < len(aps) {
			ap := aps[i]
			for _, to := range []medic.AppointmentStatus{medic.StatusCheckedIn, medic.StatusInProgress} {
				if err := l.s.SetAppointmentStatus(ctx, ap.ID, ap.Status, to, ""); err != nil {
					return nil, err
				}
				ap.Status = to
			}
			e.PatientID, e.PractitionerID, e.LocationID, e.AppointmentID = ap.PatientID, ap.PractitionerID, ap.LocationID, ap.ID
		} else {
			pr := pick(r, prs)
			e.PatientID, e.PractitionerID, e.LocationID = charts[(7*i+3)%len(charts)].ID, pr.ID, practitionerLocation(pr, locs)
		}
		if stage == medic.StageConsultation || stage == medic.StageCounselling {
			e.SOAP.Subjective = "Presenting complaint: " + pick(r, generalCases).complaint
		}
		if err := l.s.CreateEncounter(ctx, e); err != nil {
			return nil, err
		}
	}
	return append(what, fmt.Sprintf("%d visits in today's queue", len(stages))), nil
}

// generalCase is one consultation of the general template.
type generalCase struct{ complaint, history, findings, assessment, plan string }

var generalCases = []generalCase{
	{"sore throat and fever for 2 days", "No cough. Eating less.", "T 38.2 C. Tonsils enlarged with exudate, tender anterior nodes.", "Acute tonsillitis (Centor 4).", "Phenoxymethylpenicillin 500 mg 12-hourly for 10 days; paracetamol; fluids. Return if unable to swallow."},
	{"cough for a week", "Dry cough, worse at night. No shortness of breath.", "Chest clear. SpO2 98%.", "Acute viral bronchitis.", "Steam, honey and lemon; no antibiotic needed. Return if fever or short of breath."},
	{"burning on passing urine", "Frequency for 3 days, no loin pain.", "Afebrile; suprapubic tenderness. Dipstick: leucocytes and nitrites positive.", "Uncomplicated cystitis.", "Nitrofurantoin 100 mg 6-hourly for 5 days; fluids. Urine culture if not better in 48 hours."},
	{"lower back pain after lifting", "Started 4 days ago; no leg weakness, no bladder change.", "Paraspinal spasm; straight-leg raise negative; power and reflexes normal.", "Mechanical low back pain.", "Ibuprofen 400 mg 8-hourly with meals for 5 days; keep active; back-care advice. Review in 2 weeks if not better."},
	{"itchy rash on both arms", "New washing powder a week ago.", "Erythematous papular rash on forearms, no blisters.", "Contact dermatitis.", "Stop the new powder; hydrocortisone 1% cream twice daily for 7 days; emollient."},
	{"headaches for a month", "Band-like, end of the working day; screen work.", "BP 124/78. Fundi normal; no neurological signs.", "Tension-type headache.", "Regular breaks, posture, fluids; paracetamol when needed (not more than 10 days a month). Headache diary."},
	{"diarrhoea since yesterday", "Six loose stools, no blood. Ate out on Saturday.", "Mildly dry; abdomen soft, non-tender.", "Acute gastroenteritis.", "Oral rehydration solution; light diet; return if blood, fever or unable to keep fluids down."},
	{"blocked nose and facial pain", "Ten days after a cold.", "Tender maxillary sinuses; afebrile.", "Acute sinusitis.", "Saline rinses; steam; analgesia. Amoxicillin only if not better in 7 days."},
	{"painful right ear", "Swimming last week.", "Canal swollen and tender; drum not seen.", "Otitis externa.", "Ciprofloxacin ear drops 3 drops twice daily for 7 days; keep the ear dry."},
	{"tiredness", "Three months; heavy periods.", "Pale conjunctivae. Pulse 96.", "Possible iron-deficiency anaemia.", "FBC, ferritin. Ferrous sulphate pending results. Review with results in 1 week."},
}

// demoNote writes a visit's SOAP note from the template that fits the
// patient on day, with text varying by r.
func demoNote(r *rand.Rand, pt *medic.Patient, day medic.Date) medic.SOAP {
	age := ageYears(pt.DateOfBirth, day)
	switch {
	case age < 6:
		w := 3.3 + 2.2*float64(min(age, 5)) + r.Float64()
		return medic.SOAP{
			Subjective: fmt.Sprintf("Feeding: %s.\nSleep: %s.\nDevelopmental milestones: %s.\nParent's concerns: %s.",
				pick(r, []string{"breastfed well", "eating family food", "good appetite", "fussy eater"}),
				pick(r, []string{"sleeps through", "wakes once a night", "naps twice a day"}),
				pick(r, []string{"on track for age", "walking and saying a few words", "running, short sentences"}),
				pick(r, []string{"none", "a runny nose last week", "teething"})),
			Objective:  fmt.Sprintf("Weight %.1f kg, plotted on the road-to-health chart.\nGeneral examination: well, active child.", w),
			Assessment: "Growth and development: on track.",
			Plan:       pick(r, []string{"Immunisations given today as per schedule.", "Vitamin A given; deworming.", "Anticipatory guidance on safety at home."}) + "\nNext visit as per the road-to-health booklet.",
		}
	case pt.Sex == medic.SexFemale && age >= 18 && age <= 40 && r.IntN(4) == 0:
		weeks := 12 + r.IntN(26)
		return medic.SOAP{
			Subjective: fmt.Sprintf("Gestation: %d weeks.\nFetal movements: %s.\nNo bleeding, leaking, headache or swelling.", weeks, pick(r, []string{"felt daily", "not yet felt", "active"})),
			Objective:  fmt.Sprintf("BP %d/%d. Urine dipstick: negative.\nSymphysis-fundal height %d cm. Fetal heart rate %d.", 104+r.IntN(20), 62+r.IntN(16), weeks-1+r.IntN(3), 130+r.IntN(25)),
			Assessment: "Pregnancy progressing normally.",
			Plan:       "Iron, folate and calcium supplements.\nDanger signs explained.\nNext visit in " + pick(r, []string{"4 weeks.", "2 weeks.", "6 weeks."}),
		}
	case age >= 45 && r.IntN(3) > 0:
		sys, dia := 126+r.IntN(34), 78+r.IntN(18)
		control := "good"
		if sys >= 145 {
			control = "fair"
		}
		return medic.SOAP{
			Subjective: fmt.Sprintf("Adherence to medication: %s.\nSide effects: %s.\nNo chest pain, headache or visual change.",
				pick(r, []string{"takes every dose", "misses a dose a week", "ran out for 3 days"}), pick(r, []string{"none", "ankle swelling", "dry cough"})),
			Objective:  fmt.Sprintf("BP %d/%d (seated, two readings).\nWeight %d kg. Foot examination normal.", sys, dia, 62+r.IntN(45)),
			Assessment: "Hypertension" + pick(r, []string{"", " and type 2 diabetes"}) + ". Control: " + control + ".",
			Plan:       pick(r, []string{"Continue current treatment.", "Increase amlodipine to 10 mg daily.", "Add hydrochlorothiazide 12.5 mg daily."}) + "\nBloods due: HbA1c, creatinine.\nNext review in " + pick(r, []string{"3 months.", "6 weeks.", "6 months."}),
		}
	}
	c := pick(r, generalCases)
	return medic.SOAP{
		Subjective: "Presenting complaint: " + c.complaint + ".\nHistory: " + c.history + "\nMedication and allergies reviewed.",
		Objective:  c.findings,
		Assessment: c.assessment,
		Plan:       c.plan,
	}
}

// ageYears is the age in whole years on day.
func ageYears(dob, day medic.Date) int {
	age := day.Year() - dob.Year()
	if day.Month() < dob.Month() || day.Month() == dob.Month() && day.Day() < dob.Day() {
		age--
	}
	return max(age, 0)
}
