-- Issue 13, item 3: FHIR Bulk Data exports. An export is asked for by a
-- member through a token (the requester: only they may poll, download or
-- cancel it); a River job writes its NDJSON files, one row per file of a
-- resource type, numbered from 1. Cancelling deletes the export and its
-- files. practice_id leads every key; RLS is forced.
CREATE TABLE bulk_exports (
    practice_id  uuid NOT NULL REFERENCES practices (id),
    id           uuid NOT NULL DEFAULT gen_random_uuid(),
    requester_id uuid NOT NULL REFERENCES users (id),
    token_id     uuid,
    level        text NOT NULL CHECK (level IN ('system', 'patient', 'group')),
    group_id     text NOT NULL DEFAULT '',
    types        text[] NOT NULL DEFAULT '{}',
    since        timestamptz,
    request      text NOT NULL,
    status       text NOT NULL DEFAULT 'accepted' CHECK (status IN ('accepted', 'in-progress', 'completed', 'failed')),
    progress     text NOT NULL DEFAULT '',
    error        text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL,
    started_at   timestamptz,
    finished_at  timestamptz,
    PRIMARY KEY (practice_id, id),
    CHECK ((level = 'group') = (group_id <> ''))
);
ALTER TABLE bulk_exports ENABLE ROW LEVEL SECURITY;
ALTER TABLE bulk_exports FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON bulk_exports USING (practice_id = current_practice_id()) WITH CHECK (practice_id = current_practice_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON bulk_exports TO medic_app;

CREATE TABLE bulk_export_files (
    practice_id uuid NOT NULL REFERENCES practices (id),
    export_id   uuid NOT NULL,
    type        text NOT NULL,
    seq         int NOT NULL CHECK (seq >= 1),
    count       int NOT NULL CHECK (count >= 0),
    content     bytea NOT NULL,
    PRIMARY KEY (practice_id, export_id, type, seq),
    FOREIGN KEY (practice_id, export_id) REFERENCES bulk_exports (practice_id, id) ON DELETE CASCADE
);
ALTER TABLE bulk_export_files ENABLE ROW LEVEL SECURITY;
ALTER TABLE bulk_export_files FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON bulk_export_files USING (practice_id = current_practice_id()) WITH CHECK (practice_id = current_practice_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON bulk_export_files TO medic_app;
