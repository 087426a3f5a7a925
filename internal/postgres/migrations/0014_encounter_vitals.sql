-- Vitals (issue 11, item 3): the measurements taken at an encounter. Each
-- value is optional; the checks repeat the domain's possible ranges
-- (medic.VitalSpecs) so no path can store an impossible value. BMI is
-- computed, never stored. practice_id leads every key; RLS is forced.
CREATE TABLE encounter_vitals (
    practice_id           uuid NOT NULL REFERENCES practices (id),
    id                    uuid NOT NULL DEFAULT gen_random_uuid(),
    encounter_id          uuid NOT NULL,
    patient_id            uuid NOT NULL,
    measured_at           timestamptz NOT NULL,
    recorded_by           uuid REFERENCES users (id),
    systolic_mmhg         smallint CHECK (systolic_mmhg BETWEEN 30 AND 300),
    diastolic_mmhg        smallint CHECK (diastolic_mmhg BETWEEN 10 AND 200),
    pulse_bpm             smallint CHECK (pulse_bpm BETWEEN 20 AND 300),
    temperature_c         numeric(3,1) CHECK (temperature_c BETWEEN 25 AND 45),
    respiratory_rate      smallint CHECK (respiratory_rate BETWEEN 2 AND 150),
    spo2_percent          smallint CHECK (spo2_percent BETWEEN 20 AND 100),
    weight_kg             numeric(6,3) CHECK (weight_kg BETWEEN 0.2 AND 500),
    height_cm             numeric(4,1) CHECK (height_cm BETWEEN 20 AND 272),
    glucose_mmol_l        numeric(4,1) CHECK (glucose_mmol_l BETWEEN 0.5 AND 100),
    head_circumference_cm numeric(3,1) CHECK (head_circumference_cm BETWEEN 20 AND 60),
    created_at            timestamptz NOT NULL,
    PRIMARY KEY (practice_id, id),
    FOREIGN KEY (practice_id, encounter_id) REFERENCES encounters (practice_id, id),
    FOREIGN KEY (practice_id, patient_id) REFERENCES patients (practice_id, id),
    -- A blood pressure is a pair, the diastolic below the systolic.
    CHECK ((systolic_mmhg IS NULL) = (diastolic_mmhg IS NULL) AND (diastolic_mmhg IS NULL OR diastolic_mmhg < systolic_mmhg)),
    CHECK (num_nonnulls(systolic_mmhg, pulse_bpm, temperature_c, respiratory_rate, spo2_percent, weight_kg, height_cm,
                        glucose_mmol_l, head_circumference_cm) > 0)
);
-- A chart's series (charts, the last vitals, the timeline).
CREATE INDEX encounter_vitals_patient_idx ON encounter_vitals (practice_id, patient_id, measured_at);
-- An encounter's vitals.
CREATE INDEX encounter_vitals_encounter_idx ON encounter_vitals (practice_id, encounter_id, measured_at);
ALTER TABLE encounter_vitals ENABLE ROW LEVEL SECURITY;
ALTER TABLE encounter_vitals FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON encounter_vitals USING (practice_id = current_practice_id()) WITH CHECK (practice_id = current_practice_id());
-- Recorded vitals are not edited or deleted (UPDATE only moves them to the
-- surviving chart when charts are merged).
GRANT SELECT, INSERT, UPDATE ON encounter_vitals TO medic_app;
REVOKE DELETE, TRUNCATE ON encounter_vitals FROM medic_app;
