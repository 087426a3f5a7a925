package fhirapi

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"medic"
	"medic/internal/app"
	"medic/internal/fhir"
)

// FHIR Bulk Data Access 2.0 export: a kick-off (Prefer: respond-async)
// answers 202 with a status URL; a River job writes NDJSON files per
// resource type; the status URL answers 202 with X-Progress until the
// manifest is ready; files are served only to the member who asked. A
// Group is "all" (every chart) or a practitioner's id (the charts with an
// appointment or encounter with them).

// Interactions of the export protocol, for the tenant wrapper.
const (
	Export         Interaction = "$export"
	ExportStatus   Interaction = "export-status"
	ExportDownload Interaction = "export-download"
)

// exportTypes are the types an export writes (those recordEntries maps),
// in the manifest's order.
var exportTypes = []string{"Patient", "Appointment", "Encounter", "Observation", "AllergyIntolerance", "Condition",
	"ServiceRequest", "DiagnosticReport", "MedicationRequest", "DocumentReference",
	"Practitioner", "PractitionerRole", "Organization", "Location", "Schedule"}

const (
	bulkDataIG   = "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/"
	ndjsonType   = "application/fhir+ndjson"
	exportStatus = "/bulkstatus/"
	exportFiles  = "/bulkfiles/"
	// exportRetry is the Retry-After of a running export, in seconds.
	exportRetry = "5"
)

const exportDoc = "FHIR Bulk Data 2.0 export of the token's practice: send Prefer: respond-async; _type (comma list of " +
	"Patient, Appointment, Encounter, Observation, AllergyIntolerance, Condition, ServiceRequest, DiagnosticReport, MedicationRequest, DocumentReference; " +
	"and the practice's own Practitioner, PractitionerRole, Organization, Location, Schedule, which a system-level export without _type also holds), " +
	"_since (an instant: resources changed since) and _outputFormat application/fhir+ndjson are supported. The export holds what the " +
	"requesting member's role may read of each chart; only that member may poll the status URL, download the files (Bearer token) or cancel (DELETE)."

// exportOperations are the export operations, listed in the
// CapabilityStatement's rest.operation.
var exportOperations = []fhir.CapabilityOperation{
	{Name: "export", Definition: bulkDataIG + "export"},
	{Name: "patient-export", Definition: bulkDataIG + "patient-export"},
	{Name: "group-export", Definition: bulkDataIG + "group-export"},
}

// exportRoutes registers the kick-offs, the status URL and the files.
func (h *Handler) exportRoutes(mux Router) {
	mux.HandleFunc("GET "+Base+"/$export", h.tenant("", Export, h.kickOff(medic.ExportSystem)))
	mux.HandleFunc("GET "+Base+"/Patient/$export", h.tenant("Patient", Export, h.kickOff(medic.ExportPatient)))
	mux.HandleFunc("GET "+Base+"/Group/{id}/$export", h.tenant("Group", Export, h.kickOff(medic.ExportGroup)))
	mux.HandleFunc("GET "+Base+exportStatus+"{id}", h.tenant("", ExportStatus, h.exportStatus))
	mux.HandleFunc("DELETE "+Base+exportStatus+"{id}", h.tenant("", ExportStatus, h.cancelExport))
	mux.HandleFunc("GET "+Base+exportFiles+"{id}/{file}", h.tenant("", ExportDownload, h.exportFile))
}

func (h *Handler) kickOff(level medic.BulkExportLevel) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		e, err := exportRequest(r, level)
		if err != nil {
			h.error(w, r, err)
			return
		}
		e.Request = h.baseURL(r) + strings.TrimPrefix(r.URL.RequestURI(), Base)
		if err := h.app.RequestBulkExport(r.Context(), e); err != nil {
			h.error(w, r, err)
			return
		}
		w.Header().Set("Content-Location", h.baseURL(r)+exportStatus+e.ID)
		h.writeOutcome(w, http.StatusAccepted, fhir.Outcome("informational", "The export has started; poll the Content-Location URL."))
	}
}

// exportRequest reads a kick-off's headers and parameters.
func exportRequest(r *http.Request, level medic.BulkExportLevel) (*medic.BulkExport, error) {
	if !preferAsync(r) {
		return nil, badRequest("An export runs asynchronously: send Prefer: respond-async.")
	}
	e := &medic.BulkExport{Level: level, GroupID: r.PathValue("id")}
	for name, vs := range r.URL.Query() {
		switch name {
		case "_format":
		case "_outputFormat":
			for _, v := range vs {
				if v != ndjsonType && v != "application/ndjson" && v != "ndjson" {
					return nil, badRequest("_outputFormat: only " + ndjsonType + " is written.")
				}
			}
		case "_type":
			for _, typ := range ids(vs) {
				if !slices.Contains(exportTypes, typ) {
					return nil, badRequest("_type: " + typ + " is not exported (see " + Base + "/metadata).")
				}
				if !slices.Contains(e.Types, typ) {
					e.Types = append(e.Types, typ)
				}
			}
		case "_since":
			if len(vs) != 1 {
				return nil, badRequest("_since: give it once.")
			}
			t, err := time.Parse(time.RFC3339Nano, vs[0])
			if err != nil {
				return nil, badRequest("_since: give an instant with its time zone, e.g. 2030-03-01T00:00:00Z.")
			}
			e.Since = t
		default:
			if preferStrict(r) {
				return nil, badRequest(name + " is not supported by this server's export (see " + Base + "/metadata).")
			}
		}
	}
	return e, nil
}

// preferAsync reports whether the request asks for an asynchronous answer.
func preferAsync(r *http.Request) bool {
	for _, v := range r.Header.Values("Prefer") {
		for _, p := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(p), "respond-async") {
				return true
			}
		}
	}
	return false
}

// manifestFile is one output file of the manifest.
type manifestFile struct {
	Type  string `json:"type"`
	URL   string `json:"url"`
	Count int    `json:"count"`
}

// exportManifest is the completed export's answer.
type exportManifest struct {
	TransactionTime     string         `json:"transactionTime"`
	Request             string         `json:"request"`
	RequiresAccessToken bool           `json:"requiresAccessToken"`
	Output              []manifestFile `json:"output"`
	Error               []manifestFile `json:"error"`
}

func (h *Handler) exportStatus(w http.ResponseWriter, r *http.Request) {
	e, err := h.app.BulkExportStatus(r.Context(), r.PathValue("id"))
	if err != nil {
		h.error(w, r, err)
		return
	}
	switch e.Status {
	case medic.ExportCompleted:
		m := exportManifest{TransactionTime: fhir.Instant(e.CreatedAt), Request: e.Request, RequiresAccessToken: true,
			Output: []manifestFile{}, Error: []manifestFile{}}
		files := slices.Clone(e.Files)
		slices.SortStableFunc(files, func(a, b medic.BulkExportFile) int {
			return slices.Index(exportTypes, a.Type) - slices.Index(exportTypes, b.Type)
		})
		for _, f := range files {
			m.Output = append(m.Output, manifestFile{Type: f.Type, Count: f.Count,
				URL: h.baseURL(r) + exportFiles + e.ID + "/" + f.Type + "-" + strconv.Itoa(f.Seq) + ".ndjson"})
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
		_ = json.NewEncoder(w).Encode(m)
	case medic.ExportFailed:
		h.writeOutcome(w, http.StatusInternalServerError, fhir.Outcome("exception", "The export failed: "+e.Error))
	default:
		progress := e.Progress
		if progress == "" {
			progress = string(e.Status)
		}
		w.Header().Set("X-Progress", progress)
		w.Header().Set("Retry-After", exportRetry)
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusAccepted)
	}
}

func (h *Handler) cancelExport(w http.ResponseWriter, r *http.Request) {
	if err := h.app.CancelBulkExport(r.Context(), r.PathValue("id")); err != nil {
		h.error(w, r, err)
		return
	}
	h.writeOutcome(w, http.StatusAccepted, fhir.Outcome("informational", "The export was cancelled and its files deleted."))
}

func (h *Handler) exportFile(w http.ResponseWriter, r *http.Request) {
	name, ok := strings.CutSuffix(r.PathValue("file"), ".ndjson")
	typ, n, ok2 := strings.Cut(name, "-")
	seq, err := strconv.Atoi(n)
	if !ok || !ok2 || err != nil || !slices.Contains(exportTypes, typ) {
		h.error(w, r, errNotFound)
		return
	}
	f, err := h.app.BulkExportFile(r.Context(), r.PathValue("id"), typ, seq)
	if err != nil {
		h.error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", ndjsonType)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Length", strconv.Itoa(len(f.Content)))
	_, _ = w.Write(f.Content)
}

// ExportEncoder encodes a chart's records as an export's resources, as
// $everything maps them (statuses judged on a's today), and the practice's
// own resources as their searches do.
func ExportEncoder(a *app.App) app.ExportEncoder {
	h := &Handler{app: a}
	return app.ExportEncoder{
		Chart: func(ctx context.Context, rec *app.PatientRecord) ([]app.ExportResource, error) {
			t, _ := medic.TenantFrom(ctx)
			return exportResources(recordEntries(rec, t.PracticeID, locationOf(t), a.Today(ctx)))
		},
		Practice: h.practiceEntries,
	}
}

// practiceEntries are the practice's resources of no chart: the practice,
// its practitioners and their roles, locations and schedules.
func (h *Handler) practiceEntries(ctx context.Context) ([]app.ExportResource, error) {
	t, _ := medic.TenantFrom(ctx)
	p, err := h.app.GetPractice(ctx)
	if err != nil {
		return nil, err
	}
	entries := []entry{{typ: "Organization", id: p.ID, res: fhir.FromPractice(p)}}
	ps, err := allPages(func(pg medic.Page) ([]*medic.Practitioner, string, error) { return h.app.ListPractitioners(ctx, pg) })
	if err != nil {
		return nil, err
	}
	for _, pr := range ps {
		entries = append(entries, entry{typ: "Practitioner", id: pr.ID, res: fhir.FromPractitioner(pr)},
			entry{typ: "PractitionerRole", id: pr.ID, res: fhir.FromPractitionerRole(pr, t.PracticeID, t.Name)})
	}
	locs, err := allPages(func(pg medic.Page) ([]*medic.Location, string, error) { return h.app.ListLocations(ctx, pg) })
	if err != nil {
		return nil, err
	}
	for _, l := range locs {
		entries = append(entries, entry{typ: "Location", id: l.ID, res: fhir.FromLocation(l, t.PracticeID)})
	}
	schedules, err := h.schedules(ctx, "")
	if err != nil {
		return nil, err
	}
	for _, s := range schedules {
		entries = append(entries, entry{typ: "Schedule", id: s.id(), res: fhir.FromSchedule(s.p, s.l, s.rules)})
	}
	return exportResources(entries)
}

// exportResources encodes entries as NDJSON lines with their last change.
func exportResources(entries []entry) ([]app.ExportResource, error) {
	out := make([]app.ExportResource, len(entries))
	for i, e := range entries {
		raw, err := json.Marshal(e.res)
		if err != nil {
			return nil, err
		}
		var m struct {
			Meta *fhir.Meta `json:"meta"`
		}
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, err
		}
		out[i] = app.ExportResource{Type: e.typ, JSON: raw}
		if m.Meta != nil && m.Meta.LastUpdated != "" {
			out[i].Updated, _ = time.Parse(time.RFC3339Nano, m.Meta.LastUpdated)
		}
	}
	return out, nil
}
