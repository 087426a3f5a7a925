package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"medic"
)

// Medical-aid claims on the desk: the invoice page's "Claim from medical
// aid" makes a draft; the claim's page shows what goes to the switch (the
// membership, the lines with their ICD-10 codes), lets billing correct a
// draft and submit it, shows the switch's rejection reasons, starts the
// corrected version of a rejected claim, and closes a finished one. The
// claims list filters by status.

func (h *Handler) claimRoutes(mux Router) {
	mux.HandleFunc("GET /claims", h.member(h.claims))
	mux.HandleFunc("POST /invoices/{id}/claim", h.member(h.createClaim))
	mux.HandleFunc("GET /claims/{id}", h.member(h.claim))
	mux.HandleFunc("POST /claims/{id}", h.member(h.updateClaim))
	mux.HandleFunc("POST /claims/{id}/submit", h.member(h.submitClaim))
	mux.HandleFunc("POST /claims/{id}/resubmit", h.member(h.resubmitClaim))
	mux.HandleFunc("POST /claims/{id}/close", h.member(h.closeClaim))
}

type claimTab struct {
	Label, URL string
	Current    bool
}

type claimsView struct {
	Items   []*medic.Claim
	Status  medic.ClaimStatus
	Invoice string // the invoice the list is narrowed to, if any
	Tabs    []claimTab
	NextURL string
}

// Money prints cents in the claim's currency.
func (claimsView) Money(cents int64, currency string) string {
	return medic.FormatCents(cents, currency)
}

func (h *Handler) claims(w http.ResponseWriter, r *http.Request, v *visitor) {
	q := r.URL.Query()
	status, invoice := medic.ClaimStatus(q.Get("status")), q.Get("invoice")
	items, next, err := h.app.ListClaims(r.Context(), medic.ClaimFilter{Status: status, InvoiceID: invoice}, medic.Page{Limit: 50, Cursor: q.Get("cursor")})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := claimsView{Items: items, Status: status, Invoice: invoice}
	// listURL keeps the invoice narrowed to across tabs and pages.
	listURL := func(vals url.Values) string {
		if invoice != "" {
			vals.Set("invoice", invoice)
		}
		if len(vals) == 0 {
			return "/claims"
		}
		return "/claims?" + vals.Encode()
	}
	for _, s := range append([]medic.ClaimStatus{""}, medic.ClaimStatuses...) {
		t := claimTab{Label: s.Label(), URL: listURL(url.Values{}), Current: s == status}
		if s == "" {
			t.Label = "All"
		} else {
			t.URL = listURL(url.Values{"status": {string(s)}})
		}
		d.Tabs = append(d.Tabs, t)
	}
	if next != "" {
		older := url.Values{"cursor": {next}}
		if status != "" {
			older.Set("status", string(status))
		}
		d.NextURL = listURL(older)
	}
	p := h.page(r, "Claims", "claims")
	p.Data = d
	h.render(w, r, http.StatusOK, "claims", p)
}

type claimLineView struct {
	N      int // 1-based, as the switch numbers lines
	Line   medic.ClaimLine
	Codes  string // the ICD-10 codes as typed: "J06.9, R50.9"
	Field  string // the form field of its codes
	Reject []medic.ClaimRejection
}

type claimView struct {
	C          *medic.Claim
	Lines      []claimLineView
	Whole      []medic.ClaimRejection // rejections of the whole claim
	CanManage  bool
	Editable   bool
	CanSubmit  bool
	CanRedo    bool
	CanClose   bool
	StatusText string
}

func (claimView) Money(cents int64, currency string) string {
	return medic.FormatCents(cents, currency)
}

func (h *Handler) createClaim(w http.ResponseWriter, r *http.Request, v *visitor) {
	c, err := h.app.CreateClaim(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	seeOther(w, r, "/claims/"+url.PathEscape(c.ID)+"?m=claim-created")
}

func (h *Handler) claim(w http.ResponseWriter, r *http.Request, v *visitor) {
	c, err := h.app.GetClaim(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderClaim(w, r, http.StatusOK, v, c, claimForm(c))
}

// claimForm is a draft's correction form filled in from the claim.
func claimForm(c *medic.Claim) *form {
	p := c.Submission.Patient
	vals := url.Values{"scheme": {p.Scheme}, "plan": {p.Plan}, "member_number": {p.MemberNumber}, "dependent_code": {p.DependentCode}}
	for i, l := range c.Submission.Lines {
		vals.Set("icd10_"+strconv.Itoa(i), strings.Join(l.ICD10, ", "))
	}
	return newClaimForm(vals, len(c.Submission.Lines))
}

// newClaimForm is the correction form; a line's error (lines.0.icd10)
// shows beside its codes field.
func newClaimForm(vals url.Values, lines int) *form {
	f := newForm("claim", vals)
	f.Keys = map[string]string{}
	for i := range lines {
		f.Keys["lines."+strconv.Itoa(i)+".icd10"] = "icd10_" + strconv.Itoa(i)
	}
	return f
}

func (h *Handler) renderClaim(w http.ResponseWriter, r *http.Request, status int, v *visitor, c *medic.Claim, f *form) {
	p := h.page(r, "Claim "+strconv.Itoa(c.Version)+" for "+medic.FormatInvoiceNumber(c.InvoiceNumber), "claims").withForm(f)
	manage := v.tenant.Can(medic.PermClaimsManage)
	d := claimView{C: c, CanManage: manage, Editable: manage && c.Status == medic.ClaimDraft, CanSubmit: manage && c.Status == medic.ClaimDraft,
		CanRedo: manage && c.Status == medic.ClaimRejected, CanClose: manage && c.Status.Closable(), StatusText: c.Status.Label()}
	for i, l := range c.Submission.Lines {
		lv := claimLineView{N: i + 1, Line: l, Codes: strings.Join(l.ICD10, ", "), Field: "icd10_" + strconv.Itoa(i)}
		for _, x := range c.Rejections {
			if x.Line == i+1 {
				lv.Reject = append(lv.Reject, x)
			}
		}
		d.Lines = append(d.Lines, lv)
	}
	for _, x := range c.Rejections {
		if x.Line < 1 || x.Line > len(c.Submission.Lines) {
			d.Whole = append(d.Whole, x)
		}
	}
	p.Data = d
	if err := h.withPatientBanner(r, p, c.PatientID); err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, status, "claim", p)
}

// claimEdit reads the correction form: codes per line, separated by
// commas or spaces.
func claimEdit(f *form, lines int) medic.ClaimEdit {
	e := medic.ClaimEdit{Scheme: f.Get("scheme"), Plan: f.Get("plan"), MemberNumber: f.Get("member_number"), DependentCode: f.Get("dependent_code"),
		LineICD10: make([][]string, lines)}
	for i := range lines {
		e.LineICD10[i] = strings.FieldsFunc(f.Get("icd10_"+strconv.Itoa(i)), func(r rune) bool { return r == ',' || r == ' ' || r == ';' })
	}
	return e
}

// saveClaimForm saves the correction form of the claim in the path, for
// action (whose refusal comes first, audited under its name), and returns
// the claim as saved; on a mistake it has re-rendered the page.
func (h *Handler) saveClaimForm(w http.ResponseWriter, r *http.Request, v *visitor, action string) (*medic.Claim, *form, bool) {
	if !h.offers(w, r, action) {
		return nil, nil, false
	}
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return nil, nil, false
	}
	c, err := h.app.GetClaim(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return nil, nil, false
	}
	f := newClaimForm(r.PostForm, len(c.Submission.Lines))
	saved, err := h.app.UpdateClaim(r.Context(), c.ID, claimEdit(f, len(c.Submission.Lines)))
	if err != nil {
		h.formFail(w, r, err, f, func(status int) { h.renderClaim(w, r, status, v, c, f) })
		return nil, nil, false
	}
	return saved, f, true
}

func (h *Handler) updateClaim(w http.ResponseWriter, r *http.Request, v *visitor) {
	if c, _, ok := h.saveClaimForm(w, r, v, "claim.update"); ok {
		seeOther(w, r, "/claims/"+url.PathEscape(c.ID)+"?m=claim-saved")
	}
}

// submitClaim saves the form as it stands, then submits: a refusal (a line
// without a valid ICD-10 code) comes back on the form.
func (h *Handler) submitClaim(w http.ResponseWriter, r *http.Request, v *visitor) {
	c, f, ok := h.saveClaimForm(w, r, v, "claim.submit")
	if !ok {
		return
	}
	if _, err := h.app.SubmitClaim(r.Context(), c.ID); err != nil {
		h.formFail(w, r, err, f, func(status int) { h.renderClaim(w, r, status, v, c, f) })
		return
	}
	seeOther(w, r, "/claims/"+url.PathEscape(c.ID)+"?m=claim-submitted")
}

func (h *Handler) resubmitClaim(w http.ResponseWriter, r *http.Request, v *visitor) {
	c, err := h.app.ResubmitClaim(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	seeOther(w, r, "/claims/"+url.PathEscape(c.ID)+"?m=claim-created")
}

func (h *Handler) closeClaim(w http.ResponseWriter, r *http.Request, v *visitor) {
	if _, err := h.app.CloseClaim(r.Context(), r.PathValue("id")); err != nil {
		h.fail(w, r, err)
		return
	}
	seeOther(w, r, "/claims/"+url.PathEscape(r.PathValue("id"))+"?m=claim-closed")
}
