package medic

import (
	"context"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

type PracticeStatus string

const (
	PracticeActive    PracticeStatus = "active"
	PracticeSuspended PracticeStatus = "suspended"
)

type PracticeType string

const (
	PracticeClinic   PracticeType = "clinic"
	PracticeHospital PracticeType = "hospital"
	PracticeGroup    PracticeType = "practice_group"
)

// Practice is the tenant. Its registry row is platform data; everything
// else it owns carries its id and is fenced by row-level security.
type Practice struct {
	ID                 string
	Slug               string
	Name               string
	Type               PracticeType
	Email              string
	Phone              string
	Address            string
	RegistrationNumber string
	TimeZone           string
	Plan               string
	Status             PracticeStatus
	Branding           Branding
	Booking            BookingSettings
	Require2FA         bool
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// Branding is how the practice's pages and documents look.
type Branding struct {
	PrimaryColor   string `json:"primary_color"`
	AccentColor    string `json:"accent_color"`
	LetterheadText string `json:"letterhead_text"`
	HasLogo        bool   `json:"has_logo"`
}

// BookingSettings are the practice's rules for appointments.
type BookingSettings struct {
	LeadTimeMinutes           int `json:"lead_time_minutes"`
	CancellationWindowMinutes int `json:"cancellation_window_minutes"`
	BufferMinutes             int `json:"buffer_minutes"`
	ReminderMinutes           int `json:"reminder_minutes"`
	// HorizonDays is how far ahead patients may book online (0: the
	// default, DefaultHorizonDays); the desk may book further.
	HorizonDays int `json:"horizon_days"`
	// NotifyEmail is where the practice is emailed of each online booking
	// ("" for none).
	NotifyEmail string `json:"notify_email"`
	// AllowedOrigins are the web origins (scheme://host[:port]) that may call
	// the practice's public booking API from a browser (CORS).
	AllowedOrigins []string `json:"allowed_origins"`
}

// Equal reports whether b and o are the same settings.
func (b BookingSettings) Equal(o BookingSettings) bool {
	return b.LeadTimeMinutes == o.LeadTimeMinutes && b.CancellationWindowMinutes == o.CancellationWindowMinutes &&
		b.BufferMinutes == o.BufferMinutes && b.ReminderMinutes == o.ReminderMinutes && b.HorizonDays == o.HorizonDays && b.NotifyEmail == o.NotifyEmail &&
		slices.Equal(b.AllowedOrigins, o.AllowedOrigins)
}

// DefaultHorizonDays is how far ahead patients book online unless the
// practice says otherwise.
const DefaultHorizonDays = 90

// OnlineDays is how many days ahead patients may book online.
func (b BookingSettings) OnlineDays() int {
	if b.HorizonDays <= 0 {
		return DefaultHorizonDays
	}
	return b.HorizonDays
}

// Horizon is how far ahead of now patients may book online.
func (b BookingSettings) Horizon() time.Duration {
	return time.Duration(b.OnlineDays()) * 24 * time.Hour
}

// AllowsOrigin reports whether origin is one of the allowed origins, exactly.
func (b BookingSettings) AllowsOrigin(origin string) bool {
	return origin != "" && slices.Contains(b.AllowedOrigins, origin)
}

// MaxAllowedOrigins bounds the CORS origins of a practice.
const MaxAllowedOrigins = 20

// NormalizeOrigin checks a web origin: http or https, a host, an optional
// port, nothing else (no path, query, user or trailing slash); the scheme
// and host are lower-cased.
func NormalizeOrigin(s string) (string, error) {
	bad := Errorf(EINVALID, "Use an origin like https://www.example.com (scheme, host and optional port only).")
	s = strings.TrimSpace(s)
	if _, err := Line(s, 200); err != nil || s == "" || strings.ContainsAny(s, " \t") {
		return "", bad
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.User != nil || u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" ||
		strings.HasSuffix(s, "?") || strings.HasSuffix(s, "#") {
		return "", bad
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return "", bad
	}
	host := strings.ToLower(u.Host)
	if h := u.Hostname(); h == "" || strings.ContainsAny(h, "*%") {
		return "", bad
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return "", bad
		}
		// Browsers send the Origin without the scheme's default port.
		if scheme == "https" && p == "443" || scheme == "http" && p == "80" {
			host = strings.TrimSuffix(host, ":"+p)
		}
	} else if strings.HasSuffix(host, ":") {
		return "", bad
	}
	return scheme + "://" + host, nil
}

// DefaultBooking is what a new practice starts with.
var DefaultBooking = BookingSettings{LeadTimeMinutes: 60, CancellationWindowMinutes: 24 * 60, BufferMinutes: 0, ReminderMinutes: 24 * 60, HorizonDays: DefaultHorizonDays}

// Logo is the practice's uploaded logo image.
type Logo struct {
	ContentType string
	Data        []byte
}

// reservedSlugs are path words under /book/ that no practice may take
// (/book/manage/{token} is the patient's manage link).
var reservedSlugs = map[string]bool{"manage": true}

var slugRE = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$`)

// Validate checks the fields a user can set.
func (p *Practice) Validate() error {
	f := FieldErrors{}
	p.Slug = strings.ToLower(strings.TrimSpace(p.Slug))
	f.RequiredLine("name", &p.Name, MaxNameLength, "Enter the practice name.")
	if !slugRE.MatchString(p.Slug) {
		f.Add("slug", "Use 1-40 lowercase letters, digits or hyphens.")
	} else if reservedSlugs[p.Slug] {
		f.Add("slug", "This address is reserved; choose another.")
	}
	switch p.Type {
	case PracticeClinic, PracticeHospital, PracticeGroup:
	case "":
		p.Type = PracticeClinic
	default:
		f.Add("type", "Choose clinic, hospital or practice_group.")
	}
	if p.Email = strings.TrimSpace(p.Email); p.Email != "" {
		if e, err := NormalizeEmail(p.Email); err != nil {
			f.Add("email", "Enter a valid email address.")
		} else {
			p.Email = e
		}
	}
	if p.Phone = strings.TrimSpace(p.Phone); p.Phone != "" {
		if ph, err := NormalizePhone(p.Phone); err != nil {
			f.Add("phone", "Enter a phone number such as +27 21 555 0100.")
		} else {
			p.Phone = ph
		}
	}
	f.MultiLine("address", &p.Address, MaxAddressLength)
	f.Line("registration_number", &p.RegistrationNumber, MaxShortText)
	if err := CheckTimeZone(p.TimeZone); err != nil {
		f.Add("time_zone", ErrorMessage(err))
	}
	if p.Plan == "" {
		p.Plan = "standard"
	}
	f.Line("plan", &p.Plan, MaxShortText)
	for field, c := range map[string]*string{"primary_color": &p.Branding.PrimaryColor, "accent_color": &p.Branding.AccentColor} {
		if *c == "" {
			continue
		}
		if v, err := NormalizeColor(*c); err != nil {
			f.Add(field, ErrorMessage(err))
		} else {
			*c = v
		}
	}
	f.MultiLine("letterhead_text", &p.Branding.LetterheadText, 1000)
	b := p.Booking
	if b.LeadTimeMinutes < 0 || b.LeadTimeMinutes > 60*24*60 {
		f.Add("lead_time_minutes", "Use 0 to 86400 minutes.")
	}
	if b.CancellationWindowMinutes < 0 || b.CancellationWindowMinutes > 60*24*30 {
		f.Add("cancellation_window_minutes", "Use 0 to 43200 minutes.")
	}
	if b.BufferMinutes < 0 || b.BufferMinutes > 240 {
		f.Add("buffer_minutes", "Use 0 to 240 minutes.")
	}
	if b.ReminderMinutes < 0 || b.ReminderMinutes > 60*24*14 {
		f.Add("reminder_minutes", "Use 0 to 20160 minutes.")
	}
	if b.HorizonDays < 0 || b.HorizonDays > 730 {
		f.Add("horizon_days", "Use 1 to 730 days (0 for the default, 90).")
	}
	if b.NotifyEmail = strings.TrimSpace(b.NotifyEmail); b.NotifyEmail != "" {
		if e, err := NormalizeEmail(b.NotifyEmail); err != nil {
			f.Add("notify_email", "Enter a valid email address.")
		} else {
			b.NotifyEmail = e
		}
	}
	if len(b.AllowedOrigins) > MaxAllowedOrigins {
		f.Add("allowed_origins", "Use at most 20 origins.")
	}
	origins := []string{}
	for _, o := range b.AllowedOrigins {
		n, err := NormalizeOrigin(o)
		if err != nil {
			f.Add("allowed_origins", ErrorMessage(err))
			continue
		}
		if !slices.Contains(origins, n) {
			origins = append(origins, n)
		}
	}
	b.AllowedOrigins = origins
	p.Booking = b
	return f.Err()
}

// PracticeCounts are the aggregate figures an operator sees; never patient data.
type PracticeCounts struct {
	PracticeID    string
	Members       int
	ActiveMembers int
	Locations     int
	AuditEvents   int
	FailedMails   int // mail that could not be sent, waiting for a retry
}

// PracticeService manages the practice registry.
type PracticeService interface {
	// FindPracticeByRef finds a practice by id or slug; ENOTFOUND otherwise.
	FindPracticeByRef(ctx context.Context, ref string) (*Practice, error)
	// UpdatePractice saves settings of the practice in context (admin).
	UpdatePractice(ctx context.Context, p *Practice) error
	SetLogo(ctx context.Context, logo *Logo) error
	// Logo returns the logo of the practice in context; ENOTFOUND if none.
	Logo(ctx context.Context) (*Logo, error)
}

// PlatformService is the operator's view of the registry.
type PlatformService interface {
	ListPractices(ctx context.Context) ([]*Practice, error)
	// CreatePractice returns ECONFLICT if the slug is taken.
	CreatePractice(ctx context.Context, p *Practice) error
	SetPracticeStatus(ctx context.Context, id string, s PracticeStatus) error
	PracticeCounts(ctx context.Context) (map[string]PracticeCounts, error)
}
