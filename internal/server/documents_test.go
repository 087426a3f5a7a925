package server_test

import (
	"bytes"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"medic"
	"medic/internal/server/servertest"
)

// pdfText reads a PDF back with pdftotext (poppler-utils), white space
// runs made one space; the test fails if pdftotext is missing.
func pdfText(t *testing.T, b []byte) string {
	t.Helper()
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

// wantPDF checks a download's headers and returns its text.
func wantPDF(t *testing.T, r *servertest.Response, prefix string) string {
	t.Helper()
	want(t, r, http.StatusOK)
	if ct := r.Header.Get("Content-Type"); ct != "application/pdf" {
		t.Errorf("Content-Type %q", ct)
	}
	if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", cc)
	}
	// The file name says what it is, never whom.
	if cd := r.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment; filename="+prefix+"-") || !strings.HasSuffix(cd, ".pdf") {
		t.Errorf("Content-Disposition %q", cd)
	}
	return pdfText(t, r.Body)
}

// auditCount counts the practice's audit events with the action.
func auditCount(t *testing.T, admin *servertest.Client, base, action string) int {
	t.Helper()
	n := 0
	for _, e := range want(t, admin.Do("GET", base+"/audit-events?limit=200", nil), http.StatusOK).Items() {
		if e["action"] == action {
			n++
		}
	}
	return n
}

func signatureImage(t *testing.T) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 120, 40))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestDocumentPDFs(t *testing.T) {
	t.Parallel()
	d := newRxDesk(t)
	admin := d.c[medic.RoleAdmin]
	patient, enc := d.chart(t, "Zoë", "1980-04-02")
	want(t, d.doctor.Do("POST", d.base+"/patients/"+patient+"/allergies", map[string]any{"substance": "Penicillin", "reaction": "Anaphylaxis", "severity": "severe"}), http.StatusCreated)
	want(t, d.doctor.Do("POST", d.base+"/patients/"+patient+"/allergies", map[string]any{"substance": "Latex", "severity": "mild"}), http.StatusCreated)
	want(t, admin.Do("PATCH", d.base+"/practitioners/"+d.practitioner, map[string]any{"qualifications": "MBChB (Wits)"}), http.StatusOK)
	rx := want(t, d.doctor.Do("POST", d.base+"/prescriptions", map[string]any{"encounter_id": enc, "items": []map[string]any{
		{"medicine_id": d.meds["paracetamol%20500"], "dose": "1 g", "frequency": "qid", "duration_days": 3, "quantity": "24 tablets", "repeats": 1, "instructions": "After meals"},
	}}), http.StatusCreated).Str("id")

	t.Run("signature upload", func(t *testing.T) {
		path := d.base + "/practitioners/" + d.practitioner + "/signature"
		r := admin.DoHeader("PUT", path, `{"image": "no"}`, map[string]string{"Content-Type": "image/png"})
		wantProblem(t, r, http.StatusUnprocessableEntity)
		if r.Str("errors.signature") == "" {
			t.Errorf("a JSON body is not named as the mistake: %s", r)
		}
		big := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 300<<10)...)
		wantProblem(t, admin.DoHeader("PUT", path, big, map[string]string{"Content-Type": "image/png"}), http.StatusUnprocessableEntity)
		if want(t, admin.Do("GET", d.base+"/practitioners/"+d.practitioner, nil), http.StatusOK).Get("has_signature") != false {
			t.Fatal("a refused upload left a signature")
		}
		want(t, admin.DoHeader("PUT", path, signatureImage(t), map[string]string{"Content-Type": "image/png"}), http.StatusNoContent)
		if want(t, admin.Do("GET", d.base+"/practitioners/"+d.practitioner, nil), http.StatusOK).Get("has_signature") != true {
			t.Error("the practitioner does not show the signature")
		}
	})

	t.Run("prescription", func(t *testing.T) {
		before := auditCount(t, admin, d.base, "prescription.pdf_downloaded")
		r := d.doctor.Do("GET", d.base+"/prescriptions/"+rx+"/pdf", nil)
		got := wantPDF(t, r, "prescription")
		for _, s := range []string{d.p.Name, "Prescription", "Zoë Mokoena", "2 April 1980", "Dr Naledi Dlamini", "MBChB (Wits)", "MP0123456",
			"SEVERE ALLERGY: Penicillin (Anaphylaxis)", "1. Paracetamol 500 mg", "Dose: 1 g", "Frequency: qid", "Duration: 3 days",
			"Quantity: 24 tablets", "Repeats: 1", "Instructions: After meals", rx} {
			if !strings.Contains(got, s) {
				t.Errorf("the prescription PDF lacks %q: %s", s, got)
			}
		}
		if strings.Contains(got, "Latex") || strings.Contains(got, "CANCELLED") {
			t.Errorf("a mild allergy or a cancel stamp is printed: %s", got)
		}
		if !bytes.Contains(r.Body, []byte("/Subtype /Image")) {
			t.Error("the uploaded signature is not on the prescription")
		}
		if strings.Contains(r.Header.Get("Content-Disposition"), "Mokoena") {
			t.Error("the file name names the patient")
		}
		if n := auditCount(t, admin, d.base, "prescription.pdf_downloaded") - before; n != 1 {
			t.Errorf("%d audit events for one download, want 1", n)
		}

		want(t, d.doctor.Do("POST", d.base+"/prescriptions/"+rx+"/cancel", map[string]any{"reason": "Wrong patient"}), http.StatusOK)
		got = wantPDF(t, d.doctor.Do("GET", d.base+"/prescriptions/"+rx+"/pdf", nil), "prescription")
		if !strings.Contains(got, "CANCELLED") || !strings.Contains(got, "Wrong patient") {
			t.Errorf("a cancelled prescription is not stamped: %s", got)
		}
	})

	t.Run("referral letter", func(t *testing.T) {
		want(t, d.doctor.Do("PATCH", d.base+"/encounters/"+enc, map[string]any{"soap": map[string]any{"assessment": "Exertional chest pain"}}), http.StatusOK)
		ref := want(t, d.doctor.Do("POST", d.base+"/encounters/"+enc+"/referrals", map[string]any{"kind": "external", "to_name": "Dr P. Naidoo",
			"to_speciality": "Cardiology", "to_facility": "Groote Schuur Hospital", "urgency": "urgent", "reason": "Cardiology opinion", "status": "sent"}), http.StatusCreated).Str("id")
		before := auditCount(t, admin, d.base, "referral.pdf_downloaded")
		got := wantPDF(t, d.doctor.Do("GET", d.base+"/referrals/"+ref+"/pdf", nil), "referral")
		for _, s := range []string{d.p.Name, "Referral letter", "Dr P. Naidoo (Cardiology), Groote Schuur Hospital", "URGENT referral",
			"Zoë Mokoena", "2 April 1980", "Cardiology opinion", "Exertional chest pain", "Penicillin", "Dr Naledi Dlamini", "MP0123456"} {
			if !strings.Contains(got, s) {
				t.Errorf("the referral letter lacks %q: %s", s, got)
			}
		}
		if n := auditCount(t, admin, d.base, "referral.pdf_downloaded") - before; n != 1 {
			t.Errorf("%d audit events for one download, want 1", n)
		}
	})
}

// BenchmarkPrescriptionPDFRoute measures GET .../prescriptions/{id}/pdf
// through the real handler and PostgreSQL: sign-in, the audited read of
// the prescription, chart, allergies, practice and signatory, the render.
// p95-ms is one request's 95th percentile.
//
//	go test -run xxx -bench PrescriptionPDFRoute -benchtime 300x ./internal/server/
func BenchmarkPrescriptionPDFRoute(b *testing.B) {
	env := servertest.New(b)
	p := env.Practice(b, "bench")
	doc := env.Member(b, p, env.User(b, "doctor@bench.example", pw), medic.RoleDoctor)
	env.Member(b, p, env.User(b, "admin@bench.example", pw), medic.RoleAdmin)
	loc := env.Location(b, p, "Main Street")
	admin, c := env.Login(b, "admin@bench.example", pw), env.Login(b, "doctor@bench.example", pw)
	base := "/api/v1/practices/bench"
	must := func(r *servertest.Response, status int) *servertest.Response {
		if r.Status != status {
			b.Fatalf("%s", r)
		}
		return r
	}
	pr := must(admin.Do("POST", base+"/practitioners", map[string]any{"name": "Dr Naledi Dlamini", "registration_number": "MP0123456",
		"qualifications": "MBChB (UCT)", "member_id": doc.ID, "location_ids": []string{loc.ID}}), http.StatusCreated).Str("id")
	var sig bytes.Buffer
	_ = png.Encode(&sig, image.NewGray(image.Rect(0, 0, 300, 100)))
	must(admin.DoHeader("PUT", base+"/practitioners/"+pr+"/signature", sig.Bytes(), map[string]string{"Content-Type": "image/png"}), http.StatusNoContent)
	patient := must(admin.Do("POST", base+"/patients", map[string]any{"given_name": "Thandi", "family_name": "Mokoena", "date_of_birth": "1984-05-06"}), http.StatusCreated).Str("id")
	must(c.Do("POST", base+"/patients/"+patient+"/allergies", map[string]any{"substance": "Sulfonamides", "severity": "severe"}), http.StatusCreated)
	enc := must(c.Do("POST", base+"/encounters", map[string]any{"patient_id": patient, "practitioner_id": pr, "location_id": loc.ID, "stage": "consultation"}), http.StatusCreated).Str("id")
	var items []map[string]any
	for _, q := range []string{"amoxicillin", "paracetamol", "ibuprofen"} {
		med := must(c.Do("GET", base+"/medicines?q="+q, nil), http.StatusOK).Str("items.0.id")
		items = append(items, map[string]any{"medicine_id": med, "dose": "1 tablet", "frequency": "tds", "duration_days": 5, "quantity": "15 tablets", "instructions": "After meals"})
	}
	rx := must(c.Do("POST", base+"/prescriptions", map[string]any{"encounter_id": enc, "items": items}), http.StatusCreated).Str("id")

	h := env.Server.Config.Handler
	// json: the prescription's plain read, the floor the PDF builds on.
	for _, route := range []struct{ name, path, contentType string }{
		{"json", base + "/prescriptions/" + rx, "application/json"},
		{"pdf", base + "/prescriptions/" + rx + "/pdf", "application/pdf"},
	} {
		b.Run(route.name, func(b *testing.B) {
			req := httptest.NewRequest("GET", route.path, nil)
			req.Header.Set("Cookie", env.Config.CookieName()+"="+c.Session())
			b.ReportAllocs()
			ds := make([]time.Duration, 0, b.N)
			for b.Loop() {
				start := time.Now()
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req.Clone(req.Context()))
				if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Type"), route.contentType) {
					b.Fatalf("GET %s: %d %.300s", route.path, w.Code, w.Body)
				}
				ds = append(ds, time.Since(start))
			}
			slices.Sort(ds)
			b.ReportMetric(float64(ds[len(ds)*95/100].Microseconds())/1000, "p95-ms")
		})
	}
}
