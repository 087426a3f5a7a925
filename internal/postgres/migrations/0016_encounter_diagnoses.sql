-- Issue 11, item 4: an encounter's diagnoses, ICD-10 coded, one primary at
-- most. The title is the catalog's when the diagnosis was made (a later
-- import may reword the catalog; the record keeps what was chosen).
CREATE TABLE encounter_diagnoses (
    practice_id  uuid NOT NULL REFERENCES practices (id),
    id           uuid NOT NULL DEFAULT gen_random_uuid(),
    seq          bigint GENERATED ALWAYS AS IDENTITY,
    encounter_id uuid NOT NULL,
    patient_id   uuid NOT NULL,
    code         text COLLATE "C" NOT NULL REFERENCES icd10_codes (code),
    title        text NOT NULL,
    is_primary   boolean NOT NULL DEFAULT false,
    recorded_by  uuid REFERENCES users (id),
    recorded_at  timestamptz NOT NULL,
    PRIMARY KEY (practice_id, id),
    FOREIGN KEY (practice_id, encounter_id) REFERENCES encounters (practice_id, id),
    FOREIGN KEY (practice_id, patient_id) REFERENCES patients (practice_id, id),
    UNIQUE (practice_id, encounter_id, code)
);
CREATE UNIQUE INDEX encounter_diagnoses_primary_idx ON encounter_diagnoses (practice_id, encounter_id) WHERE is_primary;
CREATE INDEX encounter_diagnoses_patient_idx ON encounter_diagnoses (practice_id, patient_id, seq);
ALTER TABLE encounter_diagnoses ENABLE ROW LEVEL SECURITY;
ALTER TABLE encounter_diagnoses FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON encounter_diagnoses USING (practice_id = current_practice_id()) WITH CHECK (practice_id = current_practice_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON encounter_diagnoses TO medic_app;
REVOKE TRUNCATE ON encounter_diagnoses FROM medic_app;
