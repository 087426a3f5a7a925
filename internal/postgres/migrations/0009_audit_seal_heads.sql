-- The sealer costs O(new events) (issue 10): instead of anti-joining the
-- whole log against its seals on every pass, it keeps a head per chain and
-- reads forward from it by an index range.
--
-- Ids are no good as a watermark: a bigserial id is taken before commit, so
-- an id below the last sealed one can still commit later. Each event now
-- records its writing transaction (xid, top-level, pg_current_xact_id()),
-- and the sealer reads in (xid, id) order up to the xmax of a snapshot,
-- skipping the transactions that snapshot shows in flight. Those it passes
-- are kept as gaps: read again, by xid, once they have ended.
--
-- Events written before this migration carry xid 0 (a catalog default, no
-- rewrite); each chain starts with one gap for xid 0, in which the sealer
-- skips what the old sealer had already sealed.
ALTER TABLE audit_events ADD COLUMN xid xid8 NOT NULL DEFAULT '0';
ALTER TABLE audit_events ALTER COLUMN xid SET DEFAULT pg_current_xact_id();
CREATE INDEX audit_events_seal_idx ON audit_events (practice_id, xid, id);

ALTER TABLE platform_events ADD COLUMN xid xid8 NOT NULL DEFAULT '0';
ALTER TABLE platform_events ALTER COLUMN xid SET DEFAULT pg_current_xact_id();
CREATE INDEX platform_events_seal_idx ON platform_events (xid, id);

-- A chain's head: every event ordered at or before (xid, event_id) is
-- sealed, except those of the gap transactions; gap_after[i] is the last
-- event id of gaps[i] sealed so far (a large transaction is sealed in
-- batches). Updated in the transaction that inserts the seals.
CREATE TABLE audit_seal_heads (
    practice_id uuid PRIMARY KEY REFERENCES practices (id),
    xid         xid8 NOT NULL DEFAULT '0',
    event_id    bigint NOT NULL DEFAULT 0,
    gaps        xid8[] NOT NULL DEFAULT '{}',
    gap_after   bigint[] NOT NULL DEFAULT '{}'
);
CREATE TABLE platform_seal_head (
    only_row  boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    xid       xid8 NOT NULL DEFAULT '0',
    event_id  bigint NOT NULL DEFAULT 0,
    gaps      xid8[] NOT NULL DEFAULT '{}',
    gap_after bigint[] NOT NULL DEFAULT '{}'
);

-- Existing logs: the head is past every xid 0 event, which form the gap.
INSERT INTO audit_seal_heads (practice_id, xid, event_id, gaps, gap_after)
    SELECT id, '0', 9223372036854775807, '{0}', '{0}' FROM practices;
INSERT INTO platform_seal_head (xid, event_id, gaps, gap_after)
    VALUES ('0', 9223372036854775807, '{0}', '{0}');

ALTER TABLE audit_seal_heads ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_seal_heads FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON audit_seal_heads USING (practice_id = current_practice_id()) WITH CHECK (practice_id = current_practice_id());
REVOKE DELETE, TRUNCATE ON audit_seal_heads, platform_seal_head FROM medic_app;
