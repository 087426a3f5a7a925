package api

import (
	"net/http"
	"time"

	"medic"
	"medic/internal/pdf"
)

func (h *Handler) sickNoteRoutes(mux Router) {
	mux.HandleFunc("POST /api/v1/practices/{practice}/sick-notes", h.tenant(h.issueSickNote))
	mux.HandleFunc("GET /api/v1/practices/{practice}/sick-notes", h.tenant(h.listSickNotes))
	mux.HandleFunc("GET /api/v1/practices/{practice}/sick-notes/{id}", h.tenant(h.getSickNote))
	mux.HandleFunc("POST /api/v1/practices/{practice}/sick-notes/{id}/cancel", h.tenant(h.cancelSickNote))
	mux.HandleFunc("GET /api/v1/practices/{practice}/sick-notes/{id}/pdf", h.tenant(h.sickNotePDF))
}

type sickNoteDTO struct {
	ID                        string                `json:"id"`
	EncounterID               string                `json:"encounter_id"`
	PatientID                 string                `json:"patient_id"`
	PatientName               string                `json:"patient_name"`
	PatientIDNumber           string                `json:"patient_id_number"`
	PractitionerID            string                `json:"practitioner_id"`
	PractitionerName          string                `json:"practitioner_name"`
	PractitionerRegistration  string                `json:"practitioner_registration_number"`
	PractitionerQualification string                `json:"practitioner_qualifications"`
	IssuedBy                  string                `json:"issued_by"`
	IssuedByName              string                `json:"issued_by_name"`
	ExaminedAt                time.Time             `json:"examined_at"`
	Basis                     medic.SickNoteBasis   `json:"basis"`
	From                      medic.Date            `json:"from"`
	To                        medic.Date            `json:"to"`
	CalendarDays              int                   `json:"calendar_days"`
	WorkingDays               int                   `json:"working_days"`
	Fitness                   medic.SickNoteFitness `json:"fitness"`
	DiagnosisConsent          bool                  `json:"diagnosis_consent"`
	ConsentRecordedBy         string                `json:"consent_recorded_by,omitempty"`
	ConsentRecordedByName     string                `json:"consent_recorded_by_name,omitempty"`
	ConsentRecordedAt         *time.Time            `json:"consent_recorded_at"`
	Diagnosis                 string                `json:"diagnosis"`
	Status                    medic.SickNoteStatus  `json:"status"`
	IssuedAt                  time.Time             `json:"issued_at"`
	CancelledAt               *time.Time            `json:"cancelled_at"`
	CancelReason              string                `json:"cancel_reason"`
	VerificationCode          string                `json:"verification_code"`
	VerificationURL           string                `json:"verification_url"`
}

func toSickNote(loc *time.Location) func(*medic.SickNote) sickNoteDTO {
	return func(n *medic.SickNote) sickNoteDTO {
		d := sickNoteDTO{ID: n.ID, EncounterID: n.EncounterID, PatientID: n.PatientID, PatientName: n.PatientName, PatientIDNumber: n.PatientIDNumber,
			PractitionerID: n.PractitionerID, PractitionerName: n.PractitionerName, PractitionerRegistration: n.PractitionerRegistration,
			PractitionerQualification: n.PractitionerQualification, IssuedBy: n.IssuedBy, IssuedByName: n.IssuedByName,
			ExaminedAt: n.ExaminedAt.In(loc), Basis: n.Basis, From: n.From, To: n.To, CalendarDays: n.CalendarDays(), WorkingDays: n.WorkingDays(),
			Fitness: n.Fitness, DiagnosisConsent: n.DiagnosisConsent, ConsentRecordedBy: n.ConsentRecordedBy, ConsentRecordedByName: n.ConsentRecordedByName,
			Diagnosis: n.Diagnosis, Status: n.Status, IssuedAt: n.IssuedAt.In(loc), CancelReason: n.CancelReason,
			VerificationCode: medic.FormatSickNoteCode(n.VerificationCode), VerificationURL: "/verify/" + n.VerificationCode}
		if !n.ConsentRecordedAt.IsZero() {
			t := n.ConsentRecordedAt.In(loc)
			d.ConsentRecordedAt = &t
		}
		if !n.CancelledAt.IsZero() {
			t := n.CancelledAt.In(loc)
			d.CancelledAt = &t
		}
		return d
	}
}

// issueSickNote: POST .../sick-notes {"encounter_id", "examined_at",
// "basis", "from", "to", "fitness", "diagnosis_consent"} -> 201.
func (h *Handler) issueSickNote(w http.ResponseWriter, r *http.Request) {
	var in struct {
		EncounterID      string `json:"encounter_id"`
		ExaminedAt       string `json:"examined_at"`
		Basis            string `json:"basis"`
		From             string `json:"from"`
		To               string `json:"to"`
		Fitness          string `json:"fitness"`
		DiagnosisConsent bool   `json:"diagnosis_consent"`
	}
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	// Dates and times are read here so a mistake names its field; the
	// use case then checks what they mean.
	f := medic.FieldErrors{}
	n := &medic.SickNote{EncounterID: in.EncounterID, Basis: medic.SickNoteBasis(in.Basis), Fitness: medic.SickNoteFitness(in.Fitness),
		DiagnosisConsent: in.DiagnosisConsent}
	if in.ExaminedAt != "" {
		t, err := time.Parse(time.RFC3339, in.ExaminedAt)
		if err != nil {
			f.Add("examined_at", "Use a date and time like 2026-03-31T09:30:00+02:00.")
		}
		n.ExaminedAt = t
	}
	for _, d := range []struct {
		field, s string
		to       *medic.Date
	}{{"from", in.From, &n.From}, {"to", in.To, &n.To}} {
		if d.s == "" {
			continue
		}
		v, err := medic.ParseDate(d.s)
		if err != nil {
			f.Add(d.field, medic.ErrorMessage(err))
		}
		*d.to = v
	}
	if err := f.Err(); err != nil {
		h.error(w, r, err)
		return
	}
	if err := h.app.IssueSickNote(r.Context(), n); err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, toSickNote(practiceZone(r.Context()))(n))
}

// listSickNotes: GET .../sick-notes, ?patient= or ?encounter= to narrow.
func (h *Handler) listSickNotes(w http.ResponseWriter, r *http.Request) {
	pg, err := page(r)
	if err != nil {
		h.error(w, r, err)
		return
	}
	q := r.URL.Query()
	ns, next, err := h.app.ListSickNotes(r.Context(), medic.SickNoteFilter{PatientID: q.Get("patient"), EncounterID: q.Get("encounter")}, pg)
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newList(mapAll(ns, toSickNote(practiceZone(r.Context()))), next))
}

func (h *Handler) getSickNote(w http.ResponseWriter, r *http.Request) {
	n, err := h.app.GetSickNote(r.Context(), r.PathValue("id"))
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toSickNote(practiceZone(r.Context()))(n))
}

// cancelSickNote: POST .../sick-notes/{id}/cancel {"reason"}.
func (h *Handler) cancelSickNote(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Reason string `json:"reason"`
	}
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	n, err := h.app.CancelSickNote(r.Context(), r.PathValue("id"), in.Reason)
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toSickNote(practiceZone(r.Context()))(n))
}

// sickNotePDF: GET .../sick-notes/{id}/pdf -> the note on the letterhead
// (one audit event).
func (h *Handler) sickNotePDF(w http.ResponseWriter, r *http.Request) {
	d, err := h.app.SickNoteDocument(r.Context(), r.PathValue("id"))
	if err != nil {
		h.error(w, r, err)
		return
	}
	b, err := pdf.SickNote(pdf.SickNoteDocOf(d, h.app.VerifyURL(d.SickNote.VerificationCode)))
	h.writePDF(w, r, "sick-note-"+shortID(d.SickNote.ID)+".pdf", b, err)
}
