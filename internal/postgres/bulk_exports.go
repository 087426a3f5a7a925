package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"medic"
)

// Bulk exports and their NDJSON files (migration 0028).

const bulkExportColumns = `id, requester_id, coalesce(token_id::text, ''), level, group_id, types, coalesce(since, 'epoch'::timestamptz), request,
	status, progress, error, created_at, coalesce(finished_at, 'epoch'::timestamptz)`

func scanBulkExport(row pgx.Row) (*medic.BulkExport, error) {
	var e medic.BulkExport
	var since, finished time.Time
	if err := row.Scan(&e.ID, &e.Requester.UserID, &e.Requester.TokenID, &e.Level, &e.GroupID, &e.Types, &since, &e.Request,
		&e.Status, &e.Progress, &e.Error, &e.CreatedAt, &finished); err != nil {
		return nil, notFound(err)
	}
	if since.Unix() != 0 {
		e.Since = since
	}
	if finished.Unix() != 0 {
		e.FinishedAt = finished
	}
	return &e, nil
}

// CreateBulkExport implements medic.BulkExportService.
func (db *DB) CreateBulkExport(ctx context.Context, e *medic.BulkExport) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	e.Status, e.CreatedAt = medic.ExportAccepted, db.now()
	var token, since any
	if e.Requester.TokenID != "" {
		token = e.Requester.TokenID
	}
	if !e.Since.IsZero() {
		since = e.Since
	}
	if e.Types == nil {
		e.Types = []string{}
	}
	return db.do(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO bulk_exports (practice_id, requester_id, token_id, level, group_id, types, since, request, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
			pid, e.Requester.UserID, token, e.Level, e.GroupID, e.Types, since, e.Request, e.CreatedAt).Scan(&e.ID); err != nil {
			return err
		}
		return db.Enqueue(ctx, tx, medic.BulkExportJob{PracticeID: pid, ExportID: e.ID})
	})
}

// FindBulkExport implements medic.BulkExportService.
func (db *DB) FindBulkExport(ctx context.Context, id string) (e *medic.BulkExport, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !isUUID(id) {
		return nil, medic.ErrNotFound
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		if e, err = scanBulkExport(tx.QueryRow(ctx, `SELECT `+bulkExportColumns+` FROM bulk_exports WHERE practice_id = $1 AND id = $2`, pid, id)); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT type, seq, count FROM bulk_export_files WHERE practice_id = $1 AND export_id = $2 ORDER BY type, seq`, pid, id)
		if err != nil {
			return err
		}
		e.Files, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (medic.BulkExportFile, error) {
			var f medic.BulkExportFile
			err := r.Scan(&f.Type, &f.Seq, &f.Count)
			return f, err
		})
		return err
	})
	return e, err
}

// StartBulkExport implements medic.BulkExportService.
func (db *DB) StartBulkExport(ctx context.Context, id string) (e *medic.BulkExport, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !isUUID(id) {
		return nil, medic.ErrNotFound
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		if e, err = scanBulkExport(tx.QueryRow(ctx, `SELECT `+bulkExportColumns+` FROM bulk_exports WHERE practice_id = $1 AND id = $2 FOR UPDATE`, pid, id)); err != nil {
			return err
		}
		if e.Status == medic.ExportCompleted || e.Status == medic.ExportFailed {
			return &medic.Error{Code: medic.ECONFLICT, Message: "The export has finished."}
		}
		// A retried job starts over.
		if _, err := tx.Exec(ctx, `DELETE FROM bulk_export_files WHERE practice_id = $1 AND export_id = $2`, pid, id); err != nil {
			return err
		}
		e.Status = medic.ExportInProgress
		_, err = tx.Exec(ctx, `UPDATE bulk_exports SET status = 'in-progress', progress = '', started_at = $3 WHERE practice_id = $1 AND id = $2`, pid, id, db.now())
		return err
	})
	return e, err
}

// SaveBulkExportFiles implements medic.BulkExportService.
func (db *DB) SaveBulkExportFiles(ctx context.Context, id string, files []medic.BulkExportFile, progress string) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	return db.do(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE bulk_exports SET progress = $3 WHERE practice_id = $1 AND id = $2 AND status = 'in-progress'`, pid, id, progress)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return medic.ErrNotFound
		}
		b := &pgx.Batch{}
		for _, f := range files {
			b.Queue(`INSERT INTO bulk_export_files (practice_id, export_id, type, seq, count, content) VALUES ($1, $2, $3, $4, $5, $6)`,
				pid, id, f.Type, f.Seq, f.Count, f.Content)
		}
		return tx.SendBatch(ctx, b).Close()
	})
}

// FinishBulkExport implements medic.BulkExportService.
func (db *DB) FinishBulkExport(ctx context.Context, id string, status medic.BulkExportStatus, reason string) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	return db.do(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE bulk_exports SET status = $3, error = $4, finished_at = $5 WHERE practice_id = $1 AND id = $2 AND status = 'in-progress'`,
			pid, id, status, reason, db.now())
		if err == nil && tag.RowsAffected() == 0 {
			err = medic.ErrNotFound
		}
		return err
	})
}

// BulkExportFile implements medic.BulkExportService.
func (db *DB) BulkExportFile(ctx context.Context, id, typ string, seq int) (f *medic.BulkExportFile, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !isUUID(id) {
		return nil, medic.ErrNotFound
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		f = &medic.BulkExportFile{Type: typ, Seq: seq}
		return notFound(tx.QueryRow(ctx, `SELECT count, content FROM bulk_export_files WHERE practice_id = $1 AND export_id = $2 AND type = $3 AND seq = $4`,
			pid, id, typ, seq).Scan(&f.Count, &f.Content))
	})
	return f, err
}

// DeleteBulkExport implements medic.BulkExportService.
func (db *DB) DeleteBulkExport(ctx context.Context, id string) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	if !isUUID(id) {
		return medic.ErrNotFound
	}
	return db.do(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM bulk_exports WHERE practice_id = $1 AND id = $2`, pid, id)
		if err == nil && tag.RowsAffected() == 0 {
			err = medic.ErrNotFound
		}
		return err
	})
}
