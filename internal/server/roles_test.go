package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"medic"
	"medic/internal/server/servertest"
)

// chartShows is what a route's answer shows of a patient's chart.
type chartShows int

const (
	// noChart: no patient data at all.
	noChart chartShows = iota
	// chartDemographics: patient data, but never the clinical part, to anyone.
	chartDemographics
	// chartFull: the chart as the role may read it (medic.ProjectPatient):
	// the clinical part to clinical roles only.
	chartFull
)

// routeRule is what one registered route does with roles: who is refused
// (and under which audited action), and what it shows of a chart. Paths and
// bodies name fixture ids as {patient}, {fresh} (a new chart per request),
// {appointment}, {location}, {practitioner}, {type}, {rule}, {exception},
// {member}, {invitation}, {mail}.
type routeRule struct {
	pattern string // exactly as registered
	path    string // the request to make; "" for a route no role is refused and that shows no chart
	body    any    // API: JSON; desk POST: url.Values; or func(medic.Role) any
	perm    medic.Permission
	action  string // the denied audit event's action when perm is lacking
	chart   chartShows
	ok      int // status for a role that holds perm (default 200)
}

const api = "/api/v1/practices/{practice}"

// signaturePNG is an upload the signature routes take: a PNG by its
// signature bytes (the use case checks no more; the PDF leaves out an image
// it cannot read).
const signaturePNG = "\x89PNG\r\n\x1a\nsignature"
const sunrise = "/api/v1/practices/sunrise"

func form(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

// routeRules lists every route the server registers. A new route fails
// TestEveryRouteIsClassified until it is added here, saying who may use it
// and whether it shows patient data, which the tests below then check.
var routeRules = []routeRule{
	// Operations, sign-in, the account, the operator console and the public
	// booking pages act for no practice role.
	{pattern: "GET /healthz"}, {pattern: "GET /readyz"}, {pattern: "GET /metrics"},
	{pattern: "POST /api/v1/auth/login"}, {pattern: "POST /api/v1/auth/logout"},
	{pattern: "POST /api/v1/auth/password-reset"}, {pattern: "POST /api/v1/auth/password-reset/{token}"},
	{pattern: "POST /api/v1/auth/tokens"}, {pattern: "GET /api/v1/auth/tokens"}, {pattern: "DELETE /api/v1/auth/tokens/{id}"},
	// SMART on FHIR: discovery, keys and tokens act for no practice role;
	// the authorization page is for a member of the app's practice
	// (internal/server/smart_test.go).
	{pattern: "GET /.well-known/smart-configuration"}, {pattern: "GET /.well-known/jwks.json"}, {pattern: "POST /oauth/token"}, {pattern: "POST /oauth/revoke"},
	{pattern: "GET /oauth/authorize"}, {pattern: "POST /oauth/authorize"},
	{pattern: "GET /api/v1/me"}, {pattern: "PATCH /api/v1/me"}, {pattern: "POST /api/v1/me/password"},
	{pattern: "GET /api/v1/me/sessions"}, {pattern: "DELETE /api/v1/me/sessions/{id}"},
	{pattern: "POST /api/v1/me/totp"}, {pattern: "POST /api/v1/me/totp/confirm"}, {pattern: "POST /api/v1/me/totp/disable"},
	{pattern: "POST /api/v1/me/totp/recovery-codes"},
	{pattern: "GET /api/v1/operator/practices"}, {pattern: "POST /api/v1/operator/practices"},
	{pattern: "POST /api/v1/operator/practices/{id}/suspend"}, {pattern: "POST /api/v1/operator/practices/{id}/reactivate"},
	{pattern: "GET /api/v1/operator/icd10/imports"}, {pattern: "POST /api/v1/operator/icd10/imports"},
	{pattern: "GET /api/v1/operator/icd10/imports/{id}"},
	{pattern: "GET /api/v1/public/practices/{slug}"}, {pattern: "GET /api/v1/public/practices/{slug}/practitioners"},
	{pattern: "GET /api/v1/public/practices/{slug}/availability"},
	{pattern: "POST /api/v1/public/practices/{slug}/booking/otp"}, {pattern: "POST /api/v1/public/practices/{slug}/booking/confirm"},
	{pattern: "OPTIONS /api/v1/public/practices/{slug}"}, {pattern: "OPTIONS /api/v1/public/practices/{slug}/{rest...}"},
	// A booking's manage link shows the patient their own booking.
	{pattern: "GET /api/v1/public/bookings/{token}"}, {pattern: "POST /api/v1/public/bookings/{token}"},
	{pattern: "OPTIONS /api/v1/public/bookings/{token}"},
	// Stripe's webhook: no session, its signature is the proof
	// (internal/server/payment_links_test.go).
	{pattern: "POST /webhooks/stripe"},
	{pattern: "/api/"},

	// The JSON API of a practice.
	{pattern: "GET " + api},
	{pattern: "PATCH " + api, path: sunrise, body: map[string]any{"name": "Renamed"}, perm: medic.PermSettingsManage, action: "practice.update"},
	{pattern: "GET " + api + "/members"},
	{pattern: "POST " + api + "/members", path: sunrise + "/members", body: map[string]any{"email": "x@example.org", "role": "nurse"}, perm: medic.PermMembersManage, action: "member.invite", ok: 202},
	{pattern: "GET " + api + "/members/{id}"},
	{pattern: "PATCH " + api + "/members/{id}", path: sunrise + "/members/{member}", body: map[string]any{"role": "nurse"}, perm: medic.PermMembersManage, action: "member.update"},
	{pattern: "DELETE " + api + "/members/{id}", path: sunrise + "/members/{member}", perm: medic.PermMembersManage, action: "member.update"},
	{pattern: "GET " + api + "/invitations", path: sunrise + "/invitations", perm: medic.PermMembersManage, action: "member.invitation_list"},
	{pattern: "DELETE " + api + "/invitations/{id}", path: sunrise + "/invitations/{invitation}", perm: medic.PermMembersManage, action: "member.invitation_revoke"},
	{pattern: "GET " + api + "/locations"}, {pattern: "GET " + api + "/locations/{id}"},
	{pattern: "POST " + api + "/locations", path: sunrise + "/locations", body: map[string]any{"name": "Second Site"}, perm: medic.PermSettingsManage, action: "location.create"},
	{pattern: "PATCH " + api + "/locations/{id}", path: sunrise + "/locations/{location}", body: map[string]any{"name": "Main Street"}, perm: medic.PermSettingsManage, action: "location.update"},
	{pattern: "DELETE " + api + "/locations/{id}", path: sunrise + "/locations/{location}", perm: medic.PermSettingsManage, action: "location.delete"},
	{pattern: "GET " + api + "/audit-events", path: sunrise + "/audit-events", perm: medic.PermAuditRead, action: "audit.read"},
	{pattern: "GET " + api + "/dashboard", path: sunrise + "/dashboard", chart: chartDemographics},
	{pattern: "GET " + api + "/search", path: sunrise + "/search?q=Thandi", chart: chartFull},

	{pattern: "GET " + api + "/patients", path: sunrise + "/patients?q=Thandi", chart: chartFull},
	{pattern: "POST " + api + "/patients", path: sunrise + "/patients", perm: medic.PermPatientsWrite, action: "patient.create", chart: chartFull, ok: 201,
		body: func(r medic.Role) any {
			return map[string]any{"given_name": "New", "family_name": "Chart" + string(r), "date_of_birth": "1990-01-01"}
		}},
	{pattern: "GET " + api + "/patients/{id}", path: sunrise + "/patients/{patient}", chart: chartFull},
	{pattern: "PATCH " + api + "/patients/{id}", path: sunrise + "/patients/{patient}", body: map[string]any{"phone": "082 555 0101"}, perm: medic.PermPatientsWrite, action: "patient.update", chart: chartFull},
	{pattern: "POST " + api + "/patients/{id}/deactivate", path: sunrise + "/patients/{patient}/deactivate", perm: medic.PermPatientsWrite, action: "patient.update", chart: chartFull},
	{pattern: "POST " + api + "/patients/{id}/reactivate", path: sunrise + "/patients/{patient}/reactivate", perm: medic.PermPatientsWrite, action: "patient.update", chart: chartFull},
	{pattern: "POST " + api + "/patients/{id}/merge", path: sunrise + "/patients/{fresh}/merge", body: map[string]any{"into": "{patient}", "confirm": true}, perm: medic.PermPatientsWrite, action: "patient.merge", chart: chartFull},
	{pattern: "GET " + api + "/patients/{id}/appointments", path: sunrise + "/patients/{patient}/appointments", chart: chartDemographics},
	// Allergies and the problem list are the clinical part itself: clinical
	// roles read them, doctors and admins record them.
	{pattern: "GET " + api + "/patients/{id}/allergies", path: sunrise + "/patients/{patient}/allergies", perm: medic.PermClinicalRead, action: "allergy.list"},
	{pattern: "POST " + api + "/patients/{id}/allergies", path: sunrise + "/patients/{patient}/allergies", body: map[string]any{"substance": "Latex", "severity": "mild"},
		perm: medic.PermClinicalWrite, action: "allergy.record", ok: 201},
	{pattern: "POST " + api + "/patients/{id}/allergies/none-known", path: sunrise + "/patients/{patient}/allergies/none-known", perm: medic.PermClinicalWrite, action: "allergy.record", ok: 201},
	{pattern: "PATCH " + api + "/patients/{id}/allergies/{allergy}", path: sunrise + "/patients/{patient}/allergies/{allergy}", body: map[string]any{"status": "active"},
		perm: medic.PermClinicalWrite, action: "allergy.record"},
	{pattern: "GET " + api + "/patients/{id}/conditions", path: sunrise + "/patients/{patient}/conditions", perm: medic.PermClinicalRead, action: "condition.list"},
	{pattern: "POST " + api + "/patients/{id}/conditions", path: sunrise + "/patients/{patient}/conditions", body: map[string]any{"code": "I10"},
		perm: medic.PermClinicalWrite, action: "condition.record", ok: 201},
	{pattern: "PATCH " + api + "/patients/{id}/conditions/{condition}", path: sunrise + "/patients/{patient}/conditions/{condition}", body: map[string]any{"status": "active"},
		perm: medic.PermClinicalWrite, action: "condition.record"},

	{pattern: "GET " + api + "/practitioners"}, {pattern: "GET " + api + "/practitioners/{id}"},
	{pattern: "POST " + api + "/practitioners", path: sunrise + "/practitioners", body: map[string]any{"name": "Dr New"}, perm: medic.PermSchedulesManage, action: "practitioner.create"},
	{pattern: "PATCH " + api + "/practitioners/{id}", path: sunrise + "/practitioners/{practitioner}", body: map[string]any{"specialty": "Family medicine"}, perm: medic.PermSchedulesManage, action: "practitioner.update"},
	{pattern: "GET " + api + "/appointment-types"}, {pattern: "GET " + api + "/appointment-types/{id}"},
	{pattern: "POST " + api + "/appointment-types", path: sunrise + "/appointment-types", body: map[string]any{"name": "Check-up", "duration_minutes": 15}, perm: medic.PermSchedulesManage, action: "appointment_type.create"},
	{pattern: "PATCH " + api + "/appointment-types/{id}", path: sunrise + "/appointment-types/{type}", body: map[string]any{"name": "Consultation"}, perm: medic.PermSchedulesManage, action: "appointment_type.update"},
	{pattern: "GET " + api + "/schedules"}, {pattern: "GET " + api + "/schedules/{id}"},
	{pattern: "POST " + api + "/schedules", path: sunrise + "/schedules", perm: medic.PermSchedulesManage, action: "schedule.save",
		body: map[string]any{"practitioner_id": "{practitioner}", "location_id": "{location}", "weekday": "monday", "start": "09:00", "end": "12:00", "slot_minutes": 30, "capacity": 1, "effective_from": "2030-03-01"}},
	{pattern: "PATCH " + api + "/schedules/{id}", path: sunrise + "/schedules/{rule}", body: map[string]any{"capacity": 1}, perm: medic.PermSchedulesManage, action: "schedule.save"},
	{pattern: "DELETE " + api + "/schedules/{id}", path: sunrise + "/schedules/{rule}", perm: medic.PermSchedulesManage, action: "schedule.delete"},
	{pattern: "GET " + api + "/schedule-exceptions"},
	{pattern: "POST " + api + "/schedule-exceptions", path: sunrise + "/schedule-exceptions", perm: medic.PermSchedulesManage, action: "schedule.exception",
		body: map[string]any{"practitioner_id": "{practitioner}", "kind": "leave", "start": "2030-04-01T00:00:00+02:00", "end": "2030-04-02T00:00:00+02:00"}},
	{pattern: "DELETE " + api + "/schedule-exceptions/{id}", path: sunrise + "/schedule-exceptions/{exception}", perm: medic.PermSchedulesManage, action: "schedule.exception_delete"},
	{pattern: "GET " + api + "/availability"},

	// Appointments carry the patient's id and name only (one DTO for all).
	{pattern: "GET " + api + "/appointments", path: sunrise + "/appointments", chart: chartDemographics},
	{pattern: "GET " + api + "/appointments/{id}", path: sunrise + "/appointments/{appointment}", chart: chartDemographics},
	{pattern: "POST " + api + "/appointments", path: sunrise + "/appointments", perm: medic.PermAppointmentsWrite, action: "appointment.book",
		body: map[string]any{"patient_id": "{patient}", "practitioner_id": "{practitioner}", "location_id": "{location}", "appointment_type_id": "{type}", "start": fri0900}},
	{pattern: "POST " + api + "/appointments/{id}/reschedule", path: sunrise + "/appointments/{appointment}/reschedule", body: map[string]any{"start": fri0900}, perm: medic.PermAppointmentsWrite, action: "appointment.reschedule"},
	{pattern: "POST " + api + "/appointments/{id}/cancel", path: sunrise + "/appointments/{appointment}/cancel", body: map[string]any{"reason": "Better"}, perm: medic.PermAppointmentsWrite, action: "appointment.status"},
	{pattern: "POST " + api + "/appointments/{id}/check-in", path: sunrise + "/appointments/{appointment}/check-in", perm: medic.PermAppointmentsWrite, action: "appointment.status"},
	{pattern: "POST " + api + "/appointments/{id}/no-show", path: sunrise + "/appointments/{appointment}/no-show", perm: medic.PermAppointmentsWrite, action: "appointment.status"},
	{pattern: "POST " + api + "/appointments/{id}/start", path: sunrise + "/appointments/{appointment}/start", perm: medic.PermAppointmentsWrite, action: "appointment.status"},
	{pattern: "POST " + api + "/appointments/{id}/complete", path: sunrise + "/appointments/{appointment}/complete", perm: medic.PermAppointmentsWrite, action: "appointment.status"},
	// Encounters are clinical: reception and billing are refused every one
	// of these routes (403, audited). The queue board shows names, stages
	// and times only: every role sees it; reception moves a visit from
	// registration to assessment (encounters_test.go), billing nothing.
	{pattern: "GET " + api + "/encounters", path: sunrise + "/encounters?patient={patient}", perm: medic.PermClinicalRead, action: "encounter.list", chart: chartDemographics},
	{pattern: "POST " + api + "/encounters", path: sunrise + "/encounters", perm: medic.PermNotesWrite, action: "encounter.create", ok: 201,
		body: map[string]any{"patient_id": "{patient}", "practitioner_id": "{practitioner}", "location_id": "{location}"}},
	{pattern: "GET " + api + "/encounters/{id}", path: sunrise + "/encounters/{encounter}", perm: medic.PermClinicalRead, action: "encounter.view", chart: chartDemographics},
	{pattern: "PATCH " + api + "/encounters/{id}", path: sunrise + "/encounters/{encounter}", body: map[string]any{"soap": map[string]any{"plan": "Rest"}}, perm: medic.PermNotesWrite, action: "encounter.update"},
	{pattern: "POST " + api + "/encounters/{id}/finish", path: sunrise + "/encounters/{encounter}/finish", perm: medic.PermClinicalWrite, action: "encounter.finish"},
	{pattern: "POST " + api + "/encounters/{id}/addenda", path: sunrise + "/encounters/{finished}/addenda", body: map[string]any{"text": "Seen again", "reason": "Follow-up"}, perm: medic.PermNotesWrite, action: "encounter.addendum", ok: 201},
	// Vitals: nurses, doctors and admins record; clinical roles read.
	// Diagnoses: doctors and admins code them (a nurse may not); billing reads the codes.
	{pattern: "GET " + api + "/encounters/{id}/diagnoses", path: sunrise + "/encounters/{encounter}/diagnoses", perm: medic.PermDiagnosesRead, action: "diagnosis.list"},
	{pattern: "POST " + api + "/encounters/{id}/diagnoses", path: sunrise + "/encounters/{encounter}/diagnoses", body: map[string]any{"code": "J06.9"},
		perm: medic.PermClinicalWrite, action: "diagnosis.record", ok: 201},
	{pattern: "DELETE " + api + "/encounters/{id}/diagnoses/{diagnosis}", path: sunrise + "/encounters/{encounter}/diagnoses/{diagnosis}",
		perm: medic.PermClinicalWrite, action: "diagnosis.record", ok: 204},
	{pattern: "POST " + api + "/encounters/{id}/vitals", path: sunrise + "/encounters/{encounter}/vitals", body: map[string]any{"pulse_bpm": 72},
		perm: medic.PermVitalsWrite, action: "vitals.record", ok: 201},
	{pattern: "GET " + api + "/patients/{id}/vitals", path: sunrise + "/patients/{patient}/vitals", perm: medic.PermClinicalRead, action: "vitals.list"},
	// Referrals: doctors and admins write; clinical roles read; they hold
	// clinical text, so reception and billing are refused all of them.
	{pattern: "POST " + api + "/encounters/{id}/referrals", path: sunrise + "/encounters/{encounter}/referrals", perm: medic.PermClinicalWrite, action: "referral.create", ok: 201,
		body: map[string]any{"kind": "external", "to_name": "Dr Far", "urgency": "routine", "reason": "Opinion"}},
	{pattern: "GET " + api + "/encounters/{id}/referral-summary", path: sunrise + "/encounters/{encounter}/referral-summary", perm: medic.PermClinicalWrite, action: "referral.create"},
	{pattern: "GET " + api + "/referrals", path: sunrise + "/referrals?patient={patient}", perm: medic.PermClinicalRead, action: "referral.list"},
	{pattern: "GET " + api + "/referrals/{id}", path: sunrise + "/referrals/{referral}", perm: medic.PermClinicalRead, action: "referral.view"},
	{pattern: "POST " + api + "/referrals/{id}/send", path: sunrise + "/referrals/{referral}/send", perm: medic.PermClinicalWrite, action: "referral.update"},
	{pattern: "POST " + api + "/referrals/{id}/cancel", path: sunrise + "/referrals/{referral}/cancel", perm: medic.PermClinicalWrite, action: "referral.update"},
	{pattern: "GET " + api + "/patients/{id}/referrals", path: sunrise + "/patients/{patient}/referrals", perm: medic.PermClinicalRead, action: "referral.list"},
	// The medicines list: clinical roles read it (the prescription picker);
	// admins keep it. It holds no patient data.
	{pattern: "GET " + api + "/medicines", path: sunrise + "/medicines?q=amox", perm: medic.PermPrescriptionsRead, action: "medicine.list"},
	{pattern: "GET " + api + "/medicines/{id}", path: sunrise + "/medicines/{medicine}", perm: medic.PermPrescriptionsRead, action: "medicine.list"},
	{pattern: "POST " + api + "/medicines", path: sunrise + "/medicines", perm: medic.PermSettingsManage, action: "medicine.manage", ok: 201,
		body: func(r medic.Role) any {
			return map[string]any{"name": "Tonic " + string(r), "ingredients": []string{"tonic"}, "schedule": "S0"}
		}},
	{pattern: "PUT " + api + "/medicines/{id}", path: sunrise + "/medicines/{medicine}", perm: medic.PermSettingsManage, action: "medicine.manage",
		body: map[string]any{"name": "Amoxicillin", "ingredients": []string{"amoxicillin"}, "atc": "J01CA04", "strength": "250 mg", "form": "capsule", "schedule": "S4"}},
	{pattern: "POST " + api + "/medicines/import", path: sunrise + "/medicines/import", perm: medic.PermSettingsManage, action: "medicine.manage",
		body: "name,ingredients,schedule\nImported tonic,tonic,S0\n"},
	// SMART app registrations: admins only; no patient data.
	{pattern: "GET " + api + "/smart-clients", path: sunrise + "/smart-clients", perm: medic.PermSettingsManage, action: "smart_client.manage"},
	{pattern: "POST " + api + "/smart-clients", path: sunrise + "/smart-clients", perm: medic.PermSettingsManage, action: "smart_client.manage", ok: 201,
		body: map[string]any{"name": "Chart viewer", "type": "public", "redirect_uris": []string{"https://app.example/cb"}, "scopes": []string{"user/*.rs"}}},
	{pattern: "GET " + api + "/smart-clients/{id}", path: sunrise + "/smart-clients/{app}", perm: medic.PermSettingsManage, action: "smart_client.manage"},
	{pattern: "PUT " + api + "/smart-clients/{id}", path: sunrise + "/smart-clients/{app}", perm: medic.PermSettingsManage, action: "smart_client.manage",
		body: map[string]any{"name": "Growth charts", "redirect_uris": []string{"https://growth.example/cb"}, "scopes": []string{"user/*.rs", "launch/patient"}}},
	// EHR launch from a chart: whoever reads charts (no patient data in the answer).
	{pattern: "GET " + api + "/smart-apps", path: sunrise + "/smart-apps"},
	{pattern: "POST " + api + "/patients/{id}/smart-launch", path: sunrise + "/patients/{patient}/smart-launch", ok: 201,
		body: map[string]any{"client_id": "{app}"}},
	{pattern: "POST " + api + "/smart-clients/{id}/revoke-grants", path: sunrise + "/smart-clients/{app}/revoke-grants", perm: medic.PermSettingsManage, action: "smart_client.manage"},
	// Prescriptions: doctors issue and cancel; clinical roles read. The
	// fixture's chart has a penicillin allergy, so amoxicillin needs the
	// override reason the body gives.
	{pattern: "POST " + api + "/prescriptions", path: sunrise + "/prescriptions", perm: medic.PermPrescriptionsIssue, action: "prescription.issue", ok: 201,
		body: map[string]any{"encounter_id": "{encounter}", "items": []map[string]any{{"medicine_id": "{medicine}", "dose": "500 mg", "frequency": "tds",
			"duration_days": 5, "override_reason": "Tolerated amoxicillin in 2024"}}}},
	{pattern: "GET " + api + "/prescriptions", path: sunrise + "/prescriptions?patient={patient}", perm: medic.PermPrescriptionsRead, action: "prescription.list"},
	{pattern: "GET " + api + "/prescriptions/{id}", path: sunrise + "/prescriptions/{prescription}", perm: medic.PermPrescriptionsRead, action: "prescription.view"},
	{pattern: "GET " + api + "/prescriptions/{id}/pdf", path: sunrise + "/prescriptions/{prescription}/pdf", perm: medic.PermPrescriptionsRead, action: "prescription.view"},
	{pattern: "GET " + api + "/referrals/{id}/pdf", path: sunrise + "/referrals/{referral}/pdf", perm: medic.PermClinicalRead, action: "referral.view"},
	{pattern: "PUT " + api + "/practitioners/{id}/signature", path: sunrise + "/practitioners/{practitioner}/signature", body: signaturePNG,
		perm: medic.PermSchedulesManage, action: "practitioner.signature", ok: 204},
	{pattern: "POST " + api + "/prescriptions/{id}/cancel", path: sunrise + "/prescriptions/{prescription}/cancel", body: map[string]any{"reason": "Wrong patient"},
		perm: medic.PermPrescriptionsIssue, action: "prescription.cancel"},
	{pattern: "GET " + api + "/patients/{id}/medications", path: sunrise + "/patients/{patient}/medications", perm: medic.PermPrescriptionsRead, action: "prescription.list"},
	// Sick notes: doctors issue and cancel; every role but billing reads
	// them (receptionists hand them over).
	{pattern: "POST " + api + "/sick-notes", path: sunrise + "/sick-notes", perm: medic.PermSickNotesIssue, action: "sick_note.issue", ok: 201,
		body: map[string]any{"encounter_id": "{encounter}", "examined_at": "2030-03-04T09:00:00+02:00", "basis": "examined", "from": "2030-03-04", "to": "2030-03-06", "fitness": "unfit"}},
	{pattern: "GET " + api + "/sick-notes", path: sunrise + "/sick-notes?patient={patient}", perm: medic.PermSickNotesRead, action: "sick_note.list"},
	{pattern: "GET " + api + "/sick-notes/{id}", path: sunrise + "/sick-notes/{sicknote}", perm: medic.PermSickNotesRead, action: "sick_note.view"},
	{pattern: "POST " + api + "/sick-notes/{id}/cancel", path: sunrise + "/sick-notes/{sicknote}/cancel", body: map[string]any{"reason": "Wrong dates"},
		perm: medic.PermSickNotesIssue, action: "sick_note.cancel"},
	{pattern: "GET " + api + "/sick-notes/{id}/pdf", path: sunrise + "/sick-notes/{sicknote}/pdf", perm: medic.PermSickNotesRead, action: "sick_note.view"},
	// Billing (DOMAIN.md): admin and billing all; doctors read invoices;
	// receptionists create them and take payments; nurses nothing. The
	// tariff and billing settings are managed by admin and billing.
	{pattern: "GET " + api + "/billing-settings", path: sunrise + "/billing-settings", perm: medic.PermInvoicesRead, action: "invoice.list"},
	{pattern: "PUT " + api + "/billing-settings", path: sunrise + "/billing-settings", body: map[string]any{"currency": "ZAR", "vat_rate_bp": 1500},
		perm: medic.PermTariffsManage, action: "billing_settings.update"},
	{pattern: "GET " + api + "/tariff-codes", path: sunrise + "/tariff-codes", perm: medic.PermInvoicesRead, action: "tariff.list"},
	{pattern: "POST " + api + "/tariff-codes", path: sunrise + "/tariff-codes", body: map[string]any{"code": "RT1", "description": "Role test", "category": "procedure", "unit_cents": 100},
		perm: medic.PermTariffsManage, action: "tariff.manage", ok: 201},
	{pattern: "POST " + api + "/tariff-codes/import", path: sunrise + "/tariff-codes/import", body: "code,description,price\nRT2,Role test,1.00\n",
		perm: medic.PermTariffsManage, action: "tariff.manage"},
	{pattern: "GET " + api + "/tariff-codes/{id}", path: sunrise + "/tariff-codes/{tariff}", perm: medic.PermInvoicesRead, action: "tariff.list"},
	{pattern: "PATCH " + api + "/tariff-codes/{id}", path: sunrise + "/tariff-codes/{tariff}", body: map[string]any{"description": "Role test"},
		perm: medic.PermTariffsManage, action: "tariff.manage"},
	{pattern: "POST " + api + "/tariff-codes/{id}/prices", path: sunrise + "/tariff-codes/{tariff}/prices", body: map[string]any{"effective_from": "2030-01-01", "unit_cents": 100},
		perm: medic.PermTariffsManage, action: "tariff.manage"},
	{pattern: "POST " + api + "/invoices", path: sunrise + "/invoices", body: map[string]any{"patient_id": "{patient}", "lines": []map[string]any{{"description": "Visit", "unit_cents": 100}}},
		perm: medic.PermInvoicesCreate, action: "invoice.create", ok: 201},
	{pattern: "GET " + api + "/invoices", path: sunrise + "/invoices?patient={patient}", perm: medic.PermInvoicesRead, action: "invoice.list", chart: chartDemographics},
	{pattern: "GET " + api + "/invoices/{id}", path: sunrise + "/invoices/{invoice}", perm: medic.PermInvoicesRead, action: "invoice.view", chart: chartDemographics},
	{pattern: "PATCH " + api + "/invoices/{id}", path: sunrise + "/invoices/{invoice}", body: map[string]any{"lines": []map[string]any{{"description": "Visit", "unit_cents": 200}}},
		perm: medic.PermInvoicesCreate, action: "invoice.update"},
	{pattern: "POST " + api + "/invoices/{id}/issue", path: sunrise + "/invoices/{invoice}/issue", perm: medic.PermInvoicesCreate, action: "invoice.issue"},
	{pattern: "POST " + api + "/invoices/{id}/void", path: sunrise + "/invoices/{invoice}/void", body: map[string]any{"reason": "Wrong patient"},
		perm: medic.PermInvoicesVoid, action: "invoice.void"},
	{pattern: "GET " + api + "/invoices/{id}/payments", path: sunrise + "/invoices/{invoice}/payments", perm: medic.PermInvoicesRead, action: "invoice.view"},
	{pattern: "POST " + api + "/invoices/{id}/payments", path: sunrise + "/invoices/{invoice}/payments", body: map[string]any{"amount_cents": 100, "method": "cash"},
		perm: medic.PermPaymentsTake, action: "payment.take"},
	{pattern: "GET " + api + "/invoices/{id}/payment-links", path: sunrise + "/invoices/{invoice}/payment-links", perm: medic.PermInvoicesRead, action: "invoice.view"},
	{pattern: "POST " + api + "/invoices/{id}/payment-link", path: sunrise + "/invoices/{invoice}/payment-link", perm: medic.PermPaymentsTake, action: "payment_link.create", ok: 201},
	{pattern: "POST " + api + "/encounters/{id}/invoice", path: sunrise + "/encounters/{finished}/invoice", perm: medic.PermInvoicesCreate, action: "invoice.create"},
	{pattern: "GET " + api + "/cash-up", path: sunrise + "/cash-up", perm: medic.PermPaymentsTake, action: "payment.cash_up"},
	// The timeline is the clinical record: clinical roles only.
	{pattern: "GET " + api + "/patients/{id}/timeline", path: sunrise + "/patients/{patient}/timeline", perm: medic.PermClinicalRead, action: "timeline.view"},
	// Orders and results: doctors and admins order and follow them; nurses
	// read (DOMAIN.md); reception and billing are refused.
	{pattern: "GET " + api + "/encounters/{id}/orders", path: sunrise + "/encounters/{encounter}/orders", perm: medic.PermClinicalRead, action: "order.list", chart: chartDemographics},
	{pattern: "POST " + api + "/encounters/{id}/orders", path: sunrise + "/encounters/{encounter}/orders", body: map[string]any{"kind": "lab", "code": "FBC"},
		perm: medic.PermClinicalWrite, action: "order.create", ok: 201},
	{pattern: "GET " + api + "/orders", path: sunrise + "/orders?status=outstanding", perm: medic.PermClinicalRead, action: "order.list", chart: chartDemographics},
	{pattern: "GET " + api + "/orders/counts", path: sunrise + "/orders/counts", perm: medic.PermClinicalRead, action: "order.list"},
	{pattern: "GET " + api + "/orders/{id}", path: sunrise + "/orders/{order}", perm: medic.PermClinicalRead, action: "order.view", chart: chartDemographics},
	{pattern: "POST " + api + "/orders/{id}/collect", path: sunrise + "/orders/{order}/collect", perm: medic.PermClinicalWrite, action: "order.update"},
	{pattern: "POST " + api + "/orders/{id}/results", path: sunrise + "/orders/{order}/results", body: map[string]any{"value": "12.1", "unit": "g/dL"},
		perm: medic.PermClinicalWrite, action: "order.result", ok: 201},
	{pattern: "POST " + api + "/orders/{id}/review", path: sunrise + "/orders/{order}/review", perm: medic.PermClinicalWrite, action: "order.review"},
	{pattern: "POST " + api + "/orders/{id}/cancel", path: sunrise + "/orders/{order}/cancel", body: map[string]any{"reason": "Not needed"}, perm: medic.PermClinicalWrite, action: "order.update"},
	{pattern: "GET " + api + "/patients/{id}/orders", path: sunrise + "/patients/{patient}/orders", perm: medic.PermClinicalRead, action: "order.list", chart: chartDemographics},
	{pattern: "POST " + api + "/encounters/{id}/stage", path: sunrise + "/encounters/{encounter}/stage", body: map[string]any{"stage": "assessment"}, perm: medic.PermAppointmentsWrite, action: "encounter.stage"},
	{pattern: "GET " + api + "/queue", path: sunrise + "/queue", chart: chartDemographics},
	{pattern: "GET " + api + "/encounter-templates", path: sunrise + "/encounter-templates", perm: medic.PermNotesWrite, action: "encounter_template.list"},
	{pattern: "POST " + api + "/encounter-templates", path: sunrise + "/encounter-templates", body: map[string]any{"name": "Travel clinic"}, perm: medic.PermSettingsManage, action: "encounter_template.create", ok: 201},
	{pattern: "GET " + api + "/encounter-templates/{id}", path: sunrise + "/encounter-templates/{template}", perm: medic.PermNotesWrite, action: "encounter_template.list"},
	{pattern: "PATCH " + api + "/encounter-templates/{id}", path: sunrise + "/encounter-templates/{template}", body: map[string]any{"active": true}, perm: medic.PermSettingsManage, action: "encounter_template.update"},
	// Every role reads notifications (appointments.read).
	{pattern: "GET " + api + "/notifications"}, {pattern: "POST " + api + "/notifications/{id}/read"},
	// The ICD-10 catalog is not patient data, but it is clinical: not for reception.
	{pattern: "GET " + api + "/icd10", path: sunrise + "/icd10?q=I10", perm: medic.PermDiagnosesRead, action: "icd10.search"},
	// The outbox names recipients and subjects: admins only, no chart.
	{pattern: "GET " + api + "/outbox", path: sunrise + "/outbox", perm: medic.PermSettingsManage, action: "outbox.list"},
	{pattern: "POST " + api + "/outbox/{id}/retry", path: sunrise + "/outbox/{mail}/retry", perm: medic.PermSettingsManage, action: "outbox.retry"},

	// The desk.
	{pattern: "GET /static/{file...}"},
	{pattern: "GET /login"}, {pattern: "POST /login"}, {pattern: "GET /login/2fa"}, {pattern: "POST /login/2fa"}, {pattern: "POST /logout"},
	{pattern: "GET /forgot"}, {pattern: "POST /forgot"}, {pattern: "GET /reset/{token}"}, {pattern: "POST /reset/{token}"},
	{pattern: "GET /invite/{token}"}, {pattern: "POST /invite/{token}"},
	{pattern: "GET /{$}", path: "/", chart: chartDemographics},
	{pattern: "POST /switch"},
	{pattern: "GET /settings", path: "/settings", perm: medic.PermSettingsManage, action: "practice.update"},
	{pattern: "POST /settings", path: "/settings", body: form("name", "Renamed"), perm: medic.PermSettingsManage, action: "practice.update"},
	{pattern: "POST /settings/logo", path: "/settings/logo", body: form(), perm: medic.PermSettingsManage, action: "practice.logo"},
	{pattern: "GET /logo"},
	{pattern: "GET /locations"}, {pattern: "GET /locations/{id}"},
	{pattern: "GET /locations/new", path: "/locations/new", perm: medic.PermSettingsManage, action: "location.create"},
	{pattern: "POST /locations/new", path: "/locations/new", body: form("name", "Second Site", "active", "on"), perm: medic.PermSettingsManage, action: "location.create"},
	{pattern: "POST /locations/{id}", path: "/locations/{location}", body: form("name", "Main Street", "active", "on"), perm: medic.PermSettingsManage, action: "location.update"},
	{pattern: "POST /locations/{id}/delete", path: "/locations/{location}/delete", body: form(), perm: medic.PermSettingsManage, action: "location.delete"},
	{pattern: "GET /members"},
	{pattern: "POST /members/invite", path: "/members/invite", body: form("email", "y@example.org", "role", "nurse"), perm: medic.PermMembersManage, action: "member.invite"},
	{pattern: "POST /members/{id}", path: "/members/{member}", body: form("role", "nurse"), perm: medic.PermMembersManage, action: "member.update"},
	{pattern: "POST /invitations/{id}/revoke", path: "/invitations/{invitation}/revoke", body: form(), perm: medic.PermMembersManage, action: "member.invitation_revoke"},
	{pattern: "GET /audit", path: "/audit", perm: medic.PermAuditRead, action: "audit.read"},

	{pattern: "GET /patients", path: "/patients?q=Thandi", chart: chartDemographics},
	{pattern: "GET /patients/new", path: "/patients/new", perm: medic.PermPatientsWrite, action: "patient.create"},
	{pattern: "POST /patients/new", path: "/patients/new", body: form("given_name", "Desk", "family_name", "Chart", "date_of_birth", "1991-02-03"), perm: medic.PermPatientsWrite, action: "patient.create", ok: 303},
	{pattern: "GET /patients/{id}", path: "/patients/{patient}", chart: chartFull},
	{pattern: "GET /patients/{id}/edit", path: "/patients/{patient}/edit", perm: medic.PermPatientsWrite, action: "patient.update", chart: chartFull},
	{pattern: "POST /patients/{id}/edit", path: "/patients/{patient}/edit", body: form("given_name", "Thandi", "family_name", "Zulu", "date_of_birth", "1984-05-06", "sex", "female"), perm: medic.PermPatientsWrite, action: "patient.update"},
	{pattern: "POST /patients/{id}/status", path: "/patients/{patient}/status", body: form("status", "active"), perm: medic.PermPatientsWrite, action: "patient.update"},
	{pattern: "GET /patients/{id}/merge", path: "/patients/{fresh}/merge?q=Thandi", perm: medic.PermPatientsWrite, action: "patient.merge", chart: chartDemographics},
	{pattern: "POST /patients/{id}/merge", path: "/patients/{fresh}/merge", body: form("into", "{patient}", "confirm", "on"), perm: medic.PermPatientsWrite, action: "patient.merge"},
	{pattern: "POST /patients/{id}/allergies", path: "/patients/{patient}/allergies", body: form("substance", "Latex", "severity", "mild"), perm: medic.PermClinicalWrite, action: "allergy.record"},
	{pattern: "POST /patients/{id}/allergies/none-known", path: "/patients/{patient}/allergies/none-known", body: form(), perm: medic.PermClinicalWrite, action: "allergy.record"},
	{pattern: "POST /patients/{id}/allergies/{allergy}/status", path: "/patients/{patient}/allergies/{allergy}/status", body: form("status", "active"), perm: medic.PermClinicalWrite, action: "allergy.record"},
	{pattern: "POST /patients/{id}/conditions", path: "/patients/{patient}/conditions", body: form("code", "I10"), perm: medic.PermClinicalWrite, action: "condition.record"},
	{pattern: "POST /patients/{id}/conditions/{condition}/status", path: "/patients/{patient}/conditions/{condition}/status", body: form("status", "active"), perm: medic.PermClinicalWrite, action: "condition.record"},
	// The chart's timeline fragment (htmx; without it, a redirect to the chart).
	{pattern: "GET /patients/{id}/timeline", path: "/patients/{patient}/timeline", perm: medic.PermClinicalRead, action: "timeline.view", ok: 303},
	// Referrals on the desk (see the API's rules).
	{pattern: "GET /encounters/{id}/referrals/new", path: "/encounters/{encounter}/referrals/new", perm: medic.PermClinicalWrite, action: "referral.create", chart: chartFull},
	{pattern: "POST /encounters/{id}/referrals/new", path: "/encounters/{encounter}/referrals/new", body: form("kind", "external", "to_name", "Dr Far", "urgency", "routine", "reason", "Opinion"),
		perm: medic.PermClinicalWrite, action: "referral.create", ok: 303},
	{pattern: "GET /referrals", path: "/referrals", perm: medic.PermClinicalRead, action: "referral.list"},
	{pattern: "GET /referrals/{id}", path: "/referrals/{referral}", perm: medic.PermClinicalRead, action: "referral.view", chart: chartFull},
	{pattern: "POST /referrals/{id}/send", path: "/referrals/{referral}/send", body: form(), perm: medic.PermClinicalWrite, action: "referral.update"},
	{pattern: "POST /referrals/{id}/cancel", path: "/referrals/{referral}/cancel", body: form(), perm: medic.PermClinicalWrite, action: "referral.update"},
	{pattern: "GET /icd10", path: "/icd10?q=I10", perm: medic.PermDiagnosesRead, action: "icd10.search"},
	// Prescriptions on the desk (see the API's rules).
	{pattern: "GET /encounters/{id}/prescriptions/new", path: "/encounters/{encounter}/prescriptions/new", perm: medic.PermPrescriptionsIssue, action: "prescription.issue", chart: chartDemographics},
	{pattern: "POST /encounters/{id}/prescriptions/new", path: "/encounters/{encounter}/prescriptions/new", perm: medic.PermPrescriptionsIssue, action: "prescription.issue", ok: 303,
		body: form("medicine_0", "Paracetamol 500 mg tablet", "dose_0", "1 tablet", "frequency_0", "qid", "days_0", "3")},
	{pattern: "GET /prescriptions/{id}", path: "/prescriptions/{prescription}", perm: medic.PermPrescriptionsRead, action: "prescription.view"},
	{pattern: "GET /prescriptions/{id}/pdf", path: "/prescriptions/{prescription}/pdf", perm: medic.PermPrescriptionsRead, action: "prescription.view"},
	// Sick notes on the desk (see the API's rules).
	{pattern: "GET /encounters/{id}/sick-notes/new", path: "/encounters/{encounter}/sick-notes/new", perm: medic.PermSickNotesIssue, action: "sick_note.issue", chart: chartDemographics},
	{pattern: "POST /encounters/{id}/sick-notes/new", path: "/encounters/{encounter}/sick-notes/new", perm: medic.PermSickNotesIssue, action: "sick_note.issue", ok: 303,
		body: form("examined_at", "2030-03-04T09:00", "basis", "examined", "from", "2030-03-04", "to", "2030-03-05", "fitness", "unfit")},
	// Billing at the desk (as the API: see the JSON rules above).
	{pattern: "GET /billing", path: "/billing", perm: medic.PermInvoicesRead, action: "invoice.list"},
	{pattern: "GET /invoices/new", path: "/invoices/new?patient={patient}", perm: medic.PermInvoicesCreate, action: "invoice.create", chart: chartDemographics},
	{pattern: "POST /invoices/new", path: "/invoices/new", body: form("patient_id", "{patient}", "description", "Visit", "unit", "1.00"),
		perm: medic.PermInvoicesCreate, action: "invoice.create", ok: 303},
	{pattern: "POST /encounters/{id}/invoice", path: "/encounters/{finished}/invoice", body: form(), perm: medic.PermInvoicesCreate, action: "invoice.create", ok: 303},
	{pattern: "GET /invoices/{id}", path: "/invoices/{invoice}", perm: medic.PermInvoicesRead, action: "invoice.view", chart: chartDemographics},
	{pattern: "POST /invoices/{id}/lines", path: "/invoices/{invoice}/lines", body: form("description", "Dressing", "unit", "1.00"),
		perm: medic.PermInvoicesCreate, action: "invoice.update", ok: 303},
	{pattern: "POST /invoices/{id}/lines/{n}", path: "/invoices/{invoice}/lines/0", body: form("quantity", "2"), perm: medic.PermInvoicesCreate, action: "invoice.update", ok: 303},
	{pattern: "POST /invoices/{id}/lines/{n}/remove", path: "/invoices/{invoice}/lines/0/remove", body: form(), perm: medic.PermInvoicesCreate, action: "invoice.update", ok: 303},
	{pattern: "POST /invoices/{id}/split", path: "/invoices/{invoice}/split", body: form("medical_aid", "0"), perm: medic.PermInvoicesCreate, action: "invoice.update", ok: 303},
	{pattern: "POST /invoices/{id}/issue", path: "/invoices/{invoice}/issue", body: form(), perm: medic.PermInvoicesCreate, action: "invoice.issue", ok: 303},
	{pattern: "POST /invoices/{id}/void", path: "/invoices/{invoice}/void", body: form("reason", "Wrong patient"), perm: medic.PermInvoicesVoid, action: "invoice.void", ok: 303},
	{pattern: "POST /invoices/{id}/payments", path: "/invoices/{invoice}/payments", body: form("amount", "1.00", "method", "cash"),
		perm: medic.PermPaymentsTake, action: "payment.take", ok: 303},
	{pattern: "GET /billing/cash-up", path: "/billing/cash-up", perm: medic.PermPaymentsTake, action: "payment.cash_up"},
	{pattern: "POST /tariffs/settings", path: "/tariffs/settings", body: form("currency", "ZAR", "vat_rate", "15"), perm: medic.PermTariffsManage, action: "billing_settings.update", ok: 303},
	{pattern: "GET /tariffs", path: "/tariffs", perm: medic.PermInvoicesRead, action: "tariff.list"},
	{pattern: "POST /tariffs/new", path: "/tariffs/new", body: form("code", "RT3", "description", "Role test", "category", "procedure", "unit", "1.00", "effective_from", "2030-01-01"),
		perm: medic.PermTariffsManage, action: "tariff.manage", ok: 303},
	{pattern: "POST /tariffs/import", path: "/tariffs/import", body: form("effective_from", "2030-01-01"), perm: medic.PermTariffsManage, action: "tariff.manage"},
	{pattern: "GET /tariffs/{id}", path: "/tariffs/{tariff}", perm: medic.PermInvoicesRead, action: "tariff.list"},
	{pattern: "POST /tariffs/{id}", path: "/tariffs/{tariff}", body: form("description", "Role test", "category", "procedure"), perm: medic.PermTariffsManage, action: "tariff.manage", ok: 303},
	{pattern: "POST /tariffs/{id}/prices", path: "/tariffs/{tariff}/prices", body: form("unit", "1.00", "effective_from", "2030-01-01"),
		perm: medic.PermTariffsManage, action: "tariff.manage", ok: 303},
	{pattern: "GET /sick-notes/{id}", path: "/sick-notes/{sicknote}", perm: medic.PermSickNotesRead, action: "sick_note.view"},
	{pattern: "POST /sick-notes/{id}/cancel", path: "/sick-notes/{sicknote}/cancel", body: form("reason", "Wrong dates"), perm: medic.PermSickNotesIssue, action: "sick_note.cancel", ok: 303},
	{pattern: "GET /sick-notes/{id}/pdf", path: "/sick-notes/{sicknote}/pdf", perm: medic.PermSickNotesRead, action: "sick_note.view"},
	{pattern: "GET /referrals/{id}/pdf", path: "/referrals/{referral}/pdf", perm: medic.PermClinicalRead, action: "referral.view"},
	{pattern: "POST /practitioners/{id}/signature", path: "/practitioners/{practitioner}/signature", body: form(), perm: medic.PermSchedulesManage, action: "practitioner.signature", ok: 422},
	{pattern: "GET /practitioners/{id}/signature"},
	{pattern: "POST /prescriptions/{id}/cancel", path: "/prescriptions/{prescription}/cancel", body: form("reason", "Wrong patient"), perm: medic.PermPrescriptionsIssue, action: "prescription.cancel", ok: 303},
	// SMART apps under the practice settings (admins).
	{pattern: "GET /settings/smart-apps", path: "/settings/smart-apps", perm: medic.PermSettingsManage, action: "smart_client.manage"},
	{pattern: "GET /settings/smart-apps/new", path: "/settings/smart-apps/new", perm: medic.PermSettingsManage, action: "smart_client.manage"},
	{pattern: "POST /settings/smart-apps/new", path: "/settings/smart-apps/new", perm: medic.PermSettingsManage, action: "smart_client.manage", ok: 303,
		body: form("name", "Desk app", "type", "public", "redirect_uris", "https://desk.example/cb", "scopes", "user/*.rs")},
	{pattern: "GET /settings/smart-apps/{id}", path: "/settings/smart-apps/{app}", perm: medic.PermSettingsManage, action: "smart_client.manage"},
	{pattern: "POST /settings/smart-apps/{id}", path: "/settings/smart-apps/{app}", perm: medic.PermSettingsManage, action: "smart_client.manage", ok: 303,
		body: form("name", "Growth charts", "redirect_uris", "https://growth.example/cb", "scopes", "user/*.rs")},
	{pattern: "GET /patients/{id}/launch", path: "/patients/{patient}/launch", chart: chartDemographics},
	{pattern: "POST /patients/{id}/launch", path: "/patients/{patient}/launch", body: form("app", "{app}"), ok: 303},
	{pattern: "POST /settings/smart-apps/{id}/revoke", path: "/settings/smart-apps/{app}/revoke", body: form(), perm: medic.PermSettingsManage, action: "smart_client.manage", ok: 303},
	// The medicines list on the desk (see the API's rules); an import
	// without a file is a form error.
	{pattern: "GET /medicines", path: "/medicines?q=amox", perm: medic.PermPrescriptionsRead, action: "medicine.list"},
	{pattern: "GET /medicines/suggest", path: "/medicines/suggest?q=amox", perm: medic.PermPrescriptionsRead, action: "medicine.list"},
	{pattern: "GET /medicines/new", path: "/medicines/new", perm: medic.PermSettingsManage, action: "medicine.manage"},
	{pattern: "POST /medicines/new", path: "/medicines/new", perm: medic.PermSettingsManage, action: "medicine.manage", ok: 303,
		body: func(r medic.Role) any {
			return form("name", "Desk tonic "+string(r), "ingredients", "tonic", "schedule", "S0")
		}},
	{pattern: "GET /medicines/{id}", path: "/medicines/{medicine}", perm: medic.PermPrescriptionsRead, action: "medicine.list"},
	{pattern: "POST /medicines/{id}", path: "/medicines/{medicine}", body: form("name", "Amoxicillin", "ingredients", "amoxicillin", "strength", "250 mg", "form", "capsule", "schedule", "S4", "active", "on"),
		perm: medic.PermSettingsManage, action: "medicine.manage", ok: 303},
	{pattern: "POST /medicines/import", path: "/medicines/import", body: form(), perm: medic.PermSettingsManage, action: "medicine.manage", ok: 422},

	// An encounter's vitals page: clinical roles read it; nurses, doctors and admins record.
	{pattern: "GET /encounters/{id}/diagnoses", path: "/encounters/{encounter}/diagnoses", perm: medic.PermClinicalRead, action: "encounter.view", chart: chartDemographics},
	{pattern: "POST /encounters/{id}/diagnoses", path: "/encounters/{encounter}/diagnoses", body: form("diagnosis_code", "J06.9"), perm: medic.PermClinicalWrite, action: "diagnosis.record"},
	{pattern: "POST /encounters/{id}/diagnoses/{diagnosis}/remove", path: "/encounters/{encounter}/diagnoses/{diagnosis}/remove", body: form(), perm: medic.PermClinicalWrite, action: "diagnosis.record"},
	{pattern: "GET /encounters/{id}/vitals", path: "/encounters/{encounter}/vitals", perm: medic.PermClinicalRead, action: "encounter.view", chart: chartDemographics},
	{pattern: "POST /encounters/{id}/vitals", path: "/encounters/{encounter}/vitals", body: form("pulse_bpm", "72"), perm: medic.PermVitalsWrite, action: "vitals.record", ok: 303},
	// Orders on the desk (see the API's rules above).
	{pattern: "POST /encounters/{id}/orders", path: "/encounters/{encounter}/orders", body: form("common", "FBC"), perm: medic.PermClinicalWrite, action: "order.create"},
	{pattern: "GET /orders", path: "/orders", perm: medic.PermClinicalRead, action: "order.list", chart: chartDemographics},
	{pattern: "GET /orders/review", path: "/orders/review", perm: medic.PermClinicalRead, action: "order.list", chart: chartDemographics},
	{pattern: "GET /orders/{id}", path: "/orders/{order}", perm: medic.PermClinicalRead, action: "order.view", chart: chartDemographics},
	{pattern: "POST /orders/{id}/collect", path: "/orders/{order}/collect", body: form(), perm: medic.PermClinicalWrite, action: "order.update"},
	{pattern: "POST /orders/{id}/results", path: "/orders/{order}/results", body: form("value", "5.2"), perm: medic.PermClinicalWrite, action: "order.result"},
	{pattern: "POST /orders/{id}/review", path: "/orders/{order}/review", body: form(), perm: medic.PermClinicalWrite, action: "order.review"},
	{pattern: "POST /orders/{id}/cancel", path: "/orders/{order}/cancel", body: form("reason", "Not needed"), perm: medic.PermClinicalWrite, action: "order.update"},

	{pattern: "GET /practitioners"}, {pattern: "GET /practitioners/{id}"},
	{pattern: "GET /practitioners/new", path: "/practitioners/new", perm: medic.PermSchedulesManage, action: "practitioner.create"},
	{pattern: "POST /practitioners/new", path: "/practitioners/new", body: form("name", "Dr Desk"), perm: medic.PermSchedulesManage, action: "practitioner.create"},
	{pattern: "POST /practitioners/{id}", path: "/practitioners/{practitioner}", body: form("name", "Dr Naledi Dlamini"), perm: medic.PermSchedulesManage, action: "practitioner.update"},

	{pattern: "GET /schedules", path: "/schedules", perm: medic.PermSchedulesManage, action: "schedule.save"},
	{pattern: "POST /schedules/rules", path: "/schedules/rules", body: form("practitioner_id", "{practitioner}"), perm: medic.PermSchedulesManage, action: "schedule.save"},
	{pattern: "GET /schedules/rules/{id}", path: "/schedules/rules/{rule}", perm: medic.PermSchedulesManage, action: "schedule.save"},
	{pattern: "POST /schedules/rules/{id}", path: "/schedules/rules/{rule}", body: form("capacity", "1"), perm: medic.PermSchedulesManage, action: "schedule.save"},
	{pattern: "POST /schedules/rules/{id}/delete", path: "/schedules/rules/{rule}/delete", body: form(), perm: medic.PermSchedulesManage, action: "schedule.delete"},
	{pattern: "POST /schedules/exceptions", path: "/schedules/exceptions", body: form("practitioner_id", "{practitioner}", "kind", "leave"), perm: medic.PermSchedulesManage, action: "schedule.exception"},
	{pattern: "POST /schedules/exceptions/{id}/delete", path: "/schedules/exceptions/{exception}/delete", body: form("practitioner_id", "{practitioner}"), perm: medic.PermSchedulesManage, action: "schedule.exception_delete"},

	{pattern: "GET /appointment-types"},
	{pattern: "GET /appointment-types/new", path: "/appointment-types/new", perm: medic.PermSchedulesManage, action: "appointment_type.create"},
	{pattern: "POST /appointment-types/new", path: "/appointment-types/new", body: form("name", "Desk type"), perm: medic.PermSchedulesManage, action: "appointment_type.create"},
	{pattern: "GET /appointment-types/{id}", path: "/appointment-types/{type}", perm: medic.PermSchedulesManage, action: "appointment_type.update"},
	{pattern: "POST /appointment-types/{id}", path: "/appointment-types/{type}", body: form("name", "Consultation"), perm: medic.PermSchedulesManage, action: "appointment_type.update"},

	{pattern: "GET /calendar", path: "/calendar?date=2030-03-07", chart: chartDemographics},
	{pattern: "GET /today", path: "/today", chart: chartDemographics},
	{pattern: "GET /search", path: "/search?q=Thandi", chart: chartFull},
	{pattern: "GET /notifications", path: "/notifications", chart: chartDemographics},
	{pattern: "POST /notifications/{id}/read"},
	{pattern: "GET /outbox", path: "/outbox", perm: medic.PermSettingsManage, action: "outbox.list"},
	{pattern: "POST /outbox/{id}/retry", path: "/outbox/{mail}/retry", body: form(), perm: medic.PermSettingsManage, action: "outbox.retry"},
	// The booking page searches charts (the patient typeahead).
	{pattern: "GET /appointments/new", path: "/appointments/new?pq=Thandi", perm: medic.PermAppointmentsWrite, action: "appointment.book", chart: chartDemographics},
	{pattern: "POST /appointments/new", path: "/appointments/new", body: form("patient", "{patient}"), perm: medic.PermAppointmentsWrite, action: "appointment.book"},
	{pattern: "GET /appointments/{id}", path: "/appointments/{appointment}", chart: chartDemographics},
	{pattern: "POST /appointments/{id}/reschedule", path: "/appointments/{appointment}/reschedule", body: form(), perm: medic.PermAppointmentsWrite, action: "appointment.reschedule"},
	{pattern: "POST /appointments/{id}/cancel", path: "/appointments/{appointment}/cancel", body: form("reason", "Better"), perm: medic.PermAppointmentsWrite, action: "appointment.status"},
	{pattern: "POST /appointments/{id}/status", path: "/appointments/{appointment}/status", body: form("to", "checked_in"), perm: medic.PermAppointmentsWrite, action: "appointment.status"},

	// Encounters on the desk (see the API's rules above).
	{pattern: "POST /appointments/{id}/encounter", path: "/appointments/{appointment}/encounter", body: form(), perm: medic.PermNotesWrite, action: "encounter.create"},
	{pattern: "GET /patients/{id}/walk-in", path: "/patients/{patient}/walk-in", perm: medic.PermNotesWrite, action: "encounter.create"},
	{pattern: "POST /patients/{id}/walk-in", path: "/patients/{patient}/walk-in", body: form("practitioner_id", "{practitioner}", "location_id", "{location}"), perm: medic.PermNotesWrite, action: "encounter.create"},
	{pattern: "GET /encounters/{id}", path: "/encounters/{encounter}", perm: medic.PermClinicalRead, action: "encounter.view", chart: chartDemographics},
	{pattern: "POST /encounters/{id}", path: "/encounters/{encounter}", body: form("plan", "Rest", "version", "1"), perm: medic.PermNotesWrite, action: "encounter.update"},
	// Applying a template or the last plan reads the encounter first.
	{pattern: "POST /encounters/{id}/template", path: "/encounters/{encounter}/template", body: form("template_id", "{template}"), perm: medic.PermNotesWrite, action: "encounter.view"},
	{pattern: "POST /encounters/{id}/last-plan", path: "/encounters/{encounter}/last-plan", body: form(), perm: medic.PermNotesWrite, action: "encounter.view"},
	{pattern: "POST /encounters/{id}/stage", path: "/encounters/{encounter}/stage", body: form("stage", "assessment"), perm: medic.PermAppointmentsWrite, action: "encounter.stage"},
	{pattern: "POST /encounters/{id}/finish", path: "/encounters/{encounter}/finish", body: form("confirm", "on"), perm: medic.PermClinicalWrite, action: "encounter.finish"},
	{pattern: "POST /encounters/{id}/addenda", path: "/encounters/{finished}/addenda", body: form("text", "Seen again", "reason", "Follow-up"), perm: medic.PermNotesWrite, action: "encounter.addendum"},
	{pattern: "GET /queue", path: "/queue", chart: chartDemographics},
	{pattern: "GET /encounter-templates", path: "/encounter-templates", perm: medic.PermSettingsManage, action: "encounter_template.create"},
	{pattern: "POST /encounter-templates/new", path: "/encounter-templates/new", body: form("name", "Desk template"), perm: medic.PermSettingsManage, action: "encounter_template.create"},
	{pattern: "GET /encounter-templates/{id}", path: "/encounter-templates/{template}", perm: medic.PermSettingsManage, action: "encounter_template.update"},
	{pattern: "POST /encounter-templates/{id}", path: "/encounter-templates/{template}", body: form("name", "Desk consultation"), perm: medic.PermSettingsManage, action: "encounter_template.update"},

	{pattern: "GET /account"}, {pattern: "POST /account/name"}, {pattern: "POST /account/password"},
	{pattern: "POST /account/2fa"}, {pattern: "POST /account/2fa/confirm"}, {pattern: "POST /account/2fa/disable"},
	{pattern: "POST /account/2fa/recovery-codes"}, {pattern: "GET /account/2fa/qr.png"},
	{pattern: "POST /account/sessions/{id}/end"}, {pattern: "POST /account/tokens"}, {pattern: "POST /account/tokens/{id}/revoke"},
	{pattern: "GET /operator"}, {pattern: "POST /operator/practices"}, {pattern: "POST /operator/practices/{id}/status"},
	{pattern: "GET /operator/icd10"}, {pattern: "POST /operator/icd10/imports"}, {pattern: "GET /operator/icd10/imports/{id}"},
	{pattern: "GET /book"}, {pattern: "GET /book/{slug}"}, {pattern: "GET /book/{slug}/{step}"}, {pattern: "POST /book/{slug}/{step}"},
	{pattern: "GET /book/manage/{token}"}, {pattern: "POST /book/manage/{token}/cancel"}, {pattern: "POST /book/manage/{token}/reschedule"},
	// Public verification of a sick note's code: anyone, initials only.
	{pattern: "GET /verify/{code}"},
	{pattern: "GET /dev/mailbox"},
	{pattern: "/"},
}

func TestEveryRouteIsClassified(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	known := map[string]bool{}
	for _, r := range routeRules {
		if known[r.pattern] {
			t.Errorf("route %q is listed twice", r.pattern)
		}
		known[r.pattern] = true
	}
	registered := env.Handler.Routes()
	for _, p := range registered {
		if strings.Contains(p, "/fhir/R4/") || strings.HasSuffix(p, "/fhir/R4") {
			continue // bearer-only; internal/fhirapi's tests cover every FHIR route by role and tenant
		}
		if !known[p] {
			t.Errorf("route %q is not in routeRules: say who may use it and whether it shows patient data (roles_test.go)", p)
		}
	}
	for _, r := range routeRules {
		if !slices.Contains(registered, r.pattern) {
			t.Errorf("routeRules lists %q, which the server does not register", r.pattern)
		}
	}
}

// roleFixture is a practice with a member of every role and one record of
// each kind, and a chart with a clinical part that is easy to spot.
type roleFixture struct {
	*desk
	ids   map[string]string
	owner *pgx.Conn
}

// Markers in the fixture chart's clinical part: no page or answer may hold
// them for a role that does not read the clinical part.
const (
	allergyMarker   = "Penicillin-Q7X"
	conditionMarker = "Asthma-Q7X"
	soapMarker      = "Migraine-Q7X" // in the fixture encounters' SOAP notes
)

func newRoleFixture(t *testing.T) *roleFixture {
	t.Helper()
	env := servertest.New(t)
	d := newDesk(t, env, "sunrise")
	admin := d.c[medic.RoleAdmin]
	f := &roleFixture{desk: d, ids: map[string]string{}}
	f.ids["patient"] = want(t, admin.Do("POST", d.base+"/patients", map[string]any{
		"given_name": "Thandi", "family_name": "Zulu", "date_of_birth": "1984-05-06", "sex": "female", "phone": "082 555 0100",
		"allergies": []string{allergyMarker}, "chronic_conditions": []string{conditionMarker},
	}), http.StatusCreated).Str("id")
	f.ids["appointment"] = d.book(t, f.ids["patient"], thu0900)
	f.ids["location"] = d.loc.ID
	f.ids["practitioner"] = d.practitioner
	f.ids["type"] = d.typ
	f.ids["rule"] = d.friday
	f.ids["member"] = d.members[medic.RoleNurse].ID
	f.ids["invitation"] = want(t, admin.Do("POST", d.base+"/members", map[string]any{"email": "invited@example.org", "role": "nurse"}), http.StatusAccepted).Str("id")
	f.ids["exception"] = want(t, admin.Do("POST", d.base+"/schedule-exceptions", map[string]any{
		"practitioner_id": d.practitioner, "kind": "leave", "start": "2030-05-01T00:00:00+02:00", "end": "2030-05-02T00:00:00+02:00",
	}), http.StatusCreated).Str("id")
	f.ids["encounter"] = want(t, admin.Do("POST", d.base+"/encounters", map[string]any{"patient_id": f.ids["patient"], "practitioner_id": d.practitioner,
		"location_id": d.loc.ID, "stage": "consultation"}), http.StatusCreated).Str("id")
	want(t, admin.Do("PATCH", d.base+"/encounters/"+f.ids["encounter"], map[string]any{"soap": map[string]any{"assessment": soapMarker}}), http.StatusOK)
	f.ids["finished"] = want(t, admin.Do("POST", d.base+"/encounters", map[string]any{"patient_id": f.ids["patient"], "practitioner_id": d.practitioner,
		"location_id": d.loc.ID}), http.StatusCreated).Str("id")
	want(t, admin.Do("PATCH", d.base+"/encounters/"+f.ids["finished"], map[string]any{"soap": map[string]any{"plan": soapMarker}}), http.StatusOK)
	want(t, admin.Do("POST", d.base+"/encounters/"+f.ids["finished"]+"/finish", nil), http.StatusOK)
	f.ids["template"] = want(t, admin.Do("GET", d.base+"/encounter-templates", nil), http.StatusOK).Items()[0]["id"].(string)
	mails := want(t, admin.Do("GET", d.base+"/outbox", nil), http.StatusOK).Items()
	if len(mails) == 0 {
		t.Fatal("the practice's outbox is empty")
	}
	f.ids["mail"], _ = mails[0]["id"].(string)
	// The chart's free-text lists became structured entries.
	f.ids["diagnosis"] = want(t, admin.Do("POST", d.base+"/encounters/"+f.ids["encounter"]+"/diagnoses", map[string]any{"code": "I10", "primary": true}), http.StatusCreated).Str("id")
	f.ids["referral"] = want(t, admin.Do("POST", d.base+"/encounters/"+f.ids["encounter"]+"/referrals", map[string]any{"kind": "external",
		"to_name": "Dr P. Naidoo", "urgency": "urgent", "reason": "Cardiology opinion"}), http.StatusCreated).Str("id")
	f.ids["order"] = want(t, admin.Do("POST", d.base+"/encounters/"+f.ids["encounter"]+"/orders", map[string]any{"kind": "lab", "code": "HBA1C"}), http.StatusCreated).Str("id")
	f.ids["allergy"] = want(t, admin.Do("GET", d.base+"/patients/"+f.ids["patient"]+"/allergies", nil), http.StatusOK).Str("items.0.id")
	f.ids["medicine"] = want(t, admin.Do("GET", d.base+"/medicines?q=amoxicillin", nil), http.StatusOK).Str("items.0.id")
	f.ids["prescription"] = want(t, d.c[medic.RoleDoctor].Do("POST", d.base+"/prescriptions", map[string]any{"encounter_id": f.ids["encounter"],
		"items": []map[string]any{{"medicine_id": f.ids["medicine"], "dose": "250 mg", "frequency": "tds", "duration_days": 5, "override_reason": "Tolerated before"}}}),
		http.StatusCreated).Str("id")
	f.ids["sicknote"] = want(t, d.c[medic.RoleDoctor].Do("POST", d.base+"/sick-notes", map[string]any{"encounter_id": f.ids["encounter"],
		"examined_at": "2030-03-04T09:00:00+02:00", "basis": "examined", "from": "2030-03-04", "to": "2030-03-05", "fitness": "unfit"}), http.StatusCreated).Str("id")
	f.ids["app"] = want(t, admin.Do("POST", d.base+"/smart-clients", map[string]any{"name": "Growth charts", "type": "public",
		"redirect_uris": []string{"https://growth.example/cb"}, "launch_url": "https://growth.example/launch", "scopes": []string{"user/*.rs", "launch"}}), http.StatusCreated).Str("id")
	f.ids["condition"] = want(t, admin.Do("GET", d.base+"/patients/"+f.ids["patient"]+"/conditions", nil), http.StatusOK).Str("items.0.id")
	f.ids["tariff"] = want(t, admin.Do("GET", d.base+"/tariff-codes", nil), http.StatusOK).Str("items.0.id")
	f.ids["invoice"] = want(t, admin.Do("POST", d.base+"/invoices", map[string]any{"patient_id": f.ids["patient"],
		"lines": []map[string]any{{"code": "0190", "icd10": []string{"I10"}}}}), http.StatusCreated).Str("id")
	if f.ids["allergy"] == "" || f.ids["condition"] == "" {
		t.Fatal("the chart's allergy and condition were not recorded from its lists")
	}
	addClaimFixture(t, f)
	conn, err := pgx.Connect(context.Background(), env.DB.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	f.owner = conn
	return f
}

// fill replaces the fixture placeholders in s; {fresh} is a new chart.
func (f *roleFixture) fill(t *testing.T, s string) string {
	t.Helper()
	if strings.Contains(s, "{fresh}") {
		s = strings.ReplaceAll(s, "{fresh}", f.patient(t, "Fresh", ""))
	}
	for k, v := range f.ids {
		s = strings.ReplaceAll(s, "{"+k+"}", v)
	}
	return s
}

// do sends the rule's request as role: JSON to the API, a form to the desk.
func (f *roleFixture) do(t *testing.T, r routeRule, role medic.Role) *servertest.Response {
	t.Helper()
	return f.send(t, r, role, f.c[role])
}

// send sends the rule's request, with the fixture's ids, as role through c
// (another practice's member, for the cross-tenant checks).
func (f *roleFixture) send(t *testing.T, r routeRule, role medic.Role, c *servertest.Client) *servertest.Response {
	t.Helper()
	method := strings.Fields(r.pattern)[0]
	path := f.fill(t, r.path)
	body := r.body
	if fn, ok := body.(func(medic.Role) any); ok {
		body = fn(role)
	}
	switch b := body.(type) {
	case nil:
		return c.Do(method, path, nil)
	case string: // a raw body (a CSV upload)
		return c.Do(method, path, f.fill(t, b))
	case url.Values:
		v := url.Values{}
		for k, vs := range b {
			for _, s := range vs {
				v.Add(k, f.fill(t, s))
			}
		}
		return postForm(c, path, v)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		return c.Do(method, path, f.fill(t, string(raw)))
	}
}

// lastAuditID is the newest audit event's id.
func (f *roleFixture) lastAuditID(t *testing.T) int64 {
	t.Helper()
	var id int64
	if err := f.owner.QueryRow(context.Background(), "SELECT coalesce(max(id), 0) FROM audit_events").Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// deniedSince lists the actions of the denied events after id.
func (f *roleFixture) deniedSince(t *testing.T, id int64) []string {
	t.Helper()
	rows, err := f.owner.Query(context.Background(), "SELECT actor_email || ' ' || action FROM audit_events WHERE id > $1 AND outcome = 'denied' ORDER BY id", id)
	if err != nil {
		t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRolesOnEveryRoute runs the route table against one practice, one
// check after the other (they count audit events and change the chart).
func TestRolesOnEveryRoute(t *testing.T) {
	t.Parallel()
	f := newRoleFixture(t)
	t.Run("refusals", func(t *testing.T) { testRefusals(t, f) })
	t.Run("chart projection", func(t *testing.T) { testChartProjection(t, f) })
	t.Run("no clinical notes", func(t *testing.T) { testNoClinicalNotes(t, f) })
	t.Run("clinical writes", func(t *testing.T) { testClinicalWrites(t, f) })
}

// testRefusals: every route a role may not use answers 403 (problem+json
// from the API, the desk's page from the desk) and writes exactly one
// denied audit event naming the action, whichever surface was used.
func testRefusals(t *testing.T, f *roleFixture) {
	for _, r := range routeRules {
		if r.perm == "" {
			continue
		}
		refused := 0
		for _, role := range medic.Roles {
			if role.Can(r.perm) {
				continue
			}
			refused++
			t.Run(string(role)+" "+r.pattern, func(t *testing.T) {
				before := f.lastAuditID(t)
				res := f.do(t, r, role)
				if strings.HasPrefix(r.path, "/api/") {
					wantProblem(t, res, http.StatusForbidden)
				} else {
					want(t, res, http.StatusForbidden)
					if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") || !strings.Contains(string(res.Body), "Not allowed") {
						t.Errorf("not the desk's refusal page (%s): %s", ct, res)
					}
				}
				email := string(role) + "@sunrise.example"
				if got, want := f.deniedSince(t, before), []string{email + " " + r.action}; !slices.Equal(got, want) {
					t.Errorf("denied audit events %q, want exactly %q", got, want)
				}
			})
		}
		if refused == 0 {
			t.Errorf("%s: every role holds %s; list it without perm", r.pattern, r.perm)
		}
	}
}

// testNoClinicalNotes: no page or answer a role without clinical read may
// fetch holds an encounter's SOAP note (the fixture's encounters carry
// soapMarker); clinical roles do see it where it is shown.
func testNoClinicalNotes(t *testing.T, f *roleFixture) {
	seen := false
	for _, r := range routeRules {
		if r.path == "" || !strings.HasPrefix(r.pattern, "GET ") {
			continue
		}
		for _, role := range medic.Roles {
			res := f.do(t, r, role)
			has := strings.Contains(string(res.Body), soapMarker)
			if has && !role.CanReadChart(medic.ChartClinical) {
				t.Errorf("%s as %s shows a SOAP note: %s", r.pattern, role, res)
			}
			seen = seen || has
		}
	}
	if !seen {
		t.Error("no route showed the fixture's SOAP note to anyone: the check proves nothing")
	}
}

// testChartProjection: each route that shows patient data shows the
// clinical part exactly to the roles that read it (DOMAIN.md's role table:
// admin, doctor, nurse), and leaves the JSON fields out (not null) for the
// others.
func testChartProjection(t *testing.T, f *roleFixture) {
	checked := 0
	for _, r := range routeRules {
		if r.chart == noChart {
			continue
		}
		if r.path == "" {
			t.Errorf("%s shows patient data but has no request to check it", r.pattern)
			continue
		}
		checked++
		for _, role := range medic.Roles {
			t.Run(string(role)+" "+r.pattern, func(t *testing.T) {
				res := f.do(t, r, role)
				status := r.ok
				if status == 0 {
					status = http.StatusOK
				}
				if r.perm != "" && !role.Can(r.perm) {
					status = http.StatusForbidden
				}
				want(t, res, status)
				clinical := r.chart == chartFull && role.CanReadChart(medic.ChartClinical) && status != http.StatusForbidden
				body := string(res.Body)
				// A new chart has no clinical entries to show: its fields then say so.
				fresh := strings.Contains(r.pattern, "POST "+api+"/patients") && !strings.Contains(r.pattern, "merge")
				if !fresh {
					for _, m := range []string{allergyMarker, conditionMarker} {
						if strings.Contains(body, m) != clinical {
							t.Errorf("body holds %q = %v, want %v: %s", m, !clinical, clinical, res)
						}
					}
				}
				if strings.HasPrefix(r.path, "/api/") {
					for _, key := range []string{`"allergies"`, `"chronic_conditions"`} {
						if strings.Contains(body, key) != clinical {
							t.Errorf("JSON field %s present = %v, want %v: %s", key, !clinical, clinical, res)
						}
					}
					if strings.Contains(body, `"allergies":null`) {
						t.Errorf("null clinical field: %s", res)
					}
				}
			})
		}
	}
	if checked < 10 {
		t.Errorf("only %d routes show patient data? routeRules lost its classification", checked)
	}
}

// testClinicalWrites: reception and billing never set or clear allergies
// or chronic conditions, through the API or the desk; an attempt is refused
// (403, audited) and changes nothing; their ordinary edits keep the
// clinical part as it was. Clinical roles edit and clear them.
func testClinicalWrites(t *testing.T, f *roleFixture) {
	admin, rc := f.c[medic.RoleAdmin], f.c[medic.RoleReceptionist]
	id := f.ids["patient"]
	chart := func() *servertest.Response {
		return want(t, admin.Do("GET", sunrise+"/patients/"+id, nil), http.StatusOK)
	}
	intact := func(t *testing.T) {
		t.Helper()
		r := chart()
		if a, c := fmt.Sprint(r.Get("allergies")), fmt.Sprint(r.Get("chronic_conditions")); a != "["+allergyMarker+"]" || c != "["+conditionMarker+"]" {
			t.Fatalf("clinical part changed: allergies %s, conditions %s", a, c)
		}
	}
	// refused checks the attempt since the audit event before was refused
	// once, audited, and changed nothing.
	refused := func(t *testing.T, before int64, res *servertest.Response, action string) {
		t.Helper()
		if res.Status != http.StatusForbidden {
			t.Errorf("want 403, got %s", res)
		}
		if got, want := f.deniedSince(t, before), []string{"receptionist@sunrise.example " + action}; !slices.Equal(got, want) {
			t.Errorf("denied events %q, want %q", got, want)
		}
		intact(t)
	}

	for _, body := range []map[string]any{
		{"allergies": []string{}},
		{"allergies": []string{"Latex"}},
		{"chronic_conditions": []string{}, "phone": "082 555 0109"},
	} {
		before := f.lastAuditID(t)
		res := rc.Do("PATCH", sunrise+"/patients/"+id, body)
		wantProblem(t, res, http.StatusForbidden)
		refused(t, before, res, "patient.update")
	}
	before := f.lastAuditID(t)
	res := rc.Do("POST", sunrise+"/patients", map[string]any{"given_name": "Sneaky", "family_name": "Chart", "date_of_birth": "1990-01-01", "allergies": []string{}})
	wantProblem(t, res, http.StatusForbidden)
	refused(t, before, res, "patient.create")

	// Ordinary edits by reception keep the clinical part: API and desk.
	r := want(t, rc.Do("PATCH", sunrise+"/patients/"+id, map[string]any{"phone": "082 555 0102"}), http.StatusOK)
	if r.Str("phone") != "+27825550102" || r.Get("allergies") != nil {
		t.Errorf("reception's edit answered %s", r)
	}
	intact(t)
	edit := form("given_name", "Thandi", "family_name", "Zulu", "date_of_birth", "1984-05-06", "sex", "female", "phone", "082 555 0103")
	want(t, postForm(rc, "/patients/"+id+"/edit", edit), http.StatusSeeOther)
	intact(t)
	if chart().Str("phone") != "+27825550103" {
		t.Errorf("the desk edit was not saved: %s", chart())
	}
	// The desk form offers no clinical fields to reception; sending them anyway is refused.
	page := want(t, rc.Do("GET", "/patients/"+id+"/edit", nil), http.StatusOK)
	if strings.Contains(string(page.Body), `name="allergies"`) {
		t.Errorf("reception's edit form offers allergies")
	}
	edit.Set("allergies", "")
	before = f.lastAuditID(t)
	refused(t, before, postForm(rc, "/patients/"+id+"/edit", edit), "patient.update")

	// A nurse reads them but records none (DOMAIN.md: nurses write vitals
	// and notes, "read rest"): not through the chart form, not through the
	// API, as the allergy and problem-list routes refuse them too.
	nurse := f.c[medic.RoleNurse]
	if page := want(t, nurse.Do("GET", "/patients/"+id+"/edit", nil), http.StatusOK); strings.Contains(string(page.Body), `name="allergies"`) {
		t.Errorf("the nurse's edit form offers allergies")
	}
	edit.Set("allergies", "Latex\nPenicillin")
	before = f.lastAuditID(t)
	if res := postForm(nurse, "/patients/"+id+"/edit", edit); res.Status != http.StatusForbidden {
		t.Errorf("the nurse's desk edit of allergies: %s", res)
	}
	wantProblem(t, nurse.Do("PATCH", sunrise+"/patients/"+id, map[string]any{"allergies": []string{"Latex"}}), http.StatusForbidden)
	wantProblem(t, nurse.Do("POST", sunrise+"/patients", map[string]any{"given_name": "Nurse", "family_name": "Chart", "date_of_birth": "1990-01-01", "allergies": []string{"Latex"}}), http.StatusForbidden)
	intact(t)
	edit.Del("allergies")
	want(t, postForm(nurse, "/patients/"+id+"/edit", edit), http.StatusSeeOther)
	intact(t)

	// A doctor edits and clears them, on both surfaces.
	doctor := f.c[medic.RoleDoctor]
	edit.Set("allergies", "Latex\nPenicillin")
	want(t, postForm(doctor, "/patients/"+id+"/edit", edit), http.StatusSeeOther)
	if a := fmt.Sprint(chart().Get("allergies")); a != "[Latex Penicillin]" {
		t.Errorf("the doctor's desk edit stored allergies %s", a)
	}
	want(t, f.c[medic.RoleDoctor].Do("PATCH", sunrise+"/patients/"+id, map[string]any{"allergies": []string{}}), http.StatusOK)
	if a := fmt.Sprint(chart().Get("allergies")); a != "[]" {
		t.Errorf("the doctor's clearing stored allergies %s", a)
	}
}
