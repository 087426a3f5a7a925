package medic

import "strings"

// NormalizePhone returns a phone number in E.164. Numbers without a country
// code are taken as South African (the first market): 0XX... -> +27XX...
func NormalizePhone(s string) (string, error) {
	var b strings.Builder
	for i, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '(' || r == ')' || r == '.':
		default:
			return "", Errorf(EINVALID, "Enter a phone number such as +27 82 555 0100.")
		}
	}
	n := b.String()
	switch {
	case strings.HasPrefix(n, "+"):
	case strings.HasPrefix(n, "00"):
		n = "+" + n[2:]
	case strings.HasPrefix(n, "0") && len(n) == 10:
		n = "+27" + n[1:]
	default:
		return "", Errorf(EINVALID, "Enter a phone number such as +27 82 555 0100.")
	}
	if len(n) < 8 || len(n) > 16 || n[1] == '0' {
		return "", Errorf(EINVALID, "Enter a phone number such as +27 82 555 0100.")
	}
	return n, nil
}
