package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"medic"
	"medic/internal/pdf"
)

// Sick notes on the desk: a doctor writes one from an encounter (open or
// finished), the examination time filled in from the visit's start; the
// note's page shows the period counted, the verification code and link,
// the PDF, and a cancel that needs a reason. Receptionists read them (the
// chart's Sick notes tab, the note's page) but never issue.

func (h *Handler) sickNoteRoutes(mux Router) {
	mux.HandleFunc("GET /encounters/{id}/sick-notes/new", h.member(h.sickNoteForm))
	mux.HandleFunc("POST /encounters/{id}/sick-notes/new", h.member(h.issueSickNote))
	mux.HandleFunc("GET /sick-notes/{id}", h.member(h.sickNote))
	mux.HandleFunc("POST /sick-notes/{id}/cancel", h.member(h.cancelSickNote))
	mux.HandleFunc("GET /sick-notes/{id}/pdf", h.member(h.sickNotePDF))
}

const dateTimeLocal = "2006-01-02T15:04"

var basisOptions = []option{{Value: string(medic.BasisExamined), Label: "My examination of the patient"},
	{Value: string(medic.BasisReported), Label: "What the patient reported"}}

var fitnessOptions = []option{{Value: string(medic.FitnessUnfit), Label: "Totally unfit for work"},
	{Value: string(medic.FitnessLightDuty), Label: "Fit for light duty"}}

type sickNoteFormView struct {
	E              *medic.Encounter
	Basis, Fitness []option
	MaxDays        int
}

type sickNoteView struct {
	N           *medic.SickNote
	Code        string // formatted
	VerifyURL   string
	CanCancel   bool
	Calendar    int
	Working     int
	FitnessText string
	BasisText   string
}

func (h *Handler) renderSickNoteForm(w http.ResponseWriter, r *http.Request, status int, v *visitor, e *medic.Encounter, f *form) {
	p := h.page(r, "Sick note for "+e.PatientName, "patients").withForm(f)
	p.Data = sickNoteFormView{E: e, Basis: basisOptions, Fitness: fitnessOptions, MaxDays: medic.MaxSickNoteDays}
	if err := h.withPatientBanner(r, p, e.PatientID); err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, status, "sick_note_new", p)
}

func (h *Handler) sickNoteForm(w http.ResponseWriter, r *http.Request, v *visitor) {
	if !h.offers(w, r, "sick_note.issue") {
		return
	}
	e, err := h.app.GetEncounter(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	start := e.StartedAt.In(v.zone())
	day := start.Format(time.DateOnly)
	vals := url.Values{"examined_at": {start.Format(dateTimeLocal)}, "basis": {string(medic.BasisExamined)},
		"fitness": {string(medic.FitnessUnfit)}, "from": {day}, "to": {day}}
	h.renderSickNoteForm(w, r, http.StatusOK, v, e, newForm("sick_note", vals))
}

// issueSickNote reads the form, names any unreadable date on its field,
// and issues the note; mistakes come back on the form as typed.
func (h *Handler) issueSickNote(w http.ResponseWriter, r *http.Request, v *visitor) {
	if !h.offers(w, r, "sick_note.issue") {
		return
	}
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	f := newForm("sick_note", r.PostForm)
	n := &medic.SickNote{EncounterID: r.PathValue("id"), Basis: medic.SickNoteBasis(f.Get("basis")), Fitness: medic.SickNoteFitness(f.Get("fitness")),
		DiagnosisConsent: f.Checked("diagnosis_consent")}
	if s := strings.TrimSpace(f.Get("examined_at")); s != "" {
		t, err := time.ParseInLocation(dateTimeLocal, s, v.zone())
		if err != nil {
			f.fail("examined_at", "Give the date and time of the examination, like 2026-03-31 09:30.")
		}
		n.ExaminedAt = t
	}
	for _, d := range []struct {
		field string
		to    *medic.Date
	}{{"from", &n.From}, {"to", &n.To}} {
		if s := strings.TrimSpace(f.Get(d.field)); s != "" {
			day, err := medic.ParseDate(s)
			if err != nil {
				f.fail(d.field, medic.ErrorMessage(err))
			}
			*d.to = day
		}
	}
	e, err := h.app.GetEncounter(r.Context(), n.EncounterID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	err = f.err()
	if err == nil {
		if err = h.app.IssueSickNote(r.Context(), n); err == nil {
			seeOther(w, r, "/sick-notes/"+url.PathEscape(n.ID)+"?m=sick-note-issued")
			return
		}
	}
	h.formFail(w, r, err, f, func(status int) { h.renderSickNoteForm(w, r, status, v, e, f) })
}

func (h *Handler) sickNote(w http.ResponseWriter, r *http.Request, v *visitor) {
	n, err := h.app.GetSickNote(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderSickNote(w, r, http.StatusOK, v, n, newForm("cancel", nil))
}

func (h *Handler) renderSickNote(w http.ResponseWriter, r *http.Request, status int, v *visitor, n *medic.SickNote, f *form) {
	p := h.page(r, "Sick note for "+n.PatientName, "patients").withForm(f)
	d := sickNoteView{N: n, Code: medic.FormatSickNoteCode(n.VerificationCode), VerifyURL: "/verify/" + n.VerificationCode,
		CanCancel: n.Status == medic.SickNoteIssued && v.tenant.Can(medic.PermSickNotesIssue), Calendar: n.CalendarDays(), Working: n.WorkingDays()}
	for _, o := range fitnessOptions {
		if o.Value == string(n.Fitness) {
			d.FitnessText = o.Label
		}
	}
	d.BasisText = "The practitioner's examination"
	if n.Basis == medic.BasisReported {
		d.BasisText = "What the patient reported"
	}
	p.Data = d
	if err := h.withPatientBanner(r, p, n.PatientID); err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, status, "sick_note", p)
}

func (h *Handler) cancelSickNote(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	f := newForm("cancel", r.PostForm)
	_, err := h.app.CancelSickNote(r.Context(), r.PathValue("id"), f.Get("reason"))
	if err == nil {
		seeOther(w, r, "/sick-notes/"+url.PathEscape(r.PathValue("id"))+"?m=sick-note-cancelled")
		return
	}
	h.formFail(w, r, err, f, func(status int) {
		n, gerr := h.app.GetSickNote(r.Context(), r.PathValue("id"))
		if gerr != nil {
			h.fail(w, r, gerr)
			return
		}
		h.renderSickNote(w, r, status, v, n, f)
	})
}

func (h *Handler) sickNotePDF(w http.ResponseWriter, r *http.Request, v *visitor) {
	d, err := h.app.SickNoteDocument(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	n := d.SickNote
	b, err := pdf.SickNote(pdf.SickNoteDocOf(d, h.app.VerifyURL(n.VerificationCode)))
	h.writePDF(w, r, "sick-note-"+shortID(n.ID)+".pdf", b, err)
}
