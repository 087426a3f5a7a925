package postgres_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"medic"
	"medic/internal/postgres/pgtest"
)

// timelineFixture is a chart with one record of every kind, several at the
// same instant (the clock stands still), so paging must break ties by
// kind and id.
func timelineFixture(t *testing.T, db *pgtest.DB, slug string) (*schedFixture, *medic.Encounter, *medic.Referral) {
	t.Helper()
	f := newSchedFixture(t, db, slug)
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	db.Clock = medic.ClockFunc(func() time.Time { return now })
	old := &medic.Encounter{PatientID: f.pat.ID, PractitionerID: f.pr.ID, LocationID: f.loc.ID, StartedAt: now.Add(-72 * time.Hour),
		SOAP: medic.SOAP{Assessment: "Essential hypertension\nstable"}}
	if err := db.CreateEncounter(f.ctx, old); err != nil {
		t.Fatal(err)
	}
	e := &medic.Encounter{PatientID: f.pat.ID, PractitionerID: f.pr.ID, LocationID: f.loc.ID, StartedAt: now}
	if err := db.CreateEncounter(f.ctx, e); err != nil {
		t.Fatal(err)
	}
	sys, dia, pulse, w := 150.0, 95.0, 80.0, 82.5
	for i, at := range []time.Time{now.Add(-72 * time.Hour), now, now} {
		enc := e.ID
		if i == 0 {
			enc = old.ID
		}
		if err := db.CreateVitals(f.ctx, &medic.Vitals{EncounterID: enc, MeasuredAt: at, SystolicMmHg: &sys, DiastolicMmHg: &dia, PulseBPM: &pulse, WeightKg: &w}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.AddDiagnosis(f.ctx, &medic.Diagnosis{EncounterID: e.ID, Code: "I10", Primary: true}); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateAllergy(f.ctx, &medic.Allergy{PatientID: f.pat.ID, Substance: "Penicillin", Reaction: "Rash", Severity: medic.SeveritySevere}); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateCondition(f.ctx, &medic.Condition{PatientID: f.pat.ID, Code: "I10", Onset: medic.NewDate(2020, 1, 1), Status: medic.ConditionActive}); err != nil {
		t.Fatal(err)
	}
	r := &medic.Referral{EncounterID: e.ID, Kind: medic.ReferralExternal, ToName: "Dr P. Naidoo", ToSpeciality: "Cardiology",
		ToFacility: "Groote Schuur Hospital", Urgency: medic.UrgencyUrgent, Reason: "Resistant hypertension", Status: medic.ReferralSent}
	if err := db.CreateReferral(f.ctx, r); err != nil {
		t.Fatal(err)
	}
	// An order at the old visit with a result a day later, and one at
	// today's visit still outstanding (at the same instant as today's
	// vitals, diagnosis and referral).
	oldOrder := &medic.Order{EncounterID: old.ID, Kind: medic.OrderLab, Code: "FBC", Description: "Full blood count", OrderedAt: now.Add(-72 * time.Hour)}
	if err := oldOrder.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateOrder(f.ctx, oldOrder); err != nil {
		t.Fatal(err)
	}
	res, err := medic.ResultInput{Name: "Haemoglobin", Value: "9.8", Unit: "g/dL", RefLow: "12", RefHigh: "15.5"}.Result()
	if err != nil {
		t.Fatal(err)
	}
	res.OrderID, res.EnteredAt = oldOrder.ID, now.Add(-48*time.Hour)
	if _, err := db.AddOrderResult(f.ctx, res); err != nil {
		t.Fatal(err)
	}
	newOrder := &medic.Order{EncounterID: e.ID, Kind: medic.OrderImaging, Code: "CXR", Description: "Chest X-ray", Urgency: medic.OrderUrgent}
	if err := db.CreateOrder(f.ctx, newOrder); err != nil {
		t.Fatal(err)
	}
	old.Status, old.FinishedAt = medic.EncounterFinished, now.Add(-71*time.Hour)
	if err := db.SaveEncounter(f.ctx, old); err != nil {
		t.Fatal(err)
	}
	if err := db.AddAddendum(f.ctx, &medic.Addendum{EncounterID: old.ID, Text: "Repeat BP 138/88", Reason: "Late reading", AuthorName: "Dr Naledi Khumalo"}); err != nil {
		t.Fatal(err)
	}
	return f, e, r
}

func TestTimelineStore(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	f, e, r := timelineFixture(t, db, "timeline")
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC) // the fixture's clock

	all, next, err := db.Timeline(f.ctx, f.pat.ID, nil, medic.Page{Limit: 100})
	if err != nil || next != "" {
		t.Fatalf("timeline: next %q, %v", next, err)
	}
	count := map[medic.TimelineKind]int{}
	for i, it := range all {
		count[it.Kind]++
		if i > 0 {
			p := all[i-1]
			if p.At.Before(it.At) || p.At.Equal(it.At) && (p.Kind < it.Kind || p.Kind == it.Kind && p.ID < it.ID) {
				t.Errorf("item %d (%s %s) sorts before item %d (%s %s)", i, it.Kind, it.At, i-1, p.Kind, p.At)
			}
		}
	}
	want := map[medic.TimelineKind]int{"encounter": 2, "addendum": 1, "vitals": 3, "diagnosis": 1, "allergy": 1, "condition": 1, "referral": 1,
		"order": 2, "result": 1}
	for k, n := range want {
		if count[k] != n {
			t.Errorf("%d %s items, want %d (%v)", count[k], k, n, count)
		}
	}
	summaries := map[medic.TimelineKind]string{}
	for _, it := range all {
		summaries[it.Kind] += it.Summary + "|"
	}
	for k, s := range map[medic.TimelineKind]string{
		"encounter": "Visit with Dr Naledi Khumalo at Rosebank rooms: Essential hypertension",
		"addendum":  "Addendum by Dr Naledi Khumalo (reason: Late reading): Repeat BP 138/88",
		"vitals":    "BP 150/95 mmHg, pulse 80/min, weight 82.5 kg",
		"diagnosis": "I10 Essential (primary) hypertension (primary)",
		"allergy":   "Allergy: Penicillin (severe): Rash",
		"condition": "since 2020-01-01",
		"referral":  "Referral (external, urgent, sent) to Dr P. Naidoo, Groote Schuur Hospital (Cardiology): Resistant hypertension",
		"order":     "Order (imaging, urgent, ordered): Chest X-ray (CXR)|Order (lab, resulted): Full blood count (FBC)|",
		"result":    "Result of Full blood count (FBC): Haemoglobin 9.8 g/dL, LOW, range 12–15.5|",
	} {
		if !strings.Contains(summaries[k], s) {
			t.Errorf("%s summaries %q, want %q in them", k, summaries[k], s)
		}
	}
	for _, it := range all {
		if it.Kind == medic.TimelineReferral && (it.ID != r.ID || it.EncounterID != e.ID) {
			t.Errorf("referral item %+v", it)
		}
		// Orders and results name their order and visit.
		if it.Kind == medic.TimelineResult && (it.OrderID == "" || it.EncounterID == "" || !it.At.Equal(now.Add(-48*time.Hour))) ||
			it.Kind == medic.TimelineOrder && (it.OrderID != it.ID || it.EncounterID == "") ||
			it.Kind != medic.TimelineOrder && it.Kind != medic.TimelineResult && it.OrderID != "" {
			t.Errorf("%s item %+v", it.Kind, it)
		}
	}

	// Every page size walks the same list.
	for _, limit := range []int{1, 2, 3, 5} {
		var got []*medic.TimelineItem
		page := medic.Page{Limit: limit}
		for n := 0; ; n++ {
			items, next, err := db.Timeline(f.ctx, f.pat.ID, nil, page)
			if err != nil || n > 20 {
				t.Fatalf("limit %d page %d: %v", limit, n, err)
			}
			got = append(got, items...)
			if next == "" {
				break
			}
			page.Cursor = next
		}
		if !slices.EqualFunc(got, all, func(a, b *medic.TimelineItem) bool { return a.ID == b.ID && a.Kind == b.Kind }) {
			t.Errorf("limit %d: paged walk differs from the one page", limit)
		}
	}

	// A filter keeps the order of what it keeps.
	kinds := []medic.TimelineKind{medic.TimelineVitals, medic.TimelineEncounter}
	got, _, err := db.Timeline(f.ctx, f.pat.ID, kinds, medic.Page{Limit: 2})
	if err != nil || len(got) != 2 {
		t.Fatalf("filtered: %d items, %v", len(got), err)
	}
	var wantIDs []string
	for _, it := range all {
		if slices.Contains(kinds, it.Kind) {
			wantIDs = append(wantIDs, it.ID)
		}
	}
	if got[0].ID != wantIDs[0] || got[1].ID != wantIDs[1] {
		t.Errorf("filtered page %v %v, want %v", got[0], got[1], wantIDs[:2])
	}

	// Orders and results alone, a page of one at a time: the same items in
	// the same order as in the whole timeline.
	kinds = []medic.TimelineKind{medic.TimelineResult, medic.TimelineOrder}
	var wantOR, gotOR []string
	for _, it := range all {
		if slices.Contains(kinds, it.Kind) {
			wantOR = append(wantOR, string(it.Kind)+" "+it.ID)
		}
	}
	page := medic.Page{Limit: 1}
	for n := 0; ; n++ {
		items, next, err := db.Timeline(f.ctx, f.pat.ID, kinds, page)
		if err != nil || n > 10 {
			t.Fatalf("orders and results page %d: %v", n, err)
		}
		for _, it := range items {
			gotOR = append(gotOR, string(it.Kind)+" "+it.ID)
		}
		if next == "" {
			break
		}
		page.Cursor = next
	}
	if len(wantOR) != 3 || !slices.Equal(gotOR, wantOR) {
		t.Errorf("orders and results paged %v, want %v", gotOR, wantOR)
	}

	// Practice B: A's chart is not found, and B's own chart shows none of
	// A's orders or results.
	b := newSchedFixture(t, db, "timelineb")
	if _, _, err := db.Timeline(b.ctx, f.pat.ID, kinds, medic.Page{}); medic.ErrorCode(err) != medic.ENOTFOUND {
		t.Errorf("practice B reads A's timeline: %v, want ENOTFOUND", err)
	}
	if items, _, err := db.Timeline(b.ctx, b.pat.ID, nil, medic.Page{Limit: 100}); err != nil || len(items) != 0 {
		t.Errorf("practice B's own chart: %d items, %v", len(items), err)
	}

	if _, _, err := db.Timeline(f.ctx, f.pat.ID, nil, medic.Page{Cursor: "nonsense"}); medic.ErrorCode(err) != medic.EINVALID {
		t.Errorf("bad cursor: %v, want EINVALID", err)
	}
	if _, _, err := db.Timeline(f.ctx, "5a3c2b1e-0000-4000-8000-000000000000", nil, medic.Page{}); medic.ErrorCode(err) != medic.ENOTFOUND {
		t.Errorf("unknown chart: %v, want ENOTFOUND", err)
	}
}

func TestReferralStore(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	f, e, sent := timelineFixture(t, db, "referrals")
	if sent.Status != medic.ReferralSent || sent.SentAt.IsZero() || sent.PatientID != f.pat.ID || sent.PatientName != "Thabo Nkosi" {
		t.Fatalf("sent referral: %+v", sent)
	}
	in := &medic.Referral{EncounterID: e.ID, Kind: medic.ReferralInternal, ToPractitionerID: f.pr.ID, Urgency: medic.UrgencyRoutine,
		Reason: "Second opinion", Summary: "BP 150/95", Status: medic.ReferralDraft}
	if err := db.CreateReferral(f.ctx, in); err != nil {
		t.Fatal(err)
	}
	if in.ToName != f.pr.Name || in.Status != medic.ReferralDraft {
		t.Errorf("internal referral: %+v", in)
	}
	mine, _, err := db.ListReferrals(f.ctx, medic.ReferralFilter{ToPractitionerID: f.pr.ID}, medic.Page{})
	if err != nil || len(mine) != 1 || mine[0].ID != in.ID {
		t.Errorf("referred to the practitioner: %v, %v", mine, err)
	}
	if _, err := db.SetReferralStatus(f.ctx, sent.ID, medic.ReferralSent); medic.ErrorCode(err) != medic.ECONFLICT {
		t.Errorf("sending a sent referral: %v, want ECONFLICT", err)
	}
	got, err := db.SetReferralStatus(f.ctx, in.ID, medic.ReferralSent)
	if err != nil || got.Status != medic.ReferralSent || got.SentAt.IsZero() {
		t.Fatalf("send: %+v, %v", got, err)
	}
	if got, err = db.SetReferralStatus(f.ctx, in.ID, medic.ReferralCancelled); err != nil || got.Status != medic.ReferralCancelled {
		t.Fatalf("cancel: %+v, %v", got, err)
	}
	if _, err := db.SetReferralStatus(f.ctx, in.ID, medic.ReferralSent); medic.ErrorCode(err) != medic.ECONFLICT {
		t.Errorf("sending a cancelled referral: %v, want ECONFLICT", err)
	}
	rs, _, err := db.ListReferrals(f.ctx, medic.ReferralFilter{PatientID: f.pat.ID}, medic.Page{Limit: 1})
	if err != nil || len(rs) != 1 {
		t.Fatalf("chart's referrals: %v, %v", rs, err)
	}

	// Practice B: nothing of A's, and no referral on A's encounter or to A's practitioner.
	b := newSchedFixture(t, db, "referralsb")
	for name, err := range map[string]error{
		"find": func() error { _, err := db.FindReferral(b.ctx, sent.ID); return err }(),
		"send": func() error { _, err := db.SetReferralStatus(b.ctx, sent.ID, medic.ReferralCancelled); return err }(),
		"create on A's encounter": db.CreateReferral(b.ctx, &medic.Referral{EncounterID: e.ID, Kind: medic.ReferralExternal, ToName: "x",
			Urgency: medic.UrgencyRoutine, Reason: "x"}),
		"timeline": func() error { _, _, err := db.Timeline(b.ctx, f.pat.ID, nil, medic.Page{}); return err }(),
	} {
		if medic.ErrorCode(err) != medic.ENOTFOUND {
			t.Errorf("practice B %s: %v, want ENOTFOUND", name, err)
		}
	}
	bEnc := b.mustEncounter(t, "")
	err = db.CreateReferral(b.ctx, &medic.Referral{EncounterID: bEnc.ID, Kind: medic.ReferralInternal, ToPractitionerID: f.pr.ID, Urgency: medic.UrgencyRoutine, Reason: "x"})
	if medic.ErrorCode(err) != medic.EINVALID {
		t.Errorf("practice B referring to A's practitioner: %v, want EINVALID", err)
	}
	for _, filter := range []medic.ReferralFilter{{}, {PatientID: f.pat.ID}, {ToPractitionerID: f.pr.ID}} {
		if rs, _, err := db.ListReferrals(b.ctx, filter, medic.Page{}); err != nil || len(rs) != 0 {
			t.Errorf("practice B lists %+v: %d, %v", filter, len(rs), err)
		}
	}
}
