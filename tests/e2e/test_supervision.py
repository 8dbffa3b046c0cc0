"""What ``adology dev`` survives, with no manual step: a server part (Postgres, SeaweedFS, SQS)
killed with SIGKILL is started again, healthy, with its data; a Dagster daemon killed with SIGKILL
is started again alone while the webserver keeps serving, and a run requested afterwards completes;
a run worker killed mid-step of an ``ai``-pool step has its run ended, so the run no longer counts
against the pool, and a later run of the same step finishes. And ``adology stack down`` after
``adology dev`` itself was killed with SIGKILL leaves no process of the stack or of Dagster
running, and no pid file.

The first three share one supervised ``adology dev`` (a small library; the ``openai`` provider on the
fake AI service in this process, slowed down to hold a run in its ai step); the last starts its own,
as it kills it. Waits are bounded; nothing is timed.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import dagster as dg
import httpx
import psutil
import psycopg
import pytest
from dagster._core.storage.dagster_run import ACTIVE_RUN_STATUSES

from adology.requests.outbox import record_request
from adology.settings import Settings
from adology.stack import Stack
from adology.stack.process import port_is_free, wait_ended
from adology.storage.aws import settings_client, settings_object_store
from adology_assets.dev import dagster_health
from adology_assets.run_workers import run_worker
from adology_assets.vocabulary import AI_POOL, BRAND_TAG
from simulators.ai_service import FakeAIServer
from tests.commands import run_adology
from tests.e2e.supervised import (
    DAEMON_COMMANDS,
    REQUEST_DONE_WITHIN_SECONDS,
    WEBSERVER_COMMANDS,
    Dev,
    dagster_processes,
    register_library_brand,
    request_outcome,
    restarted,
    server_pid,
    start_dev,
)

log = logging.getLogger(__name__)

RESTARTED_WITHIN_SECONDS = 120
PLACE_FREED_WITHIN_SECONDS = 180
SMALL_LIBRARY = {"ADOLOGY_LIBRARY_ADS": "30"}


@pytest.fixture(scope="module")
def fake_ai() -> Iterator[FakeAIServer]:
    with FakeAIServer() as server:
        yield server


@pytest.fixture(scope="module")
def supervised(
    make_settings: Callable[..., Settings], fake_ai: FakeAIServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Dev]:
    overrides = {
        **SMALL_LIBRARY,
        "ADOLOGY_AI_PROVIDER": "openai",
        "OPENAI_BASE_URL": f"{fake_ai.base_url}/v1",
        "OPENAI_API_KEY": "sk-test-key",
    }
    settings = make_settings("supervised", ADOLOGY_S3_PORT=str(_s3_base_port_below_ephemeral_ports()), **overrides)
    dev = start_dev(settings, overrides, tmp_path_factory.mktemp("supervised-dev") / "adology-dev.log")
    try:
        yield dev
    finally:
        dev.stop()
        Stack(settings).down()


def test_a_server_part_killed_with_sigkill_is_restarted_with_its_data(supervised: Dev) -> None:
    settings = supervised.settings
    parts = {part.name: part for part in Stack(settings).parts}
    with psycopg.connect(settings.database_url or "") as conn:
        conn.execute("INSERT INTO organizations (name) VALUES ('Kept Through A Crash') ON CONFLICT DO NOTHING")
    settings_object_store(settings).put_bytes(key="supervision/kept.txt", data=b"kept", content_type="text/plain")

    for name in ("postgres", "s3", "sqs"):
        killed = server_pid(parts[name])
        assert killed is not None
        os.kill(killed, signal.SIGKILL)
        began = time.monotonic()
        supervised.wait_for(
            restarted(supervised, parts[name], killed),
            timeout=RESTARTED_WITHIN_SECONDS,
            what=f"{name} restarted, provisioned and healthy",
        )
        log.info("%s healthy again %.1f s after its SIGKILL", name, time.monotonic() - began)  # for the record
        assert f"stack part died: restarting it part={name} pid={killed} " in supervised.output.read_text()

    with psycopg.connect(settings.database_url or "") as conn:
        rows = conn.execute("SELECT count(*) FROM organizations WHERE name = 'Kept Through A Crash'").fetchone()
    assert rows == (1,)
    assert settings_object_store(settings).get_bytes(key="supervision/kept.txt") == b"kept"
    queues = settings_client(settings, "sqs").list_queues().get("QueueUrls", [])
    assert len(queues) == 4  # high and low with their dead-letter queues, provisioned again in the new SQS


def test_a_killed_dagster_daemon_is_restarted_alone_and_a_later_request_completes(supervised: Dev) -> None:
    settings = supervised.settings
    root = psutil.Process(supervised.process.pid)
    (daemon,) = dagster_processes(root, DAEMON_COMMANDS)
    (webserver,) = dagster_processes(root, WEBSERVER_COMMANDS)

    os.kill(daemon.pid, signal.SIGKILL)
    began = time.monotonic()

    def daemonrestarted() -> bool:
        daemons = dagster_processes(root, DAEMON_COMMANDS)
        return bool(daemons) and daemon not in daemons and dagster_health(settings.dagster_port).healthy

    supervised.wait_for(daemonrestarted, timeout=RESTARTED_WITHIN_SECONDS, what="a new daemon beating")
    log.info("daemon beating again %.1f s after its SIGKILL", time.monotonic() - began)  # for the record
    assert webserver.is_running()  # the same webserver served throughout
    httpx.get(f"http://127.0.0.1:{settings.dagster_port}/server_info", timeout=10).raise_for_status()

    # the restarted daemon's sensors relay, consume and launch; its run queue and launcher run it
    brand = register_library_brand(settings, index=0, status="tracked")
    with psycopg.connect(settings.database_url or "") as conn:
        request_id = record_request(conn, brand=brand.partition_key)
    assert request_outcome(supervised, request_id) == "succeeded"


def test_a_run_worker_killed_mid_step_ends_its_run_and_frees_its_place_in_the_ai_pool(
    supervised: Dev, fake_ai: FakeAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = supervised.settings
    for variable, value in settings.client_environment().items():
        monkeypatch.setenv(variable, value)
    # created analyzed, so no backfill run joins in; every describe call waits, holding the run in its ai step
    brand = register_library_brand(settings, index=1, status="analyzed")
    fake_ai.configure(latency_seconds=600)
    try:
        with psycopg.connect(settings.database_url or "") as conn:
            record_request(conn, brand=brand.partition_key)
        with dg.DagsterInstance.get() as instance:
            supervised.wait_for(
                lambda: _run_in_an_ai_step(instance, brand.partition_key) is not None,
                timeout=REQUEST_DONE_WITHIN_SECONDS,
                what="an ai step in progress",
            )
            run_id = _run_in_an_ai_step(instance, brand.partition_key)
            assert run_id is not None
            worker = run_worker(instance, run_id)
            assert worker is not None

            os.kill(worker.pid, signal.SIGKILL)
            began = time.monotonic()

            supervised.wait_for(
                lambda: run_id not in _ai_pool_holders(instance),
                timeout=PLACE_FREED_WITHIN_SECONDS,
                what="the dead run's place in the ai pool freed",
            )
            log.info("ai pool place freed %.1f s after the run worker's SIGKILL", time.monotonic() - began)
            dead_run = instance.get_run_by_id(run_id)
            assert dead_run is not None and dead_run.status == dg.DagsterRunStatus.FAILURE
    finally:
        fake_ai.configure(latency_seconds=0.0)

    with psycopg.connect(settings.database_url or "") as conn:
        second = record_request(conn, brand=brand.partition_key)
    assert request_outcome(supervised, second) == "succeeded"


def test_stack_down_after_a_sigkill_of_adology_dev_leaves_no_process(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    settings = make_settings("killed-dev", **SMALL_LIBRARY)
    dev = start_dev(settings, SMALL_LIBRARY, tmp_path / "adology-dev.log")
    try:
        started = {process.pid: process for process in psutil.Process(dev.process.pid).children(recursive=True)}
        started |= {process.pid: process for process in _processes_of(settings.state_dir)}
        assert dagster_processes(psutil.Process(dev.process.pid), DAEMON_COMMANDS)  # the tree is under way

        os.kill(dev.process.pid, signal.SIGKILL)
        dev.process.wait(timeout=10)
        down = run_adology("stack", "down", env=settings.client_environment(), timeout=300)

        assert down.returncode == 0, down.stdout + down.stderr
        assert wait_ended(list(started.values()), timeout=10) == []
        assert _processes_of(settings.state_dir) == []
        assert sorted((settings.state_dir / "run").rglob("*.pid")) == []
    finally:  # whatever a failure left running
        for process in _processes_of(settings.state_dir):
            with contextlib.suppress(psutil.NoSuchProcess):
                process.kill()
        Stack(settings).down()


def _s3_base_port_below_ephemeral_ports() -> int:
    """A free S3 base port whose gRPC ports (each of the five +10000) stay below the kernel's ephemeral
    range: once a killed SeaweedFS let go of a port in that range, any client connection may take it as
    its own port for as long as it lives, and the restarted server would wait until it is let go."""
    ephemeral_from = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    for base in range(ephemeral_from - 10_005, 20_000, -10):
        if all(port_is_free(port) for offset in range(5) for port in (base + offset, base + offset + 10_000)):
            return base
    raise RuntimeError("no free S3 port block below the ephemeral range")


def _processes_of(state_dir: Path) -> list[psutil.Process]:
    """Every running process working in ``state_dir`` or naming it on its command line: the stack's
    servers, the Dagster processes, their code servers and run workers."""
    found = []
    for process in psutil.process_iter():
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            if process.status() == psutil.STATUS_ZOMBIE:
                continue
            if Path(process.cwd()).is_relative_to(state_dir) or f"{state_dir}/" in " ".join(process.cmdline()):
                found.append(process)
    return found


def _run_in_an_ai_step(instance: dg.DagsterInstance, brand: str) -> str | None:
    """A run of ``brand`` in its ``ad_descriptions`` step while its run worker runs: the request's, or
    the spine schedule's refresh of the new brand when a quarter-hour tick came first (one run per
    brand at a time, so the request's run then waits behind it)."""
    for run_id in _ai_pool_holders(instance) & _runs_of(instance, brand):
        worker = run_worker(instance, run_id)
        describing = any(
            stats.step_key == "ad_descriptions" and stats.start_time is not None and stats.end_time is None
            for stats in instance.get_run_step_stats(run_id)
        )
        if describing and worker is not None and worker.running():
            return run_id
    return None


def _runs_of(instance: dg.DagsterInstance, brand: str) -> set[str]:
    return {run.run_id for run in instance.get_runs(filters=dg.RunsFilter(tags={BRAND_TAG: brand}))}


def _ai_pool_holders(instance: dg.DagsterInstance) -> set[str]:
    """The runs the queue counts against the ``ai`` pool's limit (``granularity: run`` in
    ``dagster.yaml``): every run in progress with a step in the pool, until the run ends."""
    return {
        run.run_id
        for run in instance.get_runs(filters=dg.RunsFilter(statuses=ACTIVE_RUN_STATUSES))
        if run.run_op_concurrency is not None and AI_POOL in (run.run_op_concurrency.all_pools or [])
    }
