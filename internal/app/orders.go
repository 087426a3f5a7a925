package app

import (
	"context"
	"strconv"

	"medic"
)

// Orders: doctors and admins order tests on a draft encounter and follow
// them through collection, results and review (results arrive after the
// visit, so those steps work on a finished encounter's orders); clinical
// roles read them. Every read names the charts shown in one audit event.

// PlaceOrder orders a lab test or imaging on a draft encounter.
func (a *App) PlaceOrder(ctx context.Context, o *medic.Order) error {
	if _, err := a.allow(ctx, "order.create"); err != nil {
		return err
	}
	if err := o.Validate(); err != nil {
		return err
	}
	return a.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := a.Orders.CreateOrder(ctx, o); err != nil {
			return err
		}
		return a.Audit.Record(ctx, medic.AuditEvent{Action: "order.created", EntityType: "order", EntityID: o.ID, PatientID: o.PatientID,
			Detail: map[string]string{"encounter_id": o.EncounterID, "kind": string(o.Kind), "code": o.Code}})
	})
}

// GetOrder returns an order with its results; the read is audited (its
// event joins the group commit of reads, InReadTx).
func (a *App) GetOrder(ctx context.Context, id string) (*medic.Order, error) {
	if _, err := a.allow(ctx, "order.view"); err != nil {
		return nil, err
	}
	var o *medic.Order
	err := a.Tx.InReadTx(ctx, func(ctx context.Context) error {
		var err error
		if o, err = a.Orders.FindOrder(ctx, id); err != nil {
			return err
		}
		return a.Audit.Record(ctx, medic.AuditEvent{Action: "order.viewed", EntityType: "order", EntityID: o.ID, PatientID: o.PatientID})
	})
	return o, err
}

// OrderQuery is a listing of orders: the filter, and which way it runs.
type OrderQuery struct {
	Filter medic.OrderFilter
	// Outstanding lists the orders waiting for a result, oldest first.
	Outstanding bool
	// ToReviewMine lists the signed-in member's resulted orders, oldest first.
	ToReviewMine bool
	// InPath: the chart or encounter filtered on is the path's resource, so
	// one of another practice is 404; as a query filter it matches nothing.
	InPath bool
}

func (a *App) orderFilter(ctx context.Context, q OrderQuery) (medic.OrderFilter, bool) {
	f := q.Filter
	switch {
	case q.ToReviewMine:
		f.OrderedBy = medic.ActorFrom(ctx).UserID
		f.Statuses = []medic.OrderStatus{medic.OrderResulted}
	case q.Outstanding:
		f.Statuses = medic.OutstandingOrderStatuses
	}
	return f, q.Outstanding || q.ToReviewMine
}

// ListOrders pages through orders (a chart's, an encounter's, the
// practice's outstanding ones, a doctor's results to review); one audit
// event naming the charts shown, committed with other reads' (InReadTx).
// ENOTFOUND for another practice's chart or encounter named in the filter.
func (a *App) ListOrders(ctx context.Context, q OrderQuery, p medic.Page) ([]*medic.Order, string, error) {
	if _, err := a.allow(ctx, "order.list"); err != nil {
		return nil, "", err
	}
	f, oldestFirst := a.orderFilter(ctx, q)
	var out []*medic.Order
	var next string
	err := a.Tx.InReadTx(ctx, func(ctx context.Context) error {
		ev := medic.AuditEvent{Action: "order.listed", EntityType: "order"}
		// Name only a chart or encounter of this practice (a query filter
		// may hold anything, and then matches nothing).
		if f.PatientID != "" {
			if patient, err := a.Patients.FindPatient(ctx, f.PatientID); err == nil {
				ev.PatientID, ev.EntityType, ev.EntityID = patient.ID, "patient", patient.ID
			} else if q.InPath || medic.ErrorCode(err) != medic.ENOTFOUND {
				return err
			}
		}
		if f.EncounterID != "" {
			if e, err := a.Encounters.FindEncounter(ctx, f.EncounterID); err == nil {
				ev.PatientID, ev.EntityType, ev.EntityID = e.PatientID, "encounter", e.ID
			} else if q.InPath || medic.ErrorCode(err) != medic.ENOTFOUND {
				return err
			}
		}
		var err error
		if out, next, err = a.Orders.ListOrders(ctx, f, oldestFirst, p); err != nil {
			return err
		}
		ev.PatientIDs = orderPatients(out)
		ev.Detail = map[string]string{"results": strconv.Itoa(len(out))}
		return a.Audit.Record(ctx, ev)
	})
	return out, next, err
}

func orderPatients(os []*medic.Order) []string {
	seen := map[string]bool{}
	var out []string
	for _, o := range os {
		if !seen[o.PatientID] {
			seen[o.PatientID] = true
			out = append(out, o.PatientID)
		}
	}
	return out
}

// OrderCounts are the figures the desk shows beside its order lists: no
// patient data, so not audited.
type OrderCounts struct {
	Outstanding  int
	ToReviewMine int
}

// CountOrders counts the practice's outstanding orders and the signed-in
// member's results to review.
func (a *App) CountOrders(ctx context.Context) (OrderCounts, error) {
	var c OrderCounts
	if _, err := a.allow(ctx, "order.list"); err != nil {
		return c, err
	}
	err := a.Tx.InReadTx(ctx, func(ctx context.Context) error {
		var err error
		f, _ := a.orderFilter(ctx, OrderQuery{Outstanding: true})
		if c.Outstanding, err = a.Orders.CountOrders(ctx, f); err != nil {
			return err
		}
		f, _ = a.orderFilter(ctx, OrderQuery{ToReviewMine: true})
		c.ToReviewMine, err = a.Orders.CountOrders(ctx, f)
		return err
	})
	return c, err
}

// CountMyResultsToReview counts the signed-in member's resulted orders
// for the top bar's badge on every desk page: one indexed count in a read
// (InReadTx), no transaction of its own; a figure without patient data,
// so not audited (as CountOrders).
func (a *App) CountMyResultsToReview(ctx context.Context) (int, error) {
	if _, err := a.allow(ctx, "order.list"); err != nil {
		return 0, err
	}
	var n int
	err := a.Tx.InReadTx(ctx, func(ctx context.Context) error {
		f, _ := a.orderFilter(ctx, OrderQuery{ToReviewMine: true})
		var err error
		n, err = a.Orders.CountOrders(ctx, f)
		return err
	})
	return n, err
}

// changeOrder applies a step of the order's life and audits it.
func (a *App) changeOrder(ctx context.Context, action, event, id string, c medic.OrderChange) (*medic.Order, error) {
	if _, err := a.allow(ctx, action); err != nil {
		return nil, err
	}
	c.By = medic.ActorFrom(ctx).UserID
	var o *medic.Order
	err := a.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if o, err = a.Orders.ChangeOrder(ctx, id, c); err != nil {
			return err
		}
		ev := medic.AuditEvent{Action: event, EntityType: "order", EntityID: o.ID, PatientID: o.PatientID}
		if c.Reason != "" {
			ev.Detail = map[string]string{"reason": c.Reason}
		}
		return a.Audit.Record(ctx, ev)
	})
	return o, err
}

// CollectOrder marks a lab order's sample taken (409 unless it is ordered).
func (a *App) CollectOrder(ctx context.Context, id string) (*medic.Order, error) {
	return a.changeOrder(ctx, "order.update", "order.collected", id, medic.OrderChange{
		From: []medic.OrderStatus{medic.OrderOrdered}, To: medic.OrderCollected, What: "marked collected"})
}

// ReviewOrder records that the doctor has seen the results (409 unless
// it is resulted).
func (a *App) ReviewOrder(ctx context.Context, id string) (*medic.Order, error) {
	return a.changeOrder(ctx, "order.review", "order.reviewed", id, medic.OrderChange{
		From: []medic.OrderStatus{medic.OrderResulted}, To: medic.OrderReviewed, What: "marked reviewed"})
}

// CancelOrder cancels an order not yet resulted, with a reason.
func (a *App) CancelOrder(ctx context.Context, id, reason string) (*medic.Order, error) {
	if _, err := a.allow(ctx, "order.update"); err != nil {
		return nil, err
	}
	f := medic.FieldErrors{}
	f.RequiredLine("reason", &reason, medic.MaxReasonLength, "Say why the order is cancelled.")
	if err := f.Err(); err != nil {
		return nil, err
	}
	return a.changeOrder(ctx, "order.update", "order.cancelled", id, medic.OrderChange{
		From: medic.OutstandingOrderStatuses, To: medic.OrderCancelled, Reason: reason, What: "cancelled"})
}

// AddOrderResult records a result (its flag computed) and marks the order
// resulted; 409 once it is reviewed or cancelled.
func (a *App) AddOrderResult(ctx context.Context, orderID string, in medic.ResultInput) (*medic.OrderResult, *medic.Order, error) {
	if _, err := a.allow(ctx, "order.result"); err != nil {
		return nil, nil, err
	}
	r, err := in.Result()
	if err != nil {
		return nil, nil, err
	}
	r.OrderID = orderID
	var o *medic.Order
	err = a.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if o, err = a.Orders.AddOrderResult(ctx, r); err != nil {
			return err
		}
		return a.Audit.Record(ctx, medic.AuditEvent{Action: "order.resulted", EntityType: "order", EntityID: o.ID, PatientID: o.PatientID,
			Detail: map[string]string{"result_id": r.ID, "flag": string(r.Flag)}})
	})
	if err != nil {
		return nil, nil, err
	}
	return r, o, nil
}
