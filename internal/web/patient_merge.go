package web

import (
	"net/http"
	"net/url"
	"strings"

	"medic"
)

// patientMergeRoutes registers merging a chart into another.
func (h *Handler) patientMergeRoutes(mux Router) {
	mux.HandleFunc("GET /patients/{id}/merge", h.member(h.mergeForm))
	mux.HandleFunc("POST /patients/{id}/merge", h.member(h.mergePatient))
}

// mergeView is the data of the merge page: the chart that goes away, and
// the charts found to merge it into.
type mergeView struct {
	From       *medic.Patient
	Query      string
	Candidates []*medic.Patient
	Into       *medic.Patient // the chosen chart, when one is chosen
}

// mergeForm shows the merge page: search for the chart to keep, choose it,
// confirm.
func (h *Handler) mergeForm(w http.ResponseWriter, r *http.Request, v *visitor) {
	q := r.URL.Query()
	f := newForm("merge", url.Values{"q": {strings.TrimSpace(q.Get("q"))}, "into": {q.Get("into")}})
	h.renderMerge(w, r, http.StatusOK, v, f)
}

func (h *Handler) renderMerge(w http.ResponseWriter, r *http.Request, status int, v *visitor, f *form) {
	from, err := h.app.GetPatient(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !h.offers(w, r, "patient.merge") {
		return
	}
	if from.Status == medic.PatientMerged {
		seeOther(w, r, "/patients/"+url.PathEscape(from.ID))
		return
	}
	d := mergeView{From: from, Query: f.Get("q")}
	if d.Query != "" {
		ps, _, err := h.app.SearchPatients(r.Context(), medic.PatientFilter{Query: d.Query, IncludeInactive: true}, medic.Page{Limit: 20})
		if err != nil {
			h.fail(w, r, err)
			return
		}
		for _, p := range ps {
			if p.ID != from.ID {
				d.Candidates = append(d.Candidates, p)
			}
		}
	}
	if into := f.Get("into"); into != "" {
		if d.Into, err = h.app.GetPatient(r.Context(), into); err != nil && medic.ErrorCode(err) != medic.ENOTFOUND {
			h.fail(w, r, err)
			return
		}
		if d.Into != nil && d.Into.Status == medic.PatientMerged {
			d.Into = nil
		}
		if d.Into == nil {
			f.fail("into", "Choose a chart of this practice.")
		}
	}
	p := h.page(r, "Merge "+from.FullName(), "patients").withForm(f)
	p.Data = d
	h.render(w, r, status, "patient_merge", p)
}

// mergePatient merges the chart into the chosen one once confirmed.
func (h *Handler) mergePatient(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	f := newForm("merge", url.Values{"into": {r.PostForm.Get("into")}, "confirm": {r.PostForm.Get("confirm")}})
	from, into := r.PathValue("id"), f.Get("into")
	if into == "" {
		f.fail("into", "Choose the chart to keep.")
		h.formFail(w, r, f.err(), f, func(status int) { h.renderMerge(w, r, status, v, f) })
		return
	}
	if err := h.app.MergePatients(r.Context(), from, into, f.Checked("confirm")); err != nil {
		h.formFail(w, r, err, f, func(status int) { h.renderMerge(w, r, status, v, f) })
		return
	}
	seeOther(w, r, "/patients/"+url.PathEscape(into)+"?m=merged")
}
