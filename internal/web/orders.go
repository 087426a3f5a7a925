package web

import (
	"net/http"
	"net/url"
	"time"

	"medic"
	"medic/internal/app"
)

// orderRoutes registers lab and imaging orders and their results.
func (h *Handler) orderRoutes(mux Router) {
	mux.HandleFunc("POST /encounters/{id}/orders", h.member(h.placeOrder))
	mux.HandleFunc("GET /orders", h.member(h.outstandingOrders))
	mux.HandleFunc("GET /orders/review", h.member(h.ordersToReview))
	mux.HandleFunc("GET /orders/{id}", h.member(h.order))
	mux.HandleFunc("POST /orders/{id}/collect", h.member(h.collectOrder))
	mux.HandleFunc("POST /orders/{id}/results", h.member(h.addOrderResult))
	mux.HandleFunc("POST /orders/{id}/review", h.member(h.reviewOrder))
	mux.HandleFunc("POST /orders/{id}/cancel", h.member(h.cancelOrder))
}

// ordersSection is an encounter's orders and the order form with its
// common-tests picklist (the "ordersSection" partial, embedded in the
// encounter page).
type ordersSection struct {
	EncounterID string
	Finished    bool
	CanOrder    bool // clinical.write on a draft
	Items       []*medic.Order
	Form        *form
	Common      []option
}

var orderKindOptions = []option{{"lab", "Lab test"}, {"imaging", "Imaging"}}
var urgencyOptions = []option{{"routine", "Routine"}, {"urgent", "Urgent"}}

func commonTestOptions() []option {
	out := make([]option, len(medic.CommonTests))
	for i, t := range medic.CommonTests {
		kind := "lab"
		if t.Kind == medic.OrderImaging {
			kind = "imaging"
		}
		out[i] = option{t.Code, t.Description + " (" + t.Code + ", " + kind + ")"}
	}
	return out
}

// loadOrders is the orders section of encounter e.
func (h *Handler) loadOrders(r *http.Request, v *visitor, e *medic.Encounter, f *form) (*ordersSection, error) {
	os, _, err := h.app.ListOrders(r.Context(), app.OrderQuery{Filter: medic.OrderFilter{EncounterID: e.ID}, InPath: true}, medic.Page{Limit: medic.MaxLimit})
	if err != nil {
		return nil, err
	}
	if f == nil {
		f = newForm("order", url.Values{"kind": {"lab"}, "urgency": {"routine"}})
	}
	return &ordersSection{EncounterID: e.ID, Finished: e.Finished(), CanOrder: v.tenant.Can(medic.PermClinicalWrite) && !e.Finished(),
		Items: os, Form: f, Common: commonTestOptions()}, nil
}

// placeOrder orders a test from the encounter page: a common test chosen
// from the picklist fills kind, code and description; otherwise the typed
// ones are used.
func (h *Handler) placeOrder(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	f := newForm("order", r.PostForm)
	o := &medic.Order{EncounterID: r.PathValue("id"), Kind: medic.OrderKind(f.Get("kind")), Code: f.Get("code"), Description: f.Get("description"),
		Urgency: medic.OrderUrgency(f.Get("urgency")), Note: f.Get("note")}
	if t, ok := medic.FindCommonTest(f.Get("common")); ok {
		o.Kind, o.Code, o.Description = t.Kind, t.Code, t.Description
	}
	if err := h.app.PlaceOrder(r.Context(), o); err != nil {
		h.formFail(w, r, err, f, func(status int) { h.renderEncounter(w, r, status, v, f) })
		return
	}
	seeOther(w, r, encounterURL(o.EncounterID)+"?m=order-placed#orders")
}

// orderView is the order page: the order, its results, and the steps the
// member may take from where it stands.
type orderView struct {
	O          *medic.Order
	Results    []resultRow
	CanCollect bool
	CanResult  bool
	CanReview  bool
	CanCancel  bool
}

// resultRow is a result as the desk shows it: its flag in colour (class)
// and in words.
type resultRow struct {
	*medic.OrderResult
	FlagClass string
	FlagWords string
}

func resultRows(rs []*medic.OrderResult) []resultRow {
	out := make([]resultRow, len(rs))
	for i, r := range rs {
		out[i] = resultRow{OrderResult: r, FlagClass: "result-" + string(r.Flag), FlagWords: r.Flag.Words()}
		if r.Flag == medic.ResultUnflagged {
			out[i].FlagClass = "result-none"
		}
	}
	return out
}

func orderURL(id string) string { return "/orders/" + url.PathEscape(id) }

func (h *Handler) order(w http.ResponseWriter, r *http.Request, v *visitor) {
	h.renderOrder(w, r, http.StatusOK, v)
}

func (h *Handler) renderOrder(w http.ResponseWriter, r *http.Request, status int, v *visitor, forms ...*form) {
	o, err := h.app.GetOrder(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	can := v.tenant.Can(medic.PermClinicalWrite)
	d := orderView{O: o, Results: resultRows(o.Results),
		CanCollect: can && o.Status == medic.OrderOrdered && o.Kind == medic.OrderLab,
		CanResult:  can && o.Status != medic.OrderReviewed && o.Status != medic.OrderCancelled,
		CanReview:  can && o.Status == medic.OrderResulted,
		CanCancel:  can && o.Outstanding()}
	p := h.page(r, o.Description+": "+o.PatientName, "orders")
	if err := h.withPatientBanner(r, p, o.PatientID); err != nil {
		h.fail(w, r, err)
		return
	}
	p.withForm(newForm("result", nil)).withForm(newForm("cancel", nil))
	for _, f := range forms {
		p.withForm(f)
	}
	p.Data = d
	h.render(w, r, status, "order", p)
}

// orderStep runs one step of the order (collect, review) and returns to
// where it was asked: the review list (back=review) or the order page.
func (h *Handler) orderStep(step func(*app.App, *http.Request, string) (*medic.Order, error), notice string) func(http.ResponseWriter, *http.Request, *visitor) {
	return func(w http.ResponseWriter, r *http.Request, v *visitor) {
		if err := parseForm(r); err != nil {
			h.fail(w, r, err)
			return
		}
		id := r.PathValue("id")
		if _, err := step(h.app, r, id); err != nil {
			if medic.ErrorCode(err) == medic.ECONFLICT {
				f := newForm("step", nil)
				f.setError(err)
				h.renderOrder(w, r, http.StatusConflict, v, f)
				return
			}
			h.fail(w, r, err)
			return
		}
		if r.PostFormValue("back") == "review" {
			seeOther(w, r, "/orders/review?m="+notice)
			return
		}
		seeOther(w, r, orderURL(id)+"?m="+notice)
	}
}

func (h *Handler) collectOrder(w http.ResponseWriter, r *http.Request, v *visitor) {
	h.orderStep(func(a *app.App, r *http.Request, id string) (*medic.Order, error) {
		return a.CollectOrder(r.Context(), id)
	}, "order-collected")(w, r, v)
}

func (h *Handler) reviewOrder(w http.ResponseWriter, r *http.Request, v *visitor) {
	h.orderStep(func(a *app.App, r *http.Request, id string) (*medic.Order, error) {
		return a.ReviewOrder(r.Context(), id)
	}, "order-reviewed")(w, r, v)
}

func (h *Handler) cancelOrder(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	f := newForm("cancel", r.PostForm)
	id := r.PathValue("id")
	if _, err := h.app.CancelOrder(r.Context(), id, f.Get("reason")); err != nil {
		h.formFail(w, r, err, f, func(status int) { h.renderOrder(w, r, status, v, f) })
		return
	}
	seeOther(w, r, orderURL(id)+"?m=order-cancelled")
}

// addOrderResult enters a result from the order page's form.
func (h *Handler) addOrderResult(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	f := newForm("result", r.PostForm)
	f.Keys = map[string]string{"reference_low": "ref_low", "reference_high": "ref_high", "reference_text": "ref_text"}
	in := medic.ResultInput{Name: f.Get("name"), Value: f.Get("value"), Unit: f.Get("unit"), RefLow: f.Get("ref_low"), RefHigh: f.Get("ref_high"),
		RefText: f.Get("ref_text"), Report: f.Get("report"), Abnormal: f.Checked("abnormal")}
	id := r.PathValue("id")
	if _, _, err := h.app.AddOrderResult(r.Context(), id, in); err != nil {
		h.formFail(w, r, err, f, func(status int) { h.renderOrder(w, r, status, v, f) })
		return
	}
	seeOther(w, r, orderURL(id)+"?m=result-added#results")
}

// orderList is the outstanding orders page and the results to review page.
type orderList struct {
	Heading, Lead, Empty string
	Count                int
	Items                []orderListRow
	NextURL              string
	Review               bool // rows offer "Mark reviewed"
	CanReview            bool
}

type orderListRow struct {
	*medic.Order
	WaitingDays int
}

// outstandingOrders lists the practice's orders waiting for a result, the
// longest waiting first.
func (h *Handler) outstandingOrders(w http.ResponseWriter, r *http.Request, v *visitor) {
	h.orderList(w, r, v, app.OrderQuery{Outstanding: true}, orderList{Heading: "Outstanding orders",
		Lead:  "Orders of the practice still waiting for a result, the longest waiting first.",
		Empty: "No outstanding orders: every test ordered has its result."}, "orders")
}

// ordersToReview lists the signed-in doctor's resulted orders.
func (h *Handler) ordersToReview(w http.ResponseWriter, r *http.Request, v *visitor) {
	h.orderList(w, r, v, app.OrderQuery{ToReviewMine: true}, orderList{Heading: "Results to review",
		Lead:  "Results of the tests you ordered that you have not yet marked reviewed, oldest first.",
		Empty: "Nothing to review: you have seen every result of your orders.", Review: true,
		CanReview: v.tenant.Can(medic.PermClinicalWrite)}, "review")
}

func (h *Handler) orderList(w http.ResponseWriter, r *http.Request, v *visitor, q app.OrderQuery, d orderList, nav string) {
	ctx := r.Context()
	counts, err := h.app.CountOrders(ctx)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	os, next, err := h.app.ListOrders(ctx, q, medic.Page{Cursor: r.URL.Query().Get("cursor")})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Count = counts.Outstanding
	if q.ToReviewMine {
		d.Count = counts.ToReviewMine
	}
	now := h.app.Clock.Now()
	for _, o := range os {
		d.Items = append(d.Items, orderListRow{Order: o, WaitingDays: int(now.Sub(o.OrderedAt) / (24 * time.Hour))})
	}
	if next != "" {
		d.NextURL = r.URL.Path + "?cursor=" + url.QueryEscape(next)
	}
	p := h.page(r, d.Heading, nav)
	p.Data = d
	h.render(w, r, http.StatusOK, "orders", p)
}
