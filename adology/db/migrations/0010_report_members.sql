-- The report-refresh rule compares each brandspace's current competitor and followed brands with
-- those its latest report covered. The report JSON records them (report->'members'); this column,
-- derived from it, holds just their brand ids, so the sensor's scan over every brandspace reads a
-- short array instead of detoasting whole reports.
ALTER TABLE brandspace_reports ADD COLUMN member_brand_ids jsonb NOT NULL
    GENERATED ALWAYS AS (jsonb_path_query_array(report, '$.members[*] ? (@.role != "primary").brand_id')) STORED;
