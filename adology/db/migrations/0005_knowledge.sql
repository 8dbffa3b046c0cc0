-- Knowledge: brand-level insights and brandspace reports, as versioned snapshots.
CREATE TABLE brand_insights (
    brand_id     bigint NOT NULL REFERENCES brands (id) ON DELETE CASCADE,
    version      integer NOT NULL CHECK (version > 0),
    insights     jsonb NOT NULL,
    ads_counted  integer NOT NULL CHECK (ads_counted >= 0),
    computed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (brand_id, version)
);

CREATE TABLE brandspace_reports (
    brandspace_id  uuid NOT NULL REFERENCES brandspaces (id) ON DELETE CASCADE,
    version        integer NOT NULL CHECK (version > 0),
    report         jsonb NOT NULL,
    s3_key         text,
    trigger        text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (brandspace_id, version)
);
