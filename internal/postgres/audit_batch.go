package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"medic"
)

// The group commit of read audit (issue 13, item 7). A read use case
// (InReadTx) changes nothing, so its only write is its audit event: rather
// than a transaction and a WAL flush per read, the events of many
// concurrent reads are inserted by one transaction and committed together.
// A read still answers only once its event is committed (Record waits), so
// nothing is lost and nothing is fire-and-forget. Batches form by
// themselves: while one commits, the next fills; an idle server commits a
// lone event at once.

// maxAuditBatch bounds the events of one commit.
const maxAuditBatch = 512

// auditWrite is one read's events, waiting for their commit.
type auditWrite struct {
	practice string
	events   []medic.AuditEvent // filled (fillAudit)
	done     chan error         // buffered: the committer never blocks on it
}

type auditBatcher struct {
	db      *DB
	in      chan *auditWrite
	stop    chan struct{}
	done    chan struct{}
	closing sync.Once
}

func newAuditBatcher(db *DB) *auditBatcher {
	b := &auditBatcher{db: db, in: make(chan *auditWrite), stop: make(chan struct{}), done: make(chan struct{})}
	go b.run()
	return b
}

// errClosing answers a write that arrives once the store is closing.
var errClosing = fmt.Errorf("audit: the store is closing: %w", medic.ErrStoreUnavailable)

// write commits events to practice's log with other reads' and returns
// once they are committed. A write handed over is committed even if ctx
// ends meanwhile (its read may already have been answered by a cache or a
// retry); ctx only stops the wait.
func (b *auditBatcher) write(ctx context.Context, practice string, events []medic.AuditEvent) error {
	w := &auditWrite{practice: practice, events: events, done: make(chan error, 1)}
	select {
	case b.in <- w:
	case <-b.stop:
		return errClosing
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-w.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// close commits what was handed over and stops.
func (b *auditBatcher) close() {
	b.closing.Do(func() { close(b.stop) })
	<-b.done
}

func (b *auditBatcher) run() {
	defer close(b.done)
	for {
		var batch []*auditWrite
		select {
		case w := <-b.in:
			batch = append(batch, w)
		case <-b.stop:
			return
		}
		n := len(batch[0].events)
	fill:
		for n < maxAuditBatch {
			select {
			case w := <-b.in:
				batch = append(batch, w)
				n += len(w.events)
			default:
				break fill
			}
		}
		b.commit(batch)
	}
}

// commit inserts the batch in one transaction. Should it fail, each write
// is tried on its own, so one refused event fails only its own read.
func (b *auditBatcher) commit(batch []*auditWrite) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := b.insert(ctx, batch)
	if err != nil && len(batch) > 1 {
		for _, w := range batch {
			b.finish([]*auditWrite{w}, b.insert(ctx, []*auditWrite{w}))
		}
		return
	}
	b.finish(batch, err)
}

func (b *auditBatcher) finish(batch []*auditWrite, err error) {
	if err != nil {
		err = unavailable(fmt.Errorf("audit: %w", err))
	}
	for _, w := range batch {
		w.done <- err
		if err == nil {
			select {
			case b.db.auditWake <- w.practice:
			default: // the sealer is behind; its sweep catches up
			}
		}
	}
}

// insert writes the batch's events, grouped by practice (row-level
// security admits a practice's rows only under its setting), with BEGIN
// and COMMIT in one pipeline: one round trip and one WAL flush.
func (b *auditBatcher) insert(ctx context.Context, batch []*auditWrite) error {
	byPractice := map[string][]medic.AuditEvent{}
	var order []string
	for _, w := range batch {
		if _, ok := byPractice[w.practice]; !ok {
			order = append(order, w.practice)
		}
		byPractice[w.practice] = append(byPractice[w.practice], w.events...)
	}
	pb := &pgx.Batch{}
	pb.Queue("begin")
	for _, p := range order {
		pb.Queue(setTenantSQL, p, "")
		pb.Queue(insertAuditEventsSQL, auditEventArgs(p, byPractice[p])...)
	}
	var tag string
	pb.Queue("commit").Exec(func(ct pgconn.CommandTag) error { tag = ct.String(); return nil })
	conn, err := b.db.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if err := conn.SendBatch(ctx, pb).Close(); err != nil {
		if conn.Conn().PgConn().TxStatus() != 'I' {
			if _, rerr := conn.Exec(ctx, "rollback"); rerr != nil {
				_ = conn.Conn().Close(ctx)
			}
		}
		return err
	}
	if tag == "ROLLBACK" {
		return errors.New("audit batch rolled back")
	}
	return nil
}
