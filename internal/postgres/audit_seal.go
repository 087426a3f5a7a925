package postgres

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// The audit log is made tamper-evident after the fact: events are inserted
// without any lock in the request's transaction, and the sealer later appends
// each one to its chain (audit_seals per practice, platform_seals for the
// platform log) as
//
//	hash = sha256(prev_hash || canonical(event))
//
// where canonical is a length-prefixed encoding of every stored column and
// the first prev_hash is 32 zero bytes. Editing or deleting a sealed event,
// or a seal, breaks the chain; VerifyAudit finds the first break per chain.

// sealBatch bounds the events read (and seal rows inserted) per statement.
const sealBatch = 1000

// auditChannel is the NOTIFY channel Record and RecordPlatform signal on.
const auditChannel = "audit_events"

// Reasons VerifyAudit gives for a break.
const (
	BreakHashMismatch = "hash mismatch: event altered"
	BreakPrevMismatch = "prev_hash does not match the previous seal"
	BreakSeqGap       = "seq gap: a seal is missing"
	BreakEventMissing = "sealed event is missing"
)

// AuditBreak is the first broken link of one chain. PracticeID is empty for
// the platform log.
type AuditBreak struct {
	PracticeID string
	Seq        int64
	EventID    int64
	Reason     string
}

// chainEvent is an event as stored, in the form the hash is computed over.
// Nullable uuid columns read as "" (a uuid's text is never empty, so NULL
// stays distinct from any value).
type chainEvent struct {
	PracticeID string // "" on the platform log
	ID         int64
	OccurredAt time.Time
	ActorID    string
	ActorEmail string
	Action     string
	EntityType string
	EntityID   string
	PatientID  string
	Outcome    string
	IP         string
	UserAgent  string
	RequestID  string
	Detail     string // jsonb text
}

// chain describes one log: its tables, its lock key and its event columns.
// Both logs share the sealing and verification code through it.
type chain struct {
	practiceID string // "" for the platform log
	lockKey    string
	// unsealed selects up to $3 unsealed events with id > $2 (practice $1).
	unsealed string
	// lastSeal selects the highest seq and its hash.
	lastSeal string
	// insert inserts seals from arrays: $2 seq, $3 event_id, $4 prev_hash, $5 hash.
	insert string
	// walk selects seals in seq order with their event (or NULLs when gone).
	walk string
}

// Event columns in chainEvent order after PracticeID and ID; nullable columns
// are coalesced so a missing event (LEFT JOIN) scans without NULL handling.
const (
	practiceEventCols = `coalesce(e.practice_id::text, ''), coalesce(e.id, 0), coalesce(e.occurred_at, 'epoch'), coalesce(e.actor_id::text, ''),
		coalesce(e.actor_email, ''), coalesce(e.action, ''), coalesce(e.entity_type, ''), coalesce(e.entity_id, ''), coalesce(e.patient_id::text, ''),
		coalesce(e.outcome, ''), coalesce(e.ip, ''), coalesce(e.user_agent, ''), coalesce(e.request_id, ''), coalesce(e.detail::text, '')`
	platformEventCols = `'', coalesce(e.id, 0), coalesce(e.occurred_at, 'epoch'), coalesce(e.actor_id::text, ''),
		coalesce(e.actor_email, ''), coalesce(e.action, ''), coalesce(e.entity_type, ''), coalesce(e.entity_id, ''), '',
		coalesce(e.outcome, ''), coalesce(e.ip, ''), coalesce(e.user_agent, ''), coalesce(e.request_id, ''), coalesce(e.detail::text, '')`
)

func practiceChain(practiceID string) chain {
	return chain{
		practiceID: practiceID,
		lockKey:    "medic.audit_seal." + practiceID,
		unsealed: `SELECT ` + practiceEventCols + `
			FROM audit_events e LEFT JOIN audit_seals s ON s.practice_id = e.practice_id AND s.event_id = e.id
			WHERE e.practice_id = $1 AND s.event_id IS NULL AND e.id > $2
			ORDER BY e.id LIMIT $3`,
		lastSeal: `SELECT seq, hash FROM audit_seals WHERE practice_id = $1 ORDER BY seq DESC LIMIT 1`,
		insert: `INSERT INTO audit_seals (practice_id, seq, event_id, prev_hash, hash)
			SELECT $1::uuid, * FROM unnest($2::bigint[], $3::bigint[], $4::bytea[], $5::bytea[])`,
		walk: `SELECT s.seq, s.event_id, s.prev_hash, s.hash, e.id IS NOT NULL, ` + practiceEventCols + `
			FROM audit_seals s LEFT JOIN audit_events e ON e.practice_id = s.practice_id AND e.id = s.event_id
			WHERE s.practice_id = $1 ORDER BY s.seq`,
	}
}

// platformChain's statements take $1 too (ignored) so both chains bind alike.
func platformChain() chain {
	return chain{
		lockKey: "medic.audit_seal.platform",
		unsealed: `SELECT ` + platformEventCols + `
			FROM platform_events e LEFT JOIN platform_seals s ON s.event_id = e.id
			WHERE $1::text = '' AND s.event_id IS NULL AND e.id > $2
			ORDER BY e.id LIMIT $3`,
		lastSeal: `SELECT seq, hash FROM platform_seals WHERE $1::text = '' ORDER BY seq DESC LIMIT 1`,
		insert: `INSERT INTO platform_seals (seq, event_id, prev_hash, hash)
			SELECT * FROM unnest($2::bigint[], $3::bigint[], $4::bytea[], $5::bytea[]) WHERE $1::text = ''`,
		walk: `SELECT s.seq, s.event_id, s.prev_hash, s.hash, e.id IS NOT NULL, ` + platformEventCols + `
			FROM platform_seals s LEFT JOIN platform_events e ON e.id = s.event_id
			WHERE $1::text = '' ORDER BY s.seq`,
	}
}

func scanChainEvent(row pgx.Rows, dest ...any) (chainEvent, error) {
	var e chainEvent
	err := row.Scan(append(dest, &e.PracticeID, &e.ID, &e.OccurredAt, &e.ActorID, &e.ActorEmail, &e.Action, &e.EntityType, &e.EntityID,
		&e.PatientID, &e.Outcome, &e.IP, &e.UserAgent, &e.RequestID, &e.Detail)...)
	return e, err
}

// canonical is the deterministic encoding hashed into the chain. Every field
// is length-prefixed so no two events encode alike; a leading tag keeps a
// platform event from ever encoding like a practice event.
func (e chainEvent) canonical() []byte {
	var b []byte
	str := func(s string) {
		b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
		b = append(b, s...)
	}
	if e.PracticeID == "" {
		str("medic.platform_event.v1")
	} else {
		str("medic.audit_event.v1")
		str(e.PracticeID)
	}
	str(strconv.FormatInt(e.ID, 10))
	// PostgreSQL keeps microseconds; UTC so the session time zone never matters.
	str(e.OccurredAt.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano))
	str(e.ActorID)
	str(e.ActorEmail)
	str(e.Action)
	str(e.EntityType)
	str(e.EntityID)
	if e.PracticeID != "" {
		str(e.PatientID) // the platform log has no patient column
	}
	str(e.Outcome)
	str(e.IP)
	str(e.UserAgent)
	str(e.RequestID)
	canonicalDetail(e.Detail, str)
	return b
}

// canonicalDetail encodes detail as its keys in byte order, each with
// its value: a JSON string as the string itself (tag 's'), anything else as
// jsonb's normalised text (tag 'j'). Detail that is not an object (only
// possible by tampering) is encoded whole with tag 'r'.
func canonicalDetail(detail string, str func(string)) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(detail), &m); err != nil || m == nil {
		str("r")
		str(detail)
		return
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	str("o" + strconv.Itoa(len(keys)))
	for _, k := range keys {
		str(k)
		v := m[k]
		var s string
		if len(v) > 0 && v[0] == '"' && json.Unmarshal(v, &s) == nil {
			str("s")
			str(s)
		} else {
			str("j")
			str(string(v))
		}
	}
}

// chainHash links an event to the hash before it.
func chainHash(prev []byte, e chainEvent) []byte {
	h := sha256.New()
	h.Write(prev)
	h.Write(e.canonical())
	return h.Sum(nil)
}

// genesis is the prev_hash of the first seal of every chain.
var genesis = make([]byte, sha256.Size)

// SealPractice appends the practice's unsealed events to its chain, in id
// order, and returns how many it sealed. It runs in its own transaction (or
// the caller's, inside InTx) under an advisory lock on the practice, so two
// sealers never interleave; writers take no lock and are never blocked.
func (db *DB) SealPractice(ctx context.Context, practiceID string) (int, error) {
	if !isUUID(practiceID) {
		return 0, fmt.Errorf("seal audit log: invalid practice id")
	}
	return db.seal(withTenant(ctx, practiceID), practiceChain(practiceID))
}

// SealPlatform appends the platform log's unsealed events to its chain.
func (db *DB) SealPlatform(ctx context.Context) (int, error) {
	return db.seal(withTenant(ctx, ""), platformChain())
}

func (db *DB) seal(ctx context.Context, c chain) (int, error) {
	sealed := 0
	err := db.do(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, c.lockKey); err != nil {
			return fmt.Errorf("lock chain: %w", err)
		}
		// Read after the lock: under READ COMMITTED this statement sees the
		// seals the previous holder committed.
		var seq int64
		var last []byte
		err := tx.QueryRow(ctx, c.lastSeal, c.practiceID).Scan(&seq, &last)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("read last seal: %w", err)
		}
		prev := genesis
		if seq > 0 {
			prev = last
		}
		var after int64
		for {
			rows, err := tx.Query(ctx, c.unsealed, c.practiceID, after, sealBatch)
			if err != nil {
				return fmt.Errorf("read unsealed events: %w", err)
			}
			var seqs, ids []int64
			var prevs, hashes [][]byte
			for rows.Next() {
				e, err := scanChainEvent(rows)
				if err != nil {
					rows.Close()
					return fmt.Errorf("scan event: %w", err)
				}
				h := chainHash(prev, e)
				seq++
				seqs, ids, prevs, hashes = append(seqs, seq), append(ids, e.ID), append(prevs, prev), append(hashes, h)
				prev, after = h, e.ID
			}
			if err := rows.Err(); err != nil {
				return fmt.Errorf("read unsealed events: %w", err)
			}
			if len(ids) == 0 {
				return nil
			}
			if _, err := tx.Exec(ctx, c.insert, c.practiceID, seqs, ids, prevs, hashes); err != nil {
				return fmt.Errorf("insert seals: %w", err)
			}
			sealed += len(ids)
			if len(ids) < sealBatch {
				return nil
			}
		}
	})
	if err != nil {
		return 0, err
	}
	return sealed, nil
}

// VerifyAudit walks the platform chain and every practice's chain (each in
// its own tenant transaction) and reports the first broken link of each:
// an altered event, a prev_hash that does not match, a seq gap, or a sealed
// event that is gone. Events not sealed yet are not breaks. It returns an
// empty slice when every chain is intact.
//
// A chain cut off at its end (the last seals deleted with their events)
// looks intact; anchoring the head hash outside the database would catch it.
func (db *DB) VerifyAudit(ctx context.Context) ([]AuditBreak, error) {
	breaks := []AuditBreak{}
	b, err := db.verify(withTenant(ctx, ""), platformChain())
	if err != nil {
		return nil, fmt.Errorf("verify platform log: %w", err)
	}
	if b != nil {
		breaks = append(breaks, *b)
	}
	ids, err := db.practiceIDs(ctx)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		b, err := db.verify(withTenant(ctx, id), practiceChain(id))
		if err != nil {
			return nil, fmt.Errorf("verify audit log of practice %s: %w", id, err)
		}
		if b != nil {
			breaks = append(breaks, *b)
		}
	}
	return breaks, nil
}

func (db *DB) verify(ctx context.Context, c chain) (brk *AuditBreak, err error) {
	err = db.do(ctx, func(tx pgx.Tx) error {
		brk = nil
		rows, err := tx.Query(ctx, c.walk, c.practiceID)
		if err != nil {
			return err
		}
		defer rows.Close()
		var want int64 = 1
		prev := genesis
		for rows.Next() {
			var seq, eventID int64
			var prevHash, hash []byte
			var found bool
			e, err := scanChainEvent(rows, &seq, &eventID, &prevHash, &hash, &found)
			if err != nil {
				return err
			}
			reason := ""
			switch {
			case seq != want:
				reason = BreakSeqGap
			case !bytes.Equal(prevHash, prev):
				reason = BreakPrevMismatch
			case !found:
				reason = BreakEventMissing
			case !bytes.Equal(chainHash(prevHash, e), hash):
				reason = BreakHashMismatch
			}
			if reason != "" {
				brk = &AuditBreak{PracticeID: c.practiceID, Seq: seq, EventID: eventID, Reason: reason}
				return nil
			}
			want, prev = seq+1, hash
		}
		return rows.Err()
	})
	return brk, err
}

// practiceIDs lists every practice (a platform table, no tenant needed).
func (db *DB) practiceIDs(ctx context.Context) (ids []string, err error) {
	err = db.do(withTenant(ctx, ""), func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id::text FROM practices ORDER BY id`)
		if err != nil {
			return err
		}
		ids, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list practices: %w", err)
	}
	return ids, nil
}

// Sealer keeps the audit chains sealed while the server runs: it seals a
// practice's log when Record notifies, and sweeps every log on start and
// every SweepEvery for events whose notification was missed (written while
// no sealer listened, or lost with a dropped connection).
type Sealer struct {
	DB         *DB
	Logger     *slog.Logger
	SweepEvery time.Duration // default 5 minutes
}

// RunSealer runs a Sealer until ctx is cancelled; see Sealer.Run.
func (db *DB) RunSealer(ctx context.Context, logger *slog.Logger, sweepEvery time.Duration) error {
	return (&Sealer{DB: db, Logger: logger, SweepEvery: sweepEvery}).Run(ctx)
}

// Run listens for audit notifications on a dedicated connection and seals
// until ctx is cancelled, then returns nil. A lost connection is logged and
// re-established with backoff (followed by a sweep), so Run does not return
// on database errors: the server keeps serving and the log is sealed later.
// It logs counts and errors only, never event contents.
func (s *Sealer) Run(ctx context.Context) error {
	logger := s.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	every := s.SweepEvery
	if every <= 0 {
		every = 5 * time.Minute
	}
	backoff := time.Second
	for {
		listened, err := s.listen(ctx, logger, every)
		if ctx.Err() != nil {
			return nil
		}
		if listened {
			backoff = time.Second
		}
		logger.Error("audit sealer: lost its connection; retrying", "err", err, "retry_in", backoff)
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		backoff = min(2*backoff, 30*time.Second)
	}
}

// listen runs one LISTEN session; listened reports whether LISTEN succeeded
// (so a healthy session resets the backoff).
func (s *Sealer) listen(ctx context.Context, logger *slog.Logger, every time.Duration) (listened bool, err error) {
	pc, err := s.DB.pool.Acquire(ctx)
	if err != nil {
		return false, fmt.Errorf("acquire connection: %w", err)
	}
	// Take the connection out of the pool for good: a LISTENing session must
	// never be handed to another caller, and it is closed when we are done.
	conn := pc.Hijack()
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = conn.Close(cctx)
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+auditChannel); err != nil {
		return false, fmt.Errorf("listen: %w", err)
	}
	// Sweep after LISTEN: an event committed before it is swept, one after
	// it is notified, so none falls in between.
	s.sweep(ctx, logger)

	// One goroutine owns the connection and forwards payloads; the loop
	// below seals, so a slow seal never stalls reading notifications.
	wctx, stop := context.WithCancel(ctx)
	notes := make(chan string, 1024)
	failed := make(chan error, 1)
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		for {
			n, err := conn.WaitForNotification(wctx)
			if err != nil {
				failed <- err
				return
			}
			select {
			case notes <- n.Payload:
			case <-wctx.Done():
				return
			}
		}
	}()
	defer func() { stop(); <-exited }() // runs before the deferred Close

	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return true, ctx.Err()
		case err := <-failed:
			return true, err
		case <-tick.C:
			s.sweep(ctx, logger)
		case p := <-notes:
			s.sealPending(ctx, logger, p, notes)
		case p := <-s.DB.auditWake:
			s.sealPending(ctx, logger, p, notes)
		}
	}
}

// sealPending coalesces a burst: it drains what is queued from this
// process's commits and from NOTIFYs, then seals each log once.
func (s *Sealer) sealPending(ctx context.Context, logger *slog.Logger, first string, notes <-chan string) {
	pending := map[string]bool{first: true}
	for {
		select {
		case p := <-notes:
			pending[p] = true
			continue
		case p := <-s.DB.auditWake:
			pending[p] = true
			continue
		default:
		}
		break
	}
	for p := range pending {
		s.sealOne(ctx, logger, p)
	}
}

// sealOne seals the log a notification payload names ("" is the platform).
func (s *Sealer) sealOne(ctx context.Context, logger *slog.Logger, practiceID string) int {
	var n int
	var err error
	switch {
	case practiceID == "":
		n, err = s.DB.SealPlatform(ctx)
	case isUUID(practiceID):
		n, err = s.DB.SealPractice(ctx, practiceID)
	default:
		// Anyone on the database can NOTIFY; a stray payload is not a log.
		logger.Warn("audit sealer: ignored notification with an invalid payload")
		return 0
	}
	if err != nil {
		if ctx.Err() == nil {
			logger.Error("audit sealer: seal failed", "practice_id", practiceID, "err", err)
		}
		return 0
	}
	if n > 0 {
		logger.Debug("audit sealer: sealed", "practice_id", practiceID, "events", n)
	}
	return n
}

// sweep seals the platform log and every practice's log.
func (s *Sealer) sweep(ctx context.Context, logger *slog.Logger) {
	ids, err := s.DB.practiceIDs(ctx)
	if err != nil {
		if ctx.Err() == nil {
			logger.Error("audit sealer: sweep failed", "err", err)
		}
		return
	}
	total := s.sealOne(ctx, logger, "")
	for _, id := range ids {
		if ctx.Err() != nil {
			return
		}
		total += s.sealOne(ctx, logger, id)
	}
	if total > 0 {
		logger.Info("audit sealer: sweep sealed events", "events", total, "practices", len(ids))
	}
}
