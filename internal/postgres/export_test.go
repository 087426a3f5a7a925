package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"medic"
)

// SealPracticeBatches seals at most n batches of the practice's log, as a
// sealer stopped midway (a restart) would have.
func (db *DB) SealPracticeBatches(ctx context.Context, practiceID string, n int) (int, error) {
	c := practiceChain(practiceID)
	ctx = withTenant(ctx, practiceID)
	total := 0
	for range n {
		k, done, err := db.sealBatch(ctx, c, sealBatch, false)
		total += k
		if err != nil || done {
			return total, err
		}
	}
	return total, nil
}

// PatientSearchSQL is the statement SearchPatients runs, for plan tests.
func PatientSearchSQL(practiceID string, f medic.PatientFilter, page medic.Page) (string, []any, error) {
	s, err := patientSearchSQL(practiceID, f, page.Normalize())
	if err != nil {
		return "", nil, err
	}
	return s.sql, s.args, nil
}

// CommitAuditBatch group-commits events of several practices at once, as
// the audit batcher does with concurrent reads' events, and returns each
// write's outcome.
func (db *DB) CommitAuditBatch(ctx context.Context, practices []string, events []medic.AuditEvent) []error {
	batch := make([]*auditWrite, len(practices))
	for i, p := range practices {
		e := events[i]
		db.fillAudit(ctx, &e)
		batch[i] = &auditWrite{practice: p, events: []medic.AuditEvent{e}, done: make(chan error, 1)}
	}
	db.audits.commit(batch)
	errs := make([]error, len(batch))
	for i, w := range batch {
		errs[i] = <-w.done
	}
	return errs
}

// QueryInTx runs sql through the context's transaction with Query (the
// path a write with RETURNING takes).
func (db *DB) QueryInTx(ctx context.Context, sql string, args ...any) error {
	return db.do(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, sql, args...)
		if err != nil {
			return err
		}
		rows.Close()
		return rows.Err()
	})
}

// PatientVisitsSQL is the statement PatientVisits runs, for plan tests.
const PatientVisitsSQL = patientVisitsSQL

// SealPlan and PracticeSealGapsSQL are the sealer's plan settings and its
// read of a practice's events in snapshot gaps, for plan tests.
const SealPlan = sealPlan

func PracticeSealGapsSQL(practiceID string) string { return practiceChain(practiceID).inGaps }
