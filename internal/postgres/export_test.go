package postgres

import (
	"context"

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
