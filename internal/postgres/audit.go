package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"medic"
)

// fillAudit completes an event from the context: actor, request, time.
func (db *DB) fillAudit(ctx context.Context, e *medic.AuditEvent) {
	a := medic.ActorFrom(ctx)
	if e.ActorID == "" {
		e.ActorID, e.ActorEmail = a.UserID, a.Email
	}
	r := medic.RequestInfoFrom(ctx)
	if e.IP == "" {
		e.IP = r.IP
	}
	if e.UserAgent == "" {
		e.UserAgent = r.UserAgent
	}
	if e.RequestID == "" {
		e.RequestID = r.RequestID
	}
	if e.Outcome == "" {
		e.Outcome = medic.OutcomeSuccess
	}
	// Work done through a personal API token names it, so the log (and
	// FHIR AuditEvent.agent) tells which client acted.
	if (a.TokenID != "" && e.Detail["token_id"] == "") || (a.ClientID != "" && e.Detail["client_id"] == "") {
		d := make(map[string]string, len(e.Detail)+2)
		for k, v := range e.Detail {
			d[k] = v
		}
		if a.TokenID != "" {
			d["token_id"] = a.TokenID
		}
		if a.ClientID != "" { // a SMART app
			d["client_id"] = a.ClientID
		}
		e.Detail = d
	}
	if e.OccurredAt.IsZero() {
		e.OccurredAt = db.now()
	}
	if len(e.UserAgent) > 300 {
		e.UserAgent = e.UserAgent[:300]
	}
}

// Record appends an event to the log of the practice in context (or of
// e.PracticeID when set, for sign-in events written into each practice of
// the user) in the current transaction.
func (db *DB) Record(ctx context.Context, e medic.AuditEvent) error {
	// Work inside a practice writes only to that practice's log; naming
	// another practice is for work outside any (sign-in, operator).
	if pid, ok := medic.TenantFrom(ctx); ok {
		if e.PracticeID != "" && e.PracticeID != pid.PracticeID {
			return errors.New("postgres: audit event for another practice than the one in context")
		}
		e.PracticeID = pid.PracticeID
	} else if e.PracticeID == "" {
		return errors.New("postgres: no practice in context")
	}
	db.fillAudit(ctx, &e)
	return db.recordFilled(ctx, e.PracticeID, []medic.AuditEvent{e})
}

// RecordMany appends events to the log of the practice in context with one
// INSERT, so a list of fifty charts costs one round trip, not fifty.
func (db *DB) RecordMany(ctx context.Context, es []medic.AuditEvent) error {
	if len(es) == 0 {
		return nil
	}
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	filled := make([]medic.AuditEvent, len(es))
	for i, e := range es {
		db.fillAudit(ctx, &e)
		filled[i] = e
	}
	return db.recordFilled(ctx, pid, filled)
}

// recordFilled writes filled events to practice pid's log: in a read's
// transaction they wait for the read to end and are group-committed with
// other reads' (auditBatcher); otherwise they go out with the
// transaction's next statement or its COMMIT.
func (db *DB) recordFilled(ctx context.Context, pid string, es []medic.AuditEvent) error {
	if st, ok := ctx.Value(txKey{}).(*txState); ok && st.read {
		st.reads = append(st.reads, auditWrite{practice: pid, events: es})
		return nil
	}
	return db.InTx(withTenant(ctx, pid), func(ctx context.Context) error {
		markAudited(ctx, pid)
		return db.later(ctx, insertAuditEventsSQL, auditEventArgs(pid, es)...)
	})
}

// insertAuditEventsSQL inserts the events of auditEventArgs into one
// practice's log.
const insertAuditEventsSQL = `INSERT INTO audit_events (practice_id, occurred_at, actor_id, actor_email, action, entity_type, entity_id, patient_id, outcome, ip, user_agent, request_id, detail, patient_ids)
	SELECT $1, t.at, NULLIF(t.actor, '')::uuid, t.email, t.action, t.etype, t.eid, NULLIF(t.patient, '')::uuid, t.outcome, t.ip, t.ua, t.rid, t.detail::jsonb,
		coalesce(string_to_array(NULLIF(t.pids, ''), ',')::uuid[], '{}')
	FROM unnest($2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[])
		AS t(at, actor, email, action, etype, eid, patient, outcome, ip, ua, rid, detail, pids)`

// auditEventArgs are insertAuditEventsSQL's arguments: filled events of
// practice pid as columns.
func auditEventArgs(pid string, es []medic.AuditEvent) []any {
	n := len(es)
	at, actor, email, action, etype, eid, patient, outcome, ip, ua, rid := make([]time.Time, n), make([]string, n), make([]string, n),
		make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	detail, pids := make([]string, n), make([]string, n)
	for i, e := range es {
		d, _ := json.Marshal(nonNilDetail(e.Detail))
		at[i], actor[i], email[i], action[i], etype[i], eid[i], patient[i] = e.OccurredAt, e.ActorID, e.ActorEmail, e.Action, e.EntityType, e.EntityID, e.PatientID
		outcome[i], ip[i], ua[i], rid[i], detail[i] = e.Outcome, e.IP, e.UserAgent, e.RequestID, string(d)
		pids[i] = strings.Join(patientIDs(e.PatientIDs), ",")
	}
	return []any{pid, at, actor, email, action, etype, eid, patient, outcome, ip, ua, rid, detail, pids}
}

// RecordPlatform appends an event to the platform log.
func (db *DB) RecordPlatform(ctx context.Context, e medic.AuditEvent) error {
	db.fillAudit(ctx, &e)
	detail, _ := json.Marshal(nonNilDetail(e.Detail))
	return db.InTx(ctx, func(ctx context.Context) error {
		markAudited(ctx, "")
		return db.later(ctx, `INSERT INTO platform_events (occurred_at, actor_id, actor_email, action, entity_type, entity_id, outcome, ip, user_agent, request_id, detail)
			VALUES ($1, NULLIF($2, '')::uuid, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			e.OccurredAt, e.ActorID, e.ActorEmail, e.Action, e.EntityType, e.EntityID, e.Outcome, e.IP, e.UserAgent, e.RequestID, detail)
	})
}

// ListAuditEvents pages through the log of the practice in context, newest first.
func (db *DB) ListAuditEvents(ctx context.Context, f medic.AuditFilter, page medic.Page) (out []medic.AuditEvent, next string, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, "", err
	}
	page = page.Normalize()
	var beforeID int64
	if page.Cursor != "" {
		if err := decodeCursor(page.Cursor, &beforeID); err != nil {
			return nil, "", err
		}
	}
	if f.PatientID != "" && !isUUID(f.PatientID) {
		return nil, "", nil // names no chart, so no event names it
	}
	from, to := f.From, f.To
	if from.IsZero() {
		from = time.Unix(0, 0)
	}
	if to.IsZero() {
		to = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT e.id, e.practice_id, e.occurred_at, coalesce(e.actor_id::text, ''), e.actor_email, e.action, e.entity_type, e.entity_id,
				coalesce(e.patient_id::text, ''), e.outcome, e.ip, e.user_agent, e.request_id, e.detail, coalesce(s.seq, 0), e.patient_ids::text[]
			FROM audit_events e LEFT JOIN audit_seals s ON s.practice_id = e.practice_id AND s.event_id = e.id
			WHERE e.practice_id = $1 AND ($2 = 0 OR e.id < $2)
			  AND ($3 = '' OR e.action LIKE $3 || '%') AND ($4 = '' OR e.actor_id::text = $4) AND ($5 = '' OR e.entity_id = $5)
			  AND ($6 = '' OR e.patient_id = NULLIF($6, '')::uuid OR (cardinality(e.patient_ids) > 0 AND e.patient_ids @> ARRAY[NULLIF($6, '')::uuid])) AND ($7 = '' OR e.outcome = $7) AND e.occurred_at >= $8 AND e.occurred_at < $9
			  AND ($11 = 0 OR e.id = $11)
			ORDER BY e.id DESC LIMIT $10`,
			pid, beforeID, f.Action, f.ActorID, f.EntityID, f.PatientID, f.Outcome, from, to, page.Limit+1, f.ID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e medic.AuditEvent
			var detail []byte
			if err := rows.Scan(&e.ID, &e.PracticeID, &e.OccurredAt, &e.ActorID, &e.ActorEmail, &e.Action, &e.EntityType, &e.EntityID,
				&e.PatientID, &e.Outcome, &e.IP, &e.UserAgent, &e.RequestID, &detail, &e.Seq, &e.PatientIDs); err != nil {
				return err
			}
			_ = json.Unmarshal(detail, &e.Detail)
			out = append(out, e)
		}
		return rows.Err()
	})
	if len(out) > page.Limit {
		out = out[:page.Limit]
		next = encodeCursor(out[len(out)-1].ID)
	}
	return out, next, err
}

// patientIDs are the distinct ids of a list in their first order, never
// nil (the column is NOT NULL).
func patientIDs(ids []string) []string {
	out := make([]string, 0, len(ids))
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

func nonNilDetail(d map[string]string) map[string]string {
	if d == nil {
		return map[string]string{}
	}
	return d
}
