-- Brand insights (issue 19): each version names the inputs it was computed from (a re-materialization
-- over the same inputs stores nothing and calls no AI), its S3 snapshot, and whether there was
-- enough data to compute themes and trends.
ALTER TABLE brand_insights ADD COLUMN input_fingerprint text NOT NULL DEFAULT '';
ALTER TABLE brand_insights ADD COLUMN s3_key text;
ALTER TABLE brand_insights ADD COLUMN status text NOT NULL DEFAULT 'ok'
    CHECK (status IN ('ok', 'too_little_data', 'no_ads'));

-- Change alerts: a notification is either a run's outcome for a request (status set) or an insight
-- change about a brand an organization follows (a new theme, a newly significant trend), sent once
-- per organization and change: dedupe_key names the change.
ALTER TABLE notifications ADD COLUMN kind text NOT NULL DEFAULT 'run' CHECK (kind IN ('run', 'insight_change'));
ALTER TABLE notifications ALTER COLUMN status DROP NOT NULL;
ALTER TABLE notifications ADD CONSTRAINT notifications_status_by_kind CHECK ((kind = 'run') = (status IS NOT NULL));
ALTER TABLE notifications ADD COLUMN payload jsonb;
ALTER TABLE notifications ADD COLUMN dedupe_key text;
ALTER TABLE notifications ADD CONSTRAINT notifications_once_per_change UNIQUE (organization_id, dedupe_key);
