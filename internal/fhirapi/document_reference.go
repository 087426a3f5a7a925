package fhirapi

import (
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"medic"
	"medic/internal/fhir"
	"medic/internal/pdf"
)

// Documents on the letterhead: a DocumentReference per sick note,
// prescription and referral letter, its PDF the Binary of the same id.

func (h *Handler) documentReferenceType() *resourceType {
	return &resourceType{name: "DocumentReference", doc: "Sick notes (LOINC 104531-9), prescriptions (57833-6) and referral letters (57133-1) on the practice's letterhead, ids sicknote-, prescription- and referral- before the record's id. status is current, or entered-in-error once cancelled; a referral not sent yet has docStatus preliminary. content[0].attachment.url is the PDF, Binary/{id}. Searches list the kinds the member's role reads (receptionists: sick notes), newest first.",
		read: h.readDocumentReference, search: h.searchDocumentReferences,
		params: []searchParam{
			{"patient", "reference", "The patient."},
			{"type", "token", "The LOINC code of the kind (comma: any of): 104531-9, 57833-6 or 57133-1."},
			{"date", "date", "When it was issued (a referral: written), with eq, lt, le, gt, ge, sa or eb."},
			{"status", "token", "current or entered-in-error (comma: any of)."},
		}}
}

func (h *Handler) binaryType() *resourceType {
	return &resourceType{name: "Binary", doc: "A document's PDF, by its DocumentReference's id: the PDF itself with Accept: application/pdf (or */*, or none), a Binary (base64 data) with Accept: application/fhir+json. Each download is audited; read as its DocumentReference (SMART: a Binary or DocumentReference read scope; patient/ scopes reach the launch patient's documents only).",
		read: h.readBinary}
}

func (h *Handler) readDocumentReference(w http.ResponseWriter, r *http.Request, id string) {
	kind, rid, ok := fhir.ParseDocumentID(id)
	if !ok {
		h.error(w, r, errNotFound)
		return
	}
	d, err := h.app.GetDocument(r.Context(), kind, rid)
	if err != nil {
		h.error(w, r, err)
		return
	}
	res := fhir.FromDocument(d)
	h.writeVersioned(w, http.StatusOK, res.Meta, res)
}

func documentResources(ds []*medic.ClinicalDocument) []entry {
	out := make([]entry, len(ds))
	for i, d := range ds {
		res := fhir.FromDocument(d)
		out[i] = entry{typ: "DocumentReference", id: res.ID, res: res}
	}
	return out
}

func (h *Handler) searchDocumentReferences(w http.ResponseWriter, r *http.Request, s *searchRequest) {
	var f medic.DocumentFilter
	patient, none, err := refParam(s, "patient", "Patient")
	f.PatientID = patient
	var when span
	if err == nil {
		when, err = dateSpan("date", s.get("date"), s.loc)
		f.From, f.Before = when.from, when.before
	}
	var types, statuses []string
	if err == nil {
		types, err = tokenParam(s, "type")
	}
	if err == nil {
		statuses, err = tokenParam(s, "status")
	}
	for _, t := range types {
		system, code, found := strings.Cut(t, "|")
		if !found {
			system, code = "", t
		}
		for _, k := range medic.DocumentKinds {
			if (system == "" || system == fhir.LOINCSystem) && code == fhir.DocumentTypeCode(k) {
				f.Kinds = append(f.Kinds, k)
			}
		}
	}
	var current, cancelled bool
	for _, v := range statuses {
		switch v {
		case "current":
			current = true
		case "entered-in-error":
			cancelled = true
		case "superseded": // never served
		default:
			err = badRequest("status: use current or entered-in-error.")
		}
	}
	if current != cancelled {
		f.Cancelled = &cancelled
	}
	if err != nil {
		h.error(w, r, err)
		return
	}
	if none || when.empty() || len(types) > 0 && len(f.Kinds) == 0 || len(statuses) > 0 && !current && !cancelled {
		h.writeEmpty(w, s)
		return
	}
	if s.count {
		n, err := countPages(func(p medic.Page) (int, string, error) {
			ds, next, err := h.app.ListDocuments(r.Context(), f, p)
			return len(ds), next, err
		})
		if err != nil {
			h.error(w, r, err)
			return
		}
		h.writeCount(w, s, n)
		return
	}
	ds, next, err := h.app.ListDocuments(r.Context(), f, s.page)
	if err != nil {
		h.error(w, r, err)
		return
	}
	h.writeBundle(w, s, documentResources(ds), next, nil)
}

// tokenParam reads a token parameter given at most once; commas list any
// of several values.
func tokenParam(s *searchRequest, name string) ([]string, error) {
	if len(s.get(name)) > 1 {
		return nil, badRequest(name + ": give it once (commas list any of several).")
	}
	return ids(s.get(name)), nil
}

// readBinary serves a document's PDF, laid out now from the record as it
// stands, through the use case that audits the download.
func (h *Handler) readBinary(w http.ResponseWriter, r *http.Request, id string) {
	kind, rid, ok := fhir.ParseDocumentID(id)
	if !ok {
		h.error(w, r, errNotFound)
		return
	}
	b, updated, err := h.documentPDF(r, kind, rid)
	if err != nil {
		h.error(w, r, err)
		return
	}
	if wantsFHIRJSON(r) {
		res := fhir.FromDocumentPDF(kind, rid, updated, b)
		h.writeVersioned(w, http.StatusOK, res.Meta, res)
		return
	}
	w.Header().Set("Content-Type", fhir.PDF)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": id + ".pdf"}))
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("ETag", `W/"`+fhir.VersionOf(updated)+`"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	_, _ = w.Write(b)
}

// documentPDF lays out a document and says when it last changed.
func (h *Handler) documentPDF(r *http.Request, kind medic.DocumentKind, id string) ([]byte, time.Time, error) {
	ctx := r.Context()
	switch kind {
	case medic.DocumentSickNote:
		d, err := h.app.SickNoteDocument(ctx, id)
		if err != nil {
			return nil, time.Time{}, err
		}
		n := d.SickNote
		if outsideCompartment(ctx, n.PatientID) {
			return nil, time.Time{}, errNotFound
		}
		b, err := pdf.SickNote(pdf.SickNoteDocOf(d, h.app.VerifyURL(n.VerificationCode)))
		return b, latest(n.IssuedAt, n.CancelledAt), err
	case medic.DocumentPrescription:
		d, err := h.app.PrescriptionDocument(ctx, id)
		if err != nil {
			return nil, time.Time{}, err
		}
		if outsideCompartment(ctx, d.Prescription.PatientID) {
			return nil, time.Time{}, errNotFound
		}
		b, err := pdf.Prescription(pdf.PrescriptionDocOf(d))
		return b, latest(d.Prescription.IssuedAt, d.Prescription.CancelledAt), err
	default:
		d, err := h.app.ReferralDocument(ctx, id)
		if err != nil {
			return nil, time.Time{}, err
		}
		if outsideCompartment(ctx, d.Referral.PatientID) {
			return nil, time.Time{}, errNotFound
		}
		b, err := pdf.ReferralLetter(pdf.ReferralDocOf(d))
		return b, d.Referral.UpdatedAt, err
	}
}

// latest is the later of an issue and a cancel (zero unless cancelled).
func latest(issued, cancelled time.Time) time.Time {
	if cancelled.After(issued) {
		return cancelled
	}
	return issued
}

// wantsFHIRJSON reports whether a Binary read asks for the resource rather
// than its content: _format, or a FHIR JSON type named in Accept.
func wantsFHIRJSON(r *http.Request) bool {
	if r.URL.Query().Get("_format") != "" {
		return true // acceptsJSON has checked it is a JSON one
	}
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err == nil && (mt == "application/fhir+json" || mt == "application/json" || mt == "application/json+fhir") {
			return true
		}
	}
	return false
}

// acceptsPDF reports whether a Binary read may be answered with the PDF
// itself (no _format asks for JSON).
func acceptsPDF(r *http.Request) bool {
	if r.URL.Query().Get("_format") != "" {
		return false
	}
	acc := r.Header.Get("Accept")
	if acc == "" {
		return true
	}
	for _, part := range strings.Split(acc, ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err == nil && (mt == fhir.PDF || mt == "application/*" || mt == "*/*") {
			return true
		}
	}
	return false
}
