package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"medic"
	"medic/internal/app"
)

// orderRoutes registers lab and imaging orders and their results.
func (h *Handler) orderRoutes(mux Router) {
	mux.HandleFunc("GET /api/v1/practices/{practice}/encounters/{id}/orders", h.tenant(h.listEncounterOrders))
	mux.HandleFunc("POST /api/v1/practices/{practice}/encounters/{id}/orders", h.tenant(h.createOrder))
	mux.HandleFunc("GET /api/v1/practices/{practice}/orders", h.tenant(h.listOrders))
	mux.HandleFunc("GET /api/v1/practices/{practice}/orders/counts", h.tenant(h.orderCounts))
	mux.HandleFunc("GET /api/v1/practices/{practice}/orders/{id}", h.tenant(h.getOrder))
	mux.HandleFunc("POST /api/v1/practices/{practice}/orders/{id}/collect", h.tenant(h.collectOrder))
	mux.HandleFunc("POST /api/v1/practices/{practice}/orders/{id}/results", h.tenant(h.addOrderResult))
	mux.HandleFunc("POST /api/v1/practices/{practice}/orders/{id}/review", h.tenant(h.reviewOrder))
	mux.HandleFunc("POST /api/v1/practices/{practice}/orders/{id}/cancel", h.tenant(h.cancelOrder))
	mux.HandleFunc("GET /api/v1/practices/{practice}/patients/{id}/orders", h.tenant(h.listPatientOrders))
}

type referenceRangeDTO struct {
	Low  *float64 `json:"low"`
	High *float64 `json:"high"`
	Text string   `json:"text,omitempty"`
}

type orderResultDTO struct {
	ID             string            `json:"id"`
	Name           string            `json:"name"`
	Value          string            `json:"value"`
	ValueNumeric   *float64          `json:"value_numeric"`
	Unit           string            `json:"unit"`
	ReferenceRange referenceRangeDTO `json:"reference_range"`
	// Flag is computed from the value and the range: normal, low, high,
	// abnormal (a text result marked so), or "" (a number without a range).
	Flag           medic.ResultFlag `json:"flag"`
	Abnormal       bool             `json:"abnormal"`
	MarkedAbnormal bool             `json:"marked_abnormal"`
	Report         string           `json:"report"`
	EnteredBy      *string          `json:"entered_by"`
	EnteredByName  string           `json:"entered_by_name"`
	EnteredAt      time.Time        `json:"entered_at"`
}

type orderDTO struct {
	ID             string             `json:"id"`
	EncounterID    string             `json:"encounter_id"`
	PatientID      string             `json:"patient_id"`
	PatientName    string             `json:"patient_name"`
	Kind           medic.OrderKind    `json:"kind"`
	Code           string             `json:"code"`
	Description    string             `json:"description"`
	Urgency        medic.OrderUrgency `json:"urgency"`
	Note           string             `json:"note"`
	Status         medic.OrderStatus  `json:"status"`
	OrderedBy      *string            `json:"ordered_by"`
	OrderedByName  string             `json:"ordered_by_name"`
	OrderedAt      time.Time          `json:"ordered_at"`
	CollectedAt    *time.Time         `json:"collected_at"`
	ResultedAt     *time.Time         `json:"resulted_at"`
	ReviewedBy     *string            `json:"reviewed_by"`
	ReviewedByName string             `json:"reviewed_by_name,omitempty"`
	ReviewedAt     *time.Time         `json:"reviewed_at"`
	CancelledAt    *time.Time         `json:"cancelled_at"`
	CancelReason   string             `json:"cancel_reason,omitempty"`
	// Results are in the answer for one order, not in lists.
	Results *[]orderResultDTO `json:"results,omitempty"`
}

func instant(t time.Time, loc *time.Location) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.In(loc)
	return &t
}

func toOrderResult(loc *time.Location) func(*medic.OrderResult) orderResultDTO {
	return func(r *medic.OrderResult) orderResultDTO {
		return orderResultDTO{ID: r.ID, Name: r.Name, Value: r.Value, ValueNumeric: r.Numeric, Unit: r.Unit,
			ReferenceRange: referenceRangeDTO{Low: r.RefLow, High: r.RefHigh, Text: r.RefText}, Flag: r.Flag, Abnormal: r.Flag.Abnormal(),
			MarkedAbnormal: r.Abnormal, Report: r.Report, EnteredBy: optional(r.EnteredBy), EnteredByName: r.EnteredByName, EnteredAt: r.EnteredAt.In(loc)}
	}
}

// toOrder renders times in loc; withResults puts the results in.
func toOrder(loc *time.Location, withResults bool) func(*medic.Order) orderDTO {
	return func(o *medic.Order) orderDTO {
		d := orderDTO{ID: o.ID, EncounterID: o.EncounterID, PatientID: o.PatientID, PatientName: o.PatientName, Kind: o.Kind, Code: o.Code,
			Description: o.Description, Urgency: o.Urgency, Note: o.Note, Status: o.Status, OrderedBy: optional(o.OrderedBy), OrderedByName: o.OrderedByName,
			OrderedAt: o.OrderedAt.In(loc), CollectedAt: instant(o.CollectedAt, loc), ResultedAt: instant(o.ResultedAt, loc),
			ReviewedBy: optional(o.ReviewedBy), ReviewedByName: o.ReviewedByName, ReviewedAt: instant(o.ReviewedAt, loc),
			CancelledAt: instant(o.CancelledAt, loc), CancelReason: o.CancelReason}
		if withResults {
			rs := mapAll(o.Results, toOrderResult(loc))
			if rs == nil {
				rs = []orderResultDTO{}
			}
			d.Results = &rs
		}
		return d
	}
}

func (h *Handler) writeOrder(w http.ResponseWriter, r *http.Request, status int, o *medic.Order) {
	writeJSON(w, status, toOrder(practiceZone(r.Context()), true)(o))
}

// createOrder orders a test on a draft encounter: 201; 409 once finished.
func (h *Handler) createOrder(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Kind        string `json:"kind"`
		Code        string `json:"code"`
		Description string `json:"description"`
		Urgency     string `json:"urgency"`
		Note        string `json:"note"`
	}
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	o := &medic.Order{EncounterID: r.PathValue("id"), Kind: medic.OrderKind(in.Kind), Code: in.Code, Description: in.Description,
		Urgency: medic.OrderUrgency(in.Urgency), Note: in.Note}
	if err := h.app.PlaceOrder(r.Context(), o); err != nil {
		h.error(w, r, err)
		return
	}
	h.writeOrder(w, r, http.StatusCreated, o)
}

func (h *Handler) getOrder(w http.ResponseWriter, r *http.Request) {
	o, err := h.app.GetOrder(r.Context(), r.PathValue("id"))
	if err != nil {
		h.error(w, r, err)
		return
	}
	h.writeOrder(w, r, http.StatusOK, o)
}

func (h *Handler) listOrdersWith(w http.ResponseWriter, r *http.Request, q app.OrderQuery) {
	p, err := page(r)
	if err != nil {
		h.error(w, r, err)
		return
	}
	os, next, err := h.app.ListOrders(r.Context(), q, p)
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newList(mapAll(os, toOrder(practiceZone(r.Context()), false)), next))
}

// listOrders is the practice's orders: ?status=outstanding (waiting for a
// result, oldest first) or a status (comma-separated list), ?to_review=mine
// (the caller's resulted orders), ?patient=, ?encounter=.
func (h *Handler) listOrders(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	q := app.OrderQuery{Filter: medic.OrderFilter{PatientID: v.Get("patient"), EncounterID: v.Get("encounter")}}
	fields := map[string]string{}
	switch v.Get("to_review") {
	case "":
	case "mine":
		q.ToReviewMine = true
	default:
		fields["to_review"] = "Use to_review=mine."
	}
	if s := v.Get("status"); s == "outstanding" {
		q.Outstanding = true
	} else if s != "" {
		for _, part := range strings.Split(s, ",") {
			st := medic.OrderStatus(strings.TrimSpace(part))
			if !st.Valid() {
				fields["status"] = "Use outstanding, or one or more of ordered, collected, resulted, reviewed, cancelled."
				break
			}
			q.Filter.Statuses = append(q.Filter.Statuses, st)
		}
	}
	if len(fields) > 0 {
		h.error(w, r, &medic.Error{Code: medic.EINVALID, Message: "Some parameters are not valid.", Fields: fields})
		return
	}
	h.listOrdersWith(w, r, q)
}

func (h *Handler) listEncounterOrders(w http.ResponseWriter, r *http.Request) {
	h.listOrdersWith(w, r, app.OrderQuery{Filter: medic.OrderFilter{EncounterID: r.PathValue("id")}, InPath: true})
}

func (h *Handler) listPatientOrders(w http.ResponseWriter, r *http.Request) {
	h.listOrdersWith(w, r, app.OrderQuery{Filter: medic.OrderFilter{PatientID: r.PathValue("id")}, InPath: true})
}

func (h *Handler) collectOrder(w http.ResponseWriter, r *http.Request) {
	o, err := h.app.CollectOrder(r.Context(), r.PathValue("id"))
	if err != nil {
		h.error(w, r, err)
		return
	}
	h.writeOrder(w, r, http.StatusOK, o)
}

func (h *Handler) reviewOrder(w http.ResponseWriter, r *http.Request) {
	o, err := h.app.ReviewOrder(r.Context(), r.PathValue("id"))
	if err != nil {
		h.error(w, r, err)
		return
	}
	h.writeOrder(w, r, http.StatusOK, o)
}

func (h *Handler) cancelOrder(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Reason string `json:"reason"`
	}
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	o, err := h.app.CancelOrder(r.Context(), r.PathValue("id"), in.Reason)
	if err != nil {
		h.error(w, r, err)
		return
	}
	h.writeOrder(w, r, http.StatusOK, o)
}

// jsonText is a JSON string or number as text ("" for null or absent);
// ok is false for anything else.
func jsonText(raw json.RawMessage) (string, bool) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", true
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, true
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String(), true
	}
	return "", false
}

// addOrderResult records a result: 201 with the result and the order;
// the flag is computed from value and range.
func (h *Handler) addOrderResult(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name          string          `json:"name"`
		Value         json.RawMessage `json:"value"`
		Unit          string          `json:"unit"`
		ReferenceLow  json.RawMessage `json:"reference_low"`
		ReferenceHigh json.RawMessage `json:"reference_high"`
		ReferenceText string          `json:"reference_text"`
		Abnormal      bool            `json:"abnormal"`
		Report        string          `json:"report"`
	}
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	ri := medic.ResultInput{Name: in.Name, Unit: in.Unit, RefText: in.ReferenceText, Abnormal: in.Abnormal, Report: in.Report}
	fields := map[string]string{}
	for _, c := range []struct {
		name string
		raw  json.RawMessage
		dst  *string
	}{{"value", in.Value, &ri.Value}, {"reference_low", in.ReferenceLow, &ri.RefLow}, {"reference_high", in.ReferenceHigh, &ri.RefHigh}} {
		s, ok := jsonText(c.raw)
		if !ok {
			fields[c.name] = "Send a number or a string."
		}
		*c.dst = s
	}
	if len(fields) > 0 {
		h.error(w, r, &medic.Error{Code: medic.EINVALID, Message: "Some fields are not valid.", Fields: fields})
		return
	}
	res, o, err := h.app.AddOrderResult(r.Context(), r.PathValue("id"), ri)
	if err != nil {
		h.error(w, r, err)
		return
	}
	loc := practiceZone(r.Context())
	writeJSON(w, http.StatusCreated, struct {
		orderResultDTO
		Order orderDTO `json:"order"`
	}{toOrderResult(loc)(res), toOrder(loc, true)(o)})
}

// orderCountsDTO are the desk's figures, through the API.
type orderCountsDTO struct {
	Outstanding  int `json:"outstanding"`
	ToReviewMine int `json:"to_review_mine"`
}

func (h *Handler) orderCounts(w http.ResponseWriter, r *http.Request) {
	c, err := h.app.CountOrders(r.Context())
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, orderCountsDTO{Outstanding: c.Outstanding, ToReviewMine: c.ToReviewMine})
}
