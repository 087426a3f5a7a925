package postgres

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"medic"
)

// Documents: sick notes, prescriptions and referral letters read as one
// list (FHIR DocumentReference), newest first across the three tables.

// documentSource is how one table answers the document columns.
type documentSource struct {
	kind medic.DocumentKind
	// sql selects kind, id, patient_id, encounter_id, author (the
	// practitioner), author_name, date, updated, cancelled and draft from
	// alias x (each part names them: any may come first in the union).
	sql  string
	date string // x's column of the document's date
}

// authorOf is the practitioner linked to the member who wrote a row.
const authorOf = `coalesce((SELECT pr.id::text FROM members mb JOIN practitioners pr ON pr.practice_id = mb.practice_id AND pr.member_id = mb.id
			WHERE mb.practice_id = x.practice_id AND mb.user_id = x.%s), '')`

var documentSources = []documentSource{
	{medic.DocumentSickNote, `SELECT 'sick_note' AS kind, x.id, x.patient_id, x.encounter_id, x.practitioner_id::text AS author, pr.name AS author_name,
			x.issued_at AS date, coalesce(x.cancelled_at, x.issued_at) AS updated, x.status = 'cancelled' AS cancelled, false AS draft
		FROM sick_notes x JOIN practitioners pr ON pr.practice_id = x.practice_id AND pr.id = x.practitioner_id`, "x.issued_at"},
	{medic.DocumentPrescription, `SELECT 'prescription' AS kind, x.id, x.patient_id, x.encounter_id, ` + fmt.Sprintf(authorOf, "prescriber_id") + ` AS author, coalesce(u.name, '') AS author_name,
			x.issued_at AS date, coalesce(x.cancelled_at, x.issued_at) AS updated, x.status = 'cancelled' AS cancelled, false AS draft
		FROM prescriptions x LEFT JOIN users u ON u.id = x.prescriber_id`, "x.issued_at"},
	{medic.DocumentReferral, `SELECT 'referral' AS kind, x.id, x.patient_id, x.encounter_id, ` + fmt.Sprintf(authorOf, "created_by") + ` AS author, coalesce(u.name, '') AS author_name,
			x.created_at AS date, x.updated_at AS updated, x.status = 'cancelled' AS cancelled, x.status = 'draft' AS draft
		FROM referrals x LEFT JOIN users u ON u.id = x.created_by`, "x.created_at"},
}

func scanDocument(row pgx.Row) (*medic.ClinicalDocument, error) {
	var d medic.ClinicalDocument
	if err := row.Scan(&d.Kind, &d.ID, &d.PatientID, &d.EncounterID, &d.AuthorPractitionerID, &d.AuthorName,
		&d.Date, &d.Updated, &d.Cancelled, &d.Draft, &d.PatientName); err != nil {
		return nil, notFound(err)
	}
	return &d, nil
}

// documentQuery selects the documents of kinds whose rows meet where (a
// condition on x, the same for each table; date stands for its date
// column), newest first.
func documentQuery(pid string, kinds []medic.DocumentKind, args *queryArgs, where func(date string) string, limit int) string {
	q := ""
	for _, s := range documentSources {
		if len(kinds) > 0 && !slices.Contains(kinds, s.kind) {
			continue
		}
		if q != "" {
			q += "\n\tUNION ALL\n"
		}
		q += "(" + s.sql + " WHERE x.practice_id = " + args.add(pid) + where(s.date) + " ORDER BY " + s.date + " DESC, x.id DESC LIMIT " + args.add(limit) + ")"
	}
	return `SELECT d.*, p.given_name || ' ' || p.family_name FROM (` + q + `) d
		JOIN patients p ON p.practice_id = ` + args.add(pid) + ` AND p.id = d.patient_id
		ORDER BY d.date DESC, d.id DESC LIMIT ` + args.add(limit)
}

// FindDocument implements medic.DocumentService.
func (db *DB) FindDocument(ctx context.Context, kind medic.DocumentKind, id string) (d *medic.ClinicalDocument, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !isUUID(id) || !slices.Contains(medic.DocumentKinds, kind) {
		return nil, medic.ErrNotFound
	}
	var args queryArgs
	q := documentQuery(pid, []medic.DocumentKind{kind}, &args, func(string) string { return " AND x.id = " + args.add(id) + "::uuid" }, 1)
	err = db.do(ctx, func(tx pgx.Tx) error {
		d, err = scanDocument(tx.QueryRow(ctx, q, args...))
		return err
	})
	return d, err
}

// ListDocuments implements medic.DocumentService: each table's part is
// read by its (practice, patient, date, id) index and the keyset.
func (db *DB) ListDocuments(ctx context.Context, f medic.DocumentFilter, page medic.Page) (ds []*medic.ClinicalDocument, next string, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, "", err
	}
	page = page.Normalize()
	if f.PatientID != "" && !isUUID(f.PatientID) {
		return []*medic.ClinicalDocument{}, "", nil
	}
	var before time.Time
	var beforeID string
	if page.Cursor != "" {
		if err := decodeCursor(page.Cursor, &before, &beforeID); err != nil {
			return nil, "", err
		}
		if !isUUID(beforeID) {
			return nil, "", errBadCursor
		}
	}
	var args queryArgs
	where := func(date string) string {
		w := ""
		if f.PatientID != "" {
			w += " AND x.patient_id = " + args.add(f.PatientID) + "::uuid"
		}
		if f.PatientIDs != nil {
			w += " AND " + anyUUID("x.patient_id", f.PatientIDs, &args)
		}
		if f.Cancelled != nil {
			w += " AND (x.status = 'cancelled') = " + args.add(*f.Cancelled)
		}
		if !f.From.IsZero() {
			w += " AND " + date + " >= " + args.add(f.From)
		}
		if !f.Before.IsZero() {
			w += " AND " + date + " < " + args.add(f.Before)
		}
		if beforeID != "" {
			w += " AND (" + date + ", x.id) < (" + args.add(before) + "::timestamptz, " + args.add(beforeID) + "::uuid)"
		}
		return w
	}
	q := documentQuery(pid, f.Kinds, &args, where, page.Limit+1)
	err = db.do(ctx, func(tx pgx.Tx) error {
		var err error
		if ds, err = queryAll(ctx, tx, scanDocument, q, args...); err != nil {
			return err
		}
		if len(ds) > page.Limit {
			ds = ds[:page.Limit]
			last := ds[len(ds)-1]
			next = encodeCursor(last.Date, last.ID)
		}
		return nil
	})
	if ds == nil {
		ds = []*medic.ClinicalDocument{}
	}
	return ds, next, err
}
