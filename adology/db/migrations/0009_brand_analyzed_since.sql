-- When a tracked brand turned 'analyzed': the backfill sensor launches the AI assets over the ads
-- the brand already has, once per such change. A brand created as analyzed has no ads to backfill.
ALTER TABLE brands ADD COLUMN analyzed_since timestamptz;

CREATE FUNCTION brands_mark_analyzed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.status = 'analyzed' AND OLD.status = 'tracked' THEN
        NEW.analyzed_since := clock_timestamp();
    ELSIF NEW.status <> 'analyzed' THEN
        NEW.analyzed_since := NULL;
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER brands_analyzed BEFORE UPDATE OF status ON brands
    FOR EACH ROW EXECUTE FUNCTION brands_mark_analyzed();
CREATE INDEX brands_analyzed_since ON brands (analyzed_since) WHERE analyzed_since IS NOT NULL;
