-- Platform core: practices, users, memberships, locations, sessions, tokens,
-- invitations, audit. Tenant tables carry practice_id in every primary and
-- foreign key (ready for Citus distribution by practice_id) and are fenced by
-- forced row-level security on the per-transaction setting app.practice_id.

CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS btree_gist;

-- The current practice of this transaction, or NULL (fails closed).
CREATE FUNCTION current_practice_id() RETURNS uuid LANGUAGE sql STABLE AS
$$ SELECT NULLIF(current_setting('app.practice_id', true), '')::uuid $$;

-- The signed-in user of this transaction, or NULL.
CREATE FUNCTION current_user_id() RETURNS uuid LANGUAGE sql STABLE AS
$$ SELECT NULLIF(current_setting('app.user_id', true), '')::uuid $$;

CREATE TABLE practices (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug                text NOT NULL UNIQUE,
    name                text NOT NULL,
    type                text NOT NULL DEFAULT 'clinic' CHECK (type IN ('clinic', 'hospital', 'practice_group')),
    email               text NOT NULL DEFAULT '',
    phone               text NOT NULL DEFAULT '',
    address             text NOT NULL DEFAULT '',
    registration_number text NOT NULL DEFAULT '',
    time_zone           text NOT NULL DEFAULT 'Africa/Johannesburg',
    plan                text NOT NULL DEFAULT 'standard',
    status              text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    branding            jsonb NOT NULL DEFAULT '{}',
    booking             jsonb NOT NULL DEFAULT '{}',
    require_2fa         boolean NOT NULL DEFAULT false,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email          text NOT NULL,
    name           text NOT NULL,
    password_hash  text NOT NULL DEFAULT '',
    totp_secret    text NOT NULL DEFAULT '',
    totp_enabled   boolean NOT NULL DEFAULT false,
    totp_last_step bigint NOT NULL DEFAULT 0,
    is_operator    boolean NOT NULL DEFAULT false,
    status         text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE members (
    practice_id uuid NOT NULL REFERENCES practices (id),
    id          uuid NOT NULL DEFAULT gen_random_uuid(),
    user_id     uuid NOT NULL REFERENCES users (id),
    role        text NOT NULL CHECK (role IN ('admin', 'doctor', 'nurse', 'receptionist', 'billing')),
    active      boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (practice_id, id),
    UNIQUE (practice_id, user_id)
);
CREATE INDEX members_user_idx ON members (user_id);
ALTER TABLE members ENABLE ROW LEVEL SECURITY;
ALTER TABLE members FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON members USING (practice_id = current_practice_id()) WITH CHECK (practice_id = current_practice_id());
-- Outside any practice, a signed-in user may read their own memberships in
-- every practice (switcher, /me); inside one, only the tenant policy applies.
CREATE POLICY own_memberships ON members FOR SELECT USING (current_practice_id() IS NULL AND user_id = current_user_id());

CREATE TABLE locations (
    practice_id uuid NOT NULL REFERENCES practices (id),
    id          uuid NOT NULL DEFAULT gen_random_uuid(),
    name        text NOT NULL,
    address     text NOT NULL DEFAULT '',
    phone       text NOT NULL DEFAULT '',
    email       text NOT NULL DEFAULT '',
    hours       jsonb NOT NULL DEFAULT '{}',
    latitude    double precision,
    longitude   double precision,
    active      boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (practice_id, id)
);
ALTER TABLE locations ENABLE ROW LEVEL SECURITY;
ALTER TABLE locations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON locations USING (practice_id = current_practice_id()) WITH CHECK (practice_id = current_practice_id());

CREATE TABLE practice_logos (
    practice_id  uuid PRIMARY KEY REFERENCES practices (id),
    content_type text NOT NULL,
    data         bytea NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE practice_logos ENABLE ROW LEVEL SECURITY;
ALTER TABLE practice_logos FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON practice_logos USING (practice_id = current_practice_id()) WITH CHECK (practice_id = current_practice_id());

CREATE TABLE invitations (
    practice_id uuid NOT NULL REFERENCES practices (id),
    id          uuid NOT NULL DEFAULT gen_random_uuid(),
    email       text NOT NULL,
    role        text NOT NULL CHECK (role IN ('admin', 'doctor', 'nurse', 'receptionist', 'billing')),
    token_hash  bytea NOT NULL UNIQUE,
    invited_by  uuid REFERENCES users (id),
    expires_at  timestamptz NOT NULL,
    accepted_at timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (practice_id, id)
);
ALTER TABLE invitations ENABLE ROW LEVEL SECURITY;
ALTER TABLE invitations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON invitations USING (practice_id = current_practice_id()) WITH CHECK (practice_id = current_practice_id());
-- Outside any practice, whoever holds the emailed secret may read that one
-- invitation (before they are a member).
CREATE POLICY by_token ON invitations FOR SELECT
    USING (current_practice_id() IS NULL AND token_hash = decode(NULLIF(current_setting('app.token_hash', true), ''), 'hex'));

CREATE TABLE api_tokens (
    practice_id  uuid NOT NULL REFERENCES practices (id),
    id           uuid NOT NULL DEFAULT gen_random_uuid(),
    user_id      uuid NOT NULL REFERENCES users (id),
    name         text NOT NULL,
    token_hash   bytea NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    expires_at   timestamptz,
    revoked_at   timestamptz,
    PRIMARY KEY (practice_id, id)
);
ALTER TABLE api_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON api_tokens USING (practice_id = current_practice_id()) WITH CHECK (practice_id = current_practice_id());
-- Authentication (outside any practice) finds a token only by presenting its
-- secret; a user lists their own tokens.
CREATE POLICY by_token ON api_tokens FOR SELECT
    USING (current_practice_id() IS NULL AND token_hash = decode(NULLIF(current_setting('app.token_hash', true), ''), 'hex'));
CREATE POLICY own_tokens ON api_tokens FOR SELECT USING (current_practice_id() IS NULL AND user_id = current_user_id());

-- Sessions belong to a user (platform data); active_practice_id is the
-- desk's current choice, not practice-owned data.
CREATE TABLE sessions (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    token_hash         bytea NOT NULL UNIQUE,
    user_id            uuid NOT NULL REFERENCES users (id),
    active_practice_id uuid REFERENCES practices (id),
    two_factor_pending boolean NOT NULL DEFAULT false,
    created_at         timestamptz NOT NULL,
    last_seen_at       timestamptz NOT NULL,
    ip                 text NOT NULL DEFAULT '',
    user_agent         text NOT NULL DEFAULT '',
    ended_at           timestamptz
);
CREATE INDEX sessions_user_idx ON sessions (user_id) WHERE ended_at IS NULL;

CREATE TABLE password_resets (
    token_hash bytea PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users (id),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Failed sign-ins per key ("email:..." or "ip:..."), for throttling.
CREATE TABLE login_failures (
    key        text NOT NULL,
    failed_at  timestamptz NOT NULL
);
CREATE INDEX login_failures_key_idx ON login_failures (key, failed_at);

-- Development mailbox: where mail goes when no SMTP server is configured.
CREATE TABLE dev_mailbox (
    id          bigserial PRIMARY KEY,
    recipients  text NOT NULL,
    subject     text NOT NULL,
    text_body   text NOT NULL DEFAULT '',
    html_body   text NOT NULL DEFAULT '',
    attachments jsonb NOT NULL DEFAULT '[]',
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- Audit log. Rows are inserted in the request's transaction with no link;
-- the sealer appends them to the practice's hash chain (audit_seals) in
-- order. The app role may only INSERT and SELECT both tables.
CREATE TABLE audit_events (
    practice_id uuid NOT NULL REFERENCES practices (id),
    id          bigserial NOT NULL,
    occurred_at timestamptz NOT NULL,
    actor_id    uuid,
    actor_email text NOT NULL DEFAULT '',
    action      text NOT NULL,
    entity_type text NOT NULL DEFAULT '',
    entity_id   text NOT NULL DEFAULT '',
    patient_id  uuid,
    outcome     text NOT NULL,
    ip          text NOT NULL DEFAULT '',
    user_agent  text NOT NULL DEFAULT '',
    request_id  text NOT NULL DEFAULT '',
    detail      jsonb NOT NULL DEFAULT '{}',
    PRIMARY KEY (practice_id, id)
);
CREATE INDEX audit_events_time_idx ON audit_events (practice_id, occurred_at DESC, id DESC);
CREATE INDEX audit_events_patient_idx ON audit_events (practice_id, patient_id) WHERE patient_id IS NOT NULL;
ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON audit_events USING (practice_id = current_practice_id()) WITH CHECK (practice_id = current_practice_id());

CREATE TABLE audit_seals (
    practice_id uuid NOT NULL REFERENCES practices (id),
    seq         bigint NOT NULL,
    event_id    bigint NOT NULL,
    prev_hash   bytea NOT NULL,
    hash        bytea NOT NULL,
    sealed_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (practice_id, seq),
    UNIQUE (practice_id, event_id)
);
ALTER TABLE audit_seals ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_seals FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON audit_seals USING (practice_id = current_practice_id()) WITH CHECK (practice_id = current_practice_id());

-- Platform log: operator actions and sign-ins not tied to one practice.
CREATE TABLE platform_events (
    id          bigserial PRIMARY KEY,
    occurred_at timestamptz NOT NULL,
    actor_id    uuid,
    actor_email text NOT NULL DEFAULT '',
    action      text NOT NULL,
    entity_type text NOT NULL DEFAULT '',
    entity_id   text NOT NULL DEFAULT '',
    outcome     text NOT NULL,
    ip          text NOT NULL DEFAULT '',
    user_agent  text NOT NULL DEFAULT '',
    request_id  text NOT NULL DEFAULT '',
    detail      jsonb NOT NULL DEFAULT '{}'
);
CREATE TABLE platform_seals (
    seq       bigint PRIMARY KEY,
    event_id  bigint NOT NULL UNIQUE,
    prev_hash bytea NOT NULL,
    hash      bytea NOT NULL,
    sealed_at timestamptz NOT NULL DEFAULT now()
);

-- Aggregate figures for the operator, computed practice by practice under
-- row-level security (the function runs as the caller), never patient data.
CREATE FUNCTION practice_counts()
RETURNS TABLE (practice_id uuid, members bigint, active_members bigint, locations bigint, audit_events bigint)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    p uuid;
    saved text := current_setting('app.practice_id', true);
BEGIN
    FOR p IN SELECT id FROM practices ORDER BY name LOOP
        PERFORM set_config('app.practice_id', p::text, true);
        practice_id := p;
        SELECT count(*), count(*) FILTER (WHERE m.active) INTO members, active_members FROM members m WHERE m.practice_id = p;
        SELECT count(*) INTO locations FROM locations l WHERE l.practice_id = p;
        SELECT count(*) INTO audit_events FROM audit_events a WHERE a.practice_id = p;
        RETURN NEXT;
    END LOOP;
    PERFORM set_config('app.practice_id', coalesce(saved, ''), true);
END $$;

-- The serving role: not the owner, not a superuser, no BYPASSRLS. Production
-- creates it beforehand with a password; here it is created if missing.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'medic_app') THEN
        CREATE ROLE medic_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    END IF;
END $$;
GRANT USAGE ON SCHEMA public TO medic_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO medic_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO medic_app;
-- Later migrations (and River's tables) are granted the same by default.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO medic_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO medic_app;
-- The audit log is append-only for the app.
REVOKE UPDATE, DELETE, TRUNCATE ON audit_events, audit_seals, platform_events, platform_seals FROM medic_app;
