-- Encounters (issue 11, items 1 and 2): a visit of a patient, its stage in
-- the clinic's queue, its SOAP note, and once finished (locked) the addenda
-- written after. Templates pre-fill the SOAP note. Every table is
-- tenant-owned: practice_id leads every key, RLS is forced.

CREATE TABLE encounters (
    practice_id     uuid NOT NULL REFERENCES practices (id),
    id              uuid NOT NULL DEFAULT gen_random_uuid(),
    patient_id      uuid NOT NULL,
    practitioner_id uuid NOT NULL,
    location_id     uuid NOT NULL,
    appointment_id  uuid,
    stage           text NOT NULL DEFAULT 'registration'
                    CHECK (stage IN ('registration', 'assessment', 'consultation', 'counselling', 'closure')),
    status          text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'finished')),
    subjective      text NOT NULL DEFAULT '',
    objective       text NOT NULL DEFAULT '',
    assessment      text NOT NULL DEFAULT '',
    plan            text NOT NULL DEFAULT '',
    started_at      timestamptz NOT NULL,
    stage_since     timestamptz NOT NULL,
    finished_at     timestamptz,
    finished_by     uuid REFERENCES users (id),
    created_by      uuid REFERENCES users (id),
    updated_at      timestamptz NOT NULL,
    version         integer NOT NULL DEFAULT 1,
    PRIMARY KEY (practice_id, id),
    FOREIGN KEY (practice_id, patient_id) REFERENCES patients (practice_id, id),
    FOREIGN KEY (practice_id, practitioner_id) REFERENCES practitioners (practice_id, id),
    FOREIGN KEY (practice_id, location_id) REFERENCES locations (practice_id, id),
    FOREIGN KEY (practice_id, appointment_id) REFERENCES appointments (practice_id, id),
    CHECK ((status = 'finished') = (finished_at IS NOT NULL))
);
-- The queue board: a location's open visits by stage.
CREATE INDEX encounters_queue_idx ON encounters (practice_id, location_id, status, stage, stage_since);
-- A patient's encounters, newest first.
CREATE INDEX encounters_patient_idx ON encounters (practice_id, patient_id, started_at DESC, id DESC);
-- The practice's encounters, newest first (the list without a patient).
CREATE INDEX encounters_time_idx ON encounters (practice_id, started_at DESC, id DESC);
-- One open (draft) encounter per appointment: two clicks on "Start
-- consultation" open the same visit, not two.
CREATE UNIQUE INDEX encounters_open_appointment_idx ON encounters (practice_id, appointment_id)
    WHERE appointment_id IS NOT NULL AND status = 'draft';
ALTER TABLE encounters ENABLE ROW LEVEL SECURITY;
ALTER TABLE encounters FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON encounters USING (practice_id = current_practice_id()) WITH CHECK (practice_id = current_practice_id());

-- What was added to a finished encounter: who, when, why. Append-only.
CREATE TABLE encounter_addenda (
    practice_id  uuid NOT NULL REFERENCES practices (id),
    id           uuid NOT NULL DEFAULT gen_random_uuid(),
    encounter_id uuid NOT NULL,
    text         text NOT NULL CHECK (text <> ''),
    reason       text NOT NULL CHECK (reason <> ''),
    author_id    uuid REFERENCES users (id),
    author_name  text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL,
    PRIMARY KEY (practice_id, id),
    FOREIGN KEY (practice_id, encounter_id) REFERENCES encounters (practice_id, id)
);
CREATE INDEX encounter_addenda_encounter_idx ON encounter_addenda (practice_id, encounter_id, created_at);
ALTER TABLE encounter_addenda ENABLE ROW LEVEL SECURITY;
ALTER TABLE encounter_addenda FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON encounter_addenda USING (practice_id = current_practice_id()) WITH CHECK (practice_id = current_practice_id());
GRANT SELECT, INSERT ON encounter_addenda TO medic_app;
REVOKE UPDATE, DELETE, TRUNCATE ON encounter_addenda FROM medic_app;

-- A practice's SOAP templates. The four shipped ones are seeded for every
-- practice (existing ones below, new ones by trigger) and are then the
-- practice's own to edit or retire.
CREATE TABLE encounter_templates (
    practice_id uuid NOT NULL REFERENCES practices (id),
    id          uuid NOT NULL DEFAULT gen_random_uuid(),
    name        text NOT NULL,
    subjective  text NOT NULL DEFAULT '',
    objective   text NOT NULL DEFAULT '',
    assessment  text NOT NULL DEFAULT '',
    plan        text NOT NULL DEFAULT '',
    active      boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    PRIMARY KEY (practice_id, id),
    UNIQUE (practice_id, name)
);
ALTER TABLE encounter_templates ENABLE ROW LEVEL SECURITY;
ALTER TABLE encounter_templates FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON encounter_templates USING (practice_id = current_practice_id()) WITH CHECK (practice_id = current_practice_id());
GRANT SELECT, INSERT, UPDATE ON encounter_templates TO medic_app;
REVOKE DELETE, TRUNCATE ON encounter_templates FROM medic_app;

-- seed_encounter_templates gives practice p the shipped templates (those
-- it lacks by name), inside p's tenant setting so forced RLS accepts the
-- rows whoever inserts the practice.
CREATE FUNCTION seed_encounter_templates(p uuid) RETURNS void LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    saved text := current_setting('app.practice_id', true);
BEGIN
    PERFORM set_config('app.practice_id', p::text, true);
    INSERT INTO encounter_templates (practice_id, name, subjective, objective, assessment, plan, created_at, updated_at)
    SELECT p, t.name, t.s, t.o, t.a, t.pl, now(), now()
    FROM (VALUES
        ('General consultation',
         E'Presenting complaint:\nHistory of presenting complaint:\nMedication and allergies reviewed:',
         E'General appearance:\nExamination findings:',
         E'Working diagnosis:\nDifferentials:',
         E'Investigations:\nTreatment:\nAdvice given:\nFollow-up:'),
        ('Chronic follow-up (hypertension/diabetes)',
         E'Adherence to medication:\nSide effects:\nSymptoms (headache, chest pain, polyuria, visual change):\nDiet, exercise, smoking, alcohol:',
         E'BP (seated, two readings):\nWeight and waist:\nFoot examination:\nLast HbA1c / creatinine / lipids:',
         E'Control: good / fair / poor\nComplications screened:',
         E'Medication changes:\nBloods due:\nLifestyle goals agreed:\nNext review in:'),
        ('Antenatal visit',
         E'Gestation (weeks):\nFetal movements:\nBleeding, leaking, headache, swelling:\nConcerns:',
         E'BP:\nUrine dipstick:\nSymphysis-fundal height (cm):\nFetal heart rate:\nPresentation:',
         E'Pregnancy progressing: normal / risk factors:',
         E'Supplements (iron, folate, calcium):\nTests due:\nDanger signs explained:\nNext visit:'),
        ('Well-child visit',
         E'Feeding:\nSleep:\nDevelopmental milestones:\nParent''s concerns:',
         E'Weight, length/height, head circumference (plotted):\nGeneral examination:',
         E'Growth and development: on track / concerns:',
         E'Immunisations given today:\nVitamin A / deworming:\nAnticipatory guidance:\nNext visit:')
    ) AS t (name, s, o, a, pl)
    WHERE NOT EXISTS (SELECT 1 FROM encounter_templates e WHERE e.practice_id = p AND e.name = t.name);
    PERFORM set_config('app.practice_id', coalesce(saved, ''), true);
END $$;

CREATE FUNCTION seed_practice_encounter_templates() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM seed_encounter_templates(NEW.id);
    RETURN NEW;
END $$;

CREATE TRIGGER practices_encounter_templates AFTER INSERT ON practices
    FOR EACH ROW EXECUTE FUNCTION seed_practice_encounter_templates();

SELECT seed_encounter_templates(id) FROM practices;
