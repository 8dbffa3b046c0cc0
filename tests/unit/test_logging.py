"""Structured logging: context fields bound with log_context reach every record, in text and JSON."""

from __future__ import annotations

import json
import logging

import pytest

from adology.logs import at_most_every, configure_logging, get_logger, log_context
from adology.settings import LogFormat


@pytest.fixture(autouse=True)
def _restore_logging():
    yield
    configure_logging()


def test_json_records_carry_context_and_extra_fields(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(log_format=LogFormat.JSON)
    with log_context(request_id="req-1", brand="acme"):
        with log_context(ad="ad-9"):
            get_logger("adology.test").info("stored creative", extra={"bytes": 120})
        get_logger("adology.test").warning("outside the inner block")
    first, second = (json.loads(line) for line in capsys.readouterr().err.splitlines())
    assert first["message"] == "stored creative" and first["level"] == "INFO"
    assert (first["request_id"], first["brand"], first["ad"], first["bytes"]) == ("req-1", "acme", "ad-9", 120)
    assert "ad" not in second and second["brand"] == "acme"


def test_text_records_append_key_value_pairs(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(log_format=LogFormat.TEXT)
    with log_context(run_id="r-7"):
        get_logger("stack").info("started", extra={"part": "s3"})
    line = capsys.readouterr().err.strip()
    assert line.endswith("adology.stack started part=s3 run_id=r-7")


def test_level_filters_records(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(level="WARNING")
    get_logger("adology.test").info("hidden")
    get_logger("adology.test").warning("shown")
    err = capsys.readouterr().err
    assert "shown" in err and "hidden" not in err
    assert logging.getLogger("adology").level == logging.WARNING


def test_progress_is_passed_through_at_most_once_per_interval() -> None:
    now = [100.0]
    seen: list[int] = []
    progress = at_most_every(5.0, seen.append, clock=lambda: now[0])
    for step, at in enumerate([100.0, 101.0, 104.9, 105.0, 105.1, 111.0]):
        now[0] = at
        progress(step)
    assert seen == [0, 3, 5]  # the first call, then one per five seconds
