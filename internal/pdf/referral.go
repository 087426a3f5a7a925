package pdf

import (
	"strings"
	"time"

	"medic"
)

// ReferralDoc is a referral letter as printed.
type ReferralDoc struct {
	Letterhead Letterhead
	Referrer   Practitioner
	Patient    Patient
	Reference  string // the referral's id
	Date       time.Time
	To         string // "Dr N. Naidoo (Cardiology), Groote Schuur Hospital"
	Urgency    string // routine, urgent, emergency
	Reason     string
	Summary    string // the clinical summary, several lines
	Cancelled  bool
}

// ReferralDocOf is the referral's letter, dated when it was sent (or
// written, for a draft).
func ReferralDocOf(d *medic.ReferralDocument) ReferralDoc {
	r := d.Referral
	at := r.CreatedAt
	if !r.SentAt.IsZero() {
		at = r.SentAt
	}
	return ReferralDoc{
		Letterhead: LetterheadOf(d.Practice, d.Logo),
		Referrer:   PractitionerOf(d.Referrer),
		Patient:    PatientOf(d.Patient),
		Reference:  r.ID,
		Date:       at,
		To:         r.To(),
		Urgency:    string(r.Urgency),
		Reason:     r.Reason,
		Summary:    r.Summary,
		Cancelled:  r.Status == medic.ReferralCancelled,
	}
}

// ReferralLetter renders the letter: to whom, the patient, the reason and
// clinical summary, the referring practitioner and their signature.
func ReferralLetter(r ReferralDoc) ([]byte, error) {
	d := newDoc("Referral letter", r.Letterhead)
	d.continued("Referral letter", r.Patient)
	d.title("Referral letter", r.Date)
	if r.Cancelled {
		d.stamp("CANCELLED", "This referral was cancelled.")
	}
	d.field("Reference", r.Reference)
	d.field("To", r.To)
	d.field("Urgency", r.Urgency)
	if r.Urgency != "" && r.Urgency != string(medic.UrgencyRoutine) {
		d.alert(strings.ToUpper(r.Urgency) + " referral")
	}
	d.patient(r.Patient)
	d.heading("Reason for referral")
	d.para(r.Reason)
	d.heading("Clinical summary")
	d.para(dash(r.Summary))
	d.f.Ln(3)
	d.para("Thank you for seeing this patient. Please contact the practice with any questions.")
	d.practitioner("Referring practitioner", r.Referrer)
	d.signature(r.Referrer)
	return d.bytes()
}
