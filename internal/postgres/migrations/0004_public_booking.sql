-- Public self-booking: email verification codes, desk notifications, and the
-- platform key that signs the links emailed to patients. The new booking
-- settings (notify_email, allowed_origins) live in practices.booking (jsonb)
-- with the others.

-- One row per code emailed. Only an HMAC of the code is kept (keyed with a
-- per-code salt); rows also count requests per email and per IP for the
-- rate limits, and are deleted a day after they were made.
CREATE TABLE booking_codes (
    practice_id uuid NOT NULL REFERENCES practices (id),
    id          uuid NOT NULL DEFAULT gen_random_uuid(),
    -- Orders codes made at the same instant (the newest one counts).
    seq         bigint GENERATED ALWAYS AS IDENTITY,
    email       text NOT NULL,
    code_hash   bytea NOT NULL,
    salt        bytea NOT NULL,
    expires_at  timestamptz NOT NULL,
    attempts    int NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    used_at     timestamptz,
    ip          text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (practice_id, id)
);
CREATE INDEX booking_codes_email_idx ON booking_codes (practice_id, email, seq DESC);
CREATE INDEX booking_codes_ip_idx ON booking_codes (practice_id, ip, created_at DESC);
CREATE INDEX booking_codes_created_idx ON booking_codes (practice_id, created_at);
ALTER TABLE booking_codes ENABLE ROW LEVEL SECURITY;
ALTER TABLE booking_codes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON booking_codes USING (practice_id = current_practice_id()) WITH CHECK (practice_id = current_practice_id());

-- Desk notifications (a patient booked, cancelled or moved online). No
-- clinical data.
CREATE TABLE notifications (
    practice_id    uuid NOT NULL REFERENCES practices (id),
    id             uuid NOT NULL DEFAULT gen_random_uuid(),
    seq            bigint GENERATED ALWAYS AS IDENTITY,
    kind           text NOT NULL CHECK (kind IN ('online_booking', 'online_cancellation', 'online_reschedule')),
    title          text NOT NULL,
    body           text NOT NULL DEFAULT '',
    appointment_id uuid,
    created_at     timestamptz NOT NULL,
    read_at        timestamptz,
    PRIMARY KEY (practice_id, id),
    FOREIGN KEY (practice_id, appointment_id) REFERENCES appointments (practice_id, id)
);
CREATE INDEX notifications_time_idx ON notifications (practice_id, seq DESC);
CREATE INDEX notifications_unread_idx ON notifications (practice_id) WHERE read_at IS NULL;
ALTER TABLE notifications ENABLE ROW LEVEL SECURITY;
ALTER TABLE notifications FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON notifications USING (practice_id = current_practice_id()) WITH CHECK (practice_id = current_practice_id());

-- Platform keys (no practice): the first process to need one inserts a
-- random key; the app may read and insert, never change or delete.
CREATE TABLE signing_keys (
    name       text PRIMARY KEY,
    key        bytea NOT NULL CHECK (length(key) >= 32),
    created_at timestamptz NOT NULL DEFAULT now()
);

GRANT SELECT, INSERT, UPDATE, DELETE ON booking_codes, notifications TO medic_app;
GRANT SELECT, INSERT ON signing_keys TO medic_app;
REVOKE UPDATE, DELETE, TRUNCATE ON signing_keys FROM medic_app;
