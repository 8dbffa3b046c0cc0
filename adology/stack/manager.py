"""``adology stack up | down | status | env``: start, stop and inspect the embedded stack.

All state lives under ``ADOLOGY_STATE_DIR``: ``postgres/`` (data dir), ``s3/`` (SeaweedFS
volumes), ``mongo/`` (montydb sqlite files), ``logs/`` (one file per server), ``run/`` (pid
files) and ``dagster/`` (DAGSTER_HOME). A lock file serialises concurrent ``up``/``down`` calls.
Every directory of it is its owner's alone (0700; as root, PostgreSQL's own user may pass through
the state and log dirs to reach its data and log), and so are the files the stack writes (0600).
"""

from __future__ import annotations

import contextlib
import fcntl
import time
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path

from adology.errors import StackError
from adology.logs import get_logger
from adology.provision import provision
from adology.settings import Environment, Settings
from adology.stack.parts import MongoPart, Part, PartStatus, SqsPart
from adology.stack.postgres import PostgresPart, service_user
from adology.stack.process import open_private, private_directory
from adology.stack.seaweed import SeaweedPart
from adology.storage.aws import settings_object_store
from adology.storage.s3 import ObjectStore, ObjectStoreError

log = get_logger(__name__)

DAGSTER_YAML = Path(__file__).resolve().parents[2] / "dagster.yaml"
# The project's dagster.yaml holds what every instance shares and no storage, so a bare
# `dagster dev` in a checkout runs on Dagster's temporary instance; the stack's instance (and a
# deployment's) keeps runs, events and schedules in Postgres.
POSTGRES_STORAGE = """
# Written by `adology stack up` from the project's dagster.yaml: runs, event logs and schedules
# live in the stack's PostgreSQL (RDS in production), at DAGSTER_POSTGRES_URL.
storage:
  postgres:
    postgres_url:
      env: DAGSTER_POSTGRES_URL
"""


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

    def down(self) -> list[str]:
        stopped = []
        with self._locked():
            for part in reversed(self.parts):
                if part.pid_file is not None and part.pid_file.live_pid() is not None:
                    part.stop()
                    stopped.append(part.name)
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
        """DAGSTER_HOME lives in the state dir; its dagster.yaml is the project's plus Postgres storage,
        written on every ``up`` so an edit of the project's file reaches it."""
        instance_yaml = private_directory(self.settings.dagster_home) / "dagster.yaml"
        instance_yaml.unlink(missing_ok=True)  # stacks made before this was written held a link
        with open_private(instance_yaml) as written:
            written.write((DAGSTER_YAML.read_text() + POSTGRES_STORAGE).encode())


def _contributed_parts() -> list[type[Part]]:
    """Parts other packages add to the embedded stack (``adology.stack_parts`` entry points), in name
    order: the simulated ad sources, which locally stand where Meta, Apify and SerpApi are."""
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
