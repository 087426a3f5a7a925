-- Issue 12, item 2: prescriptions written by a doctor at an encounter. A
-- prescription is issued (locked) when written and may be cancelled with a
-- reason, never edited. Each item keeps the medicine's label as issued, the
-- safety alerts that fired and the doctor's reason for going ahead; its
-- last day of use (current_until) makes the chart's current medicines one
-- index range. practice_id leads every key; RLS is forced.
CREATE TABLE prescriptions (
    practice_id   uuid NOT NULL REFERENCES practices (id),
    id            uuid NOT NULL DEFAULT gen_random_uuid(),
    encounter_id  uuid NOT NULL,
    patient_id    uuid NOT NULL,
    prescriber_id uuid NOT NULL REFERENCES users (id),
    status        text NOT NULL DEFAULT 'issued' CHECK (status IN ('issued', 'cancelled')),
    issued_at     timestamptz NOT NULL,
    cancelled_at  timestamptz,
    cancelled_by  uuid REFERENCES users (id),
    cancel_reason text NOT NULL DEFAULT '',
    PRIMARY KEY (practice_id, id),
    FOREIGN KEY (practice_id, encounter_id) REFERENCES encounters (practice_id, id),
    FOREIGN KEY (practice_id, patient_id) REFERENCES patients (practice_id, id),
    CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL AND cancel_reason <> ''))
);
-- A chart's prescriptions, newest first (the chart, the timeline); an encounter's.
CREATE INDEX prescriptions_patient_idx ON prescriptions (practice_id, patient_id, issued_at DESC, id DESC);
CREATE INDEX prescriptions_encounter_idx ON prescriptions (practice_id, encounter_id);
ALTER TABLE prescriptions ENABLE ROW LEVEL SECURITY;
ALTER TABLE prescriptions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON prescriptions USING (practice_id = current_practice_id()) WITH CHECK (practice_id = current_practice_id());
GRANT SELECT, INSERT, UPDATE ON prescriptions TO medic_app;
REVOKE DELETE, TRUNCATE ON prescriptions FROM medic_app;

CREATE TABLE prescription_items (
    practice_id     uuid NOT NULL REFERENCES practices (id),
    id              uuid NOT NULL DEFAULT gen_random_uuid(),
    prescription_id uuid NOT NULL,
    patient_id      uuid NOT NULL,
    position        int NOT NULL CHECK (position >= 0),
    medicine_id     uuid NOT NULL,
    medicine_label  text NOT NULL CHECK (medicine_label <> ''),
    dose            text NOT NULL CHECK (dose <> ''),
    route           text NOT NULL DEFAULT '',
    frequency       text NOT NULL CHECK (frequency <> ''),
    duration_days   int NOT NULL CHECK (duration_days BETWEEN 1 AND 365),
    quantity        text NOT NULL DEFAULT '',
    repeats         int NOT NULL DEFAULT 0 CHECK (repeats BETWEEN 0 AND 11),
    instructions    text NOT NULL DEFAULT '',
    alerts          jsonb NOT NULL DEFAULT '[]',
    override_reason text NOT NULL DEFAULT '',
    current_until   date NOT NULL,
    PRIMARY KEY (practice_id, id),
    UNIQUE (practice_id, prescription_id, position),
    FOREIGN KEY (practice_id, prescription_id) REFERENCES prescriptions (practice_id, id),
    FOREIGN KEY (practice_id, patient_id) REFERENCES patients (practice_id, id),
    FOREIGN KEY (practice_id, medicine_id) REFERENCES medicines (practice_id, id),
    -- An item whose checks fired is issued only with a reason.
    CHECK (alerts = '[]' OR override_reason <> '')
);
-- A chart's current medicines: the items still in use on a day.
CREATE INDEX prescription_items_current_idx ON prescription_items (practice_id, patient_id, current_until);
ALTER TABLE prescription_items ENABLE ROW LEVEL SECURITY;
ALTER TABLE prescription_items FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON prescription_items USING (practice_id = current_practice_id()) WITH CHECK (practice_id = current_practice_id());
GRANT SELECT, INSERT, UPDATE ON prescription_items TO medic_app;
REVOKE DELETE, TRUNCATE ON prescription_items FROM medic_app;
