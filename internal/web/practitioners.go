package web

import (
	"net/http"
	"net/url"
	"strings"

	"medic"
	"medic/internal/app"
)

// practitionerRoutes registers practitioners.
func (h *Handler) practitionerRoutes(mux Router) {
	mux.HandleFunc("GET /practitioners", h.member(h.practitioners))
	mux.HandleFunc("GET /practitioners/new", h.member(h.newPractitionerForm))
	mux.HandleFunc("POST /practitioners/new", h.member(h.createPractitioner))
	mux.HandleFunc("GET /practitioners/{id}", h.member(h.practitionerForm))
	mux.HandleFunc("POST /practitioners/{id}", h.member(h.updatePractitioner))
}

// practitionersView is the data of the practitioners list.
type practitionersView struct {
	Practitioners []*medic.Practitioner
	Dir           *directory
	NextURL       string
}

// practitionerView is the data of a practitioner's page: the form for
// admins, the details for everyone else.
type practitionerView struct {
	ID           string // empty for a new practitioner
	Action       string
	Practitioner *medic.Practitioner
	CanEdit      bool
	Dir          *directory
	Members      []option
	Statuses     []option
	Assignments  []assignmentRow
	// MaxSignatureKB bounds the signature upload (the form on the page).
	MaxSignatureKB int
}

// assignmentRow is one location in the assignment table of the form.
type assignmentRow struct {
	Location *medic.Location
	On       bool
	Primary  bool
	Start    string
	End      string
}

var practitionerStatuses = []option{{"active", "Active"}, {"on_leave", "On leave"}, {"inactive", "Inactive"}}

func (h *Handler) practitioners(w http.ResponseWriter, r *http.Request, v *visitor) {
	ps, next, err := h.app.ListPractitioners(r.Context(), medic.Page{Limit: 100, Cursor: r.URL.Query().Get("cursor")})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	dir, err := h.directory(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := practitionersView{Practitioners: ps, Dir: dir}
	if next != "" {
		d.NextURL = "/practitioners?cursor=" + url.QueryEscape(next)
	}
	p := h.page(r, "Practitioners", "practitioners")
	p.Data = d
	h.render(w, r, http.StatusOK, "practitioners", p)
}

// practitionerValues fills the form from a practitioner.
func practitionerValues(p *medic.Practitioner) url.Values {
	v := url.Values{}
	v.Set("name", p.Name)
	v.Set("specialty", p.Specialty)
	v.Set("registration_number", p.RegistrationNumber)
	v.Set("practice_number", p.PracticeNumber)
	v.Set("qualifications", p.Qualifications)
	v.Set("member_id", p.MemberID)
	v.Set("status", string(p.Status))
	for _, a := range p.Assignments {
		v.Set("assign_"+a.LocationID, "on")
		if a.Primary {
			v.Set("primary", a.LocationID)
		}
		if !a.StartDate.IsZero() {
			v.Set("start_"+a.LocationID, a.StartDate.String())
		}
		if !a.EndDate.IsZero() {
			v.Set("end_"+a.LocationID, a.EndDate.String())
		}
	}
	return v
}

// practitionerFormFrom reads the sent fields into a form, keeping only
// known ones (the assignment fields of the practice's locations).
func practitionerFormFrom(r *http.Request, dir *directory) *form {
	keys := []string{"name", "specialty", "registration_number", "practice_number", "qualifications", "member_id", "status", "primary"}
	for _, l := range dir.Locations {
		keys = append(keys, "assign_"+l.ID, "start_"+l.ID, "end_"+l.ID)
	}
	v := url.Values{}
	for _, k := range keys {
		if s := r.PostForm.Get(k); s != "" {
			v.Set(k, s)
		}
	}
	return newForm("practitioner", v)
}

// applyPractitioner copies the form onto p; what does not parse is
// recorded on f. A ticked location without a start date starts today.
func applyPractitioner(f *form, p *medic.Practitioner, dir *directory, today medic.Date) {
	get := func(k string) string { return strings.TrimSpace(f.Get(k)) }
	p.Name, p.Specialty, p.RegistrationNumber, p.PracticeNumber = get("name"), get("specialty"), get("registration_number"), get("practice_number")
	p.Qualifications = strings.TrimSpace(strings.ReplaceAll(f.Get("qualifications"), "\r\n", "\n"))
	p.MemberID = get("member_id")
	p.Status = medic.PractitionerStatus(get("status"))
	p.Assignments = nil
	for _, l := range dir.Locations {
		if !f.Checked("assign_" + l.ID) {
			continue
		}
		a := medic.LocationAssignment{LocationID: l.ID, Primary: get("primary") == l.ID, StartDate: today}
		if s := get("start_" + l.ID); s != "" {
			if d, err := medic.ParseDate(s); err == nil {
				a.StartDate = d
			} else {
				f.fail("assignments", "Enter assignment dates as YYYY-MM-DD.")
			}
		}
		if s := get("end_" + l.ID); s != "" {
			if d, err := medic.ParseDate(s); err == nil {
				a.EndDate = d
			} else {
				f.fail("assignments", "Enter assignment dates as YYYY-MM-DD.")
			}
		}
		p.Assignments = append(p.Assignments, a)
	}
	if pr := get("primary"); pr != "" && !f.Checked("assign_"+pr) {
		f.fail("assignments", "The primary location must be one the practitioner works at.")
	}
}

func (h *Handler) renderPractitioner(w http.ResponseWriter, r *http.Request, status int, v *visitor, p *medic.Practitioner, f *form, dir *directory) {
	h.renderPractitionerWith(w, r, status, v, p, f, dir, newForm("signature", nil))
}

// renderPractitionerWith is renderPractitioner with the signature upload's
// form (sig) as sent.
func (h *Handler) renderPractitionerWith(w http.ResponseWriter, r *http.Request, status int, v *visitor, p *medic.Practitioner, f *form, dir *directory, sig *form) {
	title := "New practitioner"
	d := practitionerView{Action: "/practitioners/new", Practitioner: p, CanEdit: v.tenant.Can(medic.PermSchedulesManage), Dir: dir, Statuses: practitionerStatuses,
		MaxSignatureKB: app.MaxSignatureBytes >> 10}
	if p.ID != "" {
		title, d.ID, d.Action = p.Name, p.ID, "/practitioners/"+url.PathEscape(p.ID)
	}
	if d.CanEdit {
		page := medic.Page{Limit: medic.MaxLimit}
		for {
			ms, next, err := h.app.ListMembers(r.Context(), page)
			if err != nil {
				h.fail(w, r, err)
				return
			}
			for _, m := range ms {
				if m.Active || m.ID == p.MemberID {
					d.Members = append(d.Members, option{m.ID, m.Name + " (" + m.Email + ")"})
				}
			}
			if next == "" {
				break
			}
			page.Cursor = next
		}
		for _, l := range dir.Locations {
			d.Assignments = append(d.Assignments, assignmentRow{Location: l, On: f.Checked("assign_" + l.ID), Primary: f.Is("primary", l.ID),
				Start: f.Get("start_" + l.ID), End: f.Get("end_" + l.ID)})
		}
	}
	pg := h.page(r, title, "practitioners").withForm(f).withForm(sig)
	pg.Data = d
	h.render(w, r, status, "practitioner", pg)
}

func (h *Handler) newPractitionerForm(w http.ResponseWriter, r *http.Request, v *visitor) {
	if !h.offers(w, r, "practitioner.create") {
		return
	}
	dir, err := h.directory(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := &medic.Practitioner{Status: medic.PractitionerActive}
	h.renderPractitioner(w, r, http.StatusOK, v, p, newForm("practitioner", practitionerValues(p)), dir)
}

// savePractitioner validates the sent form and hands p to save; on any
// error the form comes back with the sent values.
func (h *Handler) savePractitioner(w http.ResponseWriter, r *http.Request, v *visitor, action string, p *medic.Practitioner, save func(*medic.Practitioner) error, done string) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	dir, err := h.directory(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f := practitionerFormFrom(r, dir)
	rerender := func(status int) { h.renderPractitioner(w, r, status, v, p, f, dir) }
	sent := *p
	applyPractitioner(f, &sent, dir, h.today(v))
	if f.err() != nil {
		if err := sent.Validate(); err != nil {
			f.failFields(err)
		}
		h.actionFormFail(w, r, action, f.err(), f, rerender)
		return
	}
	if err := save(&sent); err != nil {
		h.formFail(w, r, err, f, rerender)
		return
	}
	seeOther(w, r, strings.ReplaceAll(done, "{id}", url.PathEscape(sent.ID)))
}

func (h *Handler) createPractitioner(w http.ResponseWriter, r *http.Request, v *visitor) {
	h.savePractitioner(w, r, v, "practitioner.create", &medic.Practitioner{}, func(p *medic.Practitioner) error {
		return h.app.CreatePractitioner(r.Context(), p)
	}, "/practitioners?m=practitioner-added")
}

func (h *Handler) practitionerForm(w http.ResponseWriter, r *http.Request, v *visitor) {
	p, err := h.app.GetPractitioner(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	dir, err := h.directory(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderPractitioner(w, r, http.StatusOK, v, p, newForm("practitioner", practitionerValues(p)), dir)
}

func (h *Handler) updatePractitioner(w http.ResponseWriter, r *http.Request, v *visitor) {
	p, err := h.app.GetPractitioner(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.savePractitioner(w, r, v, "practitioner.update", p, func(sent *medic.Practitioner) error {
		_, err := h.app.UpdatePractitioner(r.Context(), p.ID, func(cur *medic.Practitioner) {
			cur.Name, cur.Specialty, cur.RegistrationNumber, cur.PracticeNumber = sent.Name, sent.Specialty, sent.RegistrationNumber, sent.PracticeNumber
			cur.Qualifications, cur.MemberID, cur.Status, cur.Assignments = sent.Qualifications, sent.MemberID, sent.Status, sent.Assignments
		})
		return err
	}, "/practitioners?m=practitioner-saved")
}
