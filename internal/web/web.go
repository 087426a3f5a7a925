// Package web serves the desk: server-rendered HTML (html/template, parsed
// once at start) enhanced by htmx. Every form works without JavaScript:
// a plain POST answered by a redirect, or by the same form re-rendered with
// per-field messages and the values that were sent.
package web

import (
	"log/slog"
	"net/http"

	"medic/internal/app"
	"medic/internal/auth/sessioncookie"
)

// Handler serves the desk pages.
type Handler struct {
	app        *app.App
	cookie     sessioncookie.Cookie
	log        *slog.Logger
	devMailbox bool
	views      *views
	assets     *assets
}

// New builds the desk handler. It panics if a view's template is missing or
// does not parse: that is a build defect, found at start rather than on a
// user's first visit.
func New(a *app.App, cookie sessioncookie.Cookie, log *slog.Logger, devMailbox bool) *Handler {
	as := newAssets()
	vs, err := parseViews(as)
	if err != nil {
		panic("web: " + err.Error())
	}
	return &Handler{app: a, cookie: cookie, log: log, devMailbox: devMailbox, views: vs, assets: as}
}

// Router is what Routes registers on (the server's mux).
type Router interface {
	HandleFunc(pattern string, handler func(http.ResponseWriter, *http.Request))
}

// Routes registers the desk's routes: each resource registers its own,
// in the file of its handlers.
func (h *Handler) Routes(mux Router) {
	h.staticRoutes(mux)
	h.loginRoutes(mux)
	h.passwordRoutes(mux)
	h.inviteRoutes(mux)
	h.dashboardRoutes(mux)
	h.settingsRoutes(mux)
	h.medicineRoutes(mux)
	h.smartClientRoutes(mux)
	h.smartLaunchRoutes(mux)
	h.smartAuthorizeRoutes(mux)
	h.prescriptionRoutes(mux)
	h.sickNoteRoutes(mux)
	h.claimRoutes(mux)
	h.invoiceRoutes(mux)
	h.tariffRoutes(mux)
	h.documentRoutes(mux)
	h.locationRoutes(mux)
	h.memberRoutes(mux)
	h.auditRoutes(mux)
	h.patientListRoutes(mux)
	h.patientFormRoutes(mux)
	h.patientChartRoutes(mux)
	h.timelineRoutes(mux)
	h.referralRoutes(mux)
	h.patientMergeRoutes(mux)
	h.clinicalListRoutes(mux)
	h.vitalsRoutes(mux)
	h.diagnosisRoutes(mux)
	h.orderRoutes(mux)
	h.practitionerRoutes(mux)
	h.scheduleRoutes(mux)
	h.appointmentTypeRoutes(mux)
	h.calendarRoutes(mux)
	h.todayRoutes(mux)
	h.searchRoutes(mux)
	h.notificationRoutes(mux)
	h.outboxRoutes(mux)
	h.appointmentRoutes(mux)
	h.encounterRoutes(mux)
	h.encounterTemplateRoutes(mux)
	h.accountRoutes(mux)
	h.operatorRoutes(mux)
	h.icd10Routes(mux)
	h.publicRoutes(mux)
	h.bookingRoutes(mux)
	h.manageRoutes(mux)
	h.verifyRoutes(mux)
	h.mailboxRoutes(mux)

	// Everything else the mux does not know is the desk's 404 page.
	mux.HandleFunc("/", h.notFound)
}

func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	h.fail(w, r, errNotFound)
}
