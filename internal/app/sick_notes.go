package app

import (
	"context"
	"strconv"
	"strings"
	"time"

	"medic"
)

// Sick notes: doctors issue them at an encounter of the practice (open or
// finished); the roles of DOMAIN.md read them (receptionists too, to hand
// them over). An issued note is locked; a cancel needs a reason. Every read
// and change is audited; so is every public verification, in the note's
// practice's log.

// IssueSickNote validates n (no back-dating before the examination) and
// issues it with a new verification code. With the patient's consent the
// encounter's primary diagnosis is written on it (there must be one), and
// the consent is recorded as given to the issuing doctor now.
func (a *App) IssueSickNote(ctx context.Context, n *medic.SickNote) error {
	if _, err := a.allow(ctx, "sick_note.issue"); err != nil {
		return err
	}
	now := a.now().In(a.location(ctx))
	if err := n.Validate(now, a.location(ctx)); err != nil {
		return err
	}
	code, err := medic.NewSickNoteCode()
	if err != nil {
		return err
	}
	actor := medic.ActorFrom(ctx).UserID
	return a.Tx.InTx(ctx, func(ctx context.Context) error {
		if _, err := a.Encounters.FindEncounter(ctx, n.EncounterID); err != nil {
			return err
		}
		n.Diagnosis, n.ConsentRecordedBy, n.ConsentRecordedAt = "", "", time.Time{}
		if n.DiagnosisConsent {
			d, err := a.SickNotes.PrimaryDiagnosis(ctx, n.EncounterID)
			if err != nil {
				return err
			}
			if d == "" {
				msg := "Record the encounter's primary diagnosis first, or issue the note without it."
				return &medic.Error{Code: medic.EINVALID, Message: msg, Fields: map[string]string{"diagnosis_consent": msg}}
			}
			n.Diagnosis, n.ConsentRecordedBy, n.ConsentRecordedAt = d, actor, now
		}
		n.IssuedBy, n.IssuedAt, n.VerificationCode = actor, now, code
		if err := a.SickNotes.CreateSickNote(ctx, n); err != nil {
			return err
		}
		if err := a.auditSickNote(ctx, "sick_note.issued", n, map[string]string{"from": n.From.String(), "to": n.To.String(),
			"basis": string(n.Basis), "fitness": string(n.Fitness), "diagnosis_consent": strconv.FormatBool(n.DiagnosisConsent)}); err != nil {
			return err
		}
		issued, err := a.SickNotes.FindSickNote(ctx, n.ID) // names as stored
		if err == nil {
			*n = *issued
		}
		return err
	})
}

func (a *App) auditSickNote(ctx context.Context, action string, n *medic.SickNote, detail map[string]string) error {
	return a.Audit.Record(ctx, medic.AuditEvent{Action: action, EntityType: "sick_note", EntityID: n.ID, PatientID: n.PatientID, Detail: detail})
}

// GetSickNote returns one note; the read is audited.
func (a *App) GetSickNote(ctx context.Context, id string) (*medic.SickNote, error) {
	if _, err := a.allow(ctx, "sick_note.view"); err != nil {
		return nil, err
	}
	var n *medic.SickNote
	err := a.Tx.InReadTx(ctx, func(ctx context.Context) error {
		var err error
		if n, err = a.SickNotes.FindSickNote(ctx, id); err != nil {
			return err
		}
		return a.auditSickNote(ctx, "sick_note.viewed", n, nil)
	})
	return n, err
}

// ListSickNotes pages through the practice's notes (a chart's or an
// encounter's with the filter); one audit event per page names the charts.
func (a *App) ListSickNotes(ctx context.Context, f medic.SickNoteFilter, pg medic.Page) ([]*medic.SickNote, string, error) {
	if _, err := a.allow(ctx, "sick_note.list"); err != nil {
		return nil, "", err
	}
	var out []*medic.SickNote
	var next string
	err := a.Tx.InReadTx(ctx, func(ctx context.Context) error {
		var err error
		if out, next, err = a.SickNotes.ListSickNotes(ctx, f, pg); err != nil {
			return err
		}
		e := medic.AuditEvent{Action: "sick_note.listed", EntityType: "sick_note", PatientID: f.PatientID,
			Detail: map[string]string{"count": strconv.Itoa(len(out))}}
		seen := map[string]bool{}
		for _, n := range out {
			if !seen[n.PatientID] {
				seen[n.PatientID] = true
				e.PatientIDs = append(e.PatientIDs, n.PatientID)
			}
		}
		if e.PatientID == "" && len(e.PatientIDs) == 1 {
			e.PatientID = e.PatientIDs[0]
		}
		return a.Audit.Record(ctx, e)
	})
	return out, next, err
}

// CancelSickNote cancels an issued note with a reason; verification then
// shows it cancelled.
func (a *App) CancelSickNote(ctx context.Context, id, reason string) (*medic.SickNote, error) {
	if _, err := a.allow(ctx, "sick_note.cancel"); err != nil {
		return nil, err
	}
	f := medic.FieldErrors{}
	f.RequiredLine("reason", &reason, medic.MaxReasonLength, "Give the reason for cancelling.")
	if err := f.Err(); err != nil {
		return nil, err
	}
	var n *medic.SickNote
	err := a.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if n, err = a.SickNotes.CancelSickNote(ctx, id, medic.ActorFrom(ctx).UserID, reason); err != nil {
			return err
		}
		return a.auditSickNote(ctx, "sick_note.cancelled", n, map[string]string{"reason": reason})
	})
	return n, err
}

// SickNoteVerification is what anyone holding a note's code may learn of
// it: who issued it where, whose initials, the period and its status. It
// has no field for the diagnosis, so no surface can show one.
type SickNoteVerification struct {
	Practice        string
	Practitioner    string
	PatientInitials string
	From, To        medic.Date
	IssuedAt        time.Time // in the practice's zone
	Status          medic.SickNoteStatus
	CancelledAt     time.Time // zero unless cancelled
}

// Public verifications are limited per client IP, as manage links are:
// each one reaches the database and a practice's audit log.
const (
	sickNoteVerifyLimit  = 30
	sickNoteVerifyWindow = 10 * time.Minute
)

// VerifySickNote answers a public verification of code from ip. Unknown
// and malformed codes are alike ENOTFOUND; the request
// is counted first (ETOOMANY past the limit, a *RetryError). The lookup is
// audited in the note's practice's log as a public one, with the IP.
func (a *App) VerifySickNote(ctx context.Context, code, ip string) (*SickNoteVerification, error) {
	if err := a.limitIP(ctx, medic.RateSickNoteVerifyIP, ip, sickNoteVerifyLimit, sickNoteVerifyWindow,
		"Too many verifications from your network. Wait %s and try again."); err != nil {
		return nil, err
	}
	canonical, ok := medic.SickNoteCode(code)
	if !ok {
		return nil, medic.ErrNotFound
	}
	p, err := a.SickNotes.SickNotePractice(ctx, canonical)
	if err != nil {
		return nil, err
	}
	ctx = publicTenant(ctx, p)
	var out *SickNoteVerification
	err = a.Tx.InReadTx(ctx, func(ctx context.Context) error {
		n, err := a.SickNotes.FindSickNoteByCode(ctx, canonical)
		if err != nil {
			return err
		}
		loc := practiceZone(p)
		out = &SickNoteVerification{Practice: p.Name, Practitioner: n.PractitionerName, PatientInitials: n.PatientInitials(),
			From: n.From, To: n.To, IssuedAt: n.IssuedAt.In(loc), Status: n.Status}
		if !n.CancelledAt.IsZero() {
			out.CancelledAt = n.CancelledAt.In(loc)
		}
		return a.auditSickNote(ctx, "sick_note.verified", n, map[string]string{"actor": "public", "status": string(n.Status)})
	})
	return out, err
}

// SickNoteDocument gathers a sick note's paper (as for reading the note):
// the letterhead, the chart, the encounter's practitioner with their
// signature. One audit event.
func (a *App) SickNoteDocument(ctx context.Context, id string) (*medic.SickNoteDocument, error) {
	if _, err := a.allow(ctx, "sick_note.view"); err != nil {
		return nil, err
	}
	d := &medic.SickNoteDocument{}
	err := a.Tx.InReadTx(ctx, func(ctx context.Context) error {
		var err error
		if d.SickNote, err = a.SickNotes.FindSickNote(ctx, id); err != nil {
			return err
		}
		n := d.SickNote
		loc := a.location(ctx) // printed in the practice's time
		n.ExaminedAt, n.IssuedAt, n.CancelledAt = n.ExaminedAt.In(loc), n.IssuedAt.In(loc), n.CancelledAt.In(loc)
		if d.Letterhead, err = a.letterhead(ctx); err != nil {
			return err
		}
		if d.Patient, err = a.Patients.FindPatient(ctx, n.PatientID); err != nil {
			return err
		}
		pr, err := a.Practitioners.FindPractitioner(ctx, n.PractitionerID)
		if err != nil {
			return err
		}
		d.Practitioner = medic.Signatory{Name: pr.Name, Practitioner: pr}
		if pr.HasSignature {
			switch sig, err := a.Practitioners.Signature(ctx, pr.ID); {
			case err == nil:
				d.Practitioner.Signature = sig
			case medic.ErrorCode(err) != medic.ENOTFOUND:
				return err
			}
		}
		return a.auditSickNote(ctx, "sick_note.pdf_downloaded", n, nil)
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// VerifyURL is where a note's code is checked, printed on it (and as its
// QR code).
func (a *App) VerifyURL(code string) string {
	return strings.TrimSuffix(a.BaseURL, "/") + "/verify/" + code
}
