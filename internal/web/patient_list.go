package web

import (
	"net/http"
	"net/url"
	"strings"

	"medic"
)

// patientListRoutes registers the patient register.
func (h *Handler) patientListRoutes(mux Router) {
	mux.HandleFunc("GET /patients", h.member(h.patients))
}

// patientsView is the data of the patient register: the search, its
// sortable columns and a page of results.
type patientsView struct {
	Query    string
	Inactive bool
	Sort     string
	Columns  []sortColumn
	Patients []*medic.Patient
	NextURL  string
	FirstURL string // set on later pages
	Searched bool
}

// sortColumn is a column header that sorts the list: its link and, when the
// list is in its order, the aria-sort state.
type sortColumn struct {
	Label, URL, State string
}

// patientListURL is the register's address for a query, sort and page.
func patientListURL(q string, inactive bool, sort, cursor string) string {
	v := url.Values{}
	if q != "" {
		v.Set("q", q)
	}
	if inactive {
		v.Set("inactive", "on")
	}
	if sort != "" {
		v.Set("sort", sort)
	}
	if cursor != "" {
		v.Set("cursor", cursor)
	}
	if len(v) == 0 {
		return "/patients"
	}
	return "/patients?" + v.Encode()
}

// patients is the register: search by name (typo-tolerant), phone, email
// or ID number; sortable by name, date of birth and date added; paged.
func (h *Handler) patients(w http.ResponseWriter, r *http.Request, v *visitor) {
	q := r.URL.Query()
	d := patientsView{Query: strings.TrimSpace(q.Get("q")), Inactive: q.Get("inactive") == "on", Sort: q.Get("sort")}
	d.Searched = d.Query != ""
	f := newForm("search", url.Values{"q": {d.Query}, "sort": {d.Sort}})
	if d.Inactive {
		f.Values.Set("inactive", "on")
	}
	status := http.StatusOK
	ps, next, err := h.app.SearchPatients(r.Context(), medic.PatientFilter{Query: d.Query, Sort: d.Sort, IncludeInactive: d.Inactive},
		medic.Page{Limit: 25, Cursor: q.Get("cursor")})
	switch {
	case medic.ErrorCode(err) == medic.EINVALID:
		f.setError(err) // a sort or cursor that is not ours
		status = http.StatusUnprocessableEntity
	case err != nil:
		h.fail(w, r, err)
		return
	}
	d.Patients = ps
	if next != "" {
		d.NextURL = patientListURL(d.Query, d.Inactive, d.Sort, next)
	}
	if q.Get("cursor") != "" {
		d.FirstURL = patientListURL(d.Query, d.Inactive, d.Sort, "")
	}
	// Each column sorts ascending first, then flips.
	cols := []struct{ label, asc, desc string }{{"Name", "name", "-name"}, {"Date of birth", "date_of_birth", ""}, {"Added", "created", "-created"}}
	for _, c := range cols {
		col := sortColumn{Label: c.label, URL: patientListURL(d.Query, d.Inactive, c.asc, "")}
		switch {
		case d.Sort == c.asc || (c.asc == "name" && d.Sort == "" && d.Query == ""):
			col.State = "ascending"
			if c.desc != "" {
				col.URL = patientListURL(d.Query, d.Inactive, c.desc, "")
			}
		case c.desc != "" && d.Sort == c.desc:
			col.State = "descending"
		}
		d.Columns = append(d.Columns, col)
	}
	p := h.page(r, "Patients", "patients").withForm(f)
	p.Data = d
	h.render(w, r, status, "patients", p)
}
