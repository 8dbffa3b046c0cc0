"""``adology stack up | down | status | env``: start, stop and inspect the embedded stack.

All state lives under ``ADOLOGY_STATE_DIR``: ``postgres/`` (data dir), ``s3/`` (SeaweedFS
volumes), ``mongo/`` (montydb sqlite files), ``logs/`` (one file per server), ``run/`` (pid
files; ``run/supervisor.pid`` and ``run/services/`` record a supervisor, ``adology dev``, and the
process groups it started: see :mod:`adology.stack.supervisor`) and ``dagster/`` (DAGSTER_HOME). A
lock file serialises concurrent ``up``/``down`` calls and a supervisor's restarts.
Every directory of it is its owner's alone (0700; as root, PostgreSQL's own user may pass through
the state and log dirs to reach its data and log), and so are the files the stack writes (0600).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import subprocess
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib.metadata import entry_points

import psycopg
from botocore.exceptions import BotoCoreError, ClientError

from adology.dagster_instance import instance_yaml
from adology.errors import AdologyError, StackError
from adology.logs import get_logger
from adology.provision import provision
from adology.settings import Environment, Settings
from adology.stack.parts import MongoPart, Part, PartStatus, SqsPart
from adology.stack.postgres import PostgresPart, service_user
from adology.stack.process import (
    ProcessRecord,
    StartedProcess,
    open_private,
    private_directory,
    stop_groups,
    stop_processes,
)
from adology.stack.seaweed import SeaweedPart
from adology.storage.aws import settings_object_store
from adology.storage.s3 import ObjectStore, ObjectStoreError

log = get_logger(__name__)

# A supervisor stops its services within its own stop timeout; `down` gives it that and a margin.
SUPERVISOR_STOP_SECONDS = 60.0
SERVICE_STOP_SECONDS = 30.0


@dataclass
class UpResult:
    started: list[str]
    already_running: list[str]
    migrations: list[str]


class Stack:
    def __init__(self, settings: Settings) -> None:
        if settings.environment is not Environment.LOCAL:
            raise StackError("the embedded stack runs only with ADOLOGY_ENV=local")
        self.settings = settings
        self.parts: list[Part] = [
            PostgresPart(settings),
            SeaweedPart(settings),
            SqsPart(settings),
            MongoPart(settings),
            *(contributed(settings) for contributed in _contributed_parts()),
        ]

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self._make_state_dir_private()
        with open_private(self.settings.state_dir / "stack.lock") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)

    def up(self) -> UpResult:
        """Start every part not already running, then migrate and ensure buckets, queues and collections.

        Running parts are left alone, so a second ``up`` changes nothing.
        """
        started, running = [], []
        with self._locked():
            for part in self.parts:
                if part.pid_file is not None and part.pid_file.live_pid() is not None:
                    running.append(part.name)
                    continue
                part.start()
                if part.pid_file is not None:
                    started.append(part.name)
            migrations = provision(self.settings)
            # a restarted SeaweedFS lists buckets before it knows its volumes
            _wait_until_objects_are_served(settings_object_store(self.settings))
            self._prepare_dagster_home()
        if running and not started:
            log.info("stack already running; nothing changed", extra={"parts": ",".join(running)})
        return UpResult(started=started, already_running=running, migrations=migrations)

    def restart(self, servers: Mapping[str, StartedProcess | None]) -> None:
        """Start again the parts named in ``servers`` (each with its server process as last seen, if it
        was seen), then provision: SQS keeps its queues in memory, and a restarted SeaweedFS must
        serve objects again.

        Whatever still runs of a dead server is stopped first, so the new one neither meets a taken
        port nor shares its data with the remains of the old. Postgres recovers its data dir from its
        write-ahead log; SeaweedFS reopens its volumes. Any failure is a :class:`StackError`.
        """
        with self._locked():
            try:
                for part in self.parts:
                    if part.name not in servers:
                        continue
                    server = servers[part.name]
                    if server is not None:
                        stop_processes(part.remains(server), timeout=10)
                    part.start()
                provision(self.settings)
                _wait_until_objects_are_served(settings_object_store(self.settings))
            except StackError:
                raise
            except (
                AdologyError,
                OSError,
                subprocess.SubprocessError,
                psycopg.Error,
                BotoCoreError,
                ClientError,
            ) as exc:
                raise StackError(f"restarting {', '.join(servers)} failed: {exc}") from exc

    def down(self) -> list[str]:
        """Stop the supervisor and every process group it started, then every part: the names stopped."""
        stopped = self._stop_supervision()
        with self._locked():
            for part in reversed(self.parts):
                if part.pid_file is not None and part.pid_file.live_pid() is not None:
                    part.stop()
                    stopped.append(part.name)
        return stopped

    @property
    def supervisor_record(self) -> ProcessRecord:
        """Where a supervisor (``adology dev``) records itself while it runs."""
        return ProcessRecord(self.settings.state_dir / "run" / "supervisor.pid")

    def service_record(self, name: str) -> ProcessRecord:
        """Where a supervisor records the process group of the service ``name`` it started."""
        return ProcessRecord(self.settings.state_dir / "run" / "services" / f"{name}.pid")

    def service_records(self) -> list[ProcessRecord]:
        return [ProcessRecord(path) for path in sorted((self.settings.state_dir / "run" / "services").glob("*.pid"))]

    def _stop_supervision(self) -> list[str]:
        """A running supervisor is asked to stop (it stops its services and waits for them); then the
        process groups a supervisor killed with SIGKILL left behind are stopped here."""
        stopped = []
        supervisor = self.supervisor_record.read()
        process = supervisor.running() if supervisor is not None else None
        if process is not None and process.pid != os.getpid():
            log.info("stopping the supervisor", extra={"part": "supervisor", "pid": process.pid})
            stop_processes([process], timeout=SUPERVISOR_STOP_SECONDS)
            stopped.append("supervisor")
        self.supervisor_record.remove()
        for record in self.service_records():
            leader = record.read()
            if leader is not None and stop_groups([leader], timeout=SERVICE_STOP_SECONDS):
                log.info("stopped what a supervisor left running", extra={"part": record.name, "pid": leader.pid})
                stopped.append(record.name)
            record.remove()
        return stopped

    def _make_state_dir_private(self) -> None:
        """The state dir and its parts readable by their owner only, stacks made before included.
        As root PostgreSQL runs as its own user, whose group may pass through to its data and log."""
        state = self.settings.state_dir
        postgres_user = service_user()
        for directory in (state, state / "logs"):
            private_directory(directory, traversable_by=postgres_user)
        for name in ("postgres", "s3", "mongo", "run", "dagster"):
            private_directory(state / name)

    def status(self) -> dict[str, PartStatus]:
        return {part.name: part.status() for part in self.parts}

    def healthy(self) -> bool:
        return all(status.healthy for status in self.status().values())

    def _prepare_dagster_home(self) -> None:
        """DAGSTER_HOME lives in the state dir; its dagster.yaml is the project's plus Postgres storage
        and the chosen run launcher (:func:`instance_yaml`), written on every ``up`` so an edit of the
        project's file reaches it."""
        path = private_directory(self.settings.dagster_home) / "dagster.yaml"
        path.unlink(missing_ok=True)  # stacks made before this was written held a link
        with open_private(path) as written:
            written.write(instance_yaml(self.settings).encode())


def _contributed_parts() -> list[type[Part]]:
    """Parts other packages add to the embedded stack (``adology.stack_parts`` entry points), in name
    order: the API server, and the simulated ad sources, which locally stand where Meta, Apify and
    SerpApi are."""
    return [entry.load() for entry in sorted(entry_points(group="adology.stack_parts"), key=lambda e: e.name)]


_SENTINEL = "health/ready"


def _wait_until_objects_are_served(store: ObjectStore, *, timeout: float = 60.0) -> None:
    """After a restart SeaweedFS lists buckets before its master has learned the volumes on disk,
    and reads fail until it has: wait until a sentinel object (written once) reads back."""
    deadline = time.monotonic() + timeout
    last_error = ""
    while time.monotonic() < deadline:
        try:
            if not store.exists(key=_SENTINEL):
                store.put_bytes(key=_SENTINEL, data=b"ok\n", content_type="text/plain")
            store.get_bytes(key=_SENTINEL)
            return
        except ObjectStoreError as exc:  # a write refused while volumes load is retried like a read
            last_error = str(exc)
        time.sleep(0.5)
    raise StackError(f"S3 did not serve objects within {timeout:.0f}s: {last_error}")
