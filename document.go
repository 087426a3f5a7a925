package medic

// Documents on the practice letterhead (prescriptions, referral letters,
// sick notes) are laid out by internal/pdf from what is gathered here, in
// the read that audits the download.

// Letterhead is what a practice's documents carry at the top and the foot:
// its name, address, phone, practice number, logo and letterhead text.
type Letterhead struct {
	Practice *Practice
	Logo     *Logo // nil without one
}

// Signatory is the practitioner who signs a document. Practitioner is nil
// when the user who wrote it has no practitioner profile (then Name only).
type Signatory struct {
	Name         string
	Practitioner *Practitioner
	Signature    *Signature // nil when none was uploaded
}

// PrescriptionDocument is everything a prescription's paper prints.
type PrescriptionDocument struct {
	Letterhead
	Prescription *Prescription
	Patient      *Patient
	Prescriber   Signatory
	// SevereAllergies are the chart's active severe allergies, printed
	// prominently for the pharmacist.
	SevereAllergies []*Allergy
}

// ReferralDocument is everything a referral letter prints.
type ReferralDocument struct {
	Letterhead
	Referral *Referral
	Patient  *Patient
	Referrer Signatory
}

// SickNoteDocument is everything a sick note's paper prints; the
// practitioner is the encounter's, who signs it.
type SickNoteDocument struct {
	Letterhead
	SickNote     *SickNote
	Patient      *Patient
	Practitioner Signatory
}
