package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"medic/internal/fhir"
)

// FHIR scenario names (`medic bench fhir`, issue 13), in run order.
const (
	FHIRCreate = "create" // POST Patient
	FHIRRead   = "read"   // GET Patient/{id}
	FHIRSearch = "search" // GET Patient?name={partial}
	FHIRBook   = "book"   // POST Appointment into a free slot
)

// FHIRScenarios lists every FHIR scenario in run order.
var FHIRScenarios = []string{FHIRCreate, FHIRRead, FHIRSearch, FHIRBook}

// fhirTargets are issue 13's targets: five times what a peer platform
// served on this machine kind (1,868 reads/s, 778 searches/s, 460 Patient
// and 448 Appointment creates/s), p99 under 10 ms.
var fhirTargets = map[string]httpTarget{
	FHIRCreate: {2300, 10 * time.Millisecond},
	FHIRRead:   {9340, 10 * time.Millisecond},
	FHIRSearch: {3890, 10 * time.Millisecond},
	FHIRBook:   {2240, 10 * time.Millisecond},
}

// fhirBookPractices is how many platform practices the booking scenario
// books in besides the large one: the large practice's three practitioners
// have a few thousand free slots in the window, fewer than a run takes.
const fhirBookPractices = 100

// RunFHIR drives the FHIR API of the server at cfg.BaseURL: every client
// sends a personal API token as its bearer token (one of the large
// practice for the Patient scenarios; one per practice for the bookings,
// each sent with the booking of its practice), so every request is
// authenticated and audited as in production. SessionClients is ignored.
func RunFHIR(ctx context.Context, cfg HTTPConfig, out io.Writer) ([]HTTPResult, error) {
	cfg.SessionClients = 0
	cfg.SamplePractices = fhirBookPractices
	if len(cfg.Scenarios) == 0 {
		cfg.Scenarios = FHIRScenarios
	}
	cfg = cfg.withDefaults()
	for _, s := range cfg.Scenarios {
		if !slices.Contains(FHIRScenarios, s) {
			return nil, fmt.Errorf("unknown scenario %q (use %s)", s, strings.Join(FHIRScenarios, ", "))
		}
	}
	w, err := loadHTTPWork(ctx, cfg)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "practice %s: %d active patients; bookings also in %d platform practices\n", BigSlug, len(w.big.patients), len(w.platform))

	transport := &http.Transport{MaxIdleConns: cfg.Clients + 4, MaxIdleConnsPerHost: cfg.Clients + 4, IdleConnTimeout: time.Minute}
	defer transport.CloseIdleConnections()
	admin, err := signIn(ctx, transport, cfg, cfg.Email)
	if err != nil {
		return nil, err
	}
	// A token per practice worked in, revoked when the run ends.
	tokens := map[string]string{}
	for _, p := range append([]*samplePractice{w.big}, w.platform...) {
		if _, ok := tokens[p.id]; ok {
			continue
		}
		token, id, err := createPracticeToken(ctx, admin, cfg.BaseURL, p.slug)
		if err != nil {
			return nil, err
		}
		defer func() { _ = revokeToken(context.WithoutCancel(ctx), admin, cfg.BaseURL, id) }()
		tokens[p.id] = token
	}
	clients := make([]*httpClient, cfg.Clients)
	for i := range clients {
		clients[i] = &httpClient{http: &http.Client{Transport: transport}, bearer: tokens[w.big.id],
			r: rand.New(rand.NewPCG(cfg.Seed, uint64(i)|0xf41700)), gen: newGen(cfg.Seed^uint64(time.Now().UnixNano()), i, cfg.Now())}
	}
	fmt.Fprintf(out, "%d clients, each request with a bearer token; %s warm-up, then %s measured per scenario\n\n", cfg.Clients, cfg.Warmup, cfg.Duration)

	f := &fhirWork{httpWork: w, tokens: tokens}
	var results []HTTPResult
	for _, name := range FHIRScenarios {
		if !slices.Contains(cfg.Scenarios, name) {
			continue
		}
		var op httpOp
		switch name {
		case FHIRCreate:
			op = f.create
		case FHIRRead:
			op = f.read
		case FHIRSearch:
			op = f.search
		case FHIRBook:
			sctx, cancel := context.WithCancel(ctx)
			defer cancel()
			if f.slots, err = candidates(sctx, RunConfig{OwnerURL: cfg.OwnerURL, Seed: cfg.Seed, Now: cfg.Now}, append([]*samplePractice{w.big}, w.platform...)); err != nil {
				return results, err
			}
			op = f.book
		}
		res := measureHTTP(ctx, cfg, name, clients, op)
		if err := ctx.Err(); err != nil {
			return results, err
		}
		t := fhirTargets[name]
		res.Target = fmt.Sprintf(">= %.0f/s, p99 <= %s", t.rate, ms(t.p99))
		res.Pass = res.Errors() == 0 && res.Throughput() >= t.rate && res.P99 <= t.p99
		results = append(results, res)
		fmt.Fprintf(out, "%-8s %d ok (%.1f/s), %d lost (409), errors %s; p50 %s, p95 %s, p99 %s, max %s; target %s\n    %s\n",
			res.Scenario, res.OK, res.Throughput(), res.Lost, statusSummary(res.ByStatus), ms(res.P50), ms(res.P95), ms(res.P99), ms(res.Max),
			targetResult(res), res.CPU.describe(res.Requests()))
		if res.Note != "" {
			fmt.Fprintf(out, "    %s\n", res.Note)
		}
	}
	fmt.Fprintln(out)
	WriteHTTPTable(out, results)
	return results, nil
}

// fhirWork is what the FHIR scenarios pick from.
type fhirWork struct {
	*httpWork
	tokens map[string]string // practice id -> bearer token
	slots  <-chan candidate  // free slots of the large practice and the sample
}

// fhirContentType is what the FHIR scenarios send their resources as.
const fhirContentType = "application/fhir+json"

func (w *fhirWork) url(path string, q url.Values) string {
	u := w.cfg.BaseURL + "/fhir/R4/" + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

func (w *fhirWork) read(c *httpClient) (*http.Request, int, int, error) {
	req, err := http.NewRequest(http.MethodGet, w.url("Patient/"+w.big.patients[c.r.IntN(len(w.big.patients))], nil), nil)
	return req, http.StatusOK, 0, err
}

// search looks for a name by its start (3 to 5 letters of a family name
// of the practice), as FHIR's name parameter matches, a page of 20.
func (w *fhirWork) search(c *httpClient) (*http.Request, int, int, error) {
	word := ""
	for _, f := range strings.Fields(strings.ToLower(w.big.families[c.r.IntN(len(w.big.families))])) {
		if len(f) > len(word) {
			word = f
		}
	}
	q := url.Values{"name": {word[:min(len(word), 3+c.r.IntN(3))]}, "_count": {"20"}}
	req, err := http.NewRequest(http.MethodGet, w.url("Patient", q), nil)
	return req, http.StatusOK, 0, err
}

func (w *fhirWork) create(c *httpClient) (*http.Request, int, int, error) {
	body, err := json.Marshal(fhirPatient(c.gen.newPatient()))
	if err != nil {
		return nil, 0, 0, err
	}
	req, err := http.NewRequest(http.MethodPost, w.url("Patient", nil), bytes.NewReader(body))
	if err == nil {
		req.Header.Set("Content-Type", fhirContentType)
	}
	return req, http.StatusCreated, 0, err
}

// book takes the next free slot (one in ten is offered to two clients at
// once: one of them loses the race with a 409) with its practice's token.
func (w *fhirWork) book(c *httpClient) (*http.Request, int, int, error) {
	s, ok := <-w.slots
	if !ok {
		return nil, 0, 0, errNoSlots
	}
	actor := func(ref string) map[string]any {
		return map[string]any{"actor": map[string]any{"reference": ref}, "status": "accepted"}
	}
	body, err := json.Marshal(map[string]any{"resourceType": "Appointment", "status": "booked", "start": s.start.Format(time.RFC3339),
		"appointmentType": map[string]any{"coding": []any{map[string]any{"system": fhir.AppointmentTypeSystem, "code": s.typ}}},
		"participant":     []any{actor("Patient/" + s.p.patients[c.r.IntN(len(s.p.patients))]), actor("Practitioner/" + s.pr.id), actor("Location/" + s.pr.location)}})
	if err != nil {
		return nil, 0, 0, err
	}
	req, err := http.NewRequest(http.MethodPost, w.url("Appointment", nil), bytes.NewReader(body))
	if err == nil {
		req.Header.Set("Content-Type", fhirContentType)
		req.Header.Set("Authorization", "Bearer "+w.tokens[s.p.id])
	}
	return req, http.StatusCreated, http.StatusConflict, err
}

// fhirPatient is a new chart of the API's shape (newPatient) as a FHIR
// Patient.
func fhirPatient(p map[string]any) map[string]any {
	str := func(k string) string { s, _ := p[k].(string); return s }
	res := map[string]any{"resourceType": "Patient",
		"name":      []any{map[string]any{"use": "official", "family": str("family_name"), "given": strings.Fields(str("given_name"))}},
		"gender":    str("sex"),
		"birthDate": str("date_of_birth")}
	var ids, telecom []any
	if v := str("id_number"); v != "" {
		ids = append(ids, map[string]any{"system": fhir.SAIDSystem, "value": v})
	}
	if v := str("passport"); v != "" {
		ids = append(ids, map[string]any{"system": fhir.PassportSystem, "value": v})
	}
	if v := str("phone"); v != "" {
		telecom = append(telecom, map[string]any{"system": "phone", "value": v})
	}
	if v := str("email"); v != "" {
		telecom = append(telecom, map[string]any{"system": "email", "value": v})
	}
	if len(ids) > 0 {
		res["identifier"] = ids
	}
	if len(telecom) > 0 {
		res["telecom"] = telecom
	}
	if v := str("address"); v != "" {
		res["address"] = []any{map[string]any{"text": v}}
	}
	return res
}

// createPracticeToken makes a personal API token of the practice slug.
func createPracticeToken(ctx context.Context, c *http.Client, base, slug string) (token, id string, err error) {
	body, _ := json.Marshal(map[string]any{"name": "medic bench fhir", "practice": slug, "expires_in_days": 1})
	status, resp, err := send(ctx, c, http.MethodPost, base+"/api/v1/auth/tokens", "", body)
	if err != nil {
		return "", "", fmt.Errorf("create token: %w", err)
	}
	var out struct{ ID, Token string }
	if status != http.StatusCreated || json.Unmarshal(resp, &out) != nil || out.Token == "" {
		return "", "", fmt.Errorf("create token of %s: status %d: %.200s", slug, status, resp)
	}
	return out.Token, out.ID, nil
}
