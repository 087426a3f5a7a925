package postgres_test

import (
	"context"
	"slices"
	"sync"
	"testing"

	"medic"
	"medic/internal/postgres/pgtest"
)

// mustDraft stores a draft invoice of one line of unit cents for a new
// chart in ctx's practice.
func mustDraft(t *testing.T, db *pgtest.DB, ctx context.Context, patientID, userID string, unit int64) *medic.Invoice {
	t.Helper()
	inv := &medic.Invoice{PatientID: patientID, InvoiceDate: medic.NewDate(2026, 11, 2), Currency: "ZAR", VATRateBP: 1500, CreatedBy: userID,
		Lines: []*medic.InvoiceLine{{Description: "Consultation", Category: medic.TariffConsultation, Quantity: 1, UnitCents: unit, VATable: true}}}
	if err := inv.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateInvoice(ctx, inv); err != nil {
		t.Fatalf("create invoice: %v", err)
	}
	return inv
}

func billingFixture(t *testing.T, slug string) (*pgtest.DB, context.Context, string, string) {
	db := pgtest.New(t)
	ctx := asPractice(t.Context(), mustCreatePractice(t, db, slug))
	pt := mustPatient(t, db, ctx, &medic.Patient{GivenName: "Thandi", FamilyName: "Billing", DateOfBirth: medic.NewDate(1980, 1, 2), Sex: medic.SexFemale})
	return db, ctx, pt.ID, mustUserID(t, db)
}

// TestConcurrentIssueNumbersWithoutGaps: 50 drafts of one practice issued
// at once get the numbers 1 to 50, each once; another practice counts
// from 1 on its own.
func TestConcurrentIssueNumbersWithoutGaps(t *testing.T) {
	t.Parallel()
	db, ctx, patient, user := billingFixture(t, "issue-race")
	const n = 50
	drafts := make([]*medic.Invoice, n)
	for i := range drafts {
		drafts[i] = mustDraft(t, db, ctx, patient, user, 10000)
	}
	numbers := make([]int64, n)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i, d := range drafts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			inv, err := db.IssueInvoice(ctx, d.ID, user)
			if err != nil {
				errs <- err
				return
			}
			numbers[i] = inv.Number
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("issue: %v", err)
	}
	slices.Sort(numbers)
	for i, got := range numbers {
		if got != int64(i+1) {
			t.Fatalf("issued numbers are not 1..%d: %v", n, numbers)
		}
	}
	// Issuing again is refused and takes no number.
	if _, err := db.IssueInvoice(ctx, drafts[0].ID, user); medic.ErrorCode(err) != medic.ECONFLICT {
		t.Errorf("issuing an issued invoice: %v", err)
	}
	next := mustDraft(t, db, ctx, patient, user, 100)
	if inv, err := db.IssueInvoice(ctx, next.ID, user); err != nil || inv.Number != n+1 {
		t.Errorf("the next issue after a refused one: %v %v, want number %d", inv, err, n+1)
	}
	// Another practice has its own sequence.
	otherPractice := asPractice(t.Context(), mustCreatePractice(t, db, "issue-race-b"))
	pt := mustPatient(t, db, otherPractice, &medic.Patient{GivenName: "Other", FamilyName: "Chart", DateOfBirth: medic.NewDate(1990, 1, 2), Sex: medic.SexMale})
	other := mustDraft(t, db, otherPractice, pt.ID, user, 100)
	if inv, err := db.IssueInvoice(otherPractice, other.ID, user); err != nil || inv.Number != 1 {
		t.Errorf("another practice's first invoice: %v %v", inv, err)
	}
	if _, err := db.IssueInvoice(otherPractice, next.ID, user); medic.ErrorCode(err) != medic.ENOTFOUND {
		t.Errorf("issuing another practice's invoice: %v", err)
	}
}

// TestConcurrentPaymentsNeverOverAllocate: ten payments of R40 race on an
// invoice of R115 (R100 + VAT): exactly two go through, the rest are
// refused, and the invoice ends partly paid at R80; refunds cannot exceed
// what was paid.
func TestConcurrentPaymentsNeverOverAllocate(t *testing.T) {
	t.Parallel()
	db, ctx, patient, user := billingFixture(t, "pay-race")
	inv := mustDraft(t, db, ctx, patient, user, 10000)
	if inv.TotalCents != 11500 {
		t.Fatalf("total %d, want 11500", inv.TotalCents)
	}
	if _, err := db.AddPayment(ctx, &medic.Payment{InvoiceID: inv.ID, AmountCents: 100, Method: medic.PayCash, TakenBy: user}); medic.ErrorCode(err) != medic.ECONFLICT {
		t.Errorf("payment on a draft: %v", err)
	}
	if _, err := db.IssueInvoice(ctx, inv.ID, user); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, refused := 0, 0
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := db.AddPayment(ctx, &medic.Payment{InvoiceID: inv.ID, AmountCents: 4000, Method: medic.PayCard, Reference: "slip", TakenBy: user})
			mu.Lock()
			defer mu.Unlock()
			switch medic.ErrorCode(err) {
			case "":
				ok++
			case medic.ECONFLICT:
				refused++
			default:
				t.Errorf("payment: %v", err)
			}
		}()
	}
	wg.Wait()
	if ok != 2 || refused != 8 {
		t.Errorf("%d payments taken and %d refused, want 2 and 8", ok, refused)
	}
	got, err := db.FindInvoice(ctx, inv.ID)
	if err != nil || got.PaidCents != 8000 || got.Status != medic.InvoicePartlyPaid {
		t.Fatalf("after the race: %+v %v", got, err)
	}
	// The exact balance settles it; a refund of more than was paid is refused.
	if got, err = db.AddPayment(ctx, &medic.Payment{InvoiceID: inv.ID, AmountCents: 3500, Method: medic.PayCash, TakenBy: user}); err != nil || got.Status != medic.InvoicePaid {
		t.Fatalf("paying the balance: %+v %v", got, err)
	}
	if _, err := db.AddPayment(ctx, &medic.Payment{InvoiceID: inv.ID, AmountCents: -11501, Method: medic.PayCash, Reason: "Too much", TakenBy: user}); medic.ErrorCode(err) != medic.ECONFLICT {
		t.Errorf("refunding more than was paid: %v", err)
	}
	if got, err = db.AddPayment(ctx, &medic.Payment{InvoiceID: inv.ID, AmountCents: -3500, Method: medic.PayCash, Reason: "Overcharged", TakenBy: user}); err != nil ||
		got.Status != medic.InvoicePartlyPaid || got.PaidCents != 8000 {
		t.Errorf("a refund: %+v %v", got, err)
	}
	if _, err := db.VoidInvoice(ctx, inv.ID, user, "Wrong patient"); medic.ErrorCode(err) != medic.ECONFLICT {
		t.Errorf("voiding with payments standing: %v", err)
	}
	ps, err := db.ListPayments(ctx, inv.ID)
	if err != nil || len(ps) != 4 {
		t.Errorf("payments: %d %v", len(ps), err)
	}
	var sum int64
	for _, p := range ps {
		sum += p.AmountCents
	}
	if sum != 8000 {
		t.Errorf("payments add up to %d, the invoice says 8000 paid", sum)
	}
}
