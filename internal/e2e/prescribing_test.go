package e2e_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"medic"
	"medic/internal/e2e"
	"medic/internal/server/servertest"
)

// The prescribing and sick note walk at 1366 px: the doctor
// prescribes amoxicillin at a visit of a chart with a penicillin allergy,
// sees the warning, gives a reason and issues; the prescription's PDF (as
// the download link serves it, with the doctor's cookies) is a PDF naming
// the patient and the medicine (a moderate allergy is not printed: only
// severe ones are). Then a sick note without consent to the
// diagnosis: in a fresh browser (no cookies) its /verify page says
// valid and shows no diagnosis; the doctor cancels it on the desk with a
// reason and the fresh context's page then says cancelled. The form with
// the warning, the prescription, the note and the verification pages are
// axe-clean.
func TestPrescribingAndSickNoteVerification(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Fatalf("pdftotext is required (%v); run scripts/install-test-deps.sh", err)
	}
	env := servertest.New(t)
	p := env.Practice(t, "sunrise")
	const password = "correct horse battery"
	env.Member(t, p, env.User(t, "doctor@sunrise.example", password), medic.RoleDoctor)
	s := seedClinic(t, env, p)
	ctx := tenant(p)
	// seedClinic's Thabo Nkosi lists a penicillin allergy.
	visit := &medic.Encounter{PatientID: s.thabo.ID, PractitionerID: s.pr.ID, LocationID: s.loc.ID, Stage: medic.StageConsultation,
		StartedAt: env.Clock.Now().Add(-20 * time.Minute)}
	if err := env.DB.CreateEncounter(ctx, visit); err != nil {
		t.Fatal(err)
	}
	// A primary diagnosis the note must not show without consent.
	if err := env.DB.AddDiagnosis(ctx, &medic.Diagnosis{EncounterID: visit.ID, Code: "J03.9", Primary: true}); err != nil {
		t.Fatal(err)
	}

	bctx := e2e.Browser(t, 1366, 1000)
	run := func(ctx context.Context, step string, actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(ctx, actions...); err != nil {
			e2e.Screenshot(t, ctx, "prescribing-failed")
			t.Fatalf("%s: %v", step, err)
		}
	}
	var text string
	run(bctx, "sign in",
		chromedp.Navigate(env.URL+"/login"),
		chromedp.WaitVisible(`input[name=email]`, chromedp.ByQuery),
		chromedp.SendKeys(`input[name=email]`, "doctor@sunrise.example", chromedp.ByQuery),
		chromedp.SendKeys(`input[name=password]`, password, chromedp.ByQuery),
		chromedp.Submit(`input[name=password]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#desk-search`, chromedp.ByQuery),
		e2e.Settled(),
	)

	// Prescribe: the allergy check fires, then the reason lets it through.
	run(bctx, "open the prescription form from the visit",
		chromedp.Navigate(env.URL+"/encounters/"+visit.ID),
		e2e.WaitText(`h1`, "Thabo Nkosi"),
		e2e.Settled(),
		chromedp.Click(`a[href="/encounters/`+visit.ID+`/prescriptions/new"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`input[name=medicine_0]`, chromedp.ByQuery),
		e2e.Settled(),
	)
	run(bctx, "write amoxicillin and issue",
		chromedp.SetValue(`input[name=medicine_0]`, "Amoxicillin 500 mg capsule", chromedp.ByQuery),
		chromedp.SendKeys(`input[name=dose_0]`, "1 capsule", chromedp.ByQuery),
		chromedp.SendKeys(`input[name=frequency_0]`, "tds", chromedp.ByQuery),
		chromedp.SendKeys(`input[name=days_0]`, "5", chromedp.ByQuery),
		chromedp.SendKeys(`input[name=quantity_0]`, "15 capsules", chromedp.ByQuery),
		chromedp.Click(`form[action$="/prescriptions/new"] button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`.rx-item .alert`, chromedp.ByQuery),
		e2e.Settled(),
		chromedp.Text(`.rx-item .alert`, &text, chromedp.ByQuery),
	)
	wantText(t, "the warning", text, "Check before issuing:", "allergy to Penicillin", "Amoxicillin is one of the penicillins")
	e2e.Axe(t, bctx, "the prescription form with its warning")
	const reason = "Allergy history doubtful: tolerated amoxicillin in 2021 per pharmacy record"
	run(bctx, "override with a reason and issue",
		chromedp.SendKeys(`textarea[name=override_0]`, reason, chromedp.ByQuery),
		chromedp.Click(`form[action$="/prescriptions/new"] button[type=submit]`, chromedp.ByQuery),
		e2e.WaitText(`.notice`, "Prescription issued."),
		e2e.Settled(),
		chromedp.Text(`main`, &text, chromedp.ByQuery),
	)
	wantText(t, "the prescription", text, "Amoxicillin 500 mg capsule", "Reason given: "+reason, "Issued")
	e2e.Axe(t, bctx, "the issued prescription")

	// The download link's bytes, fetched in the page with its cookies.
	var pdf struct {
		Status int    `json:"status"`
		Type   string `json:"type"`
		Data   string `json:"data"`
	}
	run(bctx, "download the prescription PDF",
		chromedp.Evaluate(`(async () => {
			const a = document.querySelector('a[download][href$="/pdf"]');
			const r = await fetch(a.href);
			const b = new Uint8Array(await r.arrayBuffer());
			let s = "";
			for (const x of b) s += String.fromCharCode(x);
			return {status: r.status, type: r.headers.get("Content-Type"), data: btoa(s)};
		})()`, &pdf, func(p *cdpruntime.EvaluateParams) *cdpruntime.EvaluateParams { return p.WithAwaitPromise(true) }),
	)
	raw, err := base64.StdEncoding.DecodeString(pdf.Data)
	if err != nil {
		t.Fatal(err)
	}
	if pdf.Status != 200 || pdf.Type != "application/pdf" || !bytes.HasPrefix(raw, []byte("%PDF-")) {
		t.Fatalf("the download is %d %q, %d bytes starting %q", pdf.Status, pdf.Type, len(raw), raw[:min(len(raw), 8)])
	}
	cmd := exec.Command("pdftotext", "-layout", "-", "-")
	cmd.Stdin = bytes.NewReader(raw)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	wantText(t, "the prescription PDF", string(out), "Thabo Nkosi", "Amoxicillin 500 mg capsule", "Dose: 1 capsule", "Frequency: tds")

	// A sick note without consent to the diagnosis.
	run(bctx, "issue a sick note",
		chromedp.Navigate(env.URL+"/encounters/"+visit.ID),
		e2e.WaitText(`h1`, "Thabo Nkosi"),
		e2e.Settled(),
		chromedp.Click(`a[href="/encounters/`+visit.ID+`/sick-notes/new"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`input[name=diagnosis_consent]`, chromedp.ByQuery),
		e2e.Settled(),
		chromedp.Click(`form[action$="/sick-notes/new"] button[type=submit]`, chromedp.ByQuery),
		e2e.WaitText(`.notice`, "Sick note issued."),
		e2e.Settled(),
		chromedp.Text(`main`, &text, chromedp.ByQuery),
	)
	wantText(t, "the sick note", text, "Not shown: the patient did not consent", "Verification code")
	e2e.Axe(t, bctx, "the sick note")
	var verifyPath string
	run(bctx, "read the verification link", chromedp.AttributeValue(`a[href^="/verify/"]`, "href", &verifyPath, nil, chromedp.ByQuery))

	// A fresh browser (its own profile): no cookies, no session. Chromium
	// refuses a new browser context in the running one ("no browser is
	// open") in headless mode.
	fresh := e2e.Browser(t, 1366, 1000)
	var cookies []*network.Cookie
	run(fresh, "verify in a fresh context",
		chromedp.Navigate(env.URL+verifyPath),
		e2e.WaitText(`h1`, "This sick note is valid"),
		chromedp.Text(`main`, &text, chromedp.ByQuery),
		chromedp.ActionFunc(func(ctx context.Context) (err error) {
			cookies, err = network.GetCookies().Do(ctx)
			return err
		}),
	)
	if len(cookies) != 0 {
		t.Errorf("the fresh context has cookies: %v", cookies)
	}
	wantText(t, "the verification page", text, "Practice sunrise", "Dr Naidoo", "T. N.", "Issued")
	for _, secret := range []string{"J03.9", "tonsillitis", "Thabo", "Nkosi"} {
		if strings.Contains(strings.ToLower(text), strings.ToLower(secret)) {
			t.Errorf("the verification page shows %q:\n%s", secret, text)
		}
	}
	e2e.Axe(t, fresh, "the verification page")

	run(bctx, "cancel the sick note on the desk",
		chromedp.SendKeys(`form[action$="/cancel"] input[name=reason]`, "Issued to the wrong visit", chromedp.ByQuery),
		chromedp.Click(`form[action$="/cancel"] button[type=submit]`, chromedp.ByQuery),
		e2e.WaitText(`.notice`, "Sick note cancelled."),
		e2e.Settled(),
		chromedp.Text(`main`, &text, chromedp.ByQuery),
	)
	wantText(t, "the cancelled note", text, "Cancelled", "Issued to the wrong visit")
	run(fresh, "verify again in the fresh context",
		chromedp.Reload(),
		e2e.WaitText(`h1`, "This sick note was cancelled"),
		chromedp.Text(`main`, &text, chromedp.ByQuery),
	)
	wantText(t, "the verification page after the cancel", text, "It is no longer valid.", "Cancelled on")
	e2e.Axe(t, fresh, "the verification page of a cancelled note")
}
