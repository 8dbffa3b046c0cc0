-- OpenAI's text-embedding-3 models and Titan text v2 return several sizes (OpenAI's `dimensions`,
-- Titan's 256/512/1024). One HNSW index per model *and* size, so rows of the configured size never
-- meet a cast to another (which would fail the insert), and a smaller size costs its own, smaller
-- index: an HNSW insert computes distances over every dimension, so 512 dimensions index about
-- three times faster than 1536.
DROP INDEX ad_embeddings_openai_small_hnsw;
DROP INDEX ad_embeddings_titan_text_hnsw;
CREATE INDEX ad_embeddings_openai_small_512_hnsw ON ad_embeddings
    USING hnsw ((embedding::vector(512)) vector_cosine_ops)
    WHERE model = 'text-embedding-3-small' AND dimensions = 512;
CREATE INDEX ad_embeddings_openai_small_1536_hnsw ON ad_embeddings
    USING hnsw ((embedding::vector(1536)) vector_cosine_ops)
    WHERE model = 'text-embedding-3-small' AND dimensions = 1536;
CREATE INDEX ad_embeddings_titan_text_256_hnsw ON ad_embeddings
    USING hnsw ((embedding::vector(256)) vector_cosine_ops)
    WHERE model = 'amazon.titan-embed-text-v2:0' AND dimensions = 256;
CREATE INDEX ad_embeddings_titan_text_512_hnsw ON ad_embeddings
    USING hnsw ((embedding::vector(512)) vector_cosine_ops)
    WHERE model = 'amazon.titan-embed-text-v2:0' AND dimensions = 512;
CREATE INDEX ad_embeddings_titan_text_1024_hnsw ON ad_embeddings
    USING hnsw ((embedding::vector(1024)) vector_cosine_ops)
    WHERE model = 'amazon.titan-embed-text-v2:0' AND dimensions = 1024;
