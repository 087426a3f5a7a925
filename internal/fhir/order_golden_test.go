package fhir_test

import (
	"testing"
	"time"

	"medic"
	"medic/internal/fhir"
)

const orderID = "0190c3a2-0000-7000-8000-0000000000e1"

func TestOrderGolden(t *testing.T) {
	pid := samplePatient().ID
	ordered := time.Date(2030, 3, 7, 9, 15, 0, 0, sast)
	o := &medic.Order{ID: orderID, EncounterID: encID, PatientID: pid, Kind: medic.OrderLab, Code: "FBC", Description: "Full blood count",
		Urgency: medic.OrderUrgent, Note: "Tired for a month", Status: medic.OrderReviewed, OrderedAt: ordered, CollectedAt: ordered.Add(10 * time.Minute),
		ResultedAt: ordered.Add(26 * time.Hour), ReviewedAt: ordered.Add(28 * time.Hour), PatientName: "Thandi Mokoena",
		OrderedByName: "Dr Naledi Dlamini", ReviewedByName: "Dr Naledi Dlamini",
		Results: []*medic.OrderResult{
			{ID: "0190c3a2-0000-7000-8000-0000000000e2", OrderID: orderID, Name: "Haemoglobin", Value: "10.2", Numeric: f64(10.2), Unit: "g/dL",
				RefLow: f64(12), RefHigh: f64(16.5), Flag: medic.ResultLow, EnteredAt: ordered.Add(26 * time.Hour)},
			{ID: "0190c3a2-0000-7000-8000-0000000000e3", OrderID: orderID, Name: "Film comment", Value: "Microcytic, hypochromic", RefText: "normocytic",
				Abnormal: true, Flag: medic.ResultAbnormal, Report: "Suggests iron deficiency.", EnteredAt: ordered.Add(27 * time.Hour)},
		}}
	golden(t, "servicerequest", fhir.FromOrder(o))
	dr := fhir.FromOrderReport(o)
	golden(t, "diagnosticreport", dr)
	obs := fhir.FromOrderResults(o)
	if len(obs) != 2 || len(dr.Result) != 2 || dr.Result[0].Reference != "Observation/"+obs[0].ID {
		t.Fatalf("results: %d observations, report %+v", len(obs), dr.Result)
	}
	golden(t, "observation-result-numeric", obs[0])
	golden(t, "observation-result-text", obs[1])
	for _, ob := range obs {
		if order, _, _, ok := fhir.ParseCompositeID(ob.ID, fhir.KindResult); !ok || order != orderID || len(ob.ID) > 64 {
			t.Errorf("result id %q", ob.ID)
		}
	}

	// Imaging with a report only: a report and no Observation; a
	// cancelled order is revoked with its reason; an order not resulted has
	// no report.
	img := &medic.Order{ID: orderID, EncounterID: encID, PatientID: pid, Kind: medic.OrderImaging, Code: "CXR", Description: "Chest X-ray",
		Urgency: medic.OrderRoutine, Status: medic.OrderResulted, OrderedAt: ordered, ResultedAt: ordered.Add(3 * time.Hour),
		Results: []*medic.OrderResult{{ID: "0190c3a2-0000-7000-8000-0000000000e4", Report: "No active lung disease.", Flag: medic.ResultNormal, EnteredAt: ordered.Add(3 * time.Hour)}}}
	golden(t, "diagnosticreport-imaging", fhir.FromOrderReport(img))
	if len(fhir.FromOrderResults(img)) != 0 {
		t.Error("a report alone made an Observation")
	}
	cancelled := &medic.Order{ID: orderID, EncounterID: encID, PatientID: pid, Kind: medic.OrderLab, Code: "OWN1", Description: "Practice panel",
		Urgency: medic.OrderRoutine, Status: medic.OrderCancelled, OrderedAt: ordered, CancelledAt: ordered.Add(time.Hour), CancelReason: "Sample lost"}
	golden(t, "servicerequest-cancelled", fhir.FromOrder(cancelled))
	if fhir.FromOrderReport(cancelled) != nil || fhir.FromOrderReport(&medic.Order{Status: medic.OrderCollected}) != nil {
		t.Error("a report for an order without results")
	}
	for s, want := range map[medic.OrderStatus]string{medic.OrderOrdered: "active", medic.OrderCollected: "active", medic.OrderResulted: "completed",
		medic.OrderReviewed: "completed", medic.OrderCancelled: "revoked"} {
		if got := fhir.ServiceRequestStatus(s); got != want {
			t.Errorf("%s: %s, want %s", s, got, want)
		}
	}
}
