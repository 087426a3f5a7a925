package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"medic"
	"medic/internal/server/servertest"
)

// EHR launch from the desk chart: a one-time launch value bound to the
// member, the app, the chart and the encounter, traded at /oauth/authorize
// for tokens that carry that context.

const smartLaunchURL = "https://app.example/launch"

// launchable gives the world's app a launch URL and the launch scope.
func (w *smartWorld) launchable(t *testing.T) {
	t.Helper()
	want(t, w.d.c[medic.RoleAdmin].Do("PUT", w.d.base+"/smart-clients/"+w.clientID, map[string]any{"name": "Chart viewer",
		"redirect_uris": []string{smartRedirect}, "launch_url": smartLaunchURL,
		"scopes": []string{"openid", "fhirUser", "offline_access", "launch", "launch/patient", "user/*.cruds", "patient/*.rs"}}), http.StatusOK)
}

// launch launches the app as c from the chart (and encounter) on the desk
// and returns the launch value the app receives.
func (w *smartWorld) launch(t *testing.T, c *servertest.Client, patient, encounter string) string {
	t.Helper()
	r := want(t, postForm(c, "/patients/"+patient+"/launch", url.Values{"app": {w.clientID}, "encounter": {encounter}}), http.StatusSeeOther)
	loc, err := url.Parse(r.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(loc.String(), smartLaunchURL+"?") || loc.Query().Get("iss") != w.env.URL+"/fhir/R4" || loc.Query().Get("launch") == "" {
		t.Fatalf("launch redirects to %q", r.Header.Get("Location"))
	}
	return loc.Query().Get("launch")
}

// authorizeLaunch sends the app's authorization request with the launch
// value as c and returns the answer (200 consent, or 303 back to the app).
func (w *smartWorld) authorizeLaunch(c *servertest.Client, scope, challenge, launch string) *servertest.Response {
	q := w.authorizeQuery(scope, challenge)
	q.Set("launch", launch)
	return c.Do("GET", "/oauth/authorize?"+q.Encode(), nil)
}

func wantLaunchRefused(t *testing.T, r *servertest.Response, why string) {
	t.Helper()
	loc, _ := url.Parse(r.Header.Get("Location"))
	if r.Status != http.StatusSeeOther || loc == nil || !strings.HasPrefix(loc.String(), smartRedirect+"?") || loc.Query().Get("error") != "invalid_request" {
		t.Errorf("%s: authorize = %d to %q, want the app told invalid_request", why, r.Status, r.Header.Get("Location"))
	}
}

func TestSMARTEHRLaunch(t *testing.T) {
	t.Parallel()
	w := newSMARTWorld(t)
	w.launchable(t)
	doctor := w.d.c[medic.RoleDoctor]
	enc := want(t, doctor.Do("POST", w.d.base+"/encounters", map[string]any{"patient_id": w.x, "practitioner_id": w.d.practitioner,
		"location_id": w.d.loc.ID}), http.StatusCreated).Str("id")

	// The chart and the encounter offer the launch; the menu lists the app.
	if chart := want(t, doctor.Do("GET", "/patients/"+w.x, nil), http.StatusOK); !strings.Contains(string(chart.Body), `href="/patients/`+w.x+`/launch"`) {
		t.Errorf("the chart offers no Launch app")
	}
	if page := want(t, doctor.Do("GET", "/encounters/"+enc, nil), http.StatusOK); !strings.Contains(string(page.Body), "/launch?encounter="+enc) {
		t.Errorf("the encounter offers no Launch app")
	}
	if menu := want(t, doctor.Do("GET", "/patients/"+w.x+"/launch?encounter="+enc, nil), http.StatusOK); !strings.Contains(string(menu.Body), "Launch Chart viewer") {
		t.Errorf("the menu lacks the app: %s", menu.Body)
	}

	// Launched from the encounter: the token carries patient and encounter,
	// and patient/ scopes are confined to that chart.
	launch := w.launch(t, doctor, w.x, enc)
	v, ch := pkce()
	want(t, w.authorizeLaunch(doctor, "launch patient/*.rs", ch, launch), http.StatusOK)
	q := w.authorizeQuery("launch patient/*.rs", ch)
	q.Set("launch", launch)
	q.Set("decision", "allow")
	r := want(t, postForm(doctor, "/oauth/authorize", q), http.StatusSeeOther)
	loc, _ := url.Parse(r.Header.Get("Location"))
	tok := want(t, w.exchange(loc.Query().Get("code"), v), http.StatusOK)
	if tok.Str("patient") != w.x || tok.Str("encounter") != enc || tok.Str("scope") != "launch patient/*.rs" {
		t.Errorf("token response = %s, want patient %s and encounter %s", tok.Body, w.x, enc)
	}
	fc := w.fhir(t, tok.Str("access_token"))
	want(t, fc.Do("GET", "/fhir/R4/Patient/"+w.x, nil), http.StatusOK)
	wantOutcome(t, fc.Do("GET", "/fhir/R4/Patient/"+w.y, nil), http.StatusNotFound)

	// Replayed: the value worked once.
	wantLaunchRefused(t, w.authorizeLaunch(doctor, "launch patient/*.rs", ch, launch), "replayed launch")
	// The launch scope without a value, or with a made-up one.
	wantLaunchRefused(t, w.authorizeLaunch(doctor, "launch patient/*.rs", ch, ""), "no launch value")
	wantLaunchRefused(t, w.authorizeLaunch(doctor, "launch patient/*.rs", ch, "mla_madeup"), "unknown launch value")
	// Another member cannot use the doctor's launch.
	launch = w.launch(t, doctor, w.y, "")
	wantLaunchRefused(t, w.authorizeLaunch(w.d.c[medic.RoleNurse], "launch patient/*.rs", ch, launch), "another member's launch")
	// Expired after five minutes.
	w.env.Clock.Advance(6 * time.Minute)
	wantLaunchRefused(t, w.authorizeLaunch(doctor, "launch patient/*.rs", ch, launch), "expired launch")
	// From the chart only (no encounter): the patient, no encounter.
	launch = w.launch(t, doctor, w.y, "")
	v, ch = pkce()
	want(t, w.authorizeLaunch(doctor, "launch user/*.rs", ch, launch), http.StatusOK)
	q = w.authorizeQuery("launch user/*.rs", ch)
	q.Set("launch", launch)
	q.Set("decision", "allow")
	loc, _ = url.Parse(want(t, postForm(doctor, "/oauth/authorize", q), http.StatusSeeOther).Header.Get("Location"))
	if tok := want(t, w.exchange(loc.Query().Get("code"), v), http.StatusOK); tok.Str("patient") != w.y || tok.Str("encounter") != "" {
		t.Errorf("chart launch token = %s", tok.Body)
	}

	// An encounter of another chart is refused.
	want(t, postForm(doctor, "/patients/"+w.y+"/launch", url.Values{"app": {w.clientID}, "encounter": {enc}}), http.StatusNotFound)
	// The API launches too.
	api := want(t, doctor.Do("POST", w.d.base+"/patients/"+w.x+"/smart-launch", map[string]any{"client_id": w.clientID, "encounter_id": enc}), http.StatusCreated)
	if !strings.HasPrefix(api.Str("url"), smartLaunchURL+"?") || !strings.Contains(api.Str("url"), "launch=mla_") {
		t.Errorf("API launch = %s", api.Body)
	}
	if items := want(t, doctor.Do("GET", w.d.base+"/smart-apps", nil), http.StatusOK).Items(); len(items) != 1 || items[0]["launch_url"] != smartLaunchURL {
		t.Errorf("launchable apps = %v", items)
	}

	// Practice B: its members cannot launch on A's chart or with A's app,
	// and B's launch value is refused for A's app.
	bAdmin := w.other.c[medic.RoleAdmin]
	bApp := want(t, bAdmin.Do("POST", w.other.base+"/smart-clients", map[string]any{"name": "B viewer", "type": "public",
		"redirect_uris": []string{smartRedirect}, "launch_url": smartLaunchURL, "scopes": []string{"launch", "patient/*.rs", "user/*.rs"}}), http.StatusCreated).Str("client_id")
	bPatient := want(t, bAdmin.Do("POST", w.other.base+"/patients", map[string]any{"given_name": "Bongani", "family_name": "Bravo", "date_of_birth": "1990-01-02",
		"sex": "male", "phone": "082 555 0199"}), http.StatusCreated).Str("id")
	want(t, postForm(bAdmin, "/patients/"+w.x+"/launch", url.Values{"app": {bApp}}), http.StatusNotFound)
	want(t, postForm(bAdmin, "/patients/"+bPatient+"/launch", url.Values{"app": {w.clientID}}), http.StatusNotFound)
	want(t, bAdmin.Do("POST", w.other.base+"/patients/"+w.x+"/smart-launch", map[string]any{"client_id": bApp}), http.StatusNotFound)
	r = want(t, postForm(bAdmin, "/patients/"+bPatient+"/launch", url.Values{"app": {bApp}}), http.StatusSeeOther)
	loc, _ = url.Parse(r.Header.Get("Location"))
	wantLaunchRefused(t, w.authorizeLaunch(w.d.c[medic.RoleAdmin], "launch patient/*.rs", ch, loc.Query().Get("launch")), "practice B's launch value")

	// Each launch is audited with its chart.
	launched := 0
	for _, e := range want(t, w.d.c[medic.RoleAdmin].Do("GET", w.d.base+"/audit-events?limit=200", nil), http.StatusOK).Items() {
		if e["action"] == "smart.launched" && (e["patient_id"] == w.x || e["patient_id"] == w.y) {
			launched++
		}
	}
	if launched != 4 {
		t.Errorf("%d smart.launched events, want one per launch (4)", launched)
	}
}
