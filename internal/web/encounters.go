package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"medic"
	"medic/internal/app"
)

// encounterRoutes registers encounters (from an appointment or a walk-in) and the queue board.
func (h *Handler) encounterRoutes(mux Router) {
	mux.HandleFunc("POST /appointments/{id}/encounter", h.member(h.startFromAppointment))
	mux.HandleFunc("GET /patients/{id}/walk-in", h.member(h.walkInForm))
	mux.HandleFunc("POST /patients/{id}/walk-in", h.member(h.startWalkIn))
	mux.HandleFunc("GET /encounters/{id}", h.member(h.encounter))
	mux.HandleFunc("POST /encounters/{id}", h.member(h.saveEncounter))
	mux.HandleFunc("POST /encounters/{id}/template", h.member(h.applyTemplate))
	mux.HandleFunc("POST /encounters/{id}/last-plan", h.member(h.copyLastPlan))
	mux.HandleFunc("POST /encounters/{id}/stage", h.member(h.setEncounterStage))
	mux.HandleFunc("POST /encounters/{id}/finish", h.member(h.finishEncounter))
	mux.HandleFunc("POST /encounters/{id}/addenda", h.member(h.addAddendum))
	mux.HandleFunc("GET /queue", h.member(h.queue))
}

// encounterView is the data of an encounter's page: the note (a form while
// a draft, read-only once finished), the stages, the templates, and the
// addenda beside the original.
type encounterView struct {
	E         *medic.Encounter
	Stages    []stageButton
	Templates []option
	// LastPlan is the plan of the patient's previous finished encounter
	// ("" when there is none), offered as "Start from last plan".
	LastPlan  string
	Sections  []soapSection
	CanWrite  bool // SOAP, stage, template, addenda (notes.write)
	CanFinish bool // clinical.write
	CanRefer  bool // clinical.write, draft or finished
	// CanPrescribe: a doctor, on a draft.
	CanPrescribe bool
	// CanIssueSickNote: a doctor, on a draft or a finished visit.
	CanIssueSickNote bool
	// CanBill: a role that creates invoices, on a finished visit.
	CanBill    bool
	SavedLabel string
	// Diagnoses is the diagnoses section with its keyboard typeahead.
	Diagnoses *diagnosesSection
	// Vitals is the vitals section (vitals.go): the form and the sets.
	Vitals *vitalsSection
	// Orders is the orders section (orders.go): the encounter's orders and
	// the order form.
	Orders *ordersSection
}

// soapSection is one textarea of the note.
type soapSection struct{ Name, Label, Hint string }

var soapSections = []soapSection{
	{"subjective", "Subjective", "What the patient reports: complaint, history, medicines, allergies reviewed."},
	{"objective", "Objective", "What you find: examination, vitals, results."},
	{"assessment", "Assessment", "Working diagnosis and differentials."},
	{"plan", "Plan", "Investigations, treatment, advice, follow-up."},
}

// stageButton is one stage of the visit as a one-click form.
type stageButton struct {
	Stage   medic.EncounterStage
	Label   string
	Current bool
}

func stageButtons(current medic.EncounterStage) []stageButton {
	out := make([]stageButton, len(medic.EncounterStages))
	for i, s := range medic.EncounterStages {
		out[i] = stageButton{Stage: s, Label: s.Label(), Current: s == current}
	}
	return out
}

func encounterURL(id string) string { return "/encounters/" + url.PathEscape(id) }

// isHTMX reports a request htmx made (autosave, the queue's poll).
func isHTMX(r *http.Request) bool { return r.Header.Get("HX-Request") == "true" }

func (h *Handler) encounter(w http.ResponseWriter, r *http.Request, v *visitor) {
	h.renderEncounter(w, r, http.StatusOK, v)
}

// renderEncounter draws the encounter; forms are the ones re-rendered
// after an error.
func (h *Handler) renderEncounter(w http.ResponseWriter, r *http.Request, status int, v *visitor, forms ...*form) {
	ctx := r.Context()
	e, err := h.app.GetEncounter(ctx, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := encounterView{E: e, Stages: stageButtons(e.Stage), Sections: soapSections, CanWrite: v.tenant.Can(medic.PermNotesWrite), CanFinish: v.tenant.Can(medic.PermClinicalWrite) && !e.Finished(),
		CanRefer: v.tenant.Can(medic.PermClinicalWrite), CanPrescribe: v.tenant.Can(medic.PermPrescriptionsIssue) && !e.Finished(),
		CanIssueSickNote: v.tenant.Can(medic.PermSickNotesIssue), CanBill: v.tenant.Can(medic.PermInvoicesCreate) && e.Finished()}
	if d.CanWrite && !e.Finished() {
		ts, err := h.app.ListEncounterTemplates(ctx, false)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		for _, t := range ts {
			d.Templates = append(d.Templates, option{t.ID, t.Name})
		}
		if d.LastPlan, err = h.lastPlan(r, e); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	p := h.page(r, e.PatientName+" · encounter", "queue")
	if d.Diagnoses, err = h.loadDiagnoses(r, v, e, newForm("diagnosis", nil), "encounter"); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Vitals, err = h.encounterVitalsSection(r, v, e, newForm("vitals", nil)); err != nil {
		h.fail(w, r, err)
		return
	}
	d.Vitals.FromEncounter = true
	var orderForm *form
	for _, f := range forms {
		if f.Name == "order" {
			orderForm = f
		}
	}
	if d.Orders, err = h.loadOrders(r, v, e, orderForm); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.withPatientBanner(r, p, e.PatientID); err != nil {
		h.fail(w, r, err)
		return
	}
	d.SavedLabel = "Saved " + p.Clock(e.UpdatedAt)
	note := newForm("note", url.Values{"subjective": {e.SOAP.Subjective}, "objective": {e.SOAP.Objective},
		"assessment": {e.SOAP.Assessment}, "plan": {e.SOAP.Plan}, "version": {strconv.Itoa(e.Version)}})
	note.Keys = map[string]string{"soap.subjective": "subjective", "soap.objective": "objective", "soap.assessment": "assessment", "soap.plan": "plan"}
	p.withForm(note)
	for _, f := range forms {
		p.withForm(f)
	}
	p.Data = d
	h.render(w, r, status, "encounter", p)
}

// lastPlan is the plan of the patient's latest finished encounter other
// than e.
func (h *Handler) lastPlan(r *http.Request, e *medic.Encounter) (string, error) {
	es, _, err := h.app.ListEncounters(r.Context(), medic.EncounterFilter{PatientID: e.PatientID, Statuses: []medic.EncounterStatus{medic.EncounterFinished}}, medic.Page{Limit: 1})
	if err != nil || len(es) == 0 {
		return "", err
	}
	return es[0].SOAP.Plan, nil
}

// saveEncounter saves the SOAP note: the autosave (htmx, answered with the
// save status only, always 200 so htmx shows it) and the Save button
// (a redirect, or the page again with the messages).
func (h *Handler) saveEncounter(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	f := newForm("note", r.PostForm)
	f.Keys = map[string]string{"soap.subjective": "subjective", "soap.objective": "objective", "soap.assessment": "assessment", "soap.plan": "plan"}
	version, _ := strconv.Atoi(f.Get("version"))
	if version < 1 {
		version = -1 // a form always carries the version it was read at; none is stale
	}
	c := app.EncounterChange{Version: version}
	for _, s := range []struct {
		name string
		to   **string
	}{{"subjective", &c.Subjective}, {"objective", &c.Objective}, {"assessment", &c.Assessment}, {"plan", &c.Plan}} {
		if vs, ok := r.PostForm[s.name]; ok {
			val := vs[0]
			*s.to = &val
		}
	}
	e, err := h.app.UpdateEncounter(r.Context(), r.PathValue("id"), c)
	if isHTMX(r) {
		h.saveStatus(w, r, e, err)
		return
	}
	if err != nil {
		h.formFail(w, r, err, f, func(status int) { h.renderEncounter(w, r, status, v, f) })
		return
	}
	seeOther(w, r, encounterURL(e.ID)+"?m=encounter-saved")
}

// saveStatus answers an autosave: "Saved at hh:mm" and the new version (out
// of band, into the form's hidden field), or what went wrong.
func (h *Handler) saveStatus(w http.ResponseWriter, r *http.Request, e *medic.Encounter, err error) {
	p := h.page(r, "", "")
	st := saveStatusView{}
	switch medic.ErrorCode(err) {
	case "":
		st.Saved, st.Version = "Saved at "+p.Clock(e.UpdatedAt), e.Version
		st.VersionIDs = []string{"note-version", "finish-version", "template-version", "lastplan-version"}
	case medic.EINVALID, medic.ECONFLICT:
		st.Problem = medic.ErrorMessage(err)
		for _, m := range medic.ErrorFields(err) {
			if m != st.Problem {
				st.Problem += " " + m
			}
		}
	default:
		h.fail(w, r, err)
		return
	}
	p.Data = st
	h.renderPart(w, r, "encounter", "saveStatus", p)
}

type saveStatusView struct {
	Saved   string
	Version int
	Problem string
	// VersionIDs are the page's hidden version fields (note, finish,
	// template, last plan), all set to the new version out of band.
	VersionIDs []string
}

// applyToNote fills the note's empty sections from s (a template or the
// last plan), never overwriting what was typed, at the version shown.
func (h *Handler) applyToNote(w http.ResponseWriter, r *http.Request, v *visitor, fill func(e *medic.Encounter) (medic.SOAP, error), notice string) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	e, err := h.app.GetEncounter(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	s, err := fill(e)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	version, _ := strconv.Atoi(r.PostForm.Get("version"))
	if version < 1 {
		version = -1
	}
	c := app.EncounterChange{Version: version}
	for _, x := range []struct {
		cur, add string
		to       **string
	}{{e.SOAP.Subjective, s.Subjective, &c.Subjective}, {e.SOAP.Objective, s.Objective, &c.Objective}, {e.SOAP.Assessment, s.Assessment, &c.Assessment}, {e.SOAP.Plan, s.Plan, &c.Plan}} {
		if x.add == "" {
			continue
		}
		val := x.add
		if x.cur != "" {
			val = x.cur + "\n\n" + x.add
		}
		*x.to = &val
	}
	if _, err := h.app.UpdateEncounter(r.Context(), e.ID, c); err != nil {
		f := newForm("note", nil)
		h.formFail(w, r, err, f, func(status int) { h.renderEncounter(w, r, status, v, f) })
		return
	}
	seeOther(w, r, encounterURL(e.ID)+"?m="+notice+"#note")
}

// applyTemplate adds a template's text to the note.
func (h *Handler) applyTemplate(w http.ResponseWriter, r *http.Request, v *visitor) {
	h.applyToNote(w, r, v, func(*medic.Encounter) (medic.SOAP, error) {
		t, err := h.app.GetEncounterTemplate(r.Context(), r.PostForm.Get("template_id"))
		if err != nil {
			return medic.SOAP{}, err
		}
		return t.SOAP, nil
	}, "template-applied")
}

// copyLastPlan starts the plan from the previous finished encounter's.
func (h *Handler) copyLastPlan(w http.ResponseWriter, r *http.Request, v *visitor) {
	h.applyToNote(w, r, v, func(e *medic.Encounter) (medic.SOAP, error) {
		plan, err := h.lastPlan(r, e)
		if plan == "" && err == nil {
			err = medic.Errorf(medic.ECONFLICT, "This patient has no finished encounter with a plan yet.")
		}
		return medic.SOAP{Plan: plan}, err
	}, "plan-copied")
}

// setEncounterStage moves the visit to a stage: from the encounter page
// (a redirect back) or the queue board (htmx: the board again).
func (h *Handler) setEncounterStage(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	e, err := h.app.SetEncounterStage(r.Context(), r.PathValue("id"), medic.EncounterStage(r.PostForm.Get("stage")))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if r.PostForm.Get("from") == "queue" {
		loc := r.PostForm.Get("location")
		if isHTMX(r) {
			h.renderQueue(w, r, v, loc, true)
			return
		}
		seeOther(w, r, queueURL(loc))
		return
	}
	seeOther(w, r, encounterURL(e.ID)+"?m=stage-changed")
}

// finishEncounter locks the encounter; the form asks for a confirmation.
func (h *Handler) finishEncounter(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	f := newForm("finish", r.PostForm)
	if !f.Checked("confirm") {
		if !h.offers(w, r, "encounter.finish") {
			return
		}
		f.fail("confirm", "Tick the box to confirm: a finished encounter can only be amended.")
		f.Message = "Confirm to finish."
		h.renderEncounter(w, r, http.StatusUnprocessableEntity, v, f)
		return
	}
	version, _ := strconv.Atoi(f.Get("version"))
	if version < 1 {
		version = -1
	}
	e, err := h.app.FinishEncounter(r.Context(), r.PathValue("id"), version)
	if err != nil {
		h.formFail(w, r, err, f, func(status int) { h.renderEncounter(w, r, status, v, f) })
		return
	}
	seeOther(w, r, encounterURL(e.ID)+"?m=encounter-finished")
}

// addAddendum amends a finished encounter.
func (h *Handler) addAddendum(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	f := newForm("addendum", r.PostForm)
	id := r.PathValue("id")
	if _, err := h.app.AddAddendum(r.Context(), id, f.Get("text"), f.Get("reason")); err != nil {
		h.formFail(w, r, err, f, func(status int) { h.renderEncounter(w, r, status, v, f) })
		return
	}
	seeOther(w, r, encounterURL(id)+"?m=addendum-added#addenda")
}

// startFromAppointment is "Start consultation" on a checked-in appointment:
// the visit it already has, or a new one at the consultation stage (or
// triage, for a nurse).
func (h *Handler) startFromAppointment(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	stage := medic.StageConsultation
	if !v.tenant.Can(medic.PermClinicalWrite) {
		stage = medic.StageAssessment
	}
	e, err := h.app.OpenEncounterForAppointment(r.Context(), r.PathValue("id"), stage)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	seeOther(w, r, encounterURL(e.ID))
}

// walkInView is the data of the walk-in form.
type walkInView struct {
	Patient       *medic.Patient
	Practitioners []option
	Locations     []option
	Templates     []option
	Stages        []option
}

// walkInForm offers a visit without an appointment, from the chart.
func (h *Handler) walkInForm(w http.ResponseWriter, r *http.Request, v *visitor) {
	if !h.offers(w, r, "encounter.create") {
		return
	}
	f := newForm("walkin", url.Values{})
	h.renderWalkIn(w, r, http.StatusOK, v, f)
}

func (h *Handler) renderWalkIn(w http.ResponseWriter, r *http.Request, status int, v *visitor, f *form) {
	ctx := r.Context()
	pt, err := h.app.GetPatient(ctx, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	dir, err := h.directory(ctx)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ts, err := h.app.ListEncounterTemplates(ctx, false)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := walkInView{Patient: pt, Practitioners: dir.PractitionerOptions(f.Get("practitioner_id")), Locations: dir.LocationOptions(f.Get("location_id"))}
	for _, t := range ts {
		d.Templates = append(d.Templates, option{t.ID, t.Name})
	}
	for _, s := range medic.EncounterStages {
		d.Stages = append(d.Stages, option{string(s), s.Label()})
	}
	if f.Get("practitioner_id") == "" {
		if mine := dir.practitionerOfMember(v.tenant.MemberID); mine != nil {
			f.Values.Set("practitioner_id", mine.ID)
		}
	}
	if f.Get("stage") == "" {
		f.Values.Set("stage", string(medic.StageConsultation))
	}
	p := h.page(r, "Walk-in visit · "+pt.FullName(), "patients")
	p.withForm(f)
	p.Data = d
	h.render(w, r, status, "encounter_new", p)
}

// startWalkIn starts a visit without an appointment.
func (h *Handler) startWalkIn(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	f := newForm("walkin", r.PostForm)
	e, err := h.app.CreateEncounter(r.Context(), app.EncounterRequest{PatientID: r.PathValue("id"), PractitionerID: f.Get("practitioner_id"),
		LocationID: f.Get("location_id"), TemplateID: f.Get("template_id"), Stage: medic.EncounterStage(f.Get("stage"))})
	if err != nil {
		h.formFail(w, r, err, f, func(status int) { h.renderWalkIn(w, r, status, v, f) })
		return
	}
	seeOther(w, r, encounterURL(e.ID))
}

// queueView is the data of the queue board.
type queueView struct {
	LocationID string
	Locations  []option
	Columns    []queueColumn
	Total      int
	PollURL    string // carries the version shown
	Now        time.Time
	// Clinical roles open the encounter from a card; the others the chart.
	Clinical bool
}

type queueColumn struct {
	Stage medic.EncounterStage
	Label string
	Cards []queueCard
}

type queueCard struct {
	*medic.Encounter
	Waiting int // minutes at this stage
	// Next is the one-click move the visitor may make ("" for none).
	Next      medic.EncounterStage
	NextLabel string
}

func queueURL(location string) string {
	if location == "" {
		return "/queue"
	}
	return "/queue?location=" + url.QueryEscape(location)
}

// queue is the board: who waits at which stage, since when, with whom.
// ?part=board is the board alone, which the page polls every 5 s with the
// version it shows: 204 (and no audit event) while the queue is as it was,
// so an open board does not write hundreds of events an hour.
func (h *Handler) queue(w http.ResponseWriter, r *http.Request, v *visitor) {
	q := r.URL.Query()
	boardOnly := q.Get("part") == "board"
	if boardOnly && q.Get("version") != "" {
		version, err := h.app.QueueVersion(r.Context(), q.Get("location"))
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if version == q.Get("version") {
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(http.StatusNoContent)
			return
		}
	}
	h.renderQueue(w, r, v, q.Get("location"), boardOnly)
}

func (h *Handler) renderQueue(w http.ResponseWriter, r *http.Request, v *visitor, location string, boardOnly bool) {
	ctx := r.Context()
	// The version first: a change between the two reads shows at the next poll.
	version, err := h.app.QueueVersion(ctx, location)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	es, err := h.app.ViewQueue(ctx, location)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	now := h.app.Clock.Now()
	d := queueView{LocationID: location, Total: len(es), Clinical: v.tenant.Can(medic.PermClinicalRead), Now: now,
		PollURL: "/queue?" + url.Values{"part": {"board"}, "location": {location}, "version": {version}}.Encode()}
	byStage := map[medic.EncounterStage]*queueColumn{}
	for _, s := range medic.EncounterStages {
		d.Columns = append(d.Columns, queueColumn{Stage: s, Label: s.Label()})
	}
	for i := range d.Columns {
		byStage[d.Columns[i].Stage] = &d.Columns[i]
	}
	for _, e := range es {
		c := queueCard{Encounter: e, Waiting: max(0, int(now.Sub(e.StageSince)/time.Minute))}
		switch next := e.Stage.Next(); {
		case next == "":
		case v.tenant.Can(medic.PermNotesWrite):
			c.Next = next
		case v.tenant.Can(medic.PermAppointmentsWrite) && e.Stage == medic.StageRegistration:
			c.Next = next
		}
		if c.Next != "" {
			c.NextLabel = c.Next.Label()
		}
		if col := byStage[e.Stage]; col != nil {
			col.Cards = append(col.Cards, c)
		}
	}
	p := h.page(r, "Queue", "queue")
	p.Data = d
	if boardOnly {
		h.renderPart(w, r, "queue", "queueBoard", p)
		return
	}
	dir, err := h.directory(ctx)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Locations = dir.LocationOptions(location)
	p.Data = d
	p.withForm(newForm("queue", url.Values{"location": {location}}))
	h.render(w, r, http.StatusOK, "queue", p)
}

// consultButton is "Start consultation" on an appointment (a page offers
// it where it lists appointments).
type consultButton struct {
	Show        bool
	Label       string
	Appointment *medic.Appointment
}

// Consult says whether and how to offer the consultation of an appointment
// (a *medic.Appointment or a Today row): to roles that write clinical
// notes, once the patient is checked in.
func (p *page) Consult(a any) consultButton {
	var ap *medic.Appointment
	switch x := a.(type) {
	case *medic.Appointment:
		ap = x
	case todayRow:
		ap = x.Appointment
	}
	if ap == nil || !p.Can(medic.PermNotesWrite) {
		return consultButton{}
	}
	switch ap.Status {
	case medic.StatusCheckedIn:
		return consultButton{Show: true, Label: "Start consultation", Appointment: ap}
	case medic.StatusInProgress:
		return consultButton{Show: true, Label: "Open consultation", Appointment: ap}
	}
	return consultButton{}
}
