package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/jackc/pgx/v5"

	"medic"
)

// icd10Terms is what doctors type into the diagnosis search: code
// prefixes, words, word starts and misspellings.
var icd10Terms = []string{"I10", "E11", "J06", "J4", "M54", "N39", "hypert", "hypertension", "diabetes", "diabetis", "asthma",
	"asthama", "pneumonia", "urinary tract", "back pain", "gastro", "depress", "tonsil", "otitis media", "conjunct", "headache", "HIV"}

// doctorEmail is the account the clinical scenarios sign in as.
func (c HTTPConfig) doctorEmail() string { return "doctor-" + c.Email }

// loadClinical makes the doctor of the large practice and samples the
// charts the clinical data set gave a history.
func (w *httpWork) loadClinical(ctx context.Context, conn *pgx.Conn) error {
	if err := ensureUser(ctx, conn, w.cfg.doctorEmail(), w.cfg.Password, medic.RoleDoctor, []string{w.big.id}); err != nil {
		return err
	}
	rows, _ := conn.Query(ctx, `SELECT DISTINCT patient_id::text FROM encounters WHERE practice_id = $1 AND status = 'finished' LIMIT 5000`, w.big.id)
	charts, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("charts with a history: %w", err)
	}
	if len(charts) == 0 {
		return fmt.Errorf("no chart of %s has a clinical history: generate it (run without -skip-generate)", BigSlug)
	}
	w.charts = charts
	return nil
}

// clinicalClients readies the clients of a clinical scenario, all working
// as the doctor in the large practice: desk sessions for the chart, one
// shared API token for ICD-10 search and vitals, and for vitals an open
// encounter per client to record them in.
func (w *httpWork) clinicalClients(ctx context.Context, t http.RoundTripper, name string, like []*httpClient) ([]*httpClient, httpOp, error) {
	if name == HTTPChart {
		run, err := deskClients(ctx, t, w.cfg, w.cfg.doctorEmail(), w.big, like)
		return run, w.chart, err
	}
	doctor, err := signIn(ctx, t, w.cfg, w.cfg.doctorEmail())
	if err != nil {
		return nil, nil, err
	}
	token, id, err := createToken(ctx, doctor, w.cfg.BaseURL)
	if err != nil {
		return nil, nil, err
	}
	w.cleanups = append(w.cleanups, func(ctx context.Context) { _ = revokeToken(ctx, doctor, w.cfg.BaseURL, id) })
	run := make([]*httpClient, len(like))
	for i, c := range like {
		run[i] = &httpClient{http: &http.Client{Transport: t}, bearer: token, r: c.r, gen: c.gen}
	}
	if name == HTTPICD10 {
		return run, w.icd10, nil
	}
	pr := w.big.practitioners[0]
	for _, c := range run {
		body, _ := json.Marshal(map[string]string{"patient_id": w.charts[c.r.IntN(len(w.charts))], "practitioner_id": pr.id, "location_id": pr.location})
		status, resp, err := send(ctx, &http.Client{Transport: t}, http.MethodPost, w.url(w.big, "/encounters", nil), token, body)
		if err != nil {
			return nil, nil, fmt.Errorf("open an encounter: %w", err)
		}
		var e struct{ ID string }
		if status != http.StatusCreated || json.Unmarshal(resp, &e) != nil || e.ID == "" {
			return nil, nil, fmt.Errorf("open an encounter: status %d: %.200s", status, resp)
		}
		c.encounter = e.ID
	}
	return run, w.vitals, nil
}

// chart opens a chart with a history at the desk, as a doctor clicks it.
func (w *httpWork) chart(c *httpClient) (*http.Request, int, int, error) {
	req, err := http.NewRequest(http.MethodGet, w.cfg.BaseURL+"/patients/"+url.PathEscape(w.charts[c.r.IntN(len(w.charts))]), nil)
	return req, http.StatusOK, 0, err
}

func (w *httpWork) icd10(c *httpClient) (*http.Request, int, int, error) {
	req, err := http.NewRequest(http.MethodGet, w.url(w.big, "/icd10", url.Values{"q": {icd10Terms[c.r.IntN(len(icd10Terms))]}}), nil)
	return req, http.StatusOK, 0, err
}

// vitals records a triage set in the client's open encounter.
func (w *httpWork) vitals(c *httpClient) (*http.Request, int, int, error) {
	sys := 110 + c.r.IntN(50)
	body, err := json.Marshal(map[string]float64{"systolic_mmhg": float64(sys), "diastolic_mmhg": float64(sys*6/10 + c.r.IntN(8)),
		"pulse_bpm": float64(60 + c.r.IntN(40)), "temperature_c": 36.5 + float64(c.r.IntN(10))/10, "respiratory_rate": float64(12 + c.r.IntN(8)),
		"spo2_percent": float64(94 + c.r.IntN(6)), "weight_kg": float64(55 + c.r.IntN(50)), "height_cm": float64(150 + c.r.IntN(40))})
	if err != nil {
		return nil, 0, 0, err
	}
	req, err := http.NewRequest(http.MethodPost, w.url(w.big, "/encounters/"+url.PathEscape(c.encounter)+"/vitals", nil), bytes.NewReader(body))
	return req, http.StatusCreated, 0, err
}
