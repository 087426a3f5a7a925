-- Every mail a practice sends is recorded (issue 18, item 3): recipient,
-- subject, state, attempts and the last error's safe summary. The mail to
-- send (body, attachments) is kept only while it may still be sent; it is
-- erased once sent. River's job carries ids only.
CREATE TABLE mail_outbox (
    practice_id uuid NOT NULL REFERENCES practices (id),
    id          uuid NOT NULL DEFAULT gen_random_uuid(),
    seq         bigint GENERATED ALWAYS AS IDENTITY,
    recipient   text NOT NULL,
    subject     text NOT NULL,
    state       text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sent', 'failed')),
    attempts    integer NOT NULL DEFAULT 0,
    last_error  text NOT NULL DEFAULT '',
    mail        jsonb CHECK (state <> 'sent' OR mail IS NULL),
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    sent_at     timestamptz,
    PRIMARY KEY (practice_id, id)
);
CREATE INDEX mail_outbox_time_idx ON mail_outbox (practice_id, seq DESC);
CREATE INDEX mail_outbox_state_idx ON mail_outbox (practice_id, state, seq DESC);
ALTER TABLE mail_outbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE mail_outbox FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON mail_outbox USING (practice_id = current_practice_id()) WITH CHECK (practice_id = current_practice_id());
GRANT SELECT, INSERT, UPDATE ON mail_outbox TO medic_app;
REVOKE DELETE, TRUNCATE ON mail_outbox FROM medic_app;

-- A mail that could not be sent is announced to the practice's admins only.
ALTER TABLE notifications ADD COLUMN admin_only boolean NOT NULL DEFAULT false;
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
    CHECK (kind IN ('online_booking', 'online_cancellation', 'online_reschedule', 'mail_failed'));

-- The operator console counts failed mails per practice.
DROP FUNCTION practice_counts();
CREATE FUNCTION practice_counts()
RETURNS TABLE (practice_id uuid, members bigint, active_members bigint, locations bigint, audit_events bigint, failed_mails bigint)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    p uuid;
    saved text := current_setting('app.practice_id', true);
BEGIN
    FOR p IN SELECT id FROM practices ORDER BY name LOOP
        PERFORM set_config('app.practice_id', p::text, true);
        practice_id := p;
        SELECT count(*), count(*) FILTER (WHERE m.active) INTO members, active_members FROM members m WHERE m.practice_id = p;
        SELECT count(*) INTO locations FROM locations l WHERE l.practice_id = p;
        SELECT count(*) INTO audit_events FROM audit_events a WHERE a.practice_id = p;
        SELECT count(*) INTO failed_mails FROM mail_outbox o WHERE o.practice_id = p AND o.state = 'failed';
        RETURN NEXT;
    END LOOP;
    PERFORM set_config('app.practice_id', coalesce(saved, ''), true);
END $$;
