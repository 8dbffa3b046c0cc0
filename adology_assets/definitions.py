"""The single Dagster entry point: every module's slice merged into one ``Definitions``."""

import dagster as dg

from adology.logs import configure_logging
from adology.settings import load_settings
from adology_assets import acquisition
from resources import resources_for

settings = load_settings()
configure_logging(level=settings.log_level, log_format=settings.log_format)

defs = dg.Definitions.merge(
    dg.Definitions(assets=[acquisition.ads]),
    dg.Definitions(resources=resources_for(settings)),
)
