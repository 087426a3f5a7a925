package fhirapi

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"medic"
	"medic/internal/app"
	"medic/internal/fhir"
)

func (h *Handler) patientType() *resourceType {
	return &resourceType{name: "Patient", doc: "Charts of the practice. Delete deactivates the chart (active false); it is never destroyed.",
		read: h.readPatient, search: h.searchPatients, create: h.createPatient, update: h.updatePatient, delete: h.deletePatient,
		vread: h.vread(h.patientVersions), history: h.history("Patient", h.patientVersions),
		conditionalCreate: true,
		operations:        []operation{{"everything", "http://hl7.org/fhir/OperationDefinition/Patient-everything", h.patientEverything}},
		params: []searchParam{
			{"_id", "token", "Chart ids (comma: any of)."},
			{"_lastUpdated", "date", "Last change, with prefixes eq, lt, le, gt, ge, sa, eb."},
			{"name", "string", "Starts a word of the given or family name."},
			{"family", "string", "Starts a word of the family name."},
			{"given", "string", "Starts a word of the given names."},
			{"birthdate", "date", "Date of birth, with prefixes eq, lt, le, gt, ge, sa, eb."},
			{"gender", "token", "female, male, other or unknown."},
			{"identifier", "token", "SA ID number: " + fhir.SAIDSystem + "|value, or the value alone."},
			{"email", "token", "Email address (case-insensitive)."},
			{"phone", "token", "Phone number, in any usual South African or international form."},
		},
		sorts: []searchParam{{"family", "", "family name, then given names"}, {"birthdate", "", "date of birth"}, {"_lastUpdated", "", "last change"}}}
}

func (h *Handler) readPatient(w http.ResponseWriter, r *http.Request, id string) {
	p, err := h.app.GetPatient(r.Context(), id)
	if err != nil {
		h.error(w, r, err)
		return
	}
	res := fhir.FromPatient(p)
	h.writeVersioned(w, http.StatusOK, res.Meta, res)
}

// patientCriteria reads a Patient search; none is true when it can match
// no chart (an identifier of another system, a phone that is not one).
func patientCriteria(s *searchRequest) (c medic.PatientCriteria, none bool, err error) {
	c.IDs = ids(s.get("_id"))
	for _, p := range []string{"name", "family", "given", "email", "phone", "identifier", "gender"} {
		if err := noOr(p, s.get(p)); err != nil {
			return c, false, err
		}
	}
	c.Names, c.Families, c.Givens = s.get("name"), s.get("family"), s.get("given")
	born, err := dateSpan("birthdate", s.get("birthdate"), time.UTC)
	if err != nil {
		return c, false, err
	}
	if !born.from.IsZero() {
		c.BornFrom = medic.DateOf(born.from)
		if born.from.Hour() != 0 || born.from.Minute() != 0 || born.from.Second() != 0 {
			c.BornFrom = c.BornFrom.AddDays(1) // from a time within a day: born the next day on
		}
	}
	if !born.before.IsZero() {
		c.BornBefore = medic.DateOf(born.before)
		if born.before.Hour() != 0 || born.before.Minute() != 0 || born.before.Second() != 0 {
			c.BornBefore = c.BornBefore.AddDays(1)
		}
	}
	updated, err := dateSpan("_lastUpdated", s.get("_lastUpdated"), s.loc)
	if err != nil {
		return c, false, err
	}
	c.UpdatedFrom, c.UpdatedBefore = updated.from, updated.before
	none = born.empty() || updated.empty()
	g, err := s.one("gender")
	if err != nil {
		return c, false, err
	}
	switch medic.Sex(g) {
	case "", medic.SexFemale, medic.SexMale, medic.SexOther, medic.SexUnknown:
		c.Sex = medic.Sex(g)
	default:
		return c, false, badRequest("gender: use female, male, other or unknown.")
	}
	ident, err := s.one("identifier")
	if err != nil {
		return c, false, err
	}
	if ident != "" {
		system, value, hasSystem := strings.Cut(ident, "|")
		if !hasSystem {
			system, value = "", ident
		}
		if hasSystem && system != "" && system != fhir.SAIDSystem {
			none = true
		}
		c.IDNumber = strings.ReplaceAll(value, " ", "")
	}
	if c.Email, err = s.one("email"); err != nil {
		return c, false, err
	}
	phone, err := s.one("phone")
	if err != nil {
		return c, false, err
	}
	if phone != "" {
		if c.Phone, err = medic.NormalizePhone(phone); err != nil {
			none, err = true, nil
		}
	}
	return c, none, nil
}

func (h *Handler) searchPatients(w http.ResponseWriter, r *http.Request, s *searchRequest) {
	c, none, err := patientCriteria(s)
	if err != nil {
		h.error(w, r, err)
		return
	}
	if none {
		if s.count {
			h.writeCount(w, s, 0)
		} else {
			h.writeBundle(w, s, nil, "", nil)
		}
		return
	}
	if s.count {
		n, err := h.app.CountPatients(r.Context(), c)
		if err != nil {
			h.error(w, r, err)
			return
		}
		h.writeCount(w, s, n)
		return
	}
	c.Sort, c.Desc = map[string]medic.PatientSort{"family": medic.SortByFamily, "birthdate": medic.SortByBirthDate, "_lastUpdated": medic.SortByUpdated}[s.sort], s.desc
	ps, next, err := h.app.FindPatients(r.Context(), c, s.page)
	if err != nil {
		h.error(w, r, err)
		return
	}
	entries := make([]entry, len(ps))
	for i, p := range ps {
		entries[i] = entry{typ: "Patient", id: p.ID, res: fhir.FromPatient(p)}
	}
	h.writeBundle(w, s, entries, next, nil)
}

// createPatient creates a chart; If-None-Exist (a Patient search) makes it
// conditional: one match is answered 200 with it, two or more 412.
func (h *Handler) createPatient(w http.ResponseWriter, r *http.Request) {
	var in fhir.Patient
	if err := readBody(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	if in.ID != "" {
		h.error(w, r, badRequest("A new Patient has no id; the server assigns one."))
		return
	}
	if cond := r.Header.Get("If-None-Exist"); cond != "" {
		q, err := url.ParseQuery(strings.TrimPrefix(cond, "Patient?"))
		if err != nil {
			h.error(w, r, badRequest("If-None-Exist: give Patient search parameters."))
			return
		}
		s := &searchRequest{params: url.Values{}, loc: h.location(r), page: medic.Page{Limit: 2}}
		for k, vs := range q {
			if !h.typeHasParam("Patient", k) {
				h.error(w, r, badRequest("If-None-Exist: the search parameter "+k+" is not supported for Patient."))
				return
			}
			s.params[k] = vs
		}
		c, none, err := patientCriteria(s)
		if err != nil {
			h.error(w, r, err)
			return
		}
		if !none {
			found, _, err := h.app.FindPatients(r.Context(), c, s.page)
			if err != nil {
				h.error(w, r, err)
				return
			}
			switch len(found) {
			case 0:
			case 1:
				res := fhir.FromPatient(found[0])
				h.writeVersioned(w, http.StatusOK, res.Meta, res)
				return
			default:
				h.error(w, r, errPrecondition)
				return
			}
		}
	}
	p := &medic.Patient{}
	if err := fhir.ApplyPatient(&in, p); err != nil {
		h.error(w, r, err)
		return
	}
	if _, err := h.app.CreatePatient(r.Context(), p, false); err != nil {
		h.error(w, r, err, fhir.PatientField)
		return
	}
	res := fhir.FromPatient(p)
	w.Header().Set("Location", h.baseURL(r)+"/Patient/"+p.ID+"/_history/"+res.Meta.VersionID)
	h.writeVersioned(w, http.StatusCreated, res.Meta, res)
}

func (h *Handler) typeHasParam(typ, name string) bool {
	for _, t := range h.types {
		if t.name == typ {
			for _, p := range t.params {
				if p.name == name {
					return true
				}
			}
		}
	}
	return false
}

// ifMatch reads If-Match: W/"version"; ok is false when absent.
func ifMatch(r *http.Request) (version string, ok bool, err error) {
	v := strings.TrimSpace(r.Header.Get("If-Match"))
	if v == "" {
		return "", false, nil
	}
	v = strings.Trim(strings.TrimPrefix(v, "W/"), `"`)
	if _, valid := fhir.ParseVersion(v); !valid {
		return "", true, errPrecondition
	}
	return v, true, nil
}

func (h *Handler) updatePatient(w http.ResponseWriter, r *http.Request, id string) {
	var in fhir.Patient
	if err := readBody(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	if in.ID != id {
		h.error(w, r, badRequest("The Patient's id must be the id in the URL."))
		return
	}
	// Check what the body says first: the change below cannot fail.
	if err := fhir.ApplyPatient(&in, &medic.Patient{}); err != nil {
		h.error(w, r, err)
		return
	}
	change := func(p *medic.Patient) { _ = fhir.ApplyPatient(&in, p) }
	version, conditional, err := ifMatch(r)
	if err != nil {
		h.error(w, r, err)
		return
	}
	var p *medic.Patient
	if conditional {
		at, _ := fhir.ParseVersion(version)
		p, err = h.app.UpdatePatientIfVersion(r.Context(), id, at, change)
	} else {
		p, err = h.app.UpdatePatient(r.Context(), id, change)
	}
	if err != nil {
		h.error(w, r, err, fhir.PatientField)
		return
	}
	res := fhir.FromPatient(p)
	h.writeVersioned(w, http.StatusOK, res.Meta, res)
}

// deletePatient deactivates the chart: records are kept (the law asks for
// years), and FHIR reads show it with active false.
func (h *Handler) deletePatient(w http.ResponseWriter, r *http.Request, id string) {
	if _, err := h.app.SetPatientStatus(r.Context(), id, medic.PatientInactive); err != nil {
		h.error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

var _ = app.ErrVersionMismatch
