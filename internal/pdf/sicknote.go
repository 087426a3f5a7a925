package pdf

import (
	"fmt"
	"strings"
	"time"

	"github.com/boombuler/barcode/qr"

	"medic"
)

// SickNoteDoc is a sick note (medical certificate) as printed, with the
// fields of HPCSA ethical rule 16 and the BCEA.
type SickNoteDoc struct {
	Letterhead   Letterhead
	Practitioner Practitioner
	Patient      Patient
	ExaminedAt   time.Time
	// Reported: the note rests on what the patient reported, not on the
	// practitioner's examination.
	Reported bool
	// LightDuty: fit for light (less strenuous) duty; else totally unfit.
	LightDuty bool
	// Diagnosis is printed only when DiagnosisConsent is set (the patient
	// consented to its disclosure); otherwise the note says only that the
	// patient is unfit for work (or fit for light duty).
	Diagnosis        string
	DiagnosisConsent bool
	From, To         medic.Date
	CalendarDays     int
	WorkingDays      int
	IssuedAt         time.Time
	VerificationCode string
	VerifyURL        string // BASE_URL/verify/{code}, printed and as a QR code
	Cancelled        bool
}

// SickNote renders the certificate.
func SickNote(s SickNoteDoc) ([]byte, error) {
	d := newDoc("Medical certificate", s.Letterhead)
	d.continued("Medical certificate", s.Patient)
	f := d.f
	d.title("Medical certificate of illness", s.IssuedAt)
	if s.Cancelled {
		d.stamp("CANCELLED", "This certificate was cancelled and is not valid.")
	}

	d.heading("Practitioner")
	d.field("Name", strings.ToUpper(s.Practitioner.Name))
	d.field("Qualifications", oneLine(s.Practitioner.Qualifications))
	d.field("Registration number", s.Practitioner.RegistrationNumber)
	d.field("Practice address", oneLine(s.Letterhead.Address))

	d.patient(s.Patient)

	d.heading("Certificate")
	d.field("Examined on", s.ExaminedAt.Format(dateForm)+" at "+s.ExaminedAt.Format("15:04"))
	basis := "On examination of the patient by the practitioner"
	if s.Reported {
		basis = "On information received from the patient, on acceptable medical grounds"
	}
	d.field("Basis", basis)
	fitness := "Totally unfit for duty"
	if s.LightDuty {
		fitness = "Fit for light (less strenuous) duty only"
	}
	d.field("Fitness", fitness)
	if s.DiagnosisConsent && strings.TrimSpace(s.Diagnosis) != "" {
		d.field("Diagnosis", s.Diagnosis+" (disclosed with the patient's consent)")
	}
	d.field("Period", fmt.Sprintf("%s to %s (both days included)", s.From.Time().Format(dateForm), s.To.Time().Format(dateForm)))
	d.field("Days", fmt.Sprintf("%s, of which %s", plural(s.CalendarDays, "calendar day"), plural(s.WorkingDays, "working day")))
	d.field("Issued on", s.IssuedAt.Format(dateForm))
	f.Ln(3)
	d.para(opinion(s))

	y := f.GetY()
	d.signature(s.Practitioner)
	after := f.GetY()
	if s.VerifyURL != "" {
		if f.PageNo() > 1 || y > after { // the signature moved to a new page
			y = after - 32
		}
		d.qr(s.VerifyURL, pageW-margin-30, y+4, 30)
	}
	f.SetY(max(after, y+38))
	d.heading("Verification")
	d.field("Verification code", s.VerificationCode)
	d.field("Verify at", s.VerifyURL)
	return d.bytes()
}

// opinion is the certificate's statement in words. Without the patient's
// consent it names no illness (HPCSA rule 16(f)).
func opinion(s SickNoteDoc) string {
	on := "an examination of"
	if s.Reported {
		on = "information received from"
	}
	state := "is unfit for work"
	if s.LightDuty {
		state = "is fit for light duty only"
	}
	return fmt.Sprintf("In my opinion, based on %s the patient, %s %s from %s to %s.", on, s.Patient.Name, state,
		s.From.Time().Format(dateForm), s.To.Time().Format(dateForm))
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// qr draws content as a QR code of size mm at x, y: each run of dark
// modules in a row one filled rectangle (vectors: sharp at any zoom, no
// image to encode).
func (d *doc) qr(content string, x, y, size float64) {
	code, err := qr.Encode(content, qr.M, qr.Auto)
	if err != nil {
		d.f.SetError(fmt.Errorf("qr: %w", err))
		return
	}
	b := code.Bounds()
	n := b.Dx()
	const quiet = 2 // modules of white border inside the box
	m := size / float64(n+2*quiet)
	dark := func(col, row int) bool {
		r, _, _, _ := code.At(b.Min.X+col, b.Min.Y+row).RGBA()
		return r < 0x8000
	}
	d.f.SetFillColor(0, 0, 0)
	for row := 0; row < n; row++ {
		for col := 0; col < n; {
			if !dark(col, row) {
				col++
				continue
			}
			start := col
			for col < n && dark(col, row) {
				col++
			}
			d.f.Rect(x+float64(start+quiet)*m, y+float64(row+quiet)*m, float64(col-start)*m, m, "F")
		}
	}
}

// SickNoteDocOf is a sick note's paper, with the page a reader checks it
// at; the diagnosis goes on it only with the patient's consent.
func SickNoteDocOf(d *medic.SickNoteDocument, verifyURL string) SickNoteDoc {
	n := d.SickNote
	out := SickNoteDoc{Letterhead: LetterheadOf(d.Practice, d.Logo), Practitioner: PractitionerOf(d.Practitioner), Patient: PatientOf(d.Patient),
		ExaminedAt: n.ExaminedAt, Reported: n.Basis == medic.BasisReported, LightDuty: n.Fitness == medic.FitnessLightDuty,
		DiagnosisConsent: n.DiagnosisConsent, From: n.From, To: n.To, CalendarDays: n.CalendarDays(), WorkingDays: n.WorkingDays(),
		IssuedAt: n.IssuedAt, VerificationCode: medic.FormatSickNoteCode(n.VerificationCode), VerifyURL: verifyURL, Cancelled: n.Status == medic.SickNoteCancelled}
	if n.DiagnosisConsent {
		out.Diagnosis = n.Diagnosis
	}
	return out
}
