package web

import (
	"cmp"
	_ "embed"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"medic"
	"medic/internal/app"
)

// settingsRoutes registers the practice settings and logo.
func (h *Handler) settingsRoutes(mux Router) {
	mux.HandleFunc("GET /settings", h.member(h.settingsForm))
	mux.HandleFunc("POST /settings", h.member(h.saveSettings))
	mux.HandleFunc("POST /settings/logo", h.member(h.uploadLogo))
	mux.HandleFunc("GET /logo", h.member(h.logo))
}

// timeZones are the IANA zone names the time zone fields offer (a
// searchable list: type part of a city); any zone Go knows is accepted.
var timeZones = func() []string {
	var out []string
	for _, l := range strings.Split(timeZoneList, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}()

//go:embed timezones.txt
var timeZoneList string

// settingsView is the data of the settings page besides its forms.
type settingsView struct {
	TimeZones []string
	HasLogo   bool
	MaxLogoKB int
}

// practiceValues fills the settings form from the practice.
func practiceValues(p *medic.Practice) url.Values {
	v := url.Values{}
	v.Set("name", p.Name)
	v.Set("type", string(p.Type))
	v.Set("email", p.Email)
	v.Set("phone", p.Phone)
	v.Set("address", p.Address)
	v.Set("registration_number", p.RegistrationNumber)
	v.Set("time_zone", p.TimeZone)
	// A colour input always holds a colour: the defaults stand for "none".
	v.Set("primary_color", cmp.Or(p.Branding.PrimaryColor, defaultPrimaryColor))
	v.Set("accent_color", cmp.Or(p.Branding.AccentColor, defaultAccentColor))
	v.Set("letterhead_text", p.Branding.LetterheadText)
	v.Set("lead_time_minutes", strconv.Itoa(p.Booking.LeadTimeMinutes))
	v.Set("horizon_days", strconv.Itoa(p.Booking.OnlineDays()))
	v.Set("cancellation_window_minutes", strconv.Itoa(p.Booking.CancellationWindowMinutes))
	v.Set("buffer_minutes", strconv.Itoa(p.Booking.BufferMinutes))
	v.Set("reminder_minutes", strconv.Itoa(p.Booking.ReminderMinutes))
	v.Set("notify_email", p.Booking.NotifyEmail)
	v.Set("allowed_origins", strings.Join(p.Booking.AllowedOrigins, "\n"))
	if p.Require2FA {
		v.Set("require_2fa", "on")
	}
	return v
}

// settingsFields are the form fields the settings page sends.
var settingsFields = []string{"name", "type", "email", "phone", "address", "registration_number", "time_zone",
	"primary_color", "accent_color", "letterhead_text", "lead_time_minutes", "horizon_days", "cancellation_window_minutes",
	"buffer_minutes", "reminder_minutes", "notify_email", "allowed_origins", "require_2fa"}

// applyPractice copies the sent settings onto p; numbers that do not parse
// are recorded on f.
func applyPractice(f *form, p *medic.Practice) {
	get := func(k string) string { return strings.TrimSpace(f.Get(k)) }
	p.Name, p.Type, p.Email, p.Phone = get("name"), medic.PracticeType(get("type")), get("email"), get("phone")
	p.Address, p.RegistrationNumber, p.TimeZone = get("address"), get("registration_number"), get("time_zone")
	p.Branding.PrimaryColor, p.Branding.AccentColor = get("primary_color"), get("accent_color")
	p.Branding.LetterheadText = strings.TrimSpace(strings.ReplaceAll(f.Get("letterhead_text"), "\r\n", "\n"))
	num := func(k, unit string) int {
		n, err := strconv.Atoi(get(k))
		if err != nil {
			f.fail(k, "Enter a whole number of "+unit+".")
		}
		return n
	}
	p.Booking.LeadTimeMinutes = num("lead_time_minutes", "minutes")
	if get("horizon_days") != "" { // left empty: the default horizon
		p.Booking.HorizonDays = num("horizon_days", "days")
	}
	p.Booking.CancellationWindowMinutes = num("cancellation_window_minutes", "minutes")
	p.Booking.BufferMinutes = num("buffer_minutes", "minutes")
	p.Booking.ReminderMinutes = num("reminder_minutes", "minutes")
	p.Booking.NotifyEmail = get("notify_email")
	p.Booking.AllowedOrigins = originLines(f.Get("allowed_origins"))
	p.Require2FA = f.Checked("require_2fa")
}

func (h *Handler) settingsForm(w http.ResponseWriter, r *http.Request, v *visitor) {
	if !h.offers(w, r, "practice.update") {
		return
	}
	h.renderSettings(w, r, http.StatusOK, v, newForm("settings", practiceValues(v.practice)), newForm("logo", nil))
}

func (h *Handler) renderSettings(w http.ResponseWriter, r *http.Request, status int, v *visitor, f, logo *form) {
	p := h.page(r, "Practice settings", "settings").withForm(f).withForm(logo)
	p.Data = settingsView{TimeZones: timeZones, HasLogo: v.practice.Branding.HasLogo, MaxLogoKB: app.MaxLogoBytes >> 10}
	h.render(w, r, status, "settings", p)
}

// saveSettings saves details, branding, booking rules and the 2FA policy.
func (h *Handler) saveSettings(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	values := url.Values{}
	for _, k := range settingsFields {
		values[k] = r.PostForm[k]
	}
	f := newForm("settings", values)
	rerender := func(status int) { h.renderSettings(w, r, status, v, f, newForm("logo", nil)) }

	probe := *v.practice
	applyPractice(f, &probe)
	if f.err() != nil {
		// Show the domain's messages for the other fields in the same round.
		if err := probe.Validate(); err != nil {
			f.failFields(err)
		}
		h.actionFormFail(w, r, "practice.update", f.err(), f, rerender)
		return
	}
	_, err := h.app.UpdatePractice(r.Context(), func(p *medic.Practice) { applyPractice(f, p) })
	if err != nil {
		h.formFail(w, r, err, f, rerender)
		return
	}
	seeOther(w, r, "/settings?m=saved")
}

// uploadLogo stores a PNG or JPEG of at most 512 KB.
func (h *Handler) uploadLogo(w http.ResponseWriter, r *http.Request, v *visitor) {
	logo := newForm("logo", nil)
	rerender := func(status int) {
		h.renderSettings(w, r, status, v, newForm("settings", practiceValues(v.practice)), logo)
	}
	data, err := readLogo(r)
	if err != nil {
		h.actionFormFail(w, r, "practice.logo", err, logo, rerender)
		return
	}
	if err := h.app.SetLogo(r.Context(), data); err != nil {
		h.formFail(w, r, err, logo, rerender)
		return
	}
	seeOther(w, r, "/settings?m=logo-saved")
}

func readLogo(r *http.Request) ([]byte, error) {
	tooBig := &medic.Error{Code: medic.EINVALID, Message: "The logo is too large.", Fields: map[string]string{"logo": "Upload a PNG or JPEG of at most 512 KB."}}
	if err := r.ParseMultipartForm(app.MaxLogoBytes + 64<<10); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, tooBig
		}
		return nil, &medic.Error{Code: medic.EINVALID, Message: "Choose an image to upload.", Fields: map[string]string{"logo": "Choose a PNG or JPEG image."}}
	}
	file, _, err := r.FormFile("logo")
	if err != nil {
		return nil, &medic.Error{Code: medic.EINVALID, Message: "Choose an image to upload.", Fields: map[string]string{"logo": "Choose a PNG or JPEG image."}}
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, app.MaxLogoBytes+1))
	if err != nil {
		return nil, &medic.Error{Code: medic.EINVALID, Message: "The upload did not arrive completely.", Fields: map[string]string{"logo": "Try the upload again."}}
	}
	if len(data) > app.MaxLogoBytes {
		return nil, tooBig
	}
	return data, nil
}

// logo serves the current practice's logo.
func (h *Handler) logo(w http.ResponseWriter, r *http.Request, v *visitor) {
	l, err := h.app.Logo(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if l.ContentType != "image/png" && l.ContentType != "image/jpeg" {
		h.fail(w, r, errNotFound)
		return
	}
	w.Header().Set("Content-Type", l.ContentType)
	w.Header().Set("Cache-Control", "private, no-cache")
	_, _ = w.Write(l.Data)
}

// originLines reads one origin per line, blank lines skipped.
func originLines(s string) []string {
	out := []string{}
	for _, l := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// The practice's colours when none is chosen (the desk's own).
const (
	defaultPrimaryColor = "#1a6fb0"
	defaultAccentColor  = "#e0872b"
)
