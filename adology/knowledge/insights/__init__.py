"""Brand insights: what a brand's ads are about (themes), what they say (attribute summaries), what
is changing (trends) and what keeps running (momentum), computed from the stored analyses."""
