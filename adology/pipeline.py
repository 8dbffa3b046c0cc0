"""The pipeline's assets by name, in order: what a request may ask for, and what the Dagster layer's
asset keys are made from (``adology_assets.vocabulary``)."""

from __future__ import annotations

from adology.analysis.stages import STAGES

ADS_ASSET = "ads"  # acquisition: every source of a brand, creatives in S3, ads upserted
INSIGHTS_ASSET = "brand_insights"  # themes, attribute summary, trends, momentum over the analysed ads
PIPELINE_ASSETS: tuple[str, ...] = (ADS_ASSET, *(stage.asset for stage in STAGES), INSIGHTS_ASSET)
