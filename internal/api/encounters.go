package api

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"medic"
	"medic/internal/app"
)

// encounterRoutes registers encounters, the queue and encounter templates.
func (h *Handler) encounterRoutes(mux Router) {
	mux.HandleFunc("GET /api/v1/practices/{practice}/encounters", h.tenant(h.listEncounters))
	mux.HandleFunc("POST /api/v1/practices/{practice}/encounters", h.tenant(h.createEncounter))
	mux.HandleFunc("GET /api/v1/practices/{practice}/encounters/{id}", h.tenant(h.getEncounter))
	mux.HandleFunc("PATCH /api/v1/practices/{practice}/encounters/{id}", h.tenant(h.updateEncounter))
	mux.HandleFunc("POST /api/v1/practices/{practice}/encounters/{id}/finish", h.tenant(h.finishEncounter))
	mux.HandleFunc("POST /api/v1/practices/{practice}/encounters/{id}/addenda", h.tenant(h.addAddendum))
	mux.HandleFunc("POST /api/v1/practices/{practice}/encounters/{id}/stage", h.tenant(h.setEncounterStage))
	mux.HandleFunc("GET /api/v1/practices/{practice}/queue", h.tenant(h.getQueue))
	mux.HandleFunc("GET /api/v1/practices/{practice}/encounter-templates", h.tenant(h.listEncounterTemplates))
	mux.HandleFunc("POST /api/v1/practices/{practice}/encounter-templates", h.tenant(h.createEncounterTemplate))
	mux.HandleFunc("GET /api/v1/practices/{practice}/encounter-templates/{id}", h.tenant(h.getEncounterTemplate))
	mux.HandleFunc("PATCH /api/v1/practices/{practice}/encounter-templates/{id}", h.tenant(h.updateEncounterTemplate))
}

type soapDTO struct {
	Subjective string `json:"subjective"`
	Objective  string `json:"objective"`
	Assessment string `json:"assessment"`
	Plan       string `json:"plan"`
}

func toSOAP(s medic.SOAP) soapDTO {
	return soapDTO{Subjective: s.Subjective, Objective: s.Objective, Assessment: s.Assessment, Plan: s.Plan}
}

type addendumDTO struct {
	ID         string    `json:"id"`
	Text       string    `json:"text"`
	Reason     string    `json:"reason"`
	AuthorID   *string   `json:"author_id"`
	AuthorName string    `json:"author_name"`
	At         time.Time `json:"at"`
}

type encounterDTO struct {
	ID               string                `json:"id"`
	PatientID        string                `json:"patient_id"`
	PractitionerID   string                `json:"practitioner_id"`
	LocationID       string                `json:"location_id"`
	AppointmentID    *string               `json:"appointment_id"`
	Status           medic.EncounterStatus `json:"status"`
	Stage            medic.EncounterStage  `json:"stage"`
	SOAP             soapDTO               `json:"soap"`
	StartedAt        time.Time             `json:"started_at"`
	StageSince       time.Time             `json:"stage_since"`
	FinishedAt       *time.Time            `json:"finished_at"`
	FinishedBy       *string               `json:"finished_by"`
	FinishedByName   string                `json:"finished_by_name,omitempty"`
	UpdatedAt        time.Time             `json:"updated_at"`
	Version          int                   `json:"version"`
	PatientName      string                `json:"patient_name"`
	PractitionerName string                `json:"practitioner_name"`
	LocationName     string                `json:"location_name"`
	Addenda          []addendumDTO         `json:"addenda"`
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// toAddendum renders times in loc, the practice's zone.
func toAddendum(loc *time.Location) func(*medic.Addendum) addendumDTO {
	return func(a *medic.Addendum) addendumDTO {
		return addendumDTO{ID: a.ID, Text: a.Text, Reason: a.Reason, AuthorID: optional(a.AuthorID), AuthorName: a.AuthorName, At: a.At.In(loc)}
	}
}

func toEncounter(loc *time.Location) func(*medic.Encounter) encounterDTO {
	return func(e *medic.Encounter) encounterDTO {
		d := encounterDTO{ID: e.ID, PatientID: e.PatientID, PractitionerID: e.PractitionerID, LocationID: e.LocationID,
			AppointmentID: optional(e.AppointmentID), Status: e.Status, Stage: e.Stage, SOAP: toSOAP(e.SOAP),
			StartedAt: e.StartedAt.In(loc), StageSince: e.StageSince.In(loc), FinishedBy: optional(e.FinishedBy), FinishedByName: e.FinishedByName,
			UpdatedAt: e.UpdatedAt.In(loc), Version: e.Version, PatientName: e.PatientName, PractitionerName: e.PractitionerName,
			LocationName: e.LocationName, Addenda: mapAll(e.Addenda, toAddendum(loc))}
		if !e.FinishedAt.IsZero() {
			t := e.FinishedAt.In(loc)
			d.FinishedAt = &t
		}
		return d
	}
}

// queueItemDTO is one line of the queue board: no clinical content.
type queueItemDTO struct {
	ID               string               `json:"id"`
	PatientID        string               `json:"patient_id"`
	PatientName      string               `json:"patient_name"`
	PractitionerID   string               `json:"practitioner_id"`
	PractitionerName string               `json:"practitioner_name"`
	LocationID       string               `json:"location_id"`
	LocationName     string               `json:"location_name"`
	AppointmentID    *string              `json:"appointment_id"`
	Stage            medic.EncounterStage `json:"stage"`
	StageSince       time.Time            `json:"stage_since"`
	StartedAt        time.Time            `json:"started_at"`
	WaitingMinutes   int                  `json:"waiting_minutes"`
}

func toQueueItem(loc *time.Location, now time.Time) func(*medic.Encounter) queueItemDTO {
	return func(e *medic.Encounter) queueItemDTO {
		return queueItemDTO{ID: e.ID, PatientID: e.PatientID, PatientName: e.PatientName, PractitionerID: e.PractitionerID,
			PractitionerName: e.PractitionerName, LocationID: e.LocationID, LocationName: e.LocationName, AppointmentID: optional(e.AppointmentID),
			Stage: e.Stage, StageSince: e.StageSince.In(loc), StartedAt: e.StartedAt.In(loc), WaitingMinutes: max(0, int(now.Sub(e.StageSince)/time.Minute))}
	}
}

// encounterFilter reads patient, practitioner, location and status (one
// or more, comma-separated or repeated).
func encounterFilter(r *http.Request) (medic.EncounterFilter, error) {
	q := r.URL.Query()
	f := medic.EncounterFilter{PatientID: q.Get("patient"), PractitionerID: q.Get("practitioner"), LocationID: q.Get("location")}
	fields := medic.FieldErrors{}
	for _, v := range q["status"] {
		for _, s := range strings.Split(v, ",") {
			st := medic.EncounterStatus(strings.TrimSpace(s))
			if st == "" {
				continue
			}
			if !slices.Contains([]medic.EncounterStatus{medic.EncounterDraft, medic.EncounterFinished}, st) {
				fields.Add("status", "Use draft or finished.")
				continue
			}
			f.Statuses = append(f.Statuses, st)
		}
	}
	return f, fields.Err()
}

func (h *Handler) listEncounters(w http.ResponseWriter, r *http.Request) {
	p, err := page(r)
	if err != nil {
		h.error(w, r, err)
		return
	}
	f, err := encounterFilter(r)
	if err != nil {
		h.error(w, r, err)
		return
	}
	es, next, err := h.app.ListEncounters(r.Context(), f, p)
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newList(mapAll(es, toEncounter(practiceZone(r.Context()))), next))
}

// createEncounter starts a visit: 201 with the draft; 409 when the
// appointment is not checked in or already has an open encounter.
func (h *Handler) createEncounter(w http.ResponseWriter, r *http.Request) {
	var in struct {
		PatientID      string `json:"patient_id"`
		PractitionerID string `json:"practitioner_id"`
		LocationID     string `json:"location_id"`
		AppointmentID  string `json:"appointment_id"`
		Stage          string `json:"stage"`
		TemplateID     string `json:"template_id"`
	}
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	e, err := h.app.CreateEncounter(r.Context(), app.EncounterRequest{PatientID: in.PatientID, PractitionerID: in.PractitionerID,
		LocationID: in.LocationID, AppointmentID: in.AppointmentID, Stage: medic.EncounterStage(in.Stage), TemplateID: in.TemplateID})
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, toEncounter(practiceZone(r.Context()))(e))
}

func (h *Handler) getEncounter(w http.ResponseWriter, r *http.Request) {
	e, err := h.app.GetEncounter(r.Context(), r.PathValue("id"))
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toEncounter(practiceZone(r.Context()))(e))
}

// updateEncounter changes a draft's SOAP sections (those sent) and stage;
// "version" (optional) guards against overwriting another tab's save:
// 409 when stale, and 409 once the encounter is finished.
func (h *Handler) updateEncounter(w http.ResponseWriter, r *http.Request) {
	var in struct {
		SOAP *struct {
			Subjective *string `json:"subjective"`
			Objective  *string `json:"objective"`
			Assessment *string `json:"assessment"`
			Plan       *string `json:"plan"`
		} `json:"soap"`
		Stage   *medic.EncounterStage `json:"stage"`
		Version int                   `json:"version"`
	}
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	c := app.EncounterChange{Stage: in.Stage, Version: in.Version}
	if in.SOAP != nil {
		c.Subjective, c.Objective, c.Assessment, c.Plan = in.SOAP.Subjective, in.SOAP.Objective, in.SOAP.Assessment, in.SOAP.Plan
	}
	e, err := h.app.UpdateEncounter(r.Context(), r.PathValue("id"), c)
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toEncounter(practiceZone(r.Context()))(e))
}

// finishEncounter locks the encounter (optional body {"version"}).
func (h *Handler) finishEncounter(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Version int `json:"version"`
	}
	if err := decodeOptional(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	e, err := h.app.FinishEncounter(r.Context(), r.PathValue("id"), in.Version)
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toEncounter(practiceZone(r.Context()))(e))
}

// addAddendum amends a finished encounter: 201 with the addendum.
func (h *Handler) addAddendum(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Text   string `json:"text"`
		Reason string `json:"reason"`
	}
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	a, err := h.app.AddAddendum(r.Context(), r.PathValue("id"), in.Text, in.Reason)
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, toAddendum(practiceZone(r.Context()))(a))
}

// setEncounterStage is the queue board's stage change {"stage"}; it
// answers the queue line (no clinical content: reception uses it too).
func (h *Handler) setEncounterStage(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Stage string `json:"stage"`
	}
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	e, err := h.app.SetEncounterStage(r.Context(), r.PathValue("id"), medic.EncounterStage(in.Stage))
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toQueueItem(practiceZone(r.Context()), h.app.Clock.Now())(e))
}

// getQueue is the queue board: open visits at ?location= (all if absent).
func (h *Handler) getQueue(w http.ResponseWriter, r *http.Request) {
	es, err := h.app.ViewQueue(r.Context(), r.URL.Query().Get("location"))
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newList(mapAll(es, toQueueItem(practiceZone(r.Context()), h.app.Clock.Now())), ""))
}

type encounterTemplateDTO struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	SOAP      soapDTO   `json:"soap"`
	Active    bool      `json:"active"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func toEncounterTemplate(t *medic.EncounterTemplate) encounterTemplateDTO {
	return encounterTemplateDTO{ID: t.ID, Name: t.Name, SOAP: toSOAP(t.SOAP), Active: t.Active, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt}
}

// listEncounterTemplates lists active templates (?all=true: retired too).
func (h *Handler) listEncounterTemplates(w http.ResponseWriter, r *http.Request) {
	ts, err := h.app.ListEncounterTemplates(r.Context(), r.URL.Query().Get("all") == "true")
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newList(mapAll(ts, toEncounterTemplate), ""))
}

func (h *Handler) getEncounterTemplate(w http.ResponseWriter, r *http.Request) {
	t, err := h.app.GetEncounterTemplate(r.Context(), r.PathValue("id"))
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toEncounterTemplate(t))
}

type templateInput struct {
	Name *string `json:"name"`
	SOAP *struct {
		Subjective *string `json:"subjective"`
		Objective  *string `json:"objective"`
		Assessment *string `json:"assessment"`
		Plan       *string `json:"plan"`
	} `json:"soap"`
	Active *bool `json:"active"`
}

func (in templateInput) change() app.TemplateChange {
	c := app.TemplateChange{Name: in.Name, Active: in.Active}
	if in.SOAP != nil {
		c.Subjective, c.Objective, c.Assessment, c.Plan = in.SOAP.Subjective, in.SOAP.Objective, in.SOAP.Assessment, in.SOAP.Plan
	}
	return c
}

func (h *Handler) createEncounterTemplate(w http.ResponseWriter, r *http.Request) {
	var in templateInput
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	c := in.change()
	t := &medic.EncounterTemplate{}
	for _, s := range []struct{ from, to *string }{{c.Name, &t.Name}, {c.Subjective, &t.SOAP.Subjective}, {c.Objective, &t.SOAP.Objective}, {c.Assessment, &t.SOAP.Assessment}, {c.Plan, &t.SOAP.Plan}} {
		if s.from != nil {
			*s.to = *s.from
		}
	}
	if err := h.app.CreateEncounterTemplate(r.Context(), t); err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, toEncounterTemplate(t))
}

func (h *Handler) updateEncounterTemplate(w http.ResponseWriter, r *http.Request) {
	var in templateInput
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	t, err := h.app.UpdateEncounterTemplate(r.Context(), r.PathValue("id"), in.change())
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toEncounterTemplate(t))
}
