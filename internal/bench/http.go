package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"medic"
)

// HTTP scenario names (`medic bench http`), in run order.
const (
	HTTPGet          = "get"
	HTTPSearch       = "search"
	HTTPCreate       = "create"
	HTTPBook         = "book"
	HTTPAvailability = "availability"
	// HTTPDeskSearch is the desk's search box (GET /search?q=, the htmx
	// part) in the large practice, every client with its own session.
	HTTPDeskSearch = "desk-search"
	// The clinical scenarios (issue 11) work as a doctor in the large
	// practice, on the charts the clinical data set gave five years of
	// history: open a chart at the desk, search ICD-10, record vitals.
	HTTPChart  = "chart"
	HTTPICD10  = "icd10"
	HTTPVitals = "vitals"
)

// HTTPScenarios lists every HTTP scenario in run order.
var HTTPScenarios = []string{HTTPGet, HTTPSearch, HTTPCreate, HTTPBook, HTTPAvailability, HTTPDeskSearch, HTTPChart, HTTPICD10, HTTPVitals}

// httpTarget is issue 10's target for a scenario: five times a peer
// platform's best, at 16 clients sharing one API token.
type httpTarget struct {
	rate float64       // successful requests per second, at least
	p99  time.Duration // at most
}

var httpTargets = map[string]httpTarget{
	HTTPGet:    {9300, 10 * time.Millisecond},
	HTTPSearch: {3900, 10 * time.Millisecond},
	HTTPCreate: {2300, 10 * time.Millisecond},
}

// p95Targets are issue 11's latency targets, at ClinicalClients clients.
var p95Targets = map[string]time.Duration{
	HTTPChart:  20 * time.Millisecond,
	HTTPICD10:  10 * time.Millisecond,
	HTTPVitals: 15 * time.Millisecond,
}

// HTTPConfig configures `medic bench http`.
type HTTPConfig struct {
	BaseURL  string // the server, e.g. http://127.0.0.1:8080
	OwnerURL string // the schema owner: samples the data, makes the bench user
	// Email and Password are the account the clients sign in as; it is
	// created (or reset) as a receptionist of the practices worked in.
	Email, Password string
	// Clients is how many concurrent clients run each scenario (default
	// 16). SessionClients of them sign in with a password and send the
	// session cookie, each its own session, and work in a random practice
	// of the sample; the others share one personal API token of BigSlug's
	// practice and work there, as an integration does.
	Clients, SessionClients int
	// ClinicalClients is how many clients run each clinical scenario
	// (default 2: issue 11 sets its targets at two).
	ClinicalClients int
	Duration        time.Duration // measured time per scenario (default 15s)
	Warmup          time.Duration // unmeasured time before each (default 5s; negative: none)
	Scenarios       []string      // default: all
	Seed            uint64
	// SamplePractices is how many platform practices the session clients
	// work in (default 200).
	SamplePractices int
	// ServerPID is the server's process, for the CPU split (0: unknown).
	ServerPID int
	Now       func() time.Time
}

func (c HTTPConfig) withDefaults() HTTPConfig {
	if c.Clients <= 0 {
		c.Clients = 16
	}
	c.SessionClients = max(0, min(c.SessionClients, c.Clients))
	if c.ClinicalClients <= 0 {
		c.ClinicalClients = 2
	}
	if c.Duration <= 0 {
		c.Duration = 15 * time.Second
	}
	if c.Warmup == 0 {
		c.Warmup = 5 * time.Second
	}
	c.Warmup = max(0, c.Warmup)
	if len(c.Scenarios) == 0 {
		c.Scenarios = HTTPScenarios
	}
	if c.SamplePractices <= 0 {
		c.SamplePractices = 200
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// HTTPResult is one HTTP scenario's outcome.
type HTTPResult struct {
	Scenario                string
	Clients, SessionClients int
	// OK counts the measured requests answered as they should be; Lost
	// the bookings refused because the slot went (409); ByStatus every
	// other answer by HTTP status (0: no answer, a transport error).
	OK, Lost int
	ByStatus map[int]int
	Elapsed  time.Duration
	// Latency percentiles over every measured request, whatever its answer.
	P50, P95, P99, Max time.Duration
	CPU                CPUSplit
	Target             string // "" when the issue sets none
	Pass               bool
	Note               string
}

// Errors is how many measured requests failed.
func (r HTTPResult) Errors() int {
	n := 0
	for _, c := range r.ByStatus {
		n += c
	}
	return n
}

// Throughput is successful requests per second.
func (r HTTPResult) Throughput() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.OK) / r.Elapsed.Seconds()
}

// Requests is every measured request, whatever its answer.
func (r HTTPResult) Requests() int { return r.OK + r.Lost + r.Errors() }

// httpClient is one closed-loop client: it sends its next request when
// the last was answered.
type httpClient struct {
	http   *http.Client
	bearer string // "" for a session client (the cookie is in its jar)
	r      *rand.Rand
	body   bytes.Buffer
	gen    *gen // makes new patients
	// encounter is the open visit a vitals client records in.
	encounter string
}

// httpWork is what a scenario's request picks from.
type httpWork struct {
	cfg      HTTPConfig
	big      *samplePractice   // the token's practice
	platform []*samplePractice // what session clients work in
	zone     *time.Location
	bigSlots <-chan candidate // free slots of big
	slots    <-chan candidate // free slots of the platform sample
	// charts are big's charts with a clinical history (the clinical
	// scenarios' patients).
	charts []string
	// cleanups run when the run ends (the doctor's token is revoked).
	cleanups []func(context.Context)
}

// RunHTTP drives the JSON API of the server at cfg.BaseURL over HTTP and
// writes a report to out as it goes.
func RunHTTP(ctx context.Context, cfg HTTPConfig, out io.Writer) ([]HTTPResult, error) {
	cfg = cfg.withDefaults()
	for _, s := range cfg.Scenarios {
		if !slices.Contains(HTTPScenarios, s) {
			return nil, fmt.Errorf("unknown scenario %q (use %s)", s, strings.Join(HTTPScenarios, ", "))
		}
	}
	w, err := loadHTTPWork(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer func() {
		for _, f := range w.cleanups {
			f(context.WithoutCancel(ctx))
		}
	}()
	fmt.Fprintf(out, "practice %s: %d active patients (token clients); %d platform practices sampled (session clients)\n",
		BigSlug, len(w.big.patients), len(w.platform))

	// Sign in over HTTP as clients do: one session makes the shared token,
	// each session client signs in on its own.
	transport := &http.Transport{MaxIdleConns: cfg.Clients + 4, MaxIdleConnsPerHost: cfg.Clients + 4, IdleConnTimeout: time.Minute}
	defer transport.CloseIdleConnections()
	admin, err := signIn(ctx, transport, cfg, cfg.Email)
	if err != nil {
		return nil, err
	}
	token, tokenID, err := createToken(ctx, admin, cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	defer func() { _ = revokeToken(context.WithoutCancel(ctx), admin, cfg.BaseURL, tokenID) }()
	clients := make([]*httpClient, cfg.Clients)
	for i := range clients {
		// New charts differ run by run: the same ones again would be
		// answered as likely duplicates of the last run's.
		c := &httpClient{r: rand.New(rand.NewPCG(cfg.Seed, uint64(i)|0x417700)), gen: newGen(cfg.Seed^uint64(time.Now().UnixNano()), i, cfg.Now())}
		if i < cfg.SessionClients {
			if c.http, err = signIn(ctx, transport, cfg, cfg.Email); err != nil {
				return nil, err
			}
		} else {
			c.http, c.bearer = &http.Client{Transport: transport}, token
		}
		clients[i] = c
	}
	fmt.Fprintf(out, "%d clients: %d with a session cookie each, %d sharing one API token; %s warm-up, then %s measured per scenario\n\n",
		cfg.Clients, cfg.SessionClients, cfg.Clients-cfg.SessionClients, cfg.Warmup, cfg.Duration)

	var results []HTTPResult
	for _, name := range HTTPScenarios {
		if !slices.Contains(cfg.Scenarios, name) {
			continue
		}
		var op httpOp
		run := clients
		switch name {
		case HTTPDeskSearch:
			if run, err = deskClients(ctx, transport, cfg, cfg.Email, w.big, clients); err != nil {
				return results, err
			}
			op = w.deskSearch
		case HTTPChart, HTTPICD10, HTTPVitals:
			if run, op, err = w.clinicalClients(ctx, transport, name, clients[:min(len(clients), cfg.ClinicalClients)]); err != nil {
				return results, err
			}
		case HTTPGet:
			op = w.get
		case HTTPSearch:
			op = w.search
		case HTTPCreate:
			op = w.create
		case HTTPAvailability:
			op = w.availability
		case HTTPBook:
			sctx, cancel := context.WithCancel(ctx)
			defer cancel()
			rc := RunConfig{OwnerURL: cfg.OwnerURL, Seed: cfg.Seed, Now: cfg.Now}
			if w.bigSlots, err = candidates(sctx, rc, []*samplePractice{w.big}); err != nil {
				return results, err
			}
			if len(w.platform) > 0 {
				if w.slots, err = candidates(sctx, rc, w.platform); err != nil {
					return results, err
				}
			}
			op = w.book
		}
		res := measureHTTP(ctx, cfg, name, run, op)
		if err := ctx.Err(); err != nil {
			return results, err
		}
		if t, ok := httpTargets[name]; ok {
			res.Target = fmt.Sprintf(">= %.0f/s, p99 <= %s", t.rate, ms(t.p99))
			res.Pass = res.Errors() == 0 && res.Throughput() >= t.rate && res.P99 <= t.p99
		}
		if t, ok := p95Targets[name]; ok {
			res.Target = fmt.Sprintf("p95 <= %s at %d clients", ms(t), len(run))
			res.Pass = res.Errors() == 0 && res.P95 <= t
		}
		results = append(results, res)
		fmt.Fprintf(out, "%-12s %d ok (%.1f/s), %d lost, errors %s; p50 %s, p95 %s, p99 %s, max %s; target %s\n    %s\n",
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

func targetResult(r HTTPResult) string {
	if r.Target == "" {
		return "none"
	}
	return r.Target + ": " + passFail(r.Pass)
}

// WriteHTTPTable writes HTTP results as a table; CPU in percent of one core.
func WriteHTTPTable(w io.Writer, results []HTTPResult) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\tclients\tok/s\tp50\tp95\tp99\tmax\terrors\tserver CPU\tpostgres CPU\tbench CPU\tother CPU\ttarget\t")
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%d (%d session)\t%.0f\t%s\t%s\t%s\t%s\t%s\t%.0f%%\t%.0f%%\t%.0f%%\t%.0f%%\t%s\t\n", r.Scenario, r.Clients, r.SessionClients,
			r.Throughput(), ms(r.P50), ms(r.P95), ms(r.P99), ms(r.Max), statusSummary(r.ByStatus),
			r.CPU.Server, r.CPU.Postgres, r.CPU.Bench, r.CPU.Other, targetResult(r))
	}
	tw.Flush()
}

// loadHTTPWork samples the data the requests pick from.
func loadHTTPWork(ctx context.Context, cfg HTTPConfig) (*httpWork, error) {
	conn, err := pgx.Connect(ctx, cfg.OwnerURL)
	if err != nil {
		return nil, fmt.Errorf("connect owner: %w", err)
	}
	defer conn.Close(ctx)
	rows, _ := conn.Query(ctx, `SELECT id::text, slug, name, time_zone FROM practices WHERE (slug = $1 OR slug LIKE $2) AND status = 'active'
		ORDER BY slug`, BigSlug, SlugPrefix+"%")
	all, err := pgx.CollectRows(rows, pgx.RowToStructByPos[practiceRow])
	if err != nil {
		return nil, fmt.Errorf("list practices: %w", err)
	}
	var big []practiceRow
	all = slices.DeleteFunc(all, func(p practiceRow) bool {
		if p.Slug == BigSlug {
			big = append(big, p)
			return true
		}
		return false
	})
	if len(big) == 0 {
		return nil, fmt.Errorf("no practice %s: generate it first", BigSlug)
	}
	r := rand.New(rand.NewPCG(cfg.Seed, 0x5a4d))
	r.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	all = all[:min(len(all), cfg.SamplePractices)]
	sample, err := loadPractices(ctx, conn, append(big, all...))
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(sample))
	for i, p := range sample {
		ids[i] = p.id
	}
	if err := ensureUser(ctx, conn, cfg.Email, cfg.Password, medic.RoleReceptionist, ids); err != nil {
		return nil, err
	}
	w := &httpWork{cfg: cfg, big: sample[0], platform: sample[1:], zone: practiceZone()}
	if slices.ContainsFunc(cfg.Scenarios, func(s string) bool { return p95Targets[s] > 0 }) {
		if err := w.loadClinical(ctx, conn); err != nil {
			return nil, err
		}
	}
	if len(w.platform) == 0 {
		w.platform = sample[:1]
	}
	return w, nil
}

// signIn signs in over the API and returns a client sending the session
// cookie it got.
func signIn(ctx context.Context, t http.RoundTripper, cfg HTTPConfig, email string) (*http.Client, error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Transport: t, Jar: jar}
	body, _ := json.Marshal(map[string]string{"email": email, "password": cfg.Password})
	status, resp, err := send(ctx, c, http.MethodPost, cfg.BaseURL+"/api/v1/auth/login", "", body)
	if err != nil {
		return nil, fmt.Errorf("sign in: %w", err)
	}
	if status != http.StatusOK {
		return nil, fmt.Errorf("sign in: status %d: %.200s", status, resp)
	}
	return c, nil
}

// createToken makes a personal API token of the large practice.
func createToken(ctx context.Context, c *http.Client, base string) (token, id string, err error) {
	body, _ := json.Marshal(map[string]any{"name": "medic bench http", "practice": BigSlug, "expires_in_days": 1})
	status, resp, err := send(ctx, c, http.MethodPost, base+"/api/v1/auth/tokens", "", body)
	if err != nil {
		return "", "", fmt.Errorf("create token: %w", err)
	}
	var out struct{ ID, Token string }
	if status != http.StatusCreated || json.Unmarshal(resp, &out) != nil || out.Token == "" {
		return "", "", fmt.Errorf("create token: status %d: %.200s", status, resp)
	}
	return out.Token, out.ID, nil
}

func revokeToken(ctx context.Context, c *http.Client, base, id string) error {
	_, _, err := send(ctx, c, http.MethodDelete, base+"/api/v1/auth/tokens/"+url.PathEscape(id), "", nil)
	return err
}

// send makes one request outside the measurement.
func send(ctx context.Context, c *http.Client, method, u, bearer string, body []byte) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// httpOp builds a scenario's next request for client c; want is the status that counts as success, lost one that counts as a
// lost race (0: none).
type httpOp func(c *httpClient) (req *http.Request, want, lost int, err error)

// practice is where client c sends its next request.
func (w *httpWork) practice(c *httpClient) *samplePractice {
	if c.bearer != "" {
		return w.big
	}
	return w.platform[c.r.IntN(len(w.platform))]
}

func (w *httpWork) url(p *samplePractice, path string, q url.Values) string {
	u := w.cfg.BaseURL + "/api/v1/practices/" + url.PathEscape(p.slug) + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

func (w *httpWork) get(c *httpClient) (*http.Request, int, int, error) {
	p := w.practice(c)
	req, err := http.NewRequest(http.MethodGet, w.url(p, "/patients/"+p.patients[c.r.IntN(len(p.patients))], nil), nil)
	return req, http.StatusOK, 0, err
}

func (w *httpWork) search(c *httpClient) (*http.Request, int, int, error) {
	p := w.practice(c)
	q := url.Values{"q": {searchTerm(c.r, p.families[c.r.IntN(len(p.families))])}, "limit": {"20"}}
	req, err := http.NewRequest(http.MethodGet, w.url(p, "/patients", q), nil)
	return req, http.StatusOK, 0, err
}

// deskClients gives each client its own desk session in practice p (the
// desk works in the session's practice): signed in, then switched there.
func deskClients(ctx context.Context, t http.RoundTripper, cfg HTTPConfig, email string, p *samplePractice, like []*httpClient) ([]*httpClient, error) {
	out := make([]*httpClient, len(like))
	for i, c := range like {
		hc, err := signIn(ctx, t, cfg, email)
		if err != nil {
			return nil, err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, cfg.BaseURL+"/switch", strings.NewReader(url.Values{"practice": {p.id}}.Encode()))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		noFollow := *hc
		noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		resp, err := noFollow.Do(req)
		if err != nil {
			return nil, fmt.Errorf("switch to %s: %w", p.slug, err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			return nil, fmt.Errorf("switch to %s: status %d", p.slug, resp.StatusCode)
		}
		out[i] = &httpClient{http: hc, r: c.r, gen: c.gen}
	}
	return out, nil
}

// deskSearch types into the desk's search box: mostly part of a family
// name (a letter off at times), else a date of birth in one of the forms
// people type, or an appointment reference.
func (w *httpWork) deskSearch(c *httpClient) (*http.Request, int, int, error) {
	var q string
	switch n := c.r.IntN(10); {
	case n < 7:
		q = searchTerm(c.r, w.big.families[c.r.IntN(len(w.big.families))])
	case n < 9:
		d := time.Date(1940+c.r.IntN(80), time.Month(1+c.r.IntN(12)), 1+c.r.IntN(28), 0, 0, 0, 0, time.UTC)
		q = d.Format([]string{"2006-01-02", "02/01/2006", "2 Jan 2006"}[c.r.IntN(3)])
	default:
		q = fmt.Sprintf("%08x", c.r.Uint32())
	}
	req, err := http.NewRequest(http.MethodGet, w.cfg.BaseURL+"/search?"+url.Values{"q": {q}}.Encode(), nil)
	if err == nil {
		req.Header.Set("HX-Request", "true")
	}
	return req, http.StatusOK, 0, err
}

func (w *httpWork) create(c *httpClient) (*http.Request, int, int, error) {
	p := w.practice(c)
	body, err := json.Marshal(c.gen.newPatient())
	if err != nil {
		return nil, 0, 0, err
	}
	req, err := http.NewRequest(http.MethodPost, w.url(p, "/patients", nil), bytes.NewReader(body))
	return req, http.StatusCreated, 0, err
}

func (w *httpWork) availability(c *httpClient) (*http.Request, int, int, error) {
	p := w.practice(c)
	pr := p.practitioners[c.r.IntN(len(p.practitioners))]
	from := w.cfg.Now().In(w.zone)
	q := url.Values{"practitioner": {pr.id}, "location": {pr.location}, "type": {p.consult},
		"from": {from.Format(time.RFC3339)}, "to": {from.Add(28 * 24 * time.Hour).Format(time.RFC3339)}}
	req, err := http.NewRequest(http.MethodGet, w.url(p, "/availability", q), nil)
	return req, http.StatusOK, 0, err
}

// errNoSlots stops a client whose booking window ran out of free slots.
var errNoSlots = errors.New("no free slots left in the booking window")

// book takes the next free slot of the client's practices (one in ten is
// offered to two clients at once: one of them loses the race with a 409).
func (w *httpWork) book(c *httpClient) (*http.Request, int, int, error) {
	ch := w.slots
	if c.bearer != "" {
		ch = w.bigSlots
	}
	s, ok := <-ch
	if !ok {
		return nil, 0, 0, errNoSlots
	}
	body, err := json.Marshal(map[string]string{"patient_id": s.p.patients[c.r.IntN(len(s.p.patients))], "practitioner_id": s.pr.id,
		"location_id": s.pr.location, "appointment_type_id": s.typ, "start": s.start.Format(time.RFC3339)})
	if err != nil {
		return nil, 0, 0, err
	}
	req, err := http.NewRequest(http.MethodPost, w.url(s.p, "/appointments", nil), bytes.NewReader(body))
	return req, http.StatusCreated, http.StatusConflict, err
}

// do sends req as c and reads the whole answer (so the connection is kept
// alive); status 0 is a transport error.
func (c *httpClient) do(ctx context.Context, req *http.Request) (int, error) {
	req = req.WithContext(ctx)
	if req.Body != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.bearer != "" && req.Header.Get("Authorization") == "" { // an op may send another token
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, err
	}
	c.body.Reset()
	_, err = c.body.ReadFrom(resp.Body)
	resp.Body.Close()
	return resp.StatusCode, err
}

// measureHTTP runs op from every client: a warm-up, then cfg.Duration
// measured. Only requests started in the measured window count; the
// window ends when the last of them is answered.
func measureHTTP(ctx context.Context, cfg HTTPConfig, name string, clients []*httpClient, op httpOp) HTTPResult {
	res := HTTPResult{Scenario: name, Clients: len(clients), ByStatus: map[int]int{}}
	for _, c := range clients {
		if c.bearer == "" {
			res.SessionClients++
		}
	}
	measureFrom := time.Now().Add(cfg.Warmup)
	end := measureFrom.Add(cfg.Duration)
	var mu sync.Mutex
	var all []time.Duration
	var notes []string
	var wg sync.WaitGroup
	for _, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var durs []time.Duration
			var ok, lost int
			byStatus := map[int]int{}
			var firstErr string
			for ctx.Err() == nil {
				t0 := time.Now()
				if !t0.Before(end) {
					break
				}
				req, want, lostStatus, err := op(c)
				status := 0
				if err == nil {
					status, err = c.do(ctx, req)
				}
				if errors.Is(err, errNoSlots) {
					firstErr = err.Error()
					break
				}
				if t0.Before(measureFrom) {
					continue
				}
				durs = append(durs, time.Since(t0))
				switch {
				case err == nil && status == want:
					ok++
				case err == nil && status == lostStatus:
					lost++
				default:
					byStatus[status]++
					if firstErr == "" {
						firstErr = describeFailure(status, err, c.body.Bytes())
					}
				}
			}
			mu.Lock()
			defer mu.Unlock()
			all = append(all, durs...)
			res.OK += ok
			res.Lost += lost
			for s, n := range byStatus {
				res.ByStatus[s] += n
			}
			if firstErr != "" && !slices.Contains(notes, firstErr) && len(notes) < 3 {
				notes = append(notes, firstErr)
			}
		}()
	}
	time.Sleep(time.Until(measureFrom))
	watch := newCPUWatch(ctx, cfg.OwnerURL, cfg.ServerPID)
	wg.Wait()
	res.Elapsed = time.Since(measureFrom)
	res.CPU = watch.stop(ctx)
	l := summarize(all)
	res.P50, res.P95, res.P99, res.Max = l.p50, l.p95, l.p99, l.max
	if len(notes) > 0 {
		res.Note = "first failures: " + strings.Join(notes, "; ")
	}
	return res
}

// describeFailure says what went wrong with a request without echoing
// more than the start of the answer.
func describeFailure(status int, err error, body []byte) string {
	if err != nil {
		return err.Error()
	}
	return fmt.Sprintf("%d %.160s", status, bytes.TrimSpace(body))
}

// newGen is a generator of new patients for client i.
func newGen(seed uint64, i int, now time.Time) *gen {
	loc := practiceZone()
	now = now.In(loc)
	return &gen{r: rand.New(rand.NewPCG(seed^0xc4ea7e, uint64(i))), cfg: GenConfig{}.withDefaults(), loc: loc, now: now, today: medic.DateOf(now)}
}

// newPatient is a new chart as the API takes it (the generator's columns
// as JSON fields; the practice's home is a random place), without the
// clinical part: the bench user is a receptionist, whom the role table
// does not let write allergies or chronic conditions.
func (g *gen) newPatient() map[string]any {
	home := places[g.r.IntN(len(places))]
	v := g.patient(pgtype.UUID{}, pgtype.UUID{}, home, nil)
	var aid, contacts json.RawMessage = v[12].([]byte), v[13].([]byte)
	// Generated addresses repeat in a 200,000-chart practice; a new chart
	// with an existing email would be answered as a likely duplicate.
	email := strings.Replace(v[8].(string), "@", g.digits(4)+"@", 1)
	return map[string]any{"given_name": v[2], "family_name": v[3], "date_of_birth": v[4].(time.Time).Format(time.DateOnly), "sex": v[5],
		"id_number": v[6], "passport": v[7], "email": email, "phone": v[9], "address": v[10], "preferred_language": v[11],
		"medical_aid": aid, "emergency_contacts": contacts}
}
