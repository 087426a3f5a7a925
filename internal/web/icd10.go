package web

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"medic"
)

// icd10Routes registers the operator's ICD-10 imports.
func (h *Handler) icd10Routes(mux Router) {
	mux.HandleFunc("GET /operator/icd10", h.signedIn(h.icd10Imports))
	mux.HandleFunc("POST /operator/icd10/imports", h.signedIn(h.importICD10))
	mux.HandleFunc("GET /operator/icd10/imports/{id}", h.signedIn(h.icd10Import))
}

// icd10View is the operator's ICD-10 page: the catalog's size, the import
// form and the latest imports (or one import's progress and report).
type icd10View struct {
	Count   int
	Imports []*medic.ICD10Import
	Import  *medic.ICD10Import // the one shown, on its own page
}

// icd10Imports shows the catalog's size, the upload form and recent imports.
func (h *Handler) icd10Imports(w http.ResponseWriter, r *http.Request, v *visitor) {
	h.renderICD10(w, r, http.StatusOK, v, newForm("icd10", nil), nil)
}

// icd10Import shows one import: its progress bar refreshes (htmx, every
// second) until the job finishes, then the report of rejected rows.
func (h *Handler) icd10Import(w http.ResponseWriter, r *http.Request, v *visitor) {
	if !v.user.IsOperator {
		h.fail(w, r, errNotFound)
		return
	}
	imp, err := h.app.ICD10Import(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderICD10(w, r, http.StatusOK, v, newForm("icd10", nil), imp)
}

func (h *Handler) renderICD10(w http.ResponseWriter, r *http.Request, status int, v *visitor, f *form, imp *medic.ICD10Import) {
	if !v.user.IsOperator {
		h.fail(w, r, errNotFound)
		return
	}
	n, err := h.app.ICD10Count(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := icd10View{Count: n, Import: imp}
	if imp == nil {
		if d.Imports, err = h.app.ICD10Imports(r.Context()); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	p := h.page(r, "ICD-10 catalog", "operator").withForm(f)
	p.Data = d
	h.render(w, r, status, "icd10", p)
}

// importICD10 takes the uploaded CSV and opens the import's progress page.
func (h *Handler) importICD10(w http.ResponseWriter, r *http.Request, v *visitor) {
	if !v.user.IsOperator {
		h.fail(w, r, errNotFound)
		return
	}
	f := newForm("icd10", nil)
	rerender := func(status int) { h.renderICD10(w, r, status, v, f, nil) }
	name, data, err := readCodeTable(r)
	if err == nil {
		var imp *medic.ICD10Import
		if imp, err = h.app.StartICD10Import(r.Context(), name, data); err == nil {
			seeOther(w, r, "/operator/icd10/imports/"+imp.ID)
			return
		}
	}
	h.formFail(w, r, err, f, rerender)
}

func readCodeTable(r *http.Request) (string, []byte, error) {
	choose := &medic.Error{Code: medic.EINVALID, Message: "Choose the CSV file to import.", Fields: map[string]string{"file": "Choose a CSV file."}}
	tooBig := &medic.Error{Code: medic.EINVALID, Message: "The file is too large.", Fields: map[string]string{"file": "Upload at most 64 MB."}}
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return "", nil, tooBig
		}
		return "", nil, choose
	}
	file, hdr, err := r.FormFile("file")
	if err != nil {
		return "", nil, choose
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, medic.MaxICD10ImportBytes+1))
	if err != nil {
		return "", nil, &medic.Error{Code: medic.EINVALID, Message: "The upload did not arrive completely.", Fields: map[string]string{"file": "Try the upload again."}}
	}
	if len(data) > medic.MaxICD10ImportBytes {
		return "", nil, tooBig
	}
	name := hdr.Filename
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	return name, data, nil
}
