"""Every request gets an id (the caller's ``X-Request-ID`` when it is sane, else a new one), carried
by every log line logged while it is served and returned in the response's ``X-Request-ID``; and one
access line per request, without its query string (which may carry search text) or any header."""

from __future__ import annotations

import json
import re
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from adology.logs import get_logger, log_context
from api.metrics import observe_request

log = get_logger("api.access")

_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")


def _incoming_request_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            text = value.decode("latin-1")
            return text if _SANE_REQUEST_ID.match(text) else None
    return None


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        request_id = _incoming_request_id(scope) or uuid.uuid4().hex
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        started = time.perf_counter()
        status = 0

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] in ("http.response.start", "websocket.accept"):
                status = message.get("status", 101)
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        with log_context(request_id=request_id):
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                seconds = time.perf_counter() - started
                if scope["type"] == "http":
                    route = scope.get("route")
                    observe_request(scope["method"], getattr(route, "path", "unmatched"), status or 500, seconds)
                log.info(
                    "request",
                    extra={
                        "method": scope.get("method", "WS"),
                        "path": scope.get("path", ""),
                        "status": status or 500,
                        "ms": round(seconds * 1000, 1),
                        "organization_id": state.get("organization_id"),
                        "user_id": state.get("user_id"),
                    },
                )


class NulCharacterMiddleware:
    """Refuse a request whose path or query string holds a NUL character (raw or ``%00``) with a 422:
    Postgres cannot store or compare text holding one, and no field of ours accepts it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            raw = scope.get("query_string", b"") + scope.get("raw_path", b"") + scope.get("path", "").encode()
            if b"\x00" in raw or b"%00" in raw.lower():
                await self._refuse(scope, send)
                return
        await self.app(scope, receive, send)

    @staticmethod
    async def _refuse(scope: Scope, send: Send) -> None:
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        body = json.dumps(
            {
                "code": "invalid_request",
                "message": "NUL characters are not allowed in a path or query",
                "request_id": scope.get("state", {}).get("request_id", ""),
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 422,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})
