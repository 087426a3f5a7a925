package medic

// SAID is a parsed South African ID number: YYMMDD SSSS C A Z, where SSSS
// below 5000 is female, C is citizenship and Z a Luhn check digit.
type SAID struct {
	BirthYY, BirthMonth, BirthDay int
	Sex                           Sex
	Citizen                       bool
}

// ParseSAID checks the format, the date part and the Luhn checksum.
func ParseSAID(s string) (SAID, error) {
	var id SAID
	if len(s) != 13 {
		return id, Errorf(EINVALID, "A South African ID number has 13 digits.")
	}
	d := make([]int, 13)
	for i := range s {
		if s[i] < '0' || s[i] > '9' {
			return id, Errorf(EINVALID, "A South African ID number has only digits.")
		}
		d[i] = int(s[i] - '0')
	}
	id.BirthYY, id.BirthMonth, id.BirthDay = d[0]*10+d[1], d[2]*10+d[3], d[4]*10+d[5]
	if id.BirthMonth < 1 || id.BirthMonth > 12 || id.BirthDay < 1 || id.BirthDay > 31 {
		return id, Errorf(EINVALID, "The ID number does not start with a valid date of birth (YYMMDD).")
	}
	if d[10] > 2 {
		return id, Errorf(EINVALID, "The ID number's citizenship digit must be 0, 1 or 2.")
	}
	if !luhn(d) {
		return id, Errorf(EINVALID, "The ID number's check digit is wrong; check for a typing error.")
	}
	id.Sex = SexMale
	if d[6]*1000+d[7]*100+d[8]*10+d[9] < 5000 {
		id.Sex = SexFemale
	}
	id.Citizen = d[10] == 0
	return id, nil
}

// MatchesBirthDate reports whether the ID's YYMMDD is the date of birth.
func (id SAID) MatchesBirthDate(dob Date) bool {
	return dob.Year()%100 == id.BirthYY && int(dob.Month()) == id.BirthMonth && dob.Day() == id.BirthDay
}

// luhn checks the last digit against the others.
func luhn(d []int) bool {
	sum := 0
	for i := len(d) - 1; i >= 0; i-- {
		v := d[i]
		if (len(d)-1-i)%2 == 1 {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	return sum%10 == 0
}

// SAIDCheckDigit computes the Luhn digit for the first 12 digits (used to
// generate valid demo and benchmark ID numbers).
func SAIDCheckDigit(first12 string) byte {
	for c := byte('0'); c <= '9'; c++ {
		d := make([]int, 13)
		for i := 0; i < 12; i++ {
			d[i] = int(first12[i] - '0')
		}
		d[12] = int(c - '0')
		if luhn(d) {
			return c
		}
	}
	return '0'
}
