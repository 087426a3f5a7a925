-- Issue 11, item 6: lab and imaging orders made at an encounter and their
-- results. An order moves ordered -> collected -> resulted -> reviewed, or
-- is cancelled with a reason before it is resulted. A result keeps the
-- value as entered, its number when it is one, the reference range and
-- the flag the domain computed from them (medic.ComputeResultFlag).
CREATE TABLE orders (
    practice_id   uuid NOT NULL REFERENCES practices (id),
    id            uuid NOT NULL DEFAULT gen_random_uuid(),
    encounter_id  uuid NOT NULL,
    patient_id    uuid NOT NULL,
    kind          text NOT NULL CHECK (kind IN ('lab', 'imaging')),
    code          text NOT NULL CHECK (code <> ''),
    description   text NOT NULL CHECK (description <> ''),
    urgency       text NOT NULL DEFAULT 'routine' CHECK (urgency IN ('routine', 'urgent')),
    note          text NOT NULL DEFAULT '',
    status        text NOT NULL DEFAULT 'ordered' CHECK (status IN ('ordered', 'collected', 'resulted', 'reviewed', 'cancelled')),
    ordered_by    uuid REFERENCES users (id),
    ordered_at    timestamptz NOT NULL,
    collected_by  uuid REFERENCES users (id),
    collected_at  timestamptz,
    resulted_at   timestamptz,
    reviewed_by   uuid REFERENCES users (id),
    reviewed_at   timestamptz,
    cancelled_by  uuid REFERENCES users (id),
    cancelled_at  timestamptz,
    cancel_reason text NOT NULL DEFAULT '',
    PRIMARY KEY (practice_id, id),
    FOREIGN KEY (practice_id, encounter_id) REFERENCES encounters (practice_id, id),
    FOREIGN KEY (practice_id, patient_id) REFERENCES patients (practice_id, id),
    CHECK ((status = 'reviewed') = (reviewed_at IS NOT NULL)),
    CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL AND cancel_reason <> ''))
);
-- The outstanding list (oldest first) and the counts by status.
CREATE INDEX orders_status_idx ON orders (practice_id, status, ordered_at, id);
-- A doctor's results to review.
CREATE INDEX orders_review_idx ON orders (practice_id, ordered_by, status, ordered_at, id);
-- A chart's orders, newest first; an encounter's.
CREATE INDEX orders_patient_idx ON orders (practice_id, patient_id, ordered_at DESC, id DESC);
CREATE INDEX orders_encounter_idx ON orders (practice_id, encounter_id);
ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
ALTER TABLE orders FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON orders USING (practice_id = current_practice_id()) WITH CHECK (practice_id = current_practice_id());
GRANT SELECT, INSERT, UPDATE ON orders TO medic_app;
REVOKE DELETE, TRUNCATE ON orders FROM medic_app;

-- Results are appended, never edited: a correction is a new result.
CREATE TABLE order_results (
    practice_id    uuid NOT NULL REFERENCES practices (id),
    id             uuid NOT NULL DEFAULT gen_random_uuid(),
    seq            bigint GENERATED ALWAYS AS IDENTITY,
    order_id       uuid NOT NULL,
    patient_id     uuid NOT NULL,
    name           text NOT NULL DEFAULT '',
    value_text     text NOT NULL DEFAULT '',
    value_numeric  double precision,
    unit           text NOT NULL DEFAULT '',
    ref_low        double precision,
    ref_high       double precision,
    ref_text       text NOT NULL DEFAULT '',
    marked_abnormal boolean NOT NULL DEFAULT false,
    flag           text NOT NULL DEFAULT '' CHECK (flag IN ('', 'normal', 'low', 'high', 'abnormal')),
    report         text NOT NULL DEFAULT '',
    entered_by     uuid REFERENCES users (id),
    entered_at     timestamptz NOT NULL,
    PRIMARY KEY (practice_id, id),
    FOREIGN KEY (practice_id, order_id) REFERENCES orders (practice_id, id),
    FOREIGN KEY (practice_id, patient_id) REFERENCES patients (practice_id, id),
    CHECK (ref_low IS NULL OR ref_high IS NULL OR ref_low <= ref_high)
);
CREATE INDEX order_results_order_idx ON order_results (practice_id, order_id, seq);
CREATE INDEX order_results_patient_idx ON order_results (practice_id, patient_id, entered_at);
ALTER TABLE order_results ENABLE ROW LEVEL SECURITY;
ALTER TABLE order_results FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON order_results USING (practice_id = current_practice_id()) WITH CHECK (practice_id = current_practice_id());
GRANT SELECT, INSERT, UPDATE ON order_results TO medic_app;
REVOKE DELETE, TRUNCATE ON order_results FROM medic_app;
