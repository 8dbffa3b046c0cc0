"""Shared fixtures: one real embedded stack for the session, on free ports in a temporary state dir.

The folders say what a test needs: ``unit/`` nothing but Python (in-process HTTP servers at most;
asking for the stack there fails), ``stack/`` the real local servers (PostgreSQL + pgvector,
SeaweedFS, moto SQS, montydb; nothing here fakes a store), ``e2e/`` whole flows that start their
own stack and Dagster processes, marked ``slow`` here so ``make test-fast`` skips them. Tests that
need their own stack (lifecycle, restarts) start one with ``make_settings`` and stop it themselves.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from adology.settings import Settings, load_settings
from adology.stack import Stack
from adology.stack.process import port_is_free

_taken: set[int] = set()
_state_dirs: list[Path] = []
_LOG_TAIL_LINES = 60


def _free_block(width: int, *, grpc_offset: int | None = None) -> int:
    """A base port such that base..base+width-1 (and each +grpc_offset) are free and unused here."""
    for _ in range(500):
        # below the kernel's ephemeral range (32768 and up) even with a gRPC offset of 10000, so a
        # client's outgoing connection never holds a port a restarting server needs
        base = random.randrange(12000, 22000)
        ports = list(range(base, base + width))
        if grpc_offset:
            ports += [port + grpc_offset for port in ports]
        if not _taken.intersection(ports) and all(port_is_free(port) for port in ports):
            _taken.update(ports)
            return base
    raise RuntimeError("no free port block found")


@pytest.fixture(scope="session")
def make_settings(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Settings]:
    """Settings for a fresh stack: its own state dir and free ports."""

    def factory(name: str = "stack", **overrides: str) -> Settings:
        state_dir: Path = tmp_path_factory.mktemp(name)
        _state_dirs.append(state_dir)
        environ = {
            "ADOLOGY_STATE_DIR": str(state_dir),
            "ADOLOGY_PG_PORT": str(_free_block(1)),
            "ADOLOGY_S3_PORT": str(_free_block(5, grpc_offset=10000)),
            "ADOLOGY_SQS_PORT": str(_free_block(1)),
            "ADOLOGY_DAGSTER_PORT": str(_free_block(1)),
            "ADOLOGY_API_PORT": str(_free_block(1)),
            # one API process per test stack: each worker's start-up costs CPU that a dozen stacks
            # would take from the suite (the session stack runs two, see stack_settings)
            "ADOLOGY_API_WORKERS": "1",
            "ADOLOGY_LIBRARY_PORT": str(_free_block(1)),
            **overrides,
        }
        return load_settings(environ)

    return factory


@pytest.fixture(scope="session")
def stack_settings(make_settings: Callable[..., Settings]) -> Iterator[Settings]:
    """The session's running stack; its variables are exported so Dagster EnvVars resolve."""
    # two API processes, as by default: the API tests then cross processes (tokens, login limits,
    # a request on one process and its notification on a socket of the other)
    settings = make_settings("session", ADOLOGY_API_WORKERS="2")
    stack = Stack(settings)
    stack.up()
    saved = dict(os.environ)
    os.environ.update(settings.client_environment())
    try:
        yield settings
    finally:
        os.environ.clear()
        os.environ.update(saved)
        stack.down()


@pytest.fixture
def database_url(stack_settings: Settings) -> str:
    assert stack_settings.database_url
    return stack_settings.database_url


@pytest.fixture(scope="session")
def library_url(stack_settings: Settings) -> str:
    """The session stack's local ad library (sources, creatives and fault endpoints)."""
    return f"http://127.0.0.1:{stack_settings.library_port}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    end_to_end = Path(__file__).parent / "e2e"
    for item in items:
        if end_to_end in item.path.parents:
            item.add_marker(pytest.mark.slow)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """A failed test's report carries the tail of every stack log written while it ran, so a failure
    seen only in CI (a server's own error) can be read from CI's output."""
    outcome = yield
    report = outcome.get_result()
    if call.when != "call" or not report.failed:
        return
    for state_dir in _state_dirs:
        for log_path in sorted((state_dir / "logs").glob("*.log")):
            if log_path.stat().st_mtime >= call.start:
                lines = log_path.read_text(errors="replace").splitlines()[-_LOG_TAIL_LINES:]
                report.sections.append((f"{log_path} (last {len(lines)} lines)", "\n".join(lines)))


@pytest.fixture(scope="session")
def api_url(stack_settings: Settings) -> str:
    """The session stack's API server (its ``api`` part)."""
    return f"http://127.0.0.1:{stack_settings.api_port}"
