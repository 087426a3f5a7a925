package app

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"medic"
)

// Bulk exports (FHIR Bulk Data): the kick-off is audited once, each file
// download once; the job reads the charts as the member who asked, with
// their role when it runs, so an export holds no more than that member
// could read one chart at a time.

// ExportResource is one resource of an export, encoded by the FHIR layer.
type ExportResource struct {
	Type    string
	Updated time.Time // its last change; zero when unknown (kept whatever _since says)
	JSON    []byte    // one NDJSON line, without the newline
}

// ExportEncoder encodes an export's resources (ctx holds the practice and
// the member who asked): Chart a chart's records; Practice the practice's
// own resources, of no chart (its practitioners, the practice, its
// locations, schedules), which a system-level export without _type, or
// any export whose _type names them, holds.
type ExportEncoder struct {
	Chart    func(ctx context.Context, rec *PatientRecord) ([]ExportResource, error)
	Practice func(ctx context.Context) ([]ExportResource, error)
}

// exportFileLines bounds one NDJSON file; exportProgressEvery is how many
// charts are read together (one query per kind of record for them all),
// and pass between progress saves.
const (
	exportFileLines     = 5000
	exportProgressEvery = 100
)

// requesterOf is the member (and token) a request in ctx comes from.
func requesterOf(ctx context.Context) medic.ExportRequester {
	actor := medic.ActorFrom(ctx)
	return medic.ExportRequester{UserID: actor.UserID, TokenID: actor.TokenID}
}

// RequestBulkExport checks and stores an export request and queues its
// job. A group is GroupAllPatients or a practitioner of the practice
// (ENOTFOUND otherwise). The kick-off is audited.
func (a *App) RequestBulkExport(ctx context.Context, e *medic.BulkExport) error {
	if _, err := a.allow(ctx, "bulk_export.start"); err != nil {
		return err
	}
	e.Requester = requesterOf(ctx)
	return a.Tx.InTx(ctx, func(ctx context.Context) error {
		if e.Level == medic.ExportGroup && e.GroupID != medic.GroupAllPatients {
			if _, err := a.Practitioners.FindPractitioner(ctx, e.GroupID); err != nil {
				return err
			}
		}
		if err := a.BulkExports.CreateBulkExport(ctx, e); err != nil {
			return err
		}
		detail := map[string]string{"level": string(e.Level), "types": strings.Join(e.Types, ",")}
		if e.GroupID != "" {
			detail["group"] = e.GroupID
		}
		if !e.Since.IsZero() {
			detail["since"] = e.Since.UTC().Format(time.RFC3339)
		}
		return a.audit(ctx, "bulk_export.requested", "bulk_export", e.ID, detail)
	})
}

// GetPatientGroup reads a group an export takes: GroupAllPatients (how
// many charts) or a practitioner's (which charts, capped at
// GroupMembersShown); ENOTFOUND for any other id. Audited, with how many
// charts it named.
func (a *App) GetPatientGroup(ctx context.Context, id string) (*medic.PatientGroup, error) {
	if _, err := a.allow(ctx, "bulk_export.group"); err != nil {
		return nil, err
	}
	g := &medic.PatientGroup{ID: id}
	err := a.Tx.InReadTx(ctx, func(ctx context.Context) error {
		var err error
		if id == medic.GroupAllPatients {
			// The charts an export of the group covers (exportCharts).
			if g.Quantity, err = a.Patients.CountMatchingPatients(ctx, medic.PatientCriteria{}); err != nil {
				return err
			}
		} else {
			if g.Practitioner, err = a.Practitioners.FindPractitioner(ctx, id); err != nil {
				return err
			}
			ids, err := a.practitionerCharts(ctx, id)
			if err != nil {
				return err
			}
			g.Quantity, g.Members = len(ids), ids[:min(len(ids), medic.GroupMembersShown)]
		}
		return a.audit(ctx, "bulk_export.group_viewed", "group", id,
			map[string]string{"charts": strconv.Itoa(g.Quantity), "listed": strconv.Itoa(len(g.Members))})
	})
	if err != nil {
		return nil, err
	}
	return g, nil
}

// exportOf reads an export for the member in ctx: to anyone but its
// requester, even of the same practice, it does not exist.
func (a *App) exportOf(ctx context.Context, id string) (*medic.BulkExport, error) {
	e, err := a.BulkExports.FindBulkExport(ctx, id)
	if err != nil {
		return nil, err
	}
	if !e.Requester.Allows(requesterOf(ctx)) {
		return nil, medic.ErrNotFound
	}
	return e, nil
}

// BulkExportStatus returns the requester's export with its files so far.
func (a *App) BulkExportStatus(ctx context.Context, id string) (*medic.BulkExport, error) {
	if _, err := a.allow(ctx, "bulk_export.view"); err != nil {
		return nil, err
	}
	return a.exportOf(ctx, id)
}

// CancelBulkExport deletes the requester's export and its files; a job
// still running stops at its next save.
func (a *App) CancelBulkExport(ctx context.Context, id string) error {
	if _, err := a.allow(ctx, "bulk_export.view"); err != nil {
		return err
	}
	return a.Tx.InTx(ctx, func(ctx context.Context) error {
		if _, err := a.exportOf(ctx, id); err != nil {
			return err
		}
		if err := a.BulkExports.DeleteBulkExport(ctx, id); err != nil {
			return err
		}
		return a.audit(ctx, "bulk_export.cancelled", "bulk_export", id, nil)
	})
}

// BulkExportFile returns one file of the requester's export; each
// download is audited.
func (a *App) BulkExportFile(ctx context.Context, id, typ string, seq int) (*medic.BulkExportFile, error) {
	if _, err := a.allow(ctx, "bulk_export.view"); err != nil {
		return nil, err
	}
	var f *medic.BulkExportFile
	err := a.Tx.InReadTx(ctx, func(ctx context.Context) error {
		if _, err := a.exportOf(ctx, id); err != nil {
			return err
		}
		var err error
		if f, err = a.BulkExports.BulkExportFile(ctx, id, typ, seq); err != nil {
			return err
		}
		return a.audit(ctx, "bulk_export.downloaded", "bulk_export", id,
			map[string]string{"file": typ + "-" + strconv.Itoa(seq), "resources": strconv.Itoa(f.Count)})
	})
	return f, err
}

// RunBulkExport is the export job: it reads the charts in the export's
// scope in batches as the requester, keeps the resources of the types
// asked for that changed since _since, and saves them as NDJSON files of
// at most exportFileLines resources, with its progress. A cancelled
// export stops at the next save; a requester who lost access fails it, and
// so does an error on the final attempt (earlier ones are retried, from
// the start).
func (a *App) RunBulkExport(ctx context.Context, job medic.BulkExportJob, final bool, encode ExportEncoder) error {
	p, err := a.Practices.FindPracticeByRef(ctx, job.PracticeID)
	if medic.ErrorCode(err) == medic.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	ctx = medic.WithTenant(ctx, medic.Tenant{PracticeID: p.ID, Slug: p.Slug, Name: p.Name, TimeZone: p.TimeZone})
	e, err := a.BulkExports.StartBulkExport(ctx, job.ExportID)
	if code := medic.ErrorCode(err); code == medic.ENOTFOUND || code == medic.ECONFLICT {
		return nil // cancelled, or finished by another attempt
	} else if err != nil {
		return err
	}
	finish := func(status medic.BulkExportStatus, reason string) error {
		if err := a.BulkExports.FinishBulkExport(ctx, e.ID, status, reason); medic.ErrorCode(err) != medic.ENOTFOUND {
			return err
		}
		return nil
	}
	mctx, _, err := a.EnterPractice(medic.WithActor(ctx, medic.Actor{UserID: e.Requester.UserID, TokenID: e.Requester.TokenID}), p.ID)
	if code := medic.ErrorCode(err); code == medic.ENOTFOUND || code == medic.EFORBIDDEN {
		return finish(medic.ExportFailed, "The member who asked for the export can no longer read the practice's charts.")
	} else if err != nil {
		return err
	}
	t, _ := medic.TenantFrom(mctx)
	if !t.Can(medic.PermPatientsRead) {
		return finish(medic.ExportFailed, "The member who asked for the export can no longer read the practice's charts.")
	}
	err = a.writeExport(ctx, mctx, t, e, encode)
	if err == errExportGone {
		return nil
	} else if err != nil {
		if final {
			return finish(medic.ExportFailed, "The export could not be completed; ask for it again.")
		}
		return err
	}
	return finish(medic.ExportCompleted, "")
}

// writeExport reads the export's charts (in mctx, as its requester t) and
// saves their files (in ctx); errExportGone when it was cancelled.
func (a *App) writeExport(ctx, mctx context.Context, t medic.Tenant, e *medic.BulkExport, encode ExportEncoder) error {
	charts, err := a.exportCharts(mctx, e)
	if err != nil {
		return err
	}
	w := exportWriter{types: e.Types, since: e.Since, open: map[string]*medic.BulkExportFile{}, seq: map[string]int{}}
	save := func(done int, all bool) error {
		files := w.take(all)
		err := a.BulkExports.SaveBulkExportFiles(ctx, e.ID, files, fmt.Sprintf("%d of %d charts", done, len(charts)))
		if medic.ErrorCode(err) == medic.ENOTFOUND {
			return errExportGone
		}
		return err
	}
	// The practice's own resources first (the writer keeps only the
	// types asked for).
	if encode.Practice != nil && (e.Level == medic.ExportSystem || len(e.Types) > 0) {
		res, err := encode.Practice(mctx)
		if err != nil {
			return err
		}
		w.add(res)
	}
	for start := 0; start < len(charts); start += exportProgressEvery {
		batch := charts[start:min(start+exportProgressEvery, len(charts))]
		var recs []*PatientRecord
		err := a.Tx.InReadTx(mctx, func(ctx context.Context) error {
			ps, err := allPagesOf(ctx, func(pg medic.Page) ([]*medic.Patient, string, error) {
				return a.Patients.FindPatients(ctx, medic.PatientCriteria{IDs: batch}, pg)
			})
			if err != nil {
				return err
			}
			// In id order, as listed; a chart merged or gone since is left out.
			slices.SortFunc(ps, func(x, y *medic.Patient) int { return strings.Compare(x.ID, y.ID) })
			recs, _, err = a.patientRecords(ctx, t, ps)
			return err
		})
		if err != nil {
			return err
		}
		for _, rec := range recs {
			res, err := encode.Chart(mctx, rec)
			if err != nil {
				return err
			}
			w.add(res)
		}
		if err := save(start+len(batch), false); err != nil {
			return err
		}
	}
	return save(len(charts), true)
}

// errExportGone stops a job whose export was cancelled.
var errExportGone = &medic.Error{Code: medic.ENOTFOUND, Message: "The export was cancelled."}

// exportCharts lists the ids of the charts an export covers, in id order:
// every chart the member may find, or a practitioner's (an appointment or
// an encounter with them).
func (a *App) exportCharts(ctx context.Context, e *medic.BulkExport) ([]string, error) {
	if e.Level != medic.ExportGroup || e.GroupID == medic.GroupAllPatients {
		ps, err := allPagesOf(ctx, func(pg medic.Page) ([]*medic.Patient, string, error) {
			return a.Patients.FindPatients(ctx, medic.PatientCriteria{}, pg)
		})
		ids := make([]string, len(ps))
		for i, p := range ps {
			ids[i] = p.ID
		}
		return ids, err
	}
	return a.practitionerCharts(ctx, e.GroupID)
}

// practitionerCharts lists the ids of the charts with an appointment or an
// encounter with the practitioner, in id order.
func (a *App) practitionerCharts(ctx context.Context, practitionerID string) ([]string, error) {
	appts, err := allPagesOf(ctx, func(pg medic.Page) ([]*medic.Appointment, string, error) {
		return a.Appointments.ListAppointments(ctx, medic.AppointmentFilter{PractitionerID: practitionerID}, pg)
	})
	if err != nil {
		return nil, err
	}
	encs, err := allPagesOf(ctx, func(pg medic.Page) ([]*medic.Encounter, string, error) {
		return a.Encounters.ListEncounters(ctx, medic.EncounterFilter{PractitionerID: practitionerID}, pg)
	})
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, ap := range appts {
		ids = append(ids, ap.PatientID)
	}
	for _, en := range encs {
		ids = append(ids, en.PatientID)
	}
	slices.Sort(ids)
	return slices.Compact(ids), nil
}

// exportWriter gathers an export's resources into files per type.
type exportWriter struct {
	types []string // none: all
	since time.Time
	open  map[string]*medic.BulkExportFile // the file being filled, per type
	ready []medic.BulkExportFile           // full files not saved yet
	seq   map[string]int
}

func (w *exportWriter) add(res []ExportResource) {
	for _, r := range res {
		if len(w.types) > 0 && !slices.Contains(w.types, r.Type) || !w.since.IsZero() && !r.Updated.IsZero() && r.Updated.Before(w.since) {
			continue
		}
		f := w.open[r.Type]
		if f == nil {
			w.seq[r.Type]++
			f = &medic.BulkExportFile{Type: r.Type, Seq: w.seq[r.Type]}
			w.open[r.Type] = f
		}
		f.Content = append(append(f.Content, r.JSON...), '\n')
		f.Count++
		if f.Count == exportFileLines {
			w.ready = append(w.ready, *f)
			delete(w.open, r.Type)
		}
	}
}

func (w *exportWriter) full() bool { return len(w.ready) > 0 }

// take returns the full files, and with all the open ones too.
func (w *exportWriter) take(all bool) []medic.BulkExportFile {
	out := w.ready
	w.ready = nil
	if all {
		types := make([]string, 0, len(w.open))
		for typ := range w.open {
			types = append(types, typ)
		}
		slices.Sort(types)
		for _, typ := range types {
			out = append(out, *w.open[typ])
		}
		w.open = map[string]*medic.BulkExportFile{}
	}
	return out
}
