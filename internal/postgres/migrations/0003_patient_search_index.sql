-- Name search is always within one practice: a GiST index on (practice_id,
-- name trigrams) finds a practice's matches without scanning every chart of
-- every practice that shares a trigram.
CREATE INDEX patients_practice_name_trgm_idx ON patients USING gist (practice_id, search_name gist_trgm_ops);
DROP INDEX patients_name_trgm_idx;
