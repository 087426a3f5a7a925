package fhir_test

import (
	"testing"

	"medic"
	"medic/internal/fhir"
)

func TestAuditEventGolden(t *testing.T) {
	pid := samplePatient().ID
	other := "0190c3a2-0000-7000-8000-0000000000d1"
	golden(t, "auditevent-read", fhir.FromAuditEvent(&medic.AuditEvent{ID: 42, OccurredAt: t0, ActorID: "0190c3a2-0000-7000-8000-0000000000d2",
		ActorEmail: "doctor@sunrise.example", Action: "order.listed", EntityType: "patient", EntityID: pid, PatientID: pid, PatientIDs: []string{pid, other},
		Outcome: medic.OutcomeSuccess, IP: "192.0.2.7", Detail: map[string]string{"results": "3", "token_id": "0190c3a2-0000-7000-8000-0000000000d3"}}, practiceID))
	golden(t, "auditevent-login-denied", fhir.FromAuditEvent(&medic.AuditEvent{ID: 43, OccurredAt: t0, ActorEmail: "someone@example.org",
		Action: "auth.login_failed", Outcome: medic.OutcomeDenied, IP: "192.0.2.8"}, practiceID))
	for action, want := range map[string]string{"patient.viewed": "R", "order.listed": "R", "patient.everything": "R", "patient.created": "C",
		"appointment.booked": "C", "patient.updated": "U", "order.resulted": "U", "token.revoked": "D", "auth.login": "E"} {
		if got := fhir.AuditAction(action); got != want {
			t.Errorf("%s: %s, want %s", action, got, want)
		}
	}
}
