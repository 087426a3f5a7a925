-- Patients, practitioners, schedules, appointment types and appointments.
-- Every table is tenant-owned: practice_id leads every key, RLS is forced.

CREATE TABLE patients (
    practice_id        uuid NOT NULL REFERENCES practices (id),
    id                 uuid NOT NULL DEFAULT gen_random_uuid(),
    given_name         text NOT NULL,
    family_name        text NOT NULL,
    date_of_birth      date NOT NULL,
    sex                text NOT NULL DEFAULT 'unknown' CHECK (sex IN ('female', 'male', 'other', 'unknown')),
    id_number          text NOT NULL DEFAULT '',
    passport           text NOT NULL DEFAULT '',
    email              text NOT NULL DEFAULT '',
    phone              text NOT NULL DEFAULT '',
    address            text NOT NULL DEFAULT '',
    preferred_language text NOT NULL DEFAULT '',
    medical_aid        jsonb NOT NULL DEFAULT '{}',
    emergency_contacts jsonb NOT NULL DEFAULT '[]',
    allergies          text[] NOT NULL DEFAULT '{}',
    chronic_conditions text[] NOT NULL DEFAULT '{}',
    status             text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive', 'merged')),
    merged_into        uuid,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    -- What name search matches: "given family", lower-cased.
    search_name        text GENERATED ALWAYS AS (lower(given_name || ' ' || family_name)) STORED,
    PRIMARY KEY (practice_id, id),
    FOREIGN KEY (practice_id, merged_into) REFERENCES patients (practice_id, id)
);
CREATE INDEX patients_name_trgm_idx ON patients USING gin (search_name gin_trgm_ops);
CREATE INDEX patients_name_idx ON patients (practice_id, lower(family_name), lower(given_name), id);
CREATE INDEX patients_id_number_idx ON patients (practice_id, id_number) WHERE id_number <> '';
CREATE INDEX patients_email_idx ON patients (practice_id, email) WHERE email <> '';
CREATE INDEX patients_phone_idx ON patients (practice_id, phone) WHERE phone <> '';
CREATE INDEX patients_dob_idx ON patients (practice_id, date_of_birth);
CREATE INDEX patients_created_idx ON patients (practice_id, created_at DESC, id);
ALTER TABLE patients ENABLE ROW LEVEL SECURITY;
ALTER TABLE patients FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON patients USING (practice_id = current_practice_id()) WITH CHECK (practice_id = current_practice_id());

CREATE TABLE practitioners (
    practice_id         uuid NOT NULL REFERENCES practices (id),
    id                  uuid NOT NULL DEFAULT gen_random_uuid(),
    member_id           uuid,
    name                text NOT NULL,
    specialty           text NOT NULL DEFAULT '',
    registration_number text NOT NULL DEFAULT '',
    practice_number     text NOT NULL DEFAULT '',
    qualifications      text NOT NULL DEFAULT '',
    status              text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive', 'on_leave')),
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    PRIMARY KEY (practice_id, id),
    FOREIGN KEY (practice_id, member_id) REFERENCES members (practice_id, id),
    UNIQUE (practice_id, member_id)
);
ALTER TABLE practitioners ENABLE ROW LEVEL SECURITY;
ALTER TABLE practitioners FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON practitioners USING (practice_id = current_practice_id()) WITH CHECK (practice_id = current_practice_id());

CREATE TABLE practitioner_locations (
    practice_id     uuid NOT NULL REFERENCES practices (id),
    practitioner_id uuid NOT NULL,
    location_id     uuid NOT NULL,
    is_primary      boolean NOT NULL DEFAULT false,
    start_date      date NOT NULL,
    end_date        date,
    PRIMARY KEY (practice_id, practitioner_id, location_id),
    FOREIGN KEY (practice_id, practitioner_id) REFERENCES practitioners (practice_id, id) ON DELETE CASCADE,
    FOREIGN KEY (practice_id, location_id) REFERENCES locations (practice_id, id)
);
ALTER TABLE practitioner_locations ENABLE ROW LEVEL SECURITY;
ALTER TABLE practitioner_locations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON practitioner_locations USING (practice_id = current_practice_id()) WITH CHECK (practice_id = current_practice_id());

CREATE TABLE appointment_types (
    practice_id      uuid NOT NULL REFERENCES practices (id),
    id               uuid NOT NULL DEFAULT gen_random_uuid(),
    name             text NOT NULL,
    duration_minutes int NOT NULL CHECK (duration_minutes BETWEEN 5 AND 480),
    color            text NOT NULL DEFAULT '#1a6fb0',
    online_bookable  boolean NOT NULL DEFAULT false,
    active           boolean NOT NULL DEFAULT true,
    created_at       timestamptz NOT NULL,
    PRIMARY KEY (practice_id, id)
);
ALTER TABLE appointment_types ENABLE ROW LEVEL SECURITY;
ALTER TABLE appointment_types FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON appointment_types USING (practice_id = current_practice_id()) WITH CHECK (practice_id = current_practice_id());

CREATE TABLE schedule_rules (
    practice_id          uuid NOT NULL REFERENCES practices (id),
    id                   uuid NOT NULL DEFAULT gen_random_uuid(),
    practitioner_id      uuid NOT NULL,
    location_id          uuid NOT NULL,
    weekday              int NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    start_minute         int NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
    end_minute           int NOT NULL CHECK (end_minute BETWEEN 1 AND 1440 AND end_minute > start_minute),
    slot_minutes         int NOT NULL CHECK (slot_minutes BETWEEN 5 AND 480),
    capacity             int NOT NULL CHECK (capacity BETWEEN 1 AND 100),
    appointment_type_ids uuid[] NOT NULL DEFAULT '{}',
    effective_from       date NOT NULL,
    effective_to         date,
    created_at           timestamptz NOT NULL,
    PRIMARY KEY (practice_id, id),
    FOREIGN KEY (practice_id, practitioner_id) REFERENCES practitioners (practice_id, id),
    FOREIGN KEY (practice_id, location_id) REFERENCES locations (practice_id, id)
);
CREATE INDEX schedule_rules_practitioner_idx ON schedule_rules (practice_id, practitioner_id);
ALTER TABLE schedule_rules ENABLE ROW LEVEL SECURITY;
ALTER TABLE schedule_rules FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON schedule_rules USING (practice_id = current_practice_id()) WITH CHECK (practice_id = current_practice_id());

CREATE TABLE schedule_exceptions (
    practice_id     uuid NOT NULL REFERENCES practices (id),
    id              uuid NOT NULL DEFAULT gen_random_uuid(),
    practitioner_id uuid NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('leave', 'extra')),
    starts_at       timestamptz NOT NULL,
    ends_at         timestamptz NOT NULL CHECK (ends_at > starts_at),
    location_id     uuid,
    slot_minutes    int NOT NULL DEFAULT 0,
    capacity        int NOT NULL DEFAULT 0,
    reason          text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL,
    PRIMARY KEY (practice_id, id),
    FOREIGN KEY (practice_id, practitioner_id) REFERENCES practitioners (practice_id, id),
    FOREIGN KEY (practice_id, location_id) REFERENCES locations (practice_id, id)
);
CREATE INDEX schedule_exceptions_range_idx ON schedule_exceptions (practice_id, practitioner_id, starts_at);
ALTER TABLE schedule_exceptions ENABLE ROW LEVEL SECURITY;
ALTER TABLE schedule_exceptions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON schedule_exceptions USING (practice_id = current_practice_id()) WITH CHECK (practice_id = current_practice_id());

CREATE TABLE appointments (
    practice_id         uuid NOT NULL REFERENCES practices (id),
    id                  uuid NOT NULL DEFAULT gen_random_uuid(),
    patient_id          uuid NOT NULL,
    practitioner_id     uuid NOT NULL,
    location_id         uuid NOT NULL,
    appointment_type_id uuid NOT NULL,
    starts_at           timestamptz NOT NULL,
    ends_at             timestamptz NOT NULL CHECK (ends_at > starts_at),
    status              text NOT NULL DEFAULT 'booked'
                        CHECK (status IN ('booked', 'checked_in', 'in_progress', 'completed', 'cancelled', 'no_show')),
    source              text NOT NULL DEFAULT 'desk' CHECK (source IN ('desk', 'online')),
    notes               text NOT NULL DEFAULT '',
    cancel_reason       text NOT NULL DEFAULT '',
    overbooked          boolean NOT NULL DEFAULT false,
    overbook_reason     text NOT NULL DEFAULT '',
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    PRIMARY KEY (practice_id, id),
    FOREIGN KEY (practice_id, patient_id) REFERENCES patients (practice_id, id),
    FOREIGN KEY (practice_id, practitioner_id) REFERENCES practitioners (practice_id, id),
    FOREIGN KEY (practice_id, location_id) REFERENCES locations (practice_id, id),
    FOREIGN KEY (practice_id, appointment_type_id) REFERENCES appointment_types (practice_id, id),
    CHECK (NOT overbooked OR overbook_reason <> '')
);
CREATE INDEX appointments_practitioner_time_idx ON appointments (practice_id, practitioner_id, starts_at);
CREATE INDEX appointments_location_time_idx ON appointments (practice_id, location_id, starts_at);
CREATE INDEX appointments_time_idx ON appointments (practice_id, starts_at);
CREATE INDEX appointments_patient_idx ON appointments (practice_id, patient_id, starts_at DESC);
ALTER TABLE appointments ENABLE ROW LEVEL SECURITY;
ALTER TABLE appointments FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON appointments USING (practice_id = current_practice_id()) WITH CHECK (practice_id = current_practice_id());

-- The no-double-booking guarantee: one row per practitioner and slot start
-- counts the places taken; the CHECK refuses a count above the capacity, so
-- concurrent bookings of the last place cannot both commit. Overbooked
-- places (admin or doctor with a reason) are counted apart.
CREATE TABLE slot_places (
    practice_id     uuid NOT NULL REFERENCES practices (id),
    practitioner_id uuid NOT NULL,
    slot_start      timestamptz NOT NULL,
    capacity        int NOT NULL CHECK (capacity >= 1),
    booked          int NOT NULL DEFAULT 0,
    overbooked      int NOT NULL DEFAULT 0 CHECK (overbooked >= 0),
    CHECK (booked >= 0 AND booked <= capacity),
    PRIMARY KEY (practice_id, practitioner_id, slot_start),
    FOREIGN KEY (practice_id, practitioner_id) REFERENCES practitioners (practice_id, id)
);
ALTER TABLE slot_places ENABLE ROW LEVEL SECURITY;
ALTER TABLE slot_places FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON slot_places USING (practice_id = current_practice_id()) WITH CHECK (practice_id = current_practice_id());

-- Which slots each appointment holds, so cancelling or moving releases
-- exactly those places.
CREATE TABLE appointment_slots (
    practice_id     uuid NOT NULL REFERENCES practices (id),
    appointment_id  uuid NOT NULL,
    practitioner_id uuid NOT NULL,
    slot_start      timestamptz NOT NULL,
    overbooked      boolean NOT NULL DEFAULT false,
    PRIMARY KEY (practice_id, appointment_id, slot_start),
    FOREIGN KEY (practice_id, appointment_id) REFERENCES appointments (practice_id, id) ON DELETE CASCADE,
    FOREIGN KEY (practice_id, practitioner_id, slot_start) REFERENCES slot_places (practice_id, practitioner_id, slot_start)
);
ALTER TABLE appointment_slots ENABLE ROW LEVEL SECURITY;
ALTER TABLE appointment_slots FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON appointment_slots USING (practice_id = current_practice_id()) WITH CHECK (practice_id = current_practice_id());
