package api

import (
	"net/http"
	"time"

	"medic"
)

// referralRoutes registers referrals.
func (h *Handler) referralRoutes(mux Router) {
	mux.HandleFunc("POST /api/v1/practices/{practice}/encounters/{id}/referrals", h.tenant(h.createReferral))
	mux.HandleFunc("GET /api/v1/practices/{practice}/encounters/{id}/referral-summary", h.tenant(h.referralSummary))
	mux.HandleFunc("GET /api/v1/practices/{practice}/referrals", h.tenant(h.listReferrals))
	mux.HandleFunc("GET /api/v1/practices/{practice}/referrals/{id}", h.tenant(h.getReferral))
	mux.HandleFunc("POST /api/v1/practices/{practice}/referrals/{id}/send", h.tenant(h.referralStatus(medic.ReferralSent)))
	mux.HandleFunc("POST /api/v1/practices/{practice}/referrals/{id}/cancel", h.tenant(h.referralStatus(medic.ReferralCancelled)))
	mux.HandleFunc("GET /api/v1/practices/{practice}/patients/{id}/referrals", h.tenant(h.listPatientReferrals))
}

type referralDTO struct {
	ID               string                `json:"id"`
	EncounterID      string                `json:"encounter_id"`
	PatientID        string                `json:"patient_id"`
	PatientName      string                `json:"patient_name"`
	Kind             medic.ReferralKind    `json:"kind"`
	ToPractitionerID *string               `json:"to_practitioner_id"`
	ToName           string                `json:"to_name"`
	ToSpeciality     string                `json:"to_speciality"`
	ToFacility       string                `json:"to_facility"`
	Urgency          medic.ReferralUrgency `json:"urgency"`
	Reason           string                `json:"reason"`
	Summary          string                `json:"summary"`
	Status           medic.ReferralStatus  `json:"status"`
	CreatedBy        *string               `json:"created_by"`
	CreatedByName    string                `json:"created_by_name"`
	CreatedAt        time.Time             `json:"created_at"`
	SentAt           *time.Time            `json:"sent_at"`
}

func toReferral(loc *time.Location) func(*medic.Referral) referralDTO {
	return func(r *medic.Referral) referralDTO {
		d := referralDTO{ID: r.ID, EncounterID: r.EncounterID, PatientID: r.PatientID, PatientName: r.PatientName, Kind: r.Kind,
			ToPractitionerID: optional(r.ToPractitionerID), ToName: r.ToName, ToSpeciality: r.ToSpeciality, ToFacility: r.ToFacility,
			Urgency: r.Urgency, Reason: r.Reason, Summary: r.Summary, Status: r.Status, CreatedBy: optional(r.CreatedBy),
			CreatedByName: r.CreatedByName, CreatedAt: r.CreatedAt.In(loc)}
		if !r.SentAt.IsZero() {
			t := r.SentAt.In(loc)
			d.SentAt = &t
		}
		return d
	}
}

// createReferral: POST .../encounters/{id}/referrals. Without a summary,
// the encounter's clinical summary is filled in; status "draft" (default)
// or "sent".
func (h *Handler) createReferral(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Kind             medic.ReferralKind    `json:"kind"`
		ToPractitionerID string                `json:"to_practitioner_id"`
		ToName           string                `json:"to_name"`
		ToSpeciality     string                `json:"to_speciality"`
		ToFacility       string                `json:"to_facility"`
		Urgency          medic.ReferralUrgency `json:"urgency"`
		Reason           string                `json:"reason"`
		Summary          string                `json:"summary"`
		Status           medic.ReferralStatus  `json:"status"`
	}
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	ref := &medic.Referral{EncounterID: r.PathValue("id"), Kind: in.Kind, ToPractitionerID: in.ToPractitionerID, ToName: in.ToName,
		ToSpeciality: in.ToSpeciality, ToFacility: in.ToFacility, Urgency: in.Urgency, Reason: in.Reason, Summary: in.Summary, Status: in.Status}
	if err := h.app.CreateReferral(r.Context(), ref); err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, toReferral(practiceZone(r.Context()))(ref))
}

// referralSummary: GET .../encounters/{id}/referral-summary -> {"summary"}:
// the clinical summary a new referral from the encounter starts with.
func (h *Handler) referralSummary(w http.ResponseWriter, r *http.Request) {
	d, err := h.app.ReferralDraft(r.Context(), r.PathValue("id"))
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"summary": d.Summary})
}

func (h *Handler) getReferral(w http.ResponseWriter, r *http.Request) {
	ref, err := h.app.GetReferral(r.Context(), r.PathValue("id"))
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toReferral(practiceZone(r.Context()))(ref))
}

// listReferrals: GET .../referrals?patient=&encounter= (all the practice's
// otherwise); ?to=me lists the internal referrals to the caller's
// practitioner profile.
func (h *Handler) listReferrals(w http.ResponseWriter, r *http.Request) {
	p, err := page(r)
	if err != nil {
		h.error(w, r, err)
		return
	}
	q := r.URL.Query()
	var rs []*medic.Referral
	var next string
	switch q.Get("to") {
	case "":
		rs, next, err = h.app.ListReferrals(r.Context(), medic.ReferralFilter{PatientID: q.Get("patient"), EncounterID: q.Get("encounter")}, p)
	case "me":
		rs, next, err = h.app.ReferredToMe(r.Context(), p)
	default:
		err = &medic.Error{Code: medic.EINVALID, Message: "Some fields are not valid.", Fields: map[string]string{"to": "Use to=me."}}
	}
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newList(mapAll(rs, toReferral(practiceZone(r.Context()))), next))
}

// listPatientReferrals: GET .../patients/{id}/referrals.
func (h *Handler) listPatientReferrals(w http.ResponseWriter, r *http.Request) {
	p, err := page(r)
	if err != nil {
		h.error(w, r, err)
		return
	}
	rs, next, err := h.app.PatientReferrals(r.Context(), r.PathValue("id"), p)
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newList(mapAll(rs, toReferral(practiceZone(r.Context()))), next))
}

// referralStatus: POST .../referrals/{id}/send and .../cancel.
func (h *Handler) referralStatus(s medic.ReferralStatus) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ref, err := h.app.SetReferralStatus(r.Context(), r.PathValue("id"), s)
		if err != nil {
			h.error(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, toReferral(practiceZone(r.Context()))(ref))
	}
}
