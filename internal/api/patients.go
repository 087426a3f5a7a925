package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"medic"
	"medic/internal/app"
)

// patientRoutes registers charts.
func (h *Handler) patientRoutes(mux Router) {
	mux.HandleFunc("GET /api/v1/practices/{practice}/patients", h.tenant(h.searchPatients))
	mux.HandleFunc("POST /api/v1/practices/{practice}/patients", h.tenant(h.createPatient))
	mux.HandleFunc("GET /api/v1/practices/{practice}/patients/{id}", h.tenant(h.getPatient))
	mux.HandleFunc("PATCH /api/v1/practices/{practice}/patients/{id}", h.tenant(h.updatePatient))
	mux.HandleFunc("POST /api/v1/practices/{practice}/patients/{id}/deactivate", h.tenant(h.deactivatePatient))
	mux.HandleFunc("POST /api/v1/practices/{practice}/patients/{id}/reactivate", h.tenant(h.reactivatePatient))
	mux.HandleFunc("POST /api/v1/practices/{practice}/patients/{id}/merge", h.tenant(h.mergePatient))
	mux.HandleFunc("GET /api/v1/practices/{practice}/patients/{id}/appointments", h.tenant(h.listPatientAppointments))
}

type medicalAidDTO struct {
	Scheme        string `json:"scheme"`
	MemberNumber  string `json:"member_number"`
	DependentCode string `json:"dependent_code"`
}

type emergencyContactDTO struct {
	Name         string `json:"name"`
	Relationship string `json:"relationship"`
	Phone        string `json:"phone"`
}

// patientDTO is a chart: the DOMAIN.md fields first, then the rest. Fields
// of a part the member's role may not read are left out (not null), as the
// use case's projection withheld them.
type patientDTO struct {
	ID                string                `json:"id"`
	GivenName         string                `json:"given_name"`
	FamilyName        string                `json:"family_name"`
	DateOfBirth       medic.Date            `json:"date_of_birth"`
	Sex               medic.Sex             `json:"sex"`
	IDNumber          string                `json:"id_number"`
	Email             string                `json:"email"`
	Phone             string                `json:"phone"`
	Status            medic.PatientStatus   `json:"status"`
	Passport          string                `json:"passport"`
	Address           string                `json:"address"`
	PreferredLanguage string                `json:"preferred_language"`
	MedicalAid        medicalAidDTO         `json:"medical_aid"`
	EmergencyContacts []emergencyContactDTO `json:"emergency_contacts"`
	Allergies         *[]string             `json:"allergies,omitempty"`
	ChronicConditions *[]string             `json:"chronic_conditions,omitempty"`
	MergedInto        *string               `json:"merged_into"`
	CreatedAt         time.Time             `json:"created_at"`
	UpdatedAt         time.Time             `json:"updated_at"`
}

func toPatient(p *medic.Patient) patientDTO {
	contacts := make([]emergencyContactDTO, len(p.EmergencyContacts))
	for i, c := range p.EmergencyContacts {
		contacts[i] = emergencyContactDTO{Name: c.Name, Relationship: c.Relationship, Phone: c.Phone}
	}
	d := patientDTO{ID: p.ID, GivenName: p.GivenName, FamilyName: p.FamilyName, DateOfBirth: p.DateOfBirth, Sex: p.Sex, IDNumber: p.IDNumber,
		Email: p.Email, Phone: p.Phone, Status: p.Status, Passport: p.Passport, Address: p.Address, PreferredLanguage: p.PreferredLanguage,
		MedicalAid:        medicalAidDTO{Scheme: p.MedicalAid.Scheme, MemberNumber: p.MedicalAid.MemberNumber, DependentCode: p.MedicalAid.DependentCode},
		EmergencyContacts: contacts, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
	if p.Shows(medic.ChartClinical) {
		allergies, conditions := nonNilStrings(p.Allergies), nonNilStrings(p.ChronicConditions)
		d.Allergies, d.ChronicConditions = &allergies, &conditions
	}
	if p.MergedInto != "" {
		into := p.MergedInto
		d.MergedInto = &into
	}
	return d
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// patientInput is a create or partial update; nil fields stay as they are.
// Dates are strings so that a bad one is a field error.
type patientInput struct {
	GivenName         *string                `json:"given_name"`
	FamilyName        *string                `json:"family_name"`
	DateOfBirth       *string                `json:"date_of_birth"`
	Sex               *medic.Sex             `json:"sex"`
	IDNumber          *string                `json:"id_number"`
	Passport          *string                `json:"passport"`
	Email             *string                `json:"email"`
	Phone             *string                `json:"phone"`
	Address           *string                `json:"address"`
	PreferredLanguage *string                `json:"preferred_language"`
	MedicalAid        *medicalAidDTO         `json:"medical_aid"`
	EmergencyContacts *[]emergencyContactDTO `json:"emergency_contacts"`
	Allergies         *[]string              `json:"allergies"`
	ChronicConditions *[]string              `json:"chronic_conditions"`
	// ConfirmDuplicate creates a chart despite likely duplicates (create only).
	ConfirmDuplicate *bool `json:"confirm_duplicate"`
}

// apply copies the set fields into p; the use case validates them
// (medic.Patient.Validate).
func (in patientInput) apply(p *medic.Patient) error {
	f := medic.FieldErrors{}
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&p.GivenName, in.GivenName)
	set(&p.FamilyName, in.FamilyName)
	set(&p.IDNumber, in.IDNumber)
	set(&p.Passport, in.Passport)
	set(&p.Email, in.Email)
	set(&p.Phone, in.Phone)
	set(&p.Address, in.Address)
	set(&p.PreferredLanguage, in.PreferredLanguage)
	if in.DateOfBirth != nil {
		if *in.DateOfBirth == "" {
			p.DateOfBirth = medic.Date{}
		} else {
			p.DateOfBirth = dateField(f, "date_of_birth", in.DateOfBirth)
		}
	}
	if in.Sex != nil {
		p.Sex = *in.Sex
	}
	if in.MedicalAid != nil {
		m := *in.MedicalAid
		p.MedicalAid = medic.MedicalAid{Scheme: m.Scheme, MemberNumber: m.MemberNumber, DependentCode: m.DependentCode}
	}
	if in.EmergencyContacts != nil {
		cs := *in.EmergencyContacts
		p.EmergencyContacts = make([]medic.EmergencyContact, 0, len(cs))
		for _, c := range cs {
			if strings.TrimSpace(c.Name) == "" && strings.TrimSpace(c.Phone) == "" {
				f.Add("emergency_contacts", "Give each emergency contact a name or phone number.")
			}
			p.EmergencyContacts = append(p.EmergencyContacts, medic.EmergencyContact{Name: c.Name, Relationship: c.Relationship, Phone: c.Phone})
		}
	}
	if in.Allergies != nil {
		p.Allergies = *in.Allergies
	}
	if in.ChronicConditions != nil {
		p.ChronicConditions = *in.ChronicConditions
	}
	return f.Err()
}

// searchPatients lists charts: q (name, typo-tolerant; phone; email; ID
// number), sort, include_inactive, limit, cursor. The read is audited.
func (h *Handler) searchPatients(w http.ResponseWriter, r *http.Request) {
	p, err := page(r)
	if err != nil {
		h.error(w, r, err)
		return
	}
	q := r.URL.Query()
	f := medic.PatientFilter{Query: strings.TrimSpace(q.Get("q")), Sort: q.Get("sort")}
	fields := medic.FieldErrors{}
	if len(f.Query) > 200 {
		fields.Add("q", "Use at most 200 characters.")
	}
	f.IncludeInactive = boolParam(fields, q, "include_inactive")
	if err := fields.Err(); err != nil {
		h.error(w, r, err)
		return
	}
	ps, next, err := h.app.SearchPatients(r.Context(), f, p)
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newList(mapAll(ps, toPatient), next))
}

// boolParam reads an optional true/false query parameter.
func boolParam(fields medic.FieldErrors, q map[string][]string, name string) bool {
	vs := q[name]
	if len(vs) == 0 || vs[0] == "" {
		return false
	}
	b, err := strconv.ParseBool(vs[0])
	if err != nil {
		fields.Add(name, "Use true or false.")
	}
	return b
}

func (h *Handler) getPatient(w http.ResponseWriter, r *http.Request) {
	p, err := h.app.GetPatient(r.Context(), r.PathValue("id"))
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toPatient(p))
}

type duplicateDTO struct {
	ID          string     `json:"id"`
	GivenName   string     `json:"given_name"`
	FamilyName  string     `json:"family_name"`
	DateOfBirth medic.Date `json:"date_of_birth"`
	Reason      string     `json:"reason"`
}

// duplicateProblem is the 409 for a likely duplicate: the problem document
// with the existing charts to offer instead.
type duplicateProblem struct {
	problem
	Duplicates []duplicateDTO `json:"duplicates"`
}

// createPatient adds a chart. Likely duplicates answer 409 with the
// matches in "duplicates"; "confirm_duplicate": true creates it anyway.
func (h *Handler) createPatient(w http.ResponseWriter, r *http.Request) {
	var in patientInput
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	p := &medic.Patient{}
	if err := in.apply(p); err != nil {
		// Report the domain's field errors too, in one answer.
		check := *p
		h.error(w, r, mergeFieldErrors(err, check.Validate(medic.DateOf(h.app.Clock.Now().In(practiceZone(r.Context()))))))
		return
	}
	dups, err := h.app.CreatePatient(r.Context(), p, in.ConfirmDuplicate != nil && *in.ConfirmDuplicate)
	if errors.Is(err, app.ErrPossibleDuplicate) {
		body := duplicateProblem{
			problem:    problem{Type: "about:blank", Title: http.StatusText(http.StatusConflict), Status: http.StatusConflict, Detail: medic.ErrorMessage(err)},
			Duplicates: make([]duplicateDTO, 0, len(dups)),
		}
		for _, d := range dups {
			body.Duplicates = append(body.Duplicates, duplicateDTO{ID: d.Patient.ID, GivenName: d.Patient.GivenName, FamilyName: d.Patient.FamilyName,
				DateOfBirth: d.Patient.DateOfBirth, Reason: d.Reason})
		}
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusConflict)
		_ = json.NewEncoder(w).Encode(body)
		return
	}
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, toPatient(p))
}

func (h *Handler) updatePatient(w http.ResponseWriter, r *http.Request) {
	var in patientInput
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	if in.ConfirmDuplicate != nil {
		h.error(w, r, &medic.Error{Code: medic.EINVALID, Message: "confirm_duplicate applies to new charts only.", Fields: map[string]string{"confirm_duplicate": "Only when creating a chart."}})
		return
	}
	// The input's own checks come first, so that nothing is saved half-applied.
	if err := in.apply(&medic.Patient{}); err != nil {
		h.error(w, r, err)
		return
	}
	p, err := h.app.UpdatePatient(r.Context(), r.PathValue("id"), func(p *medic.Patient) { _ = in.apply(p) })
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toPatient(p))
}

// mergeFieldErrors joins the field messages of two validation errors.
func mergeFieldErrors(a, b error) error {
	f := medic.FieldErrors{}
	for _, e := range []error{a, b} {
		for k, v := range medic.ErrorFields(e) {
			f.Add(k, v)
		}
	}
	if err := f.Err(); err != nil {
		return err
	}
	return a
}

func (h *Handler) deactivatePatient(w http.ResponseWriter, r *http.Request) {
	h.setPatientStatus(w, r, medic.PatientInactive)
}

func (h *Handler) reactivatePatient(w http.ResponseWriter, r *http.Request) {
	h.setPatientStatus(w, r, medic.PatientActive)
}

// setPatientStatus deactivates or reactivates a chart; charts are never deleted.
func (h *Handler) setPatientStatus(w http.ResponseWriter, r *http.Request, s medic.PatientStatus) {
	if err := decodeOptional(r, &struct{}{}); err != nil {
		h.error(w, r, err)
		return
	}
	p, err := h.app.SetPatientStatus(r.Context(), r.PathValue("id"), s)
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toPatient(p))
}

// mergePatient merges the chart in the path into "into" (irreversible:
// "confirm": true is required) and answers with the surviving chart.
func (h *Handler) mergePatient(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Into    string `json:"into"`
		Confirm bool   `json:"confirm"`
	}
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	if in.Into == "" {
		h.error(w, r, &medic.Error{Code: medic.EINVALID, Message: "Choose the chart to merge into.", Fields: map[string]string{"into": "Required."}})
		return
	}
	if err := h.app.MergePatients(r.Context(), r.PathValue("id"), in.Into, in.Confirm); err != nil {
		h.error(w, r, err)
		return
	}
	p, err := h.app.GetPatient(r.Context(), in.Into)
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toPatient(p))
}

// listPatientAppointments is a chart's appointments tab: the filters of
// the appointment list, for this patient (404 for a chart not of this
// practice, like every record).
func (h *Handler) listPatientAppointments(w http.ResponseWriter, r *http.Request) {
	p, err := page(r)
	if err != nil {
		h.error(w, r, err)
		return
	}
	f, err := appointmentFilter(r)
	if err != nil {
		h.error(w, r, err)
		return
	}
	patient, err := h.app.GetPatient(r.Context(), r.PathValue("id"))
	if err != nil {
		h.error(w, r, err)
		return
	}
	f.PatientID = patient.ID
	as, next, err := h.app.ListAppointments(r.Context(), f, p)
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newList(mapAll(as, toAppointment(practiceZone(r.Context()))), next))
}
