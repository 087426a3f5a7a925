package app

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"

	"medic"
)

// SearchICD10 finds catalog codes by code prefix or words (the diagnosis
// and problem-list typeaheads). The catalog is not patient data: nothing
// is audited but a refusal. Receptionists, who see nothing clinical, are
// refused.
func (a *App) SearchICD10(ctx context.Context, q string, limit int) ([]*medic.ICD10Code, error) {
	if _, err := a.allow(ctx, "icd10.search"); err != nil {
		return nil, err
	}
	if len(q) > 200 {
		q = strings.ToValidUTF8(q[:200], "") // never a rune cut in half
	}
	return a.ICD10.SearchICD10(ctx, q, limit)
}

// ICD10Count is the catalog's size, for the operator console.
func (a *App) ICD10Count(ctx context.Context) (int, error) {
	if err := requireOperator(ctx); err != nil {
		return 0, err
	}
	return a.ICD10.CountICD10(ctx)
}

// StartICD10Import records an operator's upload of a code table and queues
// the job that reads it (RunICD10Import).
func (a *App) StartICD10Import(ctx context.Context, filename string, data []byte) (*medic.ICD10Import, error) {
	if err := requireOperator(ctx); err != nil {
		return nil, err
	}
	f := medic.FieldErrors{}
	name, err := medic.Line(filename, medic.MaxNameLength)
	if err != nil || name == "" {
		name = "upload.csv"
	}
	switch {
	case len(data) == 0:
		f.Add("file", "Choose a CSV file with the codes.")
	case len(data) > medic.MaxICD10ImportBytes:
		f.Add("file", fmt.Sprintf("The file is larger than %d MB.", medic.MaxICD10ImportBytes>>20))
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	imp := &medic.ICD10Import{Filename: name, CreatedBy: medic.ActorFrom(ctx).UserID}
	err = a.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := a.ICD10.CreateICD10Import(ctx, imp, data); err != nil {
			return err
		}
		return a.Audit.RecordPlatform(ctx, medic.AuditEvent{Action: "icd10.import_started", EntityType: "icd10_import", EntityID: imp.ID,
			Detail: map[string]string{"filename": name, "bytes": strconv.Itoa(len(data))}})
	})
	if err != nil {
		return nil, err
	}
	return imp, nil
}

// ICD10Import returns one import with its progress and rejected rows.
func (a *App) ICD10Import(ctx context.Context, id string) (*medic.ICD10Import, error) {
	if err := requireOperator(ctx); err != nil {
		return nil, err
	}
	return a.ICD10.FindICD10Import(ctx, id)
}

// ICD10Imports lists the latest imports, newest first.
func (a *App) ICD10Imports(ctx context.Context) ([]*medic.ICD10Import, error) {
	if err := requireOperator(ctx); err != nil {
		return nil, err
	}
	return a.ICD10.ListICD10Imports(ctx, 10)
}

// icd10BatchSize is how many codes an import saves per transaction (and
// how often its progress moves).
const icd10BatchSize = 1000

// icd10Columns are the header names an import understands, by what they
// hold, in order of preference: Medic's own names and the South African
// Master Industry Table's (compared lower-cased without punctuation).
var icd10Columns = map[string][]string{
	"code":     {"icd10code", "code", "icd10", "icdcode"},
	"title":    {"whofulldesc", "title", "description", "desc"},
	"chapter":  {"chapterdesc", "chapter"},
	"clinical": {"validicd10clinicaluse", "validclinicaluse", "validclinical"},
	"primary":  {"validicd10primary", "validprimary"},
}

func headerKey(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// errICD10Header fails an import whose first line does not name the columns.
var errICD10Header = errors.New("The first line must name the columns: code and title (or the Master Industry Table's ICD10_Code and WHO_Full_Desc).")

// icd10Header maps each known column to its index in the header row.
func icd10Header(row []string) (map[string]int, error) {
	idx := map[string]int{}
	keys := make([]string, len(row))
	for i, h := range row {
		keys[i] = headerKey(h)
	}
	for col, names := range icd10Columns {
	find:
		for _, n := range names {
			for i, k := range keys {
				if k == n {
					idx[col] = i
					break find
				}
			}
		}
	}
	if _, ok := idx["code"]; !ok {
		return nil, errICD10Header
	}
	if _, ok := idx["title"]; !ok {
		return nil, errICD10Header
	}
	return idx, nil
}

// icd10Flag reads a validity flag: Y/N, yes/no, 1/0, true/false; empty
// (or no such column) is true.
func icd10Flag(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "y", "yes", "1", "true", "t":
		return true, true
	case "n", "no", "0", "false", "f":
		return false, true
	}
	return false, false
}

// RunICD10Import is the import job: it reads the uploaded CSV row by row
// and upserts the codes in batches, saving its progress and the rejected
// rows (line and reason) with each batch. A file it cannot read at all
// fails the import with the reason; a bad row is rejected, never the file.
func (a *App) RunICD10Import(ctx context.Context, job medic.ICD10ImportJob) error {
	data, err := a.ICD10.StartICD10Import(ctx, job.ImportID, a.now())
	if code := medic.ErrorCode(err); code == medic.ENOTFOUND || code == medic.ECONFLICT {
		return nil // gone, or another worker finished it
	} else if err != nil {
		return err
	}
	fail := func(reason string) error {
		if err := a.ICD10.FinishICD10Import(ctx, job.ImportID, medic.ImportFailed, reason, a.now()); err != nil {
			return err
		}
		return a.Audit.RecordPlatform(ctx, medic.AuditEvent{Action: "icd10.import_failed", EntityType: "icd10_import", EntityID: job.ImportID, Outcome: medic.OutcomeFailure})
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF")) // a spreadsheet's byte-order mark
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	if first, _, _ := bytes.Cut(data, []byte("\n")); bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		r.Comma = ';' // spreadsheets with a comma as decimal mark save with semicolons
	}
	header, err := r.Read()
	if err != nil {
		return fail(errICD10Header.Error())
	}
	cols, err := icd10Header(header)
	if err != nil {
		return fail(err.Error())
	}
	var p medic.ICD10Progress
	var batch []medic.ICD10Code
	seen := map[string]int{} // code -> line
	listed := 0
	reject := func(line int, reason string) {
		p.RowsRejected++
		if listed < medic.MaxICD10Rejections {
			p.Rejections = append(p.Rejections, medic.ICD10Rejection{Line: line, Reason: reason})
			listed++
		}
	}
	save := func() error {
		p.ReadBytes = r.InputOffset()
		if err := a.ICD10.SaveICD10Batch(ctx, job.ImportID, batch, p, a.now()); err != nil {
			return err
		}
		batch, p.Rejections = batch[:0], nil
		return nil
	}
	get := func(row []string, col string) string {
		if i, ok := cols[col]; ok && i < len(row) {
			return row[i]
		}
		return ""
	}
	for {
		row, err := r.Read()
		if err == io.EOF {
			break
		}
		p.RowsRead++
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			reject(pe.StartLine, "The line is not valid CSV: "+pe.Err.Error()+".")
			continue
		} else if err != nil {
			return fail("The file could not be read.")
		}
		if len(row) == 1 && strings.TrimSpace(row[0]) == "" {
			p.RowsRead-- // a blank line
			continue
		}
		line, _ := r.FieldPos(0)
		c, reason := icd10Row(row, get)
		if reason != "" {
			reject(line, reason)
			continue
		}
		if first, dup := seen[c.Code]; dup {
			reject(line, fmt.Sprintf("Code %s is also on line %d; the first is kept.", c.Code, first))
			continue
		}
		seen[c.Code] = line
		batch = append(batch, c)
		p.RowsSaved++
		if len(batch) == icd10BatchSize {
			if err := save(); err != nil {
				return a.importStopped(ctx, job.ImportID, err, fail)
			}
		}
	}
	if err := save(); err != nil {
		return a.importStopped(ctx, job.ImportID, err, fail)
	}
	if err := a.ICD10.FinishICD10Import(ctx, job.ImportID, medic.ImportDone, "", a.now()); err != nil {
		return err
	}
	return a.Audit.RecordPlatform(ctx, medic.AuditEvent{Action: "icd10.imported", EntityType: "icd10_import", EntityID: job.ImportID,
		Detail: map[string]string{"saved": strconv.Itoa(p.RowsSaved), "rejected": strconv.Itoa(p.RowsRejected)}})
}

// importStopped ends an import the store could not save: an outage is
// retried by the queue (the import starts over, saving is an upsert); any
// other error fails it with a reason safe to show.
func (a *App) importStopped(ctx context.Context, id string, err error, fail func(string) error) error {
	if errors.Is(err, medic.ErrStoreUnavailable) {
		return err
	}
	if medic.ErrorCode(err) == medic.ECONFLICT {
		return nil // no longer running: someone else ended it
	}
	if ferr := fail("The import stopped: a batch could not be saved. Check the file and import it again."); ferr != nil {
		return errors.Join(err, ferr)
	}
	return err
}

// icd10Row checks one data row; reason says why it is rejected.
func icd10Row(row []string, get func([]string, string) string) (medic.ICD10Code, string) {
	raw := strings.TrimSpace(get(row, "code"))
	if raw == "" {
		return medic.ICD10Code{}, "No code."
	}
	code, err := medic.NormalizeICD10(raw)
	if err != nil {
		if len(raw) > 20 {
			raw = raw[:20] + "…"
		}
		return medic.ICD10Code{}, fmt.Sprintf("%q is not an ICD-10 code.", strings.ToValidUTF8(raw, "?"))
	}
	title, err := medic.Line(get(row, "title"), medic.MaxICD10TitleLength)
	if err != nil {
		return medic.ICD10Code{}, "Title: " + medic.ErrorMessage(err)
	}
	if title == "" {
		return medic.ICD10Code{}, "No title."
	}
	chapter, err := medic.Line(get(row, "chapter"), medic.MaxICD10TitleLength)
	if err != nil {
		chapter = "" // the chapter is derived from the code instead
	}
	clinical, ok1 := icd10Flag(get(row, "clinical"))
	primary, ok2 := icd10Flag(get(row, "primary"))
	if !ok1 || !ok2 {
		return medic.ICD10Code{}, "A validity flag is neither Y nor N."
	}
	return medic.ICD10Code{Code: code, Title: title, Chapter: chapter, ValidClinical: clinical, ValidPrimary: primary && clinical}, ""
}
