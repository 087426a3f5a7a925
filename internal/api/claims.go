package api

import (
	"net/http"
	"time"

	"medic"
)

func (h *Handler) claimRoutes(mux Router) {
	mux.HandleFunc("POST /api/v1/practices/{practice}/invoices/{id}/claim", h.tenant(h.createClaim))
	mux.HandleFunc("GET /api/v1/practices/{practice}/claims", h.tenant(h.listClaims))
	mux.HandleFunc("GET /api/v1/practices/{practice}/claims/{id}", h.tenant(h.getClaim))
	mux.HandleFunc("PATCH /api/v1/practices/{practice}/claims/{id}", h.tenant(h.updateClaim))
	mux.HandleFunc("POST /api/v1/practices/{practice}/claims/{id}/submit", h.tenant(h.submitClaim))
	mux.HandleFunc("POST /api/v1/practices/{practice}/claims/{id}/resubmit", h.tenant(h.resubmitClaim))
	mux.HandleFunc("POST /api/v1/practices/{practice}/claims/{id}/close", h.tenant(h.closeClaim))
}

type claimLineDTO struct {
	TariffCode  string   `json:"tariff_code"`
	Description string   `json:"description"`
	Quantity    int      `json:"quantity"`
	AmountCents int64    `json:"amount_cents"`
	ICD10       []string `json:"icd10"`
}

type claimRejectionDTO struct {
	Line    int    `json:"line"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

type claimDTO struct {
	ID                       string              `json:"id"`
	InvoiceID                string              `json:"invoice_id"`
	InvoiceNumber            string              `json:"invoice_number"`
	PatientID                string              `json:"patient_id"`
	PatientName              string              `json:"patient_name"`
	Version                  int                 `json:"version"`
	Status                   medic.ClaimStatus   `json:"status"`
	Scheme                   string              `json:"scheme"`
	Plan                     string              `json:"plan"`
	MemberNumber             string              `json:"member_number"`
	DependentCode            string              `json:"dependent_code"`
	PracticeNumber           string              `json:"practice_number"`
	PractitionerRegistration string              `json:"practitioner_registration_number"`
	ServiceDate              *medic.Date         `json:"service_date"`
	Lines                    []claimLineDTO      `json:"lines"`
	ClaimedCents             int64               `json:"claimed_cents"`
	PaidCents                int64               `json:"paid_cents"`
	Currency                 string              `json:"currency"`
	SwitchRef                string              `json:"switch_ref"`
	Rejections               []claimRejectionDTO `json:"rejections"`
	RemittanceReference      string              `json:"remittance_reference"`
	PaymentID                string              `json:"payment_id,omitempty"`
	LastError                string              `json:"last_error"`
	CreatedAt                time.Time           `json:"created_at"`
	SubmittedAt              *time.Time          `json:"submitted_at"`
	AnsweredAt               *time.Time          `json:"answered_at"`
	PaidAt                   *time.Time          `json:"paid_at"`
	ClosedAt                 *time.Time          `json:"closed_at"`
}

func toClaim(loc *time.Location) func(*medic.Claim) claimDTO {
	at := func(t time.Time) *time.Time {
		if t.IsZero() {
			return nil
		}
		t = t.In(loc)
		return &t
	}
	return func(c *medic.Claim) claimDTO {
		s := c.Submission
		d := claimDTO{ID: c.ID, InvoiceID: c.InvoiceID, InvoiceNumber: medic.FormatInvoiceNumber(c.InvoiceNumber), PatientID: c.PatientID,
			PatientName: c.PatientName, Version: c.Version, Status: c.Status,
			Scheme: s.Patient.Scheme, Plan: s.Patient.Plan, MemberNumber: s.Patient.MemberNumber, DependentCode: s.Patient.DependentCode,
			PracticeNumber: s.PracticeNumber, PractitionerRegistration: s.PractitionerRegistration,
			Lines: []claimLineDTO{}, ClaimedCents: c.ClaimedCents, PaidCents: c.PaidCents, Currency: c.Currency,
			SwitchRef: c.SwitchRef, Rejections: []claimRejectionDTO{}, RemittanceReference: c.RemittanceReference, PaymentID: c.PaymentID,
			LastError: c.LastError, CreatedAt: c.CreatedAt.In(loc), SubmittedAt: at(c.SubmittedAt), AnsweredAt: at(c.AnsweredAt),
			PaidAt: at(c.PaidAt), ClosedAt: at(c.ClosedAt)}
		if !s.ServiceDate.IsZero() {
			sd := s.ServiceDate
			d.ServiceDate = &sd
		}
		for _, l := range s.Lines {
			codes := l.ICD10
			if codes == nil {
				codes = []string{}
			}
			d.Lines = append(d.Lines, claimLineDTO{TariffCode: l.TariffCode, Description: l.Description, Quantity: l.Quantity, AmountCents: l.AmountCents, ICD10: codes})
		}
		for _, r := range c.Rejections {
			d.Rejections = append(d.Rejections, claimRejectionDTO{Line: r.Line, Code: r.Code, Message: r.Message})
		}
		return d
	}
}

// createClaim: POST .../invoices/{id}/claim -> 201 with the draft claim.
func (h *Handler) createClaim(w http.ResponseWriter, r *http.Request) {
	c, err := h.app.CreateClaim(r.Context(), r.PathValue("id"))
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, toClaim(practiceZone(r.Context()))(c))
}

// listClaims: GET .../claims, ?invoice=, ?patient=, ?status= to narrow.
func (h *Handler) listClaims(w http.ResponseWriter, r *http.Request) {
	pg, err := page(r)
	if err != nil {
		h.error(w, r, err)
		return
	}
	q := r.URL.Query()
	cs, next, err := h.app.ListClaims(r.Context(), medic.ClaimFilter{InvoiceID: q.Get("invoice"), PatientID: q.Get("patient"),
		Status: medic.ClaimStatus(q.Get("status"))}, pg)
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newList(mapAll(cs, toClaim(practiceZone(r.Context()))), next))
}

func (h *Handler) getClaim(w http.ResponseWriter, r *http.Request) {
	c, err := h.app.GetClaim(r.Context(), r.PathValue("id"))
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toClaim(practiceZone(r.Context()))(c))
}

// updateClaim: PATCH .../claims/{id} {"scheme", "plan", "member_number",
// "dependent_code", "lines": [{"icd10": [...]}]} corrects a draft.
func (h *Handler) updateClaim(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Scheme        string `json:"scheme"`
		Plan          string `json:"plan"`
		MemberNumber  string `json:"member_number"`
		DependentCode string `json:"dependent_code"`
		Lines         []struct {
			ICD10 []string `json:"icd10"`
		} `json:"lines"`
	}
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	e := medic.ClaimEdit{Scheme: in.Scheme, Plan: in.Plan, MemberNumber: in.MemberNumber, DependentCode: in.DependentCode}
	if in.Lines != nil {
		e.LineICD10 = make([][]string, len(in.Lines))
		for i, l := range in.Lines {
			e.LineICD10[i] = l.ICD10
		}
	}
	c, err := h.app.UpdateClaim(r.Context(), r.PathValue("id"), e)
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toClaim(practiceZone(r.Context()))(c))
}

// submitClaim: POST .../claims/{id}/submit -> 202: the claim is submitted
// and goes to the switch from a job; 422 naming the lines without a valid
// ICD-10 code.
func (h *Handler) submitClaim(w http.ResponseWriter, r *http.Request) {
	c, err := h.app.SubmitClaim(r.Context(), r.PathValue("id"))
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, toClaim(practiceZone(r.Context()))(c))
}

// resubmitClaim: POST .../claims/{id}/resubmit -> 201 with the new draft
// version of a rejected claim.
func (h *Handler) resubmitClaim(w http.ResponseWriter, r *http.Request) {
	c, err := h.app.ResubmitClaim(r.Context(), r.PathValue("id"))
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, toClaim(practiceZone(r.Context()))(c))
}

func (h *Handler) closeClaim(w http.ResponseWriter, r *http.Request) {
	c, err := h.app.CloseClaim(r.Context(), r.PathValue("id"))
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toClaim(practiceZone(r.Context()))(c))
}
