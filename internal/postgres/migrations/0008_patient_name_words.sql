-- Name search that the app role can run on an index under forced row-level
-- security. PostgreSQL may use only leakproof operators ahead of a policy,
-- and pg_trgm's (<%, %, LIKE) are not, so the trigram index of 0003 is
-- never used by medic_app: a search read every chart of the practice.
-- Instead, two tables hold what search looks up with = and range
-- comparisons on text (leakproof), kept by a trigger on patients in the
-- writing transaction:
--   patient_name_words: each word of a chart's name (prefix ranges on a
--     btree), with the chart's names to list matches in order straight
--     from the index;
--   patient_name_trigrams: the practice's vocabulary of name words, one
--     row per (trigram, word), per (typo key, word) and one per word with
--     trigram '', so typo-tolerant and infix matches are found among
--     distinct words (a few per query) rather than among charts.
-- docs/performance.md ("Name search at scale") has the reasoning and figures.

-- The words of a name as search splits them: lower-cased (the caller passes
-- search_name, already lower-cased), cut at spaces and the punctuation of
-- names (O'Brien, Smith-Jones, St. John). The store splits typed queries at
-- the same characters (nameSeparators in internal/postgres/patients.go).
CREATE FUNCTION patient_name_words_of(name text) RETURNS SETOF text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT DISTINCT w FROM regexp_split_to_table(name, '[ \t\n\r\f\v''’".,()/-]+') w WHERE w <> '' $$;

-- The keys that find a word from a typed prefix with one letter wrong,
-- missing or extra in its first three (a symmetric deletion neighbourhood):
-- '~' and the word's first three letters less one. Two three-letter starts
-- one edit apart share a key; levenshtein (fuzzystrmatch) then checks the
-- whole typed prefix.
CREATE EXTENSION IF NOT EXISTS fuzzystrmatch;
CREATE FUNCTION patient_name_typo_keys(word text) RETURNS SETOF text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT DISTINCT '~' || overlay(left(word, 3) PLACING '' FROM i FOR 1) FROM generate_series(1, 3) i WHERE char_length(word) >= 3 $$;

-- What patient_name_trigrams holds for a word: '' (the word itself), its
-- pg_trgm trigrams and its typo keys.
CREATE FUNCTION patient_name_word_keys(word text) RETURNS SETOF text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT '' UNION SELECT unnest(show_trgm(word)) UNION SELECT patient_name_typo_keys(word) $$;

CREATE TABLE patient_name_words (
    practice_id uuid NOT NULL,
    word        text COLLATE "C" NOT NULL,
    part        smallint NOT NULL CHECK (part IN (0, 1)), -- 0 a word of the family name, 1 only of the given names
    family      text NOT NULL, -- lower(family_name), to list in name order from the index
    given       text NOT NULL, -- lower(given_name)
    patient_id  uuid NOT NULL,
    PRIMARY KEY (practice_id, word, part, family, given, patient_id),
    FOREIGN KEY (practice_id, patient_id) REFERENCES patients (practice_id, id) ON DELETE CASCADE
);
-- A chart's words, read from the index alone (multi-word queries, a chart
-- listed under its best word only, the trigger's delete).
CREATE INDEX patient_name_words_patient_idx ON patient_name_words (practice_id, patient_id, part, word);
ALTER TABLE patient_name_words ENABLE ROW LEVEL SECURITY;
ALTER TABLE patient_name_words FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON patient_name_words USING (practice_id = current_practice_id()) WITH CHECK (practice_id = current_practice_id());

-- Which part of a name a word of it comes from: 0 the family name (search
-- lists family-name matches first), else 1.
CREATE FUNCTION patient_name_word_part(word text, family_name text) RETURNS smallint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT CASE WHEN word IN (SELECT patient_name_words_of(lower(family_name))) THEN 0 ELSE 1 END::smallint $$;

-- Words are added and never removed here: a word no chart uses any more
-- (after a rename) matches no chart, and removing it safely would need a
-- lock shared by every chart with that word.
CREATE TABLE patient_name_trigrams (
    practice_id uuid NOT NULL REFERENCES practices (id),
    trigram     text COLLATE "C" NOT NULL, -- a pg_trgm trigram of word, a typo key ('~..'), or '' for the word itself
    word        text COLLATE "C" NOT NULL,
    PRIMARY KEY (practice_id, trigram, word)
);
ALTER TABLE patient_name_trigrams ENABLE ROW LEVEL SECURITY;
ALTER TABLE patient_name_trigrams FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON patient_name_trigrams USING (practice_id = current_practice_id()) WITH CHECK (practice_id = current_practice_id());

-- Runs as the writer (medic_app under the practice's setting), so its rows
-- pass the same policies as the chart's.
CREATE FUNCTION patient_name_words_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.given_name = OLD.given_name AND NEW.family_name = OLD.family_name THEN
            RETURN NULL;
        END IF;
        DELETE FROM patient_name_words WHERE practice_id = OLD.practice_id AND patient_id = OLD.id;
    END IF;
    INSERT INTO patient_name_words (practice_id, word, part, family, given, patient_id)
    SELECT NEW.practice_id, w, patient_name_word_part(w, NEW.family_name), lower(NEW.family_name), lower(NEW.given_name), NEW.id
    FROM patient_name_words_of(NEW.search_name) w;
    INSERT INTO patient_name_trigrams (practice_id, trigram, word)
    SELECT NEW.practice_id, t, w
    FROM patient_name_words_of(NEW.search_name) w
    CROSS JOIN LATERAL patient_name_word_keys(w) t
    WHERE NOT EXISTS (SELECT 1 FROM patient_name_trigrams v WHERE v.practice_id = NEW.practice_id AND v.trigram = '' AND v.word = w)
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;

CREATE TRIGGER patient_name_words_sync AFTER INSERT OR UPDATE OF given_name, family_name ON patients
    FOR EACH ROW EXECUTE FUNCTION patient_name_words_sync();

GRANT SELECT, INSERT, UPDATE, DELETE ON patient_name_words, patient_name_trigrams TO medic_app;
REVOKE TRUNCATE ON patient_name_words, patient_name_trigrams FROM medic_app;

-- Existing charts, practice by practice: a migrating owner that is not a
-- superuser sees a practice's rows only under its setting (RLS is forced).
DO $$
DECLARE
    p uuid;
BEGIN
    FOR p IN SELECT id FROM practices LOOP
        PERFORM set_config('app.practice_id', p::text, true);
        INSERT INTO patient_name_words (practice_id, word, part, family, given, patient_id)
        SELECT practice_id, w, patient_name_word_part(w, family_name), lower(family_name), lower(given_name), id
        FROM patients CROSS JOIN LATERAL patient_name_words_of(search_name) w
        WHERE practice_id = p;
        INSERT INTO patient_name_trigrams (practice_id, trigram, word)
        SELECT DISTINCT p, t, w
        FROM (SELECT DISTINCT word AS w FROM patient_name_words WHERE practice_id = p) v
        CROSS JOIN LATERAL patient_name_word_keys(w) t;
    END LOOP;
    PERFORM set_config('app.practice_id', '', true);
END $$;

-- The GiST trigram index of 0003 served only the owner's queries.
DROP INDEX patients_practice_name_trgm_idx;
