"""The Dagster project: the one Definitions loads (in-process and through the `dagster` CLI),
declares the brand and brandspace partitions, and the core library never imports Dagster."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from adology.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def test_definitions_load() -> None:
    from adology_assets.definitions import defs

    definitions = defs()
    dg.Definitions.validate_loadable(definitions)
    assert set(definitions.resources) == {"postgres", "object_store", "queues", "mongo", "sources", "ai"}
    assert {key.to_user_string() for key in definitions.resolve_asset_graph().get_all_asset_keys()} == {
        "ads", "ad_descriptions", "ad_labels", "ad_embeddings", "brandspace_reports"}


def test_partitions_are_dynamic_per_brand_and_brandspace() -> None:
    from adology_assets.vocabulary import brand_partitions, brandspace_partitions

    assert isinstance(brand_partitions, dg.DynamicPartitionsDefinition) and brand_partitions.name == "brand"
    assert isinstance(brandspace_partitions, dg.DynamicPartitionsDefinition)
    assert brandspace_partitions.name == "brandspace"


def test_dagster_cli_validates_the_workspace(stack_settings: Settings) -> None:
    env = {**os.environ, **stack_settings.client_environment()}
    result = subprocess.run(
        [str(Path(sys.executable).parent / "dagster"), "definitions", "validate", "-w", str(ROOT / "workspace.yaml")],
        cwd=stack_settings.dagster_home, env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Validation successful" in result.stdout + result.stderr


def test_instance_uses_postgres_storage_and_queued_coordinator(stack_settings: Settings,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
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
        assert not instance.telemetry_enabled


def _imported_modules(package: Path) -> set[str]:
    modules = set()
    for source in package.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.Import):
                modules.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules.add(node.module.split(".")[0])
    return modules


def test_core_library_never_imports_dagster_or_fastapi() -> None:
    imported = _imported_modules(ROOT / "adology")
    forbidden = {name for name in imported if name.startswith("dagster") or name in {"fastapi", "starlette"}}
    assert not forbidden
    assert not imported & {"adology_assets", "resources", "sensors", "api"}
