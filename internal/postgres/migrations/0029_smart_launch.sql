-- Issue 13: SMART for browser apps (CORS), revocation, EHR launch from the
-- desk chart.

-- CORS: outside any practice, the active clients with a redirect URI at the
-- origin named by app.smart_origin are readable (only to answer whether the
-- origin belongs to a registered app; an origin is not a secret).
CREATE POLICY by_origin ON smart_clients FOR SELECT
    USING (current_practice_id() IS NULL AND disabled_at IS NULL AND EXISTS (
        SELECT 1 FROM unnest(redirect_uris) AS u
        WHERE lower(substring(u FROM '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]+')) = lower(NULLIF(current_setting('app.smart_origin', true), ''))));

-- Where the desk sends a member who launches the app from a chart.
ALTER TABLE smart_clients ADD COLUMN launch_url text NOT NULL DEFAULT '';

-- Revoking an app's grants finds its live ones.
CREATE INDEX smart_grants_client_idx ON smart_grants (practice_id, client_id) WHERE revoked_at IS NULL;

-- An EHR launch: a one-time opaque value (kept by hash) bound to the member
-- who launched, the app, the chart and, from an encounter, the encounter.
CREATE TABLE smart_launches (
    practice_id  uuid NOT NULL REFERENCES practices (id),
    value_hash   bytea NOT NULL,
    client_id    uuid NOT NULL,
    user_id      uuid NOT NULL REFERENCES users (id),
    patient_id   uuid NOT NULL,
    encounter_id uuid,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    used_at      timestamptz,
    PRIMARY KEY (practice_id, value_hash),
    FOREIGN KEY (practice_id, client_id) REFERENCES smart_clients (practice_id, id),
    FOREIGN KEY (practice_id, patient_id) REFERENCES patients (practice_id, id),
    FOREIGN KEY (practice_id, encounter_id) REFERENCES encounters (practice_id, id)
);
ALTER TABLE smart_launches ENABLE ROW LEVEL SECURITY;
ALTER TABLE smart_launches FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON smart_launches USING (practice_id = current_practice_id()) WITH CHECK (practice_id = current_practice_id());
GRANT SELECT, INSERT, UPDATE ON smart_launches TO medic_app;
REVOKE DELETE, TRUNCATE ON smart_launches FROM medic_app;

-- Launch context carried from the code to the grant (and every token of it).
ALTER TABLE smart_codes ADD COLUMN encounter_id uuid;
ALTER TABLE smart_codes ADD FOREIGN KEY (practice_id, encounter_id) REFERENCES encounters (practice_id, id);
ALTER TABLE smart_grants ADD COLUMN encounter_id uuid;
ALTER TABLE smart_grants ADD FOREIGN KEY (practice_id, encounter_id) REFERENCES encounters (practice_id, id);
