package medic_test

import (
	"strings"
	"testing"

	"medic"
)

// said completes a 12-digit prefix with its Luhn check digit.
func said(first12 string) string {
	return first12 + string(medic.SAIDCheckDigit(first12))
}

func TestParseSAIDValid(t *testing.T) {
	tests := []struct {
		name              string
		first12           string
		yy, month, day    int
		sex               medic.Sex
		citizen           bool
		matches, notMatch string // dates of birth
	}{
		{"female citizen born 1 January 1980", "800101" + "0009" + "0" + "8", 80, 1, 1, medic.SexFemale, true, "1980-01-01", "1980-01-02"},
		{"sequence 4999 is still female", "850714" + "4999" + "0" + "8", 85, 7, 14, medic.SexFemale, true, "1985-07-14", "1985-07-15"},
		{"sequence 5000 is male", "850714" + "5000" + "0" + "8", 85, 7, 14, medic.SexMale, true, "1985-07-14", "1984-07-14"},
		{"male permanent resident born 29 February 2000", "000229" + "9999" + "1" + "8", 0, 2, 29, medic.SexMale, false, "2000-02-29", "2000-03-01"},
		{"refugee (citizenship 2) born 31 December 1999", "991231" + "1234" + "2" + "8", 99, 12, 31, medic.SexFemale, false, "1999-12-31", "1999-12-30"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := said(tt.first12)
			id, err := medic.ParseSAID(n)
			if err != nil {
				t.Fatalf("ParseSAID(%s): %v", n, err)
			}
			if id.BirthYY != tt.yy || id.BirthMonth != tt.month || id.BirthDay != tt.day || id.Sex != tt.sex || id.Citizen != tt.citizen {
				t.Errorf("ParseSAID(%s) = %+v", n, id)
			}
			if !id.MatchesBirthDate(mustDate(t, tt.matches)) {
				t.Errorf("%s does not match %s", n, tt.matches)
			}
			if id.MatchesBirthDate(mustDate(t, tt.notMatch)) {
				t.Errorf("%s matches %s", n, tt.notMatch)
			}
		})
	}
}

func TestSAIDCheckDigitIsTheOnlyOne(t *testing.T) {
	first12 := "800101" + "5009" + "0" + "8"
	good := medic.SAIDCheckDigit(first12)
	for c := byte('0'); c <= '9'; c++ {
		_, err := medic.ParseSAID(first12 + string(c))
		if (err == nil) != (c == good) {
			t.Errorf("check digit %c: err %v (the right one is %c)", c, err, good)
		}
	}
}

func TestParseSAIDInvalid(t *testing.T) {
	valid := said("800101" + "5009" + "0" + "8")
	last := valid[12]
	wrongCheck := valid[:12] + string('0'+(last-'0'+1)%10)
	swapped := valid[:6] + valid[7:8] + valid[6:7] + valid[8:] // a typing slip
	tests := []struct {
		name, number, message string
	}{
		{"wrong check digit", wrongCheck, "check digit"},
		{"two digits swapped", swapped, "check digit"},
		{"month 13", said("801301" + "5009" + "0" + "8"), "date of birth"},
		{"month 00", said("800001" + "5009" + "0" + "8"), "date of birth"},
		{"day 00", said("800100" + "5009" + "0" + "8"), "date of birth"},
		{"day 32", said("800132" + "5009" + "0" + "8"), "date of birth"},
		{"citizenship digit 3", said("800101" + "5009" + "3" + "8"), "citizenship"},
		{"12 digits", valid[:12], "13 digits"},
		{"14 digits", valid + "0", "13 digits"},
		{"empty", "", "13 digits"},
		{"a letter", valid[:5] + "O" + valid[6:], "only digits"},
		{"a space inside", valid[:6] + " " + valid[7:], "only digits"},
		{"a dash", valid[:6] + "-" + valid[7:], "only digits"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := medic.ParseSAID(tt.number)
			if err == nil {
				t.Fatalf("ParseSAID(%q) accepted", tt.number)
			}
			if medic.ErrorCode(err) != medic.EINVALID || !strings.Contains(medic.ErrorMessage(err), tt.message) {
				t.Errorf("ParseSAID(%q) = %v; want EINVALID mentioning %q", tt.number, err, tt.message)
			}
		})
	}
}

func TestSAIDMatchesBirthDateByTwoDigitYear(t *testing.T) {
	// The ID holds only YYMMDD: 1925 and 2025 both match "25".
	id, err := medic.ParseSAID(said("250315" + "0001" + "0" + "8"))
	if err != nil {
		t.Fatal(err)
	}
	for _, dob := range []string{"1925-03-15", "2025-03-15"} {
		if !id.MatchesBirthDate(mustDate(t, dob)) {
			t.Errorf("does not match %s", dob)
		}
	}
	if id.MatchesBirthDate(mustDate(t, "2025-05-13")) {
		t.Error("matches a date with month and day swapped")
	}
}
