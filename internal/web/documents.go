package web

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"

	"medic"
	"medic/internal/app"
	"medic/internal/pdf"
)

// Documents on the letterhead (downloads from the prescription and
// referral pages) and the practitioner's signature printed on them.
func (h *Handler) documentRoutes(mux Router) {
	mux.HandleFunc("GET /prescriptions/{id}/pdf", h.member(h.prescriptionPDF))
	mux.HandleFunc("GET /referrals/{id}/pdf", h.member(h.referralPDF))
	mux.HandleFunc("POST /practitioners/{id}/signature", h.member(h.uploadSignature))
	mux.HandleFunc("GET /practitioners/{id}/signature", h.member(h.signature))
}

func (h *Handler) prescriptionPDF(w http.ResponseWriter, r *http.Request, v *visitor) {
	d, err := h.app.PrescriptionDocument(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	b, err := pdf.Prescription(pdf.PrescriptionDocOf(d))
	h.writePDF(w, r, "prescription-"+shortID(d.Prescription.ID)+".pdf", b, err)
}

func (h *Handler) referralPDF(w http.ResponseWriter, r *http.Request, v *visitor) {
	d, err := h.app.ReferralDocument(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	b, err := pdf.ReferralLetter(pdf.ReferralDocOf(d))
	h.writePDF(w, r, "referral-"+shortID(d.Referral.ID)+".pdf", b, err)
}

// writePDF sends a document as a download that no cache keeps; its file
// name carries no patient data.
func (h *Handler) writePDF(w http.ResponseWriter, r *http.Request, name string, b []byte, err error) {
	if err != nil {
		h.fail(w, r, err)
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

// uploadSignature stores a PNG or JPEG from the practitioner page.
func (h *Handler) uploadSignature(w http.ResponseWriter, r *http.Request, v *visitor) {
	id := r.PathValue("id")
	f := newForm("signature", nil)
	rerender := func(status int) {
		p, err := h.app.GetPractitioner(r.Context(), id)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		dir, err := h.directory(r.Context())
		if err != nil {
			h.fail(w, r, err)
			return
		}
		h.renderPractitionerWith(w, r, status, v, p, newForm("practitioner", practitionerValues(p)), dir, f)
	}
	data, err := readSignature(r)
	if err != nil {
		h.actionFormFail(w, r, "practitioner.signature", err, f, rerender)
		return
	}
	if err := h.app.SetPractitionerSignature(r.Context(), id, data); err != nil {
		h.formFail(w, r, err, f, rerender)
		return
	}
	seeOther(w, r, "/practitioners/"+url.PathEscape(id)+"?m=signature-saved")
}

func readSignature(r *http.Request) ([]byte, error) {
	msg := "Upload a PNG or JPEG of at most 256 KB."
	bad := &medic.Error{Code: medic.EINVALID, Message: "Choose an image to upload.", Fields: map[string]string{"signature": msg}}
	if err := r.ParseMultipartForm(app.MaxSignatureBytes + 64<<10); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, &medic.Error{Code: medic.EINVALID, Message: "The signature image is too large.", Fields: map[string]string{"signature": msg}}
		}
		return nil, bad
	}
	file, _, err := r.FormFile("signature")
	if err != nil {
		return nil, bad
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, app.MaxSignatureBytes+1))
	if err != nil {
		return nil, &medic.Error{Code: medic.EINVALID, Message: "The upload did not arrive completely.", Fields: map[string]string{"signature": "Try the upload again."}}
	}
	return data, nil // the use case checks the size and the type
}

// signature serves a practitioner's signature image (its preview).
func (h *Handler) signature(w http.ResponseWriter, r *http.Request, v *visitor) {
	s, err := h.app.PractitionerSignature(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", s.ContentType)
	w.Header().Set("Cache-Control", "private, no-cache")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(s.Data)
}
