package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"medic"
)

const orderSelect = `SELECT o.id, o.encounter_id, o.patient_id, o.kind, o.code, o.description, o.urgency, o.note, o.status,
	coalesce(o.ordered_by::text, ''), o.ordered_at, coalesce(o.collected_by::text, ''), o.collected_at, o.resulted_at,
	coalesce(o.reviewed_by::text, ''), o.reviewed_at, coalesce(o.cancelled_by::text, ''), o.cancelled_at, o.cancel_reason,
	p.given_name || ' ' || p.family_name, coalesce(ob.name, ''), coalesce(rb.name, '')
	FROM orders o
	JOIN patients p ON p.practice_id = o.practice_id AND p.id = o.patient_id
	LEFT JOIN users ob ON ob.id = o.ordered_by
	LEFT JOIN users rb ON rb.id = o.reviewed_by`

func scanOrder(row pgx.Row) (*medic.Order, error) {
	var o medic.Order
	var collected, resulted, reviewed, cancelled *time.Time
	if err := row.Scan(&o.ID, &o.EncounterID, &o.PatientID, &o.Kind, &o.Code, &o.Description, &o.Urgency, &o.Note, &o.Status,
		&o.OrderedBy, &o.OrderedAt, &o.CollectedBy, &collected, &resulted, &o.ReviewedBy, &reviewed, &o.CancelledBy, &cancelled, &o.CancelReason,
		&o.PatientName, &o.OrderedByName, &o.ReviewedByName); err != nil {
		return nil, notFound(err)
	}
	for _, t := range []struct {
		dst *time.Time
		src *time.Time
	}{{&o.CollectedAt, collected}, {&o.ResultedAt, resulted}, {&o.ReviewedAt, reviewed}, {&o.CancelledAt, cancelled}} {
		if t.src != nil {
			*t.dst = *t.src
		}
	}
	return &o, nil
}

const resultSelect = `SELECT r.id, r.order_id, r.name, r.value_text, r.value_numeric, r.unit, r.ref_low, r.ref_high, r.ref_text,
	r.marked_abnormal, r.flag, r.report, coalesce(r.entered_by::text, ''), coalesce(u.name, ''), r.entered_at
	FROM order_results r LEFT JOIN users u ON u.id = r.entered_by`

func scanResult(row pgx.Row) (*medic.OrderResult, error) {
	var r medic.OrderResult
	if err := row.Scan(&r.ID, &r.OrderID, &r.Name, &r.Value, &r.Numeric, &r.Unit, &r.RefLow, &r.RefHigh, &r.RefText,
		&r.Abnormal, &r.Flag, &r.Report, &r.EnteredBy, &r.EnteredByName, &r.EnteredAt); err != nil {
		return nil, err
	}
	return &r, nil
}

// CreateOrder implements medic.OrderService.
func (db *DB) CreateOrder(ctx context.Context, o *medic.Order) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	user := medic.ActorFrom(ctx).UserID
	return db.do(ctx, func(tx pgx.Tx) error {
		// Locked like a diagnosis: a finish running meanwhile waits.
		patientID, err := draftEncounter(ctx, tx, pid, o.EncounterID)
		if err != nil {
			return err
		}
		id := newID()
		if _, err := tx.Exec(ctx, `INSERT INTO orders (practice_id, id, encounter_id, patient_id, kind, code, description, urgency, note, ordered_by, ordered_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			pid, id, o.EncounterID, patientID, o.Kind, o.Code, o.Description, o.Urgency, o.Note, nullID(user), orZero(o.OrderedAt, db.now())); err != nil {
			return err
		}
		got, err := findOrder(ctx, tx, pid, id)
		if err != nil {
			return err
		}
		*o = *got
		return nil
	})
}

func findOrder(ctx context.Context, tx pgx.Tx, pid, id string) (*medic.Order, error) {
	o, err := scanOrder(tx.QueryRow(ctx, orderSelect+` WHERE o.practice_id = $1 AND o.id = $2`, pid, id))
	if err != nil {
		return nil, err
	}
	o.Results, err = queryAll(ctx, tx, scanResult, resultSelect+` WHERE r.practice_id = $1 AND r.order_id = $2 ORDER BY r.seq`, pid, id)
	return o, err
}

// FindOrder implements medic.OrderService.
func (db *DB) FindOrder(ctx context.Context, id string) (o *medic.Order, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !isUUID(id) {
		return nil, medic.ErrNotFound
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		o, err = findOrder(ctx, tx, pid, id)
		return err
	})
	return o, err
}

// orderWhere is the filter's condition; false when an id in it is not a
// UUID (it matches nothing).
func orderWhere(pid string, f medic.OrderFilter, args *queryArgs) (string, bool) {
	where := "o.practice_id = " + args.add(pid)
	for _, c := range [...]struct{ col, id string }{{"o.patient_id", f.PatientID}, {"o.encounter_id", f.EncounterID}, {"o.ordered_by", f.OrderedBy}} {
		if c.id == "" {
			continue
		}
		if !isUUID(c.id) {
			return "", false
		}
		where += " AND " + c.col + " = " + args.add(c.id) + "::uuid"
	}
	if f.PatientIDs != nil {
		where += " AND " + anyUUID("o.patient_id", f.PatientIDs, args)
	}
	if len(f.Statuses) > 0 {
		ss := make([]string, len(f.Statuses))
		for i, s := range f.Statuses {
			ss[i] = string(s)
		}
		where += " AND o.status = ANY(" + args.add(ss) + "::text[])"
	}
	if len(f.Kinds) > 0 {
		ks := make([]string, len(f.Kinds))
		for i, k := range f.Kinds {
			ks[i] = string(k)
		}
		where += " AND o.kind = ANY(" + args.add(ks) + "::text[])"
	}
	if len(f.Codes) > 0 {
		where += " AND o.code = ANY(" + args.add(f.Codes) + "::text[])"
	}
	if !f.OrderedFrom.IsZero() {
		where += " AND o.ordered_at >= " + args.add(f.OrderedFrom)
	}
	if !f.OrderedBefore.IsZero() {
		where += " AND o.ordered_at < " + args.add(f.OrderedBefore)
	}
	return where, true
}

// ListOrders implements medic.OrderService (keyset paged on ordered_at, id).
func (db *DB) ListOrders(ctx context.Context, f medic.OrderFilter, oldestFirst bool, page medic.Page) (os []*medic.Order, next string, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, "", err
	}
	page = page.Normalize()
	var args queryArgs
	where, ok := orderWhere(pid, f, &args)
	if !ok {
		return []*medic.Order{}, "", nil
	}
	cmp, dir := "<", "DESC"
	if oldestFirst {
		cmp, dir = ">", "ASC"
	}
	if page.Cursor != "" {
		var at time.Time
		var atID string
		if err := decodeCursor(page.Cursor, &at, &atID); err != nil {
			return nil, "", err
		}
		if !isUUID(atID) {
			return nil, "", errBadCursor
		}
		where += " AND (o.ordered_at, o.id) " + cmp + " (" + args.add(at) + "::timestamptz, " + args.add(atID) + "::uuid)"
	}
	sql := orderSelect + " WHERE " + where + " ORDER BY o.ordered_at " + dir + ", o.id " + dir + " LIMIT " + args.add(page.Limit+1)
	err = db.do(ctx, func(tx pgx.Tx) error {
		var err error
		if os, err = queryAll(ctx, tx, scanOrder, sql, args...); err != nil || !f.WithResults || len(os) == 0 {
			return err
		}
		return fillResults(ctx, tx, pid, os)
	})
	if err != nil {
		return nil, "", err
	}
	if len(os) > page.Limit {
		os = os[:page.Limit]
		last := os[len(os)-1]
		next = encodeCursor(last.OrderedAt, last.ID)
	}
	if os == nil {
		os = []*medic.Order{}
	}
	return os, next, nil
}

// fillResults reads the results of the listed orders in one query.
func fillResults(ctx context.Context, tx pgx.Tx, pid string, os []*medic.Order) error {
	byID := make(map[string]*medic.Order, len(os))
	ids := make([]string, len(os))
	for i, o := range os {
		byID[o.ID], ids[i] = o, o.ID
	}
	rs, err := queryAll(ctx, tx, scanResult, resultSelect+` WHERE r.practice_id = $1 AND r.order_id = ANY($2::uuid[]) ORDER BY r.order_id, r.seq`, pid, ids)
	if err != nil {
		return err
	}
	for _, r := range rs {
		if o := byID[r.OrderID]; o != nil {
			o.Results = append(o.Results, r)
		}
	}
	return nil
}

// CountOrders implements medic.OrderService.
func (db *DB) CountOrders(ctx context.Context, f medic.OrderFilter) (n int, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return 0, err
	}
	var args queryArgs
	where, ok := orderWhere(pid, f, &args)
	if !ok {
		return 0, nil
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT count(*) FROM orders o WHERE `+where, args...).Scan(&n)
	})
	return n, err
}

// lockOrder locks the order for a change and returns its status.
func lockOrder(ctx context.Context, tx pgx.Tx, pid, id string) (medic.OrderStatus, string, error) {
	if !isUUID(id) {
		return "", "", medic.ErrNotFound
	}
	var status medic.OrderStatus
	var patientID string
	err := tx.QueryRow(ctx, `SELECT status, patient_id FROM orders WHERE practice_id = $1 AND id = $2 FOR UPDATE`, pid, id).Scan(&status, &patientID)
	return status, patientID, notFound(err)
}

// ChangeOrder implements medic.OrderService.
func (db *DB) ChangeOrder(ctx context.Context, id string, c medic.OrderChange) (o *medic.Order, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		status, _, err := lockOrder(ctx, tx, pid, id)
		if err != nil {
			return err
		}
		if !containsStatus(c.From, status) {
			return medic.ErrOrderStatus(status, c.What)
		}
		now, by := orZero(c.At, db.now()), nullID(c.By)
		var sql string
		switch c.To {
		case medic.OrderCollected:
			sql = `UPDATE orders SET status = 'collected', collected_at = $3, collected_by = $4 WHERE practice_id = $1 AND id = $2`
		case medic.OrderReviewed:
			sql = `UPDATE orders SET status = 'reviewed', reviewed_at = $3, reviewed_by = $4 WHERE practice_id = $1 AND id = $2`
		case medic.OrderCancelled:
			sql = `UPDATE orders SET status = 'cancelled', cancelled_at = $3, cancelled_by = $4, cancel_reason = $5 WHERE practice_id = $1 AND id = $2`
		default:
			return medic.Errorf(medic.EINVALID, "An order cannot be moved to %q.", c.To)
		}
		args := []any{pid, id, now, by}
		if c.To == medic.OrderCancelled {
			args = append(args, c.Reason)
		}
		if _, err := tx.Exec(ctx, sql, args...); err != nil {
			return err
		}
		o, err = findOrder(ctx, tx, pid, id)
		return err
	})
	return o, err
}

func containsStatus(ss []medic.OrderStatus, s medic.OrderStatus) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// AddOrderResult implements medic.OrderService.
func (db *DB) AddOrderResult(ctx context.Context, r *medic.OrderResult) (o *medic.Order, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	user := medic.ActorFrom(ctx).UserID
	err = db.do(ctx, func(tx pgx.Tx) error {
		status, patientID, err := lockOrder(ctx, tx, pid, r.OrderID)
		if err != nil {
			return err
		}
		if status == medic.OrderReviewed || status == medic.OrderCancelled {
			return medic.ErrOrderStatus(status, "given another result")
		}
		now := orZero(r.EnteredAt, db.now())
		r.ID = newID()
		if _, err := tx.Exec(ctx, `INSERT INTO order_results (practice_id, id, order_id, patient_id, name, value_text, value_numeric, unit,
				ref_low, ref_high, ref_text, marked_abnormal, flag, report, entered_by, entered_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
			pid, r.ID, r.OrderID, patientID, r.Name, r.Value, r.Numeric, r.Unit, r.RefLow, r.RefHigh, r.RefText, r.Abnormal, r.Flag, r.Report,
			nullID(user), now); err != nil {
			return err
		}
		// The first result marks the order resulted; a sample never marked
		// collected was collected by the time it has a result.
		if _, err := tx.Exec(ctx, `UPDATE orders SET status = 'resulted', resulted_at = coalesce(resulted_at, $3)
			WHERE practice_id = $1 AND id = $2`, pid, r.OrderID, now); err != nil {
			return err
		}
		if o, err = findOrder(ctx, tx, pid, r.OrderID); err != nil {
			return err
		}
		*r = *o.Results[len(o.Results)-1]
		return nil
	})
	return o, err
}

// orZero is t, or def when t is zero (a time the caller did not set).
func orZero(t, def time.Time) time.Time {
	if t.IsZero() {
		return def
	}
	return t
}
