package medic

import (
	"context"
	"time"
)

// DocumentKind is a kind of document printed on the letterhead.
type DocumentKind string

const (
	DocumentSickNote     DocumentKind = "sick_note"
	DocumentPrescription DocumentKind = "prescription"
	DocumentReferral     DocumentKind = "referral"
)

// DocumentKinds are every kind, in the order they are named to users.
var DocumentKinds = []DocumentKind{DocumentSickNote, DocumentPrescription, DocumentReferral}

// ClinicalDocument is a sick note, prescription or referral letter seen as
// a document (FHIR DocumentReference): who it is for and by, when, and
// whether it still stands. Its PDF is laid out when it is downloaded.
type ClinicalDocument struct {
	Kind        DocumentKind
	ID          string // the sick note's, prescription's or referral's
	PatientID   string
	PatientName string
	EncounterID string
	// AuthorPractitionerID is the practitioner who signs it ("" when the
	// writer has no practitioner profile); AuthorName names them anyway.
	AuthorPractitionerID string
	AuthorName           string
	// Date is when it was issued (a referral: written); Updated its last
	// change (cancelled, sent).
	Date, Updated time.Time
	Cancelled     bool
	Draft         bool // a referral not sent yet
}

// DocumentFilter selects documents; the zero filter is every document of
// the practice.
type DocumentFilter struct {
	PatientID string
	// PatientIDs, when set, keeps the records of any of these charts (a
	// bulk export reads charts in batches).
	PatientIDs []string
	Kinds      []DocumentKind // any of; none: every kind
	// Cancelled, when set, keeps only cancelled (true) or standing (false)
	// documents.
	Cancelled *bool
	// From and Before bound Date (zero: open).
	From, Before time.Time
}

// DocumentService reads the documents of the practice in context across
// their kinds; ENOTFOUND for another practice's.
type DocumentService interface {
	FindDocument(ctx context.Context, kind DocumentKind, id string) (*ClinicalDocument, error)
	// ListDocuments pages through documents, newest first.
	ListDocuments(ctx context.Context, f DocumentFilter, p Page) ([]*ClinicalDocument, string, error)
}
