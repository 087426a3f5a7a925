-- Platform-wide limits on what anonymous visitors may ask for (issue 4's
-- booking codes): one row per code emailed, per kind of key. booking_codes
-- counts per practice (it is a tenant table under RLS), so N practices
-- would give N times the budget; this table counts across all of them.
--
-- A platform table, like signing_keys: it holds no practice data (no
-- practice id, no email or address in clear, only a keyed hash of the
-- normalised email or of the client's IP, per /64 for IPv6), so it has no
-- practice_id and no row-level security. Rows are deleted a day after they
-- were made, when new ones are recorded.
CREATE TABLE public_rate_events (
    kind       text NOT NULL CHECK (kind IN ('booking_code_email', 'booking_code_ip')),
    key        bytea NOT NULL CHECK (length(key) = 32),
    created_at timestamptz NOT NULL
);
CREATE INDEX public_rate_events_key_idx ON public_rate_events (kind, key, created_at);
CREATE INDEX public_rate_events_created_idx ON public_rate_events (created_at);

-- The app counts, records and forgets events; it never rewrites them.
GRANT SELECT, INSERT, DELETE ON public_rate_events TO medic_app;
REVOKE UPDATE, TRUNCATE ON public_rate_events FROM medic_app;
