-- Two-factor recovery codes: single-use codes a user who lost their
-- authenticator can sign in with. Platform data, like users and sessions:
-- keyed by user, no practice_id, so no row-level security. Only the
-- SHA-256 of each normalised code is stored (a code carries 50 random bits
-- and sign-in attempts are throttled per account); a new set replaces the
-- old one and turning 2FA off deletes them.
CREATE TABLE recovery_codes (
    user_id    uuid NOT NULL REFERENCES users (id),
    code_hash  bytea NOT NULL CHECK (length(code_hash) = 32),
    created_at timestamptz NOT NULL,
    used_at    timestamptz,
    PRIMARY KEY (user_id, code_hash)
);

-- The app creates, marks used and deletes codes (the default privileges of
-- 0001 grant the table already; stated here so the intent is on record).
GRANT SELECT, INSERT, UPDATE, DELETE ON recovery_codes TO medic_app;
REVOKE TRUNCATE ON recovery_codes FROM medic_app;
