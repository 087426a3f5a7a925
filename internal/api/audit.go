package api

import (
	"net/http"
	"time"

	"medic"
)

// auditRoutes registers the audit log.
func (h *Handler) auditRoutes(mux Router) {
	mux.HandleFunc("GET /api/v1/practices/{practice}/audit-events", h.tenant(h.listAuditEvents))
}

type auditEventDTO struct {
	ID         int64             `json:"id"`
	Seq        int64             `json:"seq"`
	OccurredAt time.Time         `json:"occurred_at"`
	ActorID    string            `json:"actor_id"`
	ActorEmail string            `json:"actor_email"`
	Action     string            `json:"action"`
	EntityType string            `json:"entity_type"`
	EntityID   string            `json:"entity_id"`
	PatientID  string            `json:"patient_id"`
	PatientIDs []string          `json:"patient_ids"`
	Outcome    string            `json:"outcome"`
	IP         string            `json:"ip"`
	UserAgent  string            `json:"user_agent"`
	RequestID  string            `json:"request_id"`
	Detail     map[string]string `json:"detail"`
}

func toAuditEvent(e medic.AuditEvent) auditEventDTO {
	d := e.Detail
	if d == nil {
		d = map[string]string{}
	}
	return auditEventDTO{ID: e.ID, Seq: e.Seq, OccurredAt: e.OccurredAt, ActorID: e.ActorID, ActorEmail: e.ActorEmail, Action: e.Action,
		EntityType: e.EntityType, EntityID: e.EntityID, PatientID: e.PatientID, PatientIDs: nonNil(e.PatientIDs), Outcome: e.Outcome, IP: e.IP, UserAgent: e.UserAgent,
		RequestID: e.RequestID, Detail: d}
}

// nonNil is ids, or an empty list rather than null.
func nonNil(ids []string) []string {
	if ids == nil {
		return []string{}
	}
	return ids
}

// listAuditEvents filters by action (prefix), actor, entity, patient,
// outcome and a from/to time range (RFC 3339 or YYYY-MM-DD).
func (h *Handler) listAuditEvents(w http.ResponseWriter, r *http.Request) {
	p, err := page(r)
	if err != nil {
		h.error(w, r, err)
		return
	}
	q := r.URL.Query()
	f := medic.AuditFilter{Action: q.Get("action"), ActorID: q.Get("actor"), EntityID: q.Get("entity"), PatientID: q.Get("patient"), Outcome: q.Get("outcome")}
	fields := medic.FieldErrors{}
	for name, dst := range map[string]*time.Time{"from": &f.From, "to": &f.To} {
		if v := q.Get(name); v != "" {
			t, err := parseTime(v)
			if err != nil {
				fields.Add(name, "Use RFC 3339 or YYYY-MM-DD.")
			}
			*dst = t
		}
	}
	if err := fields.Err(); err != nil {
		h.error(w, r, err)
		return
	}
	es, next, err := h.app.ListAuditEvents(r.Context(), f, p)
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newList(mapAll(es, toAuditEvent), next))
}

func parseTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Parse("2006-01-02", s)
}
