package pdf_test

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"medic"
	"medic/internal/pdf"
)

// text reads a PDF back as pdftotext does, with runs of white space made
// one space so a value broken across lines still matches. Without
// pdftotext (poppler-utils) the test fails: it must not pass unread.
func text(t testing.TB, b []byte) string {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", b[:min(len(b), 20)])
	}
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Fatal("pdftotext is missing: install poppler-utils (scripts/install-test-deps.sh)")
	}
	cmd := exec.Command(bin, "-layout", "-enc", "UTF-8", "-", "-")
	cmd.Stdin = bytes.NewReader(b)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

func mustContain(t *testing.T, got string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("the PDF lacks %q; it reads:\n%s", w, got)
		}
	}
}

func mustNotContain(t *testing.T, got string, bad ...string) {
	t.Helper()
	for _, b := range bad {
		if strings.Contains(got, b) {
			t.Errorf("the PDF shows %q; it reads:\n%s", b, got)
		}
	}
}

// pngOf is a small w x h PNG.
func pngOf(t testing.TB, w, h int) pdf.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	for x := range w {
		img.Set(x, h/2, color.RGBA{0, 0, 120, 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return pdf.Image{ContentType: "image/png", Data: b.Bytes()}
}

var sast = time.FixedZone("SAST", 2*3600)

func letterhead(t testing.TB) pdf.Letterhead {
	return pdf.Letterhead{PracticeName: "Sunrise Family Practice", Address: "12 Main Road\nRondebosch, Cape Town 7700",
		Phone: "+27215550100", Email: "desk@sunrise.example", PracticeNumber: "PR0123456",
		Text: "Consultations by appointment. VAT no. 4123456789", Logo: pngOf(t, 200, 80)}
}

func prescriber(t testing.TB) pdf.Practitioner {
	return pdf.Practitioner{Name: "Dr Zoë Nel", Qualifications: "MBChB (UCT)\nDip PEC (SA)", RegistrationNumber: "MP0654321",
		PracticeNumber: "0123456", Signature: pngOf(t, 300, 100)}
}

func prescription(t testing.TB) pdf.PrescriptionDoc {
	return pdf.PrescriptionDoc{
		Letterhead: letterhead(t),
		Prescriber: prescriber(t),
		Patient:    pdf.Patient{Name: "Thandi Mokoena", DateOfBirth: medic.NewDate(1988, 3, 14), IDNumber: "8803140800087"},
		Reference:  "7d3c1f0e-1111-4222-8333-944445555666",
		IssuedAt:   time.Date(2026, 12, 4, 10, 30, 0, 0, sast),
		Items: []pdf.PrescriptionItem{
			{Medicine: "Amoxicillin 500 mg capsule", Dose: "500 mg", Route: "oral", Frequency: "tds", DurationDays: 7, Quantity: "21 capsules", Repeats: 0, Instructions: "Take with food; finish the course."},
			{Medicine: "Paracetamol 500 mg tablet", Dose: "1 g", Route: "oral", Frequency: "6 hourly when needed", DurationDays: 5, Quantity: "20 tablets", Repeats: 2},
		},
		SevereAllergies: []string{"Penicillin (anaphylaxis)"},
	}
}

func TestPrescription(t *testing.T) {
	b, err := pdf.Prescription(prescription(t))
	if err != nil {
		t.Fatal(err)
	}
	got := text(t, b)
	mustContain(t, got,
		// letterhead
		"Sunrise Family Practice", "12 Main Road", "Rondebosch, Cape Town 7700", "Tel +27215550100", "Practice no. PR0123456",
		"Consultations by appointment. VAT no. 4123456789",
		// prescriber, with the accent through cp1252
		"Dr Zoë Nel", "MBChB (UCT), Dip PEC (SA)", "MP0654321",
		// patient
		"Thandi Mokoena", "14 March 1988", "8803140800087",
		"4 December 2026", "7d3c1f0e-1111-4222-8333-944445555666",
		"SEVERE ALLERGY: Penicillin (anaphylaxis)",
		// items
		"1. Amoxicillin 500 mg capsule", "Dose: 500 mg", "Route: oral", "Frequency: tds", "Duration: 7 days", "Quantity: 21 capsules",
		"Repeats: 0", "Instructions: Take with food; finish the course.",
		"2. Paracetamol 500 mg tablet", "Dose: 1 g", "Frequency: 6 hourly when needed", "Duration: 5 days", "Repeats: 2",
		"Signature: Dr Zoë Nel",
	)
	mustNotContain(t, got, "CANCELLED")
	if n := bytes.Count(b, []byte("/Subtype /Image")); n != 2 {
		t.Errorf("the PDF holds %d images, want the logo and the signature", n)
	}
}

func TestPrescriptionCancelled(t *testing.T) {
	p := prescription(t)
	p.Cancelled, p.CancelledAt, p.CancelReason = true, time.Date(2026, 12, 5, 9, 0, 0, 0, sast), "Wrong strength chosen"
	p.SevereAllergies = nil
	b, err := pdf.Prescription(p)
	if err != nil {
		t.Fatal(err)
	}
	got := text(t, b)
	mustContain(t, got, "CANCELLED Cancelled on 5 December 2026: Wrong strength chosen")
	mustNotContain(t, got, "SEVERE ALLERGY")
}

// An image fpdf cannot read (or no image at all) leaves it out; the
// document still renders.
func TestUnreadableImagesLeftOut(t *testing.T) {
	p := prescription(t)
	p.Letterhead.Logo = pdf.Image{ContentType: "image/png", Data: []byte("\x89PNG\r\n\x1a\nnot really")}
	p.Prescriber.Signature = pdf.Image{}
	b, err := pdf.Prescription(p)
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, text(t, b), "Sunrise Family Practice", "Amoxicillin 500 mg capsule")
	if bytes.Contains(b, []byte("/Subtype /Image")) {
		t.Error("an unreadable logo was embedded")
	}
}

func TestReferralLetter(t *testing.T) {
	r := pdf.ReferralDoc{
		Letterhead: letterhead(t),
		Referrer:   prescriber(t),
		Patient:    pdf.Patient{Name: "Thandi Mokoena", DateOfBirth: medic.NewDate(1988, 3, 14), IDNumber: "8803140800087"},
		Reference:  "0b9f5a4e-2222-4333-8444-955556666777",
		Date:       time.Date(2026, 12, 4, 11, 0, 0, 0, sast),
		To:         "Dr N. Naidoo (Cardiology), Groote Schuur Hospital",
		Urgency:    "urgent",
		Reason:     "Exertional chest pain for two weeks",
		Summary:    "Assessment: probable stable angina.\nAllergies: penicillin (severe).\nBP 150/95, pulse 88.",
	}
	b, err := pdf.ReferralLetter(r)
	if err != nil {
		t.Fatal(err)
	}
	got := text(t, b)
	mustContain(t, got, "Sunrise Family Practice", "Practice no. PR0123456", "Referral letter", "4 December 2026",
		"Dr N. Naidoo (Cardiology), Groote Schuur Hospital", "URGENT referral",
		"Thandi Mokoena", "14 March 1988", "8803140800087",
		"Exertional chest pain for two weeks", "Assessment: probable stable angina.", "BP 150/95, pulse 88.",
		"Referring practitioner", "Dr Zoë Nel", "MP0654321", "0b9f5a4e-2222-4333-8444-955556666777")
	mustNotContain(t, got, "CANCELLED")
}

func sickNote(t testing.TB) pdf.SickNoteDoc {
	return pdf.SickNoteDoc{
		Letterhead:       letterhead(t),
		Practitioner:     prescriber(t),
		Patient:          pdf.Patient{Name: "Thandi Mokoena", DateOfBirth: medic.NewDate(1988, 3, 14), IDNumber: "8803140800087"},
		ExaminedAt:       time.Date(2026, 12, 4, 9, 45, 0, 0, sast),
		Diagnosis:        "Acute gastroenteritis",
		From:             medic.NewDate(2026, 12, 4),
		To:               medic.NewDate(2026, 12, 8),
		CalendarDays:     5,
		WorkingDays:      3,
		IssuedAt:         time.Date(2026, 12, 4, 10, 0, 0, 0, sast),
		VerificationCode: "K7QX-M2PD-9WTR",
		VerifyURL:        "https://medic.example/verify/K7QX-M2PD-9WTR",
	}
}

func TestSickNote(t *testing.T) {
	for _, tc := range []struct {
		name       string
		edit       func(*pdf.SickNoteDoc)
		want, miss []string
	}{
		{"no consent: no diagnosis, unfit for work", func(*pdf.SickNoteDoc) {},
			[]string{"is unfit for work", "Totally unfit for duty", "based on an examination of the patient", "On examination of the patient"},
			[]string{"gastroenteritis", "Diagnosis", "light duty"}},
		{"consent: the diagnosis", func(s *pdf.SickNoteDoc) { s.DiagnosisConsent = true },
			[]string{"Diagnosis Acute gastroenteritis (disclosed with the patient's consent)"}, nil},
		{"light duty on the patient's report", func(s *pdf.SickNoteDoc) { s.LightDuty, s.Reported = true, true },
			[]string{"is fit for light duty only", "Fit for light (less strenuous) duty only", "based on information received from the patient",
				"On information received from the patient"},
			[]string{"gastroenteritis", "Totally unfit", "unfit for work"}},
		{"cancelled", func(s *pdf.SickNoteDoc) { s.Cancelled = true }, []string{"CANCELLED This certificate was cancelled and is not valid."}, []string{"gastroenteritis"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := sickNote(t)
			tc.edit(&s)
			b, err := pdf.SickNote(s)
			if err != nil {
				t.Fatal(err)
			}
			got := text(t, b)
			// HPCSA rule 16 and the BCEA, every time
			mustContain(t, got, "Sunrise Family Practice", "DR ZOË NEL", "MBChB (UCT), Dip PEC (SA)", "MP0654321",
				"Practice address 12 Main Road, Rondebosch, Cape Town 7700",
				"Thandi Mokoena", "8803140800087",
				"Examined on 4 December 2026 at 09:45",
				"4 December 2026 to 8 December 2026", "5 calendar days, of which 3 working days", "Issued on 4 December 2026",
				"Verification code K7QX-M2PD-9WTR", "https://medic.example/verify/K7QX-M2PD-9WTR")
			mustContain(t, got, tc.want...)
			mustNotContain(t, got, tc.miss...)
			if !s.Cancelled {
				mustNotContain(t, got, "CANCELLED")
			}
		})
	}
}

// benchP95 runs render b.N times and reports the 95th percentile of one
// render's wall time in ms (issue 12: p95 <= 30 ms).
func benchP95(b *testing.B, render func() ([]byte, error)) {
	b.ReportAllocs()
	ds := make([]time.Duration, 0, b.N)
	for b.Loop() {
		start := time.Now()
		if _, err := render(); err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(start))
	}
	slices.Sort(ds)
	b.ReportMetric(float64(ds[(len(ds)*95)/100].Microseconds())/1000, "p95-ms")
}

func BenchmarkPrescriptionPDF(b *testing.B) {
	p := prescription(b)
	benchP95(b, func() ([]byte, error) { return pdf.Prescription(p) })
}

func BenchmarkSickNotePDF(b *testing.B) {
	s := sickNote(b)
	benchP95(b, func() ([]byte, error) { return pdf.SickNote(s) })
}

func BenchmarkReferralLetterPDF(b *testing.B) {
	r := pdf.ReferralDoc{Letterhead: letterhead(b), Referrer: prescriber(b), Patient: pdf.Patient{Name: "Thandi Mokoena"},
		Date: time.Date(2026, 12, 4, 11, 0, 0, 0, sast), To: "Dr N. Naidoo", Urgency: "routine", Reason: "Chest pain", Summary: "BP 150/95"}
	benchP95(b, func() ([]byte, error) { return pdf.ReferralLetter(r) })
}

// TestSickNoteQRCode: the QR code on the note, rasterised as a scanner
// would see the page, reads back as the verification URL.
func TestSickNoteQRCode(t *testing.T) {
	b, err := pdf.SickNote(sickNote(t))
	if err != nil {
		t.Fatal(err)
	}
	tool := func(name string) string {
		bin, err := exec.LookPath(name)
		if err != nil {
			t.Fatalf("%s is missing: install poppler-utils and zbar-tools (scripts/install-test-deps.sh)", name)
		}
		return bin
	}
	dir := t.TempDir()
	raster := exec.Command(tool("pdftoppm"), "-r", "150", "-png", "-singlefile", "-", dir+"/page")
	raster.Stdin = bytes.NewReader(b)
	if out, err := raster.CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	out, err := exec.Command(tool("zbarimg"), "-q", "--raw", dir+"/page.png").Output()
	if err != nil {
		t.Fatalf("zbarimg found no code: %v", err)
	}
	if got := strings.TrimSpace(string(out)); got != "https://medic.example/verify/K7QX-M2PD-9WTR" {
		t.Errorf("the QR code reads %q", got)
	}
}

// A prescription too long for one page names its patient on the next,
// and its last medicine stays on the page that is signed.
func TestPrescriptionContinued(t *testing.T) {
	p := prescription(t)
	for range 18 {
		p.Items = append(p.Items, p.Items[0])
	}
	b, err := pdf.Prescription(p)
	if err != nil {
		t.Fatal(err)
	}
	got := text(t, b)
	mustContain(t, got, "Prescription - page 1 of ", "Prescription for Thandi Mokoena, born 14 March 1988 (continued)")
	last, sig := strings.Index(got, "20. Amoxicillin 500 mg capsule"), strings.Index(got, "Signature: Dr Zoë Nel")
	if last < 0 || sig < last || strings.Contains(got[last:sig], "page") {
		t.Errorf("the last medicine and the signature are not on one page: %s", got)
	}
	short, err := pdf.Prescription(prescription(t))
	if err != nil {
		t.Fatal(err)
	}
	mustNotContain(t, text(t, short), "(continued)", "page 2")
}
