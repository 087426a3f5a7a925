package web

import (
	"net/http"

	"medic"
)

// mailboxRoutes registers the development mailbox.
func (h *Handler) mailboxRoutes(mux Router) {
	mux.HandleFunc("GET /dev/mailbox", h.mailbox)
}

// mailboxView is the data of the development mailbox.
type mailboxView struct {
	Mails []medic.KeptMail
}

// mailbox shows the newest kept emails in development (no SMTP), so
// developers can follow invitation and reset links. The mails hold live
// reset and invitation links, so only a signed-in platform operator sees
// them; everyone else gets 404.
func (h *Handler) mailbox(w http.ResponseWriter, r *http.Request) {
	if !h.devMailbox || !medic.ActorFrom(r.Context()).IsOperator {
		h.fail(w, r, errNotFound)
		return
	}
	ms, err := h.app.Mail.ListKeptMail(r.Context(), 50)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := h.page(r, "Development mailbox", "")
	p.Data = mailboxView{Mails: ms}
	h.render(w, r, http.StatusOK, "mailbox", p)
}
