package app

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"net/netip"
	"strconv"
	"time"

	"medic"
)

// rateKey is one platform-wide rate-limit key: its kind and a keyed hash
// of what it counts (never the email or IP itself).
type rateKey struct {
	kind string
	key  []byte
}

// bookingCodeRateKeys are the platform-wide keys a code request counts
// against: the normalised email, then (if known) the client's network.
// Always in this order, so two requests lock them without deadlock.
func (a *App) bookingCodeRateKeys(ctx context.Context, email, ip string) ([]rateKey, error) {
	hash, err := a.rateHasher(ctx)
	if err != nil {
		return nil, err
	}
	keys := []rateKey{{medic.RateBookingCodeEmail, hash(medic.RateBookingCodeEmail, email)}}
	if n := ipNetwork(ip); n != "" {
		keys = append(keys, rateKey{medic.RateBookingCodeIP, hash(medic.RateBookingCodeIP, n)})
	}
	return keys, nil
}

// rateHasher returns the keyed hash of (kind, value) that rate keys are
// stored as.
func (a *App) rateHasher(ctx context.Context) (func(kind, v string) []byte, error) {
	secret, err := a.signingKey(ctx, "public-rate")
	if err != nil {
		return nil, err
	}
	return func(kind, v string) []byte {
		m := hmac.New(sha256.New, secret)
		m.Write([]byte(kind + "\x00" + v))
		return m.Sum(nil)
	}, nil
}

// Per-IP limits on what anonymous visitors may try besides asking for
// codes: every confirmation reaches the code check (and its audit row),
// and every manage-link request checks a token (and audits a view or a
// change). Counted platform-wide, by IPv4 address or IPv6 /64.
const (
	bookingConfirmLimit  = 20
	bookingConfirmWindow = 10 * time.Minute
	manageLinkLimit      = 60
	manageLinkWindow     = 10 * time.Minute
)

// limitIP counts one anonymous request of kind from ip, platform-wide, in
// a short transaction of its own, committed before the request does any
// other work (so a request that then fails or rolls back is still
// counted). Past limit in window it is a *RetryError (ETOOMANY) and
// nothing at all is written: no event, no audit row, so a script that
// keeps trying fills nothing. A request without a known IP is not counted.
func (a *App) limitIP(ctx context.Context, kind, ip string, limit int, window time.Duration, refusal string) error {
	n := ipNetwork(ip)
	if n == "" {
		return nil
	}
	var refused *RetryError
	err := a.Tx.InTx(ctx, func(ctx context.Context) error {
		hash, err := a.rateHasher(ctx)
		if err != nil {
			return err
		}
		keys := []rateKey{{kind, hash(kind, n)}}
		if refused, err = a.checkRate(ctx, keys, limit, window, refusal); err != nil || refused != nil {
			return err
		}
		return a.recordRate(ctx, keys)
	})
	if err != nil {
		return err
	}
	if refused != nil {
		return refused
	}
	return nil
}

// limitConfirm counts a booking confirmation from ip.
func (a *App) limitConfirm(ctx context.Context, ip string) error {
	return a.limitIP(ctx, medic.RateBookingConfirmIP, ip, bookingConfirmLimit, bookingConfirmWindow,
		"Too many booking attempts from your network. Wait %s and try again.")
}

// limitManageLink counts a manage-link request (view, cancel, move) from ip.
func (a *App) limitManageLink(ctx context.Context, ip string) error {
	return a.limitIP(ctx, medic.RateManageLinkIP, ip, manageLinkLimit, manageLinkWindow,
		"Too many requests from your network. Wait %s and try again.")
}

// ipNetwork is what one client's budget is counted by: an IPv4 address
// (also when mapped into IPv6), or the /64 of an IPv6 address, since one
// subscriber commonly holds a whole /64. Text that is not an address is
// counted as it is; "" stays "".
func ipNetwork(ip string) string {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	addr = addr.WithZone("").Unmap()
	if addr.Is4() {
		return addr.String()
	}
	return netip.PrefixFrom(addr, 64).Masked().String()
}

// checkRate locks keys (in order) and counts their events in the window
// ending now; past limit on any key it is a *RetryError saying when the
// oldest event counted leaves the window. Call it inside the transaction
// that then records the request with recordRate.
func (a *App) checkRate(ctx context.Context, keys []rateKey, limit int, window time.Duration, refusal string) (*RetryError, error) {
	for _, k := range keys {
		if err := a.RateLimits.LockPublicRate(ctx, k.kind, k.key); err != nil {
			return nil, err
		}
	}
	now := a.now()
	var retry time.Duration
	for _, k := range keys {
		n, oldest, err := a.RateLimits.CountPublicRate(ctx, k.kind, k.key, now.Add(-window))
		if err != nil {
			return nil, err
		}
		if n < limit {
			continue
		}
		after := window
		if !oldest.IsZero() {
			after = oldest.Add(window).Sub(now)
		}
		retry = max(retry, after)
	}
	if retry == 0 {
		return nil, nil
	}
	retry = max(retry.Round(time.Second), time.Second)
	return &RetryError{After: retry, Err: medic.Errorf(medic.ETOOMANY, refusal, humanDuration(retry))}, nil
}

// recordRate counts one event against each key.
func (a *App) recordRate(ctx context.Context, keys []rateKey) error {
	for _, k := range keys {
		if err := a.RateLimits.RecordPublicRate(ctx, k.kind, k.key); err != nil {
			return err
		}
	}
	return nil
}

func humanDuration(d time.Duration) string {
	if d < time.Minute {
		return strconv.Itoa(int(d.Seconds())) + " seconds"
	}
	m := int((d + time.Minute - 1) / time.Minute)
	if m == 1 {
		return "1 minute"
	}
	return strconv.Itoa(m) + " minutes"
}
