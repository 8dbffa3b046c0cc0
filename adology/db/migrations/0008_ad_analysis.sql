-- Per-ad analysis bookkeeping: the version and inputs behind each stage's current result (so an
-- unchanged ad costs no AI call), and the reason a stage failed for an ad (so the run goes on and
-- the next run retries it).
CREATE TABLE ad_analysis_state (
    ad_id        bigint NOT NULL REFERENCES ads (id) ON DELETE CASCADE,
    stage        text NOT NULL CHECK (stage IN ('describe', 'label', 'embed')),
    version      text NOT NULL,
    input_hash   text NOT NULL,
    status       text NOT NULL CHECK (status IN ('succeeded', 'failed')),
    reason       text,
    detail       text,
    attempts     integer NOT NULL DEFAULT 1,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (ad_id, stage)
);
CREATE INDEX ad_analysis_failed ON ad_analysis_state (stage) WHERE status = 'failed';

-- Similarity search: one HNSW index per embedding model, on a cast to its dimensions (pgvector
-- needs a typed column to index). A model added later gets its index in a later migration.
CREATE INDEX ad_embeddings_wordllama_hnsw ON ad_embeddings
    USING hnsw ((embedding::vector(256)) vector_cosine_ops) WHERE model = 'wordllama-l2-256';
CREATE INDEX ad_embeddings_openai_small_hnsw ON ad_embeddings
    USING hnsw ((embedding::vector(1536)) vector_cosine_ops) WHERE model = 'text-embedding-3-small';
CREATE INDEX ad_embeddings_titan_text_hnsw ON ad_embeddings
    USING hnsw ((embedding::vector(1024)) vector_cosine_ops) WHERE model = 'amazon.titan-embed-text-v2:0';
