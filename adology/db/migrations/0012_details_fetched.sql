-- A source that pays one call per ad for its details (SerpApi's per-creative search) makes it
-- once per ad: a creative's details never change, so later fetches take the listing alone.
ALTER TABLE ads ADD COLUMN details_fetched boolean NOT NULL DEFAULT false;
