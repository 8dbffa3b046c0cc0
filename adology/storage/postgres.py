"""Postgres connections: a psycopg 3 pool whose connections understand pgvector."""

from __future__ import annotations

from typing import Any

import psycopg
from pgvector.psycopg import register_vector
from psycopg_pool import ConnectionPool

from adology.errors import AdologyError


class MissingRowError(AdologyError):
    """A query that always returns a row (an aggregate, ``INSERT ... RETURNING``) returned none."""


def one_row(cursor: psycopg.Cursor[Any]) -> Any:
    """The one row of a query that always returns one; :class:`MissingRowError` if it did not."""
    row = cursor.fetchone()
    if row is None:
        raise MissingRowError(f"expected one row, got none (status: {cursor.statusmessage})")
    return row


def _configure(conn: psycopg.Connection) -> None:
    register_vector(conn)
    conn.commit()  # register_vector queries the catalog; leave the connection idle, not in a transaction


def open_pool(
    database_url: str, *, min_size: int = 1, max_size: int = 10, name: str = "adology", check: bool = False
) -> ConnectionPool:
    """An opened pool; ``with pool.connection() as conn`` commits on success, rolls back on error.

    ``check`` tests each connection as it is handed out (one round trip) and replaces a dead one: for
    a long-lived server, whose idle connections a database restart leaves broken.
    """
    pool = ConnectionPool(
        database_url,
        min_size=min_size,
        max_size=max_size,
        name=name,
        configure=_configure,
        check=ConnectionPool.check_connection if check else None,
        open=False,
        kwargs={"application_name": name},
    )
    pool.open(wait=True, timeout=30)
    return pool
