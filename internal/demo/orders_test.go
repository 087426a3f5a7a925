package demo_test

import (
	"testing"

	"medic"
	"medic/internal/demo"
	"medic/internal/postgres/pgtest"
)

// TestLoadOrders: each practice's demo history has orders with results,
// some abnormal, some outstanding and some waiting for doctor@'s review,
// none dated after now (a reload adds nothing: TestLoadIsIdempotent).
func TestLoadOrders(t *testing.T) {
	db := pgtest.New(t)
	if err := demo.Load(t.Context(), db.DB, demo.DefaultPassword, clock); err != nil {
		t.Fatal(err)
	}
	now := clock.Now()
	for _, slug := range []string{"sunrise", "harbour"} {
		ctx, _ := practiceCtx(t, db, slug)
		doctor, err := db.FindUserByEmail(ctx, "doctor@"+slug+".example")
		if err != nil {
			t.Fatal(err)
		}
		status := map[medic.OrderStatus]int{}
		flags := map[medic.ResultFlag]int{}
		kinds := map[medic.OrderKind]int{}
		for page := (medic.Page{Limit: medic.MaxLimit}); ; {
			os, next, err := db.ListOrders(ctx, medic.OrderFilter{}, false, page)
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range os {
				status[o.Status]++
				kinds[o.Kind]++
				if o.OrderedAt.After(now) || o.ReviewedAt.After(now) || o.ResultedAt.After(now) {
					t.Errorf("%s: order %s dated after now: %+v", slug, o.ID, o)
				}
				if o.Status == medic.OrderResulted || o.Status == medic.OrderReviewed {
					full, err := db.FindOrder(ctx, o.ID)
					if err != nil {
						t.Fatal(err)
					}
					for _, r := range full.Results {
						flags[r.Flag]++
					}
				}
			}
			if page.Cursor = next; next == "" {
				break
			}
		}
		if status[medic.OrderOrdered]+status[medic.OrderCollected] == 0 || status[medic.OrderResulted] == 0 || status[medic.OrderReviewed] < 20 {
			t.Errorf("%s: orders by status %v, want some outstanding, some to review and many reviewed", slug, status)
		}
		if flags[medic.ResultHigh]+flags[medic.ResultLow]+flags[medic.ResultAbnormal] < 5 || flags[medic.ResultNormal] < 20 {
			t.Errorf("%s: results by flag %v", slug, flags)
		}
		if kinds[medic.OrderImaging] == 0 || kinds[medic.OrderLab] == 0 {
			t.Errorf("%s: orders by kind %v", slug, kinds)
		}
		if n, err := db.CountOrders(ctx, medic.OrderFilter{OrderedBy: doctor.ID, Statuses: []medic.OrderStatus{medic.OrderResulted}}); err != nil || n == 0 {
			t.Errorf("%s: doctor@ has %d results to review (%v)", slug, n, err)
		}
	}
}
