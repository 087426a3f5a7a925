package api

import (
	"net/http"
	"time"

	"medic"
)

// outboxRoutes registers a practice's outgoing mail.
func (h *Handler) outboxRoutes(mux Router) {
	mux.HandleFunc("GET /api/v1/practices/{practice}/outbox", h.tenant(h.listOutbox))
	mux.HandleFunc("POST /api/v1/practices/{practice}/outbox/{id}/retry", h.tenant(h.retryOutboxMail))
}

// outboxMailDTO is one mail of a practice's outbox (never its body).
type outboxMailDTO struct {
	ID        string     `json:"id"`
	Recipient string     `json:"recipient"`
	Subject   string     `json:"subject"`
	State     string     `json:"state"`
	Attempts  int        `json:"attempts"`
	LastError string     `json:"last_error"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
	SentAt    *time.Time `json:"sent_at"`
}

func toOutboxMail(m *medic.OutboxMail) outboxMailDTO {
	return outboxMailDTO{ID: m.ID, Recipient: m.Recipient, Subject: m.Subject, State: string(m.State), Attempts: m.Attempts,
		LastError: m.LastError, CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt, SentAt: m.SentAt}
}

// listOutbox lists the practice's mail, newest first (?state=queued|sent|failed).
func (h *Handler) listOutbox(w http.ResponseWriter, r *http.Request) {
	p, err := page(r)
	if err != nil {
		h.error(w, r, err)
		return
	}
	ms, next, err := h.app.ListOutbox(r.Context(), medic.OutboxState(r.URL.Query().Get("state")), p)
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newList(mapAll(ms, toOutboxMail), next))
}

// retryOutboxMail queues a failed mail again: 202 with the mail, queued.
func (h *Handler) retryOutboxMail(w http.ResponseWriter, r *http.Request) {
	m, err := h.app.RetryOutboxMail(r.Context(), r.PathValue("id"))
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, toOutboxMail(m))
}
