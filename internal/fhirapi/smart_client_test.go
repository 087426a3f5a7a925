package fhirapi_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"medic/internal/fhirapi"
)

// TestSMARTStandaloneClient drives the SMART authorization code flow with
// PKCE from node as an outside app would (testdata/smartclient.mjs, plain
// fetch and crypto: the npm fhirclient library wants a browser or a web
// framework's request and response): discovery, the consent as the signed-
// in doctor, the token exchange, a read of the launch patient (and a 404
// for another chart under patient/ scopes), a refresh and a read again.
func TestSMARTStandaloneClient(t *testing.T) {
	t.Parallel()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is not installed: run ./scripts/install-test-deps.sh")
	}
	f := newFx(t)
	const redirect = "http://127.0.0.1:9/callback"
	client := want(t, f.tokens["admin"].Do("POST", "/api/v1/practices/alpha/smart-clients", map[string]any{"name": "Node app", "type": "public",
		"redirect_uris": []string{redirect}, "scopes": []string{"launch/patient", "patient/*.rs", "offline_access", "openid", "fhirUser"}}), http.StatusCreated).Str("client_id")
	patient := want(t, f.tokens["admin"].Do("POST", "/api/v1/practices/alpha/patients", map[string]any{"given_name": "Nandi", "family_name": "Node",
		"date_of_birth": "1984-04-05", "sex": "female", "phone": "082 555 0111"}), http.StatusCreated).Str("id")
	other := want(t, f.tokens["admin"].Do("POST", "/api/v1/practices/alpha/patients", map[string]any{"given_name": "Olwethu", "family_name": "Other",
		"date_of_birth": "1986-06-07", "sex": "male", "phone": "082 555 0112"}), http.StatusCreated).Str("id")
	doctor := f.env.Login(t, "doctor@alpha.example", pw)
	base, _ := url.Parse(f.env.URL)
	cookie := ""
	for _, c := range doctor.HTTP.Jar.Cookies(base) {
		if c.Value == doctor.Session() {
			cookie = c.Name + "=" + c.Value
		}
	}
	if cookie == "" {
		t.Fatal("no desk session cookie")
	}
	run, _ := json.Marshal(map[string]string{"iss": f.env.URL + fhirapi.Base, "clientId": client, "redirectUri": redirect,
		"scope": "launch/patient patient/*.rs offline_access openid fhirUser", "cookie": cookie, "patient": patient, "otherPatient": other})
	file := filepath.Join(t.TempDir(), "run.json")
	if err := os.WriteFile(file, run, 0o600); err != nil {
		t.Fatal(err)
	}
	script, _ := filepath.Abs(filepath.Join("testdata", "smartclient.mjs"))
	cmd := exec.Command(node, script, file)
	cmd.Dir = "testdata"
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the SMART client run failed (%v):\n%s", err, out)
	}
	t.Logf("%s", out)
}
