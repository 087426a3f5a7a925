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
	"math"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

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
//
// The sealer reads forward from a head (audit_seal_heads, platform_seal_head)
// by an index range, so a pass costs what is new, not the size of the log.
// Ids cannot be the head: a bigserial id is taken before commit, so a lower
// id may commit after a higher one was sealed. Events are read in order of
// their writing transaction (xid) and then id, up to a snapshot's xmax and
// skipping the transactions that snapshot shows in flight; those passed
// over become gaps of the head, read by xid once they have ended. A chain's
// order is its seq, which is the sealing order, not necessarily id order.

// sealBatch bounds the events read (and seal rows inserted) per sealing
// transaction: each batch commits on its own, so a backlog is sealed in
// short transactions and a restart resumes from the last committed batch.
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
	PatientIDs string // patient_ids joined by commas; "" when none (and on the platform log)
}

// chain describes one log: its tables, its lock key and its event columns.
// Both logs share the sealing and verification code through it. Every
// statement takes the practice as $1 (the platform's ignore it).
type chain struct {
	practiceID string // "" for the platform log
	lockKey    string
	// head selects xid, event_id, gaps, gap_after (no row: a new chain).
	head string
	// saveHead stores $2 xid, $3 event_id, $4 gaps, $5 gap_after.
	saveHead string
	// forward selects xid and the event for up to $6 events after
	// ($2 xid, $3 id) in (xid, id) order, with xid < $4 and not in $5.
	forward string
	// inGaps selects xid and the event for up to $4 events of the gap
	// transactions $2, each after its own last sealed id $3, in (xid, id) order.
	inGaps string
	// sealedOf selects which of the event ids $2 are sealed already.
	sealedOf string
	// lastSeal selects the highest seq and its hash.
	lastSeal string
	// insert inserts seals from arrays: $2 seq, $3 event_id, $4 prev_hash, $5 hash.
	insert string
	// walk selects up to $3 seals after seq $2 in seq order, each with its
	// event (or NULLs when gone).
	walk string
}

// Event columns in chainEvent order after PracticeID and ID; nullable columns
// are coalesced so a missing event (LEFT JOIN) scans without NULL handling.
const (
	practiceEventCols = `coalesce(e.practice_id::text, ''), coalesce(e.id, 0), coalesce(e.occurred_at, 'epoch'), coalesce(e.actor_id::text, ''),
		coalesce(e.actor_email, ''), coalesce(e.action, ''), coalesce(e.entity_type, ''), coalesce(e.entity_id, ''), coalesce(e.patient_id::text, ''),
		coalesce(e.outcome, ''), coalesce(e.ip, ''), coalesce(e.user_agent, ''), coalesce(e.request_id, ''), coalesce(e.detail::text, ''),
		coalesce(array_to_string(e.patient_ids, ','), '')`
	platformEventCols = `'', coalesce(e.id, 0), coalesce(e.occurred_at, 'epoch'), coalesce(e.actor_id::text, ''),
		coalesce(e.actor_email, ''), coalesce(e.action, ''), coalesce(e.entity_type, ''), coalesce(e.entity_id, ''), '',
		coalesce(e.outcome, ''), coalesce(e.ip, ''), coalesce(e.user_agent, ''), coalesce(e.request_id, ''), coalesce(e.detail::text, ''), ''`
)

// The reads below are index range scans on (practice_id, xid, id) with
// explicit bounds and a LIMIT, ordered as the index is: no join, so no plan
// the statistics could turn into a scan of the whole log.
func practiceChain(practiceID string) chain {
	return chain{
		practiceID: practiceID,
		lockKey:    "medic.audit_seal." + practiceID,
		head:       `SELECT xid, event_id, gaps, gap_after FROM audit_seal_heads WHERE practice_id = $1`,
		saveHead: `INSERT INTO audit_seal_heads (practice_id, xid, event_id, gaps, gap_after) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (practice_id) DO UPDATE SET xid = $2, event_id = $3, gaps = $4, gap_after = $5`,
		forward: `SELECT e.xid, ` + practiceEventCols + `
			FROM audit_events e
			WHERE e.practice_id = $1 AND (e.xid, e.id) > ($2::xid8, $3::bigint) AND e.xid < $4::xid8 AND e.xid <> ALL ($5::xid8[])
			ORDER BY e.xid, e.id LIMIT $6`,
		inGaps: `SELECT e.xid, ` + practiceEventCols + `
			FROM unnest($2::xid8[], $3::bigint[]) g (xid, after)
			CROSS JOIN LATERAL (SELECT * FROM audit_events e WHERE e.practice_id = $1 AND e.xid = g.xid AND e.id > g.after ORDER BY e.id LIMIT $4) e
			ORDER BY e.xid, e.id LIMIT $4`,
		sealedOf: `SELECT event_id FROM audit_seals WHERE practice_id = $1 AND event_id = ANY ($2::bigint[])`,
		lastSeal: `SELECT seq, hash FROM audit_seals WHERE practice_id = $1 ORDER BY seq DESC LIMIT 1`,
		insert: `INSERT INTO audit_seals (practice_id, seq, event_id, prev_hash, hash)
			SELECT $1::uuid, * FROM unnest($2::bigint[], $3::bigint[], $4::bytea[], $5::bytea[])`,
		walk: `SELECT s.seq, s.event_id, s.prev_hash, s.hash, e.id IS NOT NULL, ` + practiceEventCols + `
			FROM audit_seals s LEFT JOIN audit_events e ON e.practice_id = s.practice_id AND e.id = s.event_id
			WHERE s.practice_id = $1 AND s.seq > $2 ORDER BY s.seq LIMIT $3`,
	}
}

func platformChain() chain {
	return chain{
		lockKey: "medic.audit_seal.platform",
		head:    `SELECT xid, event_id, gaps, gap_after FROM platform_seal_head WHERE $1::text = ''`,
		saveHead: `INSERT INTO platform_seal_head (xid, event_id, gaps, gap_after) SELECT $2, $3, $4, $5 WHERE $1::text = ''
			ON CONFLICT (only_row) DO UPDATE SET xid = $2, event_id = $3, gaps = $4, gap_after = $5`,
		forward: `SELECT e.xid, ` + platformEventCols + `
			FROM platform_events e
			WHERE $1::text = '' AND (e.xid, e.id) > ($2::xid8, $3::bigint) AND e.xid < $4::xid8 AND e.xid <> ALL ($5::xid8[])
			ORDER BY e.xid, e.id LIMIT $6`,
		inGaps: `SELECT e.xid, ` + platformEventCols + `
			FROM unnest($2::xid8[], $3::bigint[]) g (xid, after)
			CROSS JOIN LATERAL (SELECT * FROM platform_events e WHERE $1::text = '' AND e.xid = g.xid AND e.id > g.after ORDER BY e.id LIMIT $4) e
			ORDER BY e.xid, e.id LIMIT $4`,
		sealedOf: `SELECT event_id FROM platform_seals WHERE $1::text = '' AND event_id = ANY ($2::bigint[])`,
		lastSeal: `SELECT seq, hash FROM platform_seals WHERE $1::text = '' ORDER BY seq DESC LIMIT 1`,
		insert: `INSERT INTO platform_seals (seq, event_id, prev_hash, hash)
			SELECT * FROM unnest($2::bigint[], $3::bigint[], $4::bytea[], $5::bytea[]) WHERE $1::text = ''`,
		walk: `SELECT s.seq, s.event_id, s.prev_hash, s.hash, e.id IS NOT NULL, ` + platformEventCols + `
			FROM platform_seals s LEFT JOIN platform_events e ON e.id = s.event_id
			WHERE $1::text = '' AND s.seq > $2 ORDER BY s.seq LIMIT $3`,
	}
}

func scanChainEvent(row pgx.Rows, dest ...any) (chainEvent, error) {
	var e chainEvent
	err := row.Scan(append(dest, &e.PracticeID, &e.ID, &e.OccurredAt, &e.ActorID, &e.ActorEmail, &e.Action, &e.EntityType, &e.EntityID,
		&e.PatientID, &e.Outcome, &e.IP, &e.UserAgent, &e.RequestID, &e.Detail, &e.PatientIDs)...)
	return e, err
}

// canonical is the deterministic encoding hashed into the chain, appended
// to b. Every field is length-prefixed so no two events encode alike; a
// leading tag keeps a platform event from ever encoding like a practice event.
func (e chainEvent) canonical(b []byte) []byte {
	if e.PracticeID == "" {
		b = appendField(b, "medic.platform_event.v1")
	} else {
		b = appendField(b, "medic.audit_event.v1")
		b = appendField(b, e.PracticeID)
	}
	var num [32]byte
	b = appendField(b, string(strconv.AppendInt(num[:0], e.ID, 10)))
	// PostgreSQL keeps microseconds; UTC so the session time zone never matters.
	b = appendField(b, string(e.OccurredAt.UTC().Truncate(time.Microsecond).AppendFormat(num[:0], time.RFC3339Nano)))
	b = appendField(b, e.ActorID)
	b = appendField(b, e.ActorEmail)
	b = appendField(b, e.Action)
	b = appendField(b, e.EntityType)
	b = appendField(b, e.EntityID)
	if e.PracticeID != "" {
		b = appendField(b, e.PatientID) // the platform log has no patient column
	}
	b = appendField(b, e.Outcome)
	b = appendField(b, e.IP)
	b = appendField(b, e.UserAgent)
	b = appendField(b, e.RequestID)
	b = appendDetail(b, e.Detail)
	// Added with migration 0012 after the detail (which encodes its own
	// extent): an event naming no patients this way encodes as before it,
	// so the seals made earlier still verify.
	if e.PatientIDs != "" {
		b = appendField(b, "patient_ids")
		b = appendField(b, e.PatientIDs)
	}
	return b
}

func appendField(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

// appendDetail encodes detail as its keys in byte order, each with its
// value: a JSON string as the string itself (tag 's'), anything else as
// jsonb's normalised text (tag 'j'). Detail that is not an object (only
// possible by tampering) is encoded whole with tag 'r'.
func appendDetail(b []byte, detail string) []byte {
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(detail), &m); err != nil || m == nil {
		b = appendField(b, "r")
		return appendField(b, detail)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = appendField(b, "o"+strconv.Itoa(len(keys)))
	for _, k := range keys {
		b = appendField(b, k)
		if s, ok := jsonString(m[k]); ok {
			b = appendField(b, "s")
			b = appendField(b, s)
		} else {
			b = appendField(b, "j")
			b = appendField(b, string(m[k]))
		}
	}
	return b
}

// jsonString decodes a JSON string value; without escapes (most detail
// values) its text is the quoted bytes themselves.
func jsonString(v json.RawMessage) (string, bool) {
	if len(v) < 2 || v[0] != '"' {
		return "", false
	}
	if inner := v[1 : len(v)-1]; bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
		return string(inner), true
	}
	var s string
	return s, json.Unmarshal(v, &s) == nil
}

// chainHasher links events to the hash before them, one after another,
// reusing its buffer.
type chainHasher struct {
	buf []byte
}

func (c *chainHasher) hash(prev []byte, e chainEvent) []byte {
	c.buf = append(c.buf[:0], prev...)
	c.buf = e.canonical(c.buf)
	sum := sha256.Sum256(c.buf)
	return sum[:]
}

// genesis is the prev_hash of the first seal of every chain.
var genesis = make([]byte, sha256.Size)

// SealPractice appends the practice's unsealed events to its chain and
// returns how many it sealed. It seals batch by batch, each batch its own
// transaction under an advisory lock on the practice (two sealers never
// interleave; writers take no lock and are never blocked), until it has
// caught up or ctx ends; what it committed stays sealed either way.
func (db *DB) SealPractice(ctx context.Context, practiceID string) (int, error) {
	if !isUUID(practiceID) {
		return 0, fmt.Errorf("seal audit log: invalid practice id")
	}
	return db.seal(withTenant(ctx, practiceID), practiceChain(practiceID), nil)
}

// SealPlatform appends the platform log's unsealed events to its chain.
func (db *DB) SealPlatform(ctx context.Context) (int, error) {
	return db.seal(withTenant(ctx, ""), platformChain(), nil)
}

// seal seals batch by batch until it has caught up; pace, when set, is
// called between batches with how long the last one took.
func (db *DB) seal(ctx context.Context, c chain, pace func(context.Context, time.Duration) error) (int, error) {
	total := 0
	for {
		start := time.Now()
		n, done, err := db.sealBatch(ctx, c, sealBatch, false)
		if isUniqueViolation(err, "") {
			// Some were sealed by a sealer without heads (a replica not yet
			// upgraded past 0009): read the batch again, skipping those.
			n, done, err = db.sealBatch(ctx, c, sealBatch, true)
		}
		total += n
		if err != nil {
			return total, err
		}
		if done {
			return total, nil
		}
		if pace != nil {
			err = pace(ctx, time.Since(start))
		}
		if err == nil {
			err = ctx.Err()
		}
		if err != nil {
			return total, err
		}
	}
}

// sealPlan pins the plan of the sealer's reads, for its transaction only, to
// what the explicit bounds are for: an ordered index range stopped by the
// LIMIT. Without statistics (a bulk load not yet analyzed) the planner
// otherwise reads every event past the head into a bitmap and sorts them,
// once per batch, so a backlog costs the square of its size. JIT is off with
// them: a disabled node adds 1e10 to a plan's cost, far above jit_above_cost,
// so each small read (the gaps' final sort) was compiled by LLVM first, at
// 0.3-1.5 s of PostgreSQL CPU per pass taken from every request.
const sealPlan = `SELECT set_config('enable_seqscan', 'off', true), set_config('enable_bitmapscan', 'off', true), set_config('enable_sort', 'off', true),
	set_config('jit', 'off', true)`

// sealHead is a chain's position; see the audit_seal_heads table.
type sealHead struct {
	xid      uint64
	eventID  int64
	gaps     []uint64
	gapAfter []int64
}

// sealBatch seals up to limit events in one transaction: first those of gap
// transactions that have ended, then forward from the head. done reports
// that nothing more was there to read under its snapshot. skipSealed looks
// up every event read in the seals (otherwise only those from before 0009).
func (db *DB) sealBatch(ctx context.Context, c chain, limit int, skipSealed bool) (sealed int, done bool, err error) {
	err = db.do(ctx, func(tx pgx.Tx) error {
		sealed, done = 0, false
		// Read after the lock: under READ COMMITTED these statements see
		// what the previous holder committed.
		b := &pgx.Batch{}
		b.Queue(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, c.lockKey)
		b.Queue(sealPlan)
		// Every transaction below xmax and not in xip has ended: its
		// events are all visible from here on, and it writes no more.
		b.Queue(`SELECT pg_snapshot_xmax(s), ARRAY(SELECT pg_snapshot_xip(s)) FROM pg_current_snapshot() s`)
		b.Queue(c.head, c.practiceID)
		b.Queue(c.lastSeal, c.practiceID)
		br := tx.SendBatch(ctx, b)
		var xmax uint64
		var xip []uint64
		var head sealHead
		var seq int64
		var last []byte
		_, err := br.Exec()
		if err == nil {
			_, err = br.Exec()
		}
		if err == nil {
			err = br.QueryRow().Scan(&xmax, &xip)
		}
		if err == nil {
			err = br.QueryRow().Scan(&head.xid, &head.eventID, &head.gaps, &head.gapAfter)
			if errors.Is(err, pgx.ErrNoRows) {
				err = nil // a chain that has never been sealed
			}
		}
		if err == nil {
			err = br.QueryRow().Scan(&seq, &last)
			if errors.Is(err, pgx.ErrNoRows) {
				err = nil
			}
		}
		if cerr := br.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("read chain head: %w", err)
		}
		inFlight := map[uint64]bool{}
		for _, x := range xip {
			inFlight[x] = true
		}

		next := sealHead{xid: head.xid, eventID: head.eventID, gaps: []uint64{}, gapAfter: []int64{}}
		var events []chainEvent
		var xidsRead []uint64
		budget := limit

		// Gap transactions that have ended, each from its own progress.
		var ended []uint64
		var endedAfter []int64
		for i, g := range head.gaps {
			if inFlight[g] {
				next.gaps, next.gapAfter = append(next.gaps, g), append(next.gapAfter, head.gapAfter[i])
			} else {
				ended, endedAfter = append(ended, g), append(endedAfter, head.gapAfter[i])
			}
		}
		if len(ended) > 0 {
			xids, got, err := readChainEvents(ctx, tx, c.inGaps, c.practiceID, ended, endedAfter, budget)
			if err != nil {
				return fmt.Errorf("read events of ended transactions: %w", err)
			}
			// A full read may stop inside a gap: that one keeps its
			// progress, and those after it are not reached yet.
			full := len(got) == budget
			for i, g := range ended {
				switch {
				case !full || g < xids[len(xids)-1]: // all its events read
				case g == xids[len(xids)-1]:
					next.gaps, next.gapAfter = append(next.gaps, g), append(next.gapAfter, got[len(got)-1].ID)
				default:
					next.gaps, next.gapAfter = append(next.gaps, g), append(next.gapAfter, endedAfter[i])
				}
			}
			budget -= len(got)
			events, xidsRead = got, xids
		}

		if budget > 0 {
			xids, got, err := readChainEvents(ctx, tx, c.forward, c.practiceID, head.xid, head.eventID, xmax, nonNilXids(xip), budget)
			if err != nil {
				return fmt.Errorf("read unsealed events: %w", err)
			}
			done = len(got) < budget
			if len(got) > 0 {
				next.xid, next.eventID = xids[len(xids)-1], got[len(got)-1].ID
				// The head passes these in-flight transactions: gaps now.
				for _, x := range xip {
					if x > head.xid && x < next.xid && !slices.Contains(next.gaps, x) {
						next.gaps, next.gapAfter = append(next.gaps, x), append(next.gapAfter, 0)
					}
				}
			}
			events, xidsRead = append(events, got...), append(xidsRead, xids...)
		}
		if events, err = dropSealed(ctx, tx, c, xidsRead, events, skipSealed); err != nil {
			return err
		}

		prev := genesis
		if seq > 0 {
			prev = last
		}
		var hasher chainHasher
		seqs, ids, prevs, hashes := make([]int64, len(events)), make([]int64, len(events)), make([][]byte, len(events)), make([][]byte, len(events))
		for i, e := range events {
			h := hasher.hash(prev, e)
			seq++
			seqs[i], ids[i], prevs[i], hashes[i] = seq, e.ID, prev, h
			prev = h
		}
		b = &pgx.Batch{}
		if len(events) > 0 {
			b.Queue(c.insert, c.practiceID, seqs, ids, prevs, hashes)
		}
		if !next.equal(head) {
			b.Queue(c.saveHead, c.practiceID, next.xid, next.eventID, next.gaps, next.gapAfter)
		}
		if b.Len() > 0 {
			if err := tx.SendBatch(ctx, b).Close(); err != nil {
				return fmt.Errorf("insert seals: %w", err)
			}
		}
		sealed = len(events)
		return nil
	})
	if err != nil {
		return 0, false, err
	}
	return sealed, done, nil
}

// readChainEvents runs one of a chain's event reads (xid, then the event).
func readChainEvents(ctx context.Context, tx pgx.Tx, sql string, args ...any) (xids []uint64, events []chainEvent, err error) {
	rows, err := tx.Query(ctx, sql, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var xid uint64
		e, err := scanChainEvent(rows, &xid)
		if err != nil {
			return nil, nil, err
		}
		xids, events = append(xids, xid), append(events, e)
	}
	return xids, events, rows.Err()
}

// dropSealed drops the events sealed already: among those written before
// the heads existed (xid 0), the old sealer had sealed some; with all, any.
func dropSealed(ctx context.Context, tx pgx.Tx, c chain, xids []uint64, events []chainEvent, all bool) ([]chainEvent, error) {
	var check []int64
	for i, x := range xids {
		if all || x == 0 {
			check = append(check, events[i].ID)
		}
	}
	if len(check) == 0 {
		return events, nil
	}
	rows, err := tx.Query(ctx, c.sealedOf, c.practiceID, check)
	if err != nil {
		return nil, fmt.Errorf("read seals: %w", err)
	}
	sealed := map[int64]bool{}
	var id int64
	if _, err := pgx.ForEachRow(rows, []any{&id}, func() error { sealed[id] = true; return nil }); err != nil {
		return nil, fmt.Errorf("read seals: %w", err)
	}
	return slices.DeleteFunc(events, func(e chainEvent) bool { return sealed[e.ID] }), nil
}

func (h sealHead) equal(o sealHead) bool {
	return h.xid == o.xid && h.eventID == o.eventID && slices.Equal(h.gaps, o.gaps) && slices.Equal(h.gapAfter, o.gapAfter)
}

// nonNilXids keeps an empty array an array: pgx sends a nil slice as NULL,
// and x <> ALL (NULL) is never true.
func nonNilXids(s []uint64) []uint64 {
	if s == nil {
		return []uint64{}
	}
	return s
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

// verifyBatch bounds the seals walked per transaction.
const verifyBatch = 10_000

// verify walks a chain in seq order, batch by batch (each an ordered index
// range after the last seq), so memory and transactions stay small however
// long the log.
func (db *DB) verify(ctx context.Context, c chain) (*AuditBreak, error) {
	var want int64 = 1
	after := int64(math.MinInt64) // a tampered seq below 1 is walked too
	prev := genesis
	for {
		var brk *AuditBreak
		n := 0
		err := db.do(ctx, func(tx pgx.Tx) error {
			brk, n = nil, 0
			if _, err := tx.Exec(ctx, sealPlan); err != nil {
				return err
			}
			rows, err := tx.Query(ctx, c.walk, c.practiceID, after, verifyBatch)
			if err != nil {
				return err
			}
			defer rows.Close()
			var hasher chainHasher
			for rows.Next() {
				n++
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
				case !bytes.Equal(hasher.hash(prevHash, e), hash):
					reason = BreakHashMismatch
				}
				if reason != "" {
					brk = &AuditBreak{PracticeID: c.practiceID, Seq: seq, EventID: eventID, Reason: reason}
					return nil
				}
				want, after, prev = seq+1, seq, hash
			}
			return rows.Err()
		})
		if err != nil || brk != nil || n < verifyBatch {
			return brk, err
		}
	}
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
	// Gather is how long a wake-up waits for more events before sealing,
	// so a busy practice is sealed in one pass (one commit) per Gather
	// instead of one per request: sealing right away cost a commit and a
	// dozen statements per audited read. 0 seals at once.
	Gather time.Duration
}

// sealerGather is the server's Sealer.Gather.
const sealerGather = 100 * time.Millisecond

// RunSealer runs a Sealer until ctx is cancelled; see Sealer.Run.
func (db *DB) RunSealer(ctx context.Context, logger *slog.Logger, sweepEvery time.Duration) error {
	return (&Sealer{DB: db, Logger: logger, SweepEvery: sweepEvery, Gather: sealerGather}).Run(ctx)
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
			s.gather(ctx)
			s.sealPending(ctx, logger, p, notes)
		case p := <-s.DB.auditWake:
			s.gather(ctx)
			s.sealPending(ctx, logger, p, notes)
		}
	}
}

// gather waits Gather (or until ctx ends) for the events of the requests
// under way to commit, so that sealPending finds them all.
func (s *Sealer) gather(ctx context.Context) {
	if s.Gather <= 0 {
		return
	}
	t := time.NewTimer(s.Gather)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
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
		n, err = s.DB.seal(withTenant(ctx, ""), platformChain(), s.yield)
	case isUUID(practiceID):
		n, err = s.DB.seal(withTenant(ctx, practiceID), practiceChain(practiceID), s.yield)
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

// yield paces a catch-up (a backlog of many batches) while this process
// serves requests: when other work holds pool connections, the sealer
// waits as long as its last batch took, leaving requests at least half of
// what it would take from them; idle, it goes straight on.
func (s *Sealer) yield(ctx context.Context, took time.Duration) error {
	if s.DB.pool.Stat().AcquiredConns() == 0 {
		return nil
	}
	t := time.NewTimer(took)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
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
