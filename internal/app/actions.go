package app

import (
	"context"
	"fmt"

	"medic"
)

// actions is what each refusable use case needs, by the name its refusal is
// audited under. The use case decides with allow; a page that only offers
// the action (an empty or filled-in form) asks Authorize, which decides and
// audits exactly as the use case would. Handlers never check permissions.
var actions = map[string]medic.Permission{
	"practice.update": medic.PermSettingsManage,
	"practice.logo":   medic.PermSettingsManage,
	"audit.read":      medic.PermAuditRead,

	"member.update":            medic.PermMembersManage,
	"member.invite":            medic.PermMembersManage,
	"member.invitation_list":   medic.PermMembersManage,
	"member.invitation_revoke": medic.PermMembersManage,

	"prescription.issue":  medic.PermPrescriptionsIssue,
	"prescription.cancel": medic.PermPrescriptionsIssue,
	"prescription.view":   medic.PermPrescriptionsRead,
	"prescription.list":   medic.PermPrescriptionsRead,

	// Sick notes: doctors issue and cancel; the roles of DOMAIN.md read
	// them (receptionists included).
	"sick_note.issue":  medic.PermSickNotesIssue,
	"sick_note.cancel": medic.PermSickNotesIssue,
	"sick_note.view":   medic.PermSickNotesRead,
	"sick_note.list":   medic.PermSickNotesRead,

	"medicine.list":   medic.PermPrescriptionsRead,
	"medicine.manage": medic.PermSettingsManage,

	"smart_client.manage": medic.PermSettingsManage,
	// EHR launch of a SMART app from a chart: whoever may read the chart
	// (the app then gets no more than the member's role allows).
	"smart.launch": medic.PermPatientsRead,

	// Billing (issue 14): doctors read invoices; receptionists create,
	// issue and void them and take payments; admin and billing do all and
	// manage the tariff and the billing settings.
	"invoice.list":            medic.PermInvoicesRead,
	"invoice.view":            medic.PermInvoicesRead,
	"invoice.create":          medic.PermInvoicesCreate,
	"invoice.update":          medic.PermInvoicesCreate,
	"invoice.issue":           medic.PermInvoicesCreate,
	"invoice.void":            medic.PermInvoicesVoid,
	"payment.take":            medic.PermPaymentsTake,
	"payment.refund":          medic.PermPaymentsTake,
	"payment.cash_up":         medic.PermPaymentsTake,
	"payment_link.create":     medic.PermPaymentsTake,
	"tariff.list":             medic.PermInvoicesRead,
	"tariff.manage":           medic.PermTariffsManage,
	"billing_settings.update": medic.PermTariffsManage,

	"location.create": medic.PermSettingsManage,
	"location.update": medic.PermSettingsManage,
	"location.delete": medic.PermSettingsManage,

	"practitioner.create":       medic.PermSchedulesManage,
	"practitioner.update":       medic.PermSchedulesManage,
	"practitioner.signature":    medic.PermSchedulesManage,
	"appointment_type.create":   medic.PermSchedulesManage,
	"appointment_type.update":   medic.PermSchedulesManage,
	"schedule.save":             medic.PermSchedulesManage,
	"schedule.delete":           medic.PermSchedulesManage,
	"schedule.exception":        medic.PermSchedulesManage,
	"schedule.exception_delete": medic.PermSchedulesManage,

	"patient.search": medic.PermPatientsRead,
	"patient.recent": medic.PermPatientsRead,
	"patient.view":   medic.PermPatientsRead,
	"patient.create": medic.PermPatientsWrite,
	"patient.update": medic.PermPatientsWrite,
	"patient.merge":  medic.PermPatientsWrite,

	"appointment.view":       medic.PermAppointmentsRead,
	"appointment.list":       medic.PermAppointmentsRead,
	"appointment.book":       medic.PermAppointmentsWrite,
	"appointment.reschedule": medic.PermAppointmentsWrite,
	"appointment.status":     medic.PermAppointmentsWrite,

	"notification.list":  medic.PermAppointmentsRead,
	"notification.count": medic.PermAppointmentsRead,
	"notification.read":  medic.PermAppointmentsRead,

	// Encounters (see encounters.go for who does what).
	"encounter.create":          medic.PermNotesWrite,
	"encounter.view":            medic.PermClinicalRead,
	"encounter.list":            medic.PermClinicalRead,
	"encounter.update":          medic.PermNotesWrite,
	"encounter.finish":          medic.PermClinicalWrite,
	"encounter.addendum":        medic.PermNotesWrite,
	"encounter.stage":           medic.PermAppointmentsWrite,
	"queue.view":                medic.PermAppointmentsRead,
	"encounter_template.list":   medic.PermNotesWrite,
	"encounter_template.create": medic.PermSettingsManage,
	"encounter_template.update": medic.PermSettingsManage,

	// Vitals: recorded by nurses, doctors and admins; read with the chart.
	"vitals.record": medic.PermVitalsWrite,
	"vitals.list":   medic.PermClinicalRead,
	"icd10.search":  medic.PermDiagnosesRead,

	"allergy.list":     medic.PermClinicalRead,
	"allergy.record":   medic.PermClinicalWrite,
	"condition.list":   medic.PermClinicalRead,
	"condition.record": medic.PermClinicalWrite,

	// Diagnoses: doctors and admins code them; billing reads the codes.
	"diagnosis.list":   medic.PermDiagnosesRead,
	"diagnosis.record": medic.PermClinicalWrite,

	// Referrals: doctors and admins write them; clinical roles read them.
	"referral.create": medic.PermClinicalWrite,
	"referral.update": medic.PermClinicalWrite,
	"referral.view":   medic.PermClinicalRead,
	"referral.list":   medic.PermClinicalRead,
	// The chart's timeline: clinical roles.
	"timeline.view": medic.PermClinicalRead,
	// Orders and results: doctors and admins order, collect, enter results,
	// review and cancel; nurses read (DOMAIN.md: "vitals, notes; read
	// rest"); reception and billing see none.
	"order.create": medic.PermClinicalWrite,
	"order.view":   medic.PermClinicalRead,
	"order.list":   medic.PermClinicalRead,
	"order.update": medic.PermClinicalWrite,
	"order.result": medic.PermClinicalWrite,
	"order.review": medic.PermClinicalWrite,

	// FHIR bulk exports: what the member may read of each chart; only the
	// requester sees an export (exportOf).
	"bulk_export.start": medic.PermPatientsRead,
	"bulk_export.view":  medic.PermPatientsRead,
	"bulk_export.group": medic.PermPatientsRead,

	// Medical-aid claims: billing and admins build, correct, submit and
	// close them; the roles that read invoices read claims.
	"claim.create":   medic.PermClaimsManage,
	"claim.update":   medic.PermClaimsManage,
	"claim.submit":   medic.PermClaimsManage,
	"claim.resubmit": medic.PermClaimsManage,
	"claim.close":    medic.PermClaimsManage,
	"claim.view":     medic.PermInvoicesRead,
	"claim.list":     medic.PermInvoicesRead,

	"outbox.list":  medic.PermSettingsManage,
	"outbox.retry": medic.PermSettingsManage,
}

// allow returns the tenant in ctx if its role may take action, and
// otherwise records the refusal (a denied audit event naming the action)
// and returns EFORBIDDEN. An action missing from the table is a
// programming error and is refused.
func (a *App) allow(ctx context.Context, action string) (medic.Tenant, error) {
	p, ok := actions[action]
	if !ok {
		return medic.Tenant{}, fmt.Errorf("app: unknown action %q", action)
	}
	t, err := require(ctx, p)
	if err != nil {
		return t, a.denied(ctx, action, err)
	}
	return t, nil
}

// Authorize is the decision for a page that offers action without taking
// it: nil if the member in ctx may take it, else the refusal the use case
// would give, audited the same way.
func (a *App) Authorize(ctx context.Context, action string) error {
	_, err := a.allow(ctx, action)
	return err
}
