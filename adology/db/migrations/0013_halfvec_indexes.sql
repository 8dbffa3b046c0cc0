-- The HNSW indexes hold each vector at half precision (pgvector's halfvec); the column keeps full
-- precision. An insert into a 512-dimension index costs about a quarter less CPU (measured: 3.0 ms
-- -> 2.2 ms a row on this project's benchmark machine), the index is half the size, and cosine
-- ranking over unit vectors is unchanged at the precision search needs. A search casts to the
-- same type: ORDER BY embedding::halfvec(512) <=> query::halfvec(512).
DROP INDEX ad_embeddings_wordllama_hnsw;
DROP INDEX ad_embeddings_openai_small_512_hnsw;
DROP INDEX ad_embeddings_openai_small_1536_hnsw;
DROP INDEX ad_embeddings_titan_text_256_hnsw;
DROP INDEX ad_embeddings_titan_text_512_hnsw;
DROP INDEX ad_embeddings_titan_text_1024_hnsw;
CREATE INDEX ad_embeddings_wordllama_hnsw ON ad_embeddings
    USING hnsw ((embedding::halfvec(256)) halfvec_cosine_ops) WHERE model = 'wordllama-l2-256';
CREATE INDEX ad_embeddings_openai_small_512_hnsw ON ad_embeddings
    USING hnsw ((embedding::halfvec(512)) halfvec_cosine_ops)
    WHERE model = 'text-embedding-3-small' AND dimensions = 512;
CREATE INDEX ad_embeddings_openai_small_1536_hnsw ON ad_embeddings
    USING hnsw ((embedding::halfvec(1536)) halfvec_cosine_ops)
    WHERE model = 'text-embedding-3-small' AND dimensions = 1536;
CREATE INDEX ad_embeddings_titan_text_256_hnsw ON ad_embeddings
    USING hnsw ((embedding::halfvec(256)) halfvec_cosine_ops)
    WHERE model = 'amazon.titan-embed-text-v2:0' AND dimensions = 256;
CREATE INDEX ad_embeddings_titan_text_512_hnsw ON ad_embeddings
    USING hnsw ((embedding::halfvec(512)) halfvec_cosine_ops)
    WHERE model = 'amazon.titan-embed-text-v2:0' AND dimensions = 512;
CREATE INDEX ad_embeddings_titan_text_1024_hnsw ON ad_embeddings
    USING hnsw ((embedding::halfvec(1024)) halfvec_cosine_ops)
    WHERE model = 'amazon.titan-embed-text-v2:0' AND dimensions = 1024;
