package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"medic"
	"medic/internal/app"
)

//go:embed templates
var templateFS embed.FS

// viewNames lists every page the desk renders. New fails unless each has a
// template defining "content" (and no template exists without a view).
var viewNames = []string{
	"login", "login_2fa", "forgot", "forgot_sent", "reset", "invite",
	"dashboard", "no_practice", "settings", "locations", "location", "medicines", "medicine", "prescription_new", "prescription", "sick_note_new", "sick_note", "claims", "claim", "invoices", "invoice", "invoice_new", "tariffs", "tariff", "cash_up", "members", "verify",
	"audit", "account", "operator", "book", "mailbox", "error",
	"patients", "patient", "patient_form", "patient_merge",
	"practitioners", "practitioner", "schedules", "schedule_rule", "schedule_confirm",
	"appointment_types", "appointment_type", "calendar", "today", "appointment_new", "appointment",
	"book_details", "book_code", "book_done", "book_manage", "notifications", "outbox", "search",
	"encounter_vitals",
	"icd10", "encounter_diagnoses", "order", "orders",
	"encounter", "encounter_new", "queue", "encounter_templates",
	"referral_new", "referral", "referrals",
	"smart_clients", "smart_client", "smart_consent", "smart_launch",
}

// views holds one parsed template set per page: the layout and partials
// plus the page's own "content".
type views struct {
	byName map[string]*template.Template
}

func parseViews(as *assets) (*views, error) {
	return parseViewsFS(templateFS, viewNames, templateFuncs(as))
}

// parseViewsFS parses layout.html and partials.html from fsys's templates/
// folder plus one file per view, each of which must define "content"; a
// template file that belongs to no view is an error too.
func parseViewsFS(fsys fs.FS, names []string, funcs template.FuncMap) (*views, error) {
	base, err := template.New("").Funcs(funcs).ParseFS(fsys, "templates/layout.html", "templates/partials.html")
	if err != nil {
		return nil, err
	}
	vs := &views{byName: map[string]*template.Template{}}
	for _, name := range names {
		t, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if _, err := t.ParseFS(fsys, "templates/"+name+".html"); err != nil {
			return nil, fmt.Errorf("view %q: %w", name, err)
		}
		if t.Lookup("content") == nil {
			return nil, fmt.Errorf("view %q defines no content", name)
		}
		// Execute once into nothing to surface escaping errors now, not on
		// a user's first visit (errors from the empty data are expected).
		if err := t.ExecuteTemplate(discard{}, "layout", &page{Title: "check"}); err != nil && isEscapeError(err) {
			return nil, fmt.Errorf("view %q: %w", name, err)
		}
		if t.Lookup("publicLayout") != nil {
			if err := t.ExecuteTemplate(discard{}, "publicLayout", &page{Title: "check", Public: &publicBrand{}}); err != nil && isEscapeError(err) {
				return nil, fmt.Errorf("view %q (public): %w", name, err)
			}
		}
		vs.byName[name] = t
	}
	files, err := fs.Glob(fsys, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(f, "templates/"), ".html")
		if name != "layout" && name != "partials" && !slices.Contains(names, name) {
			return nil, fmt.Errorf("template %s belongs to no view", f)
		}
	}
	return vs, nil
}

type discard struct{}

func (discard) Write(b []byte) (int, error) { return len(b), nil }

func isEscapeError(err error) bool {
	var e *template.Error
	return errors.As(err, &e)
}

// page is what every template receives: the layout's data (who is signed
// in, the practice, the switcher) and the view's own Data and Forms.
type page struct {
	Title  string
	Nav    string // which navigation item is current
	Notice string // a confirmation after a redirect
	Alert  string // a page-level error
	Data   any
	Forms  map[string]*form

	User              *medic.User
	Memberships       []medic.Membership
	Practice          *medic.Practice
	Tenant            medic.Tenant
	SessionPracticeID string
	DevMailbox        bool
	Unread            int // the practice's unread desk notifications, for the nav
	ToReview          int // the member's results to review, for the nav
	// SevereAllergies is the banner of a patient's pages (withPatientBanner).
	SevereAllergies []string

	// Public pages (booking, manage) use their own layout without the desk
	// navigation, branded for the practice.
	Public *publicBrand

	loc *time.Location
}

// Can reports whether the visitor's role in the current practice holds perm;
// the desk hides what the role cannot do (the app refuses it anyway).
func (p *page) Can(perm medic.Permission) bool {
	return p.Practice != nil && p.Tenant.Can(perm)
}

// IsOperator reports whether the visitor is a platform operator.
func (p *page) IsOperator() bool { return p.User != nil && p.User.IsOperator }

// F returns the named form of the page (empty when the page has none yet).
func (p *page) F(name string) *form {
	if f, ok := p.Forms[name]; ok {
		return f
	}
	return newForm(name, nil)
}

// Switchable lists the memberships the practice switcher offers.
func (p *page) Switchable() []medic.Membership {
	var out []medic.Membership
	for _, m := range p.Memberships {
		if m.Active {
			out = append(out, m)
		}
	}
	return out
}

// Time shows an instant in the practice's time zone (UTC outside one).
func (p *page) Time(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	loc := p.loc
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("2 Jan 2006 15:04 MST")
}

// TimeP is Time for an optional instant.
func (p *page) TimeP(t *time.Time) string {
	if t == nil {
		return ""
	}
	return p.Time(*t)
}

// Clock shows the time of day of an instant in the practice's time zone.
func (p *page) Clock(t time.Time) string { return t.In(p.zone()).Format("15:04") }

// Day shows the date of an instant in the practice's time zone.
func (p *page) Day(t time.Time) string { return t.In(p.zone()).Format("Mon 2 Jan 2006") }

// When shows the date and time of an instant in the practice's time zone.
func (p *page) When(t time.Time) string { return t.In(p.zone()).Format("Mon 2 Jan 2006, 15:04") }

// DateParam is the practice's date of an instant as YYYY-MM-DD, for links.
func (p *page) DateParam(t time.Time) string { return t.In(p.zone()).Format("2006-01-02") }

// Span shows the times of an appointment, "09:00–09:30".
func (p *page) Span(start, end time.Time) string { return p.Clock(start) + "–" + p.Clock(end) }

func (p *page) zone() *time.Location {
	if p.loc == nil {
		return time.UTC
	}
	return p.loc
}

// withForm adds f to the page and returns the page.
func (p *page) withForm(f *form) *page {
	if p.Forms == nil {
		p.Forms = map[string]*form{}
	}
	p.Forms[f.Name] = f
	return p
}

// page starts the page for r, filled from the visitor when one is signed in.
func (h *Handler) page(r *http.Request, title, nav string) *page {
	p := &page{Title: title, Nav: nav, DevMailbox: h.devMailbox && medic.ActorFrom(r.Context()).IsOperator, Notice: notices[r.URL.Query().Get("m")], loc: time.UTC}
	v := visitorFrom(r.Context())
	if v == nil && medic.ActorFrom(r.Context()).SessionID != "" {
		// A signed-in visitor on a page outside the desk wrappers (404):
		// load the account for the navigation, best effort.
		if me, err := h.app.WhoAmI(r.Context()); err == nil {
			v = &visitor{session: app.SessionFrom(r.Context()), user: me.User, memberships: me.Memberships}
		}
	}
	if v == nil {
		return p
	}
	p.User, p.Memberships = v.user, v.memberships
	if v.session != nil {
		p.SessionPracticeID = v.session.ActivePracticeID
	}
	if v.practice != nil {
		p.Practice, p.Tenant = v.practice, v.tenant
		p.loc = v.zone()
		if visitorFrom(r.Context()) != nil && p.Can(medic.PermAppointmentsRead) {
			// One indexed count per desk page; a failure only hides the badge.
			if n, err := h.app.UnreadNotifications(r.Context()); err == nil {
				p.Unread = n
			}
		}
		if visitorFrom(r.Context()) != nil && p.Can(medic.PermClinicalWrite) {
			// One indexed count in a read, not the lists' two counts.
			if n, err := h.app.CountMyResultsToReview(r.Context()); err == nil {
				p.ToReview = n
			}
		}
	}
	return p
}

// render writes view with status. The page is rendered to a buffer first so
// a template failure becomes a clean 500, not half a page.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, view string, p *page) {
	t, ok := h.views.byName[view]
	if !ok {
		h.log.Error("no such view", "request_id", medic.RequestInfoFrom(r.Context()).RequestID, "view", view)
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return
	}
	layout := "layout"
	if p.Public != nil {
		layout = "publicLayout"
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, layout, p); err != nil {
		h.log.Error("render failed", "request_id", medic.RequestInfoFrom(r.Context()).RequestID, "view", view, "error", err)
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", "no-store") // desk pages hold private data
	hd.Set("Vary", "Cookie")
	if r.Method == http.MethodPost && r.Header.Get("HX-Request") == "true" {
		// A form shown again after a boosted POST: keep the address of the
		// page it was sent from rather than the POST-only action URL.
		hd.Set("HX-Push-Url", "false")
	}
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// seeOther is the redirect after a POST (and to the sign-in page).
func seeOther(w http.ResponseWriter, r *http.Request, to string) {
	http.Redirect(w, r, to, http.StatusSeeOther)
}

var errNotFound = medic.ErrNotFound

// pageError gives an error page a specific title and, for errors whose
// message is safe and useful (an expired link), that message.
type pageError struct {
	title   string
	message string
	err     error
}

func (e *pageError) Error() string { return e.err.Error() }
func (e *pageError) Unwrap() error { return e.err }

// errorView is the data of the error page.
type errorView struct {
	Status    int
	Message   string
	Reference string // the request id, for support; never the cause
}

// fail is the one mapping from error codes to pages: 404 (identical for a
// record that does not exist and one of another practice), 403, 503, and a
// generic 500 that never shows the cause, which is logged with the request id.
// On the public booking routes (/book...) the page has the public layout:
// no desk navigation, whoever is signed in on the browser.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	h.Fail(w, r, err)
}

// Fail is fail for middleware that answers desk requests before a handler
// runs (authentication).
func (h *Handler) Fail(w http.ResponseWriter, r *http.Request, err error) {
	code := medic.ErrorCode(err)
	if code == medic.EUNAUTHORIZED {
		seeOther(w, r, "/login"+nextQuery(r))
		return
	}
	status := medic.HTTPStatus(code)
	public := isPublicPath(r.URL.Path)
	var p *page
	if public {
		p = h.publicErrorPage(r, code)
	} else {
		p = h.page(r, "", "")
	}
	e := errorView{Status: status, Message: medic.ErrorMessage(err)}
	switch code {
	case medic.ENOTFOUND:
		p.Title, e.Message = "Page not found", "We could not find that page. Check the address, or go back to the dashboard."
		if public {
			e.Message = "We could not find that page. Check the address or the link in your email."
		}
	case medic.EFORBIDDEN:
		p.Title = "Not allowed"
	case medic.EUNAVAILABLE:
		p.Title = "Not available"
		if errors.Is(err, medic.ErrStoreUnavailable) {
			h.log.Error("database unavailable", "request_id", medic.RequestInfoFrom(r.Context()).RequestID, "route", r.Pattern, "error", err)
			w.Header().Set("Retry-After", strconv.Itoa(medic.OutageRetrySeconds))
		}
	case medic.ETOOMANY:
		p.Title = "Too many attempts"
		retryAfter := "900"
		var retry *app.RetryError
		if errors.As(err, &retry) {
			retryAfter = strconv.Itoa(int(retry.After.Seconds()))
		}
		w.Header().Set("Retry-After", retryAfter)
	case medic.EINVALID:
		p.Title = "Please check your request"
	case medic.ECONFLICT:
		p.Title = "This could not be done"
	case medic.ETOOLARGE:
		p.Title = "Too large"
	default:
		rid := medic.RequestInfoFrom(r.Context()).RequestID
		h.log.Error("internal error", "request_id", rid, "route", r.Pattern, "error", err)
		p.Title, e.Message, e.Reference = "Something went wrong", "Something went wrong on our side. Please try again in a moment.", rid
	}
	var pe *pageError
	if errors.As(err, &pe) && code != medic.EINTERNAL {
		p.Title = pe.title
		if pe.message != "" {
			e.Message = pe.message
		}
	}
	p.Data = e
	h.render(w, r, status, "error", p)
}

// isPublicPath reports whether path is one of the public pages (booking,
// sick note verification),
// which patients see without an account.
func isPublicPath(path string) bool {
	return path == "/book" || strings.HasPrefix(path, "/book/") || strings.HasPrefix(path, "/verify/")
}

// publicErrorPage starts an error page of the public layout: branded for
// the practice a /book/{slug}/... path names when it is known (also when
// suspended), else plainly; never for the practice of a manage link, whose
// errors (a bad or expired token, too many requests) all look alike.
func (h *Handler) publicErrorPage(r *http.Request, code string) *page {
	p := &page{Public: &publicBrand{Name: "Online booking", NoIndex: true}, loc: time.UTC}
	if strings.HasPrefix(r.URL.Path, "/verify/") {
		p.Public.Name = "Sick note verification" // never the practice of an unknown code
	}
	if slug := r.PathValue("slug"); slug != "" && code != medic.ENOTFOUND && code != medic.ETOOMANY {
		if pr, err := h.app.PublicPractice(r.Context(), slug); err == nil {
			p.Public, p.loc = brandOf(pr), practiceZone(pr)
			p.Public.NoIndex = true
		}
	}
	return p
}

// formFail re-renders a form for the errors its sender can correct (invalid
// fields, a conflict, a wrong password or code, throttling), with the sent
// values kept and per-field messages; any other error goes to fail.
func (h *Handler) formFail(w http.ResponseWriter, r *http.Request, err error, f *form, rerender func(status int)) {
	switch medic.ErrorCode(err) {
	case medic.EINVALID, medic.ECONFLICT, medic.ETOOMANY, medic.EUNAUTHORIZED:
		f.setError(err)
		status := medic.HTTPStatus(medic.ErrorCode(err))
		if status == http.StatusTooManyRequests && w.Header().Get("Retry-After") == "" {
			w.Header().Set("Retry-After", "900")
		}
		rerender(status)
	default:
		h.fail(w, r, err)
	}
}

// offers renders the app's refusal and returns false unless the member may
// take action: for a page that only offers it (an empty or filled-in form).
// The decision and its audit are the app's, as for the action itself.
func (h *Handler) offers(w http.ResponseWriter, r *http.Request, action string) bool {
	if err := h.app.Authorize(r.Context(), action); err != nil {
		h.fail(w, r, err)
		return false
	}
	return true
}

// actionFormFail is formFail for a form found wrong before its use case
// ran: a member who may not take the action at all gets the app's
// (audited) refusal rather than a list of things to correct.
func (h *Handler) actionFormFail(w http.ResponseWriter, r *http.Request, action string, err error, f *form, rerender func(status int)) {
	if h.offers(w, r, action) {
		h.formFail(w, r, err, f, rerender)
	}
}

// notices are the confirmations a redirect can ask for with ?m=key; keys,
// not text, travel in the URL, so nobody can put words on our pages.
var notices = map[string]string{
	"signed-out":             "You are signed out.",
	"password-reset":         "Your password is changed. Sign in with the new one.",
	"2fa-required":           "Your practice requires two-factor sign-in. Set it up below to keep working there.",
	"saved":                  "Changes saved.",
	"logo-saved":             "The logo is updated.",
	"signature-saved":        "The signature is saved; it is printed on the documents this practitioner signs.",
	"location-created":       "Location added.",
	"location-saved":         "Location saved.",
	"location-deleted":       "Location deleted.",
	"medicine-created":       "Medicine added.",
	"medicine-saved":         "Medicine saved.",
	"smart-app-created":      "App registered. Give its developer the client ID.",
	"smart-grants-revoked":   "Every authorization of this app is revoked: its tokens no longer work.",
	"prescription-issued":    "Prescription issued.",
	"prescription-cancelled": "Prescription cancelled.",
	"sick-note-issued":       "Sick note issued.",
	"invoice-created":        "Draft invoice created.",
	"invoice-saved":          "Draft saved.",
	"invoice-issued":         "Invoice issued.",
	"invoice-voided":         "Invoice voided.",
	"payment-taken":          "Payment taken.",
	"payment-refunded":       "Refund recorded.",
	"tariff-saved":           "Tariff code saved.",
	"billing-settings-saved": "Currency and VAT rate saved.",
	"sick-note-cancelled":    "Sick note cancelled.",
	"claim-created":          "Claim drafted: check the codes and submit it.",
	"claim-saved":            "Claim saved.",
	"claim-submitted":        "Claim submitted: it goes to the medical aid's switch now.",
	"claim-closed":           "Claim closed.",
	"invited":                "Invitation sent.",
	"member-updated":         "Member updated.",
	"invitation-revoked":     "Invitation revoked.",
	"name-saved":             "Your name is saved.",
	"password-changed":       "Your password is changed. Your other sessions are signed out.",
	"2fa-disabled":           "Two-factor sign-in is off.",
	"session-ended":          "The session is ended.",
	"token-revoked":          "The token is revoked.",
	"allergy-recorded":       "Allergy recorded.",
	"allergy-updated":        "Allergy updated.",
	"allergy-none-known":     "Recorded: no known allergies.",
	"condition-recorded":     "Problem added to the list.",
	"condition-updated":      "Problem list updated.",
	"diagnosis-added":        "Diagnosis added.",
	"order-placed":           "Order placed.",
	"order-collected":        "Marked collected.",
	"order-reviewed":         "Result marked reviewed.",
	"order-cancelled":        "Order cancelled.",
	"result-added":           "Result recorded.",
	"diagnosis-removed":      "Diagnosis removed.",
	"practice-created":       "Practice created; its first admin is invited by email.",
	"practice-status":        "Practice status changed.",
	"switched":               "Switched practice.",
	"joined":                 "You joined the practice. Sign in to continue.",
	"patient-created":        "Patient added.",
	"patient-saved":          "Patient saved.",
	"vitals-recorded":        "Vitals recorded.",
	"patient-inactive":       "The chart is deactivated. It stays on record and can be reactivated.",
	"patient-active":         "The chart is active again.",
	"merged":                 "The charts are merged. Everything from the other chart is now here.",
	"practitioner-added":     "Practitioner added.",
	"practitioner-saved":     "Practitioner saved.",
	"rule-saved":             "Schedule rule saved.",
	"rule-deleted":           "Schedule rule deleted.",
	"exception-added":        "Exception added.",
	"exception-deleted":      "Exception deleted.",
	"type-added":             "Appointment type added.",
	"type-saved":             "Appointment type saved.",
	"booked":                 "Appointment booked.",
	"rescheduled":            "Appointment moved.",
	"cancelled":              "Appointment cancelled.",
	"status-changed":         "Appointment updated.",
	"booking-cancelled":      "Your appointment is cancelled. The practice has been told.",
	"booking-moved":          "Your appointment is moved. We have emailed you the new time.",
	"notification-read":      "Marked as read.",
	"mail-requeued":          "The mail is queued to be sent again.",
	"encounter-saved":        "Note saved.",
	"encounter-finished":     "Encounter finished and locked. Later changes are addenda.",
	"addendum-added":         "Addendum added.",
	"stage-changed":          "Stage changed.",
	"template-applied":       "Template added to the note.",
	"plan-copied":            "The last plan is added to the plan.",
	"template-added":         "Template added.",
	"template-saved":         "Template saved.",
}
