package postgres_test

import (
	"errors"
	"testing"
	"time"

	"medic"
	"medic/internal/postgres/pgtest"
)

func (f *schedFixture) mustOrder(t *testing.T, encounterID, code string) *medic.Order {
	t.Helper()
	o := &medic.Order{EncounterID: encounterID, Kind: medic.OrderLab, Code: code, Description: code + " test", Urgency: medic.OrderRoutine}
	if err := f.db.CreateOrder(f.ctx, o); err != nil {
		t.Fatalf("create order: %v", err)
	}
	return o
}

func TestOrderStore(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	f := newSchedFixture(t, db, "orders")
	doctor := mustUserID(t, db)
	f.ctx = medic.WithActor(f.ctx, medic.Actor{UserID: doctor})
	e := f.mustEncounter(t, "")

	fbc := f.mustOrder(t, e.ID, "FBC")
	if fbc.ID == "" || fbc.PatientID != f.pat.ID || fbc.Status != medic.OrderOrdered || fbc.OrderedBy != doctor || fbc.PatientName != "Thabo Nkosi" {
		t.Fatalf("created %+v", fbc)
	}
	hba1c := f.mustOrder(t, e.ID, "HBA1C")
	cxr := f.mustOrder(t, e.ID, "CXR")

	// Collected, then a result: resulted; another result joins it.
	collected, err := db.ChangeOrder(f.ctx, fbc.ID, medic.OrderChange{From: []medic.OrderStatus{medic.OrderOrdered}, To: medic.OrderCollected, By: doctor, What: "collected"})
	if err != nil || collected.Status != medic.OrderCollected || collected.CollectedAt.IsZero() {
		t.Fatalf("collect: %+v %v", collected, err)
	}
	if _, err := db.ChangeOrder(f.ctx, fbc.ID, medic.OrderChange{From: []medic.OrderStatus{medic.OrderOrdered}, To: medic.OrderCollected, What: "collected"}); medic.ErrorCode(err) != medic.ECONFLICT {
		t.Errorf("collecting twice: %v", err)
	}
	r, err := medic.ResultInput{Name: "Haemoglobin", Value: "10.2", Unit: "g/dL", RefLow: "12", RefHigh: "15.5"}.Result()
	if err != nil {
		t.Fatal(err)
	}
	r.OrderID = fbc.ID
	o, err := db.AddOrderResult(f.ctx, r)
	if err != nil || o.Status != medic.OrderResulted || o.ResultedAt.IsZero() || len(o.Results) != 1 {
		t.Fatalf("result: %+v %v", o, err)
	}
	got := o.Results[0]
	if r.ID != got.ID || got.Flag != medic.ResultLow || *got.Numeric != 10.2 || *got.RefLow != 12 || *got.RefHigh != 15.5 || got.Value != "10.2" ||
		got.EnteredBy != doctor || got.Name != "Haemoglobin" {
		t.Errorf("read back %+v", got)
	}
	r2, _ := medic.ResultInput{Name: "White cells", Value: "7", Unit: "x10^9/L", RefLow: "4", RefHigh: "11"}.Result()
	r2.OrderID = fbc.ID
	if o, err = db.AddOrderResult(f.ctx, r2); err != nil || len(o.Results) != 2 || o.Results[1].Flag != medic.ResultNormal {
		t.Fatalf("second result: %+v %v", o, err)
	}

	// Imaging is resulted straight from ordered (no collection).
	rep, _ := medic.ResultInput{Report: "Right lower lobe consolidation.", Abnormal: true}.Result()
	rep.OrderID = cxr.ID
	if o, err = db.AddOrderResult(f.ctx, rep); err != nil || o.Status != medic.OrderResulted || o.Results[0].Flag != medic.ResultAbnormal {
		t.Fatalf("report: %+v %v", o, err)
	}

	// Lists: outstanding is HbA1c only; to review (mine) FBC and CXR, oldest first.
	ids := func(os []*medic.Order) (out []string) {
		for _, o := range os {
			out = append(out, o.ID)
		}
		return out
	}
	if os, _, err := db.ListOrders(f.ctx, medic.OrderFilter{Statuses: medic.OutstandingOrderStatuses}, true, medic.Page{}); err != nil || len(os) != 1 || os[0].ID != hba1c.ID {
		t.Errorf("outstanding: %v %v", ids(os), err)
	}
	review := medic.OrderFilter{OrderedBy: doctor, Statuses: []medic.OrderStatus{medic.OrderResulted}}
	if os, _, _ := db.ListOrders(f.ctx, review, true, medic.Page{}); len(os) != 2 || os[0].ID != fbc.ID || os[1].ID != cxr.ID {
		t.Errorf("to review: %v", ids(os))
	}
	if n, err := db.CountOrders(f.ctx, review); err != nil || n != 2 {
		t.Errorf("count to review: %d %v", n, err)
	}
	if n, _ := db.CountOrders(f.ctx, medic.OrderFilter{OrderedBy: mustUserID(t, db), Statuses: []medic.OrderStatus{medic.OrderResulted}}); n != 0 {
		t.Errorf("another doctor has %d to review", n)
	}
	// Keyset paging, newest first, one per page, each once.
	var seen []string
	cursor := ""
	for range 5 {
		os, next, err := db.ListOrders(f.ctx, medic.OrderFilter{PatientID: f.pat.ID}, false, medic.Page{Limit: 1, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		seen = append(seen, ids(os)...)
		if cursor = next; cursor == "" {
			break
		}
	}
	if len(seen) != 3 || seen[0] != cxr.ID || seen[2] != fbc.ID {
		t.Errorf("paged %v", seen)
	}
	if _, _, err := db.ListOrders(f.ctx, medic.OrderFilter{}, false, medic.Page{Cursor: "nonsense"}); medic.ErrorCode(err) != medic.EINVALID {
		t.Errorf("bad cursor: %v", err)
	}

	// Reviewed: no more results; cancelled needs a reason and is final.
	if o, err = db.ChangeOrder(f.ctx, fbc.ID, medic.OrderChange{From: []medic.OrderStatus{medic.OrderResulted}, To: medic.OrderReviewed, By: doctor, What: "reviewed"}); err != nil ||
		o.Status != medic.OrderReviewed || o.ReviewedBy != doctor || o.ReviewedAt.IsZero() {
		t.Fatalf("review: %+v %v", o, err)
	}
	r3, _ := medic.ResultInput{Value: "5"}.Result()
	r3.OrderID = fbc.ID
	if _, err := db.AddOrderResult(f.ctx, r3); medic.ErrorCode(err) != medic.ECONFLICT {
		t.Errorf("result after review: %v", err)
	}
	if o, err = db.ChangeOrder(f.ctx, hba1c.ID, medic.OrderChange{From: medic.OutstandingOrderStatuses, To: medic.OrderCancelled, Reason: "Done last week", What: "cancelled"}); err != nil ||
		o.Status != medic.OrderCancelled || o.CancelReason != "Done last week" {
		t.Fatalf("cancel: %+v %v", o, err)
	}

	// New orders only on a draft encounter; results still arrive after it is finished.
	late := f.mustOrder(t, e.ID, "TSH")
	e.Status, e.FinishedAt = medic.EncounterFinished, time.Now()
	if err := db.SaveEncounter(f.ctx, e); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateOrder(f.ctx, &medic.Order{EncounterID: e.ID, Kind: medic.OrderLab, Code: "CRP", Description: "CRP", Urgency: medic.OrderRoutine}); !errors.Is(err, medic.ErrEncounterFinished) {
		t.Errorf("order on a finished encounter: %v", err)
	}
	r4, _ := medic.ResultInput{Value: "2.1", Unit: "mIU/L", RefLow: "0.4", RefHigh: "4"}.Result()
	r4.OrderID = late.ID
	if o, err := db.AddOrderResult(f.ctx, r4); err != nil || o.Status != medic.OrderResulted {
		t.Errorf("result on a finished encounter's order: %v", err)
	}
}

func TestOrderCrossTenant(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	a := newSchedFixture(t, db, "ord-a")
	b := newSchedFixture(t, db, "ord-b")
	e := a.mustEncounter(t, "")
	o := a.mustOrder(t, e.ID, "FBC")

	notFound := map[string]error{}
	_, err := db.FindOrder(b.ctx, o.ID)
	notFound["FindOrder"] = err
	_, err = db.ChangeOrder(b.ctx, o.ID, medic.OrderChange{From: medic.OutstandingOrderStatuses, To: medic.OrderCancelled, Reason: "x"})
	notFound["ChangeOrder"] = err
	_, err = db.AddOrderResult(b.ctx, &medic.OrderResult{OrderID: o.ID, Value: "1", Flag: medic.ResultUnflagged})
	notFound["AddOrderResult"] = err
	notFound["CreateOrder on A's encounter"] = db.CreateOrder(b.ctx, &medic.Order{EncounterID: e.ID, Kind: medic.OrderLab, Code: "X", Description: "X", Urgency: medic.OrderRoutine})
	for name, err := range notFound {
		if !errors.Is(err, medic.ErrNotFound) {
			t.Errorf("%s from practice B on practice A's rows: %v, want ENOTFOUND", name, err)
		}
	}
	for _, f := range []medic.OrderFilter{{}, {PatientID: a.pat.ID}, {EncounterID: e.ID}, {Statuses: medic.OutstandingOrderStatuses}} {
		if os, _, err := db.ListOrders(b.ctx, f, false, medic.Page{}); err != nil || len(os) != 0 {
			t.Errorf("B lists %d orders with %+v (%v)", len(os), f, err)
		}
		if n, err := db.CountOrders(b.ctx, f); err != nil || n != 0 {
			t.Errorf("B counts %d orders with %+v (%v)", n, f, err)
		}
	}
	got, err := db.FindOrder(a.ctx, o.ID)
	if err != nil || got.Status != medic.OrderOrdered || len(got.Results) != 0 {
		t.Errorf("A's order after B's attempts: %+v, %v", got, err)
	}
}
