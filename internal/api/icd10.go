package api

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"medic"
)

// icd10Routes registers the ICD-10 catalog: the operator's imports and a practice's search.
func (h *Handler) icd10Routes(mux Router) {
	mux.HandleFunc("GET /api/v1/operator/icd10/imports", h.sessionOnly(h.operatorListICD10Imports))
	mux.HandleFunc("POST /api/v1/operator/icd10/imports", h.sessionOnly(h.operatorImportICD10))
	mux.HandleFunc("GET /api/v1/operator/icd10/imports/{id}", h.sessionOnly(h.operatorGetICD10Import))
	mux.HandleFunc("GET /api/v1/practices/{practice}/icd10", h.tenant(h.searchICD10))
}

type icd10DTO struct {
	Code         string `json:"code"`
	Title        string `json:"title"`
	ValidPrimary bool   `json:"valid_primary"`
}

func toICD10(c *medic.ICD10Code) icd10DTO {
	return icd10DTO{Code: c.Code, Title: c.Title, ValidPrimary: c.ValidPrimary}
}

// searchICD10 answers the diagnosis typeahead: GET .../icd10?q=&limit=.
func (h *Handler) searchICD10(w http.ResponseWriter, r *http.Request) {
	limit := 20
	if l := r.URL.Query().Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 50 {
			h.error(w, r, &medic.Error{Code: medic.EINVALID, Message: "limit must be 1 to 50.", Fields: map[string]string{"limit": "Use 1 to 50."}})
			return
		}
		limit = n
	}
	cs, err := h.app.SearchICD10(r.Context(), r.URL.Query().Get("q"), limit)
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newList(mapAll(cs, toICD10), ""))
}

type icd10ImportDTO struct {
	ID           string                 `json:"id"`
	Filename     string                 `json:"filename"`
	State        medic.ICD10ImportState `json:"state"`
	Percent      int                    `json:"percent"`
	SizeBytes    int64                  `json:"size_bytes"`
	RowsRead     int                    `json:"rows_read"`
	RowsSaved    int                    `json:"rows_saved"`
	RowsRejected int                    `json:"rows_rejected"`
	Rejections   []medic.ICD10Rejection `json:"rejections"`
	Error        string                 `json:"error,omitempty"`
	CreatedAt    time.Time              `json:"created_at"`
	FinishedAt   *time.Time             `json:"finished_at"`
}

func toICD10Import(i *medic.ICD10Import) icd10ImportDTO {
	d := icd10ImportDTO{ID: i.ID, Filename: i.Filename, State: i.State, Percent: i.Percent(), SizeBytes: i.SizeBytes,
		RowsRead: i.RowsRead, RowsSaved: i.RowsSaved, RowsRejected: i.RowsRejected, Rejections: i.Rejections,
		Error: i.Error, CreatedAt: i.CreatedAt}
	if d.Rejections == nil {
		d.Rejections = []medic.ICD10Rejection{}
	}
	if !i.FinishedAt.IsZero() {
		d.FinishedAt = &i.FinishedAt
	}
	return d
}

// operatorImportICD10 takes a code table as the request body (text/csv)
// and answers 202 with the queued import; ?filename= names it.
func (h *Handler) operatorImportICD10(w http.ResponseWriter, r *http.Request) {
	if !medic.ActorFrom(r.Context()).IsOperator {
		h.error(w, r, medic.ErrNotFound) // before reading a large body
		return
	}
	data, err := io.ReadAll(r.Body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		h.error(w, r, &medic.Error{Code: medic.ETOOLARGE, Message: "The file is too large."})
		return
	} else if err != nil {
		h.error(w, r, &medic.Error{Code: medic.EINVALID, Message: "The request body could not be read."})
		return
	}
	imp, err := h.app.StartICD10Import(r.Context(), r.URL.Query().Get("filename"), data)
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, toICD10Import(imp))
}

func (h *Handler) operatorGetICD10Import(w http.ResponseWriter, r *http.Request) {
	imp, err := h.app.ICD10Import(r.Context(), r.PathValue("id"))
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toICD10Import(imp))
}

func (h *Handler) operatorListICD10Imports(w http.ResponseWriter, r *http.Request) {
	is, err := h.app.ICD10Imports(r.Context())
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newList(mapAll(is, toICD10Import), ""))
}
