package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"medic"
)

// SMART on FHIR (migration 0027): clients, authorization codes, grants with
// their refresh tokens, client assertion ids, and the platform signing keys.

const smartClientColumns = `id, practice_id, name, confidential, jwks, jwks_url, redirect_uris, scopes, launch_url, created_at, disabled_at IS NOT NULL`

func scanSMARTClient(row pgx.Row) (*medic.SMARTClient, error) {
	var c medic.SMARTClient
	if err := row.Scan(&c.ID, &c.PracticeID, &c.Name, &c.Confidential, &c.JWKS, &c.JWKSURL, &c.RedirectURIs, &c.Scopes, &c.LaunchURL, &c.CreatedAt, &c.Disabled); err != nil {
		return nil, notFound(err)
	}
	return &c, nil
}

// CreateSMARTClient implements medic.SMARTService.
func (db *DB) CreateSMARTClient(ctx context.Context, c *medic.SMARTClient) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	c.PracticeID = pid
	return db.do(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO smart_clients (practice_id, name, confidential, jwks, jwks_url, redirect_uris, scopes, created_by, created_at, launch_url)
			VALUES ($1, $2, $3, $4, $5, $6, $7, NULLIF($8, '')::uuid, $9, $10) RETURNING id, created_at`,
			pid, c.Name, c.Confidential, c.JWKS, c.JWKSURL, c.RedirectURIs, c.Scopes, medic.ActorFrom(ctx).UserID, db.now(), c.LaunchURL).Scan(&c.ID, &c.CreatedAt)
	})
}

// UpdateSMARTClient implements medic.SMARTService (the kind stays).
func (db *DB) UpdateSMARTClient(ctx context.Context, c *medic.SMARTClient) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	if !isUUID(c.ID) {
		return medic.ErrNotFound
	}
	return db.exec1(ctx, `UPDATE smart_clients SET name = $3, jwks = $4, jwks_url = $5, redirect_uris = $6, scopes = $7,
			disabled_at = CASE WHEN $8 THEN coalesce(disabled_at, $9) END, launch_url = $10
		WHERE practice_id = $1 AND id = $2`, pid, c.ID, c.Name, c.JWKS, c.JWKSURL, c.RedirectURIs, c.Scopes, c.Disabled, db.now(), c.LaunchURL)
}

// ListSMARTClients implements medic.SMARTService.
func (db *DB) ListSMARTClients(ctx context.Context) (out []*medic.SMARTClient, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		out, err = queryAll(ctx, tx, scanSMARTClient, `SELECT `+smartClientColumns+` FROM smart_clients WHERE practice_id = $1 ORDER BY lower(name), id`, pid)
		return err
	})
	return out, err
}

// FindSMARTClient implements medic.SMARTService.
func (db *DB) FindSMARTClient(ctx context.Context, id string) (c *medic.SMARTClient, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !isUUID(id) {
		return nil, medic.ErrNotFound
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		c, err = scanSMARTClient(tx.QueryRow(ctx, `SELECT `+smartClientColumns+` FROM smart_clients WHERE practice_id = $1 AND id = $2`, pid, id))
		return err
	})
	return c, err
}

// LookupSMARTClient implements medic.SMARTService: outside any practice,
// the by_client policy shows the one client named by app.client_id.
func (db *DB) LookupSMARTClient(ctx context.Context, id string) (c *medic.SMARTClient, err error) {
	if !isUUID(id) {
		return nil, medic.ErrNotFound
	}
	b := &pgx.Batch{}
	b.Queue(`SELECT set_config('app.client_id', $1, true)`, id)
	b.Queue(`SELECT `+smartClientColumns+` FROM smart_clients WHERE id = $1`, id).QueryRow(func(row pgx.Row) (err error) {
		c, err = scanSMARTClient(row)
		return err
	})
	b.Queue(`SELECT set_config('app.client_id', '', true)`)
	if err := db.pipeline(withTenant(ctx, ""), b); err != nil {
		return nil, err
	}
	return c, nil
}

// CreateSMARTCode implements medic.SMARTService.
func (db *DB) CreateSMARTCode(ctx context.Context, c *medic.SMARTCode, hash []byte) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	return db.do(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO smart_codes (practice_id, code_hash, client_id, user_id, scope, redirect_uri, code_challenge, patient_id, created_at, expires_at, encounter_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7, NULLIF($8, '')::uuid, $9, $10, NULLIF($11, '')::uuid)`,
			pid, hash, c.ClientID, c.UserID, c.Scope, c.RedirectURI, c.CodeChallenge, c.PatientID, db.now(), c.ExpiresAt, c.EncounterID)
		return err
	})
}

// TakeSMARTCode implements medic.SMARTService: the update marks it used, so
// of two concurrent exchanges one wins.
func (db *DB) TakeSMARTCode(ctx context.Context, clientID string, hash []byte) (c *medic.SMARTCode, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	now := db.now()
	err = db.do(ctx, func(tx pgx.Tx) error {
		c = &medic.SMARTCode{}
		return notFound(tx.QueryRow(ctx, `UPDATE smart_codes SET used_at = $4
			WHERE practice_id = $1 AND code_hash = $2 AND client_id = $3 AND used_at IS NULL AND expires_at > $4
			RETURNING client_id, user_id, scope, redirect_uri, code_challenge, coalesce(patient_id::text, ''), coalesce(encounter_id::text, ''), expires_at`, pid, hash, clientID, now).
			Scan(&c.ClientID, &c.UserID, &c.Scope, &c.RedirectURI, &c.CodeChallenge, &c.PatientID, &c.EncounterID, &c.ExpiresAt))
	})
	return c, err
}

const smartGrantColumns = `id, practice_id, client_id, coalesce(user_id::text, ''), scope, coalesce(patient_id::text, ''), coalesce(encounter_id::text, ''),
	created_at, expires_at, revoked_at IS NOT NULL`

func scanSMARTGrant(row pgx.Row) (*medic.SMARTGrant, error) {
	var g medic.SMARTGrant
	if err := row.Scan(&g.ID, &g.PracticeID, &g.ClientID, &g.UserID, &g.Scope, &g.PatientID, &g.EncounterID, &g.CreatedAt, &g.ExpiresAt, &g.Revoked); err != nil {
		return nil, notFound(err)
	}
	return &g, nil
}

// CreateSMARTGrant implements medic.SMARTService.
func (db *DB) CreateSMARTGrant(ctx context.Context, g *medic.SMARTGrant) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	g.PracticeID = pid
	return db.do(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO smart_grants (practice_id, client_id, user_id, scope, patient_id, created_at, expires_at, encounter_id)
			VALUES ($1, $2, NULLIF($3, '')::uuid, $4, NULLIF($5, '')::uuid, $6, $7, NULLIF($8, '')::uuid) RETURNING id, created_at`,
			pid, g.ClientID, g.UserID, g.Scope, g.PatientID, db.now(), g.ExpiresAt, g.EncounterID).Scan(&g.ID, &g.CreatedAt)
	})
}

// smartGrantLiveColumns are smartGrantColumns of g with a disabled
// client's grants reported revoked.
const smartGrantLiveColumns = `g.id, g.practice_id, g.client_id, coalesce(g.user_id::text, ''), g.scope, coalesce(g.patient_id::text, ''), coalesce(g.encounter_id::text, ''), g.created_at, g.expires_at,
	g.revoked_at IS NOT NULL OR c.disabled_at IS NOT NULL`

// FindSMARTGrant implements medic.SMARTService.
func (db *DB) FindSMARTGrant(ctx context.Context, id string) (g *medic.SMARTGrant, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !isUUID(id) {
		return nil, medic.ErrNotFound
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		g, err = scanSMARTGrant(tx.QueryRow(ctx, `SELECT `+smartGrantLiveColumns+` FROM smart_grants g
			JOIN smart_clients c ON c.practice_id = g.practice_id AND c.id = g.client_id
			WHERE g.practice_id = $1 AND g.id = $2`, pid, id))
		return err
	})
	return g, err
}

// RevokeSMARTGrant implements medic.SMARTService.
func (db *DB) RevokeSMARTGrant(ctx context.Context, id string) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	if !isUUID(id) {
		return medic.ErrNotFound
	}
	return db.exec1(ctx, `UPDATE smart_grants SET revoked_at = coalesce(revoked_at, $3) WHERE practice_id = $1 AND id = $2`, pid, id, db.now())
}

// AddSMARTRefreshToken implements medic.SMARTService.
func (db *DB) AddSMARTRefreshToken(ctx context.Context, grantID string, hash []byte) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	return db.do(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO smart_refresh_tokens (practice_id, token_hash, grant_id, created_at) VALUES ($1, $2, $3, $4)`, pid, hash, grantID, db.now())
		return err
	})
}

// UseSMARTRefreshToken implements medic.SMARTService. The token row is
// locked, so of two concurrent uses the second sees the first's mark and
// revokes the family.
func (db *DB) UseSMARTRefreshToken(ctx context.Context, clientID string, hash []byte) (g *medic.SMARTGrant, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	now := db.now()
	var reused bool
	err = db.do(ctx, func(tx pgx.Tx) error {
		var grantID string
		var used bool
		if err := tx.QueryRow(ctx, `SELECT r.grant_id, r.used_at IS NOT NULL FROM smart_refresh_tokens r
			JOIN smart_grants g ON g.practice_id = r.practice_id AND g.id = r.grant_id
			WHERE r.practice_id = $1 AND r.token_hash = $2 AND g.client_id = $3 FOR UPDATE OF r`, pid, hash, clientID).Scan(&grantID, &used); err != nil {
			return notFound(err)
		}
		if used {
			reused = true
			_, err := tx.Exec(ctx, `UPDATE smart_grants SET revoked_at = coalesce(revoked_at, $3) WHERE practice_id = $1 AND id = $2`, pid, grantID, now)
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE smart_refresh_tokens SET used_at = $3 WHERE practice_id = $1 AND token_hash = $2`, pid, hash, now); err != nil {
			return err
		}
		g, err = scanSMARTGrant(tx.QueryRow(ctx, `SELECT `+smartGrantColumns+` FROM smart_grants WHERE practice_id = $1 AND id = $2`, pid, grantID))
		return err
	})
	switch {
	case err != nil:
		return nil, err
	case reused:
		return nil, medic.ErrRefreshReused
	case g.Revoked || !g.ExpiresAt.After(now):
		return nil, medic.ErrNotFound
	}
	return g, nil
}

// UseSMARTAssertion implements medic.SMARTService.
func (db *DB) UseSMARTAssertion(ctx context.Context, clientID, jti string, expires time.Time) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	return db.do(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO smart_assertions (practice_id, client_id, jti, expires_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
			pid, clientID, jti, expires)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return medic.Errorf(medic.ECONFLICT, "This client assertion was used before.")
		}
		return nil
	})
}

// SMARTKeys implements medic.SMARTService.
func (db *DB) SMARTKeys(ctx context.Context, since time.Time) (out []*medic.SMARTKey, err error) {
	err = db.do(withTenant(ctx, ""), func(tx pgx.Tx) error {
		out, err = queryAll(ctx, tx, func(row pgx.Row) (*medic.SMARTKey, error) {
			var k medic.SMARTKey
			return &k, row.Scan(&k.KID, &k.Alg, &k.Private, &k.PublicJWK, &k.CreatedAt)
		}, `SELECT kid, alg, private_key, public_jwk, created_at FROM smart_keys WHERE created_at >= $1 ORDER BY created_at DESC, kid`, since)
		return err
	})
	return out, err
}

// AddSMARTKey implements medic.SMARTService.
func (db *DB) AddSMARTKey(ctx context.Context, k *medic.SMARTKey) error {
	return db.do(withTenant(ctx, ""), func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO smart_keys (kid, alg, private_key, public_jwk, created_at) VALUES ($1, $2, $3, $4, $5)`,
			k.KID, k.Alg, k.Private, k.PublicJWK, k.CreatedAt)
		return err
	})
}

// FindSMARTRefreshGrant implements medic.SMARTService.
func (db *DB) FindSMARTRefreshGrant(ctx context.Context, clientID string, hash []byte) (g *medic.SMARTGrant, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		g, err = scanSMARTGrant(tx.QueryRow(ctx, `SELECT `+smartGrantColumns+` FROM smart_grants
			WHERE practice_id = $1 AND client_id = $3 AND id = (SELECT grant_id FROM smart_refresh_tokens WHERE practice_id = $1 AND token_hash = $2)`,
			pid, hash, clientID))
		return err
	})
	return g, err
}

// RevokeSMARTClientGrants implements medic.SMARTService.
func (db *DB) RevokeSMARTClientGrants(ctx context.Context, clientID string) (n int, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return 0, err
	}
	if !isUUID(clientID) {
		return 0, medic.ErrNotFound
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM smart_clients WHERE practice_id = $1 AND id = $2)`, pid, clientID).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			return medic.ErrNotFound
		}
		tag, err := tx.Exec(ctx, `UPDATE smart_grants SET revoked_at = $3 WHERE practice_id = $1 AND client_id = $2 AND revoked_at IS NULL`, pid, clientID, db.now())
		n = int(tag.RowsAffected())
		return err
	})
	return n, err
}

// SMARTOriginRegistered implements medic.SMARTService: outside any
// practice, the by_origin policy shows the active clients at the origin
// named by app.smart_origin; the query names the origin too.
func (db *DB) SMARTOriginRegistered(ctx context.Context, origin string) (ok bool, err error) {
	b := &pgx.Batch{}
	b.Queue(`SELECT set_config('app.smart_origin', $1, true)`, origin)
	b.Queue(`SELECT EXISTS (SELECT 1 FROM smart_clients c, unnest(c.redirect_uris) AS u
		WHERE c.disabled_at IS NULL AND lower(substring(u FROM '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]+')) = lower($1))`, origin).QueryRow(func(row pgx.Row) error {
		return row.Scan(&ok)
	})
	b.Queue(`SELECT set_config('app.smart_origin', '', true)`)
	if err := db.pipeline(withTenant(ctx, ""), b); err != nil {
		return false, err
	}
	return ok, nil
}

// CreateSMARTLaunch implements medic.SMARTService.
func (db *DB) CreateSMARTLaunch(ctx context.Context, l *medic.SMARTLaunch, hash []byte) error {
	pid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	return db.do(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO smart_launches (practice_id, value_hash, client_id, user_id, patient_id, encounter_id, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, NULLIF($6, '')::uuid, $7, $8)`, pid, hash, l.ClientID, l.UserID, l.PatientID, l.EncounterID, db.now(), l.ExpiresAt)
		return err
	})
}

// FindSMARTLaunch implements medic.SMARTService.
func (db *DB) FindSMARTLaunch(ctx context.Context, clientID, userID string, hash []byte) (*medic.SMARTLaunch, error) {
	return db.smartLaunch(ctx, clientID, userID, hash, false)
}

// TakeSMARTLaunch implements medic.SMARTService: the update marks it used,
// so of two concurrent authorizations one wins.
func (db *DB) TakeSMARTLaunch(ctx context.Context, clientID, userID string, hash []byte) (*medic.SMARTLaunch, error) {
	return db.smartLaunch(ctx, clientID, userID, hash, true)
}

func (db *DB) smartLaunch(ctx context.Context, clientID, userID string, hash []byte, take bool) (l *medic.SMARTLaunch, err error) {
	pid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !isUUID(clientID) || !isUUID(userID) {
		return nil, medic.ErrNotFound
	}
	q := `SELECT client_id, user_id, patient_id, coalesce(encounter_id::text, ''), expires_at FROM smart_launches
		WHERE practice_id = $1 AND value_hash = $2 AND client_id = $3 AND user_id = $4 AND used_at IS NULL AND expires_at > $5`
	if take {
		q = `UPDATE smart_launches SET used_at = $5
		WHERE practice_id = $1 AND value_hash = $2 AND client_id = $3 AND user_id = $4 AND used_at IS NULL AND expires_at > $5
		RETURNING client_id, user_id, patient_id, coalesce(encounter_id::text, ''), expires_at`
	}
	err = db.do(ctx, func(tx pgx.Tx) error {
		l = &medic.SMARTLaunch{}
		return notFound(tx.QueryRow(ctx, q, pid, hash, clientID, userID, db.now()).Scan(&l.ClientID, &l.UserID, &l.PatientID, &l.EncounterID, &l.ExpiresAt))
	})
	return l, err
}
