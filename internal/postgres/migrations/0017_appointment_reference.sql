-- An appointment's reference (issue 17) is the last eight hex digits of its
-- id, shown to the patient and the desk ("Reference 4F2A9C1E") and found by
-- the desk's search: looked up per practice by this expression.
CREATE INDEX appointments_reference_idx ON appointments (practice_id, right(id::text, 8));
