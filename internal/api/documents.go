package api

import (
	"io"
	"mime"
	"net/http"
	"strconv"

	"medic"
	"medic/internal/app"
	"medic/internal/pdf"
)

func (h *Handler) documentRoutes(mux Router) {
	mux.HandleFunc("GET /api/v1/practices/{practice}/prescriptions/{id}/pdf", h.tenant(h.prescriptionPDF))
	mux.HandleFunc("GET /api/v1/practices/{practice}/referrals/{id}/pdf", h.tenant(h.referralPDF))
	mux.HandleFunc("PUT /api/v1/practices/{practice}/practitioners/{id}/signature", h.tenant(h.putSignature))
}

// prescriptionPDF: GET .../prescriptions/{id}/pdf -> the prescription on
// the letterhead (one audit event).
func (h *Handler) prescriptionPDF(w http.ResponseWriter, r *http.Request) {
	d, err := h.app.PrescriptionDocument(r.Context(), r.PathValue("id"))
	if err != nil {
		h.error(w, r, err)
		return
	}
	b, err := pdf.Prescription(pdf.PrescriptionDocOf(d))
	h.writePDF(w, r, "prescription-"+shortID(d.Prescription.ID)+".pdf", b, err)
}

// referralPDF: GET .../referrals/{id}/pdf -> the referral letter.
func (h *Handler) referralPDF(w http.ResponseWriter, r *http.Request) {
	d, err := h.app.ReferralDocument(r.Context(), r.PathValue("id"))
	if err != nil {
		h.error(w, r, err)
		return
	}
	b, err := pdf.ReferralLetter(pdf.ReferralDocOf(d))
	h.writePDF(w, r, "referral-"+shortID(d.Referral.ID)+".pdf", b, err)
}

// writePDF sends a document as a download that no cache keeps; its file
// name carries no patient data.
func (h *Handler) writePDF(w http.ResponseWriter, r *http.Request, name string, b []byte, err error) {
	if err != nil {
		h.error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	_, _ = w.Write(b)
}

// shortID is the first block of a UUID, enough to tell files apart.
func shortID(id string) string {
	if len(id) >= 8 {
		return id[:8]
	}
	return id
}

// putSignature: PUT .../practitioners/{id}/signature with a PNG or JPEG
// body (image/png, image/jpeg) of at most app.MaxSignatureBytes -> 204.
// The use case checks the role first, then the bytes themselves.
func (h *Handler) putSignature(w http.ResponseWriter, r *http.Request) {
	data, err := io.ReadAll(io.LimitReader(r.Body, app.MaxSignatureBytes+1))
	if err != nil {
		h.error(w, r, &medic.Error{Code: medic.EINVALID, Message: "The upload was cut short; send it again."})
		return
	}
	if err := h.app.SetPractitionerSignature(r.Context(), r.PathValue("id"), data); err != nil {
		h.error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
