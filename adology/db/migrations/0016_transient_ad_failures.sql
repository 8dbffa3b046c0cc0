-- Whether an ad's failed stage failed for a passing cause (a rate limit, a server error, a timeout,
-- a store that could not be read): a request whose run succeeded with such ads is tried again by
-- its lifecycle, while an ad that failed for its own content (corrupt, too large) is not.
ALTER TABLE ad_analysis_state ADD COLUMN transient boolean NOT NULL DEFAULT false;
