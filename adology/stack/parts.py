"""A part of the embedded stack (:class:`Part`), and the two small ones: moto SQS and montydb.
PostgreSQL + pgvector and SeaweedFS S3 have modules of their own (:mod:`.postgres`, :mod:`.seaweed`);
other packages add parts through the ``adology.stack_parts`` entry points (the simulated ad sources
do: see ``simulators.ad_sources.part``).

Each part knows its ports, how to start and stop itself, and how to prove it is healthy by
talking its real protocol (a SQL query, a signed S3 call, an SQS call, a Mongo ping).
"""

from __future__ import annotations

import abc
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from adology.errors import StackError
from adology.logs import get_logger
from adology.settings import Settings
from adology.stack.process import PidFile, StartedProcess, require_free_ports, spawn, terminate, wait_until
from adology.storage.aws import settings_client
from adology.storage.mongo import open_mongo

log = get_logger(__name__)

START_TIMEOUT_SECONDS = 90.0
PROBE_CONFIG = Config(connect_timeout=2, read_timeout=5, retries={"max_attempts": 1})


@dataclass
class PartStatus:
    name: str
    running: bool
    healthy: bool
    endpoint: str
    pid: int | None = None
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "running": self.running,
            "healthy": self.healthy,
            "endpoint": self.endpoint,
            "pid": self.pid,
            "detail": self.detail,
        }


@dataclass
class Part(abc.ABC):
    settings: Settings
    name: str = field(init=False)
    port_setting: str = field(init=False)

    @property
    def state(self) -> Path:
        return self.settings.state_dir

    @property
    def log_path(self) -> Path:
        return self.state / "logs" / f"{self.name}.log"

    @property
    @abc.abstractmethod
    def pid_file(self) -> PidFile | None:
        """Where the part's server pid is tracked; None for an in-process part."""

    @property
    @abc.abstractmethod
    def ports(self) -> list[int]: ...

    @property
    @abc.abstractmethod
    def endpoint(self) -> str: ...

    @abc.abstractmethod
    def probe(self) -> str:
        """Talk to the part over its protocol; return a short detail or raise on failure."""

    @abc.abstractmethod
    def _start(self) -> int | None:
        """Start the server and return its pid (None for an in-process part)."""

    def start(self) -> None:
        require_free_ports(self.ports, part=self.name, setting=self.port_setting)
        pid = self._start()
        pid_file = self.pid_file
        if pid is not None and pid_file is not None:
            pid_file.write(pid)
        wait_until(
            self.healthy,
            timeout=START_TIMEOUT_SECONDS,
            what=self.name,
            log_path=self.log_path,
            alive=(lambda: pid_file.live_pid() is not None) if pid_file is not None else None,
        )
        if pid is not None:
            log.info("started", extra={"part": self.name, "endpoint": self.endpoint, "pid": pid})

    def stop(self) -> None:
        pid = self.pid_file.live_pid() if self.pid_file else None
        if pid is not None:
            terminate(pid)
            log.info("stopped", extra={"part": self.name, "pid": pid})
        if self.pid_file is not None:
            self.pid_file.remove()

    def remains(self, server: StartedProcess) -> list[psutil.Process]:
        """What still runs of ``server``, the part's server process that died: a new server must not
        start beside it. The rest of its process group (a server is started in a session of its own)."""
        return server.group()

    def healthy(self) -> bool:
        try:
            self.probe()
        except Exception:  # noqa: BLE001 - any failure of the probe means "not healthy yet"
            return False
        return True

    def status(self) -> PartStatus:
        pid = self.pid_file.live_pid() if self.pid_file else None
        running = pid is not None or self.pid_file is None
        try:
            detail = self.probe() if running else "not running"
            healthy = running
        except Exception as exc:  # noqa: BLE001 - status reports every failure as text
            detail, healthy = f"{type(exc).__name__}: {exc}", False
        return PartStatus(self.name, running, healthy, self.endpoint, pid, detail)


@dataclass
class SqsPart(Part):
    """moto's server speaking the SQS API. Queues live in memory: the outbox re-publishes."""

    name: str = field(init=False, default="sqs")
    port_setting: str = field(init=False, default="ADOLOGY_SQS_PORT")

    @property
    def pid_file(self) -> PidFile:
        return PidFile(self.state / "run" / "sqs.pid", marker="moto.server")

    @property
    def ports(self) -> list[int]:
        return [self.settings.sqs_port]

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.settings.sqs_port}"

    def probe(self) -> str:
        client = settings_client(self.settings, "sqs", config=PROBE_CONFIG)
        try:
            queues = client.list_queues().get("QueueUrls", [])
        except (BotoCoreError, ClientError) as exc:
            raise StackError(f"SQS call failed: {exc}") from exc
        return f"moto SQS, {len(queues)} queue(s)"

    def _start(self) -> int:
        env = {**os.environ, "MOTO_ALLOW_NONEXISTENT_REGION": "false"}
        command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.settings.sqs_port)]
        return spawn(command, log_path=self.log_path, env=env)


@dataclass
class MongoPart(Part):
    """The document store: montydb on sqlite, opened in-process; a real server for mongodb:// URIs."""

    name: str = field(init=False, default="mongo")
    port_setting: str = field(init=False, default="MONGO_URI")

    @property
    def pid_file(self) -> None:
        return None

    @property
    def ports(self) -> list[int]:
        return []

    @property
    def endpoint(self) -> str:
        uri = self.settings.mongo_uri or ""
        return uri.split("@")[-1] if "@" in uri else uri  # never show credentials

    def probe(self) -> str:
        with open_mongo(self.settings.mongo_uri or "", self.settings.mongo_database) as database:
            count = len(database.list_collection_names())
        return f"{'montydb (sqlite)' if self.endpoint.startswith('montydb') else 'MongoDB'}, {count} collection(s)"

    def _start(self) -> None:
        return None
