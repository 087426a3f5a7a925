-- Issue 13: FHIR vread and instance history of charts and appointments.
-- Every insert or update that changes a row's updated_at (its FHIR
-- versionId) keeps the row as it then was, written by a trigger in the
-- same transaction as the change, so no code path can skip it. One row per
-- version, in the practice's own rows (no shared row to contend on).
CREATE TABLE resource_versions (
    practice_id  uuid NOT NULL REFERENCES practices (id),
    resource     text NOT NULL CHECK (resource IN ('patient', 'appointment')),
    id           uuid NOT NULL,
    seq          bigint GENERATED ALWAYS AS IDENTITY,
    updated_at   timestamptz NOT NULL,
    snapshot     jsonb NOT NULL,
    PRIMARY KEY (practice_id, resource, id, seq)
);

-- The versions there are today: one each.
INSERT INTO resource_versions (practice_id, resource, id, updated_at, snapshot)
    SELECT practice_id, 'patient', id, updated_at, to_jsonb(p) FROM patients p;
INSERT INTO resource_versions (practice_id, resource, id, updated_at, snapshot)
    SELECT practice_id, 'appointment', id, updated_at, to_jsonb(a) FROM appointments a;

ALTER TABLE resource_versions ENABLE ROW LEVEL SECURITY;
ALTER TABLE resource_versions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON resource_versions USING (practice_id = current_practice_id()) WITH CHECK (practice_id = current_practice_id());
-- History is append-only for the app.
GRANT SELECT, INSERT ON resource_versions TO medic_app;
REVOKE UPDATE, DELETE, TRUNCATE ON resource_versions FROM medic_app;

-- The version is written in the changed row's practice: in a tenant
-- transaction that is already the practice in force (RLS on the table let
-- the change through); work outside one (the owner loading the demo)
-- names it for this insert only and puts the setting back.
CREATE FUNCTION keep_resource_version() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    was text := current_setting('app.practice_id', true);
BEGIN
    PERFORM set_config('app.practice_id', NEW.practice_id::text, true);
    INSERT INTO resource_versions (practice_id, resource, id, updated_at, snapshot)
        VALUES (NEW.practice_id, TG_ARGV[0], NEW.id, NEW.updated_at, to_jsonb(NEW));
    PERFORM set_config('app.practice_id', coalesce(was, ''), true);
    RETURN NULL;
END $$;

CREATE TRIGGER patients_version_insert AFTER INSERT ON patients
    FOR EACH ROW EXECUTE FUNCTION keep_resource_version('patient');
CREATE TRIGGER patients_version_update AFTER UPDATE ON patients
    FOR EACH ROW WHEN (NEW.updated_at IS DISTINCT FROM OLD.updated_at) EXECUTE FUNCTION keep_resource_version('patient');
CREATE TRIGGER appointments_version_insert AFTER INSERT ON appointments
    FOR EACH ROW EXECUTE FUNCTION keep_resource_version('appointment');
CREATE TRIGGER appointments_version_update AFTER UPDATE ON appointments
    FOR EACH ROW WHEN (NEW.updated_at IS DISTINCT FROM OLD.updated_at) EXECUTE FUNCTION keep_resource_version('appointment');
