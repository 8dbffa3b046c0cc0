"""Ordered, versioned, idempotent schema migrations.

Each ``migrations/NNNN_name.sql`` runs once, in its own transaction, and is recorded with a
checksum in ``schema_migrations``. Re-running applies nothing new; editing a migration that
already ran is refused (write a new one instead), so every database has the same history.
An advisory lock lets concurrent ``migrate`` calls (two processes starting) take turns.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from importlib import resources

import psycopg

from adology.errors import MigrationError
from adology.logs import get_logger

log = get_logger(__name__)

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
_LOCK_KEY = 0x4144_4F4C  # "ADOL": one advisory lock id for schema changes


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def available_migrations() -> list[Migration]:
    folder = resources.files("adology.db") / "migrations"
    found = []
    for entry in folder.iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda migration: migration.version)
    versions = [migration.version for migration in found]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"two migrations share a version number: {versions}")
    return found


def migrate(database_url: str) -> list[str]:
    """Apply every pending migration; return the names of those applied (empty when up to date)."""
    applied_now: list[str] = []
    try:
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("SELECT pg_advisory_lock(%s)", (_LOCK_KEY,))
            try:
                conn.execute(
                    """CREATE TABLE IF NOT EXISTS schema_migrations (
                           version integer PRIMARY KEY,
                           name text NOT NULL,
                           checksum text NOT NULL,
                           applied_at timestamptz NOT NULL DEFAULT now())"""
                )
                done = {
                    row[0]: (row[1], row[2])
                    for row in conn.execute("SELECT version, name, checksum FROM schema_migrations")
                }
                for migration in available_migrations():
                    if migration.version in done:
                        name, checksum = done[migration.version]
                        if checksum != migration.checksum:
                            raise MigrationError(
                                f"migration {migration.version:04d}_{name} was edited after it was applied; "
                                "restore it and put the change in a new migration"
                            )
                        continue
                    with conn.transaction():
                        conn.execute(migration.sql)
                        conn.execute(
                            "INSERT INTO schema_migrations (version, name, checksum) VALUES (%s, %s, %s)",
                            (migration.version, migration.name, migration.checksum),
                        )
                    label = f"{migration.version:04d}_{migration.name}"
                    applied_now.append(label)
                    log.info("applied migration", extra={"migration": label})
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", (_LOCK_KEY,))
    except psycopg.Error as exc:
        raise MigrationError(f"migration failed: {exc}") from exc
    return applied_now


def applied_versions(database_url: str) -> list[int]:
    with psycopg.connect(database_url) as conn:
        return [row[0] for row in conn.execute("SELECT version FROM schema_migrations ORDER BY version")]
