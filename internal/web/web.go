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

// Routes registers the desk's routes.
func (h *Handler) Routes(mux Router) {
	mux.HandleFunc("GET /static/{file...}", h.static)

	mux.HandleFunc("GET /login", h.loginForm)
	mux.HandleFunc("POST /login", h.login)
	mux.HandleFunc("GET /login/2fa", h.twoFactorForm)
	mux.HandleFunc("POST /login/2fa", h.twoFactor)
	mux.HandleFunc("POST /logout", h.logout)
	mux.HandleFunc("GET /forgot", h.forgotForm)
	mux.HandleFunc("POST /forgot", h.forgot)
	mux.HandleFunc("GET /reset/{token}", h.resetForm)
	mux.HandleFunc("POST /reset/{token}", h.reset)
	mux.HandleFunc("GET /invite/{token}", h.inviteForm)
	mux.HandleFunc("POST /invite/{token}", h.acceptInvite)

	mux.HandleFunc("GET /{$}", h.signedIn(h.dashboard))
	mux.HandleFunc("POST /switch", h.signedIn(h.switchPractice))

	mux.HandleFunc("GET /settings", h.member(h.settingsForm))
	mux.HandleFunc("POST /settings", h.member(h.saveSettings))
	mux.HandleFunc("POST /settings/logo", h.member(h.uploadLogo))
	mux.HandleFunc("GET /logo", h.member(h.logo))

	mux.HandleFunc("GET /locations", h.member(h.locations))
	mux.HandleFunc("GET /locations/new", h.member(h.newLocationForm))
	mux.HandleFunc("POST /locations/new", h.member(h.createLocation))
	mux.HandleFunc("GET /locations/{id}", h.member(h.locationForm))
	mux.HandleFunc("POST /locations/{id}", h.member(h.updateLocation))
	mux.HandleFunc("POST /locations/{id}/delete", h.member(h.deleteLocation))

	mux.HandleFunc("GET /members", h.member(h.members))
	mux.HandleFunc("POST /members/invite", h.member(h.invite))
	mux.HandleFunc("POST /members/{id}", h.member(h.updateMember))
	mux.HandleFunc("POST /invitations/{id}/revoke", h.member(h.revokeInvitation))

	mux.HandleFunc("GET /audit", h.member(h.audit))

	mux.HandleFunc("GET /patients", h.member(h.patients))
	mux.HandleFunc("GET /patients/new", h.member(h.newPatientForm))
	mux.HandleFunc("POST /patients/new", h.member(h.createPatient))
	mux.HandleFunc("GET /patients/{id}", h.member(h.patient))
	mux.HandleFunc("GET /patients/{id}/timeline", h.member(h.timeline))
	mux.HandleFunc("GET /encounters/{id}/referrals/new", h.member(h.newReferral))
	mux.HandleFunc("POST /encounters/{id}/referrals/new", h.member(h.createReferral))
	mux.HandleFunc("GET /referrals", h.member(h.referrals))
	mux.HandleFunc("GET /referrals/{id}", h.member(h.referral))
	mux.HandleFunc("POST /referrals/{id}/send", h.member(h.setReferralStatus("sent")))
	mux.HandleFunc("POST /referrals/{id}/cancel", h.member(h.setReferralStatus("cancelled")))
	mux.HandleFunc("GET /patients/{id}/edit", h.member(h.editPatientForm))
	mux.HandleFunc("POST /patients/{id}/edit", h.member(h.updatePatient))
	mux.HandleFunc("POST /patients/{id}/status", h.member(h.setPatientStatus))
	mux.HandleFunc("GET /patients/{id}/merge", h.member(h.mergeForm))
	mux.HandleFunc("POST /patients/{id}/merge", h.member(h.mergePatient))
	mux.HandleFunc("POST /patients/{id}/allergies", h.member(h.createAllergy))
	mux.HandleFunc("POST /patients/{id}/allergies/none-known", h.member(h.recordNoKnownAllergies))
	mux.HandleFunc("POST /patients/{id}/allergies/{allergy}/status", h.member(h.setAllergyStatus))
	mux.HandleFunc("POST /patients/{id}/conditions", h.member(h.createCondition))
	mux.HandleFunc("POST /patients/{id}/conditions/{condition}/status", h.member(h.setConditionStatus))
	mux.HandleFunc("GET /icd10", h.member(h.icd10Options))

	mux.HandleFunc("GET /encounters/{id}/vitals", h.member(h.encounterVitals))
	mux.HandleFunc("GET /encounters/{id}/diagnoses", h.member(h.encounterDiagnoses))
	mux.HandleFunc("POST /encounters/{id}/diagnoses", h.member(h.addDiagnosis))
	mux.HandleFunc("POST /encounters/{id}/diagnoses/{diagnosis}/remove", h.member(h.removeDiagnosis))
	mux.HandleFunc("POST /encounters/{id}/vitals", h.member(h.recordVitals))
	mux.HandleFunc("POST /encounters/{id}/orders", h.member(h.placeOrder))
	mux.HandleFunc("GET /orders", h.member(h.outstandingOrders))
	mux.HandleFunc("GET /orders/review", h.member(h.ordersToReview))
	mux.HandleFunc("GET /orders/{id}", h.member(h.order))
	mux.HandleFunc("POST /orders/{id}/collect", h.member(h.collectOrder))
	mux.HandleFunc("POST /orders/{id}/results", h.member(h.addOrderResult))
	mux.HandleFunc("POST /orders/{id}/review", h.member(h.reviewOrder))
	mux.HandleFunc("POST /orders/{id}/cancel", h.member(h.cancelOrder))

	mux.HandleFunc("GET /practitioners", h.member(h.practitioners))
	mux.HandleFunc("GET /practitioners/new", h.member(h.newPractitionerForm))
	mux.HandleFunc("POST /practitioners/new", h.member(h.createPractitioner))
	mux.HandleFunc("GET /practitioners/{id}", h.member(h.practitionerForm))
	mux.HandleFunc("POST /practitioners/{id}", h.member(h.updatePractitioner))

	mux.HandleFunc("GET /schedules", h.member(h.schedules))
	mux.HandleFunc("POST /schedules/rules", h.member(h.createRule))
	mux.HandleFunc("GET /schedules/rules/{id}", h.member(h.ruleForm))
	mux.HandleFunc("POST /schedules/rules/{id}", h.member(h.updateRule))
	mux.HandleFunc("POST /schedules/rules/{id}/delete", h.member(h.deleteRule))
	mux.HandleFunc("POST /schedules/exceptions", h.member(h.addException))
	mux.HandleFunc("POST /schedules/exceptions/{id}/delete", h.member(h.deleteException))

	mux.HandleFunc("GET /appointment-types", h.member(h.appointmentTypes))
	mux.HandleFunc("GET /appointment-types/new", h.member(h.newAppointmentTypeForm))
	mux.HandleFunc("POST /appointment-types/new", h.member(h.createAppointmentType))
	mux.HandleFunc("GET /appointment-types/{id}", h.member(h.appointmentTypeForm))
	mux.HandleFunc("POST /appointment-types/{id}", h.member(h.updateAppointmentType))

	mux.HandleFunc("GET /calendar", h.member(h.calendar))
	mux.HandleFunc("GET /today", h.member(h.todayList))
	mux.HandleFunc("GET /search", h.member(h.search))
	mux.HandleFunc("GET /notifications", h.member(h.notifications))
	mux.HandleFunc("POST /notifications/{id}/read", h.member(h.readNotification))
	mux.HandleFunc("GET /outbox", h.member(h.outbox))
	mux.HandleFunc("POST /outbox/{id}/retry", h.member(h.retryOutboxMail))
	mux.HandleFunc("GET /appointments/new", h.member(h.newAppointment))
	mux.HandleFunc("POST /appointments/new", h.member(h.bookAppointment))
	mux.HandleFunc("GET /appointments/{id}", h.member(h.appointment))
	mux.HandleFunc("POST /appointments/{id}/reschedule", h.member(h.rescheduleAppointment))
	mux.HandleFunc("POST /appointments/{id}/cancel", h.member(h.cancelAppointment))
	mux.HandleFunc("POST /appointments/{id}/status", h.member(h.setAppointmentStatus))

	mux.HandleFunc("POST /appointments/{id}/encounter", h.member(h.startFromAppointment))
	mux.HandleFunc("GET /patients/{id}/walk-in", h.member(h.walkInForm))
	mux.HandleFunc("POST /patients/{id}/walk-in", h.member(h.startWalkIn))
	mux.HandleFunc("GET /encounters/{id}", h.member(h.encounter))
	mux.HandleFunc("POST /encounters/{id}", h.member(h.saveEncounter))
	mux.HandleFunc("POST /encounters/{id}/template", h.member(h.applyTemplate))
	mux.HandleFunc("POST /encounters/{id}/last-plan", h.member(h.copyLastPlan))
	mux.HandleFunc("POST /encounters/{id}/stage", h.member(h.setEncounterStage))
	mux.HandleFunc("POST /encounters/{id}/finish", h.member(h.finishEncounter))
	mux.HandleFunc("POST /encounters/{id}/addenda", h.member(h.addAddendum))
	mux.HandleFunc("GET /queue", h.member(h.queue))
	mux.HandleFunc("GET /encounter-templates", h.member(h.encounterTemplates))
	mux.HandleFunc("POST /encounter-templates/new", h.member(h.createEncounterTemplate))
	mux.HandleFunc("GET /encounter-templates/{id}", h.member(h.encounterTemplateForm))
	mux.HandleFunc("POST /encounter-templates/{id}", h.member(h.updateEncounterTemplate))

	mux.HandleFunc("GET /account", h.signedIn(h.account))
	mux.HandleFunc("POST /account/name", h.signedIn(h.updateName))
	mux.HandleFunc("POST /account/password", h.signedIn(h.changePassword))
	mux.HandleFunc("POST /account/2fa", h.signedIn(h.beginTOTP))
	mux.HandleFunc("POST /account/2fa/confirm", h.signedIn(h.confirmTOTP))
	mux.HandleFunc("POST /account/2fa/disable", h.signedIn(h.disableTOTP))
	mux.HandleFunc("POST /account/2fa/recovery-codes", h.signedIn(h.newRecoveryCodes))
	mux.HandleFunc("GET /account/2fa/qr.png", h.signedIn(h.totpQR))
	mux.HandleFunc("POST /account/sessions/{id}/end", h.signedIn(h.endSession))
	mux.HandleFunc("POST /account/tokens", h.signedIn(h.createToken))
	mux.HandleFunc("POST /account/tokens/{id}/revoke", h.signedIn(h.revokeToken))

	mux.HandleFunc("GET /operator", h.signedIn(h.operator))
	mux.HandleFunc("POST /operator/practices", h.signedIn(h.createPractice))
	mux.HandleFunc("POST /operator/practices/{id}/status", h.signedIn(h.setPracticeStatus))
	mux.HandleFunc("GET /operator/icd10", h.signedIn(h.icd10Imports))
	mux.HandleFunc("POST /operator/icd10/imports", h.signedIn(h.importICD10))
	mux.HandleFunc("GET /operator/icd10/imports/{id}", h.signedIn(h.icd10Import))

	mux.HandleFunc("GET /book", h.bookRedirect)
	mux.HandleFunc("GET /book/{slug}", h.book)
	// One pattern per method for a practice's steps: separate patterns
	// such as /book/{slug}/details would conflict with /book/manage/{token}.
	mux.HandleFunc("GET /book/{slug}/{step}", h.bookStep)
	mux.HandleFunc("POST /book/{slug}/{step}", publicForm(h.bookStep))
	mux.HandleFunc("GET /book/manage/{token}", h.bookManage)
	mux.HandleFunc("POST /book/manage/{token}/cancel", publicForm(h.bookManageCancel))
	mux.HandleFunc("POST /book/manage/{token}/reschedule", publicForm(h.bookManageMove))

	mux.HandleFunc("GET /dev/mailbox", h.mailbox)

	// Everything else the mux does not know is the desk's 404 page.
	mux.HandleFunc("/", h.notFound)
}

func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	h.fail(w, r, errNotFound)
}
