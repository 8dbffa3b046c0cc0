-- An HNSW index serves one search: nearest neighbours of one kind of vector, and the search the
-- product runs is over interpretations (kind 'retrieval': the description). The text and visual
-- kinds are read by brand (clustering, comparisons within a brandspace), scans that no HNSW index
-- serves. So each index now holds the retrieval vectors of its model and size only:
-- - every insert of a text vector no longer pays an HNSW insert (half of the embed stage's
--   Postgres CPU in the benchmark);
-- - a search filtered on kind = 'retrieval' matches the index predicate, so no candidate the index
--   returns is filtered away afterwards (before, half of them were text vectors, which cut recall).
-- A feature that searches another kind adds its own partial index.
DROP INDEX ad_embeddings_wordllama_hnsw;
DROP INDEX ad_embeddings_openai_small_512_hnsw;
DROP INDEX ad_embeddings_openai_small_1536_hnsw;
DROP INDEX ad_embeddings_titan_text_256_hnsw;
DROP INDEX ad_embeddings_titan_text_512_hnsw;
DROP INDEX ad_embeddings_titan_text_1024_hnsw;
CREATE INDEX ad_embeddings_wordllama_hnsw ON ad_embeddings
    USING hnsw ((embedding::halfvec(256)) halfvec_cosine_ops)
    WHERE kind = 'retrieval' AND model = 'wordllama-l2-256';
CREATE INDEX ad_embeddings_openai_small_512_hnsw ON ad_embeddings
    USING hnsw ((embedding::halfvec(512)) halfvec_cosine_ops)
    WHERE kind = 'retrieval' AND model = 'text-embedding-3-small' AND dimensions = 512;
CREATE INDEX ad_embeddings_openai_small_1536_hnsw ON ad_embeddings
    USING hnsw ((embedding::halfvec(1536)) halfvec_cosine_ops)
    WHERE kind = 'retrieval' AND model = 'text-embedding-3-small' AND dimensions = 1536;
CREATE INDEX ad_embeddings_titan_text_256_hnsw ON ad_embeddings
    USING hnsw ((embedding::halfvec(256)) halfvec_cosine_ops)
    WHERE kind = 'retrieval' AND model = 'amazon.titan-embed-text-v2:0' AND dimensions = 256;
CREATE INDEX ad_embeddings_titan_text_512_hnsw ON ad_embeddings
    USING hnsw ((embedding::halfvec(512)) halfvec_cosine_ops)
    WHERE kind = 'retrieval' AND model = 'amazon.titan-embed-text-v2:0' AND dimensions = 512;
CREATE INDEX ad_embeddings_titan_text_1024_hnsw ON ad_embeddings
    USING hnsw ((embedding::halfvec(1024)) halfvec_cosine_ops)
    WHERE kind = 'retrieval' AND model = 'amazon.titan-embed-text-v2:0' AND dimensions = 1024;
