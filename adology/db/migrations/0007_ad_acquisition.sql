-- Acquisition bookkeeping on ads: which connectors have seen the ad, and why it has no stored
-- creative when it has none (the asset check requires one or the other).
ALTER TABLE ads ADD COLUMN connectors text[] NOT NULL DEFAULT '{}';
ALTER TABLE ads ADD COLUMN media_failure text;
ALTER TABLE ads ADD COLUMN display_format text;
CREATE INDEX ads_media_failed ON ads (brand_id) WHERE media_failure IS NOT NULL;
