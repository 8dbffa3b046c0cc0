"""A supervised ``adology dev`` for end-to-end tests that kill its parts: started as a user starts it,
in a session of its own, with helpers to find its processes, wait on it and record requests."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil
import psycopg

from adology.brands import Brand, BrandSource, upsert_brand
from adology.settings import Settings
from adology.sources.models import Connector
from adology.stack.parts import Part
from adology_assets.dev import dagster_health
from tests.commands import ADOLOGY

HEALTHY_WITHIN_SECONDS = 300
REQUEST_DONE_WITHIN_SECONDS = 300
STOPPED_WITHIN_SECONDS = 90
DAEMON_COMMANDS = ("dagster-daemon run", "dagster._daemon run")  # supervised alone, or under `dagster dev`
WEBSERVER_COMMANDS = ("dagster-webserver", "dagster_webserver")


@dataclass
class Dev:
    """An ``adology dev`` child process and where its output goes."""

    settings: Settings
    process: subprocess.Popen[bytes]
    output: Path

    def log_tail(self, characters: int = 6000) -> str:
        return self.output.read_text(errors="replace")[-characters:]

    def wait_for(self, condition: Callable[[], bool], *, timeout: float, what: str) -> None:
        """Poll ``condition`` until it holds; fail at once if ``adology dev`` exited."""
        deadline = time.monotonic() + timeout
        while not condition():
            assert self.process.poll() is None, f"adology dev exited while waiting for {what}:\n{self.log_tail()}"
            assert time.monotonic() < deadline, f"{what}: not within {timeout}s\n{self.log_tail()}"
            time.sleep(1)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=STOPPED_WITHIN_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()


def start_dev(settings: Settings, overrides: dict[str, str], output: Path) -> Dev:
    """``adology dev`` in a session of its own (a signal for it reaches it alone), working in the
    state dir, so every process it starts can be told by its working directory."""
    with open(output, "wb") as log_file:
        process = subprocess.Popen(
            [ADOLOGY, "dev"],
            env={**os.environ, **overrides, **settings.client_environment()},
            cwd=settings.state_dir,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    dev = Dev(settings, process, output)
    dev.wait_for(
        lambda: dagster_health(settings.dagster_port).healthy, timeout=HEALTHY_WITHIN_SECONDS, what="Dagster healthy"
    )
    return dev


def server_pid(part: Part) -> int | None:
    return part.pid_file.live_pid() if part.pid_file is not None else None


def restarted(dev: Dev, part: Part, killed: int) -> Callable[[], bool]:
    """A new server answers and the supervisor is done with it (provisioning comes after the start:
    a new SQS answers before its queues exist again)."""

    def check() -> bool:
        pid = server_pid(part)
        return (
            pid is not None
            and pid != killed
            and f"stack part restarted part={part.name} pid={pid} " in dev.output.read_text()
            and part.healthy()
        )

    return check


def dagster_processes(root: psutil.Process, commands: tuple[str, ...]) -> list[psutil.Process]:
    """``root``'s descendants running one of ``commands`` (not their code servers)."""
    found = []
    for process in root.children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):
            command = " ".join(process.cmdline())
            if any(wanted in command for wanted in commands) and "api grpc" not in command:
                found.append(process)
    return found


def register_library_brand(settings: Settings, *, index: int, status: str) -> Brand:
    """The library's ``index``-th brand, registered alone with ``status``."""
    entry = httpx.get(f"http://127.0.0.1:{settings.library_port}/brands", timeout=30).json()[index]
    with psycopg.connect(settings.database_url or "") as conn:
        return upsert_brand(
            conn,
            partition_key=entry["partition_key"],
            name=entry["name"],
            status=status,
            sources=[BrandSource(Connector(name), source["handle"]) for name, source in entry["sources"].items()],
        )


def request_outcome(dev: Dev, request_id: uuid.UUID) -> str:
    """The request's status once it ended (succeeded or failed)."""
    outcome: list[str] = []

    def ended() -> bool:
        with psycopg.connect(dev.settings.database_url or "") as conn:
            row = conn.execute("SELECT status FROM requests WHERE id = %s", (request_id,)).fetchone()
        outcome[:] = [row[0]] if row and row[0] in ("succeeded", "failed") else []
        return bool(outcome)

    dev.wait_for(ended, timeout=REQUEST_DONE_WITHIN_SECONDS, what=f"request {request_id} ended")
    return outcome[0]
