"""CSV at the last moment: a list endpoint answers ``Accept: text/csv`` (or its path with ``.csv``)
by streaming the same query's rows, never stored, in constant memory.

The rows are read through a server-side cursor on a connection the stream holds until its last row.
Cells that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@`` first) are prefixed with
an apostrophe, since a creative's copy is text written by whoever ran the ad.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

import psycopg
from fastapi import Request
from fastapi.responses import StreamingResponse
from psycopg_pool import ConnectionPool
from starlette.types import ASGIApp, Receive, Scope, Send

from adology.serving.listing import Query
from api.deps import PageRequest

CSV_MEDIA_TYPE = "text/csv"
CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {CSV_MEDIA_TYPE: {"schema": {"type": "string"}}}, "description": "the page, or every row as CSV"}
}
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_ROWS_PER_CHUNK = 200


class CsvSuffixMiddleware:
    """``GET /v1/ads.csv`` is ``GET /v1/ads`` with ``Accept: text/csv``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].endswith(".csv"):
            path = scope["path"][: -len(".csv")]
            headers = [(name, value) for name, value in scope["headers"] if name != b"accept"]
            headers.append((b"accept", CSV_MEDIA_TYPE.encode()))
            # in place, so the request's middleware sees the route it reached (metrics by route)
            scope.update(path=path, raw_path=path.encode(), headers=headers)
        await self.app(scope, receive, send)


def wants_csv(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return CSV_MEDIA_TYPE in accept and "application/json" not in accept


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bool | int | float):
        return str(value)
    if isinstance(value, list | dict):
        return json.dumps(value, default=str, ensure_ascii=False)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _csv_chunks(columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for count, row in enumerate(rows, start=1):
        writer.writerow([_cell(row.get(column)) for column in columns])
        if count % _ROWS_PER_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _query_chunks(pool: ConnectionPool, query: Query) -> Iterator[str]:
    with pool.connection() as conn:
        yield from _csv_chunks(query.columns, query.stream(conn))


def _csv_stream(chunks: Iterator[str], filename: str) -> StreamingResponse:
    return StreamingResponse(
        chunks,
        media_type=f"{CSV_MEDIA_TYPE}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
    )


def csv_response(request: Request, query: Query, filename: str) -> StreamingResponse:
    return _csv_stream(_query_chunks(request.app.state.pool, query), filename)


def listing(request: Request, conn: psycopg.Connection, query: Query, paging: PageRequest, filename: str) -> Any:
    """A page of the query as JSON ``{items, next_cursor}``, or every row as CSV when the client asked."""
    if wants_csv(request):
        return csv_response(request, query, filename)
    return query.page(conn, cursor=paging.cursor, limit=paging.limit)


def rows_listing(request: Request, rows: list[dict[str, Any]], columns: Sequence[str], filename: str) -> Any:
    """A short list read whole (a brandspace's brands, an organization's users): the rows as JSON, or
    as CSV when the client asked."""
    if wants_csv(request):
        return _csv_stream(_csv_chunks(columns, rows), filename)
    return rows
