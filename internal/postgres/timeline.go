package postgres

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"medic"
)

// A chart's timeline is one statement: a UNION ALL of one select per kind,
// each reading its own index on (practice, patient, time) newest first and
// stopping at a page plus one, merged and cut to the page. The cost is a
// few index pages per kind whatever the length of the history.
//
// Each branch yields (at, kind, id, summary, encounter_id, by, order_id). $1 is the
// practice, $2 the chart, $3/$4 the cursor's time and id, $5 the branch
// limit ($3 without a cursor); {cur} is replaced by the branch's cursor condition over its own
// time and id columns ({at}, {id}).
type timelineBranch struct {
	kind   medic.TimelineKind
	at, id string // the branch's time and id columns
	sql    string
}

var timelineBranches = []timelineBranch{
	{medic.TimelineEncounter, "e.started_at", "e.id", `SELECT e.started_at, 'encounter', e.id,
		'Visit with ' || pr.name || ' at ' || l.name
		|| CASE WHEN e.status = 'finished' THEN '' ELSE ' (open: ' || e.stage || ')' END
		|| CASE WHEN e.assessment <> '' THEN ': ' || left(split_part(e.assessment, E'\n', 1), 160) ELSE '' END,
		e.id, pr.name, NULL::uuid
	FROM encounters e
	JOIN practitioners pr ON pr.practice_id = e.practice_id AND pr.id = e.practitioner_id
	JOIN locations l ON l.practice_id = e.practice_id AND l.id = e.location_id
	WHERE e.practice_id = $1 AND e.patient_id = $2 {cur}
	ORDER BY e.started_at DESC, e.id DESC LIMIT {limit}`},
	// Addenda have no chart column: they are reached through the chart's
	// encounters (a short list) and their encounter index.
	{medic.TimelineAddendum, "a.created_at", "a.id", `SELECT a.created_at, 'addendum', a.id,
		'Addendum by ' || coalesce(nullif(a.author_name, ''), 'an unknown author') || ' (reason: ' || a.reason || '): ' || left(a.text, 300),
		a.encounter_id, a.author_name, NULL::uuid
	FROM encounters e
	JOIN encounter_addenda a ON a.practice_id = e.practice_id AND a.encounter_id = e.id
	WHERE e.practice_id = $1 AND e.patient_id = $2 {cur}
	ORDER BY a.created_at DESC, a.id DESC LIMIT {limit}`},
	{medic.TimelineVitals, "v.measured_at", "v.id", `SELECT v.measured_at, 'vitals', v.id,
		'Vitals: ' || concat_ws(', ',
			'BP ' || v.systolic_mmhg || '/' || v.diastolic_mmhg || ' mmHg',
			'pulse ' || v.pulse_bpm || '/min',
			'temperature ' || v.temperature_c || ' °C',
			'respiratory rate ' || v.respiratory_rate || '/min',
			'SpO2 ' || v.spo2_percent || '%',
			'weight ' || trim_scale(v.weight_kg) || ' kg',
			'height ' || trim_scale(v.height_cm) || ' cm',
			'glucose ' || v.glucose_mmol_l || ' mmol/L',
			'head circumference ' || v.head_circumference_cm || ' cm'),
		v.encounter_id, coalesce(u.name, ''), NULL::uuid
	FROM encounter_vitals v LEFT JOIN users u ON u.id = v.recorded_by
	WHERE v.practice_id = $1 AND v.patient_id = $2 {cur}
	ORDER BY v.measured_at DESC, v.id DESC LIMIT {limit}`},
	{medic.TimelineDiagnosis, "d.recorded_at", "d.id", `SELECT d.recorded_at, 'diagnosis', d.id,
		'Diagnosis: ' || d.code || ' ' || d.title || CASE WHEN d.is_primary THEN ' (primary)' ELSE '' END,
		d.encounter_id, coalesce(u.name, ''), NULL::uuid
	FROM encounter_diagnoses d LEFT JOIN users u ON u.id = d.recorded_by
	WHERE d.practice_id = $1 AND d.patient_id = $2 {cur}
	ORDER BY d.recorded_at DESC, d.id DESC LIMIT {limit}`},
	// An order shows its test, kind, urgency and where it stands; billing
	// and reception never reach a timeline (timeline.view is clinical.read).
	{medic.TimelineOrder, "o.ordered_at", "o.id", `SELECT o.ordered_at, 'order', o.id,
		'Order (' || o.kind || CASE WHEN o.urgency = 'urgent' THEN ', urgent' ELSE '' END || ', ' || o.status || '): '
		|| o.description || CASE WHEN o.description <> o.code THEN ' (' || o.code || ')' ELSE '' END
		|| CASE WHEN o.status = 'cancelled' AND o.cancel_reason <> '' THEN ', cancelled: ' || o.cancel_reason ELSE '' END,
		o.encounter_id, coalesce(u.name, ''), o.id
	FROM orders o LEFT JOIN users u ON u.id = o.ordered_by
	WHERE o.practice_id = $1 AND o.patient_id = $2 {cur}
	ORDER BY o.ordered_at DESC, o.id DESC LIMIT {limit}`},
	// A result: what was measured, the value as entered with its unit, the
	// computed flag when it asks for attention, the range, and the start of
	// a report. Its chart index is on (patient, entered_at): rows of one
	// instant are put in id order by an incremental sort.
	{medic.TimelineResult, "r.entered_at", "r.id", `SELECT r.entered_at, 'result', r.id,
		'Result of ' || o.description || CASE WHEN o.description <> o.code THEN ' (' || o.code || ')' ELSE '' END || ': '
		|| concat_ws(', ',
			nullif(concat_ws(' ', nullif(r.name, ''), nullif(r.value_text, ''), nullif(r.unit, '')), ''),
			CASE r.flag WHEN 'low' THEN 'LOW' WHEN 'high' THEN 'HIGH' WHEN 'abnormal' THEN 'ABNORMAL' WHEN 'normal' THEN 'normal' END,
			'range ' || CASE
				WHEN r.ref_low IS NOT NULL AND r.ref_high IS NOT NULL THEN r.ref_low || '–' || r.ref_high
				WHEN r.ref_low IS NOT NULL THEN '≥ ' || r.ref_low
				WHEN r.ref_high IS NOT NULL THEN '≤ ' || r.ref_high
				ELSE nullif(r.ref_text, '') END,
			nullif(left(r.report, 300), '')),
		o.encounter_id, coalesce(u.name, ''), r.order_id
	FROM order_results r
	JOIN orders o ON o.practice_id = r.practice_id AND o.id = r.order_id
	LEFT JOIN users u ON u.id = r.entered_by
	WHERE r.practice_id = $1 AND r.patient_id = $2 {cur}
	ORDER BY r.entered_at DESC, r.id DESC LIMIT {limit}`},
	// A prescription lists its items as issued; a cancelled one says why.
	{medic.TimelinePrescription, "r.issued_at", "r.id", `SELECT r.issued_at, 'prescription', r.id,
		'Prescription' || CASE WHEN r.status = 'cancelled' THEN ' (cancelled: ' || r.cancel_reason || ')' ELSE '' END || ': '
		|| (SELECT string_agg(i.medicine_label || ', ' || i.dose || ' ' || i.frequency || ' for ' || i.duration_days || ' days'
				|| CASE WHEN i.repeats > 0 THEN ', ' || i.repeats || ' repeats' ELSE '' END
				|| CASE WHEN i.override_reason <> '' THEN ' (alert overridden: ' || i.override_reason || ')' ELSE '' END, '; ' ORDER BY i.position)
			FROM prescription_items i WHERE i.practice_id = r.practice_id AND i.prescription_id = r.id),
		r.encounter_id, coalesce(u.name, ''), NULL::uuid
	FROM prescriptions r LEFT JOIN users u ON u.id = r.prescriber_id
	WHERE r.practice_id = $1 AND r.patient_id = $2 {cur}
	ORDER BY r.issued_at DESC, r.id DESC LIMIT {limit}`},
	// A sick note: its period and fitness; a cancelled one says why. The
	// diagnosis is on the encounter's own entry, not repeated here.
	{medic.TimelineSickNote, "s.issued_at", "s.id", `SELECT s.issued_at, 'sick_note', s.id,
		'Sick note' || CASE WHEN s.status = 'cancelled' THEN ' (cancelled: ' || s.cancel_reason || ')' ELSE '' END || ': '
		|| CASE WHEN s.fitness = 'light_duty' THEN 'fit for light duty' ELSE 'unfit for work' END
		|| ' from ' || to_char(s.from_date, 'YYYY-MM-DD') || ' to ' || to_char(s.to_date, 'YYYY-MM-DD')
		|| ' (' || (s.to_date - s.from_date + 1) || ' days)',
		s.encounter_id, coalesce(u.name, ''), NULL::uuid
	FROM sick_notes s LEFT JOIN users u ON u.id = s.issued_by
	WHERE s.practice_id = $1 AND s.patient_id = $2 {cur}
	ORDER BY s.issued_at DESC, s.id DESC LIMIT {limit}`},
	{medic.TimelineAllergy, "al.recorded_at", "al.id", `SELECT al.recorded_at, 'allergy', al.id,
		'Allergy: ' || al.substance || ' (' || al.severity
		|| CASE WHEN al.status <> 'active' THEN ', ' || replace(al.status, '_', ' ') ELSE '' END || ')'
		|| CASE WHEN al.reaction <> '' THEN ': ' || al.reaction ELSE '' END,
		NULL::uuid, coalesce(u.name, ''), NULL::uuid
	FROM patient_allergies al LEFT JOIN users u ON u.id = al.recorded_by
	WHERE al.practice_id = $1 AND al.patient_id = $2 {cur}
	ORDER BY al.recorded_at DESC, al.id DESC LIMIT {limit}`},
	{medic.TimelineCondition, "c.recorded_at", "c.id", `SELECT c.recorded_at, 'condition', c.id,
		'Problem: ' || coalesce(c.code || ' ', '') || c.title
		|| CASE WHEN c.status = 'resolved' THEN ' (resolved)' ELSE '' END
		|| coalesce(', since ' || to_char(c.onset, 'YYYY-MM-DD'), ''),
		NULL::uuid, coalesce(u.name, ''), NULL::uuid
	FROM patient_conditions c LEFT JOIN users u ON u.id = c.recorded_by
	WHERE c.practice_id = $1 AND c.patient_id = $2 {cur}
	ORDER BY c.recorded_at DESC, c.id DESC LIMIT {limit}`},
	{medic.TimelineReferral, "r.created_at", "r.id", `SELECT r.created_at, 'referral', r.id,
		'Referral (' || r.kind || ', ' || r.urgency || ', ' || r.status || ') to '
		|| coalesce(pr.name, concat_ws(', ', nullif(r.to_name, ''), nullif(r.to_facility, '')))
		|| CASE WHEN r.to_speciality <> '' THEN ' (' || r.to_speciality || ')' ELSE '' END || ': ' || r.reason,
		r.encounter_id, coalesce(u.name, ''), NULL::uuid
	FROM referrals r
	LEFT JOIN practitioners pr ON pr.practice_id = r.practice_id AND pr.id = r.to_practitioner_id
	LEFT JOIN users u ON u.id = r.created_by
	WHERE r.practice_id = $1 AND r.patient_id = $2 {cur}
	ORDER BY r.created_at DESC, r.id DESC LIMIT {limit}`},
}

// timelineSQL builds the statement for kinds (all for none), with the
// cursor conditions when after is set. Rows come newest first by (at, kind,
// id), kinds compared bytewise (COLLATE "C", as Go compares them).
func timelineSQL(kinds []medic.TimelineKind, after bool, afterKind medic.TimelineKind) string {
	var parts []string
	for _, b := range timelineBranches {
		if len(kinds) > 0 && !containsKind(kinds, b.kind) {
			continue
		}
		cur := ""
		if after {
			switch {
			case b.kind < afterKind: // same time sorts after the cursor
				cur = "AND " + b.at + " <= $3"
			case b.kind > afterKind:
				cur = "AND " + b.at + " < $3"
			default:
				cur = "AND (" + b.at + ", " + b.id + ") < ($3, $4::uuid)"
			}
		}
		parts = append(parts, "("+strings.Replace(b.sql, "{cur}", cur, 1)+")")
	}
	limit := "$3" // without a cursor, $3 and $4 are not sent
	if after {
		limit = "$5"
	}
	return strings.ReplaceAll(`SELECT t_at, t_kind, t_id, t_summary, coalesce(t_encounter::text, ''), t_author, coalesce(t_order::text, '') FROM (`+strings.Join(parts, "\nUNION ALL\n")+
		`) t (t_at, t_kind, t_id, t_summary, t_encounter, t_author, t_order)
		ORDER BY t_at DESC, t_kind COLLATE "C" DESC, t_id DESC LIMIT {limit}`, "{limit}", limit)
}

func containsKind(ks []medic.TimelineKind, k medic.TimelineKind) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

// Timeline implements medic.TimelineService.
func (db *DB) Timeline(ctx context.Context, patientID string, kinds []medic.TimelineKind, page medic.Page) ([]*medic.TimelineItem, string, error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, "", err
	}
	page = page.Normalize()
	var at time.Time
	var kind medic.TimelineKind
	var id string
	after := page.Cursor != ""
	if after {
		if err := decodeCursor(page.Cursor, &at, &kind, &id); err != nil {
			return nil, "", err
		}
		if !isUUID(id) || !kind.Valid() {
			return nil, "", errBadCursor
		}
	}
	sql := timelineSQL(kinds, after, kind)
	items := []*medic.TimelineItem{}
	err = db.do(ctx, func(tx pgx.Tx) error {
		if err := chartOpen(ctx, tx, pid, patientID, false); err != nil {
			return err
		}
		args := []any{pid, patientID, at, id, page.Limit + 1}
		if !after {
			args = []any{pid, patientID, page.Limit + 1}
		}
		b := &pgx.Batch{}
		b.Queue(genericPlanSQL) // nine index probes of one chart: planning cost more than running
		b.Queue(sql, args...).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var it medic.TimelineItem
				if err := rows.Scan(&it.At, &it.Kind, &it.ID, &it.Summary, &it.EncounterID, &it.By, &it.OrderID); err != nil {
					return err
				}
				items = append(items, &it)
			}
			return rows.Err()
		})
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(items) > page.Limit {
		items = items[:page.Limit]
		last := items[len(items)-1]
		next = encodeCursor(last.At, last.Kind, last.ID)
	}
	return items, next, nil
}
