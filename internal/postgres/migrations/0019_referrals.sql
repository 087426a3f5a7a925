-- Issue 11, items 7 and 8: referrals, and the indexes the patient timeline
-- reads. A referral is written at an encounter, to another practitioner of
-- the practice (internal) or to someone outside it (external: a name,
-- speciality and facility), with the clinical summary pre-filled from the
-- encounter and edited by the doctor. practice_id leads every key; RLS is
-- forced.
CREATE TABLE referrals (
    practice_id        uuid NOT NULL REFERENCES practices (id),
    id                 uuid NOT NULL DEFAULT gen_random_uuid(),
    encounter_id       uuid NOT NULL,
    patient_id         uuid NOT NULL,
    kind               text NOT NULL CHECK (kind IN ('internal', 'external')),
    to_practitioner_id uuid,
    to_name            text NOT NULL DEFAULT '',
    to_speciality      text NOT NULL DEFAULT '',
    to_facility        text NOT NULL DEFAULT '',
    urgency            text NOT NULL CHECK (urgency IN ('routine', 'urgent', 'emergency')),
    reason             text NOT NULL CHECK (reason <> ''),
    summary            text NOT NULL DEFAULT '',
    status             text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'sent', 'cancelled')),
    created_by         uuid REFERENCES users (id),
    created_at         timestamptz NOT NULL,
    sent_at            timestamptz,
    updated_at         timestamptz NOT NULL,
    PRIMARY KEY (practice_id, id),
    FOREIGN KEY (practice_id, encounter_id) REFERENCES encounters (practice_id, id),
    FOREIGN KEY (practice_id, patient_id) REFERENCES patients (practice_id, id),
    FOREIGN KEY (practice_id, to_practitioner_id) REFERENCES practitioners (practice_id, id),
    -- An internal referral names a practitioner of the practice; an
    -- external one names a person or a facility.
    CHECK ((kind = 'internal') = (to_practitioner_id IS NOT NULL)),
    CHECK (kind = 'internal' OR to_name <> '' OR to_facility <> ''),
    CHECK ((status = 'sent') <= (sent_at IS NOT NULL))
);
-- A chart's referrals, newest first (the chart, the timeline).
CREATE INDEX referrals_patient_idx ON referrals (practice_id, patient_id, created_at DESC, id DESC);
-- An encounter's referrals.
CREATE INDEX referrals_encounter_idx ON referrals (practice_id, encounter_id, created_at);
-- "Referred to me": a practitioner's internal referrals, newest first.
CREATE INDEX referrals_to_idx ON referrals (practice_id, to_practitioner_id, created_at DESC, id DESC)
    WHERE to_practitioner_id IS NOT NULL;
ALTER TABLE referrals ENABLE ROW LEVEL SECURITY;
ALTER TABLE referrals FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON referrals USING (practice_id = current_practice_id()) WITH CHECK (practice_id = current_practice_id());
-- Referrals are kept: a sent one is cancelled, not deleted (UPDATE also
-- moves them when charts are merged).
GRANT SELECT, INSERT, UPDATE ON referrals TO medic_app;
REVOKE DELETE, TRUNCATE ON referrals FROM medic_app;

-- The timeline reads each kind of record newest first for one chart, at
-- most a page per kind: these give the kinds that lacked it an index on
-- (practice, patient, time). Encounters and vitals have theirs (0013,
-- 0014); addenda are found through their chart's encounters.
CREATE INDEX encounter_diagnoses_timeline_idx ON encounter_diagnoses (practice_id, patient_id, recorded_at DESC, id DESC);
CREATE INDEX patient_allergies_timeline_idx ON patient_allergies (practice_id, patient_id, recorded_at DESC, id DESC);
CREATE INDEX patient_conditions_timeline_idx ON patient_conditions (practice_id, patient_id, recorded_at DESC, id DESC);
