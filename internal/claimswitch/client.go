package claimswitch

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"medic"
)

// Client is the HTTP adapter: medic.ClaimSwitch over the JSON wire format.
type Client struct {
	base   string // "https://switch.example/" without the trailing slash
	apiKey string
	http   *http.Client
}

var _ medic.ClaimSwitch = (*Client)(nil)

// NewClient talks to the switch at baseURL with a bearer API key.
func NewClient(baseURL, apiKey string) *Client {
	return &Client{base: strings.TrimRight(baseURL, "/"), apiKey: apiKey, http: &http.Client{Timeout: 30 * time.Second}}
}

// Submit posts the claim with its idempotency key.
func (c *Client) Submit(ctx context.Context, claim *medic.ClaimSubmission) (*medic.SwitchReply, error) {
	if claim.IdempotencyKey == "" {
		return nil, fmt.Errorf("claimswitch: a claim needs an idempotency key")
	}
	var w WireReply
	if err := c.do(ctx, http.MethodPost, "/v1/claims", claim.IdempotencyKey, ClaimToWire(claim), &w); err != nil {
		return nil, err
	}
	return ReplyFromWire(w), nil
}

// Status reads a claim's state.
func (c *Client) Status(ctx context.Context, ref string) (*medic.SwitchReply, error) {
	var w WireReply
	if err := c.do(ctx, http.MethodGet, "/v1/claims/"+url.PathEscape(ref), "", nil, &w); err != nil {
		return nil, err
	}
	return ReplyFromWire(w), nil
}

// Remittance reads a claim's payment advice.
func (c *Client) Remittance(ctx context.Context, ref string) (*medic.Remittance, error) {
	var w WireRemittance
	if err := c.do(ctx, http.MethodGet, "/v1/claims/"+url.PathEscape(ref)+"/remittance", "", nil, &w); err != nil {
		return nil, err
	}
	return RemittanceFromWire(w), nil
}

// CheckMembership asks the scheme about a member.
func (c *Client) CheckMembership(ctx context.Context, q medic.MembershipQuery) (*medic.MembershipReply, error) {
	var w WireMembershipReply
	if err := c.do(ctx, http.MethodPost, "/v1/membership", "", MembershipToWire(q), &w); err != nil {
		return nil, err
	}
	return &medic.MembershipReply{Active: w.Active, Reason: w.Reason}, nil
}

// maxReply bounds what we read of an answer.
const maxReply = 1 << 20

// do makes one call and maps the switch's errors onto the domain's: 404 is
// ENOTFOUND (no_remittance is medic.ErrNoRemittance), a reused key
// ECONFLICT, anything else (transport, 5xx, our own 4xx bugs) a plain error
// for the job to retry and log. The switch's text is kept in the log cause,
// never shown.
func (c *Client) do(ctx context.Context, method, path, key string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("claimswitch: encode: %w", err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return fmt.Errorf("claimswitch: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.apiKey != "" {
		req.Header.Set("Authorization", "Bearer "+c.apiKey)
	}
	if key != "" {
		req.Header.Set(IdempotencyKeyHeader, key)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("claimswitch: %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxReply))
	if err != nil {
		return fmt.Errorf("claimswitch: %s %s: read: %w", method, path, err)
	}
	if resp.StatusCode/100 == 2 {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("claimswitch: %s %s: decode: %w", method, path, err)
		}
		return nil
	}
	var we WireError
	_ = json.Unmarshal(data, &we)
	cause := fmt.Errorf("claimswitch: %s %s: %d %s: %s", method, path, resp.StatusCode, we.Error.Code, we.Error.Message)
	switch {
	case resp.StatusCode == http.StatusNotFound && we.Error.Code == WireNoRemittance:
		return fmt.Errorf("%w (%v)", medic.ErrNoRemittance, cause)
	case resp.StatusCode == http.StatusNotFound:
		return fmt.Errorf("%w (%v)", medic.ErrNotFound, cause)
	case resp.StatusCode == http.StatusConflict:
		return fmt.Errorf("%w (%v)", medic.Errorf(medic.ECONFLICT, "The switch already holds a different claim under this key."), cause)
	}
	return cause
}
