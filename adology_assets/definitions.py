"""The single Dagster entry point: every module's slice merged into one ``Definitions``."""

import dagster as dg

from adology.logs import configure_logging
from adology.settings import load_settings
from resources import resources_for

settings = load_settings()
configure_logging(level=settings.log_level, log_format=settings.log_format)

defs = dg.Definitions.merge(
    dg.Definitions(resources=resources_for(settings)),
)
