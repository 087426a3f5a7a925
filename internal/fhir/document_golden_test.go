package fhir_test

import (
	"testing"
	"time"

	"medic"
	"medic/internal/fhir"
)

func TestDocumentReferenceGolden(t *testing.T) {
	issued := time.Date(2030, 3, 7, 9, 40, 0, 0, sast)
	doc := func(kind medic.DocumentKind) *medic.ClinicalDocument {
		return &medic.ClinicalDocument{Kind: kind, ID: "0190c3a2-0000-7000-8000-0000000000d1", PatientID: samplePatient().ID, PatientName: "Thandi Mokoena",
			EncounterID: encID, AuthorPractitionerID: pracID, AuthorName: "Dr Naledi Dlamini", Date: issued, Updated: issued}
	}
	golden(t, "documentreference-sicknote", fhir.FromDocument(doc(medic.DocumentSickNote)))
	golden(t, "documentreference-prescription", fhir.FromDocument(doc(medic.DocumentPrescription)))

	cancelled := doc(medic.DocumentSickNote)
	cancelled.Cancelled, cancelled.Updated = true, issued.Add(time.Hour)
	golden(t, "documentreference-cancelled", fhir.FromDocument(cancelled))

	// A draft referral by a writer without a practitioner profile.
	draft := doc(medic.DocumentReferral)
	draft.Draft, draft.AuthorPractitionerID = true, ""
	golden(t, "documentreference-referral-draft", fhir.FromDocument(draft))

	golden(t, "binary", fhir.FromDocumentPDF(medic.DocumentReferral, draft.ID, issued, []byte("%PDF-1.4\n")))

	// Ids name the kind and read back; nothing else reads as one.
	for _, k := range medic.DocumentKinds {
		id := fhir.DocumentID(k, draft.ID)
		if got, rid, ok := fhir.ParseDocumentID(id); !ok || got != k || rid != draft.ID || len(id) > 64 {
			t.Errorf("%s: %q read back as %q %q %v", k, id, got, rid, ok)
		}
	}
	for _, bad := range []string{"", draft.ID, "sicknote", "sicknote-", "note-" + draft.ID, "Sicknote-" + draft.ID} {
		if _, _, ok := fhir.ParseDocumentID(bad); ok {
			t.Errorf("%q read as a document id", bad)
		}
	}
}
