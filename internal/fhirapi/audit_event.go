package fhirapi

import (
	"net/http"
	"strconv"
	"strings"

	"medic"
	"medic/internal/fhir"
)

func (h *Handler) auditEventType() *resourceType {
	return &resourceType{name: "AuditEvent", doc: "The practice's audit log, read-only, for admins: subtype is Medic's action (" + fhir.AuditActionSystem + "), action its CRUDE code; the member is the requesting agent (identifier " + fhir.UserSystem + ") and the personal API token it used a second agent (" + fhir.APITokenSystem + "); the charts named and the record are entities. Newest first.",
		read: h.readAuditEvent, search: h.searchAuditEvents,
		params: []searchParam{
			{"patient", "reference", "A chart the event names."},
			{"agent", "reference", "The member's user id (its identifier value)."},
			{"date", "date", "When recorded, with prefixes eq, lt, le, gt, ge, sa, eb."},
			{"subtype", "token", "Medic's action (patient.viewed), or every action of a kind with a trailing dot (order.)."},
			{"action", "token", "C, R, U, D or E (comma: any of)."},
			{"outcome", "token", "0 (success), 4 (refused) or 8 (failed)."},
		}}
}

func (h *Handler) readAuditEvent(w http.ResponseWriter, r *http.Request, id string) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		h.error(w, r, errNotFound)
		return
	}
	es, _, err := h.app.ListAuditEvents(r.Context(), medic.AuditFilter{ID: n}, medic.Page{Limit: 1})
	if err != nil {
		h.error(w, r, err)
		return
	}
	if len(es) == 0 {
		h.error(w, r, errNotFound)
		return
	}
	t, _ := medic.TenantFrom(r.Context())
	res := fhir.FromAuditEvent(&es[0], t.PracticeID)
	h.writeVersioned(w, http.StatusOK, res.Meta, res)
}

func (h *Handler) searchAuditEvents(w http.ResponseWriter, r *http.Request, s *searchRequest) {
	var f medic.AuditFilter
	patient, none, err := refParam(s, "patient", "Patient")
	f.PatientID = patient
	var agent string
	if err == nil {
		agent, err = s.one("agent")
	}
	if agent != "" {
		id, _ := reference(agent, "")
		f.ActorID = id
		none = none || !isUUID(id)
	}
	var subtype, outcome string
	if err == nil {
		subtype, err = s.one("subtype")
	}
	exact := ""
	if subtype != "" {
		_, code, has := strings.Cut(subtype, "|")
		if !has {
			code = subtype
		}
		f.Action = code
		if !strings.HasSuffix(code, ".") {
			exact = code // the store matches a prefix: keep the action itself
		}
	}
	if err == nil {
		outcome, err = s.one("outcome")
	}
	if outcome != "" {
		f.Outcome = fhir.AuditOutcomeOf(outcome)
		none = none || f.Outcome == ""
	}
	actions, _ := tokenSet(s.get("action"), "")
	if err == nil {
		var sp span
		sp, err = dateSpan("date", s.get("date"), s.loc)
		f.From, f.To = sp.from, sp.before
		none = none || sp.empty()
	}
	if err == nil {
		err = noOr("subtype", s.get("subtype"))
	}
	if err != nil {
		h.error(w, r, err)
		return
	}
	if none {
		h.writeEmpty(w, s)
		return
	}
	// Filters the store does not apply (the exact action, CRUDE) are
	// applied to each page: a page may hold fewer than _count, its next
	// link still right.
	keep := func(es []medic.AuditEvent) []medic.AuditEvent {
		var out []medic.AuditEvent
		for _, e := range es {
			if (exact == "" || e.Action == exact) && (actions == nil || actions[fhir.AuditAction(e.Action)]) {
				out = append(out, e)
			}
		}
		return out
	}
	if s.count {
		n, err := countPages(func(p medic.Page) (int, string, error) {
			es, next, err := h.app.ListAuditEvents(r.Context(), f, p)
			return len(keep(es)), next, err
		})
		if err != nil {
			h.error(w, r, err)
			return
		}
		h.writeCount(w, s, n)
		return
	}
	es, next, err := h.app.ListAuditEvents(r.Context(), f, s.page)
	if err != nil {
		h.error(w, r, err)
		return
	}
	t, _ := medic.TenantFrom(r.Context())
	var entries []entry
	for _, e := range keep(es) {
		res := fhir.FromAuditEvent(&e, t.PracticeID)
		entries = append(entries, entry{typ: "AuditEvent", id: res.ID, res: res})
	}
	h.writeBundle(w, s, entries, next, nil)
}
