package postgres_test

import (
	"bytes"
	"testing"

	"github.com/jackc/pgx/v5"

	"medic/internal/postgres"
	"medic/internal/postgres/pgtest"
)

// TestSealerReadsAreNotJITCompiled: the sealer disables plan nodes for its
// reads, which adds 1e10 to their estimated cost; with JIT left on,
// PostgreSQL compiled each small read with LLVM first (0.3-1.5 s of CPU per
// pass on the bench database, taken from every request).
func TestSealerReadsAreNotJITCompiled(t *testing.T) {
	t.Parallel()
	td := pgtest.New(t)
	ctx := t.Context()
	p := mustCreatePractice(t, td, "seal-jit")
	appURL, err := postgres.AppURL(td.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	app, err := pgx.Connect(ctx, appURL)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close(ctx)
	var jitOn bool
	if err := app.QueryRow(ctx, `SELECT current_setting('jit')::bool AND pg_jit_available()`).Scan(&jitOn); err != nil {
		t.Fatal(err)
	}
	if !jitOn {
		t.Log("this PostgreSQL has no JIT; the plan is checked all the same")
	}
	var plan []byte
	err = pgx.BeginFunc(ctx, app, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT set_config('app.practice_id', $1, true)`, p.ID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, postgres.SealPlan); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `EXPLAIN (ANALYZE, FORMAT JSON) `+postgres.PracticeSealGapsSQL(p.ID),
			p.ID, []uint64{1, 2}, []int64{0, 0}, 1000).Scan(&plan)
	})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(plan, []byte(`"JIT"`)) {
		t.Errorf("the sealer's read was JIT-compiled:\n%s", plan)
	}
}
