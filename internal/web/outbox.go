package web

import (
	"net/http"
	"net/url"

	"medic"
)

// outboxRoutes registers the practice's outgoing mail.
func (h *Handler) outboxRoutes(mux Router) {
	mux.HandleFunc("GET /outbox", h.member(h.outbox))
	mux.HandleFunc("POST /outbox/{id}/retry", h.member(h.retryOutboxMail))
}

// outboxView is the data of the desk's outbox page.
type outboxView struct {
	Items   []*medic.OutboxMail
	State   medic.OutboxState
	Tabs    []outboxTab
	NextURL string
}

// outboxTab is one state filter.
type outboxTab struct {
	Label, URL string
	Current    bool
}

// outbox lists the practice's mail, newest first, by state (admins).
func (h *Handler) outbox(w http.ResponseWriter, r *http.Request, v *visitor) {
	q := r.URL.Query()
	state := medic.OutboxState(q.Get("state"))
	items, next, err := h.app.ListOutbox(r.Context(), state, medic.Page{Limit: 50, Cursor: q.Get("cursor")})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := outboxView{Items: items, State: state}
	for _, s := range []medic.OutboxState{"", medic.OutboxFailed, medic.OutboxQueued, medic.OutboxSent} {
		t := outboxTab{Label: map[medic.OutboxState]string{"": "All", medic.OutboxFailed: "Failed", medic.OutboxQueued: "Queued", medic.OutboxSent: "Sent"}[s],
			URL: "/outbox", Current: s == state}
		if s != "" {
			t.URL += "?state=" + string(s)
		}
		d.Tabs = append(d.Tabs, t)
	}
	if next != "" {
		older := url.Values{"cursor": {next}}
		if state != "" {
			older.Set("state", string(state))
		}
		d.NextURL = "/outbox?" + older.Encode()
	}
	p := h.page(r, "Outbox", "outbox")
	p.Data = d
	h.render(w, r, http.StatusOK, "outbox", p)
}

// retryOutboxMail queues a failed mail again and returns to the failed ones.
func (h *Handler) retryOutboxMail(w http.ResponseWriter, r *http.Request, v *visitor) {
	if _, err := h.app.RetryOutboxMail(r.Context(), r.PathValue("id")); err != nil {
		h.fail(w, r, err)
		return
	}
	seeOther(w, r, "/outbox?state=failed&m=mail-requeued")
}
