package fhir

import (
	"strings"
	"time"

	"medic"
)

// Documents on the letterhead: each sick note, prescription and referral
// letter is a DocumentReference whose attachment is its PDF, served as the
// Binary of the same id. Ids name the kind ("sicknote-<uuid>"), so one id
// never stands for two records.

// DocumentReference is a document and where its content is.
type DocumentReference struct {
	ResourceType string              `json:"resourceType"`
	ID           string              `json:"id,omitempty"`
	Meta         *Meta               `json:"meta,omitempty"`
	Status       string              `json:"status"`
	DocStatus    string              `json:"docStatus,omitempty"`
	Type         *CodeableConcept    `json:"type,omitempty"`
	Subject      *Reference          `json:"subject,omitempty"`
	Date         string              `json:"date,omitempty"`
	Author       []Reference         `json:"author,omitempty"`
	Description  string              `json:"description,omitempty"`
	Content      []DocumentContent   `json:"content"`
	Context      *DocumentRefContext `json:"context,omitempty"`
}

// DocumentContent is one form of the document.
type DocumentContent struct {
	Attachment Attachment `json:"attachment"`
}

// Attachment is content by reference (url) or inline (data).
type Attachment struct {
	ContentType string `json:"contentType,omitempty"`
	URL         string `json:"url,omitempty"`
	Title       string `json:"title,omitempty"`
	Creation    string `json:"creation,omitempty"`
}

// DocumentRefContext is the clinical context of a document.
type DocumentRefContext struct {
	Encounter []Reference `json:"encounter,omitempty"`
}

// Binary is raw content: here a document's PDF, base64 in data.
type Binary struct {
	ResourceType    string     `json:"resourceType"`
	ID              string     `json:"id,omitempty"`
	Meta            *Meta      `json:"meta,omitempty"`
	ContentType     string     `json:"contentType"`
	SecurityContext *Reference `json:"securityContext,omitempty"`
	Data            []byte     `json:"data,omitempty"` // encoding/json writes base64
}

// PDF is the content type of every document served.
const PDF = "application/pdf"

// documentKind is how each kind is named and coded (LOINC document
// ontology).
type documentKind struct {
	prefix, code, display, title string
}

var documentKinds = map[medic.DocumentKind]documentKind{
	medic.DocumentSickNote:     {"sicknote", "104531-9", "Temporary incapacity certificate", "Sick note"},
	medic.DocumentPrescription: {"prescription", "57833-6", "Prescription for medication", "Prescription"},
	medic.DocumentReferral:     {"referral", "57133-1", "Referral note", "Referral letter"},
}

// DocumentID is the FHIR id of a document (its DocumentReference's and
// its Binary's).
func DocumentID(kind medic.DocumentKind, id string) string {
	return documentKinds[kind].prefix + "-" + id
}

// ParseDocumentID reads a DocumentID; ok is false for anything else.
func ParseDocumentID(s string) (kind medic.DocumentKind, id string, ok bool) {
	prefix, id, found := strings.Cut(s, "-")
	for k, dk := range documentKinds {
		if found && dk.prefix == prefix && id != "" {
			return k, id, true
		}
	}
	return "", "", false
}

// DocumentTypeCode is the LOINC code of a kind (the type search token).
func DocumentTypeCode(kind medic.DocumentKind) string { return documentKinds[kind].code }

// FromDocument maps a document: current, or entered-in-error once
// cancelled (a cancelled document should not have been relied on); a
// referral not sent yet is preliminary.
func FromDocument(d *medic.ClinicalDocument) *DocumentReference {
	dk := documentKinds[d.Kind]
	id := DocumentID(d.Kind, d.ID)
	r := &DocumentReference{ResourceType: "DocumentReference", ID: id, Meta: metaOf(d.Updated), Status: "current", DocStatus: "final",
		Type: concept(LOINCSystem, dk.code, dk.display), Subject: Ref("Patient", d.PatientID, d.PatientName), Date: Instant(d.Date),
		Description: dk.title,
		Content: []DocumentContent{{Attachment: Attachment{ContentType: PDF, URL: "Binary/" + id, Title: dk.title,
			Creation: dateTime(d.Date)}}}}
	r.Type.Text = dk.title
	switch {
	case d.Cancelled:
		r.Status, r.DocStatus = "entered-in-error", "entered-in-error"
	case d.Draft:
		r.DocStatus = "preliminary"
	}
	if d.AuthorPractitionerID != "" {
		r.Author = []Reference{*Ref("Practitioner", d.AuthorPractitionerID, d.AuthorName)}
	} else if d.AuthorName != "" {
		r.Author = []Reference{{Display: d.AuthorName}}
	}
	if d.EncounterID != "" {
		r.Context = &DocumentRefContext{Encounter: []Reference{*Ref("Encounter", d.EncounterID, "")}}
	}
	return r
}

// FromDocumentPDF is a document's PDF as a Binary; its security context is
// the DocumentReference (reading one is as reading the other).
func FromDocumentPDF(kind medic.DocumentKind, id string, updated time.Time, pdf []byte) *Binary {
	fid := DocumentID(kind, id)
	return &Binary{ResourceType: "Binary", ID: fid, Meta: metaOf(updated), ContentType: PDF,
		SecurityContext: Ref("DocumentReference", fid, ""), Data: pdf}
}
