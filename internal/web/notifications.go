package web

import (
	"net/http"
	"net/url"

	"medic"
)

// notificationRoutes registers the desk's notifications.
func (h *Handler) notificationRoutes(mux Router) {
	mux.HandleFunc("GET /notifications", h.member(h.notifications))
	mux.HandleFunc("POST /notifications/{id}/read", h.member(h.readNotification))
}

// notificationsView is the data of the desk's notifications page.
type notificationsView struct {
	Items   []*medic.Notification
	NextURL string
}

// notifications lists the practice's desk notifications, newest first.
func (h *Handler) notifications(w http.ResponseWriter, r *http.Request, v *visitor) {
	items, next, err := h.app.ListNotifications(r.Context(), medic.Page{Limit: 50, Cursor: r.URL.Query().Get("cursor")})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := notificationsView{Items: items}
	if next != "" {
		d.NextURL = "/notifications?cursor=" + url.QueryEscape(next)
	}
	p := h.page(r, "Notifications", "notifications")
	p.Data = d
	h.render(w, r, http.StatusOK, "notifications", p)
}

// readNotification marks one notification read and returns to the list.
func (h *Handler) readNotification(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := h.app.MarkNotificationRead(r.Context(), r.PathValue("id")); err != nil {
		h.fail(w, r, err)
		return
	}
	seeOther(w, r, "/notifications?m=notification-read")
}
