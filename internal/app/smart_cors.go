package app

import (
	"context"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Browser SMART apps call the token endpoint and the FHIR API from their
// own origin: an origin is allowed when an active registered app (of any
// practice) has a redirect URI there. Answers are kept briefly per origin,
// so a page's many FHIR calls cost one lookup.
const (
	smartOriginTTL     = 30 * time.Second
	smartOriginMaxKept = 1000
)

type smartOriginCache struct {
	mu   sync.Mutex
	kept map[string]smartOriginAnswer
}

type smartOriginAnswer struct {
	ok bool
	at time.Time
}

// SMARTOriginAllowed reports whether browser requests from origin (an
// Origin header) may read SMART and FHIR answers. A malformed origin, or
// "null", never is; an outage is an error.
func (a *App) SMARTOriginAllowed(ctx context.Context, origin string) (bool, error) {
	origin, ok := normalOrigin(origin)
	if !ok {
		return false, nil
	}
	c := &a.smartOrigins
	now := a.now()
	c.mu.Lock()
	ans, hit := c.kept[origin]
	c.mu.Unlock()
	if hit && now.Sub(ans.at) < smartOriginTTL && !now.Before(ans.at) {
		return ans.ok, nil
	}
	allowed, err := a.SMART.SMARTOriginRegistered(ctx, origin)
	if err != nil {
		return false, err
	}
	c.mu.Lock()
	if c.kept == nil || len(c.kept) >= smartOriginMaxKept {
		c.kept = map[string]smartOriginAnswer{}
	}
	c.kept[origin] = smartOriginAnswer{ok: allowed, at: now}
	c.mu.Unlock()
	return allowed, nil
}

// normalOrigin checks an Origin header (scheme://host[:port], nothing
// more) and lowercases it.
func normalOrigin(s string) (string, bool) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || len(s) > 300 {
		return "", false
	}
	return strings.ToLower(u.Scheme + "://" + u.Host), true
}
