package medic_test

import (
	"testing"
	"time"

	"medic"
)

func day(s string) medic.Date {
	v, err := medic.ParseDate(s)
	if err != nil {
		panic(s)
	}
	return v
}

func TestEasterSunday(t *testing.T) {
	for y, want := range map[int]string{2000: "2000-04-23", 2008: "2008-03-23", 2019: "2019-04-21", 2024: "2024-03-31",
		2025: "2025-04-20", 2026: "2026-04-05", 2027: "2027-03-28", 2038: "2038-04-25"} {
		if got := medic.EasterSunday(y); got != day(want) {
			t.Errorf("Easter %d = %s, want %s", y, got, want)
		}
	}
}

func TestPublicHolidays(t *testing.T) {
	for _, tc := range []struct {
		year int
		want []string // every holiday of the year, in order
	}{
		// 2026: Easter on 5 April; Women's Day on a Sunday moves to Monday 10 August.
		{2026, []string{"2026-01-01", "2026-03-21", "2026-04-03", "2026-04-06", "2026-04-27", "2026-05-01", "2026-06-16",
			"2026-08-09", "2026-08-10", "2026-09-24", "2026-12-16", "2026-12-25", "2026-12-26"}},
		// 2022: Workers' Day on a Sunday (Monday 2 May); Christmas on a
		// Sunday while Monday is the Day of Goodwill: Tuesday 27 December.
		{2022, []string{"2022-01-01", "2022-03-21", "2022-04-15", "2022-04-18", "2022-04-27", "2022-05-01", "2022-05-02", "2022-06-16",
			"2022-08-09", "2022-09-24", "2022-12-16", "2022-12-25", "2022-12-26", "2022-12-27"}},
	} {
		hs := medic.PublicHolidays(tc.year)
		var got []string
		for dd := medic.NewDate(tc.year, 1, 1); dd.Year() == tc.year; dd = dd.AddDays(1) {
			if hs[dd] {
				got = append(got, dd.String())
			}
		}
		if len(got) != len(tc.want) {
			t.Errorf("%d: holidays %v, want %v", tc.year, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%d: holidays %v, want %v", tc.year, got, tc.want)
				break
			}
		}
	}
}

func TestSickNoteDays(t *testing.T) {
	for _, tc := range []struct {
		name             string
		from, to         string
		calendar, wanted int
	}{
		{"one weekday", "2026-03-04", "2026-03-04", 1, 1},
		{"one Saturday", "2026-03-07", "2026-03-07", 1, 0},
		{"a week", "2026-03-02", "2026-03-08", 7, 5},
		{"to before from", "2026-03-04", "2026-03-03", 0, 0},
		{"month end", "2026-01-30", "2026-02-02", 4, 2},
		{"leap year February", "2024-02-27", "2024-03-01", 4, 4},
		{"common year February", "2023-02-27", "2023-03-01", 3, 3},
		{"leap day in a 2028 week", "2028-02-28", "2028-03-03", 5, 5},
		{"year end with Christmas, Goodwill and New Year", "2026-12-24", "2027-01-04", 12, 6},
		{"Christmas on a Sunday: Monday and Tuesday off", "2022-12-23", "2022-12-28", 6, 2},
		{"Easter 2026: Good Friday and Family Day", "2026-04-01", "2026-04-08", 8, 4},
		{"Freedom Day 2025 on a Sunday: Monday off", "2025-04-25", "2025-04-29", 5, 2},
		{"Human Rights Day 2027 on a Sunday", "2027-03-19", "2027-03-23", 5, 2},
		{"Youth Day on a Tuesday", "2026-06-15", "2026-06-17", 3, 2},
		{"Workers' Day 2026 on a Friday", "2026-04-27", "2026-05-01", 5, 3},
		{"ninety days from New Year 2026 (Human Rights Day on a Saturday)", "2026-01-01", "2026-03-31", 90, 63},
	} {
		t.Run(tc.name, func(t *testing.T) {
			from, to := day(tc.from), day(tc.to)
			if got := medic.CalendarDays(from, to); got != tc.calendar {
				t.Errorf("calendar days = %d, want %d", got, tc.calendar)
			}
			if got := medic.WorkingDays(from, to); got != tc.wanted {
				t.Errorf("working days = %d, want %d", got, tc.wanted)
			}
		})
	}
}

func TestSickNoteValidate(t *testing.T) {
	loc, _ := time.LoadLocation("Africa/Johannesburg")
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, loc)
	examined := time.Date(2026, 3, 10, 9, 30, 0, 0, loc)
	base := func() *medic.SickNote {
		return &medic.SickNote{EncounterID: "e", ExaminedAt: examined, Basis: medic.BasisExamined, Fitness: medic.FitnessUnfit,
			From: day("2026-03-10"), To: day("2026-03-12")}
	}
	for _, tc := range []struct {
		name   string
		change func(*medic.SickNote)
		field  string // "" when valid
	}{
		{"valid", func(*medic.SickNote) {}, ""},
		{"from the day after", func(n *medic.SickNote) { n.From = day("2026-03-11") }, ""},
		{"back-dated a day", func(n *medic.SickNote) { n.From = day("2026-03-09") }, "from"},
		{"examined just after midnight, from that day", func(n *medic.SickNote) {
			n.ExaminedAt = time.Date(2026, 3, 10, 0, 10, 0, 0, loc) // 22:10 UTC the day before
		}, ""},
		{"to before from", func(n *medic.SickNote) { n.To = day("2026-03-09") }, "to"},
		{"ninety days", func(n *medic.SickNote) { n.To = n.From.AddDays(89) }, ""},
		{"ninety-one days", func(n *medic.SickNote) { n.To = n.From.AddDays(90) }, "to"},
		{"examination in the future", func(n *medic.SickNote) { n.ExaminedAt = now.Add(time.Hour) }, "examined_at"},
		{"no examination", func(n *medic.SickNote) { n.ExaminedAt = time.Time{} }, "examined_at"},
		{"unknown basis", func(n *medic.SickNote) { n.Basis = "hearsay" }, "basis"},
		{"unknown fitness", func(n *medic.SickNote) { n.Fitness = "fine" }, "fitness"},
		{"no dates", func(n *medic.SickNote) { n.From, n.To = medic.Date{}, medic.Date{} }, "from"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := base()
			tc.change(n)
			err := n.Validate(now, loc)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("refused: %v %v", err, medic.ErrorFields(err))
				}
				return
			}
			if medic.ErrorFields(err)[tc.field] == "" {
				t.Fatalf("want a mistake in %s, got %v %v", tc.field, err, medic.ErrorFields(err))
			}
		})
	}
}

func TestSickNoteCode(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		c, err := medic.NewSickNoteCode()
		if err != nil {
			t.Fatal(err)
		}
		if canonical, ok := medic.SickNoteCode(c); !ok || canonical != c {
			t.Fatalf("new code %q is not canonical", c)
		}
		if seen[c] {
			t.Fatalf("code %q made twice", c)
		}
		seen[c] = true
	}
	const c = "0123456789ABCDEFGHJK"
	for typed, want := range map[string]bool{
		medic.FormatSickNoteCode(c): true, "0123-4567-89ab-cdef-ghjk": true, "o123 4567 89AB CDEF GHJK": true,
		"0123456789ABCDEFGHJ": false, "0123456789ABCDEFGHJKM": false, "0123456789ABCDEFGHJU": false, "../../etc/passwd": false, "": false,
	} {
		got, ok := medic.SickNoteCode(typed)
		if ok != want || ok && got != c {
			t.Errorf("SickNoteCode(%q) = %q, %v", typed, got, ok)
		}
	}
	if got := medic.FormatSickNoteCode(c); got != "0123-4567-89AB-CDEF-GHJK" {
		t.Errorf("formatted %q", got)
	}
	n := &medic.SickNote{PatientName: "thandi van der Merwe"}
	if got := n.PatientInitials(); got != "T. V. D. M." {
		t.Errorf("initials %q", got)
	}
}
