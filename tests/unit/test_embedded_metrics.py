"""The pipeline's AI use as CloudWatch embedded metrics: a JSON log line whose ``_aws`` block
declares each figure, which CloudWatch Logs turns into metrics by stage and provider."""

from __future__ import annotations

import json

import pytest

from adology.ai.types import Usage
from adology.logs import LogFormat, configure_logging, log_context
from adology.metrics import NAMESPACE, log_ai_usage


def test_an_analysis_stage_logs_its_ai_use_in_the_embedded_metric_format(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(log_format=LogFormat.JSON)
    try:
        with log_context(run_id="run-1"):
            log_ai_usage(
                "describe", "openai", Usage(calls=12, input_tokens=3400, output_tokens=900, cost_usd=0.0123456789)
            )
    finally:
        configure_logging()
    (line,) = [line for line in capsys.readouterr().err.splitlines() if "ai usage" in line]
    record = json.loads(line)
    (directive,) = record["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == NAMESPACE and directive["Dimensions"] == [["Provider", "Stage"]]
    declared = {metric["Name"]: metric["Unit"] for metric in directive["Metrics"]}
    assert declared == {"AICalls": "Count", "InputTokens": "Count", "OutputTokens": "Count", "AICostUSD": "None"}
    # every declared metric and dimension is a top-level field of the same line, as the format requires
    assert {name: record[name] for name in declared} == {
        "AICalls": 12,
        "InputTokens": 3400,
        "OutputTokens": 900,
        "AICostUSD": 0.012346,
    }
    assert (record["Stage"], record["Provider"], record["run_id"]) == ("describe", "openai", "run-1")
    assert isinstance(record["_aws"]["Timestamp"], int) and record["_aws"]["Timestamp"] > 1_700_000_000_000
