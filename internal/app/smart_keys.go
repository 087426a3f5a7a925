package app

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"medic"
	"medic/internal/auth"
)

// Access token signing keys: platform keys in the database. The newest
// signs for SMARTKeyRotation; a key is published until the last token it
// may have signed has expired. Every process reads the same table, so a
// key one made is used by all.
const (
	SMARTKeyRotation = 30 * 24 * time.Hour
	SMARTAccessTTL   = 10 * time.Minute
	// smartKeyCacheTTL is how long a process trusts its copy of the keys;
	// smartKeyReload how often an unknown kid may make it read them again.
	smartKeyCacheTTL = 5 * time.Minute
	smartKeyReload   = 10 * time.Second
)

// smartKeyring is a process's copy of the published keys, newest first.
type smartKeyring struct {
	mu       sync.Mutex
	keys     []*medic.SMARTKey
	loadedAt time.Time
}

// loadSMARTKeys reads the published keys (force: even if the copy is
// fresh, but at most every smartKeyReload) and makes a signing key when
// none is current.
func (a *App) loadSMARTKeys(ctx context.Context, force bool) ([]*medic.SMARTKey, error) {
	r := &a.smartKeys
	r.mu.Lock()
	defer r.mu.Unlock()
	now := a.now()
	age := now.Sub(r.loadedAt)
	if r.keys != nil && age < smartKeyCacheTTL && (!force || age < smartKeyReload) {
		return r.keys, nil
	}
	keys, err := a.SMART.SMARTKeys(ctx, now.Add(-SMARTKeyRotation-SMARTAccessTTL))
	if err != nil {
		return nil, err
	}
	if len(keys) == 0 || !keys[0].CreatedAt.After(now.Add(-SMARTKeyRotation)) {
		kid, private, public, err := auth.NewSigningKey()
		if err != nil {
			return nil, err
		}
		k := &medic.SMARTKey{KID: kid, Alg: "ES256", Private: private, PublicJWK: public, CreatedAt: now}
		if err := a.SMART.AddSMARTKey(ctx, k); err != nil {
			return nil, err
		}
		keys = append([]*medic.SMARTKey{k}, keys...)
	}
	r.keys, r.loadedAt = keys, now
	return keys, nil
}

// smartKey returns the published key kid; ENOTFOUND if there is none.
func (a *App) smartKey(ctx context.Context, kid string) (*medic.SMARTKey, error) {
	for _, force := range []bool{false, true} {
		keys, err := a.loadSMARTKeys(ctx, force)
		if err != nil {
			return nil, err
		}
		for _, k := range keys {
			if k.KID == kid {
				return k, nil
			}
		}
	}
	return nil, medic.ErrNotFound
}

// SMARTJWKS is the JSON Web Key Set of the published public keys.
func (a *App) SMARTJWKS(ctx context.Context) ([]byte, error) {
	keys, err := a.loadSMARTKeys(ctx, false)
	if err != nil {
		return nil, err
	}
	set := struct {
		Keys []json.RawMessage `json:"keys"`
	}{Keys: []json.RawMessage{}}
	for _, k := range keys {
		set.Keys = append(set.Keys, json.RawMessage(k.PublicJWK))
	}
	return json.Marshal(set)
}
