package api

import (
	"net/http"
	"time"

	"medic"
)

// practitionerRoutes registers practitioners.
func (h *Handler) practitionerRoutes(mux Router) {
	mux.HandleFunc("GET /api/v1/practices/{practice}/practitioners", h.tenant(h.listPractitioners))
	mux.HandleFunc("POST /api/v1/practices/{practice}/practitioners", h.tenant(h.createPractitioner))
	mux.HandleFunc("GET /api/v1/practices/{practice}/practitioners/{id}", h.tenant(h.getPractitioner))
	mux.HandleFunc("PATCH /api/v1/practices/{practice}/practitioners/{id}", h.tenant(h.updatePractitioner))
}

type assignmentDTO struct {
	LocationID string     `json:"location_id"`
	Primary    bool       `json:"primary"`
	StartDate  medic.Date `json:"start_date"`
	EndDate    medic.Date `json:"end_date"`
}

// practitionerDTO: the DOMAIN.md fields first, then the rest.
type practitionerDTO struct {
	ID                 string                   `json:"id"`
	Name               string                   `json:"name"`
	Specialty          string                   `json:"specialty"`
	RegistrationNumber string                   `json:"registration_number"`
	Status             medic.PractitionerStatus `json:"status"`
	LocationIDs        []string                 `json:"location_ids"`
	PracticeNumber     string                   `json:"practice_number"`
	Qualifications     string                   `json:"qualifications"`
	MemberID           *string                  `json:"member_id"`
	Assignments        []assignmentDTO          `json:"assignments"`
	HasSignature       bool                     `json:"has_signature"`
	CreatedAt          time.Time                `json:"created_at"`
	UpdatedAt          time.Time                `json:"updated_at"`
}

func toPractitioner(p *medic.Practitioner) practitionerDTO {
	as := make([]assignmentDTO, len(p.Assignments))
	for i, a := range p.Assignments {
		as[i] = assignmentDTO{LocationID: a.LocationID, Primary: a.Primary, StartDate: a.StartDate, EndDate: a.EndDate}
	}
	d := practitionerDTO{ID: p.ID, Name: p.Name, Specialty: p.Specialty, RegistrationNumber: p.RegistrationNumber, Status: p.Status,
		LocationIDs: p.LocationIDs(), PracticeNumber: p.PracticeNumber, Qualifications: p.Qualifications, Assignments: as,
		HasSignature: p.HasSignature, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
	if p.MemberID != "" {
		m := p.MemberID
		d.MemberID = &m
	}
	return d
}

type assignmentInput struct {
	LocationID string  `json:"location_id"`
	Primary    bool    `json:"primary"`
	StartDate  *string `json:"start_date"`
	EndDate    *string `json:"end_date"`
}

// practitionerInput is a create or partial update; nil fields stay as they
// are. location_ids is the short form of assignments (open-ended, the
// first one primary); an assignment already held keeps its dates.
type practitionerInput struct {
	Name               *string                   `json:"name"`
	Specialty          *string                   `json:"specialty"`
	RegistrationNumber *string                   `json:"registration_number"`
	PracticeNumber     *string                   `json:"practice_number"`
	Qualifications     *string                   `json:"qualifications"`
	Status             *medic.PractitionerStatus `json:"status"`
	MemberID           *string                   `json:"member_id"` // "" unlinks
	LocationIDs        *[]string                 `json:"location_ids"`
	Assignments        *[]assignmentInput        `json:"assignments"`
}

func (in practitionerInput) apply(p *medic.Practitioner) error {
	f := medic.FieldErrors{}
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&p.Name, in.Name)
	set(&p.Specialty, in.Specialty)
	set(&p.RegistrationNumber, in.RegistrationNumber)
	set(&p.PracticeNumber, in.PracticeNumber)
	set(&p.Qualifications, in.Qualifications)
	set(&p.MemberID, in.MemberID)
	if in.Status != nil {
		p.Status = *in.Status
		if p.Status == "" {
			f.Add("status", "Choose active, inactive or on_leave.")
		}
	}
	switch {
	case in.LocationIDs != nil && in.Assignments != nil:
		f.Add("location_ids", "Send location_ids or assignments, not both.")
	case in.LocationIDs != nil:
		held := map[string]medic.LocationAssignment{}
		primary := false
		for _, a := range p.Assignments {
			held[a.LocationID] = a
		}
		var as []medic.LocationAssignment
		for _, id := range *in.LocationIDs {
			a, ok := held[id]
			if !ok {
				a = medic.LocationAssignment{LocationID: id}
			}
			primary = primary || a.Primary
			as = append(as, a)
		}
		if !primary && len(as) > 0 {
			as[0].Primary = true
		}
		p.Assignments = as
	case in.Assignments != nil:
		as := make([]medic.LocationAssignment, 0, len(*in.Assignments))
		for _, a := range *in.Assignments {
			as = append(as, medic.LocationAssignment{LocationID: a.LocationID, Primary: a.Primary,
				StartDate: dateField(f, "assignments", a.StartDate), EndDate: dateField(f, "assignments", a.EndDate)})
		}
		p.Assignments = as
	}
	if in.LocationIDs != nil && len(*in.LocationIDs) > 50 || in.Assignments != nil && len(*in.Assignments) > 50 {
		f.Add("assignments", "Assign at most 50 locations.")
	}
	return f.Err()
}

func (h *Handler) listPractitioners(w http.ResponseWriter, r *http.Request) {
	p, err := page(r)
	if err != nil {
		h.error(w, r, err)
		return
	}
	ps, next, err := h.app.ListPractitioners(r.Context(), p)
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newList(mapAll(ps, toPractitioner), next))
}

func (h *Handler) getPractitioner(w http.ResponseWriter, r *http.Request) {
	p, err := h.app.GetPractitioner(r.Context(), r.PathValue("id"))
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toPractitioner(p))
}

func (h *Handler) createPractitioner(w http.ResponseWriter, r *http.Request) {
	var in practitionerInput
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	p := &medic.Practitioner{Status: medic.PractitionerActive}
	if err := in.apply(p); err != nil {
		h.error(w, r, err)
		return
	}
	if err := h.app.CreatePractitioner(r.Context(), p); err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, toPractitioner(p))
}

func (h *Handler) updatePractitioner(w http.ResponseWriter, r *http.Request) {
	var in practitionerInput
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	// The input's own checks come first, so that nothing is saved half-applied.
	if err := in.apply(&medic.Practitioner{}); err != nil {
		h.error(w, r, err)
		return
	}
	p, err := h.app.UpdatePractitioner(r.Context(), r.PathValue("id"), func(p *medic.Practitioner) { _ = in.apply(p) })
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toPractitioner(p))
}
