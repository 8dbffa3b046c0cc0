-- The API server's tenancy (issue 20): logins, tokens, who may use which brandspace, brand lookups.

-- One email is one login: a person working for two customers uses two emails (the product
-- documents' rule), so the login form needs no organization field.
ALTER TABLE users DROP CONSTRAINT users_organization_id_email_key;
ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);
-- argon2id in PHC string form; NULL: the user cannot log in (no password set yet)
ALTER TABLE users ADD COLUMN password_hash text;

-- Bearer tokens: only a SHA-256 of the token is kept, so a copy of the table logs nobody in.
-- Deleting a user deletes its tokens; logging out revokes one.
CREATE TABLE api_tokens (
    token_hash  bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz
);
CREATE INDEX api_tokens_by_user ON api_tokens (user_id);

-- Failed logins per email and per client address, read by the login rate limit; kept in Postgres so
-- every API process counts the same attempts.
CREATE TABLE login_failures (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subject  text NOT NULL,  -- 'email:<lowercased email>' or 'address:<client ip>'
    at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_recent ON login_failures (subject, at);

-- The brandspaces a member may use; admins use every brandspace of their organization.
CREATE TABLE brandspace_members (
    brandspace_id  uuid NOT NULL REFERENCES brandspaces (id) ON DELETE CASCADE,
    user_id        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    added_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (brandspace_id, user_id)
);
CREATE INDEX brandspace_members_by_user ON brandspace_members (user_id);

-- A brand lookup: what a user typed and the candidates the sources proposed, private to the
-- organization; confirming one candidate registers (or finds) the brand with its handles.
CREATE TABLE brand_lookups (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id   uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id           uuid REFERENCES users (id) ON DELETE SET NULL,
    query             jsonb NOT NULL,
    candidates        jsonb NOT NULL,
    failures          jsonb NOT NULL DEFAULT '{}'::jsonb,
    confirmed_brand_id bigint REFERENCES brands (id) ON DELETE SET NULL,
    created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX brand_lookups_by_organization ON brand_lookups (organization_id, created_at DESC);

-- The API's reads: brand search by name, a brandspace's requests, an organization's notification
-- stream resumed after an id, a brand's ads newest first, and free text.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX brands_name_trgm ON brands USING gin (name gin_trgm_ops);
CREATE INDEX requests_by_organization ON requests (organization_id, created_at DESC, id);
CREATE INDEX notifications_stream ON notifications (organization_id, id);
CREATE INDEX ads_by_brand_id ON ads (brand_id, id DESC);
-- Free text over an ad's copy and its description, by words (English stemming), from one GIN index
-- on ads: the copy's tsvector is generated, the description's is copied onto the ad by a trigger
-- whenever a description is written. One indexed expression on one table gives the planner word
-- statistics to choose by: for a common word it walks the newest ads and stops at a page, for a rare
-- one it reads the matches from the index. (Matching the description in its own table made every
-- query collect all of a word's matches first: 50-110 ms at 200,000 ads in bench-api.)
ALTER TABLE ads ADD COLUMN copy_search tsvector
    GENERATED ALWAYS AS (to_tsvector('english', coalesce(title, '') || ' ' || coalesce(body, ''))) STORED;
ALTER TABLE ads ADD COLUMN description_search tsvector;
CREATE INDEX ads_text_search ON ads USING gin ((copy_search || coalesce(description_search, ''::tsvector)));

CREATE FUNCTION ads_take_description_words() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE ads SET description_search = to_tsvector('english', NEW.description) WHERE id = NEW.ad_id;
    RETURN NULL;
END;
$$;
CREATE TRIGGER ad_descriptions_words AFTER INSERT OR UPDATE OF description ON ad_descriptions
    FOR EACH ROW EXECUTE FUNCTION ads_take_description_words();
