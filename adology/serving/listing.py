"""Lists as keyset queries: one query serves a page of JSON and a whole CSV export.

A page asks for ``limit + 1`` rows after the cursor (the last row's sort key, opaque to clients), so
the answer says whether more follow without counting. An export runs the same query without a limit
through a server-side cursor, a batch of rows at a time, so a 100,000-row export holds one batch.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from adology.errors import AdologyError

MAX_LIMIT = 100
DEFAULT_LIMIT = 50
_EXPORT_BATCH = 1000


class InvalidCursorError(AdologyError):
    """A cursor that this list did not hand out (or that was edited)."""


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    next_cursor: str | None


def _encode(value: Any) -> Any:
    return {"t": value.isoformat()} if isinstance(value, datetime) else value


def _decode(value: Any) -> Any:
    return datetime.fromisoformat(value["t"]) if isinstance(value, dict) else value


def encode_cursor(kind: str, key: Sequence[Any]) -> str:
    payload = json.dumps([kind, [_encode(value) for value in key]], separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_cursor(kind: str, cursor: str, width: int) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        named, key = json.loads(raw)
    except (binascii.Error, ValueError, TypeError):
        raise InvalidCursorError("the cursor is not one this list handed out; start again without one") from None
    if named != kind or not isinstance(key, list) or len(key) != width:
        raise InvalidCursorError("the cursor belongs to another list")
    try:
        return [_decode(value) for value in key]
    except (KeyError, TypeError, ValueError):
        raise InvalidCursorError("the cursor is not one this list handed out; start again without one") from None


@dataclass(frozen=True)
class Query:
    """``SELECT ... FROM ... WHERE <conditions>`` ordered by ``order`` (descending, unique together).

    ``kind`` names the list in its cursors, so a cursor of one list is refused by another.
    ``shape`` turns a row into what clients see; ``columns`` are the CSV header, in order.
    """

    kind: str
    select: sql.Composable
    conditions: list[sql.Composable]
    params: dict[str, Any]
    order: tuple[str, ...]  # qualified columns, each descending
    key: Callable[[dict[str, Any]], tuple[Any, ...]]
    columns: tuple[str, ...]
    shape: Callable[[dict[str, Any]], dict[str, Any]] = field(default=lambda row: row)

    def _statement(self, after: list[Any] | None, limit: int | None) -> tuple[sql.Composed, dict[str, Any]]:
        conditions = list(self.conditions)
        params = dict(self.params)
        if after is not None:
            columns = sql.SQL(", ").join(sql.SQL(column) for column in self.order)
            values = sql.SQL(", ").join(sql.Placeholder(f"after_{i}") for i in range(len(self.order)))
            conditions.append(sql.SQL("({}) < ({})").format(columns, values))
            params |= {f"after_{i}": value for i, value in enumerate(after)}
        where = sql.SQL(" AND ").join(conditions) if conditions else sql.SQL("TRUE")
        order = sql.SQL(", ").join(sql.SQL(f"{column} DESC") for column in self.order)
        statement = sql.SQL("{} WHERE {} ORDER BY {}").format(self.select, where, order)
        if limit is not None:
            statement = sql.SQL("{} LIMIT {}").format(statement, sql.Literal(limit))
        return statement, params

    def page(self, conn: psycopg.Connection, *, cursor: str | None, limit: int) -> Page:
        limit = max(1, min(limit, MAX_LIMIT))
        after = decode_cursor(self.kind, cursor, len(self.order)) if cursor else None
        statement, params = self._statement(after, limit + 1)
        with conn.cursor(row_factory=dict_row) as cur:
            rows = cur.execute(statement, params).fetchall()
        more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = encode_cursor(self.kind, self.key(rows[-1])) if more else None
        return Page([self.shape(row) for row in rows], next_cursor)

    def stream(self, conn: psycopg.Connection) -> Iterator[dict[str, Any]]:
        """Every row, shaped, read through a server-side cursor inside the caller's transaction."""
        statement, params = self._statement(None, None)
        with conn.cursor(name=f"export_{self.kind}", row_factory=dict_row) as cur:
            cur.itersize = _EXPORT_BATCH
            cur.execute(statement, params)
            for row in cur:
                yield self.shape(row)
