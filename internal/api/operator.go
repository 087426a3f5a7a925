package api

import (
	"net/http"

	"medic"
)

// operatorRoutes registers the operator's practices.
func (h *Handler) operatorRoutes(mux Router) {
	mux.HandleFunc("GET /api/v1/operator/practices", h.sessionOnly(h.operatorListPractices))
	mux.HandleFunc("POST /api/v1/operator/practices", h.sessionOnly(h.operatorCreatePractice))
	mux.HandleFunc("POST /api/v1/operator/practices/{id}/suspend", h.sessionOnly(h.operatorSuspend))
	mux.HandleFunc("POST /api/v1/operator/practices/{id}/reactivate", h.sessionOnly(h.operatorReactivate))
}

type practiceSummaryDTO struct {
	practiceDTO
	Counts struct {
		Members       int `json:"members"`
		ActiveMembers int `json:"active_members"`
		Locations     int `json:"locations"`
		AuditEvents   int `json:"audit_events"`
		FailedMails   int `json:"failed_mails"`
	} `json:"counts"`
}

// operatorListPractices lists every practice with aggregate counts (no patient data).
func (h *Handler) operatorListPractices(w http.ResponseWriter, r *http.Request) {
	ps, err := h.app.ListPracticesForOperator(r.Context())
	if err != nil {
		h.error(w, r, err)
		return
	}
	items := make([]practiceSummaryDTO, len(ps))
	for i, s := range ps {
		items[i].practiceDTO = toPractice(s.Practice)
		items[i].Counts.Members = s.Counts.Members
		items[i].Counts.ActiveMembers = s.Counts.ActiveMembers
		items[i].Counts.Locations = s.Counts.Locations
		items[i].Counts.AuditEvents = s.Counts.AuditEvents
		items[i].Counts.FailedMails = s.Counts.FailedMails
	}
	writeJSON(w, http.StatusOK, newList(items, ""))
}

func (h *Handler) operatorCreatePractice(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name       string             `json:"name"`
		Slug       string             `json:"slug"`
		Type       medic.PracticeType `json:"type"`
		TimeZone   string             `json:"time_zone"`
		Email      string             `json:"email"`
		Phone      string             `json:"phone"`
		Address    string             `json:"address"`
		Plan       string             `json:"plan"`
		AdminEmail string             `json:"admin_email"`
	}
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	p := &medic.Practice{Name: in.Name, Slug: in.Slug, Type: in.Type, TimeZone: in.TimeZone, Email: in.Email, Phone: in.Phone, Address: in.Address, Plan: in.Plan}
	if err := h.app.CreatePractice(r.Context(), p, in.AdminEmail); err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, toPractice(p))
}

func (h *Handler) operatorSuspend(w http.ResponseWriter, r *http.Request) {
	h.operatorSetStatus(w, r, medic.PracticeSuspended)
}

func (h *Handler) operatorReactivate(w http.ResponseWriter, r *http.Request) {
	h.operatorSetStatus(w, r, medic.PracticeActive)
}

func (h *Handler) operatorSetStatus(w http.ResponseWriter, r *http.Request, s medic.PracticeStatus) {
	if err := h.app.SetPracticeStatus(r.Context(), r.PathValue("id"), s); err != nil {
		h.error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
