-- Issue 14, part 2: medical-aid claims through a switch. A claim is one
-- version of a claim for an issued invoice; a rejected claim is corrected
-- in a new version (a new row, a new idempotency key). The submission (the
-- membership, practice and practitioner numbers and the lines with their
-- ICD-10 codes, as sent) is kept as jsonb: it is what the switch was told.
-- practice_id leads every key; RLS is forced.
CREATE TABLE claims (
    practice_id          uuid NOT NULL REFERENCES practices (id),
    id                   uuid NOT NULL DEFAULT gen_random_uuid(),
    invoice_id           uuid NOT NULL,
    patient_id           uuid NOT NULL,
    version              int NOT NULL CHECK (version >= 1),
    status               text NOT NULL DEFAULT 'draft'
                         CHECK (status IN ('draft', 'submitted', 'accepted', 'rejected', 'paid', 'part_paid', 'closed')),
    idempotency_key      text NOT NULL CHECK (idempotency_key <> ''),
    submission           jsonb NOT NULL,
    currency             text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    claimed_cents        bigint NOT NULL CHECK (claimed_cents >= 0),
    paid_cents           bigint NOT NULL DEFAULT 0 CHECK (paid_cents >= 0),
    switch_ref           text NOT NULL DEFAULT '',
    rejections           jsonb NOT NULL DEFAULT '[]',
    remittance_id        text,
    remittance_reference text NOT NULL DEFAULT '',
    payment_id           uuid,
    attempts             int NOT NULL DEFAULT 0,
    last_error           text NOT NULL DEFAULT '',
    created_by           uuid NOT NULL REFERENCES users (id),
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL,
    submitted_by         uuid REFERENCES users (id),
    submitted_at         timestamptz,
    answered_at          timestamptz,
    paid_at              timestamptz,
    closed_by            uuid REFERENCES users (id),
    closed_at            timestamptz,
    PRIMARY KEY (practice_id, id),
    UNIQUE (practice_id, invoice_id, version),
    UNIQUE (practice_id, idempotency_key),
    -- A remittance is recorded once.
    UNIQUE (practice_id, remittance_id),
    FOREIGN KEY (practice_id, invoice_id) REFERENCES invoices (practice_id, id),
    FOREIGN KEY (practice_id, patient_id) REFERENCES patients (practice_id, id),
    FOREIGN KEY (practice_id, payment_id) REFERENCES payments (practice_id, id),
    CHECK ((status = 'draft') = (submitted_at IS NULL)),
    CHECK (status NOT IN ('paid', 'part_paid') OR (remittance_id IS NOT NULL AND paid_at IS NOT NULL)),
    CHECK ((status = 'closed') = (closed_at IS NOT NULL))
);
-- At most one open claim per invoice: a new version only once the last is
-- rejected (or closed).
CREATE UNIQUE INDEX claims_open_idx ON claims (practice_id, invoice_id) WHERE status NOT IN ('rejected', 'closed');
CREATE INDEX claims_practice_idx ON claims (practice_id, created_at DESC, id DESC);
CREATE INDEX claims_status_idx ON claims (practice_id, status, created_at DESC, id DESC);
CREATE INDEX claims_patient_idx ON claims (practice_id, patient_id, created_at DESC, id DESC);
ALTER TABLE claims ENABLE ROW LEVEL SECURITY;
ALTER TABLE claims FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON claims USING (practice_id = current_practice_id()) WITH CHECK (practice_id = current_practice_id());
GRANT SELECT, INSERT, UPDATE ON claims TO medic_app;
REVOKE DELETE, TRUNCATE ON claims FROM medic_app;
