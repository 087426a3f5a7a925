-- Patient payment links (issue 14 item 5): a link asks the patient to pay
-- an invoice's balance on the payment provider's page; its webhook records
-- one card payment. Webhook events are kept by id so a replay is a no-op.
-- practice_id leads every key; RLS is forced on both tables.
CREATE TABLE payment_links (
    practice_id  uuid NOT NULL REFERENCES practices (id),
    id           uuid NOT NULL DEFAULT gen_random_uuid(),
    invoice_id   uuid NOT NULL,
    patient_id   uuid NOT NULL,
    amount_cents bigint NOT NULL CHECK (amount_cents > 0),
    currency     text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    -- Empty until the provider answered (the call is made outside the
    -- transaction that created the row).
    provider     text NOT NULL DEFAULT '',
    provider_id  text NOT NULL DEFAULT '',
    url          text NOT NULL DEFAULT '',
    created_by   uuid NOT NULL REFERENCES users (id),
    created_at   timestamptz NOT NULL,
    paid_at      timestamptz,
    payment_id   uuid,
    PRIMARY KEY (practice_id, id),
    FOREIGN KEY (practice_id, invoice_id) REFERENCES invoices (practice_id, id),
    FOREIGN KEY (practice_id, patient_id) REFERENCES patients (practice_id, id),
    FOREIGN KEY (practice_id, payment_id) REFERENCES payments (practice_id, id)
);
CREATE INDEX payment_links_invoice_idx ON payment_links (practice_id, invoice_id, created_at DESC, id);
ALTER TABLE payment_links ENABLE ROW LEVEL SECURITY;
ALTER TABLE payment_links FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON payment_links USING (practice_id = current_practice_id()) WITH CHECK (practice_id = current_practice_id());
GRANT SELECT, INSERT, UPDATE ON payment_links TO medic_app;
REVOKE DELETE, TRUNCATE ON payment_links FROM medic_app;

-- Webhook events seen, by the provider's event id: the primary key makes a
-- second delivery (a replay, or a racing duplicate) a no-op.
CREATE TABLE payment_webhook_events (
    practice_id uuid NOT NULL REFERENCES practices (id),
    provider    text NOT NULL,
    event_id    text NOT NULL,
    type        text NOT NULL,
    received_at timestamptz NOT NULL,
    PRIMARY KEY (practice_id, provider, event_id)
);
ALTER TABLE payment_webhook_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE payment_webhook_events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON payment_webhook_events USING (practice_id = current_practice_id()) WITH CHECK (practice_id = current_practice_id());
GRANT SELECT, INSERT ON payment_webhook_events TO medic_app;
REVOKE UPDATE, DELETE, TRUNCATE ON payment_webhook_events FROM medic_app;
