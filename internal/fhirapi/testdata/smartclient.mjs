// A standalone SMART App Launch client (plain node fetch and crypto, no
// library): discovery, authorization code with PKCE (S256), the consent
// step as the signed-in desk user (their session cookie), the token
// exchange, a read of the launch patient with the access token, a refresh
// and a read with the refreshed token. Usage: node smartclient.mjs run.json
// with {iss, clientId, redirectUri, scope, cookie, patient}. Exits non-zero,
// saying why, at the first thing that is not as SMART says.
import { readFileSync } from "node:fs";
import { createHash, randomBytes } from "node:crypto";

const run = JSON.parse(readFileSync(process.argv[2], "utf8"));
const fail = (msg) => { console.error("FAIL: " + msg); process.exit(1); };
const b64url = (buf) => buf.toString("base64").replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

// 1. Discovery: {iss}/.well-known/smart-configuration, else the server's
// root one, else the oauth-uris extension of the CapabilityStatement.
async function discover(iss) {
  for (const u of [iss + "/.well-known/smart-configuration", new URL(iss).origin + "/.well-known/smart-configuration"]) {
    const r = await fetch(u, { headers: { Accept: "application/json" } });
    if (r.ok) return r.json();
  }
  const meta = await (await fetch(iss + "/metadata", { headers: { Accept: "application/fhir+json" } })).json();
  const ext = meta.rest?.[0]?.security?.extension?.find((e) => e.url.endsWith("oauth-uris"));
  const get = (name) => ext?.extension?.find((e) => e.url === name)?.valueUri;
  return { authorization_endpoint: get("authorize"), token_endpoint: get("token") };
}
const cfg = await discover(run.iss);
if (!cfg.authorization_endpoint || !cfg.token_endpoint) fail("no endpoints discovered: " + JSON.stringify(cfg));
if (cfg.code_challenge_methods_supported && !cfg.code_challenge_methods_supported.includes("S256")) fail("S256 not supported");
console.log("discovered", cfg.authorization_endpoint, cfg.token_endpoint);

// 2. The authorization request, with PKCE and state.
const verifier = b64url(randomBytes(32));
const challenge = b64url(createHash("sha256").update(verifier).digest());
const state = b64url(randomBytes(12));
const params = new URLSearchParams({ response_type: "code", client_id: run.clientId, redirect_uri: run.redirectUri, scope: run.scope,
  state, aud: run.iss, code_challenge: challenge, code_challenge_method: "S256" });
const consent = await fetch(cfg.authorization_endpoint + "?" + params, { headers: { Cookie: run.cookie }, redirect: "manual" });
if (consent.status !== 200) fail("authorize answered " + consent.status + " " + consent.headers.get("location"));
const page = await consent.text();
if (!page.includes("patient/") ) fail("the consent screen lists no scopes");

// 3. The user allows (and names the patient, launch/patient).
const decision = new URLSearchParams(params);
decision.set("decision", "allow");
decision.set("patient", run.patient);
const allowed = await fetch(cfg.authorization_endpoint, { method: "POST", redirect: "manual", body: decision,
  headers: { Cookie: run.cookie, "Content-Type": "application/x-www-form-urlencoded" } });
const back = new URL(allowed.headers.get("location") ?? "", run.redirectUri);
if (allowed.status !== 303 || !back.href.startsWith(run.redirectUri)) fail("consent answered " + allowed.status + " to " + back.href);
if (back.searchParams.get("state") !== state) fail("state mismatch");
const code = back.searchParams.get("code");
if (!code) fail("no code: " + back.href);

// 4. The token exchange (a public client: client_id and the verifier).
async function token(form) {
  const r = await fetch(cfg.token_endpoint, { method: "POST", body: new URLSearchParams(form),
    headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" } });
  const body = await r.json();
  if (r.status !== 200) fail("token endpoint " + r.status + ": " + JSON.stringify(body));
  return body;
}
const tok = await token({ grant_type: "authorization_code", code, code_verifier: verifier, redirect_uri: run.redirectUri, client_id: run.clientId });
if (tok.token_type !== "Bearer" || !tok.access_token || tok.patient !== run.patient || !tok.refresh_token) fail("token response: " + JSON.stringify(tok));
console.log("token", tok.scope, "patient", tok.patient);

// 5. Read the launch patient with the token; another chart is not there.
async function readPatient(access, id) {
  const r = await fetch(run.iss + "/Patient/" + id, { headers: { Authorization: "Bearer " + access, Accept: "application/fhir+json" } });
  return { status: r.status, body: await r.json() };
}
let p = await readPatient(tok.access_token, tok.patient);
if (p.status !== 200 || p.body.resourceType !== "Patient" || p.body.id !== run.patient) fail("Patient read: " + p.status + " " + JSON.stringify(p.body));
console.log("read Patient", p.body.id, p.body.name?.[0]?.family);
if (run.otherPatient) {
  const o = await readPatient(tok.access_token, run.otherPatient);
  if (o.status !== 404) fail("another chart answered " + o.status);
}

// 6. Refresh (rotated) and read again.
const again = await token({ grant_type: "refresh_token", refresh_token: tok.refresh_token, client_id: run.clientId });
if (!again.access_token || again.refresh_token === tok.refresh_token) fail("refresh: " + JSON.stringify(again));
p = await readPatient(again.access_token, run.patient);
if (p.status !== 200) fail("read after refresh: " + p.status);
console.log("refreshed and read again");
