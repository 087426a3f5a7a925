// Package jwks fetches the JSON Web Key Sets confidential SMART clients
// publish at their JWKS URL: https only, a short timeout, a size cap, and
// a cache honouring Cache-Control max-age.
package jwks

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"medic"
)

// Limits of a fetch.
const (
	Timeout = 5 * time.Second
	// DefaultMaxAge is how long keys are kept when the answer says nothing;
	// MaxMaxAge bounds what an answer may ask for.
	DefaultMaxAge = 5 * time.Minute
	MaxMaxAge     = 24 * time.Hour
	maxKept       = 1000
)

// Fetcher implements medic.JWKSFetcher.
type Fetcher struct {
	client *http.Client
	clock  medic.Clock

	mu   sync.Mutex
	kept map[string]entry
}

type entry struct {
	body    string
	expires time.Time
}

// New returns a fetcher using client (nil: a client with Timeout). Tests
// pass an httptest TLS server's client.
func New(client *http.Client, clock medic.Clock) *Fetcher {
	if client == nil {
		client = &http.Client{Timeout: Timeout}
	}
	return &Fetcher{client: client, clock: clock, kept: map[string]entry{}}
}

// ErrFetch is any failure to get usable keys from the URL.
var ErrFetch = errors.New("jwks: could not fetch the key set")

// FetchJWKS returns the key set at u, from the cache while its max-age
// lasts.
func (f *Fetcher) FetchJWKS(ctx context.Context, u string) (string, error) {
	pu, err := url.Parse(u)
	if err != nil || pu.Scheme != "https" || pu.Host == "" {
		return "", fmt.Errorf("%w: not an https URL", ErrFetch)
	}
	now := f.clock.Now()
	f.mu.Lock()
	e, ok := f.kept[u]
	f.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e.body, nil
	}
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrFetch, err)
	}
	req.Header.Set("Accept", "application/jwk-set+json, application/json")
	res, err := f.client.Do(req)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrFetch, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return "", fmt.Errorf("%w: status %d", ErrFetch, res.StatusCode)
	}
	b, err := io.ReadAll(io.LimitReader(res.Body, medic.MaxSMARTJWKS+1))
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrFetch, err)
	}
	if len(b) > medic.MaxSMARTJWKS {
		return "", fmt.Errorf("%w: larger than %d bytes", ErrFetch, medic.MaxSMARTJWKS)
	}
	body := string(b)
	if !medic.PublicJWKS(body) {
		return "", fmt.Errorf("%w: not a set of public keys", ErrFetch)
	}
	if age := maxAge(res.Header.Get("Cache-Control")); age > 0 {
		f.mu.Lock()
		if len(f.kept) >= maxKept {
			f.kept = map[string]entry{}
		}
		f.kept[u] = entry{body: body, expires: now.Add(age)}
		f.mu.Unlock()
	}
	return body, nil
}

// maxAge reads Cache-Control: no-store or no-cache keep nothing, max-age
// (bounded) keeps that long, nothing said keeps DefaultMaxAge.
func maxAge(cc string) time.Duration {
	age := DefaultMaxAge
	for _, d := range strings.Split(cc, ",") {
		d = strings.ToLower(strings.TrimSpace(d))
		switch {
		case d == "no-store" || d == "no-cache":
			return 0
		case strings.HasPrefix(d, "max-age="):
			n, err := strconv.Atoi(strings.TrimPrefix(d, "max-age="))
			if err != nil || n < 0 {
				return 0
			}
			age = min(time.Duration(n)*time.Second, MaxMaxAge)
		}
	}
	return age
}
