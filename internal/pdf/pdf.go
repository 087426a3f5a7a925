// Package pdf lays out the practice's documents (prescription, referral
// letter, sick note) on its letterhead as PDFs, with go-pdf/fpdf. It takes
// plain structs (the *Doc types), filled from the domain by the callers or
// by the *Of functions here, and returns the file's bytes.
package pdf

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"medic"
)

// Letterhead is the practice as its documents show it.
type Letterhead struct {
	PracticeName   string
	Address        string // may hold several lines
	Phone          string
	Email          string
	PracticeNumber string
	Text           string // the letterhead text, printed at the foot
	Logo           Image  // empty without a logo
}

// Image is a PNG or JPEG.
type Image struct {
	ContentType string // image/png or image/jpeg
	Data        []byte
}

// Practitioner is the person who signs a document.
type Practitioner struct {
	Name               string
	Qualifications     string
	RegistrationNumber string // HPCSA (or NPI)
	PracticeNumber     string
	Signature          Image // empty when none was uploaded
}

// Patient is who a document is about.
type Patient struct {
	Name        string
	DateOfBirth medic.Date
	IDNumber    string // SA ID number, else the passport
}

// LetterheadOf is the practice's letterhead; logo may be nil.
func LetterheadOf(p *medic.Practice, logo *medic.Logo) Letterhead {
	l := Letterhead{PracticeName: p.Name, Address: p.Address, Phone: p.Phone, Email: p.Email,
		PracticeNumber: p.RegistrationNumber, Text: p.Branding.LetterheadText}
	if logo != nil {
		l.Logo = Image{ContentType: logo.ContentType, Data: logo.Data}
	}
	return l
}

// PractitionerOf is the signatory as printed.
func PractitionerOf(s medic.Signatory) Practitioner {
	p := Practitioner{Name: s.Name}
	if pr := s.Practitioner; pr != nil {
		p.Name, p.Qualifications, p.RegistrationNumber, p.PracticeNumber = pr.Name, pr.Qualifications, pr.RegistrationNumber, pr.PracticeNumber
	}
	if s.Signature != nil {
		p.Signature = Image{ContentType: s.Signature.ContentType, Data: s.Signature.Data}
	}
	return p
}

// PatientOf is the chart's patient as printed.
func PatientOf(p *medic.Patient) Patient {
	id := p.IDNumber
	if id == "" && p.Passport != "" {
		id = "Passport " + p.Passport
	}
	return Patient{Name: strings.TrimSpace(p.GivenName + " " + p.FamilyName), DateOfBirth: p.DateOfBirth, IDNumber: id}
}

const (
	margin     = 18.0 // mm
	pageW      = 210.0
	pageH      = 297.0
	bottom     = 22.0 // the footer's room
	signatureH = 40.0 // the signature block
	textW      = pageW - 2*margin
	lineH      = 5.0
	dateForm   = "2 January 2006"
)

// doc is one document being written.
type doc struct {
	f *fpdf.Fpdf
}

// cp1252 maps the runes the core fonts' code page holds beyond ASCII (é,
// ü, –, €) to its bytes. It is read once from fpdf's own translator, whose
// closure shares a buffer and so cannot serve concurrent requests (and
// costs a parse of the code page map each time it is made).
var cp1252 = sync.OnceValue(func() map[rune]byte {
	tr := fpdf.New("P", "mm", "A4", "").UnicodeTranslatorFromDescriptor("")
	m := map[rune]byte{}
	for r := rune(0x80); r <= 0x2122; r++ { // ™ is the last
		if b := tr(string(r)); b != "." {
			m[r] = b[0]
		}
	}
	return m
})

// tr turns UTF-8 into the core fonts' code page; a rune it lacks prints as
// a question mark.
func (d *doc) tr(s string) string {
	m := cp1252()
	out := make([]byte, 0, len(s))
	for _, r := range s {
		switch b, ok := m[r]; {
		case r < 0x80:
			out = append(out, byte(r))
		case ok:
			out = append(out, b)
		default:
			out = append(out, '?')
		}
	}
	return string(out)
}

// newDoc starts an A4 document with the letterhead at the top of its first
// page and its text at the foot of every page.
func newDoc(title string, lh Letterhead) *doc {
	f := fpdf.New("P", "mm", "A4", "")
	d := &doc{f: f}
	f.SetMargins(margin, margin, margin)
	f.SetAutoPageBreak(true, bottom)
	f.SetTitle(title, true)
	f.SetCreator("Medic", true)
	// Fixed dates keep the bytes of a document the same for the same input.
	f.SetCreationDate(time.Unix(0, 0).UTC())
	f.SetCatalogSort(true)
	// Uncompressed: a page of text is a few KB and the images keep their
	// own compression, while a deflate writer per stream cost more than
	// the rest of the render.
	f.SetCompression(false)
	f.AliasNbPages("")
	f.SetFooterFunc(func() {
		f.SetY(-18)
		f.SetDrawColor(180, 180, 180)
		f.Line(margin, f.GetY(), pageW-margin, f.GetY())
		f.SetFont("Helvetica", "", 7.5)
		f.SetTextColor(90, 90, 90)
		if lh.Text != "" {
			f.MultiCell(textW, 3.5, d.tr(oneLine(lh.Text)), "", "C", false)
		}
		f.CellFormat(textW, 3.5, d.tr(fmt.Sprintf("%s - page %d of {nb}", title, f.PageNo())), "", 0, "C", false, 0, "")
		f.SetTextColor(0, 0, 0)
	})
	f.AddPage()
	d.letterhead(lh)
	return d
}

// letterhead prints the logo at the left and the practice's name and
// contacts beside it, then a rule.
func (d *doc) letterhead(lh Letterhead) {
	f := d.f
	top := f.GetY()
	x := margin
	if w, ok := d.image("logo", lh.Logo, margin, top, 40, 22); ok {
		x += w + 5
	}
	f.SetXY(x, top)
	w := pageW - margin - x
	f.SetFont("Helvetica", "B", 15)
	f.MultiCell(w, 7, d.tr(lh.PracticeName), "", "L", false)
	f.SetFont("Helvetica", "", 9)
	var lines []string
	for _, l := range strings.Split(lh.Address, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	var contact []string
	if lh.Phone != "" {
		contact = append(contact, "Tel "+lh.Phone)
	}
	if lh.Email != "" {
		contact = append(contact, lh.Email)
	}
	if len(contact) > 0 {
		lines = append(lines, strings.Join(contact, "  |  "))
	}
	if lh.PracticeNumber != "" {
		lines = append(lines, "Practice no. "+lh.PracticeNumber)
	}
	for _, l := range lines {
		f.SetX(x)
		f.MultiCell(w, 4.2, d.tr(l), "", "L", false)
	}
	y := max(f.GetY(), top+22) + 3
	f.SetDrawColor(60, 60, 60)
	f.SetLineWidth(0.4)
	f.Line(margin, y, pageW-margin, y)
	f.SetLineWidth(0.2)
	f.SetXY(margin, y+5)
}

// image places img in the box at x, y of at most w by h mm, keeping its
// proportions, and returns the width used. An image fpdf cannot read (an
// interlaced PNG, say) is left out rather than failing the document.
func (d *doc) image(name string, img Image, x, y, w, h float64) (float64, bool) {
	var kind string
	switch img.ContentType {
	case "image/png":
		kind = "png"
	case "image/jpeg":
		kind = "jpg"
	default:
		return 0, false
	}
	if len(img.Data) == 0 || d.f.Err() {
		return 0, false
	}
	info := d.f.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: kind}, bytes.NewReader(img.Data))
	if d.f.Err() || info == nil || info.Width() <= 0 || info.Height() <= 0 {
		d.f.ClearError()
		return 0, false
	}
	scale := min(w/info.Width(), h/info.Height())
	iw, ih := info.Width()*scale, info.Height()*scale
	d.f.ImageOptions(name, x, y, iw, ih, false, fpdf.ImageOptions{ImageType: kind}, 0, "")
	return iw, true
}

// continued names the document and its patient at the top of every page
// after the first, so a loose page still says whose it is.
func (d *doc) continued(what string, p Patient) {
	f := d.f
	line := what + " for " + p.Name
	if !p.DateOfBirth.IsZero() {
		line += ", born " + p.DateOfBirth.Time().Format(dateForm)
	}
	f.SetHeaderFunc(func() {
		if f.PageNo() == 1 {
			return
		}
		f.SetFont("Helvetica", "I", 8.5)
		f.SetTextColor(90, 90, 90)
		f.CellFormat(textW, 5, d.tr(line+" (continued)"), "B", 1, "L", false, 0, "")
		f.SetTextColor(0, 0, 0)
		f.Ln(3)
	})
}

// title prints the document's heading and, on the right, its date.
func (d *doc) title(s string, date time.Time) {
	f := d.f
	y := f.GetY()
	f.SetFont("Helvetica", "B", 14)
	f.CellFormat(textW/2, 8, d.tr(s), "", 0, "L", false, 0, "")
	f.SetFont("Helvetica", "", 10)
	f.SetXY(margin+textW/2, y)
	f.CellFormat(textW/2, 8, d.tr("Date: "+date.Format(dateForm)), "", 1, "R", false, 0, "")
	f.Ln(2)
}

// heading starts a section.
func (d *doc) heading(s string) {
	d.f.Ln(2)
	d.f.SetFont("Helvetica", "B", 10.5)
	d.f.CellFormat(textW, 6, d.tr(s), "B", 1, "L", false, 0, "")
	d.f.Ln(1)
}

// field prints a label and its value; an empty value prints as a dash so
// the reader sees it was not recorded.
func (d *doc) field(label, value string) {
	f := d.f
	if strings.TrimSpace(value) == "" {
		value = "-"
	}
	f.SetFont("Helvetica", "B", 9.5)
	f.CellFormat(48, lineH, d.tr(label), "", 0, "L", false, 0, "")
	f.SetFont("Helvetica", "", 9.5)
	f.MultiCell(textW-48, lineH, d.tr(value), "", "L", false)
}

// para prints running text.
func (d *doc) para(s string) {
	d.f.SetFont("Helvetica", "", 10)
	d.f.MultiCell(textW, lineH+0.5, d.tr(s), "", "L", false)
}

// patient prints the patient's details.
func (d *doc) patient(p Patient) {
	d.heading("Patient")
	d.field("Name", p.Name)
	dob := ""
	if !p.DateOfBirth.IsZero() {
		dob = p.DateOfBirth.Time().Format(dateForm)
	}
	d.field("Date of birth", dob)
	d.field("ID number", p.IDNumber)
}

// practitioner prints the signatory's details under heading.
func (d *doc) practitioner(heading string, p Practitioner) {
	d.heading(heading)
	d.field("Name", p.Name)
	d.field("Qualifications", oneLine(p.Qualifications))
	d.field("Registration number", p.RegistrationNumber)
	if p.PracticeNumber != "" {
		d.field("Practice number", p.PracticeNumber)
	}
}

// signature prints the signature image (if uploaded) over a line with the
// signatory's name.
func (d *doc) signature(p Practitioner) {
	f := d.f
	if f.GetY() > pageH-bottom-signatureH {
		f.AddPage()
	}
	f.Ln(6)
	y := f.GetY()
	d.image("signature", p.Signature, margin, y, 60, 20)
	y += 22
	f.SetDrawColor(0, 0, 0)
	f.Line(margin, y, margin+70, y)
	f.SetXY(margin, y+1)
	f.SetFont("Helvetica", "", 9)
	f.CellFormat(70, 4.5, d.tr("Signature: "+p.Name), "", 1, "L", false, 0, "")
}

// alert prints text in a red box, for what must not be missed.
func (d *doc) alert(text string) {
	f := d.f
	f.Ln(1)
	f.SetFillColor(253, 236, 236)
	f.SetDrawColor(190, 20, 20)
	f.SetTextColor(160, 0, 0)
	f.SetLineWidth(0.6)
	f.SetFont("Helvetica", "B", 11)
	f.MultiCell(textW, 6.5, d.tr(text), "1", "L", true)
	f.SetLineWidth(0.2)
	f.SetTextColor(0, 0, 0)
	f.SetDrawColor(0, 0, 0)
	f.Ln(1)
}

// stamp prints a red box across the page in the flow of the text, as a
// rubber stamp would be (CANCELLED), with the note beneath it.
func (d *doc) stamp(word, note string) {
	f := d.f
	f.Ln(1)
	f.SetTextColor(190, 0, 0)
	f.SetDrawColor(190, 0, 0)
	f.SetLineWidth(1.2)
	f.SetFont("Helvetica", "B", 26)
	f.CellFormat(textW, 14, d.tr(word), "1", 1, "C", false, 0, "")
	if note != "" {
		f.SetFont("Helvetica", "B", 10)
		f.MultiCell(textW, 6, d.tr(note), "", "C", false)
	}
	f.SetLineWidth(0.2)
	f.SetTextColor(0, 0, 0)
	f.SetDrawColor(0, 0, 0)
	f.Ln(2)
}

// bytes finishes the document.
func (d *doc) bytes() ([]byte, error) {
	var b bytes.Buffer
	if err := d.f.Output(&b); err != nil {
		return nil, fmt.Errorf("pdf: %w", err)
	}
	return b.Bytes(), nil
}

// oneLine joins a multi-line value with commas.
func oneLine(s string) string {
	var parts []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			parts = append(parts, l)
		}
	}
	return strings.Join(parts, ", ")
}
