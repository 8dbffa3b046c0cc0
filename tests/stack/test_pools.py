"""The ``ai`` pool gets an explicit limit from dagster.yaml's default before any run starts, on the
real Postgres-backed instance: lazily created pools race on Postgres (dagster-io/dagster#33552).
And a run whose worker died without ending it is marked failed (so run monitoring frees the slots it
held), a run whose worker runs, or that reported no worker, is left alone."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator

import dagster as dg
import pytest
from dagster._core.events import EngineEventData

from adology.settings import Settings
from adology_assets.pools import ensure_pool_limits
from adology_assets.run_workers import STARTED_PROCESS, DeadRunWorkers
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


def _started_run(instance: dg.DagsterInstance, worker_pid: int | None) -> str:
    """A STARTED run and, unless ``worker_pid`` is None, the event its run worker writes first."""
    run = instance.add_run(
        dg.DagsterRun(job_name="run_worker_probe", run_id=str(uuid.uuid4()), status=dg.DagsterRunStatus.STARTED)
    )
    if worker_pid is not None:
        instance.report_engine_event(
            f"{STARTED_PROCESS} (pid: {worker_pid}).", run, EngineEventData.in_process(worker_pid)
        )
    return run.run_id


def _status(instance: dg.DagsterInstance, run_id: str) -> dg.DagsterRunStatus | None:
    run = instance.get_run_by_id(run_id)
    return run.status if run is not None else None


def test_a_started_run_whose_worker_is_gone_is_marked_failed_once_seen_gone_twice(
    instance: dg.DagsterInstance,
) -> None:
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()  # a run worker killed mid-step, with nothing left to end its run
    dead, alive, unknown = (
        _started_run(instance, ended.pid),
        _started_run(instance, os.getpid()),
        _started_run(instance, None),  # executed in some process that reported no worker
    )
    sweep = DeadRunWorkers(instance)
    try:
        assert dead not in sweep.fail_runs()  # a living code server gets the first word on its own child
        failed = sweep.fail_runs()

        assert dead in failed and alive not in failed and unknown not in failed
        statuses = {run_id: _status(instance, run_id) for run_id in (dead, alive, unknown)}
        assert statuses == {
            dead: dg.DagsterRunStatus.FAILURE,
            alive: dg.DagsterRunStatus.STARTED,
            unknown: dg.DagsterRunStatus.STARTED,
        }
        assert dead not in sweep.fail_runs()  # ended once
    finally:
        for run_id in (dead, alive, unknown):
            instance.delete_run(run_id)
