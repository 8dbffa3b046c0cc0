-- The spine: brands and their ads, shared by every organization.
CREATE TABLE brands (
    id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    partition_key          text NOT NULL UNIQUE CHECK (partition_key ~ '^[a-z0-9][a-z0-9-]{0,127}$'),
    name                   text NOT NULL,
    category               text,
    status                 text NOT NULL DEFAULT 'tracked' CHECK (status IN ('tracked', 'analyzed')),
    refresh_interval       interval NOT NULL DEFAULT interval '1 day',
    last_acquired_at       timestamptz,
    last_analyzed_at       timestamptz,
    next_refresh_at        timestamptz NOT NULL DEFAULT '-infinity',  -- kept by brands_schedule_refresh
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now()
);
-- The spine schedule asks "which brands are due?" (next_refresh_at <= now()): one index answers it.
-- timestamptz + interval is not immutable, so the due time is a column a trigger keeps, not an expression index.
CREATE INDEX brands_due ON brands (next_refresh_at);

CREATE FUNCTION brands_schedule_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.next_refresh_at := coalesce(NEW.last_acquired_at + NEW.refresh_interval, '-infinity');
    RETURN NEW;
END;
$$;
CREATE TRIGGER brands_refresh BEFORE INSERT OR UPDATE OF last_acquired_at, refresh_interval ON brands
    FOR EACH ROW EXECUTE FUNCTION brands_schedule_refresh();

-- Where a brand's ads come from: a source and the brand's handle there (page id, advertiser id, ...).
CREATE TABLE brand_sources (
    brand_id    bigint NOT NULL REFERENCES brands (id) ON DELETE CASCADE,
    source      text NOT NULL CHECK (source IN ('meta', 'apify', 'serpapi')),
    handle      text NOT NULL CHECK (length(handle) > 0),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (brand_id, source, handle)
);

CREATE TABLE brandspace_brands (
    brandspace_id  uuid NOT NULL REFERENCES brandspaces (id) ON DELETE CASCADE,
    brand_id       bigint NOT NULL REFERENCES brands (id) ON DELETE RESTRICT,
    role           text NOT NULL CHECK (role IN ('primary', 'competitor', 'followed')),
    added_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (brandspace_id, brand_id)
);
CREATE UNIQUE INDEX brandspace_one_primary ON brandspace_brands (brandspace_id) WHERE role = 'primary';
CREATE INDEX brandspace_brands_by_brand ON brandspace_brands (brand_id);

CREATE TABLE ads (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    brand_id           bigint NOT NULL REFERENCES brands (id) ON DELETE CASCADE,
    source             text NOT NULL,
    source_ad_id       text NOT NULL,
    advertiser_id      text,
    advertiser_name    text,
    platforms          text[] NOT NULL DEFAULT '{}',
    title              text,
    body               text,
    link_url           text,
    cta                text,
    media              jsonb NOT NULL DEFAULT '[]'::jsonb,  -- [{kind, url, s3_key, sha256, content_type, bytes, error}]
    content_hash       text,                                -- changes when copy or media change: drives re-analysis
    started_at         timestamptz,
    ended_at           timestamptz,
    is_active          boolean,
    spend_range        jsonb,
    impressions_range  jsonb,
    first_seen_at      timestamptz NOT NULL DEFAULT now(),
    last_seen_at       timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    UNIQUE (source, source_ad_id)
);
CREATE INDEX ads_by_brand ON ads (brand_id, first_seen_at DESC);
CREATE INDEX ads_by_first_seen ON ads (first_seen_at);

CREATE TRIGGER brands_touch BEFORE UPDATE ON brands FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER ads_touch BEFORE UPDATE ON ads FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
