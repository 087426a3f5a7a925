package medic

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // time zones check the same on every machine, with or without /usr/share/zoneinfo
	"unicode/utf8"
)

// StorableText reports whether s can be stored as PostgreSQL text: valid
// UTF-8 without NUL bytes. Surfaces check input with it so such text is a
// clear 4xx, never a database error.
func StorableText(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

// ErrUnstorableText is the answer to input that is not valid text.
var ErrUnstorableText = &Error{Code: EINVALID, Message: "The request contains characters that are not valid text (such as a NUL byte)."}

// Lengths of text fields, in characters. One place, so the desk's
// maxlength, the API and the stored-value check agree.
const (
	MaxNameLength       = 200 // practice, practitioner, location, people's display names, token names
	MaxPersonNameLength = 100 // a patient's given or family name
	MaxShortText        = 100 // titles, numbers, schemes, appointment type names
	MaxReasonLength     = 500 // reasons given for a cancellation, leave or overbooking
	MaxAddressLength    = 500
	MaxNotesLength      = 2000
)

// Text is refused when it holds a character that could break a line of a
// mail header, a log or a page, or reorder what a reader sees: C0 and C1
// controls, DEL, the Unicode line and paragraph separators, and the bidi
// embeddings, overrides and isolates (U+202A-202E, U+2066-2069). Multi-line
// text may also hold line feeds and tabs.
func badRune(r rune, multiLine bool) bool {
	switch {
	case multiLine && (r == '\n' || r == '\t'):
		return false
	case r < 0x20, r >= 0x7f && r <= 0x9f:
		return true
	case r == 0x2028, r == 0x2029, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return r == utf8.RuneError // invalid UTF-8 (a literal U+FFFD is refused too: it is never typed)
}

// Line checks single-line text (a name, a title, a reason): it is trimmed,
// may hold no control or text-direction characters, and at most max
// characters. The error is EINVALID with a message for the field.
func Line(s string, max int) (string, error) {
	s = strings.TrimSpace(s)
	if strings.ContainsFunc(s, func(r rune) bool { return badRune(r, false) }) {
		if strings.ContainsAny(s, "\r\n\u2028\u2029") {
			return "", Errorf(EINVALID, "Use one line, without line breaks.")
		}
		return "", Errorf(EINVALID, "Remove the control or text-direction characters.")
	}
	if utf8.RuneCountInString(s) > max {
		return "", Errorf(EINVALID, "Use at most %d characters.", max)
	}
	return s, nil
}

// MultiLine checks text that may span lines (notes, an address, letterhead
// text): line breaks become \n, the ends are trimmed, tabs are kept, any
// other control or text-direction character is refused; at most max
// characters.
func MultiLine(s string, max int) (string, error) {
	s = strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n"))
	if strings.ContainsFunc(s, func(r rune) bool { return badRune(r, true) }) {
		return "", Errorf(EINVALID, "Remove the control or text-direction characters (line breaks and tabs are fine).")
	}
	if utf8.RuneCountInString(s) > max {
		return "", Errorf(EINVALID, "Use at most %d characters.", max)
	}
	return s, nil
}

// Line checks the single-line field *s with Line, storing the trimmed text
// or recording the message for field; it reports whether the text is fine.
func (f FieldErrors) Line(field string, s *string, max int) bool {
	v, err := Line(*s, max)
	if err != nil {
		f.Add(field, ErrorMessage(err))
		return false
	}
	*s = v
	return true
}

// RequiredLine is Line for a field that must not be empty (missing is the
// message then).
func (f FieldErrors) RequiredLine(field string, s *string, max int, missing string) {
	if f.Line(field, s, max) && *s == "" {
		f.Add(field, missing)
	}
}

// MultiLine checks the multi-line field *s with MultiLine.
func (f FieldErrors) MultiLine(field string, s *string, max int) {
	v, err := MultiLine(*s, max)
	if err != nil {
		f.Add(field, ErrorMessage(err))
		return
	}
	*s = v
}

// LineList checks a list of single-line entries (allergies): each is
// trimmed, empty ones dropped, at most maxItems of at most max characters.
func (f FieldErrors) LineList(field string, items *[]string, maxItems, max int) {
	out := make([]string, 0, len(*items))
	for _, it := range *items {
		v, err := Line(it, max)
		if err != nil {
			f.Add(field, "Each entry: "+lowerFirst(ErrorMessage(err)))
			return
		}
		if v != "" {
			out = append(out, v)
		}
	}
	if len(out) > maxItems {
		f.Add(field, "Use at most "+strconv.Itoa(maxItems)+" entries.")
		return
	}
	*items = out
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

var colorRE = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// NormalizeColor checks a colour written #rrggbb and lower-cases it.
func NormalizeColor(s string) (string, error) {
	if !colorRE.MatchString(s) {
		return "", Errorf(EINVALID, "Use a colour like #1a6fb0.")
	}
	return strings.ToLower(s), nil
}

// DefaultTimeZone is the zone of a practice that names none (the first
// market is South Africa).
const DefaultTimeZone = "Africa/Johannesburg"

var zoneNameRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9][A-Za-z0-9_+-]*){0,2}$`)

// notZones are names Go's LoadLocation accepts that are not zones of the
// tz database: the server's own zone, files of the zoneinfo directory, and
// its posix/ and right/ copies.
var notZones = map[string]bool{"Local": true, "localtime": true, "posixrules": true, "Factory": true}

// CheckTimeZone accepts a time zone name of the IANA tz database, such as
// Africa/Johannesburg, exactly as the database spells it. UTC and Etc/UTC
// are both tz names and both accepted (kept as written); "Local", offsets
// such as UTC+2, an empty name and unknown names are refused.
func CheckTimeZone(name string) error {
	bad := Errorf(EINVALID, "Choose a time zone of the tz database, such as Africa/Johannesburg or UTC.")
	first, _, _ := strings.Cut(name, "/")
	if !zoneNameRE.MatchString(name) || notZones[name] || first == "posix" || first == "right" {
		return bad
	}
	if _, err := time.LoadLocation(name); err != nil {
		return bad
	}
	return nil
}
