-- Issue 11, items 4 and 5: the ICD-10 catalog (platform: the WHO codes are
-- the same for every practice), its operator imports, and each chart's
-- allergies and problem list (tenant tables).

-- The WHO ICD-10 chapter a code belongs to, by the first characters of the
-- code (chapter ranges of the WHO 2019 edition). Imports that name no
-- chapter get this one.
CREATE FUNCTION icd10_chapter(code text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE
    WHEN c < 'C' THEN 'Certain infectious and parasitic diseases'
    WHEN c < 'D5' THEN 'Neoplasms'
    WHEN c < 'E' THEN 'Diseases of the blood and blood-forming organs and certain disorders involving the immune mechanism'
    WHEN c < 'F' THEN 'Endocrine, nutritional and metabolic diseases'
    WHEN c < 'G' THEN 'Mental and behavioural disorders'
    WHEN c < 'H' THEN 'Diseases of the nervous system'
    WHEN c < 'H6' THEN 'Diseases of the eye and adnexa'
    WHEN c < 'I' THEN 'Diseases of the ear and mastoid process'
    WHEN c < 'J' THEN 'Diseases of the circulatory system'
    WHEN c < 'K' THEN 'Diseases of the respiratory system'
    WHEN c < 'L' THEN 'Diseases of the digestive system'
    WHEN c < 'M' THEN 'Diseases of the skin and subcutaneous tissue'
    WHEN c < 'N' THEN 'Diseases of the musculoskeletal system and connective tissue'
    WHEN c < 'O' THEN 'Diseases of the genitourinary system'
    WHEN c < 'P' THEN 'Pregnancy, childbirth and the puerperium'
    WHEN c < 'Q' THEN 'Certain conditions originating in the perinatal period'
    WHEN c < 'R' THEN 'Congenital malformations, deformations and chromosomal abnormalities'
    WHEN c < 'S' THEN 'Symptoms, signs and abnormal clinical and laboratory findings, not elsewhere classified'
    WHEN c < 'U' THEN 'Injury, poisoning and certain other consequences of external causes'
    WHEN c < 'V' THEN 'Codes for special purposes'
    WHEN c < 'Z' THEN 'External causes of morbidity and mortality'
    ELSE 'Factors influencing health status and contact with health services'
END FROM (SELECT upper(code) COLLATE "C" AS c) v $$;

-- One row per code, as written with its dot ("E11.9"). code_key is the
-- code without the dot, so "e119", "E11.9" and "E11" (as a prefix) find it
-- through one btree; search_title is the title as search compares it.
-- valid_clinical: may be used as a diagnosis at all (a three-character
-- category with subdivisions may not); valid_primary: may be the primary
-- diagnosis (in South Africa, not an external cause, V01-Y98).
CREATE TABLE icd10_codes (
    code           text COLLATE "C" PRIMARY KEY CHECK (code ~ '^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$'),
    code_key       text COLLATE "C" GENERATED ALWAYS AS (replace(code, '.', '')) STORED NOT NULL UNIQUE,
    title          text NOT NULL CHECK (title <> ''),
    search_title   text GENERATED ALWAYS AS (lower(title)) STORED NOT NULL,
    chapter        text NOT NULL,
    valid_clinical boolean NOT NULL DEFAULT true,
    valid_primary  boolean NOT NULL DEFAULT true,
    -- 'starter' (the set below, written for Medic) or 'import' (an operator's file).
    source         text NOT NULL CHECK (source IN ('starter', 'import')),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
-- Problem-list text matched to a catalog title (see the triggers below).
CREATE INDEX icd10_codes_title_idx ON icd10_codes (search_title);

-- Word search reads two small indexes instead of trigram-matching every
-- title: icd10_words holds each word of each title (a typed word's prefix
-- is a btree range), icd10_vocabulary each distinct word once, with a
-- trigram index to find a typed word with a typo among a few thousand
-- words rather than tens of thousands of titles. Kept by trigger; a word
-- no title uses any more stays in the vocabulary and finds nothing.
CREATE TABLE icd10_words (
    word text COLLATE "C" NOT NULL,
    code text COLLATE "C" NOT NULL REFERENCES icd10_codes (code) ON DELETE CASCADE,
    PRIMARY KEY (word, code)
);
CREATE INDEX icd10_words_code_idx ON icd10_words (code);
CREATE TABLE icd10_vocabulary (
    word text COLLATE "C" PRIMARY KEY
);
CREATE INDEX icd10_vocabulary_trgm_idx ON icd10_vocabulary USING gin (word gin_trgm_ops);

-- The words of a title as search splits them (the store splits typed
-- queries the same way: at anything but a letter or digit).
CREATE FUNCTION icd10_words_of(title text) RETURNS SETOF text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT DISTINCT w FROM regexp_split_to_table(lower(title), '[^[:alnum:]]+') w WHERE w <> '' $$;

CREATE FUNCTION icd10_words_sync() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        DELETE FROM icd10_words WHERE code = OLD.code;
    END IF;
    INSERT INTO icd10_words (word, code) SELECT w, NEW.code FROM icd10_words_of(NEW.title) w;
    INSERT INTO icd10_vocabulary (word) SELECT w FROM icd10_words_of(NEW.title) w ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
CREATE TRIGGER icd10_words_sync AFTER INSERT OR UPDATE OF title ON icd10_codes
    FOR EACH ROW EXECUTE FUNCTION icd10_words_sync();

-- An operator's import of a code table from CSV. The uploaded file is kept
-- only until the import job has read it; the first rejected rows are kept
-- with their line numbers for the report.
CREATE TABLE icd10_imports (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seq           bigint GENERATED ALWAYS AS IDENTITY,
    filename      text NOT NULL,
    state         text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'failed')),
    data          bytea CHECK (state IN ('queued', 'running') OR data IS NULL),
    size_bytes    bigint NOT NULL,
    read_bytes    bigint NOT NULL DEFAULT 0,
    rows_read     integer NOT NULL DEFAULT 0,
    rows_saved    integer NOT NULL DEFAULT 0,
    rows_rejected integer NOT NULL DEFAULT 0,
    rejections    jsonb NOT NULL DEFAULT '[]',
    error         text NOT NULL DEFAULT '',
    created_by    uuid NOT NULL REFERENCES users (id),
    created_at    timestamptz NOT NULL,
    started_at    timestamptz,
    finished_at   timestamptz
);
CREATE INDEX icd10_imports_seq_idx ON icd10_imports (seq DESC);
GRANT SELECT, INSERT, UPDATE ON icd10_codes, icd10_imports, icd10_vocabulary TO medic_app;
GRANT SELECT, INSERT, DELETE ON icd10_words TO medic_app;
REVOKE DELETE, TRUNCATE ON icd10_codes, icd10_imports, icd10_vocabulary FROM medic_app;
REVOKE TRUNCATE ON icd10_words FROM medic_app;

-- The starter set: common South African primary-care codes, titles written
-- for Medic (not copied from a licensed list). An operator import adds the
-- rest and may replace these titles.
INSERT INTO icd10_codes (code, title, chapter, valid_primary, source)
SELECT code, title, icd10_chapter(code), valid_primary, 'starter'
FROM (VALUES
    ('A01.0', 'Typhoid fever', true),
    ('A02.0', 'Salmonella enteritis', true),
    ('A03.9', 'Shigellosis, unspecified', true),
    ('A06.0', 'Acute amoebic dysentery', true),
    ('A07.1', 'Giardiasis', true),
    ('A08.0', 'Rotavirus enteritis', true),
    ('A08.4', 'Viral intestinal infection, unspecified', true),
    ('A09.0', 'Other and unspecified gastroenteritis and colitis of infectious origin', true),
    ('A09.9', 'Gastroenteritis and colitis of unspecified origin', true),
    ('A15.0', 'Tuberculosis of lung, confirmed by sputum microscopy', true),
    ('A15.3', 'Tuberculosis of lung, confirmed by unspecified means', true),
    ('A16.2', 'Tuberculosis of lung, without mention of bacteriological or histological confirmation', true),
    ('A16.9', 'Respiratory tuberculosis, not confirmed, unspecified', true),
    ('A17.0', 'Tuberculous meningitis', true),
    ('A18.2', 'Tuberculous peripheral lymphadenopathy', true),
    ('A19.9', 'Miliary tuberculosis, unspecified', true),
    ('A37.9', 'Whooping cough, unspecified', true),
    ('A38', 'Scarlet fever', true),
    ('A46', 'Erysipelas', true),
    ('A49.9', 'Bacterial infection, unspecified', true),
    ('A51.0', 'Primary genital syphilis', true),
    ('A53.9', 'Syphilis, unspecified', true),
    ('A54.9', 'Gonococcal infection, unspecified', true),
    ('A56.0', 'Chlamydial infection of lower genitourinary tract', true),
    ('A59.0', 'Urogenital trichomoniasis', true),
    ('A60.0', 'Herpesviral infection of genitalia and urogenital tract', true),
    ('A63.0', 'Anogenital (venereal) warts', true),
    ('A64', 'Sexually transmitted disease, unspecified', true),
    ('A69.2', 'Lyme disease', true),
    ('A77.1', 'Tick bite fever (spotted fever due to Rickettsia conorii)', true),
    ('A90', 'Dengue fever', true),
    ('B00.1', 'Herpesviral vesicular dermatitis (cold sores)', true),
    ('B00.2', 'Herpesviral gingivostomatitis and pharyngotonsillitis', true),
    ('B01.9', 'Chickenpox without complication', true),
    ('B02.9', 'Shingles (zoster) without complication', true),
    ('B05.9', 'Measles without complication', true),
    ('B06.9', 'Rubella without complication', true),
    ('B07', 'Viral warts', true),
    ('B08.1', 'Molluscum contagiosum', true),
    ('B08.4', 'Hand, foot and mouth disease', true),
    ('B15.9', 'Hepatitis A without hepatic coma', true),
    ('B16.9', 'Acute hepatitis B without delta-agent and without hepatic coma', true),
    ('B18.1', 'Chronic viral hepatitis B without delta-agent', true),
    ('B18.2', 'Chronic viral hepatitis C', true),
    ('B20.0', 'HIV disease resulting in mycobacterial infection', true),
    ('B20.7', 'HIV disease resulting in multiple infections', true),
    ('B22.7', 'HIV disease resulting in multiple diseases classified elsewhere', true),
    ('B23.0', 'Acute HIV infection syndrome', true),
    ('B24', 'Unspecified human immunodeficiency virus (HIV) disease', true),
    ('B26.9', 'Mumps without complication', true),
    ('B27.9', 'Infectious mononucleosis, unspecified', true),
    ('B30.9', 'Viral conjunctivitis, unspecified', true),
    ('B34.9', 'Viral infection, unspecified', true),
    ('B35.0', 'Tinea of the scalp (tinea capitis)', true),
    ('B35.1', 'Tinea of the nails (onychomycosis)', true),
    ('B35.3', 'Tinea of the foot (athlete''s foot)', true),
    ('B35.4', 'Tinea of the body (tinea corporis)', true),
    ('B35.6', 'Tinea of the groin (tinea cruris)', true),
    ('B36.0', 'Pityriasis versicolor', true),
    ('B37.0', 'Oral candidiasis (thrush)', true),
    ('B37.2', 'Candidiasis of skin and nails', true),
    ('B37.3', 'Candidiasis of vulva and vagina', true),
    ('B37.9', 'Candidiasis, unspecified', true),
    ('B45.1', 'Cryptococcal meningitis', true),
    ('B50.9', 'Plasmodium falciparum malaria, unspecified', true),
    ('B54', 'Malaria, unspecified', true),
    ('B65.9', 'Schistosomiasis (bilharzia), unspecified', true),
    ('B77.9', 'Ascariasis, unspecified', true),
    ('B80', 'Enterobiasis (pinworm)', true),
    ('B82.9', 'Intestinal parasitism, unspecified', true),
    ('B85.0', 'Head lice (pediculosis capitis)', true),
    ('B86', 'Scabies', true),
    ('B99', 'Other and unspecified infectious diseases', true),
    ('C18.9', 'Malignant neoplasm of colon, unspecified', true),
    ('C34.9', 'Malignant neoplasm of bronchus or lung, unspecified', true),
    ('C44.9', 'Malignant neoplasm of skin, unspecified', true),
    ('C46.9', 'Kaposi sarcoma, unspecified', true),
    ('C50.9', 'Malignant neoplasm of breast, unspecified', true),
    ('C53.9', 'Malignant neoplasm of cervix uteri, unspecified', true),
    ('C61', 'Malignant neoplasm of prostate', true),
    ('D17.9', 'Benign lipomatous neoplasm (lipoma), unspecified', true),
    ('D22.9', 'Melanocytic naevus, unspecified', true),
    ('D25.9', 'Leiomyoma of uterus (fibroid), unspecified', true),
    ('D50.0', 'Iron deficiency anaemia secondary to chronic blood loss', true),
    ('D50.9', 'Iron deficiency anaemia, unspecified', true),
    ('D51.9', 'Vitamin B12 deficiency anaemia, unspecified', true),
    ('D52.9', 'Folate deficiency anaemia, unspecified', true),
    ('D57.1', 'Sickle-cell disease without crisis', true),
    ('D64.9', 'Anaemia, unspecified', true),
    ('D69.6', 'Thrombocytopenia, unspecified', true),
    ('D70', 'Agranulocytosis (neutropenia)', true),
    ('E03.9', 'Hypothyroidism, unspecified', true),
    ('E04.9', 'Nontoxic goitre, unspecified', true),
    ('E05.9', 'Thyrotoxicosis (hyperthyroidism), unspecified', true),
    ('E06.3', 'Autoimmune (Hashimoto) thyroiditis', true),
    ('E10.1', 'Type 1 diabetes mellitus with ketoacidosis', true),
    ('E10.6', 'Type 1 diabetes mellitus with other specified complications', true),
    ('E10.9', 'Type 1 diabetes mellitus without complications', true),
    ('E11.2', 'Type 2 diabetes mellitus with kidney complications', true),
    ('E11.3', 'Type 2 diabetes mellitus with eye complications', true),
    ('E11.4', 'Type 2 diabetes mellitus with nerve complications', true),
    ('E11.5', 'Type 2 diabetes mellitus with circulatory complications', true),
    ('E11.6', 'Type 2 diabetes mellitus with other specified complications', true),
    ('E11.7', 'Type 2 diabetes mellitus with multiple complications', true),
    ('E11.8', 'Type 2 diabetes mellitus with unspecified complications', true),
    ('E11.9', 'Type 2 diabetes mellitus without complications', true),
    ('E13.9', 'Other specified diabetes mellitus without complications', true),
    ('E14.9', 'Diabetes mellitus, unspecified, without complications', true),
    ('E16.2', 'Hypoglycaemia, unspecified', true),
    ('E28.2', 'Polycystic ovary syndrome', true),
    ('E34.3', 'Short stature, not elsewhere classified', true),
    ('E40', 'Kwashiorkor', true),
    ('E41', 'Nutritional marasmus', true),
    ('E44.0', 'Moderate protein-energy malnutrition', true),
    ('E46', 'Protein-energy malnutrition, unspecified', true),
    ('E55.9', 'Vitamin D deficiency, unspecified', true),
    ('E66.0', 'Obesity due to excess calories', true),
    ('E66.9', 'Obesity, unspecified', true),
    ('E78.0', 'Pure hypercholesterolaemia', true),
    ('E78.5', 'Hyperlipidaemia, unspecified', true),
    ('E79.0', 'Hyperuricaemia without gout', true),
    ('E86', 'Volume depletion (dehydration)', true),
    ('E87.6', 'Hypokalaemia', true),
    ('F10.2', 'Alcohol dependence syndrome', true),
    ('F12.2', 'Cannabis dependence syndrome', true),
    ('F15.2', 'Stimulant (including methamphetamine) dependence syndrome', true),
    ('F17.2', 'Tobacco (nicotine) dependence syndrome', true),
    ('F20.9', 'Schizophrenia, unspecified', true),
    ('F31.9', 'Bipolar affective disorder, unspecified', true),
    ('F32.0', 'Mild depressive episode', true),
    ('F32.1', 'Moderate depressive episode', true),
    ('F32.9', 'Depressive episode, unspecified', true),
    ('F33.9', 'Recurrent depressive disorder, unspecified', true),
    ('F41.0', 'Panic disorder', true),
    ('F41.1', 'Generalized anxiety disorder', true),
    ('F41.2', 'Mixed anxiety and depressive disorder', true),
    ('F43.1', 'Post-traumatic stress disorder', true),
    ('F43.2', 'Adjustment disorders', true),
    ('F51.0', 'Insomnia not due to a physical cause', true),
    ('F80.9', 'Developmental disorder of speech and language, unspecified', true),
    ('F84.0', 'Childhood autism', true),
    ('F90.0', 'Attention-deficit hyperactivity disorder, inattentive and hyperactive', true),
    ('G40.9', 'Epilepsy, unspecified', true),
    ('G43.9', 'Migraine, unspecified', true),
    ('G44.2', 'Tension-type headache', true),
    ('G45.9', 'Transient cerebral ischaemic attack, unspecified', true),
    ('G47.3', 'Sleep apnoea', true),
    ('G51.0', 'Bell''s palsy', true),
    ('G56.0', 'Carpal tunnel syndrome', true),
    ('G62.9', 'Polyneuropathy, unspecified', true),
    ('G80.9', 'Cerebral palsy, unspecified', true),
    ('H00.0', 'Hordeolum (stye) and other deep inflammation of eyelid', true),
    ('H01.0', 'Blepharitis', true),
    ('H10.0', 'Mucopurulent conjunctivitis', true),
    ('H10.1', 'Acute atopic (allergic) conjunctivitis', true),
    ('H10.9', 'Conjunctivitis, unspecified', true),
    ('H25.9', 'Senile cataract, unspecified', true),
    ('H40.9', 'Glaucoma, unspecified', true),
    ('H52.1', 'Myopia', true),
    ('H52.4', 'Presbyopia', true),
    ('H60.3', 'Other infective otitis externa', true),
    ('H60.9', 'Otitis externa, unspecified', true),
    ('H61.2', 'Impacted cerumen (ear wax)', true),
    ('H65.9', 'Nonsuppurative otitis media, unspecified', true),
    ('H66.0', 'Acute suppurative otitis media', true),
    ('H66.9', 'Otitis media, unspecified', true),
    ('H72.9', 'Perforation of tympanic membrane, unspecified', true),
    ('H81.1', 'Benign paroxysmal vertigo', true),
    ('H91.9', 'Hearing loss, unspecified', true),
    ('I05.9', 'Mitral valve disease (rheumatic), unspecified', true),
    ('I09.9', 'Rheumatic heart disease, unspecified', true),
    ('I10', 'Essential (primary) hypertension', true),
    ('I11.9', 'Hypertensive heart disease without heart failure', true),
    ('I12.9', 'Hypertensive kidney disease without kidney failure', true),
    ('I20.9', 'Angina pectoris, unspecified', true),
    ('I21.9', 'Acute myocardial infarction, unspecified', true),
    ('I25.9', 'Chronic ischaemic heart disease, unspecified', true),
    ('I26.9', 'Pulmonary embolism without acute cor pulmonale', true),
    ('I42.0', 'Dilated cardiomyopathy', true),
    ('I48', 'Atrial fibrillation and flutter', true),
    ('I49.9', 'Cardiac arrhythmia, unspecified', true),
    ('I50.0', 'Congestive heart failure', true),
    ('I50.9', 'Heart failure, unspecified', true),
    ('I63.9', 'Cerebral infarction, unspecified', true),
    ('I64', 'Stroke, not specified as haemorrhage or infarction', true),
    ('I69.4', 'Sequelae of stroke', true),
    ('I80.2', 'Deep vein thrombosis of other deep vessels of lower limbs', true),
    ('I83.9', 'Varicose veins of lower limbs without ulcer or inflammation', true),
    ('I84.9', 'Haemorrhoids without complication', true),
    ('I95.9', 'Hypotension, unspecified', true),
    ('J00', 'Acute nasopharyngitis (common cold)', true),
    ('J01.9', 'Acute sinusitis, unspecified', true),
    ('J02.0', 'Streptococcal pharyngitis', true),
    ('J02.9', 'Acute pharyngitis, unspecified', true),
    ('J03.0', 'Streptococcal tonsillitis', true),
    ('J03.9', 'Acute tonsillitis, unspecified', true),
    ('J04.0', 'Acute laryngitis', true),
    ('J05.0', 'Acute obstructive laryngitis (croup)', true),
    ('J06.9', 'Acute upper respiratory infection, unspecified', true),
    ('J10.1', 'Influenza with other respiratory manifestations, seasonal virus identified', true),
    ('J11.1', 'Influenza with other respiratory manifestations, virus not identified', true),
    ('J12.9', 'Viral pneumonia, unspecified', true),
    ('J13', 'Pneumonia due to Streptococcus pneumoniae', true),
    ('J15.9', 'Bacterial pneumonia, unspecified', true),
    ('J18.0', 'Bronchopneumonia, unspecified', true),
    ('J18.9', 'Pneumonia, unspecified', true),
    ('J20.9', 'Acute bronchitis, unspecified', true),
    ('J21.9', 'Acute bronchiolitis, unspecified', true),
    ('J30.1', 'Allergic rhinitis due to pollen (hay fever)', true),
    ('J30.4', 'Allergic rhinitis, unspecified', true),
    ('J31.0', 'Chronic rhinitis', true),
    ('J32.9', 'Chronic sinusitis, unspecified', true),
    ('J35.0', 'Chronic tonsillitis', true),
    ('J35.2', 'Hypertrophy of adenoids', true),
    ('J40', 'Bronchitis, not specified as acute or chronic', true),
    ('J42', 'Unspecified chronic bronchitis', true),
    ('J43.9', 'Emphysema, unspecified', true),
    ('J44.1', 'Chronic obstructive pulmonary disease with acute exacerbation', true),
    ('J44.9', 'Chronic obstructive pulmonary disease, unspecified', true),
    ('J45.0', 'Predominantly allergic asthma', true),
    ('J45.9', 'Asthma, unspecified', true),
    ('J46', 'Status asthmaticus (acute severe asthma)', true),
    ('J47', 'Bronchiectasis', true),
    ('J65', 'Pneumoconiosis associated with tuberculosis', true),
    ('J69.0', 'Pneumonitis due to inhaled food or vomit', true),
    ('J90', 'Pleural effusion, not elsewhere classified', true),
    ('J98.0', 'Diseases of bronchus, not elsewhere classified', true),
    ('K02.9', 'Dental caries, unspecified', true),
    ('K04.7', 'Periapical (dental) abscess without sinus', true),
    ('K05.1', 'Chronic gingivitis', true),
    ('K12.0', 'Recurrent oral aphthae (mouth ulcers)', true),
    ('K21.0', 'Gastro-oesophageal reflux disease with oesophagitis', true),
    ('K21.9', 'Gastro-oesophageal reflux disease without oesophagitis', true),
    ('K25.9', 'Gastric ulcer, unspecified', true),
    ('K26.9', 'Duodenal ulcer, unspecified', true),
    ('K29.7', 'Gastritis, unspecified', true),
    ('K30', 'Dyspepsia (indigestion)', true),
    ('K35.8', 'Acute appendicitis, other and unspecified', true),
    ('K40.9', 'Unilateral inguinal hernia without obstruction or gangrene', true),
    ('K42.9', 'Umbilical hernia without obstruction or gangrene', true),
    ('K52.9', 'Noninfective gastroenteritis and colitis, unspecified', true),
    ('K58.9', 'Irritable bowel syndrome without diarrhoea', true),
    ('K59.0', 'Constipation', true),
    ('K60.2', 'Anal fissure, unspecified', true),
    ('K64.9', 'Haemorrhoids, unspecified', true),
    ('K70.3', 'Alcoholic cirrhosis of liver', true),
    ('K74.6', 'Other and unspecified cirrhosis of liver', true),
    ('K76.0', 'Fatty (change of) liver, not elsewhere classified', true),
    ('K80.2', 'Gallstones (calculus of gallbladder) without cholecystitis', true),
    ('K81.0', 'Acute cholecystitis', true),
    ('K85.9', 'Acute pancreatitis, unspecified', true),
    ('L01.0', 'Impetigo', true),
    ('L02.9', 'Cutaneous abscess, furuncle and carbuncle, unspecified', true),
    ('L03.1', 'Cellulitis of other parts of limb', true),
    ('L03.9', 'Cellulitis, unspecified', true),
    ('L08.9', 'Local infection of skin and subcutaneous tissue, unspecified', true),
    ('L20.9', 'Atopic dermatitis (eczema), unspecified', true),
    ('L21.0', 'Seborrhoea capitis (cradle cap)', true),
    ('L22', 'Napkin (diaper) dermatitis', true),
    ('L23.9', 'Allergic contact dermatitis, unspecified cause', true),
    ('L24.9', 'Irritant contact dermatitis, unspecified cause', true),
    ('L25.9', 'Contact dermatitis, unspecified', true),
    ('L28.2', 'Prurigo (papular urticaria)', true),
    ('L30.9', 'Dermatitis, unspecified', true),
    ('L40.0', 'Psoriasis vulgaris', true),
    ('L50.9', 'Urticaria, unspecified', true),
    ('L60.0', 'Ingrowing nail', true),
    ('L70.0', 'Acne vulgaris', true),
    ('L72.1', 'Trichilemmal (sebaceous) cyst', true),
    ('L80', 'Vitiligo', true),
    ('L89.9', 'Pressure ulcer, unspecified', true),
    ('L97', 'Ulcer of lower limb, not elsewhere classified', true),
    ('M06.9', 'Rheumatoid arthritis, unspecified', true),
    ('M10.9', 'Gout, unspecified', true),
    ('M13.9', 'Arthritis, unspecified', true),
    ('M15.9', 'Polyarthrosis (generalised osteoarthritis), unspecified', true),
    ('M16.9', 'Osteoarthritis of hip, unspecified', true),
    ('M17.9', 'Osteoarthritis of knee, unspecified', true),
    ('M19.9', 'Osteoarthritis, unspecified', true),
    ('M25.5', 'Pain in joint', true),
    ('M32.9', 'Systemic lupus erythematosus, unspecified', true),
    ('M43.6', 'Torticollis', true),
    ('M54.2', 'Neck pain (cervicalgia)', true),
    ('M54.4', 'Lumbago with sciatica', true),
    ('M54.5', 'Low back pain', true),
    ('M54.9', 'Back pain, unspecified', true),
    ('M65.4', 'Radial styloid tenosynovitis (de Quervain)', true),
    ('M75.1', 'Rotator cuff syndrome', true),
    ('M77.1', 'Lateral epicondylitis (tennis elbow)', true),
    ('M79.1', 'Myalgia', true),
    ('M79.6', 'Pain in limb', true),
    ('M81.9', 'Osteoporosis, unspecified', true),
    ('N10', 'Acute pyelonephritis', true),
    ('N18.9', 'Chronic kidney disease, unspecified', true),
    ('N19', 'Unspecified kidney failure', true),
    ('N20.0', 'Calculus of kidney', true),
    ('N23', 'Unspecified renal colic', true),
    ('N30.0', 'Acute cystitis', true),
    ('N34.1', 'Nonspecific urethritis', true),
    ('N39.0', 'Urinary tract infection, site not specified', true),
    ('N40', 'Hyperplasia of prostate', true),
    ('N41.0', 'Acute prostatitis', true),
    ('N45.9', 'Orchitis and epididymitis without abscess', true),
    ('N47', 'Redundant prepuce, phimosis and paraphimosis', true),
    ('N63', 'Unspecified lump in breast', true),
    ('N64.4', 'Mastodynia (breast pain)', true),
    ('N70.9', 'Salpingitis and oophoritis, unspecified', true),
    ('N73.9', 'Female pelvic inflammatory disease, unspecified', true),
    ('N76.0', 'Acute vaginitis', true),
    ('N77.1', 'Vaginitis, vulvitis and vulvovaginitis in infectious diseases', true),
    ('N89.8', 'Other specified noninflammatory disorders of vagina (vaginal discharge)', true),
    ('N91.2', 'Amenorrhoea, unspecified', true),
    ('N92.0', 'Excessive and frequent menstruation with regular cycle', true),
    ('N94.6', 'Dysmenorrhoea, unspecified', true),
    ('N95.1', 'Menopausal and female climacteric states', true),
    ('N97.9', 'Female infertility, unspecified', true),
    ('O02.1', 'Missed abortion', true),
    ('O03.9', 'Spontaneous abortion, complete or unspecified, without complication', true),
    ('O10.0', 'Pre-existing essential hypertension complicating pregnancy, childbirth and the puerperium', true),
    ('O13', 'Gestational (pregnancy-induced) hypertension without significant proteinuria', true),
    ('O14.9', 'Pre-eclampsia, unspecified', true),
    ('O20.0', 'Threatened abortion', true),
    ('O21.0', 'Mild hyperemesis gravidarum', true),
    ('O23.4', 'Unspecified infection of urinary tract in pregnancy', true),
    ('O24.4', 'Diabetes mellitus arising in pregnancy', true),
    ('O26.9', 'Pregnancy-related condition, unspecified', true),
    ('O36.5', 'Maternal care for known or suspected poor fetal growth', true),
    ('O47.9', 'False labour, unspecified', true),
    ('O98.7', 'HIV disease complicating pregnancy, childbirth and the puerperium', true),
    ('O99.0', 'Anaemia complicating pregnancy, childbirth and the puerperium', true),
    ('P07.3', 'Other preterm infants', true),
    ('P22.9', 'Respiratory distress of newborn, unspecified', true),
    ('P59.9', 'Neonatal jaundice, unspecified', true),
    ('P92.9', 'Feeding problem of newborn, unspecified', true),
    ('Q21.0', 'Ventricular septal defect', true),
    ('Q53.9', 'Undescended testicle, unspecified', true),
    ('Q90.9', 'Down syndrome, unspecified', true),
    ('R00.0', 'Tachycardia, unspecified', true),
    ('R03.0', 'Elevated blood-pressure reading, without diagnosis of hypertension', true),
    ('R04.0', 'Epistaxis (nosebleed)', true),
    ('R05', 'Cough', true),
    ('R06.0', 'Dyspnoea (shortness of breath)', true),
    ('R06.2', 'Wheezing', true),
    ('R07.4', 'Chest pain, unspecified', true),
    ('R10.1', 'Pain localised to upper abdomen', true),
    ('R10.4', 'Other and unspecified abdominal pain', true),
    ('R11', 'Nausea and vomiting', true),
    ('R19.7', 'Diarrhoea, unspecified', true),
    ('R21', 'Rash and other nonspecific skin eruption', true),
    ('R31', 'Unspecified haematuria', true),
    ('R42', 'Dizziness and giddiness', true),
    ('R50.9', 'Fever, unspecified', true),
    ('R51', 'Headache', true),
    ('R53', 'Malaise and fatigue', true),
    ('R55', 'Syncope and collapse (fainting)', true),
    ('R56.0', 'Febrile convulsions', true),
    ('R59.0', 'Localised enlarged lymph nodes', true),
    ('R62.8', 'Other lack of expected normal physiological development (failure to thrive)', true),
    ('R63.4', 'Abnormal weight loss', true),
    ('R73.0', 'Abnormal glucose tolerance test', true),
    ('R73.9', 'Hyperglycaemia, unspecified', true),
    ('R79.8', 'Other specified abnormal findings of blood chemistry', true),
    ('R87.6', 'Abnormal cytological findings in specimens from female genital organs (abnormal Pap smear)', true),
    ('S00.9', 'Superficial injury of head, part unspecified', true),
    ('S01.9', 'Open wound of head, part unspecified', true),
    ('S06.0', 'Concussion', true),
    ('S09.9', 'Unspecified injury of head', true),
    ('S13.4', 'Sprain and strain of cervical spine (whiplash)', true),
    ('S42.0', 'Fracture of clavicle', true),
    ('S52.5', 'Fracture of lower end of radius', true),
    ('S60.9', 'Superficial injury of wrist and hand, unspecified', true),
    ('S61.9', 'Open wound of wrist and hand, part unspecified', true),
    ('S62.6', 'Fracture of other finger', true),
    ('S63.5', 'Sprain and strain of wrist', true),
    ('S81.9', 'Open wound of lower leg, part unspecified', true),
    ('S82.6', 'Fracture of lateral malleolus', true),
    ('S83.6', 'Sprain and strain of other and unspecified parts of knee', true),
    ('S93.4', 'Sprain and strain of ankle', true),
    ('T14.0', 'Superficial injury of unspecified body region', true),
    ('T14.1', 'Open wound of unspecified body region', true),
    ('T15.9', 'Foreign body on external eye, part unspecified', true),
    ('T30.0', 'Burn of unspecified body region, unspecified degree', true),
    ('T30.2', 'Burn of unspecified body region, second degree', true),
    ('T63.0', 'Toxic effect of snake venom', true),
    ('T63.4', 'Toxic effect of venom of other arthropods (insect bites and stings)', true),
    ('T78.3', 'Angioneurotic oedema', true),
    ('T78.4', 'Allergy, unspecified', true),
    ('T88.7', 'Unspecified adverse effect of drug or medicament', true),
    ('V89.2', 'Person injured in unspecified motor-vehicle accident, traffic', false),
    ('W19.9', 'Unspecified fall, unspecified place', false),
    ('W54.9', 'Bitten or struck by dog, unspecified place', false),
    ('W57.9', 'Bitten or stung by nonvenomous insect and other nonvenomous arthropods, unspecified place', false),
    ('X20.9', 'Contact with venomous snakes and lizards, unspecified place', false),
    ('X85.9', 'Assault by drugs, medicaments and biological substances, unspecified place', false),
    ('Y04.9', 'Assault by bodily force, unspecified place', false),
    ('Z00.0', 'General medical examination', true),
    ('Z00.1', 'Routine child health examination', true),
    ('Z01.4', 'Gynaecological examination (general) (routine)', true),
    ('Z02.7', 'Issue of medical certificate', true),
    ('Z09.9', 'Follow-up examination after unspecified treatment for other conditions', true),
    ('Z11.1', 'Special screening examination for respiratory tuberculosis', true),
    ('Z11.4', 'Special screening examination for human immunodeficiency virus (HIV)', true),
    ('Z12.4', 'Special screening examination for neoplasm of cervix', true),
    ('Z13.1', 'Special screening examination for diabetes mellitus', true),
    ('Z20.6', 'Contact with and exposure to human immunodeficiency virus (HIV)', true),
    ('Z21', 'Asymptomatic human immunodeficiency virus (HIV) infection status', true),
    ('Z22.7', 'Latent tuberculosis', true),
    ('Z23.5', 'Need for immunization against tetanus alone', true),
    ('Z24.6', 'Need for immunization against viral hepatitis', true),
    ('Z25.1', 'Need for immunization against influenza', true),
    ('Z27.8', 'Need for immunization against other combinations of infectious diseases', true),
    ('Z29.2', 'Other prophylactic chemotherapy', true),
    ('Z30.0', 'General counselling and advice on contraception', true),
    ('Z30.4', 'Surveillance of contraceptive drugs', true),
    ('Z30.5', 'Surveillance of (intrauterine) contraceptive device', true),
    ('Z32.1', 'Pregnancy confirmed', true),
    ('Z33', 'Pregnant state, incidental', true),
    ('Z34.0', 'Supervision of normal first pregnancy', true),
    ('Z34.8', 'Supervision of other normal pregnancy', true),
    ('Z34.9', 'Supervision of normal pregnancy, unspecified', true),
    ('Z35.9', 'Supervision of high-risk pregnancy, unspecified', true),
    ('Z36.9', 'Antenatal screening, unspecified', true),
    ('Z39.2', 'Routine postpartum follow-up', true),
    ('Z71.1', 'Person with feared complaint in whom no diagnosis is made', true),
    ('Z71.3', 'Dietary counselling and surveillance', true),
    ('Z71.7', 'Human immunodeficiency virus (HIV) counselling', true),
    ('Z72.0', 'Tobacco use', true),
    ('Z76.0', 'Issue of repeat prescription', true),
    ('Z76.2', 'Health supervision and care of other healthy infant and child', true),
    ('Z86.1', 'Personal history of infectious and parasitic diseases (such as tuberculosis)', true),
    ('Z88.0', 'Personal history of allergy to penicillin', true),
    ('Z92.1', 'Personal history of long-term (current) use of anticoagulants', true)
) v (code, title, valid_primary)
ON CONFLICT (code) DO NOTHING;

-- A chart's allergies. Free-text entries from before this migration are
-- moved here with severity 'moderate' (their severity was never recorded:
-- not 'mild', which would play a risk down, nor 'severe', which would put
-- every old entry in the warning banner) and no recorder.
CREATE TABLE patient_allergies (
    practice_id uuid NOT NULL REFERENCES practices (id),
    id          uuid NOT NULL DEFAULT gen_random_uuid(),
    seq         bigint GENERATED ALWAYS AS IDENTITY,
    patient_id  uuid NOT NULL,
    substance   text NOT NULL CHECK (substance <> ''),
    reaction    text NOT NULL DEFAULT '',
    severity    text NOT NULL CHECK (severity IN ('mild', 'moderate', 'severe')),
    status      text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive', 'entered_in_error')),
    recorded_by uuid REFERENCES users (id),
    recorded_at timestamptz NOT NULL,
    updated_by  uuid REFERENCES users (id),
    updated_at  timestamptz NOT NULL,
    PRIMARY KEY (practice_id, id),
    FOREIGN KEY (practice_id, patient_id) REFERENCES patients (practice_id, id)
);
CREATE INDEX patient_allergies_patient_idx ON patient_allergies (practice_id, patient_id, seq);
-- One active entry per substance on a chart.
CREATE UNIQUE INDEX patient_allergies_active_idx ON patient_allergies (practice_id, patient_id, lower(substance)) WHERE status = 'active';
ALTER TABLE patient_allergies ENABLE ROW LEVEL SECURITY;
ALTER TABLE patient_allergies FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON patient_allergies USING (practice_id = current_practice_id()) WITH CHECK (practice_id = current_practice_id());

-- "No known allergies" is a statement someone made, not an empty list.
-- Recording an active allergy withdraws it.
CREATE TABLE patient_no_known_allergies (
    practice_id uuid NOT NULL REFERENCES practices (id),
    patient_id  uuid NOT NULL,
    recorded_by uuid REFERENCES users (id),
    recorded_at timestamptz NOT NULL,
    PRIMARY KEY (practice_id, patient_id),
    FOREIGN KEY (practice_id, patient_id) REFERENCES patients (practice_id, id)
);
ALTER TABLE patient_no_known_allergies ENABLE ROW LEVEL SECURITY;
ALTER TABLE patient_no_known_allergies FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON patient_no_known_allergies USING (practice_id = current_practice_id()) WITH CHECK (practice_id = current_practice_id());

-- The problem list. code is NULL only for free-text entries from before
-- coding (moved here by this migration, or typed in the chart form); title
-- is the catalog title when coded.
CREATE TABLE patient_conditions (
    practice_id uuid NOT NULL REFERENCES practices (id),
    id          uuid NOT NULL DEFAULT gen_random_uuid(),
    seq         bigint GENERATED ALWAYS AS IDENTITY,
    patient_id  uuid NOT NULL,
    code        text COLLATE "C" REFERENCES icd10_codes (code),
    title       text NOT NULL CHECK (title <> ''),
    onset       date,
    status      text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'resolved')),
    note        text NOT NULL DEFAULT '',
    recorded_by uuid REFERENCES users (id),
    recorded_at timestamptz NOT NULL,
    updated_by  uuid REFERENCES users (id),
    updated_at  timestamptz NOT NULL,
    PRIMARY KEY (practice_id, id),
    FOREIGN KEY (practice_id, patient_id) REFERENCES patients (practice_id, id)
);
CREATE INDEX patient_conditions_patient_idx ON patient_conditions (practice_id, patient_id, seq);
ALTER TABLE patient_conditions ENABLE ROW LEVEL SECURITY;
ALTER TABLE patient_conditions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON patient_conditions USING (practice_id = current_practice_id()) WITH CHECK (practice_id = current_practice_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON patient_allergies, patient_no_known_allergies, patient_conditions TO medic_app;
REVOKE TRUNCATE ON patient_allergies, patient_no_known_allergies, patient_conditions FROM medic_app;

-- The structured records are the source; the chart's allergies and
-- chronic_conditions lists (the Patient JSON fields) are derived from them
-- by trigger: the active substances and the active problems' titles, in
-- the order recorded.
CREATE FUNCTION patient_lists_from_records() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE patients p SET
        allergies = coalesce((SELECT array_agg(a.substance ORDER BY a.seq) FROM patient_allergies a
            WHERE a.practice_id = NEW.practice_id AND a.patient_id = NEW.patient_id AND a.status = 'active'), '{}'),
        chronic_conditions = coalesce((SELECT array_agg(c.title ORDER BY c.seq) FROM patient_conditions c
            WHERE c.practice_id = NEW.practice_id AND c.patient_id = NEW.patient_id AND c.status = 'active'), '{}')
    WHERE p.practice_id = NEW.practice_id AND p.id = NEW.patient_id;
    IF TG_OP = 'UPDATE' AND OLD.patient_id <> NEW.patient_id THEN
        UPDATE patients p SET
            allergies = coalesce((SELECT array_agg(a.substance ORDER BY a.seq) FROM patient_allergies a
                WHERE a.practice_id = OLD.practice_id AND a.patient_id = OLD.patient_id AND a.status = 'active'), '{}'),
            chronic_conditions = coalesce((SELECT array_agg(c.title ORDER BY c.seq) FROM patient_conditions c
                WHERE c.practice_id = OLD.practice_id AND c.patient_id = OLD.patient_id AND c.status = 'active'), '{}')
        WHERE p.practice_id = OLD.practice_id AND p.id = OLD.patient_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER patient_allergies_lists AFTER INSERT OR UPDATE ON patient_allergies
    FOR EACH ROW EXECUTE FUNCTION patient_lists_from_records();
CREATE TRIGGER patient_conditions_lists AFTER INSERT OR UPDATE ON patient_conditions
    FOR EACH ROW EXECUTE FUNCTION patient_lists_from_records();

-- The other way: a chart saved with the lists (the patient form and the
-- Patient JSON fields, kept working) records what was added (allergy
-- severity 'moderate', as for migrated entries; a problem coded when its
-- text is a catalog title) and makes inactive (resolved) what was taken
-- off, as the user in app.user_id. Updates made by the trigger above
-- (depth > 1) are the derived lists themselves and are skipped.
CREATE FUNCTION patient_records_from_lists() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    who uuid := NULLIF(current_setting('app.user_id', true), '')::uuid;
BEGIN
    IF pg_trigger_depth() > 1 THEN
        RETURN NULL;
    END IF;
    UPDATE patient_allergies a SET status = 'inactive', updated_by = who, updated_at = now()
    WHERE a.practice_id = NEW.practice_id AND a.patient_id = NEW.id AND a.status = 'active'
      AND lower(a.substance) <> ALL (SELECT lower(x) FROM unnest(NEW.allergies) x);
    INSERT INTO patient_allergies (practice_id, patient_id, substance, severity, recorded_by, recorded_at, updated_at)
    SELECT NEW.practice_id, NEW.id, x, 'moderate', who, now(), now()
    FROM (SELECT DISTINCT ON (lower(x)) x, n FROM unnest(NEW.allergies) WITH ORDINALITY u (x, n)
          WHERE btrim(x) <> '' ORDER BY lower(x), n) v
    WHERE NOT EXISTS (SELECT 1 FROM patient_allergies a WHERE a.practice_id = NEW.practice_id AND a.patient_id = NEW.id
                        AND a.status = 'active' AND lower(a.substance) = lower(v.x))
    ORDER BY n;
    UPDATE patient_conditions c SET status = 'resolved', updated_by = who, updated_at = now()
    WHERE c.practice_id = NEW.practice_id AND c.patient_id = NEW.id AND c.status = 'active'
      AND lower(c.title) <> ALL (SELECT lower(x) FROM unnest(NEW.chronic_conditions) x);
    INSERT INTO patient_conditions (practice_id, patient_id, code, title, recorded_by, recorded_at, updated_at)
    SELECT NEW.practice_id, NEW.id,
           (SELECT k.code FROM icd10_codes k WHERE k.search_title = lower(v.x) AND k.valid_clinical ORDER BY k.code LIMIT 1),
           x, who, now(), now()
    FROM (SELECT DISTINCT ON (lower(x)) x, n FROM unnest(NEW.chronic_conditions) WITH ORDINALITY u (x, n)
          WHERE btrim(x) <> '' ORDER BY lower(x), n) v
    WHERE NOT EXISTS (SELECT 1 FROM patient_conditions c WHERE c.practice_id = NEW.practice_id AND c.patient_id = NEW.id
                        AND c.status = 'active' AND lower(c.title) = lower(v.x))
    ORDER BY n;
    RETURN NULL;
END $$;
CREATE TRIGGER patient_records_from_lists_insert AFTER INSERT ON patients
    FOR EACH ROW EXECUTE FUNCTION patient_records_from_lists();
CREATE TRIGGER patient_records_from_lists_update AFTER UPDATE OF allergies, chronic_conditions ON patients
    FOR EACH ROW WHEN (OLD.allergies IS DISTINCT FROM NEW.allergies OR OLD.chronic_conditions IS DISTINCT FROM NEW.chronic_conditions)
    EXECUTE FUNCTION patient_records_from_lists();

-- Existing free-text entries, practice by practice (RLS is forced even for
-- a migrating owner that is not a superuser). Merged charts keep theirs.
DO $$
DECLARE
    p uuid;
BEGIN
    FOR p IN SELECT id FROM practices LOOP
        PERFORM set_config('app.practice_id', p::text, true);
        INSERT INTO patient_allergies (practice_id, patient_id, substance, severity, recorded_at, updated_at)
        SELECT DISTINCT ON (pt.id, lower(x)) pt.practice_id, pt.id, btrim(x), 'moderate', pt.updated_at, pt.updated_at
        FROM patients pt CROSS JOIN LATERAL unnest(pt.allergies) WITH ORDINALITY u (x, n)
        WHERE pt.practice_id = p AND btrim(x) <> ''
        ORDER BY pt.id, lower(x), n;
        INSERT INTO patient_conditions (practice_id, patient_id, code, title, recorded_at, updated_at)
        SELECT DISTINCT ON (pt.id, lower(x)) pt.practice_id, pt.id,
               (SELECT k.code FROM icd10_codes k WHERE k.search_title = lower(btrim(x)) AND k.valid_clinical ORDER BY k.code LIMIT 1),
               btrim(x), pt.updated_at, pt.updated_at
        FROM patients pt CROSS JOIN LATERAL unnest(pt.chronic_conditions) WITH ORDINALITY u (x, n)
        WHERE pt.practice_id = p AND btrim(x) <> ''
        ORDER BY pt.id, lower(x), n;
    END LOOP;
    PERFORM set_config('app.practice_id', '', true);
END $$;
