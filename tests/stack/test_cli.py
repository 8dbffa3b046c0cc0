"""The `adology` command: env exports, status JSON, clear errors for bad settings, and the demo
(stack + Dagster webserver + daemon proven healthy) run as a new user would."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from adology.settings import Settings

ADOLOGY = str(Path(sys.executable).parent / "adology")


def _run(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ADOLOGY, *args], env={**os.environ, **env}, capture_output=True, text=True,
                          timeout=timeout)


def _stack_env(settings: Settings) -> dict[str, str]:
    return {k: v for k, v in settings.client_environment().items() if k.startswith(("ADOLOGY_", "DAGSTER_"))}


def test_env_prints_shell_exports_with_standard_names(stack_settings: Settings) -> None:
    result = _run("stack", "env", env=_stack_env(stack_settings))
    assert result.returncode == 0, result.stderr
    exports = dict(shlex.split(line.removeprefix("export "))[0].split("=", 1) for line in result.stdout.splitlines())
    for name in ("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_SQS", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                 "AWS_REGION", "DATABASE_URL", "MONGO_URI", "DAGSTER_HOME", "ADOLOGY_STATE_DIR"):
        assert name in exports
    assert exports["DATABASE_URL"] == stack_settings.database_url


def test_status_json_reports_each_part(stack_settings: Settings) -> None:
    result = _run("stack", "status", "--json", env=_stack_env(stack_settings))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.splitlines()[-1])
    assert report["healthy"] is True
    assert set(report["parts"]) == {"postgres", "s3", "sqs", "mongo", "library"}
    assert report["parts"]["postgres"]["detail"].startswith("PostgreSQL 18")


def test_status_of_a_stopped_stack_exits_non_zero(tmp_path: Path) -> None:
    result = _run("stack", "status", "--json", env={"ADOLOGY_STATE_DIR": str(tmp_path), "ADOLOGY_PG_PORT": "20999",
                                                    "ADOLOGY_S3_PORT": "21000", "ADOLOGY_SQS_PORT": "21999"})
    assert result.returncode == 1
    report = json.loads(result.stdout.splitlines()[-1])
    assert report["parts"]["postgres"] == {**report["parts"]["postgres"], "running": False, "healthy": False}


def test_bad_setting_exits_with_a_clear_message(tmp_path: Path) -> None:
    result = _run("stack", "up", env={"ADOLOGY_STATE_DIR": str(tmp_path), "ADOLOGY_SQS_PORT": "nine"})
    assert result.returncode == 2
    assert "ADOLOGY_SQS_PORT='nine': expected port of the embedded moto SQS server" in result.stderr
    assert "Traceback" not in result.stderr


def test_db_migrate_is_idempotent(stack_settings: Settings) -> None:
    result = _run("db", "migrate", env=_stack_env(stack_settings))
    assert result.returncode == 0, result.stderr
    assert "none (schema up to date)" in result.stdout


@pytest.mark.slow
def test_demo_runs_the_whole_flow_and_loses_no_request(make_settings) -> None:
    """The README's `make demo` path on a small library: requests through the outbox and SQS,
    runs launched by the daemon's sensors, every ad stored and analysed, a notification each."""
    settings = make_settings("demo", ADOLOGY_LIBRARY_ADS="30")
    # every variable of its own stack, so nothing of the session stack (DATABASE_URL, endpoints) leaks in
    env = {**settings.client_environment(), "ADOLOGY_LIBRARY_ADS": "30"}
    try:
        result = _run("demo", "--json", "--timeout", "900", env=env, timeout=1200)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        summary = json.loads(result.stdout.splitlines()[-1])
        assert summary["brands"] == 5 and summary["requests"] == 5
        assert summary["requests_succeeded"] == 5 and summary["requests_lost"] == 0
        assert summary["notifications"] == 5
        assert summary["ads"] > 0 and summary["creatives_stored"] > 0
        analysable = summary["ads"] - summary["ads_without_creative"]
        assert summary["descriptions"] >= analysable and summary["failed_ads"] == 0
        leftover = [p.pid for p in psutil.process_iter(["cmdline"])
                    if f"-p {settings.dagster_port}" in " ".join(p.info["cmdline"] or [])]
        assert leftover == []  # the demo stopped the webserver and daemon it started
    finally:
        _run("stack", "down", env=env)


FIXTURES = Path(__file__).parents[1] / "fixtures" / "sources"


def test_sources_parse_prints_json_lines_and_reports_bad_items(tmp_path: Path) -> None:
    env = {"ADOLOGY_STATE_DIR": str(tmp_path)}
    good = _run("sources", "parse", "apify", str(FIXTURES / "apify_camel_case_items.json"), env=env)
    assert good.returncode == 0, good.stderr
    ads = [json.loads(line) for line in good.stdout.splitlines()]
    assert ads and all(ad["source"] == "meta" and ad["connector"] == "apify" for ad in ads)
    assert "raw" not in ads[0]  # the untouched payload goes to Mongo, not to the parse output

    mixed = _run("sources", "parse", "apify", str(FIXTURES / "apify_items.jsonl"), env=env)
    assert mixed.returncode == 1
    assert len(mixed.stdout.splitlines()) >= 1  # the good lines still parse
    failures = [json.loads(line)["failure"] for line in mixed.stderr.splitlines() if line.startswith("{")]
    assert failures and failures[0]["line"] == 3 and "not valid JSON" in failures[0]["reason"]


def test_sources_parse_rejects_a_missing_file(tmp_path: Path) -> None:
    result = _run("sources", "parse", "meta", str(tmp_path / "nope.json"), env={"ADOLOGY_STATE_DIR": str(tmp_path)})
    assert result.returncode == 2 and "does not exist" in result.stderr


def test_queue_replay_dlq_moves_messages_back(stack_settings: Settings) -> None:
    from adology.storage.aws import settings_client
    from adology.storage.queues import Priority, RequestQueues

    queues = RequestQueues(settings_client(stack_settings, "sqs"), stack_settings.queue_prefix)
    queues.send(Priority.LOW, body={"poison": True}, group_id="g", deduplication_id="replay-me", dead_letter=True)
    result = _run("queue", "replay-dlq", "--priority", "low", env=_stack_env(stack_settings))
    assert result.returncode == 0, result.stderr
    assert "replayed 1 message" in result.stdout
    (back,) = queues.receive(Priority.LOW)
    assert json.loads(back.body) == {"poison": True}
    queues.delete(Priority.LOW, receipt_handle=back.receipt_handle)
