"""The ``ai`` pool gets an explicit limit from dagster.yaml's default before any run starts, on the
real Postgres-backed instance: lazily created pools race on Postgres (dagster-io/dagster#33552)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import dagster as dg
import pytest

from adology.settings import Settings
from adology_assets.pools import ensure_pool_limits
from adology_assets.vocabulary import AI_POOL


@pytest.fixture
def instance(stack_settings: Settings) -> Iterator[dg.DagsterInstance]:
    with dg.DagsterInstance.from_config(str(stack_settings.dagster_home)) as project_instance:
        yield project_instance


def _pool(instance: dg.DagsterInstance) -> tuple[int, bool] | None:
    """The ai pool's (limit, from_default), or None when it has no row."""
    pools = {pool.name: (pool.limit, pool.from_default) for pool in instance.event_log_storage.get_pool_limits()}
    return pools.get(AI_POOL)


def test_the_ai_pool_gets_an_explicit_limit_equal_to_the_configured_default(instance: dg.DagsterInstance) -> None:
    default = instance.global_op_concurrency_default_limit
    assert default == 2  # dagster.yaml's concurrency.pools.default_limit
    instance.event_log_storage.delete_concurrency_limit(AI_POOL)
    assert ensure_pool_limits(instance) == {AI_POOL: default}
    assert _pool(instance) == (default, False)  # explicit, so no run initializes it
    assert ensure_pool_limits(instance) == {}  # already right: nothing written

    instance.event_log_storage.set_concurrency_slots(AI_POOL, 5)  # changed by hand in the UI
    assert ensure_pool_limits(instance) == {AI_POOL: default}
    assert _pool(instance) == (default, False)


def test_the_module_applies_the_limits_to_the_instance_in_dagster_home(
    stack_settings: Settings, instance: dg.DagsterInstance
) -> None:
    instance.event_log_storage.delete_concurrency_limit(AI_POOL)
    env = {**os.environ, **stack_settings.client_environment()}
    subprocess.run([sys.executable, "-m", "adology_assets.pools"], env=env, check=True, capture_output=True)
    assert _pool(instance) == (instance.global_op_concurrency_default_limit, False)
