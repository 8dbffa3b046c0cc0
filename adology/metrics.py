"""The pipeline's AI use as CloudWatch embedded metrics: one log line per analysis stage a run
finishes, whose ``_aws`` block makes CloudWatch Logs extract ``AICalls``, ``InputTokens``,
``OutputTokens`` and ``AICostUSD`` by stage and provider, with no agent and no API call
(docs/deploy.md). With ``ADOLOGY_LOG_FORMAT=json`` (production) every extra field is a top-level
key of the line, which is the format's shape; in text logs the same figures read as key=value."""

from __future__ import annotations

import time
from typing import Any

from adology.ai.types import Usage
from adology.logs import EMBEDDED_METRICS_FIELD, get_logger

log = get_logger(__name__)

NAMESPACE = "Adology"
AI_UNITS = {"AICalls": "Count", "InputTokens": "Count", "OutputTokens": "Count", "AICostUSD": "None"}


def embedded_metrics(
    dimensions: dict[str, str], values: dict[str, float | int], units: dict[str, str]
) -> dict[str, Any]:
    """The fields of one embedded-metric-format record: the dimensions, the values, and the directive
    (``_aws`` in JSON logs) that declares which fields are metrics of which unit."""
    return {
        EMBEDDED_METRICS_FIELD: {
            "Timestamp": int(time.time() * 1000),
            "CloudWatchMetrics": [
                {
                    "Namespace": NAMESPACE,
                    "Dimensions": [sorted(dimensions)],
                    "Metrics": [{"Name": name, "Unit": units[name]} for name in values],
                }
            ],
        },
        **dimensions,
        **values,
    }


def log_ai_usage(stage: str, provider: str, usage: Usage) -> None:
    values = {
        "AICalls": usage.calls,
        "InputTokens": usage.input_tokens,
        "OutputTokens": usage.output_tokens,
        "AICostUSD": round(usage.cost_usd, 6),
    }
    log.info("ai usage", extra=embedded_metrics({"Stage": stage, "Provider": provider}, values, AI_UNITS))
