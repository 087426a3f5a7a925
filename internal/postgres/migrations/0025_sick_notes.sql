-- Issue 12, items 3 and 4: sick notes written by a doctor at an encounter,
-- issued (locked) when written and cancelled with a reason, never edited.
-- The diagnosis is kept only with the patient's consent, recorded on the
-- note with who recorded it and when. Each note has a verification code
-- (100 random bits, Crockford base 32) printed on it. practice_id leads
-- every key; RLS is forced. The code's form is the app's (medic.SickNoteCode).
CREATE TABLE sick_notes (
    practice_id         uuid NOT NULL REFERENCES practices (id),
    id                  uuid NOT NULL DEFAULT gen_random_uuid(),
    encounter_id        uuid NOT NULL,
    patient_id          uuid NOT NULL,
    practitioner_id     uuid NOT NULL,
    issued_by           uuid NOT NULL REFERENCES users (id),
    examined_at         timestamptz NOT NULL,
    basis               text NOT NULL CHECK (basis IN ('examined', 'reported')),
    from_date           date NOT NULL,
    to_date             date NOT NULL,
    fitness             text NOT NULL CHECK (fitness IN ('unfit', 'light_duty')),
    diagnosis_consent   boolean NOT NULL DEFAULT false,
    consent_recorded_by uuid REFERENCES users (id),
    consent_recorded_at timestamptz,
    diagnosis           text NOT NULL DEFAULT '',
    status              text NOT NULL DEFAULT 'issued' CHECK (status IN ('issued', 'cancelled')),
    issued_at           timestamptz NOT NULL,
    cancelled_at        timestamptz,
    cancelled_by        uuid REFERENCES users (id),
    cancel_reason       text NOT NULL DEFAULT '',
    verification_code   text COLLATE "C" NOT NULL,
    PRIMARY KEY (practice_id, id),
    UNIQUE (practice_id, verification_code),
    FOREIGN KEY (practice_id, encounter_id) REFERENCES encounters (practice_id, id),
    FOREIGN KEY (practice_id, patient_id) REFERENCES patients (practice_id, id),
    FOREIGN KEY (practice_id, practitioner_id) REFERENCES practitioners (practice_id, id),
    -- No back-dating: the period starts on or after the examination's day
    -- (the practice's zone is checked by the app; this is the backstop).
    CHECK (to_date >= from_date AND from_date >= (examined_at AT TIME ZONE 'UTC')::date - 1),
    -- A diagnosis only with consent, and consent only with who and when.
    CHECK (diagnosis_consent = (consent_recorded_by IS NOT NULL AND consent_recorded_at IS NOT NULL)),
    CHECK (diagnosis_consent OR diagnosis = ''),
    CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL AND cancel_reason <> ''))
);
-- A chart's notes, newest first (the chart, the timeline); an encounter's.
CREATE INDEX sick_notes_patient_idx ON sick_notes (practice_id, patient_id, issued_at DESC, id DESC);
CREATE INDEX sick_notes_encounter_idx ON sick_notes (practice_id, encounter_id);
ALTER TABLE sick_notes ENABLE ROW LEVEL SECURITY;
ALTER TABLE sick_notes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON sick_notes USING (practice_id = current_practice_id()) WITH CHECK (practice_id = current_practice_id());
GRANT SELECT, INSERT, UPDATE ON sick_notes TO medic_app;
REVOKE DELETE, TRUNCATE ON sick_notes FROM medic_app;

-- Public verification (GET /verify/{code}) knows no practice: it resolves
-- the code here first, then reads the note inside that practice's tenant
-- transaction. This index holds no patient data (the code and the
-- practice). Outside any practice a row is readable only by
-- presenting its exact code (app.verify_code), as api_tokens are found by
-- their secret; inside a practice only the tenant policy applies.
CREATE TABLE sick_note_codes (
    code         text COLLATE "C" PRIMARY KEY,
    practice_id  uuid NOT NULL REFERENCES practices (id),
    FOREIGN KEY (practice_id, code) REFERENCES sick_notes (practice_id, verification_code)
);
ALTER TABLE sick_note_codes ENABLE ROW LEVEL SECURITY;
ALTER TABLE sick_note_codes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON sick_note_codes USING (practice_id = current_practice_id()) WITH CHECK (practice_id = current_practice_id());
CREATE POLICY by_code ON sick_note_codes FOR SELECT
    USING (current_practice_id() IS NULL AND code = NULLIF(current_setting('app.verify_code', true), ''));
GRANT SELECT, INSERT ON sick_note_codes TO medic_app;
REVOKE UPDATE, DELETE, TRUNCATE ON sick_note_codes FROM medic_app;

-- Public verifications are counted per client IP like manage links.
ALTER TABLE public_rate_events DROP CONSTRAINT public_rate_events_kind_check;
ALTER TABLE public_rate_events ADD CONSTRAINT public_rate_events_kind_check
    CHECK (kind IN ('booking_code_email', 'booking_code_ip', 'booking_confirm_ip', 'manage_link_ip', 'sick_note_verify_ip'));
