package medic

import (
	"encoding/json"
	"regexp"
	"testing"
	"unicode/utf8"
)

// The parsers of what people type never panic, and what they accept is in
// its canonical form (parsing it again gives it back).

var e164RE = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{"082 555 0100", "+27 82 555 0100", "0027825550100", "(021) 555-0100", "+", "0", "+0", "00", "phone", "+1 (555) 010.0199", "٠٨٢"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := NormalizePhone(s)
		if err != nil {
			if ErrorCode(err) != EINVALID {
				t.Fatalf("NormalizePhone(%q): %v", s, err)
			}
			return
		}
		if !e164RE.MatchString(n) {
			t.Fatalf("NormalizePhone(%q) = %q, not E.164", s, n)
		}
		if again, err := NormalizePhone(n); err != nil || again != n {
			t.Fatalf("NormalizePhone(%q) = %q, %v; want it unchanged", n, again, err)
		}
	})
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-03-31", "2026-02-30", "1900-01-01", "0000-01-01", "9999-12-31", "2026-3-1", "31/03/2026", "", "2026-03-31T00:00:00Z", "+2026-01-01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			if ErrorCode(err) != EINVALID {
				t.Fatalf("ParseDate(%q): %v", s, err)
			}
			return
		}
		if d.String() != s {
			t.Fatalf("ParseDate(%q) = %s", s, d)
		}
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		var back Date
		if err := json.Unmarshal(b, &back); err != nil || !back.Equal(d) {
			t.Fatalf("%s does not survive JSON (%s): %v", d, b, err)
		}
		// JSON input of any shape is a date or EINVALID.
		var j Date
		if err := j.UnmarshalJSON([]byte(s)); err != nil && ErrorCode(err) != EINVALID {
			t.Fatalf("UnmarshalJSON(%q): %v", s, err)
		}
	})
}

func FuzzParseSAID(f *testing.F) {
	for _, s := range []string{"8001015009087", "8507145000081", "0000000000000", "9902295000085", "800101500908", "80010150090877", "800101500908a", "８００１０１５００９０８７"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := ParseSAID(s)
		if err != nil {
			if ErrorCode(err) != EINVALID {
				t.Fatalf("ParseSAID(%q): %v", s, err)
			}
			return
		}
		if len(s) != 13 || SAIDCheckDigit(s[:12]) != s[12] {
			t.Fatalf("ParseSAID(%q) accepted a wrong check digit", s)
		}
		if id.BirthMonth < 1 || id.BirthMonth > 12 || id.BirthDay < 1 || id.BirthDay > 31 || (id.Sex != SexFemale && id.Sex != SexMale) {
			t.Fatalf("ParseSAID(%q) = %+v", s, id)
		}
	})
}

func FuzzLine(f *testing.F) {
	for _, s := range []string{"Sunrise", " a ", "a\nb", "a\u202eb", "\xff", "é", "a\tb", "\r\n"} {
		f.Add(s, 10)
	}
	f.Fuzz(func(t *testing.T, s string, max int) {
		if max < 0 || max > 1000 {
			return
		}
		if v, err := Line(s, max); err == nil {
			if again, err := Line(v, max); err != nil || again != v {
				t.Fatalf("Line(%q) = %q, then %q, %v", s, v, again, err)
			}
			if !utf8.ValidString(v) || utf8.RuneCountInString(v) > max || !StorableText(v) {
				t.Fatalf("Line(%q) = %q", s, v)
			}
			for _, r := range v {
				if badRune(r, false) {
					t.Fatalf("Line(%q) kept %U", s, r)
				}
			}
		}
		if v, err := MultiLine(s, max); err == nil {
			if again, err := MultiLine(v, max); err != nil || again != v {
				t.Fatalf("MultiLine(%q) = %q, then %q, %v", s, v, again, err)
			}
			for _, r := range v {
				if badRune(r, true) || r == '\r' {
					t.Fatalf("MultiLine(%q) kept %U", s, r)
				}
			}
		}
	})
}
