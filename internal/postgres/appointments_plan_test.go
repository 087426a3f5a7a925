package postgres_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"medic/internal/postgres"
	"medic/internal/postgres/pgtest"
)

// TestPatientVisitsPlanIgnoresHistory: the chart header's next and last
// visit read one appointment each, as medic_app under forced row-level
// security, however many visits the chart has before and after now. Ordered
// by an id the index lacks, each branch read and sorted the chart's whole
// past (or future) first.
func TestPatientVisitsPlanIgnoresHistory(t *testing.T) {
	t.Parallel()
	td := pgtest.New(t)
	ctx := t.Context()
	f := newSchedFixture(t, td, "visits-plan")
	owner := rlsOwnerConn(t, td)
	now := time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)
	// 3,000 completed visits a day apart before now, 400 booked after.
	const past, future = 3000, 400
	if _, err := owner.Exec(ctx, `INSERT INTO appointments (practice_id, patient_id, practitioner_id, location_id, appointment_type_id,
			starts_at, ends_at, status, created_at, updated_at)
		SELECT $1, $2, $3, $4, $5, $6::timestamptz + i * interval '1 day', $6::timestamptz + i * interval '1 day' + interval '15 minutes',
			CASE WHEN i < 0 THEN 'completed' ELSE 'booked' END, now(), now()
		FROM generate_series(-$7::int, $8::int) i WHERE i <> 0`,
		f.practice.ID, f.pat.ID, f.pr.ID, f.loc.ID, f.typ.ID, now, past, future); err != nil {
		t.Fatal(err)
	}
	if _, err := owner.Exec(ctx, `ANALYZE appointments`); err != nil {
		t.Fatal(err)
	}
	appURL, err := postgres.AppURL(td.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	app, err := pgx.Connect(ctx, appURL)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close(ctx)
	for _, mode := range []string{"force_custom_plan", "force_generic_plan"} {
		var plan []byte
		err = pgx.BeginFunc(ctx, app, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `SELECT set_config('app.practice_id', $1, true), set_config('plan_cache_mode', $2, true)`, f.practice.ID, mode); err != nil {
				return err
			}
			return tx.QueryRow(ctx, `EXPLAIN (ANALYZE, FORMAT JSON) `+postgres.PatientVisitsSQL, f.practice.ID, f.pat.ID, now).Scan(&plan)
		})
		if err != nil {
			t.Fatalf("%s: explain: %v", mode, err)
		}
		var root []struct{ Plan searchPlanNode }
		if err := json.Unmarshal(plan, &root); err != nil || len(root) != 1 {
			t.Fatalf("%s: plan %s: %v", mode, plan, err)
		}
		var problems []string
		root[0].Plan.walk(func(n *searchPlanNode) {
			if n.NodeType == "Sort" || n.NodeType == "Seq Scan" {
				problems = append(problems, "a "+n.NodeType+" node")
			}
			if n.RelationName == "appointments" && n.ActualRows*n.ActualLoops > 1 {
				problems = append(problems, n.NodeType+" returned more than one appointment")
			}
		})
		if len(problems) > 0 {
			t.Errorf("PatientVisits as medic_app, %s: %s\nplan: %s", mode, strings.Join(problems, "; "), plan)
		}
	}
	next, last, err := td.PatientVisits(f.ctx, f.pat.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	if next == nil || !next.Start.Equal(now.AddDate(0, 0, 1)) || last == nil || !last.Start.Equal(now.AddDate(0, 0, -1)) {
		t.Errorf("next %v, last %v; want the visits a day after and a day before", next, last)
	}
}
