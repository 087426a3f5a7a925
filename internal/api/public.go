package api

import (
	"context"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"medic"
	"medic/internal/app"
)

// PublicBodyLimit is medic.PublicBodyLimit (the public pages share it).
const PublicBodyLimit = medic.PublicBodyLimit

// publicRoutes registers the public booking API: no sign-in, the practice
// from its slug (or a signed manage link), CORS only for the origins the
// practice configured.
func (h *Handler) publicRoutes(mux Router) {
	mux.HandleFunc("GET /api/v1/public/practices/{slug}", h.public(h.publicPractice))
	mux.HandleFunc("GET /api/v1/public/practices/{slug}/practitioners", h.public(h.publicPractitioners))
	mux.HandleFunc("GET /api/v1/public/practices/{slug}/availability", h.public(h.publicAvailability))
	mux.HandleFunc("POST /api/v1/public/practices/{slug}/booking/otp", h.public(h.publicRequestCode))
	mux.HandleFunc("POST /api/v1/public/practices/{slug}/booking/confirm", h.public(h.publicConfirm))
	mux.HandleFunc("OPTIONS /api/v1/public/practices/{slug}", h.public(preflight))
	mux.HandleFunc("OPTIONS /api/v1/public/practices/{slug}/{rest...}", h.public(preflight))

	mux.HandleFunc("GET /api/v1/public/bookings/{token}", h.public(h.publicManagedBooking))
	mux.HandleFunc("POST /api/v1/public/bookings/{token}", h.public(h.publicChangeBooking))
	mux.HandleFunc("OPTIONS /api/v1/public/bookings/{token}", h.public(preflight))
}

// public wraps a public route: a small body limit, and the CORS headers of
// the practice the path names (its slug, or the manage link's practice)
// when the request's Origin is one of the practice's allowed origins.
// Other origins get no CORS headers, so browsers keep the answer from them.
//
// CSRF protection does not cover these routes (their origins are per
// practice), so a POST is refused here before any work unless its body is
// declared JSON (a cross-site form or a "simple" fetch cannot send that
// without a preflight) and its Origin, when it sends one, is this server's
// own or one the practice allows.
func (h *Handler) public(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, PublicBodyLimit)
		}
		w.Header().Add("Vary", "Origin")
		origin := r.Header.Get("Origin")
		allowed := origin == "" || h.ownOrigin(r, origin)
		if origin != "" && !allowed {
			var p *medic.Practice
			if slug := r.PathValue("slug"); slug != "" {
				p, _ = h.app.PublicPractice(r.Context(), slug) // a suspended practice is returned too
			} else if tok := r.PathValue("token"); tok != "" {
				p, _ = h.app.ManageLinkPractice(r.Context(), tok)
			}
			if p != nil && p.Booking.AllowsOrigin(origin) {
				allowed = true
				w.Header().Set("Access-Control-Allow-Origin", origin)
				w.Header().Set("Access-Control-Expose-Headers", "Retry-After")
				if r.Method == http.MethodOptions {
					w.Header().Set("Access-Control-Allow-Methods", "GET, POST")
					w.Header().Set("Access-Control-Allow-Headers", "Content-Type")
					w.Header().Set("Access-Control-Max-Age", "600")
				}
			}
		}
		if r.Method == http.MethodPost {
			if !isJSON(r.Header.Get("Content-Type")) {
				writeProblem(w, http.StatusUnsupportedMediaType, "Send the body as JSON, with Content-Type: application/json.")
				return
			}
			if !allowed {
				writeError(w, r, medic.Errorf(medic.EFORBIDDEN, "Requests from this site are not allowed."))
				return
			}
		}
		next(w, r)
	}
}

// ownOrigin reports whether origin is this server's own: the host the
// request was sent to (as Go's CSRF protection compares it) or the
// configured base URL's origin.
func (h *Handler) ownOrigin(r *http.Request, origin string) bool {
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return false // also "null"
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	base, err := url.Parse(h.app.BaseURL)
	return err == nil && base.Host != "" && strings.EqualFold(u.Scheme, base.Scheme) && strings.EqualFold(u.Host, base.Host)
}

// isJSON reports whether a Content-Type is application/json, with or
// without parameters such as charset.
func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && mt == "application/json"
}

// writeProblem writes a problem+json for a status no error code maps to.
func writeProblem(w http.ResponseWriter, status int, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = jsonEncode(w, problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail})
}

// preflight answers a CORS preflight; public wrote the headers (or, for an
// origin the practice did not allow, none).
func preflight(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }

// zoneOf is a practice's time zone.
func zoneOf(p *medic.Practice) *time.Location {
	return practiceZone(medic.WithTenant(context.Background(), medic.Tenant{PracticeID: p.ID, TimeZone: p.TimeZone}))
}

type publicLocationDTO struct {
	ID        string            `json:"id"`
	Name      string            `json:"name"`
	Address   string            `json:"address"`
	Phone     string            `json:"phone"`
	Email     string            `json:"email"`
	Hours     map[string]string `json:"hours"`
	Latitude  *float64          `json:"latitude"`
	Longitude *float64          `json:"longitude"`
}

type publicTypeDTO struct {
	ID              string `json:"id"`
	Name            string `json:"name"`
	DurationMinutes int    `json:"duration_minutes"`
	Color           string `json:"color"`
}

// publicPractitionerDTO: the DOMAIN.md practitioner fields only.
type publicPractitionerDTO struct {
	ID                 string                   `json:"id"`
	Name               string                   `json:"name"`
	Specialty          string                   `json:"specialty"`
	RegistrationNumber string                   `json:"registration_number"`
	Status             medic.PractitionerStatus `json:"status"`
	LocationIDs        []string                 `json:"location_ids"`
}

type publicBrandingDTO struct {
	PrimaryColor   string `json:"primary_color"`
	AccentColor    string `json:"accent_color"`
	LetterheadText string `json:"letterhead_text"`
	HasLogo        bool   `json:"has_logo"`
	LogoURL        string `json:"logo_url,omitempty"`
}

type publicPracticeDTO struct {
	Name                      string                  `json:"name"`
	Slug                      string                  `json:"slug"`
	Phone                     string                  `json:"phone"`
	Email                     string                  `json:"email"`
	Address                   string                  `json:"address"`
	TimeZone                  string                  `json:"time_zone"`
	Branding                  publicBrandingDTO       `json:"branding"`
	LeadTimeMinutes           int                     `json:"lead_time_minutes"`
	CancellationWindowMinutes int                     `json:"cancellation_window_minutes"`
	HorizonDays               int                     `json:"horizon_days"` // how far ahead online booking goes
	Locations                 []publicLocationDTO     `json:"locations"`
	AppointmentTypes          []publicTypeDTO         `json:"appointment_types"`
	Practitioners             []publicPractitionerDTO `json:"practitioners"`
}

func toPublicPractitioner(p *medic.Practitioner) publicPractitionerDTO {
	return publicPractitionerDTO{ID: p.ID, Name: p.Name, Specialty: p.Specialty, RegistrationNumber: p.RegistrationNumber, Status: p.Status, LocationIDs: p.LocationIDs()}
}

func (h *Handler) publicPractice(w http.ResponseWriter, r *http.Request) {
	info, err := h.app.PublicBooking(r.Context(), r.PathValue("slug"))
	if err != nil {
		h.error(w, r, err)
		return
	}
	p := info.Practice
	d := publicPracticeDTO{Name: p.Name, Slug: p.Slug, Phone: p.Phone, Email: p.Email, Address: p.Address, TimeZone: p.TimeZone,
		Branding:        publicBrandingDTO{PrimaryColor: p.Branding.PrimaryColor, AccentColor: p.Branding.AccentColor, LetterheadText: p.Branding.LetterheadText, HasLogo: p.Branding.HasLogo},
		LeadTimeMinutes: p.Booking.LeadTimeMinutes, CancellationWindowMinutes: p.Booking.CancellationWindowMinutes, HorizonDays: p.Booking.OnlineDays(),
		Locations: []publicLocationDTO{}, AppointmentTypes: []publicTypeDTO{}, Practitioners: mapAll(info.Practitioners, toPublicPractitioner)}
	for _, l := range info.Locations {
		hours := map[string]string(l.Hours)
		if hours == nil {
			hours = map[string]string{}
		}
		d.Locations = append(d.Locations, publicLocationDTO{ID: l.ID, Name: l.Name, Address: l.Address, Phone: l.Phone, Email: l.Email, Hours: hours, Latitude: l.Latitude, Longitude: l.Longitude})
	}
	for _, t := range info.Types {
		d.AppointmentTypes = append(d.AppointmentTypes, publicTypeDTO{ID: t.ID, Name: t.Name, DurationMinutes: t.DurationMinutes, Color: t.Color})
	}
	writeJSON(w, http.StatusOK, d)
}

func (h *Handler) publicPractitioners(w http.ResponseWriter, r *http.Request) {
	info, err := h.app.PublicBooking(r.Context(), r.PathValue("slug"))
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newList(mapAll(info.Practitioners, toPublicPractitioner), ""))
}

func (h *Handler) publicAvailability(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	p, err := h.app.PublicPractice(r.Context(), slug)
	if err != nil {
		h.error(w, r, err)
		return
	}
	q := r.URL.Query()
	loc := zoneOf(p)
	fields := medic.FieldErrors{}
	from := instantParam(fields, q, "from", loc)
	to := instantParam(fields, q, "to", loc)
	if err := fields.Err(); err != nil {
		h.error(w, r, err)
		return
	}
	slots, err := h.app.PublicAvailability(r.Context(), slug, app.AvailabilityQuery{
		PractitionerID: q.Get("practitioner"), LocationID: q.Get("location"), AppointmentTypeID: q.Get("type"), From: from, To: to})
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newList(mapAll(slots, toSlot(loc)), ""))
}

// publicError writes err; a refusal past the rate limits says when to retry.
func (h *Handler) publicError(w http.ResponseWriter, r *http.Request, err error) {
	var retry *app.RetryError
	if errors.As(err, &retry) {
		w.Header().Set("Retry-After", strconv.Itoa(int(retry.After.Round(time.Second).Seconds())))
	}
	h.error(w, r, err)
}

func (h *Handler) publicRequestCode(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Email string `json:"email"`
	}
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	err := h.app.RequestBookingCode(r.Context(), r.PathValue("slug"), app.BookingCodeRequest{Email: in.Email, IP: medic.RequestInfoFrom(r.Context()).IP})
	if err != nil {
		h.publicError(w, r, err)
		return
	}
	// The same answer whether or not the practice knows the address.
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "sent", "detail": "We emailed a 6-digit code to this address. It is valid for 10 minutes."})
}

type publicConfirmInput struct {
	Email             string  `json:"email"`
	Code              string  `json:"code"`
	PractitionerID    string  `json:"practitioner_id"`
	LocationID        string  `json:"location_id"`
	AppointmentTypeID string  `json:"appointment_type_id"`
	Start             *string `json:"start"`
	GivenName         string  `json:"given_name"`
	FamilyName        string  `json:"family_name"`
	DateOfBirth       *string `json:"date_of_birth"`
	Phone             string  `json:"phone"`
	Reason            string  `json:"reason"`
	// Website is the honeypot: hidden from people, filled in by robots.
	Website string `json:"website"`
}

type publicBookingDTO struct {
	AppointmentID       string    `json:"appointment_id"`
	Start               time.Time `json:"start"`
	End                 time.Time `json:"end"`
	ManageURL           string    `json:"manage_url"`
	PractitionerName    string    `json:"practitioner_name"`
	LocationName        string    `json:"location_name"`
	AppointmentTypeName string    `json:"appointment_type_name"`
}

// slotGoneProblem is the 409 when the slot went: the problem, and the next
// open slots of the same practitioner, location and type.
type slotGoneProblem struct {
	problem
	Slots []slotDTO `json:"slots"`
}

func (h *Handler) publicConfirm(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	p, err := h.app.PublicPractice(r.Context(), slug)
	if err != nil {
		h.error(w, r, err)
		return
	}
	var in publicConfirmInput
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	loc := zoneOf(p)
	fields := medic.FieldErrors{}
	start := instantField(fields, "start", in.Start)
	dob := dateField(fields, "date_of_birth", in.DateOfBirth)
	if err := fields.Err(); err != nil && in.Website == "" {
		h.error(w, r, err)
		return
	}
	res, err := h.app.ConfirmPublicBooking(r.Context(), slug, app.PublicBookingRequest{Email: in.Email, Code: in.Code,
		PractitionerID: in.PractitionerID, LocationID: in.LocationID, AppointmentTypeID: in.AppointmentTypeID, Start: start,
		GivenName: in.GivenName, FamilyName: in.FamilyName, DateOfBirth: dob, Phone: in.Phone, Reason: in.Reason,
		IP: medic.RequestInfoFrom(r.Context()).IP, Website: in.Website})
	if errors.Is(err, medic.ErrSlotFull) {
		next, _ := h.app.NextPublicSlots(r.Context(), slug, in.PractitionerID, in.LocationID, in.AppointmentTypeID, start, 5)
		pr := problem{Type: "about:blank", Title: http.StatusText(http.StatusConflict), Status: http.StatusConflict, Detail: medic.ErrorMessage(err)}
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusConflict)
		_ = jsonEncode(w, slotGoneProblem{problem: pr, Slots: mapAll(next, toSlot(loc))})
		return
	}
	if err != nil {
		h.publicError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, publicBookingDTO{AppointmentID: res.AppointmentID, Start: res.Start.In(loc), End: res.End.In(loc), ManageURL: res.ManageURL,
		PractitionerName: res.PractitionerName, LocationName: res.LocationName, AppointmentTypeName: res.TypeName})
}

type managedBookingDTO struct {
	AppointmentID       string                  `json:"appointment_id"`
	Status              medic.AppointmentStatus `json:"status"`
	Start               time.Time               `json:"start"`
	End                 time.Time               `json:"end"`
	PractitionerID      string                  `json:"practitioner_id"`
	LocationID          string                  `json:"location_id"`
	AppointmentTypeID   string                  `json:"appointment_type_id"`
	PractitionerName    string                  `json:"practitioner_name"`
	LocationName        string                  `json:"location_name"`
	AppointmentTypeName string                  `json:"appointment_type_name"`
	CanChange           bool                    `json:"can_change"`
	ChangeDeadline      time.Time               `json:"change_deadline"`
	Practice            struct {
		Name  string `json:"name"`
		Slug  string `json:"slug"`
		Phone string `json:"phone"`
	} `json:"practice"`
}

func toManagedBooking(m *app.ManagedBooking) managedBookingDTO {
	loc := zoneOf(m.Practice)
	d := managedBookingDTO{AppointmentID: m.AppointmentID, Status: m.Status, Start: m.Start.In(loc), End: m.End.In(loc),
		PractitionerID: m.PractitionerID, LocationID: m.LocationID, AppointmentTypeID: m.AppointmentTypeID,
		PractitionerName: m.PractitionerName, LocationName: m.LocationName, AppointmentTypeName: m.TypeName,
		CanChange: m.CanChange, ChangeDeadline: m.ChangeDeadline.In(loc)}
	d.Practice.Name, d.Practice.Slug, d.Practice.Phone = m.Practice.Name, m.Practice.Slug, m.Practice.Phone
	return d
}

func (h *Handler) publicManagedBooking(w http.ResponseWriter, r *http.Request) {
	m, err := h.app.ManagedBooking(r.Context(), r.PathValue("token"), medic.RequestInfoFrom(r.Context()).IP)
	if err != nil {
		h.publicError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toManagedBooking(m))
}

// publicChangeBooking cancels ({"action": "cancel", "reason"?}) or moves
// ({"action": "reschedule", "start"}) the booking of a manage link.
func (h *Handler) publicChangeBooking(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Action string  `json:"action"`
		Reason string  `json:"reason"`
		Start  *string `json:"start"`
	}
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	token, ip := r.PathValue("token"), medic.RequestInfoFrom(r.Context()).IP
	var m *app.ManagedBooking
	var err error
	switch strings.TrimSpace(in.Action) {
	case "cancel":
		m, err = h.app.CancelManagedBooking(r.Context(), token, in.Reason, ip)
	case "reschedule":
		fields := medic.FieldErrors{}
		start := instantField(fields, "start", in.Start)
		if err := fields.Err(); err != nil {
			h.error(w, r, err)
			return
		}
		m, err = h.app.RescheduleManagedBooking(r.Context(), token, start, ip)
	default:
		err = &medic.Error{Code: medic.EINVALID, Message: `Send "action": "cancel" or "reschedule".`, Fields: map[string]string{"action": `Use "cancel" or "reschedule".`}}
	}
	if err != nil {
		h.publicError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toManagedBooking(m))
}
