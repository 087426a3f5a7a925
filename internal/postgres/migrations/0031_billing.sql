-- Issue 14, part 1: tariff codes with dated prices, invoices (numbered per
-- practice without gaps once issued, voided by a credit note, never
-- deleted) and payments. Money is integer cents in the practice's currency.
-- practice_id leads every key; RLS is forced on every table.

-- A practice's billing settings: its currency and VAT rate (basis points,
-- 1500 = 15%). No row: ZAR at 15%.
CREATE TABLE billing_settings (
    practice_id uuid PRIMARY KEY REFERENCES practices (id),
    currency    text NOT NULL DEFAULT 'ZAR' CHECK (currency ~ '^[A-Z]{3}$'),
    vat_rate_bp int NOT NULL DEFAULT 1500 CHECK (vat_rate_bp BETWEEN 0 AND 10000),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE billing_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE billing_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON billing_settings USING (practice_id = current_practice_id()) WITH CHECK (practice_id = current_practice_id());
GRANT SELECT, INSERT, UPDATE ON billing_settings TO medic_app;
REVOKE DELETE, TRUNCATE ON billing_settings FROM medic_app;

-- Medic's starter tariff: common general-practice consultation and
-- procedure items. The descriptions are Medic's own and the prices are
-- EXAMPLE DATA, not any published schedule: a practice sets its own.
CREATE TABLE tariff_starter (
    code        text PRIMARY KEY,
    description text NOT NULL,
    category    text NOT NULL,
    vatable     boolean NOT NULL,
    unit_cents  bigint NOT NULL
);
GRANT SELECT ON tariff_starter TO medic_app;

-- A practice's tariff codes. A code an invoice names is never deleted,
-- only made inactive. medicine_id links a medicine tariff to the
-- practice's medicine it prices (medicine lines of "bill this visit").
CREATE TABLE tariff_codes (
    practice_id uuid NOT NULL REFERENCES practices (id),
    id          uuid NOT NULL DEFAULT gen_random_uuid(),
    code        text NOT NULL CHECK (code <> ''),
    description text NOT NULL CHECK (description <> ''),
    category    text NOT NULL CHECK (category IN ('consultation', 'procedure', 'medicine', 'material')),
    vatable     boolean NOT NULL DEFAULT true,
    medicine_id uuid,
    source      text NOT NULL CHECK (source IN ('starter', 'import', 'manual')),
    active      boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (practice_id, id),
    UNIQUE (practice_id, code),
    FOREIGN KEY (practice_id, medicine_id) REFERENCES medicines (practice_id, id)
);
CREATE INDEX tariff_codes_medicine_idx ON tariff_codes (practice_id, medicine_id) WHERE medicine_id IS NOT NULL;
ALTER TABLE tariff_codes ENABLE ROW LEVEL SECURITY;
ALTER TABLE tariff_codes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON tariff_codes USING (practice_id = current_practice_id()) WITH CHECK (practice_id = current_practice_id());
GRANT SELECT, INSERT, UPDATE ON tariff_codes TO medic_app;
REVOKE DELETE, TRUNCATE ON tariff_codes FROM medic_app;

-- A code's prices by the date they take effect: an invoice takes the
-- price in effect on its date (the latest effective_from on or before it).
CREATE TABLE tariff_prices (
    practice_id    uuid NOT NULL REFERENCES practices (id),
    tariff_code_id uuid NOT NULL,
    effective_from date NOT NULL,
    unit_cents     bigint NOT NULL CHECK (unit_cents >= 0),
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (practice_id, tariff_code_id, effective_from),
    FOREIGN KEY (practice_id, tariff_code_id) REFERENCES tariff_codes (practice_id, id)
);
ALTER TABLE tariff_prices ENABLE ROW LEVEL SECURITY;
ALTER TABLE tariff_prices FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON tariff_prices USING (practice_id = current_practice_id()) WITH CHECK (practice_id = current_practice_id());
GRANT SELECT, INSERT, UPDATE ON tariff_prices TO medic_app;
REVOKE DELETE, TRUNCATE ON tariff_prices FROM medic_app;

-- The consultation code billed for a visit of this type.
ALTER TABLE appointment_types ADD COLUMN tariff_code_id uuid;
ALTER TABLE appointment_types ADD FOREIGN KEY (practice_id, tariff_code_id) REFERENCES tariff_codes (practice_id, id);

-- Gapless numbering: one row per practice, updated (and so locked) by the
-- transaction that issues an invoice or a credit note; a rollback gives
-- the number back. This is the one row issuing requests share, on purpose.
CREATE TABLE invoice_counters (
    practice_id      uuid PRIMARY KEY REFERENCES practices (id),
    last_invoice     bigint NOT NULL DEFAULT 0 CHECK (last_invoice >= 0),
    last_credit_note bigint NOT NULL DEFAULT 0 CHECK (last_credit_note >= 0)
);
ALTER TABLE invoice_counters ENABLE ROW LEVEL SECURITY;
ALTER TABLE invoice_counters FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON invoice_counters USING (practice_id = current_practice_id()) WITH CHECK (practice_id = current_practice_id());
GRANT SELECT, INSERT, UPDATE ON invoice_counters TO medic_app;
REVOKE DELETE, TRUNCATE ON invoice_counters FROM medic_app;

-- Invoices. Totals are the sums of the lines (kept here for lists; the app
-- writes both in one transaction). medical_aid_cents + patient_cents is
-- the total: who is expected to pay what. paid_cents is the net of the
-- payments (refunds negative), never above the total.
CREATE TABLE invoices (
    practice_id        uuid NOT NULL REFERENCES practices (id),
    id                 uuid NOT NULL DEFAULT gen_random_uuid(),
    patient_id         uuid NOT NULL,
    encounter_id       uuid,
    location_id        uuid,
    number             bigint,
    status             text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'issued', 'partly_paid', 'paid', 'void')),
    invoice_date       date NOT NULL,
    currency           text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    vat_rate_bp        int NOT NULL CHECK (vat_rate_bp BETWEEN 0 AND 10000),
    subtotal_cents     bigint NOT NULL DEFAULT 0,
    discount_cents     bigint NOT NULL DEFAULT 0,
    vat_cents          bigint NOT NULL DEFAULT 0,
    total_cents        bigint NOT NULL DEFAULT 0 CHECK (total_cents >= 0),
    medical_aid_cents  bigint NOT NULL DEFAULT 0 CHECK (medical_aid_cents >= 0),
    patient_cents      bigint NOT NULL DEFAULT 0 CHECK (patient_cents >= 0),
    paid_cents         bigint NOT NULL DEFAULT 0 CHECK (paid_cents >= 0),
    created_by         uuid NOT NULL REFERENCES users (id),
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    issued_by          uuid REFERENCES users (id),
    issued_at          timestamptz,
    voided_by          uuid REFERENCES users (id),
    voided_at          timestamptz,
    void_reason        text NOT NULL DEFAULT '',
    credit_note_number bigint,
    PRIMARY KEY (practice_id, id),
    UNIQUE (practice_id, number),
    UNIQUE (practice_id, credit_note_number),
    FOREIGN KEY (practice_id, patient_id) REFERENCES patients (practice_id, id),
    FOREIGN KEY (practice_id, encounter_id) REFERENCES encounters (practice_id, id),
    FOREIGN KEY (practice_id, location_id) REFERENCES locations (practice_id, id),
    CHECK (medical_aid_cents + patient_cents = total_cents),
    CHECK (paid_cents <= total_cents),
    CHECK ((number IS NULL) = (issued_at IS NULL)),
    CHECK (status = 'draft' OR status = 'void' OR number IS NOT NULL),
    CHECK ((status = 'void') = (voided_at IS NOT NULL AND void_reason <> '')),
    CHECK (credit_note_number IS NULL OR (status = 'void' AND number IS NOT NULL))
);
-- A chart's invoices and the practice's, newest first; by status.
CREATE INDEX invoices_practice_idx ON invoices (practice_id, invoice_date DESC, id DESC);
CREATE INDEX invoices_patient_idx ON invoices (practice_id, patient_id, invoice_date DESC, id DESC);
CREATE INDEX invoices_status_idx ON invoices (practice_id, status, invoice_date DESC, id DESC);
CREATE INDEX invoices_encounter_idx ON invoices (practice_id, encounter_id) WHERE encounter_id IS NOT NULL;
ALTER TABLE invoices ENABLE ROW LEVEL SECURITY;
ALTER TABLE invoices FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON invoices USING (practice_id = current_practice_id()) WITH CHECK (practice_id = current_practice_id());
GRANT SELECT, INSERT, UPDATE ON invoices TO medic_app;
REVOKE DELETE, TRUNCATE ON invoices FROM medic_app;

-- An invoice's lines. The code and description are kept as billed. Amounts:
-- net = quantity * unit - discount; VAT per line, half-up on cents;
-- total = net + VAT. icd10 holds the diagnosis codes the line is for.
CREATE TABLE invoice_lines (
    practice_id     uuid NOT NULL REFERENCES practices (id),
    id              uuid NOT NULL DEFAULT gen_random_uuid(),
    invoice_id      uuid NOT NULL,
    position        int NOT NULL CHECK (position >= 0),
    tariff_code_id  uuid,
    code            text NOT NULL DEFAULT '',
    description     text NOT NULL CHECK (description <> ''),
    category        text NOT NULL CHECK (category IN ('consultation', 'procedure', 'medicine', 'material')),
    quantity        int NOT NULL CHECK (quantity BETWEEN 1 AND 10000),
    unit_cents      bigint NOT NULL CHECK (unit_cents >= 0),
    discount_cents  bigint NOT NULL DEFAULT 0 CHECK (discount_cents >= 0),
    discount_reason text NOT NULL DEFAULT '',
    vatable         boolean NOT NULL,
    net_cents       bigint NOT NULL,
    vat_cents       bigint NOT NULL,
    total_cents     bigint NOT NULL,
    icd10           text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (practice_id, id),
    UNIQUE (practice_id, invoice_id, position),
    FOREIGN KEY (practice_id, invoice_id) REFERENCES invoices (practice_id, id),
    FOREIGN KEY (practice_id, tariff_code_id) REFERENCES tariff_codes (practice_id, id),
    CHECK (discount_cents <= quantity * unit_cents),
    CHECK (discount_cents = 0 OR discount_reason <> ''),
    CHECK (net_cents = quantity * unit_cents - discount_cents),
    CHECK (total_cents = net_cents + vat_cents),
    CHECK (vatable OR vat_cents = 0)
);
ALTER TABLE invoice_lines ENABLE ROW LEVEL SECURITY;
ALTER TABLE invoice_lines FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON invoice_lines USING (practice_id = current_practice_id()) WITH CHECK (practice_id = current_practice_id());
-- Lines of a draft are replaced when it is edited; an issued invoice's
-- lines are never touched (the app refuses, and so does this trigger).
GRANT SELECT, INSERT, DELETE ON invoice_lines TO medic_app;
REVOKE UPDATE, TRUNCATE ON invoice_lines FROM medic_app;
CREATE FUNCTION invoice_lines_draft_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM invoices i WHERE i.practice_id = OLD.practice_id AND i.id = OLD.invoice_id AND i.status <> 'draft') THEN
        RAISE EXCEPTION 'invoice lines are locked once issued' USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER invoice_lines_locked BEFORE UPDATE OR DELETE ON invoice_lines
    FOR EACH ROW EXECUTE FUNCTION invoice_lines_draft_only();

-- Payments against an invoice: positive amounts are payments, negative
-- ones refunds (with a reason). Never updated or deleted.
CREATE TABLE payments (
    practice_id  uuid NOT NULL REFERENCES practices (id),
    id           uuid NOT NULL DEFAULT gen_random_uuid(),
    invoice_id   uuid NOT NULL,
    patient_id   uuid NOT NULL,
    location_id  uuid,
    amount_cents bigint NOT NULL CHECK (amount_cents <> 0),
    method       text NOT NULL CHECK (method IN ('cash', 'card', 'eft', 'medical_aid')),
    reference    text NOT NULL DEFAULT '',
    reason       text NOT NULL DEFAULT '',
    taken_by     uuid NOT NULL REFERENCES users (id),
    taken_at     timestamptz NOT NULL,
    PRIMARY KEY (practice_id, id),
    FOREIGN KEY (practice_id, invoice_id) REFERENCES invoices (practice_id, id),
    FOREIGN KEY (practice_id, patient_id) REFERENCES patients (practice_id, id),
    FOREIGN KEY (practice_id, location_id) REFERENCES locations (practice_id, id),
    CHECK (method NOT IN ('card', 'eft') OR reference <> ''),
    CHECK (amount_cents > 0 OR reason <> '')
);
CREATE INDEX payments_invoice_idx ON payments (practice_id, invoice_id, taken_at, id);
-- The day-end cash-up: a day's payments by location and user.
CREATE INDEX payments_taken_idx ON payments (practice_id, taken_at, id);
ALTER TABLE payments ENABLE ROW LEVEL SECURITY;
ALTER TABLE payments FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON payments USING (practice_id = current_practice_id()) WITH CHECK (practice_id = current_practice_id());
GRANT SELECT, INSERT ON payments TO medic_app;
REVOKE UPDATE, DELETE, TRUNCATE ON payments FROM medic_app;

-- A new practice starts with the starter tariff, priced from 1 Jan 2025,
-- whichever path creates it (as seed_practice_medicines).
CREATE FUNCTION seed_practice_tariffs() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    prev text := current_setting('app.practice_id', true);
BEGIN
    PERFORM set_config('app.practice_id', NEW.id::text, true);
    WITH codes AS (
        INSERT INTO tariff_codes (practice_id, code, description, category, vatable, source)
        SELECT NEW.id, code, description, category, vatable, 'starter' FROM tariff_starter
        RETURNING id, code
    )
    INSERT INTO tariff_prices (practice_id, tariff_code_id, effective_from, unit_cents)
    SELECT NEW.id, c.id, DATE '2025-01-01', s.unit_cents FROM codes c JOIN tariff_starter s ON s.code = c.code;
    PERFORM set_config('app.practice_id', coalesce(prev, ''), true);
    RETURN NULL;
END $$;
CREATE TRIGGER practices_seed_tariffs AFTER INSERT ON practices
    FOR EACH ROW EXECUTE FUNCTION seed_practice_tariffs();

-- EXAMPLE DATA: Medic's own wording and made-up prices in ZAR cents.
INSERT INTO tariff_starter (code, description, category, vatable, unit_cents) VALUES
('0190', 'GP consultation, new or established patient, brief (example)', 'consultation', true, 42000),
('0191', 'GP consultation, intermediate complexity (example)', 'consultation', true, 55000),
('0192', 'GP consultation, moderate complexity (example)', 'consultation', true, 68000),
('0193', 'GP consultation, high complexity or prolonged (example)', 'consultation', true, 89000),
('0199', 'Telephone or video follow-up consultation (example)', 'consultation', true, 25000),
('0173', 'Home or after-hours visit, added to a consultation (example)', 'consultation', true, 35000),
('0130', 'Repeat prescription without examination (example)', 'consultation', true, 15000),
('0300', 'Stitching of a small wound, first wound (example)', 'procedure', true, 61000),
('0301', 'Stitching of each additional wound (example)', 'procedure', true, 30000),
('0255', 'Removal of a foreign body from the eye or ear (example)', 'procedure', true, 39000),
('0307', 'Incision and drainage of an abscess (example)', 'procedure', true, 52000),
('0201', 'Intramuscular or intravenous injection (example)', 'procedure', true, 12000),
('0206', 'Intravenous infusion, setting up (example)', 'procedure', true, 26000),
('1232', 'Electrocardiogram, resting, with interpretation (example)', 'procedure', true, 38000),
('4188', 'Finger-prick blood glucose test (example)', 'procedure', true, 6000),
('4419', 'Urine dipstick analysis (example)', 'procedure', true, 5500),
('0309', 'Removal of sutures (example)', 'procedure', true, 18000),
('1186', 'Nebulisation, per session (example)', 'procedure', true, 17000),
('0105', 'Wound dressing, small (example)', 'material', true, 4500),
('0106', 'Suture material, per pack (example)', 'material', true, 7500);

-- Practices that exist already get the starter tariff too.
DO $$
DECLARE
    p uuid;
BEGIN
    FOR p IN SELECT id FROM practices LOOP
        PERFORM set_config('app.practice_id', p::text, true);
        WITH codes AS (
            INSERT INTO tariff_codes (practice_id, code, description, category, vatable, source)
            SELECT p, code, description, category, vatable, 'starter' FROM tariff_starter
            RETURNING id, code
        )
        INSERT INTO tariff_prices (practice_id, tariff_code_id, effective_from, unit_cents)
        SELECT p, c.id, DATE '2025-01-01', s.unit_cents FROM codes c JOIN tariff_starter s ON s.code = c.code;
    END LOOP;
    PERFORM set_config('app.practice_id', '', true);
END $$;
