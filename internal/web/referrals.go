package web

import (
	"net/http"
	"net/url"

	"medic"
)

// referralRoutes registers referrals.
func (h *Handler) referralRoutes(mux Router) {
	mux.HandleFunc("GET /encounters/{id}/referrals/new", h.member(h.newReferral))
	mux.HandleFunc("POST /encounters/{id}/referrals/new", h.member(h.createReferral))
	mux.HandleFunc("GET /referrals", h.member(h.referrals))
	mux.HandleFunc("GET /referrals/{id}", h.member(h.referral))
	mux.HandleFunc("POST /referrals/{id}/send", h.member(h.setReferralStatus("sent")))
	mux.HandleFunc("POST /referrals/{id}/cancel", h.member(h.setReferralStatus("cancelled")))
}

// Referrals on the desk: the form (from the encounter page, the summary
// pre-filled from the encounter and editable), the referral's page with
// send and cancel, and "Referred to me" (the internal referrals to the
// signed-in member's practitioner profile).

type referralFormView struct {
	Draft         *medic.Referral
	Practitioners []option
	Kinds         []option
	Urgencies     []option
	Statuses      []option
}

var referralKindOptions = []option{{"external", "External (outside the practice)"}, {"internal", "Internal (a practitioner of the practice)"}}
var referralUrgencyOptions = []option{{"routine", "Routine"}, {"urgent", "Urgent"}, {"emergency", "Emergency"}}
var referralStatusOptions = []option{{"sent", "Send now"}, {"draft", "Keep as a draft"}}

// newReferral shows the form with the encounter's clinical summary.
func (h *Handler) newReferral(w http.ResponseWriter, r *http.Request, v *visitor) {
	h.renderReferralForm(w, r, http.StatusOK, v, newForm("referral", url.Values{}))
}

func (h *Handler) renderReferralForm(w http.ResponseWriter, r *http.Request, status int, v *visitor, f *form) {
	ctx := r.Context()
	draft, err := h.app.ReferralDraft(ctx, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	dir, err := h.directory(ctx)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for k, def := range map[string]string{"kind": "external", "urgency": "routine", "status": "sent", "summary": draft.Summary} {
		if _, ok := f.Values[k]; !ok {
			f.Values.Set(k, def)
		}
	}
	d := referralFormView{Draft: draft, Practitioners: dir.PractitionerOptions(f.Get("to_practitioner_id")),
		Kinds: referralKindOptions, Urgencies: referralUrgencyOptions, Statuses: referralStatusOptions}
	p := h.page(r, "Referral · "+draft.PatientName, "patients")
	if err := h.withPatientBanner(r, p, draft.PatientID); err != nil {
		h.fail(w, r, err)
		return
	}
	p.withForm(f)
	p.Data = d
	h.render(w, r, status, "referral_new", p)
}

// createReferral writes the referral from the form.
func (h *Handler) createReferral(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	f := newForm("referral", r.PostForm)
	ref := &medic.Referral{EncounterID: r.PathValue("id"), Kind: medic.ReferralKind(f.Get("kind")), ToPractitionerID: f.Get("to_practitioner_id"),
		ToName: f.Get("to_name"), ToSpeciality: f.Get("to_speciality"), ToFacility: f.Get("to_facility"),
		Urgency: medic.ReferralUrgency(f.Get("urgency")), Reason: f.Get("reason"), Summary: f.Get("summary"), Status: medic.ReferralStatus(f.Get("status"))}
	if err := h.app.CreateReferral(r.Context(), ref); err != nil {
		h.formFail(w, r, err, f, func(status int) { h.renderReferralForm(w, r, status, v, f) })
		return
	}
	seeOther(w, r, "/referrals/"+url.PathEscape(ref.ID))
}

type referralView struct {
	R        *medic.Referral
	CanWrite bool
}

// referral shows one referral.
func (h *Handler) referral(w http.ResponseWriter, r *http.Request, v *visitor) {
	ref, err := h.app.GetReferral(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := h.page(r, "Referral · "+ref.PatientName, "referrals")
	if err := h.withPatientBanner(r, p, ref.PatientID); err != nil {
		h.fail(w, r, err)
		return
	}
	p.Data = referralView{R: ref, CanWrite: v.tenant.Can(medic.PermClinicalWrite)}
	h.render(w, r, http.StatusOK, "referral", p)
}

// setReferralStatus sends or cancels a referral from its page.
func (h *Handler) setReferralStatus(s medic.ReferralStatus) deskHandler {
	return func(w http.ResponseWriter, r *http.Request, v *visitor) {
		ref, err := h.app.SetReferralStatus(r.Context(), r.PathValue("id"), s)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		seeOther(w, r, "/referrals/"+url.PathEscape(ref.ID))
	}
}

type referralsView struct {
	Items   []*medic.Referral
	NextURL string
	Mine    bool // the member has a practitioner profile
}

// referrals lists the internal referrals to the signed-in member.
func (h *Handler) referrals(w http.ResponseWriter, r *http.Request, v *visitor) {
	rs, next, err := h.app.ReferredToMe(r.Context(), medic.Page{Limit: 50, Cursor: r.URL.Query().Get("cursor")})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := referralsView{Items: rs}
	if pr, err := h.app.MyPractitioner(r.Context()); err == nil && pr != nil {
		d.Mine = true
	}
	if next != "" {
		d.NextURL = "/referrals?cursor=" + url.QueryEscape(next)
	}
	p := h.page(r, "Referred to me", "referrals")
	p.Data = d
	h.render(w, r, http.StatusOK, "referrals", p)
}
