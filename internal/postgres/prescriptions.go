package postgres

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"medic"
)

// Prescriptions and their items (migration 0024).

const prescriptionSelect = `SELECT r.id, r.encounter_id, r.patient_id, p.given_name || ' ' || p.family_name, r.prescriber_id, coalesce(u.name, ''),
		coalesce((SELECT pr.id::text FROM members mb JOIN practitioners pr ON pr.practice_id = mb.practice_id AND pr.member_id = mb.id
			WHERE mb.practice_id = r.practice_id AND mb.user_id = r.prescriber_id), ''),
		r.status, r.issued_at, coalesce(r.cancelled_at, 'epoch'::timestamptz), coalesce(r.cancelled_by::text, ''), r.cancel_reason
	FROM prescriptions r
	JOIN patients p ON p.practice_id = r.practice_id AND p.id = r.patient_id
	LEFT JOIN users u ON u.id = r.prescriber_id`

func scanPrescription(row pgx.Row) (*medic.Prescription, error) {
	var p medic.Prescription
	var cancelled time.Time
	if err := row.Scan(&p.ID, &p.EncounterID, &p.PatientID, &p.PatientName, &p.PrescriberID, &p.PrescriberName,
		&p.PrescriberPractitionerID, &p.Status, &p.IssuedAt, &cancelled, &p.CancelledBy, &p.CancelReason); err != nil {
		return nil, notFound(err)
	}
	if cancelled.Unix() != 0 {
		p.CancelledAt = cancelled
	}
	return &p, nil
}

const itemColumns = `i.id, i.medicine_id, i.medicine_label, i.dose, i.route, i.frequency, i.duration_days, i.quantity, i.repeats,
	i.instructions, i.alerts, i.override_reason, i.current_until,
	coalesce((SELECT m.atc FROM medicines m WHERE m.practice_id = i.practice_id AND m.id = i.medicine_id), '')`

// alertJSON is an alert as the items' alerts column holds it.
type alertJSON struct {
	Kind     medic.AlertKind `json:"kind"`
	Severity string          `json:"severity"`
	Message  string          `json:"message"`
}

func scanItem(row pgx.Row) (*medic.PrescriptionItem, string, error) {
	var it medic.PrescriptionItem
	var rxID string
	var alerts []alertJSON
	var until time.Time
	if err := row.Scan(&rxID, &it.ID, &it.MedicineID, &it.MedicineLabel, &it.Dose, &it.Route, &it.Frequency, &it.DurationDays,
		&it.Quantity, &it.Repeats, &it.Instructions, &alerts, &it.OverrideReason, &until, &it.ATC); err != nil {
		return nil, "", err
	}
	it.Until = medic.DateOf(until)
	for _, a := range alerts {
		it.Alerts = append(it.Alerts, medic.SafetyAlert{Kind: a.Kind, Severity: a.Severity, Message: a.Message})
	}
	return &it, rxID, nil
}

// withItems reads the items of ps in one query.
func withItems(ctx context.Context, tx pgx.Tx, pid string, ps []*medic.Prescription) error {
	if len(ps) == 0 {
		return nil
	}
	ids := make([]string, len(ps))
	byID := make(map[string]*medic.Prescription, len(ps))
	for i, p := range ps {
		ids[i], byID[p.ID] = p.ID, p
	}
	rows, err := tx.Query(ctx, `SELECT i.prescription_id, `+itemColumns+` FROM prescription_items i
		WHERE i.practice_id = $1 AND i.prescription_id = ANY($2::uuid[]) ORDER BY i.prescription_id, i.position`, pid, ids)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		it, rxID, err := scanItem(rows)
		if err != nil {
			return err
		}
		byID[rxID].Items = append(byID[rxID].Items, it)
	}
	return rows.Err()
}

// PrescribingChart implements medic.PrescriptionService.
func (db *DB) PrescribingChart(ctx context.Context, encounterID string, on medic.Date) (*medic.PrescribingChart, error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !isUUID(encounterID) {
		return nil, medic.ErrNotFound
	}
	c := &medic.PrescribingChart{}
	err = db.do(ctx, func(tx pgx.Tx) error {
		var err error
		if c.Encounter, err = scanEncounter(tx.QueryRow(ctx, encounterSelect+` WHERE e.practice_id = $1 AND e.id = $2`, pid, encounterID)); err != nil {
			return err
		}
		var dob time.Time
		if err := tx.QueryRow(ctx, `SELECT date_of_birth FROM patients WHERE practice_id = $1 AND id = $2`, pid, c.Encounter.PatientID).Scan(&dob); err != nil {
			return notFound(err)
		}
		c.DateOfBirth = medic.DateOf(dob)
		if c.Allergies, err = queryAll(ctx, tx, scanAllergy, `SELECT `+allergyColumns+allergyFrom+`
			WHERE a.practice_id = $1 AND a.patient_id = $2 AND a.status = 'active' ORDER BY a.seq`, pid, c.Encounter.PatientID); err != nil {
			return err
		}
		if c.Current, err = currentMedicines(ctx, tx, pid, c.Encounter.PatientID, on); err != nil {
			return err
		}
		var w *float64
		var at *time.Time
		err = tx.QueryRow(ctx, `SELECT weight_kg::float8, measured_at FROM encounter_vitals
			WHERE practice_id = $1 AND patient_id = $2 AND weight_kg IS NOT NULL ORDER BY measured_at DESC LIMIT 1`, pid, c.Encounter.PatientID).Scan(&w, &at)
		if err == nil && w != nil {
			c.WeightKg, c.WeighedAt = *w, *at
		} else if err != nil && err != pgx.ErrNoRows {
			return err
		}
		return nil
	})
	return c, err
}

// currentMedicines reads a chart's items in use on the day, with their
// medicines, newest first.
func currentMedicines(ctx context.Context, tx pgx.Tx, pid, patientID string, on medic.Date) ([]*medic.CurrentMedicine, error) {
	rows, err := tx.Query(ctx, `SELECT i.prescription_id, `+itemColumns+`, r.issued_at, i.current_until,
			m.id, m.name, m.ingredients, m.atc, m.strength, m.form, m.route, m.schedule, m.dose_unit, m.unit_mg, m.paed_max_mg_kg_day, m.source, m.active
		FROM prescription_items i
		JOIN prescriptions r ON r.practice_id = i.practice_id AND r.id = i.prescription_id
		JOIN medicines m ON m.practice_id = i.practice_id AND m.id = i.medicine_id
		WHERE i.practice_id = $1 AND i.patient_id = $2 AND i.current_until >= $3::date AND r.status = 'issued'
		ORDER BY r.issued_at DESC, i.position`, pid, patientID, on.Time())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*medic.CurrentMedicine
	for rows.Next() {
		var cm medic.CurrentMedicine
		var it medic.PrescriptionItem
		var m medic.Medicine
		var alerts []alertJSON
		var until, itemUntil time.Time
		if err := rows.Scan(&cm.PrescriptionID, &it.ID, &it.MedicineID, &it.MedicineLabel, &it.Dose, &it.Route, &it.Frequency, &it.DurationDays,
			&it.Quantity, &it.Repeats, &it.Instructions, &alerts, &it.OverrideReason, &itemUntil, &it.ATC, &cm.IssuedAt, &until,
			&m.ID, &m.Name, &m.Ingredients, &m.ATC, &m.Strength, &m.Form, &m.Route, &m.Schedule, &m.DoseUnit, &m.UnitMg, &m.PaedMaxMgKgDay, &m.Source, &m.Active); err != nil {
			return nil, err
		}
		for _, a := range alerts {
			it.Alerts = append(it.Alerts, medic.SafetyAlert{Kind: a.Kind, Severity: a.Severity, Message: a.Message})
		}
		it.Until = medic.DateOf(itemUntil)
		cm.Item, cm.Medicine, cm.Until = &it, &m, medic.DateOf(until)
		out = append(out, &cm)
	}
	return out, rows.Err()
}

// CurrentMedicines implements medic.PrescriptionService.
func (db *DB) CurrentMedicines(ctx context.Context, patientID string, on medic.Date) (out []*medic.CurrentMedicine, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		if err := chartOpen(ctx, tx, pid, patientID, false); err != nil {
			return err
		}
		out, err = currentMedicines(ctx, tx, pid, patientID, on)
		return err
	})
	return out, err
}

// CreatePrescription implements medic.PrescriptionService: the
// prescription and its items in one batch, each item's last day of use
// counted from the issue date in the practice's zone (set by the caller
// through p.IssuedAt's location).
func (db *DB) CreatePrescription(ctx context.Context, p *medic.Prescription) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	if !isUUID(p.EncounterID) {
		return medic.ErrNotFound
	}
	if p.IssuedAt.IsZero() {
		p.IssuedAt = db.now()
	}
	issued := medic.DateOf(p.IssuedAt)
	return db.do(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO prescriptions (practice_id, encounter_id, patient_id, prescriber_id, issued_at)
			SELECT e.practice_id, e.id, e.patient_id, $3, $4 FROM encounters e WHERE e.practice_id = $1 AND e.id = $2
			RETURNING id, patient_id`, pid, p.EncounterID, p.PrescriberID, p.IssuedAt).Scan(&p.ID, &p.PatientID); err != nil {
			return notFound(err)
		}
		p.Status = medic.PrescriptionIssued
		b := &pgx.Batch{}
		for i, it := range p.Items {
			alerts := make([]alertJSON, len(it.Alerts))
			for j, a := range it.Alerts {
				alerts[j] = alertJSON{Kind: a.Kind, Severity: a.Severity, Message: a.Message}
			}
			raw, _ := json.Marshal(alerts)
			b.Queue(`INSERT INTO prescription_items (practice_id, prescription_id, patient_id, position, medicine_id, medicine_label, dose, route,
					frequency, duration_days, quantity, repeats, instructions, alerts, override_reason, current_until)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id`,
				pid, p.ID, p.PatientID, i, it.MedicineID, it.MedicineLabel, it.Dose, it.Route, it.Frequency, it.DurationDays, it.Quantity,
				it.Repeats, it.Instructions, raw, it.OverrideReason, it.CurrentUntil(issued).Time()).QueryRow(func(row pgx.Row) error {
				return row.Scan(&it.ID)
			})
		}
		return tx.SendBatch(ctx, b).Close()
	})
}

// FindPrescription implements medic.PrescriptionService.
func (db *DB) FindPrescription(ctx context.Context, id string) (p *medic.Prescription, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !isUUID(id) {
		return nil, medic.ErrNotFound
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		if p, err = scanPrescription(tx.QueryRow(ctx, prescriptionSelect+` WHERE r.practice_id = $1 AND r.id = $2`, pid, id)); err != nil {
			return err
		}
		return withItems(ctx, tx, pid, []*medic.Prescription{p})
	})
	return p, err
}

// ListPrescriptions implements medic.PrescriptionService.
func (db *DB) ListPrescriptions(ctx context.Context, f medic.PrescriptionFilter, page medic.Page) (ps []*medic.Prescription, next string, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, "", err
	}
	page = page.Normalize()
	var args queryArgs
	where := "r.practice_id = " + args.add(pid)
	for _, c := range [...]struct{ col, id string }{{"r.patient_id", f.PatientID}, {"r.encounter_id", f.EncounterID}} {
		if c.id == "" {
			continue
		}
		if !isUUID(c.id) {
			return []*medic.Prescription{}, "", nil
		}
		where += " AND " + c.col + " = " + args.add(c.id) + "::uuid"
	}
	if f.PatientIDs != nil {
		where += " AND " + anyUUID("r.patient_id", f.PatientIDs, &args)
	}
	if page.Cursor != "" {
		var before time.Time
		var beforeID string
		if err := decodeCursor(page.Cursor, &before, &beforeID); err != nil {
			return nil, "", err
		}
		if !isUUID(beforeID) {
			return nil, "", errBadCursor
		}
		where += " AND (r.issued_at, r.id) < (" + args.add(before) + "::timestamptz, " + args.add(beforeID) + "::uuid)"
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		var err error
		if ps, err = queryAll(ctx, tx, scanPrescription, prescriptionSelect+" WHERE "+where+" ORDER BY r.issued_at DESC, r.id DESC LIMIT "+args.add(page.Limit+1), args...); err != nil {
			return err
		}
		if len(ps) > page.Limit {
			ps = ps[:page.Limit]
			last := ps[len(ps)-1]
			next = encodeCursor(last.IssuedAt, last.ID)
		}
		return withItems(ctx, tx, pid, ps)
	})
	if ps == nil {
		ps = []*medic.Prescription{}
	}
	return ps, next, err
}

// CancelPrescription implements medic.PrescriptionService.
func (db *DB) CancelPrescription(ctx context.Context, id, by, reason string) (p *medic.Prescription, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !isUUID(id) {
		return nil, medic.ErrNotFound
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		var status string
		if err := tx.QueryRow(ctx, `SELECT status FROM prescriptions WHERE practice_id = $1 AND id = $2 FOR UPDATE`, pid, id).Scan(&status); err != nil {
			return notFound(err)
		}
		if status != string(medic.PrescriptionIssued) {
			return &medic.Error{Code: medic.ECONFLICT, Message: "The prescription is cancelled already."}
		}
		if _, err := tx.Exec(ctx, `UPDATE prescriptions SET status = 'cancelled', cancelled_at = $3, cancelled_by = $4, cancel_reason = $5
			WHERE practice_id = $1 AND id = $2`, pid, id, db.now(), by, reason); err != nil {
			return err
		}
		if p, err = scanPrescription(tx.QueryRow(ctx, prescriptionSelect+` WHERE r.practice_id = $1 AND r.id = $2`, pid, id)); err != nil {
			return err
		}
		return withItems(ctx, tx, pid, []*medic.Prescription{p})
	})
	return p, err
}

// FindPrescriptionByItem implements medic.PrescriptionService.
func (db *DB) FindPrescriptionByItem(ctx context.Context, itemID string) (p *medic.Prescription, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !isUUID(itemID) {
		return nil, medic.ErrNotFound
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		if p, err = scanPrescription(tx.QueryRow(ctx, prescriptionSelect+` WHERE r.practice_id = $1
			AND r.id = (SELECT prescription_id FROM prescription_items WHERE practice_id = $1 AND id = $2)`, pid, itemID)); err != nil {
			return err
		}
		return withItems(ctx, tx, pid, []*medic.Prescription{p})
	})
	return p, err
}

// ListPrescriptionItems implements medic.PrescriptionService: one query
// for the page of items (keyset on the status rank when sorted by status,
// issue time, prescription and position), then their prescriptions.
func (db *DB) ListPrescriptionItems(ctx context.Context, f medic.MedicationFilter, page medic.Page) (out []*medic.Prescription, next string, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, "", err
	}
	page = page.Normalize()
	var args queryArgs
	where := "i.practice_id = " + args.add(pid)
	for _, c := range [...]struct{ col, id string }{{"i.patient_id", f.PatientID}, {"r.encounter_id", f.EncounterID}} {
		if c.id == "" {
			continue
		}
		if !isUUID(c.id) {
			return []*medic.Prescription{}, "", nil
		}
		where += " AND " + c.col + " = " + args.add(c.id) + "::uuid"
	}
	var on string // the day, a parameter once it is needed
	day := func() string {
		if on == "" {
			on = args.add(f.On.Time()) + "::date"
		}
		return on
	}
	if len(f.Statuses) > 0 {
		var any []string
		for _, st := range f.Statuses {
			switch st {
			case medic.MedicationCancelled:
				any = append(any, "r.status = 'cancelled'")
			case medic.MedicationCompleted:
				any = append(any, "(r.status = 'issued' AND i.current_until < "+day()+")")
			case medic.MedicationActive:
				any = append(any, "(r.status = 'issued' AND i.current_until >= "+day()+")")
			}
		}
		where += " AND (" + strings.Join(any, " OR ") + ")"
	}
	// The order: a status rank (0 unless by status), then the
	// prescription's issue time and id (newest first unless by issue
	// time ascending), then the item's position. The cursor names the
	// order it belongs to.
	order := string(f.Sort)
	if f.Desc {
		order = "-" + order
	}
	rank, orderBy, issuedDir, cmp := "0", "", "DESC", "<"
	switch f.Sort {
	case medic.MedicationByStatus:
		rank = "CASE WHEN r.status = 'cancelled' THEN 1 WHEN i.current_until < " + day() + " THEN 2 ELSE 0 END"
		orderBy = "rank, "
		if f.Desc {
			orderBy = "rank DESC, "
		}
	case medic.MedicationByIssued:
		if !f.Desc {
			issuedDir, cmp = "", ">"
		}
	}
	if page.Cursor != "" {
		var cursorOrder string
		var afterRank, position int
		var after time.Time
		var afterID string
		if err := decodeCursor(page.Cursor, &cursorOrder, &afterRank, &after, &afterID, &position); err != nil {
			return nil, "", err
		}
		if cursorOrder != order || !isUUID(afterID) {
			return nil, "", errBadCursor
		}
		key := "(" + args.add(after) + "::timestamptz, " + args.add(afterID) + "::uuid)"
		tail := "((r.issued_at, r.id) " + cmp + " " + key + " OR (r.issued_at, r.id) = " + key + " AND i.position > " + args.add(position) + ")"
		if rank == "0" {
			where += " AND " + tail
		} else {
			rankCmp := map[bool]string{false: ">", true: "<"}[f.Desc]
			k := args.add(afterRank)
			where += " AND (" + rank + " " + rankCmp + " " + k + " OR " + rank + " = " + k + " AND " + tail + ")"
		}
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT i.prescription_id, `+itemColumns+`, r.issued_at, i.position, `+rank+` AS rank
			FROM prescription_items i JOIN prescriptions r ON r.practice_id = i.practice_id AND r.id = i.prescription_id
			WHERE `+where+` ORDER BY `+orderBy+`r.issued_at `+issuedDir+`, r.id `+issuedDir+`, i.position LIMIT `+args.add(page.Limit+1), args...)
		if err != nil {
			return err
		}
		type row struct {
			rx     string
			it     *medic.PrescriptionItem
			issued time.Time
			pos    int
			rank   int
		}
		var items []row
		for rows.Next() {
			var alerts []alertJSON
			var until time.Time
			var r row
			it := &medic.PrescriptionItem{}
			if err := rows.Scan(&r.rx, &it.ID, &it.MedicineID, &it.MedicineLabel, &it.Dose, &it.Route, &it.Frequency, &it.DurationDays,
				&it.Quantity, &it.Repeats, &it.Instructions, &alerts, &it.OverrideReason, &until, &it.ATC, &r.issued, &r.pos, &r.rank); err != nil {
				rows.Close()
				return err
			}
			for _, a := range alerts {
				it.Alerts = append(it.Alerts, medic.SafetyAlert{Kind: a.Kind, Severity: a.Severity, Message: a.Message})
			}
			it.Until, r.it = medic.DateOf(until), it
			items = append(items, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(items) > page.Limit {
			items = items[:page.Limit]
			last := items[len(items)-1]
			next = encodeCursor(order, last.rank, last.issued, last.rx, last.pos)
		}
		var ids []string
		for _, r := range items {
			if len(ids) == 0 || ids[len(ids)-1] != r.rx {
				ids = append(ids, r.rx)
			}
		}
		if len(ids) == 0 {
			return nil
		}
		ps, err := queryAll(ctx, tx, scanPrescription, prescriptionSelect+` WHERE r.practice_id = $1 AND r.id = ANY($2::uuid[])`, pid, ids)
		if err != nil {
			return err
		}
		byID := map[string]*medic.Prescription{}
		for _, p := range ps {
			byID[p.ID] = p
		}
		// A prescription per run of its items in the order (by status,
		// one prescription's items can be apart).
		for _, r := range items {
			if len(out) == 0 || out[len(out)-1].ID != r.rx {
				p := *byID[r.rx]
				p.Items = nil
				out = append(out, &p)
			}
			out[len(out)-1].Items = append(out[len(out)-1].Items, r.it)
		}
		return nil
	})
	if out == nil {
		out = []*medic.Prescription{}
	}
	return out, next, err
}
