package pdf

import (
	"fmt"
	"strings"
	"time"

	"medic"
)

// PrescriptionDoc is a prescription as printed.
type PrescriptionDoc struct {
	Letterhead Letterhead
	Prescriber Practitioner
	Patient    Patient
	Reference  string // the prescription's id
	IssuedAt   time.Time
	Items      []PrescriptionItem
	// SevereAllergies name the chart's severe allergies ("Penicillin
	// (anaphylaxis)"), printed in a red box above the items.
	SevereAllergies []string
	Cancelled       bool
	CancelledAt     time.Time
	CancelReason    string
}

// PrescriptionItem is one medicine on the prescription.
type PrescriptionItem struct {
	Medicine     string
	Dose         string
	Route        string
	Frequency    string
	DurationDays int
	Quantity     string
	Repeats      int
	Instructions string
}

// PrescriptionDocOf is the prescription's paper.
func PrescriptionDocOf(d *medic.PrescriptionDocument) PrescriptionDoc {
	p := d.Prescription
	out := PrescriptionDoc{
		Letterhead: LetterheadOf(d.Practice, d.Logo),
		Prescriber: PractitionerOf(d.Prescriber),
		Patient:    PatientOf(d.Patient),
		Reference:  p.ID,
		IssuedAt:   p.IssuedAt,
		Cancelled:  p.Status == medic.PrescriptionCancelled,
	}
	if out.Cancelled {
		out.CancelledAt, out.CancelReason = p.CancelledAt, p.CancelReason
	}
	for _, it := range p.Items {
		out.Items = append(out.Items, PrescriptionItem{Medicine: it.MedicineLabel, Dose: it.Dose, Route: it.Route, Frequency: it.Frequency,
			DurationDays: it.DurationDays, Quantity: it.Quantity, Repeats: it.Repeats, Instructions: it.Instructions})
	}
	for _, a := range d.SevereAllergies {
		s := a.Substance
		if a.Reaction != "" {
			s += " (" + a.Reaction + ")"
		}
		out.SevereAllergies = append(out.SevereAllergies, s)
	}
	return out
}

// Prescription renders the prescription: letterhead, prescriber, patient,
// severe allergies, the items, the signature; stamped CANCELLED if it was.
func Prescription(p PrescriptionDoc) ([]byte, error) {
	d := newDoc("Prescription", p.Letterhead)
	d.continued("Prescription", p.Patient)
	f := d.f
	d.title("Prescription", p.IssuedAt)
	if p.Cancelled {
		d.stamp("CANCELLED", fmt.Sprintf("Cancelled on %s: %s", p.CancelledAt.Format(dateForm), p.CancelReason))
	}
	d.field("Reference", p.Reference)
	d.field("Issued", p.IssuedAt.Format(dateForm+" 15:04"))
	d.practitioner("Prescriber", p.Prescriber)
	d.patient(p.Patient)
	if len(p.SevereAllergies) > 0 {
		d.alert("SEVERE ALLERGY: " + strings.Join(p.SevereAllergies, "; "))
	}
	d.heading("Rx")
	for i, it := range p.Items {
		// An item starts where it fits whole; the last one keeps the
		// signature on its page, so no page is signed without a medicine.
		need := 18.0
		if i == len(p.Items)-1 {
			need += signatureH
		}
		if f.GetY()+need > pageH-bottom {
			f.AddPage()
		}
		f.SetFont("Helvetica", "B", 10.5)
		f.MultiCell(textW, 6, d.tr(fmt.Sprintf("%d. %s", i+1, it.Medicine)), "", "L", false)
		f.SetX(margin + 5)
		f.SetFont("Helvetica", "", 9.5)
		parts := []string{"Dose: " + dash(it.Dose), "Route: " + dash(it.Route), "Frequency: " + dash(it.Frequency),
			fmt.Sprintf("Duration: %d days", it.DurationDays), "Quantity: " + dash(it.Quantity), fmt.Sprintf("Repeats: %d", it.Repeats)}
		f.MultiCell(textW-5, lineH, d.tr(strings.Join(parts, "   ")), "", "L", false)
		if it.Instructions != "" {
			f.SetX(margin + 5)
			f.MultiCell(textW-5, lineH, d.tr("Instructions: "+it.Instructions), "", "L", false)
		}
		f.Ln(1.5)
	}
	d.signature(p.Prescriber)
	return d.bytes()
}

func dash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}
