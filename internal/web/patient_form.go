package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"medic"
	"medic/internal/app"
)

// patientFormRoutes registers the new and edit chart forms and a chart's status.
func (h *Handler) patientFormRoutes(mux Router) {
	mux.HandleFunc("GET /patients/new", h.member(h.newPatientForm))
	mux.HandleFunc("POST /patients/new", h.member(h.createPatient))
	mux.HandleFunc("GET /patients/{id}/edit", h.member(h.editPatientForm))
	mux.HandleFunc("POST /patients/{id}/edit", h.member(h.updatePatient))
	mux.HandleFunc("POST /patients/{id}/status", h.member(h.setPatientStatus))
}

// patientFormView is the data of the new and edit chart forms.
type patientFormView struct {
	ID         string // empty for a new chart
	Action     string
	Contacts   []int // the emergency contact rows shown
	Duplicates []medic.DuplicateMatch
	Languages  []string
	// Clinical shows the clinical fields: only to a role that may write
	// them (the use case refuses them from anyone else).
	Clinical bool
	// ReadOnlyClinical is the chart shown to a role that reads the
	// clinical part but may not write it (nurses), for their lists.
	ReadOnlyClinical *medic.Patient
}

var patientLanguages = []string{"English", "Afrikaans", "isiZulu", "isiXhosa", "Sesotho", "Setswana", "Sepedi", "Xitsonga", "siSwati", "Tshivenda", "isiNdebele"}

// maxContacts bounds the emergency contact rows of the form.
const maxContacts = medic.MaxEmergencyContacts

// patientValues fills the form from a chart.
func patientValues(p *medic.Patient) url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("given_name", p.GivenName)
	set("family_name", p.FamilyName)
	if !p.DateOfBirth.IsZero() {
		v.Set("date_of_birth", p.DateOfBirth.String())
	}
	set("sex", string(p.Sex))
	set("id_number", p.IDNumber)
	set("passport", p.Passport)
	set("email", p.Email)
	set("phone", p.Phone)
	set("address", p.Address)
	set("preferred_language", p.PreferredLanguage)
	set("aid_scheme", p.MedicalAid.Scheme)
	set("aid_member_number", p.MedicalAid.MemberNumber)
	set("aid_dependent_code", p.MedicalAid.DependentCode)
	for i, c := range p.EmergencyContacts {
		if i >= maxContacts {
			break
		}
		n := strconv.Itoa(i)
		set("ec_name_"+n, c.Name)
		set("ec_relationship_"+n, c.Relationship)
		set("ec_phone_"+n, c.Phone)
	}
	set("allergies", strings.Join(p.Allergies, "\n"))
	set("chronic_conditions", strings.Join(p.ChronicConditions, "\n"))
	return v
}

var patientFields = []string{"given_name", "family_name", "date_of_birth", "sex", "id_number", "passport", "email", "phone", "address",
	"preferred_language", "aid_scheme", "aid_member_number", "aid_dependent_code", "allergies", "chronic_conditions", "confirm_different"}

// clinicalFields are the form's fields of the chart's clinical part. They
// are kept when sent empty: an emptied box clears the list, while a form
// without them (a role that may not write them) leaves it as it is.
var clinicalFields = []string{"allergies", "chronic_conditions"}

// patientFormFrom reads the sent fields into a form, keeping only known ones.
func patientFormFrom(r *http.Request) *form {
	keys := slices.Clone(patientFields)
	for i := range maxContacts {
		n := strconv.Itoa(i)
		keys = append(keys, "ec_name_"+n, "ec_relationship_"+n, "ec_phone_"+n)
	}
	v := url.Values{}
	for _, k := range keys {
		if s := r.PostForm.Get(k); s != "" || slices.Contains(clinicalFields, k) && r.PostForm.Has(k) {
			v.Set(k, s)
		}
	}
	f := newForm("patient", v)
	f.Keys = patientFormKeys
	return f
}

// patientFormKeys are the chart's fields the form names differently.
var patientFormKeys = map[string]string{"medical_aid.scheme": "aid_scheme", "medical_aid.member_number": "aid_member_number",
	"medical_aid.dependent_code": "aid_dependent_code"}

// contactRows is the emergency contact rows to show: the filled ones and
// one empty row, at least one.
func contactRows(f *form) []int {
	last := -1
	for i := range maxContacts {
		n := strconv.Itoa(i)
		if f.Get("ec_name_"+n) != "" || f.Get("ec_relationship_"+n) != "" || f.Get("ec_phone_"+n) != "" {
			last = i
		}
	}
	rows := make([]int, 0, maxContacts)
	for i := 0; i <= min(last+1, maxContacts-1); i++ {
		rows = append(rows, i)
	}
	return rows
}

// lines splits a textarea into its non-empty trimmed lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// applyPatient copies the form onto p (the fields a user sets); what does
// not parse is recorded on f.
func applyPatient(f *form, p *medic.Patient) {
	get := func(k string) string { return strings.TrimSpace(f.Get(k)) }
	p.GivenName, p.FamilyName = get("given_name"), get("family_name")
	p.DateOfBirth = medic.Date{}
	if s := get("date_of_birth"); s != "" {
		if d, err := medic.ParseDate(s); err == nil {
			p.DateOfBirth = d
		} else {
			f.fail("date_of_birth", "Enter the date as YYYY-MM-DD, such as 1985-04-23.")
		}
	}
	p.Sex = medic.Sex(get("sex"))
	p.IDNumber, p.Passport, p.Email, p.Phone = get("id_number"), get("passport"), get("email"), get("phone")
	p.Address = strings.TrimSpace(strings.ReplaceAll(f.Get("address"), "\r\n", "\n"))
	p.PreferredLanguage = get("preferred_language")
	p.MedicalAid = medic.MedicalAid{Scheme: get("aid_scheme"), MemberNumber: get("aid_member_number"), DependentCode: get("aid_dependent_code")}
	p.EmergencyContacts = nil
	for i := range maxContacts {
		n := strconv.Itoa(i)
		c := medic.EmergencyContact{Name: get("ec_name_" + n), Relationship: get("ec_relationship_" + n), Phone: get("ec_phone_" + n)}
		if c.Name == "" && c.Relationship == "" && c.Phone == "" {
			continue
		}
		if c.Name == "" {
			f.fail("emergency_contacts", "Give the name of each emergency contact.")
		}
		p.EmergencyContacts = append(p.EmergencyContacts, c)
	}
	for _, c := range []struct {
		key string
		dst *[]string
	}{{"allergies", &p.Allergies}, {"chronic_conditions", &p.ChronicConditions}} {
		if f.Values.Has(c.key) {
			*c.dst = append([]string{}, lines(f.Get(c.key))...)
		}
	}
}

func (h *Handler) renderPatientForm(w http.ResponseWriter, r *http.Request, status int, p *medic.Patient, f *form, dups []medic.DuplicateMatch) {
	title := "New patient"
	d := patientFormView{Action: "/patients/new", Contacts: contactRows(f), Duplicates: dups, Languages: patientLanguages,
		Clinical: visitorFrom(r.Context()).tenant.Role.CanWriteChart(medic.ChartClinical)}
	if p.ID != "" {
		title, d.ID, d.Action = "Edit "+p.FullName(), p.ID, "/patients/"+url.PathEscape(p.ID)+"/edit"
		if !d.Clinical && p.Shows(medic.ChartClinical) {
			d.ReadOnlyClinical = p
		}
	}
	pg := h.page(r, title, "patients").withForm(f)
	pg.Data = d
	h.render(w, r, status, "patient_form", pg)
}

func (h *Handler) newPatientForm(w http.ResponseWriter, r *http.Request, v *visitor) {
	if !h.offers(w, r, "patient.create") {
		return
	}
	h.renderPatientForm(w, r, http.StatusOK, &medic.Patient{}, newForm("patient", url.Values{"sex": {string(medic.SexUnknown)}}), nil)
}

// checkPatientForm fills p from the sent form and reports the form's own
// errors together with the chart's validation, so that every field is
// marked at once.
func checkPatientForm(f *form, p *medic.Patient, today medic.Date) error {
	applyPatient(f, p)
	if f.err() == nil {
		return nil
	}
	probe := *p
	if err := probe.Validate(today); err != nil {
		f.failFields(err)
	}
	return f.err()
}

// createPatient adds a chart. A likely duplicate stops it and the form comes
// back with the matching charts; ticking "This is a different person"
// creates it anyway.
func (h *Handler) createPatient(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	f := patientFormFrom(r)
	p := &medic.Patient{}
	rerender := func(status int) { h.renderPatientForm(w, r, status, p, f, nil) }
	if err := checkPatientForm(f, p, h.today(v)); err != nil {
		h.actionFormFail(w, r, "patient.create", err, f, rerender)
		return
	}
	dups, err := h.app.CreatePatient(r.Context(), p, f.Checked("confirm_different"))
	if errors.Is(err, app.ErrPossibleDuplicate) {
		f.Message = medic.ErrorMessage(err)
		h.renderPatientForm(w, r, http.StatusConflict, &medic.Patient{}, f, dups)
		return
	}
	if err != nil {
		h.formFail(w, r, err, f, rerender)
		return
	}
	seeOther(w, r, "/patients/"+url.PathEscape(p.ID)+"?m=patient-created")
}

func (h *Handler) editPatientForm(w http.ResponseWriter, r *http.Request, v *visitor) {
	p, err := h.app.GetPatient(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !h.offers(w, r, "patient.update") {
		return
	}
	if p.Status == medic.PatientMerged {
		seeOther(w, r, "/patients/"+url.PathEscape(p.ID))
		return
	}
	h.renderPatientForm(w, r, http.StatusOK, p, newForm("patient", patientValues(p)), nil)
}

func (h *Handler) updatePatient(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	id := r.PathValue("id")
	cur, err := h.app.GetPatient(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f := patientFormFrom(r)
	rerender := func(status int) { h.renderPatientForm(w, r, status, cur, f, nil) }
	sent := *cur
	if err := checkPatientForm(f, &sent, h.today(v)); err != nil {
		h.actionFormFail(w, r, "patient.update", err, f, rerender)
		return
	}
	_, err = h.app.UpdatePatient(r.Context(), id, func(p *medic.Patient) {
		p.GivenName, p.FamilyName, p.DateOfBirth, p.Sex = sent.GivenName, sent.FamilyName, sent.DateOfBirth, sent.Sex
		p.IDNumber, p.Passport, p.Email, p.Phone, p.Address = sent.IDNumber, sent.Passport, sent.Email, sent.Phone, sent.Address
		p.PreferredLanguage, p.MedicalAid, p.EmergencyContacts = sent.PreferredLanguage, sent.MedicalAid, sent.EmergencyContacts
		p.Allergies, p.ChronicConditions = sent.Allergies, sent.ChronicConditions
	})
	if err != nil {
		h.formFail(w, r, err, f, rerender)
		return
	}
	seeOther(w, r, "/patients/"+url.PathEscape(id)+"?m=patient-saved")
}

// setPatientStatus deactivates or reactivates a chart.
func (h *Handler) setPatientStatus(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	s := medic.PatientStatus(r.PostForm.Get("status"))
	pt, err := h.app.SetPatientStatus(r.Context(), r.PathValue("id"), s)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	seeOther(w, r, "/patients/"+url.PathEscape(pt.ID)+"?m=patient-"+string(pt.Status))
}
