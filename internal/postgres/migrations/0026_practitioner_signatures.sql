-- Issue 12, item 5: a practitioner's signature image (PNG or JPEG, size
-- capped by the app), printed on the prescriptions, referral letters and
-- sick notes they sign. One per practitioner, replaced by a new upload;
-- stored like the practice logo. practice_id leads every key; RLS is forced.
CREATE TABLE practitioner_signatures (
    practice_id     uuid NOT NULL REFERENCES practices (id),
    practitioner_id uuid NOT NULL,
    content_type    text NOT NULL CHECK (content_type IN ('image/png', 'image/jpeg')),
    data            bytea NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (practice_id, practitioner_id),
    FOREIGN KEY (practice_id, practitioner_id) REFERENCES practitioners (practice_id, id)
);
ALTER TABLE practitioner_signatures ENABLE ROW LEVEL SECURITY;
ALTER TABLE practitioner_signatures FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON practitioner_signatures USING (practice_id = current_practice_id()) WITH CHECK (practice_id = current_practice_id());
GRANT SELECT, INSERT, UPDATE ON practitioner_signatures TO medic_app;
REVOKE DELETE, TRUNCATE ON practitioner_signatures FROM medic_app;
