"""``/v1/ws``: the organization's notifications as they are written, resumable with ``?after=<id>``.

Authenticate with ``Authorization: Bearer <token>``, with the dashboard's session cookie (from a page
of the app's own origin only), or, from a browser that has no session (it cannot set headers on a
WebSocket), with a first message ``{"type": "auth", "token": "..."}`` within 10 seconds. The server
then sends ``{"type": "ready"}`` and ``{"type": "notification", "notification": {...}}`` per row, in
id order, starting after ``after``. The handler always waits on the client too, so a closed client
(or a server shutting down) ends it at once.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Query, WebSocket
from fastapi.concurrency import run_in_threadpool
from fastapi.encoders import jsonable_encoder
from starlette.websockets import WebSocketDisconnect

from adology.logs import get_logger
from adology.serving.activity import notifications_after
from adology.tenancy.accounts import User
from adology.tenancy.errors import InvalidTokenError
from adology.tenancy.tokens import user_for_token
from api.deps import page_session

log = get_logger(__name__)

router = APIRouter()

AUTH_SECONDS = 10.0
POLICY_VIOLATION = 1008


def _token_from_header(websocket: WebSocket) -> str | None:
    scheme, _, token = websocket.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def _token(websocket: WebSocket) -> str | None:
    known = _token_from_header(websocket) or page_session(websocket)
    if known is not None:
        return known
    try:
        message = await asyncio.wait_for(websocket.receive_json(), timeout=AUTH_SECONDS)
    except (TimeoutError, ValueError, KeyError, WebSocketDisconnect):
        return None
    if isinstance(message, dict) and message.get("type") == "auth" and isinstance(message.get("token"), str):
        return str(message["token"])
    return None


def _authenticate(websocket: WebSocket, token: str) -> User | None:
    with websocket.app.state.pool.connection() as conn:
        try:
            return user_for_token(conn, token)
        except InvalidTokenError:
            return None


def _new_rows(websocket: WebSocket, user: User, after: int) -> list[dict[str, Any]]:
    with websocket.app.state.pool.connection() as conn:
        return notifications_after(conn, user.organization_id, after)


async def _client_closed(websocket: WebSocket) -> None:
    """Returns when the client disconnects; messages it sends after authenticating are ignored."""
    with contextlib.suppress(WebSocketDisconnect):
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return


@dataclass(frozen=True)
class Wakeups:
    """An open socket's two signals: the client closing, and the organization maybe having news."""

    woken: asyncio.Event
    closed: asyncio.Task[None]

    @property
    def open(self) -> bool:
        return not self.closed.done()

    async def wait(self, at_most: float | None = None) -> None:
        """Until the organization may have news, the client closes, or ``at_most`` seconds pass."""
        wake = asyncio.ensure_future(self.woken.wait())
        await asyncio.wait({wake, self.closed}, timeout=at_most, return_when=asyncio.FIRST_COMPLETED)
        wake.cancel()
        self.woken.clear()


@contextlib.asynccontextmanager
async def organization_wakeups(websocket: WebSocket, organization_id: str) -> AsyncIterator[Wakeups]:
    """The hub's wake-ups for the organization while the socket is open; a client gone mid-send ends it
    quietly."""
    closed = asyncio.create_task(_client_closed(websocket))
    try:
        with websocket.app.state.hub.subscription(organization_id) as woken:
            yield Wakeups(woken, closed)
    except (WebSocketDisconnect, RuntimeError) as exc:
        log.info("socket ended while sending", extra={"error": str(exc)[:200]})
    finally:
        closed.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await closed


@router.websocket("/v1/ws")
async def notifications_socket(
    websocket: WebSocket,
    after: Annotated[int, Query(ge=0, le=2**63 - 1, description="the last notification id the client has")] = 0,
) -> None:
    await websocket.accept()
    token = await _token(websocket)
    user = await run_in_threadpool(_authenticate, websocket, token) if token else None
    if user is None:
        await websocket.close(code=POLICY_VIOLATION, reason="log in: a valid bearer token is required")
        return
    websocket.scope.setdefault("state", {})["organization_id"] = str(user.organization_id)
    async with organization_wakeups(websocket, str(user.organization_id)) as wakeups:
        await websocket.send_json({"type": "ready", "after": after})
        while wakeups.open:
            for row in await run_in_threadpool(_new_rows, websocket, user, after):
                await websocket.send_json({"type": "notification", "notification": jsonable_encoder(row)})
                after = row["id"]
            await wakeups.wait()
