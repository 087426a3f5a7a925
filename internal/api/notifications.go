package api

import (
	"net/http"
	"time"

	"medic"
)

// notificationRoutes registers a practice's notifications.
func (h *Handler) notificationRoutes(mux Router) {
	mux.HandleFunc("GET /api/v1/practices/{practice}/notifications", h.tenant(h.listNotifications))
	mux.HandleFunc("POST /api/v1/practices/{practice}/notifications/{id}/read", h.tenant(h.readNotification))
}

type notificationDTO struct {
	ID            string     `json:"id"`
	Kind          string     `json:"kind"`
	Title         string     `json:"title"`
	Body          string     `json:"body"`
	AppointmentID *string    `json:"appointment_id"`
	CreatedAt     time.Time  `json:"created_at"`
	ReadAt        *time.Time `json:"read_at"`
}

func toNotification(n *medic.Notification) notificationDTO {
	d := notificationDTO{ID: n.ID, Kind: n.Kind, Title: n.Title, Body: n.Body, CreatedAt: n.CreatedAt, ReadAt: n.ReadAt}
	if n.AppointmentID != "" {
		id := n.AppointmentID
		d.AppointmentID = &id
	}
	return d
}

// listNotifications lists the desk's notifications, newest first, with the
// number still unread.
func (h *Handler) listNotifications(w http.ResponseWriter, r *http.Request) {
	p, err := page(r)
	if err != nil {
		h.error(w, r, err)
		return
	}
	ns, next, err := h.app.ListNotifications(r.Context(), p)
	if err != nil {
		h.error(w, r, err)
		return
	}
	unread, err := h.app.UnreadNotifications(r.Context())
	if err != nil {
		h.error(w, r, err)
		return
	}
	l := newList(mapAll(ns, toNotification), next)
	writeJSON(w, http.StatusOK, struct {
		list[notificationDTO]
		Unread int `json:"unread"`
	}{l, unread})
}

func (h *Handler) readNotification(w http.ResponseWriter, r *http.Request) {
	if err := h.app.MarkNotificationRead(r.Context(), r.PathValue("id")); err != nil {
		h.error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
