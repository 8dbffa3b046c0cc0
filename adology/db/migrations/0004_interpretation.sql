-- Interpretation: per-ad AI results, keyed by ad and by the version that produced them, so
-- re-analysis under a new model, prompt or taxonomy is explicit and the old result stays.
CREATE TABLE ad_descriptions (
    ad_id             bigint NOT NULL REFERENCES ads (id) ON DELETE CASCADE,
    analysis_version  text NOT NULL,
    description       text NOT NULL,
    word_count        integer NOT NULL CHECK (word_count BETWEEN 0 AND 500),
    attributes        jsonb NOT NULL DEFAULT '{}'::jsonb,
    provider          text NOT NULL,
    model             text NOT NULL,
    prompt_version    text NOT NULL,
    input_hash        text NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (ad_id, analysis_version)
);

CREATE TABLE ad_labels (
    ad_id             bigint NOT NULL REFERENCES ads (id) ON DELETE CASCADE,
    taxonomy          text NOT NULL CHECK (taxonomy IN ('UNIVERSAL', 'TREND')),
    taxonomy_version  text NOT NULL,
    label             text NOT NULL,
    confidence        real NOT NULL CHECK (confidence >= 0 AND confidence <= 1),
    provider          text NOT NULL,
    model             text NOT NULL,
    input_hash        text NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (ad_id, taxonomy, taxonomy_version, label)
);
CREATE INDEX ad_labels_by_label ON ad_labels (taxonomy, label);

-- Dimensions differ by model, so the column is untyped; each model gets its own HNSW index on a
-- typed cast (added with the model), which is how pgvector indexes mixed-dimension tables.
CREATE TABLE ad_embeddings (
    ad_id       bigint NOT NULL REFERENCES ads (id) ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('text', 'visual', 'retrieval')),
    model       text NOT NULL,
    dimensions  integer NOT NULL CHECK (dimensions > 0),
    embedding   vector NOT NULL CHECK (vector_dims(embedding) = dimensions),
    input_hash  text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (ad_id, kind, model)
);
