-- Issue 13, item 5: the SMART on FHIR authorization server. A practice's
-- admin registers client apps; desk users authorize them (authorization
-- code + PKCE) and backend services sign in with their own keys
-- (client_credentials, private_key_jwt). Access tokens are JWTs signed with
-- platform keys (smart_keys) and name their grant, which revocation ends;
-- refresh tokens rotate on every use, and a reused one revokes its grant.
-- practice_id leads every key of the practice tables; RLS is forced.
CREATE TABLE smart_clients (
    practice_id   uuid NOT NULL REFERENCES practices (id),
    id            uuid NOT NULL DEFAULT gen_random_uuid(),
    name          text NOT NULL CHECK (name <> ''),
    confidential  boolean NOT NULL,
    -- A confidential client's public keys (inline JWKS) or where to fetch them.
    jwks          text NOT NULL DEFAULT '',
    jwks_url      text NOT NULL DEFAULT '',
    redirect_uris text[] NOT NULL DEFAULT '{}',
    scopes        text[] NOT NULL DEFAULT '{}',
    created_by    uuid REFERENCES users (id),
    created_at    timestamptz NOT NULL,
    disabled_at   timestamptz,
    PRIMARY KEY (practice_id, id),
    CHECK (NOT confidential OR jwks <> '' OR jwks_url <> '')
);
-- The authorization and token endpoints know only the client id.
CREATE INDEX smart_clients_id_idx ON smart_clients (id);
ALTER TABLE smart_clients ENABLE ROW LEVEL SECURITY;
ALTER TABLE smart_clients FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON smart_clients USING (practice_id = current_practice_id()) WITH CHECK (practice_id = current_practice_id());
-- Outside any practice, the one client named by app.client_id is readable
-- (its id is public: it is in every authorization request).
CREATE POLICY by_client ON smart_clients FOR SELECT
    USING (current_practice_id() IS NULL AND id = NULLIF(current_setting('app.client_id', true), '')::uuid);
GRANT SELECT, INSERT, UPDATE ON smart_clients TO medic_app;
REVOKE DELETE, TRUNCATE ON smart_clients FROM medic_app;

-- Authorization codes: kept by hash, one use, short-lived.
CREATE TABLE smart_codes (
    practice_id    uuid NOT NULL REFERENCES practices (id),
    code_hash      bytea NOT NULL,
    client_id      uuid NOT NULL,
    user_id        uuid NOT NULL REFERENCES users (id),
    scope          text NOT NULL,
    redirect_uri   text NOT NULL,
    code_challenge text NOT NULL,
    patient_id     uuid,
    created_at     timestamptz NOT NULL,
    expires_at     timestamptz NOT NULL,
    used_at        timestamptz,
    PRIMARY KEY (practice_id, code_hash),
    FOREIGN KEY (practice_id, client_id) REFERENCES smart_clients (practice_id, id),
    FOREIGN KEY (practice_id, patient_id) REFERENCES patients (practice_id, id)
);
ALTER TABLE smart_codes ENABLE ROW LEVEL SECURITY;
ALTER TABLE smart_codes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON smart_codes USING (practice_id = current_practice_id()) WITH CHECK (practice_id = current_practice_id());
GRANT SELECT, INSERT, UPDATE ON smart_codes TO medic_app;
REVOKE DELETE, TRUNCATE ON smart_codes FROM medic_app;

-- A grant is what one authorization (or one backend sign-in) allowed: its
-- access tokens name it and work only while it is not revoked; its refresh
-- tokens are one family.
CREATE TABLE smart_grants (
    practice_id uuid NOT NULL REFERENCES practices (id),
    id          uuid NOT NULL DEFAULT gen_random_uuid(),
    client_id   uuid NOT NULL,
    user_id     uuid REFERENCES users (id), -- NULL: a backend service (the client itself)
    scope       text NOT NULL,
    patient_id  uuid,
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz,
    PRIMARY KEY (practice_id, id),
    FOREIGN KEY (practice_id, client_id) REFERENCES smart_clients (practice_id, id),
    FOREIGN KEY (practice_id, patient_id) REFERENCES patients (practice_id, id)
);
ALTER TABLE smart_grants ENABLE ROW LEVEL SECURITY;
ALTER TABLE smart_grants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON smart_grants USING (practice_id = current_practice_id()) WITH CHECK (practice_id = current_practice_id());
GRANT SELECT, INSERT, UPDATE ON smart_grants TO medic_app;
REVOKE DELETE, TRUNCATE ON smart_grants FROM medic_app;

-- Refresh tokens by hash; a used one is kept so its reuse is recognised.
CREATE TABLE smart_refresh_tokens (
    practice_id uuid NOT NULL REFERENCES practices (id),
    token_hash  bytea NOT NULL,
    grant_id    uuid NOT NULL,
    created_at  timestamptz NOT NULL,
    used_at     timestamptz,
    PRIMARY KEY (practice_id, token_hash),
    FOREIGN KEY (practice_id, grant_id) REFERENCES smart_grants (practice_id, id)
);
ALTER TABLE smart_refresh_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE smart_refresh_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON smart_refresh_tokens USING (practice_id = current_practice_id()) WITH CHECK (practice_id = current_practice_id());
GRANT SELECT, INSERT, UPDATE ON smart_refresh_tokens TO medic_app;
REVOKE DELETE, TRUNCATE ON smart_refresh_tokens FROM medic_app;

-- The jti of every client assertion seen, until it expires: one use each.
CREATE TABLE smart_assertions (
    practice_id uuid NOT NULL REFERENCES practices (id),
    client_id   uuid NOT NULL,
    jti         text NOT NULL,
    expires_at  timestamptz NOT NULL,
    PRIMARY KEY (practice_id, client_id, jti),
    FOREIGN KEY (practice_id, client_id) REFERENCES smart_clients (practice_id, id)
);
ALTER TABLE smart_assertions ENABLE ROW LEVEL SECURITY;
ALTER TABLE smart_assertions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON smart_assertions USING (practice_id = current_practice_id()) WITH CHECK (practice_id = current_practice_id());
GRANT SELECT, INSERT ON smart_assertions TO medic_app;
REVOKE UPDATE, DELETE, TRUNCATE ON smart_assertions FROM medic_app;

-- Platform signing keys for access tokens (no practice). The newest signs;
-- older ones stay published until the tokens they signed have expired. The
-- private key never leaves the server; the app may read and insert only.
CREATE TABLE smart_keys (
    kid         text PRIMARY KEY,
    alg         text NOT NULL CHECK (alg IN ('ES256', 'RS256')),
    private_key bytea NOT NULL,
    public_jwk  text NOT NULL,
    created_at  timestamptz NOT NULL
);
GRANT SELECT, INSERT ON smart_keys TO medic_app;
REVOKE UPDATE, DELETE, TRUNCATE ON smart_keys FROM medic_app;
