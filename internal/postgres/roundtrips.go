package postgres

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5"

	"medic"
)

// RoundTrips counts, per request id (medic.RequestInfo), the round trips
// the app pool made to PostgreSQL: a statement, a batch (however many
// statements it pipelines), a COPY. Statement preparation, which happens
// once per statement and connection, is not counted: the figure is the
// steady state. Tests pin the hot paths' counts with it.
type RoundTrips struct {
	mu        sync.Mutex
	byRequest map[string]int
}

// Of returns the round trips counted for requestID.
func (r *RoundTrips) Of(requestID string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.byRequest[requestID]
}

func (r *RoundTrips) add(ctx context.Context) {
	id := medic.RequestInfoFrom(ctx).RequestID
	if id == "" {
		return // background work (sealer, jobs): no request to charge
	}
	r.mu.Lock()
	r.byRequest[id]++
	r.mu.Unlock()
}

// CountRoundTrips starts counting round trips per request (a test hook:
// off, the tracer costs one atomic load per statement).
func (db *DB) CountRoundTrips() *RoundTrips {
	r := &RoundTrips{byRequest: map[string]int{}}
	db.tracer.counting.Store(r)
	return r
}

// roundTripTracer is the app pool's tracer; it counts only when a test
// asked (CountRoundTrips).
type roundTripTracer struct {
	counting atomic.Pointer[RoundTrips]
}

func (t *roundTripTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	if r := t.counting.Load(); r != nil {
		r.add(ctx)
	}
	return ctx
}

func (t *roundTripTracer) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (t *roundTripTracer) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	if r := t.counting.Load(); r != nil {
		r.add(ctx)
	}
	return ctx
}

func (t *roundTripTracer) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}
func (t *roundTripTracer) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData)     {}

func (t *roundTripTracer) TraceCopyFromStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceCopyFromStartData) context.Context {
	if r := t.counting.Load(); r != nil {
		r.add(ctx)
	}
	return ctx
}

func (t *roundTripTracer) TraceCopyFromEnd(context.Context, *pgx.Conn, pgx.TraceCopyFromEndData) {}
