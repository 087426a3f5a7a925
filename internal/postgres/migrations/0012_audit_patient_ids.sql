-- One audit event per page view or API request (issue 17 item 9, issue
-- 10): a list, a search or the dashboard records one event naming every
-- patient it showed, instead of one row per chart or appointment shown. The
-- log still answers "who saw whose data": an event is found by any patient
-- it names (patient_id, or one of patient_ids).
--
-- The default is a catalog constant: existing rows are not rewritten, and
-- they keep their seals' hashes (an empty patient_ids is not hashed).
ALTER TABLE audit_events ADD COLUMN patient_ids uuid[] NOT NULL DEFAULT '{}';
-- Only events that name patients this way are indexed (lookups say
-- cardinality(patient_ids) > 0 so the planner may use it).
CREATE INDEX audit_events_patient_ids_idx ON audit_events USING gin (patient_ids) WHERE cardinality(patient_ids) > 0;
