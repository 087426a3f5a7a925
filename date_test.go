package medic_test

import (
	"encoding/json"
	"testing"
	"time"

	"medic"
)

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" when refused
	}{
		{"2026-03-31", "2026-03-31"},
		{"2000-02-29", "2000-02-29"},
		{"1900-01-01", "1900-01-01"},
		{"2026-02-29", ""}, // not a leap year
		{"2026-13-01", ""},
		{"2026-04-31", ""},
		{"2026-3-1", ""},
		{"31/03/2026", ""},
		{"2026-03-31T00:00:00Z", ""},
		{" 2026-03-31", ""},
		{"", ""},
	}
	for _, tt := range tests {
		d, err := medic.ParseDate(tt.in)
		switch {
		case tt.want == "" && err == nil:
			t.Errorf("ParseDate(%q) = %v, want an error", tt.in, d)
		case tt.want == "" && medic.ErrorCode(err) != medic.EINVALID:
			t.Errorf("ParseDate(%q) error %v, want EINVALID", tt.in, err)
		case tt.want != "" && (err != nil || d.String() != tt.want):
			t.Errorf("ParseDate(%q) = %v, %v; want %s", tt.in, d, err, tt.want)
		}
	}
}

func TestDateJSON(t *testing.T) {
	type record struct {
		Born  medic.Date `json:"born"`
		Until medic.Date `json:"until"`
	}
	in := record{Born: medic.NewDate(1985, time.July, 14)}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"born":"1985-07-14","until":null}` {
		t.Fatalf("marshal: %s", b)
	}
	var out record
	out.Until = medic.NewDate(2030, time.January, 1) // null must clear it
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if !out.Born.Equal(in.Born) || !out.Until.IsZero() {
		t.Fatalf("round trip: %+v, want %+v", out, in)
	}

	for _, bad := range []string{`{"born":"14/07/1985"}`, `{"born":19850714}`, `{"born":"1985-02-30"}`, `{"born":true}`} {
		var r record
		err := json.Unmarshal([]byte(bad), &r)
		if err == nil {
			t.Errorf("unmarshal %s: accepted as %v", bad, r.Born)
		} else if medic.ErrorCode(err) != medic.EINVALID {
			t.Errorf("unmarshal %s: %v, want EINVALID", bad, err)
		}
	}
}

func TestDateCalendar(t *testing.T) {
	jhb := mustZone(t, "Africa/Johannesburg")
	london := mustZone(t, "Europe/London")

	// 23:30Z on 31 March is already 1 April in Johannesburg.
	instant := time.Date(2026, time.March, 31, 23, 30, 0, 0, time.UTC)
	if got := medic.DateOf(instant.In(jhb)).String(); got != "2026-04-01" {
		t.Errorf("DateOf in Johannesburg = %s, want 2026-04-01", got)
	}
	if got := medic.DateOf(instant).String(); got != "2026-03-31" {
		t.Errorf("DateOf in UTC = %s, want 2026-03-31", got)
	}

	d := mustDate(t, "2026-03-28")
	if d.Weekday() != time.Saturday || d.AddDays(1).Weekday() != time.Sunday {
		t.Errorf("28 March 2026 is a %v", d.Weekday())
	}
	if got := d.AddDays(4).String(); got != "2026-04-01" {
		t.Errorf("AddDays across a month: %s", got)
	}
	if got := mustDate(t, "2024-02-29").AddDate(1, 0, 0).String(); got != "2025-03-01" {
		t.Errorf("a year after 29 February: %s", got)
	}
	if !d.Before(d.AddDays(1)) || !d.AddDays(1).After(d) || !d.Equal(medic.NewDate(2026, time.March, 28)) {
		t.Error("comparisons")
	}

	// Local midnight: GMT on the day the clocks go forward, BST on the next.
	if got := mustDate(t, "2026-03-29").In(london); !got.Equal(time.Date(2026, 3, 29, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("midnight 29 March in London = %v", got.UTC())
	}
	if got := mustDate(t, "2026-03-30").In(london); !got.Equal(time.Date(2026, 3, 29, 23, 0, 0, 0, time.UTC)) {
		t.Errorf("midnight 30 March in London = %v", got.UTC())
	}
	if got := mustDate(t, "2026-06-01").In(jhb); !got.Equal(time.Date(2026, 5, 31, 22, 0, 0, 0, time.UTC)) {
		t.Errorf("midnight 1 June in Johannesburg = %v", got.UTC())
	}
	if !(medic.Date{}).IsZero() || d.IsZero() {
		t.Error("IsZero")
	}
}

func TestParseLooseDate(t *testing.T) {
	want := medic.NewDate(2001, time.February, 3)
	for _, s := range []string{"2001-02-03", "03/02/2001", "3/2/2001", "3 Feb 2001", "3 feb 2001", "3 February 2001", " 03.02.2001 ", "Feb 3, 2001", "03-02-2001"} {
		if d, ok := medic.ParseLooseDate(s); !ok || !d.Equal(want) {
			t.Errorf("%q = %v, %v", s, d, ok)
		}
	}
	for _, s := range []string{"Thabo", "0825550100", "31/02/2001", "2001", "12 Smith 2001", "8501015009087"} {
		if d, ok := medic.ParseLooseDate(s); ok {
			t.Errorf("%q read as a date %v", s, d)
		}
	}
}

func TestAgeLabel(t *testing.T) {
	on := medic.NewDate(2030, time.March, 4)
	for dob, want := range map[medic.Date]string{
		medic.NewDate(1985, time.July, 14):     "44 years",
		medic.NewDate(1985, time.March, 4):     "45 years",
		medic.NewDate(1985, time.March, 5):     "44 years",
		medic.NewDate(2028, time.March, 5):     "23 months",
		medic.NewDate(2030, time.February, 3):  "1 month",
		medic.NewDate(2030, time.February, 20): "12 days",
		medic.NewDate(2030, time.March, 4):     "0 days",
	} {
		if got := medic.AgeLabel(dob, on); got != want {
			t.Errorf("born %s: %q, want %q", dob, got, want)
		}
	}
}
