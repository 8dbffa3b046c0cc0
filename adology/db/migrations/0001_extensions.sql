-- pgvector for embeddings; pgcrypto is built in since PostgreSQL 13 (gen_random_uuid), citext for emails.
CREATE EXTENSION IF NOT EXISTS vector;
CREATE EXTENSION IF NOT EXISTS citext;

-- One trigger function keeps every table's updated_at honest.
CREATE OR REPLACE FUNCTION touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;
