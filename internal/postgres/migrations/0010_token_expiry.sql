-- Personal API tokens expire (issue 18): every token has an expiry, at most
-- a year after it was made (the app's rule), and its owner is emailed a
-- week before. Tokens made earlier without one get the default lifetime,
-- 90 days from this migration, so no integration stops without notice.
ALTER TABLE api_tokens ADD COLUMN expiry_notified_at timestamptz;

-- The owner updates rows of every practice: lifted for this statement only
-- (FORCE applies row-level security to the owner too).
ALTER TABLE api_tokens NO FORCE ROW LEVEL SECURITY;
UPDATE api_tokens SET expires_at = now() + interval '90 days' WHERE expires_at IS NULL;
ALTER TABLE api_tokens FORCE ROW LEVEL SECURITY;
ALTER TABLE api_tokens ALTER COLUMN expires_at SET NOT NULL;

-- The hourly expiry check reads, per practice, the live tokens not yet
-- announced, by expiry.
CREATE INDEX api_tokens_expiry_notice_idx ON api_tokens (practice_id, expires_at)
    WHERE expiry_notified_at IS NULL AND revoked_at IS NULL;
