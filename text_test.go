package medic

import (
	"strings"
	"testing"
)

// hostile are single-line values every single-line field must refuse.
var hostile = map[string]string{
	"LF":              "Sunrise\nBcc: victim@example.org",
	"CR":              "Sunrise\rX",
	"CRLF":            "Sunrise\r\nSubject: hi",
	"NUL":             "Sun\x00rise",
	"tab":             "Sun\trise",
	"ESC":             "Sun\x1b[31mrise",
	"DEL":             "Sun\x7frise",
	"C1 NEL":          "Sun\u0085rise",
	"C1 CSI":          "Sun\u009brise",
	"RLO":             "Sun\u202erise",
	"LRE":             "Sun\u202arise",
	"PDF":             "Sun\u202crise",
	"LRI":             "Sun\u2066rise",
	"PDI":             "Sun\u2069rise",
	"line separator":  "Sun\u2028rise",
	"para separator":  "Sun\u2029rise",
	"invalid UTF-8":   "Sun\xffrise",
	"truncated UTF-8": "Sunrise\xe2\x80",
}

// short keeps only the hostile characters of a hostile value, with a digit.
func short(v string) string {
	return "0" + strings.NewReplacer("Sunrise", "", "Sun", "", "rise", "", "Bcc: victim@example.org", "", "Subject: hi", "", "X", "", "[31m", "").Replace(v) + "1"
}

func TestLine(t *testing.T) {
	for name, v := range hostile {
		if _, err := Line(v, 200); ErrorCode(err) != EINVALID {
			t.Errorf("%s: Line(%q) = %v, want EINVALID", name, v, err)
		}
	}
	for in, want := range map[string]string{
		"  Sunrise Family Practice ": "Sunrise Family Practice",
		"Dr Ayesha Patel":            "Dr Ayesha Patel",
		"Zoë Ndlovu-Müller":          "Zoë Ndlovu-Müller",
		"محمد":                       "محمد",
		"O'Brien \u200f":             "O'Brien \u200f", // a right-to-left mark is no override
		"":                           "",
	} {
		if got, err := Line(in, 200); err != nil || got != want {
			t.Errorf("Line(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	// The length is in characters, not bytes.
	if _, err := Line(strings.Repeat("é", 200), 200); err != nil {
		t.Errorf("200 two-byte characters refused: %v", err)
	}
	if _, err := Line(strings.Repeat("a", 201), 200); ErrorMessage(err) != "Use at most 200 characters." {
		t.Errorf("201 characters: %v", err)
	}
	if _, err := Line("a\nb", 200); ErrorMessage(err) != "Use one line, without line breaks." {
		t.Errorf("line break message: %v", err)
	}
}

func TestMultiLine(t *testing.T) {
	for in, want := range map[string]string{
		"12 Main Road\r\nRondebosch\r\n": "12 Main Road\nRondebosch",
		"a\rb":                           "a\nb",
		"Dose:\t5 ml":                    "Dose:\t5 ml",
	} {
		if got, err := MultiLine(in, 100); err != nil || got != want {
			t.Errorf("MultiLine(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for name, v := range hostile {
		if name == "LF" || name == "CR" || name == "CRLF" || name == "tab" {
			continue
		}
		if _, err := MultiLine(v, 200); ErrorCode(err) != EINVALID {
			t.Errorf("%s: MultiLine(%q) = %v, want EINVALID", name, v, err)
		}
	}
	if _, err := MultiLine(strings.Repeat("a\n", 50)+"a", 100); ErrorCode(err) != EINVALID {
		t.Errorf("101 characters accepted")
	}
}

func TestCheckTimeZone(t *testing.T) {
	for _, ok := range []string{"Africa/Johannesburg", "UTC", "Etc/UTC", "Europe/London", "America/Argentina/Buenos_Aires", "Etc/GMT+2", "America/Port-au-Prince"} {
		if err := CheckTimeZone(ok); err != nil {
			t.Errorf("CheckTimeZone(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "Local", "localtime", "UTC+2", "GMT+02:00", "+02:00", "africa/johannesburg", "Africa/Nowhere",
		"posixrules", "Factory", "posix/Africa/Johannesburg", "right/UTC", "../etc/passwd", "/etc/localtime", "Africa//Johannesburg",
		"Africa/Johannesburg/", " Africa/Johannesburg", "Africa/Johannesburg\n", "zone.tab", "iso3166.tab"} {
		if err := CheckTimeZone(bad); ErrorCode(err) != EINVALID {
			t.Errorf("CheckTimeZone(%q) = %v, want EINVALID", bad, err)
		}
	}
}

func TestNormalizeColor(t *testing.T) {
	if c, err := NormalizeColor("#1A6FB0"); err != nil || c != "#1a6fb0" {
		t.Errorf("NormalizeColor(#1A6FB0) = %q, %v", c, err)
	}
	for _, bad := range []string{"", "1a6fb0", "#1a6fb", "#1a6fb00", "#1a6fbg", "red", "#1a6fb0\n", "rgb(1,2,3)"} {
		if _, err := NormalizeColor(bad); ErrorCode(err) != EINVALID {
			t.Errorf("NormalizeColor(%q) accepted", bad)
		}
	}
}

// Every single-line text field of every entity refuses every hostile value,
// naming the field.
func TestValidateRefusesHostileText(t *testing.T) {
	today := NewDate(2026, 3, 2)
	type check struct {
		field    string
		validate func(v string) error
	}
	practice := func(set func(*Practice, string)) func(string) error {
		return func(v string) error {
			p := &Practice{Name: "Sunrise", Slug: "sunrise", TimeZone: "Africa/Johannesburg"}
			set(p, v)
			return p.Validate()
		}
	}
	patient := func(set func(*Patient, string)) func(string) error {
		return func(v string) error {
			p := &Patient{GivenName: "Lindiwe", FamilyName: "Dlamini", DateOfBirth: NewDate(1990, 5, 1)}
			set(p, v)
			return p.Validate(today)
		}
	}
	location := func(set func(*Location, string)) func(string) error {
		return func(v string) error {
			l := &Location{Name: "Main"}
			set(l, v)
			return l.Validate()
		}
	}
	practitioner := func(set func(*Practitioner, string)) func(string) error {
		return func(v string) error {
			p := &Practitioner{Name: "Dr A"}
			set(p, v)
			return p.Validate()
		}
	}
	checks := []check{
		{"name", practice(func(p *Practice, v string) { p.Name = v })},
		{"registration_number", practice(func(p *Practice, v string) { p.RegistrationNumber = v })},
		{"time_zone", practice(func(p *Practice, v string) { p.TimeZone = v })},
		{"email", practice(func(p *Practice, v string) { p.Email = "a@b.example" + v })},
		{"phone", practice(func(p *Practice, v string) { p.Phone = "021 555 0100" + v })},
		{"primary_color", practice(func(p *Practice, v string) { p.Branding.PrimaryColor = "#1a6fb0" + v })},
		{"notify_email", practice(func(p *Practice, v string) { p.Booking.NotifyEmail = "a@b.example" + v })},
		{"allowed_origins", practice(func(p *Practice, v string) { p.Booking.AllowedOrigins = []string{"https://a" + v + ".example"} })},
		{"given_name", patient(func(p *Patient, v string) { p.GivenName = v })},
		{"family_name", patient(func(p *Patient, v string) { p.FamilyName = v })},
		{"passport", patient(func(p *Patient, v string) { p.Passport = v })},
		{"preferred_language", patient(func(p *Patient, v string) { p.PreferredLanguage = v })},
		{"medical_aid.scheme", patient(func(p *Patient, v string) { p.MedicalAid.Scheme = v })},
		{"medical_aid.member_number", patient(func(p *Patient, v string) { p.MedicalAid.MemberNumber = v })},
		{"medical_aid.dependent_code", patient(func(p *Patient, v string) { p.MedicalAid.DependentCode = short(v) })},
		{"emergency_contacts", patient(func(p *Patient, v string) { p.EmergencyContacts = []EmergencyContact{{Name: v}} })},
		{"emergency_contacts", patient(func(p *Patient, v string) { p.EmergencyContacts = []EmergencyContact{{Name: "A", Relationship: v}} })},
		{"allergies", patient(func(p *Patient, v string) { p.Allergies = []string{"Penicillin", v} })},
		{"chronic_conditions", patient(func(p *Patient, v string) { p.ChronicConditions = []string{v} })},
		{"id_number", patient(func(p *Patient, v string) { p.IDNumber = "9005010000" + v })},
		{"name", location(func(l *Location, v string) { l.Name = v })},
		{"name", practitioner(func(p *Practitioner, v string) { p.Name = v })},
		{"specialty", practitioner(func(p *Practitioner, v string) { p.Specialty = v })},
		{"registration_number", practitioner(func(p *Practitioner, v string) { p.RegistrationNumber = v })},
		{"practice_number", practitioner(func(p *Practitioner, v string) { p.PracticeNumber = v })},
		{"name", func(v string) error { return (&AppointmentType{Name: v, DurationMinutes: 15}).Validate() }},
		{"color", func(v string) error {
			return (&AppointmentType{Name: "A", DurationMinutes: 15, Color: "#1a6fb0" + v}).Validate()
		}},
	}
	for _, c := range checks {
		for name, v := range hostile {
			err := c.validate(v)
			if ErrorFields(err)[c.field] == "" {
				t.Errorf("%s with %s: fields %v, want a message for %s", c.field, name, ErrorFields(err), c.field)
			}
		}
	}
}

// Multi-line fields take line breaks and tabs but nothing else.
func TestValidateMultiLineFields(t *testing.T) {
	p := &Practice{Name: "Sunrise", Slug: "sunrise", TimeZone: "UTC", Address: "1 Main Rd\r\nCape Town", Branding: Branding{LetterheadText: "Dr A\tMBChB\nCape Town"}}
	if err := p.Validate(); err != nil || p.Address != "1 Main Rd\nCape Town" {
		t.Fatalf("multi-line practice: %v, %q", err, p.Address)
	}
	for field, set := range map[string]func(p *Practice){
		"address":         func(p *Practice) { p.Address = "1 Main Rd\u202e" },
		"letterhead_text": func(p *Practice) { p.Branding.LetterheadText = "Dr A\x1b[2J" },
	} {
		p := &Practice{Name: "Sunrise", Slug: "sunrise", TimeZone: "UTC"}
		set(p)
		if ErrorFields(p.Validate())[field] == "" {
			t.Errorf("%s: control character accepted", field)
		}
	}
	l := &Location{Name: "Main", Address: "1 Main Rd\x00"}
	if ErrorFields(l.Validate())["address"] == "" {
		t.Error("location address with NUL accepted")
	}
	pr := &Practitioner{Name: "Dr A", Qualifications: "MBChB (UCT)\nFCP (SA)"}
	if err := pr.Validate(); err != nil {
		t.Errorf("two lines of qualifications refused: %v", err)
	}
	e := &ScheduleException{PractitionerID: "x", Kind: ExceptionLeave, Reason: "Leave\nBcc: x"}
	e.Start = NewDate(2026, 3, 2).Time()
	e.End = e.Start.Add(3600e9)
	if ErrorFields(e.Validate())["reason"] == "" {
		t.Error("exception reason with a line break accepted")
	}
}

func TestValidateTrimsAndLimits(t *testing.T) {
	p := &Practice{Name: "  Sunrise  ", Slug: "sunrise", TimeZone: "UTC", Branding: Branding{PrimaryColor: "#ABCDEF"}}
	if err := p.Validate(); err != nil || p.Name != "Sunrise" || p.Branding.PrimaryColor != "#abcdef" {
		t.Fatalf("practice = %q %q, %v", p.Name, p.Branding.PrimaryColor, err)
	}
	p.Name = strings.Repeat("x", MaxNameLength+1)
	if ErrorFields(p.Validate())["name"] == "" {
		t.Error("a name over the maximum accepted")
	}
	p = &Practice{Name: "Sunrise", Slug: "sunrise"}
	if ErrorFields(p.Validate())["time_zone"] == "" {
		t.Error("an empty time zone accepted")
	}
	pt := &Patient{GivenName: "A", FamilyName: "B", DateOfBirth: NewDate(1990, 1, 1), Allergies: []string{" Penicillin ", "", "Latex"}}
	if err := pt.Validate(NewDate(2026, 1, 1)); err != nil || strings.Join(pt.Allergies, "|") != "Penicillin|Latex" {
		t.Errorf("allergies = %q, %v", pt.Allergies, err)
	}
	pt.EmergencyContacts = make([]EmergencyContact, MaxEmergencyContacts+1)
	for i := range pt.EmergencyContacts {
		pt.EmergencyContacts[i].Name = "C"
	}
	if ErrorFields(pt.Validate(NewDate(2026, 1, 1)))["emergency_contacts"] == "" {
		t.Error("too many emergency contacts accepted")
	}
	if _, err := ValidateName("Ann\nBcc: x"); ErrorCode(err) != EINVALID {
		t.Error("ValidateName took a line break")
	}
	if _, err := ValidateName("Ann\u202e"); ErrorCode(err) != EINVALID {
		t.Error("ValidateName took a bidi override")
	}
}
