package api

import (
	"net/http"
	"time"

	"medic"
)

// timelineRoutes registers a chart's timeline.
func (h *Handler) timelineRoutes(mux Router) {
	mux.HandleFunc("GET /api/v1/practices/{practice}/patients/{id}/timeline", h.tenant(h.getTimeline))
}

type timelineItemDTO struct {
	At          time.Time          `json:"at"`
	Kind        medic.TimelineKind `json:"kind"`
	ID          string             `json:"id"`
	Summary     string             `json:"summary"`
	EncounterID *string            `json:"encounter_id"`
	OrderID     *string            `json:"order_id,omitempty"` // order and result items
	By          string             `json:"by"`
}

// getTimeline: GET .../patients/{id}/timeline?kind=vitals,encounter&limit=&cursor=
// -> {"items": [{"at", "kind", "id", "summary", "encounter_id", "by"}], "next_cursor"},
// newest first; order and result items also name their "order_id".
func (h *Handler) getTimeline(w http.ResponseWriter, r *http.Request) {
	p, err := page(r)
	if err != nil {
		h.error(w, r, err)
		return
	}
	kinds, err := medic.ParseTimelineKinds(r.URL.Query().Get("kind"))
	if err != nil {
		h.error(w, r, err)
		return
	}
	items, next, err := h.app.Timeline(r.Context(), r.PathValue("id"), kinds, p)
	if err != nil {
		h.error(w, r, err)
		return
	}
	loc := practiceZone(r.Context())
	writeJSON(w, http.StatusOK, newList(mapAll(items, func(it *medic.TimelineItem) timelineItemDTO {
		return timelineItemDTO{At: it.At.In(loc), Kind: it.Kind, ID: it.ID, Summary: it.Summary, EncounterID: optional(it.EncounterID),
			OrderID: optional(it.OrderID), By: it.By}
	}), next))
}
