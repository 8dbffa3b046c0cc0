"""The embedded stack's Dagster instance: ``adology stack up`` writes DAGSTER_HOME/dagster.yaml as the
project's shared settings plus Postgres storage, the ``dagster`` CLI validates the workspace on it,
and the instance has the queued coordinator, the concurrency limits and the run monitoring of the
project's file (pool slots a dead run still holds are freed once it ended)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest
import yaml
from dagster._core.instance.config import PoolGranularity

from adology.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def test_dagster_cli_validates_the_workspace(stack_settings: Settings) -> None:
    env = {**os.environ, **stack_settings.client_environment()}
    result = subprocess.run(
        [str(Path(sys.executable).parent / "dagster"), "definitions", "validate", "-w", str(ROOT / "workspace.yaml")],
        cwd=stack_settings.dagster_home,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Validation successful" in result.stdout + result.stderr


def test_instance_uses_postgres_storage_and_queued_coordinator(
    stack_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DAGSTER_HOME", str(stack_settings.dagster_home))
    with dg.DagsterInstance.get() as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert type(instance.event_log_storage).__name__ == "PostgresEventLogStorage"
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
        concurrency = instance.get_concurrency_config()
        limits = concurrency.run_queue_config.tag_concurrency_limits
        assert {limit["key"] for limit in limits} == {"adology/brand", "dagster/backfill"}
        assert concurrency.run_queue_config.max_concurrent_runs == 4
        assert concurrency.pool_config.default_pool_limit == 2
        assert concurrency.pool_config.pool_granularity == PoolGranularity.RUN
        assert not instance.telemetry_enabled
        assert instance.run_monitoring_enabled
        assert instance.run_monitoring_start_timeout_seconds == 180
        assert instance.run_monitoring_max_resume_run_attempts == 0
        assert instance.run_monitoring_poll_interval_seconds == 10


def test_the_stack_instance_is_the_project_settings_plus_postgres_storage(stack_settings: Settings) -> None:
    project = yaml.safe_load((ROOT / "dagster.yaml").read_text())
    instance = yaml.safe_load((stack_settings.dagster_home / "dagster.yaml").read_text())
    assert "storage" not in project  # a bare `dagster dev` in a checkout keeps Dagster's temporary instance
    assert instance == project | {"storage": {"postgres": {"postgres_url": {"env": "DAGSTER_POSTGRES_URL"}}}}
