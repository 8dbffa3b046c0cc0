"""``/v1/ws`` on the running server: a request's notification reaches the sockets of its organization
only, through Postgres LISTEN/NOTIFY; a client that reconnects with ``after`` misses nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from adology.requests.notifications import record_notification
from adology.settings import Settings
from tests.api_world import Api, World

WAIT_SECONDS = 10.0


@contextmanager
def socket(api: Api, token: str, *, after: int = 0, by_header: bool = True) -> Iterator[ClientConnection]:
    url = api.base_url.replace("http://", "ws://") + f"/v1/ws?after={after}"
    headers = {"Authorization": f"Bearer {token}"} if by_header else None
    with connect(url, additional_headers=headers, proxy=None) as ws:
        if not by_header:
            ws.send(json.dumps({"type": "auth", "token": token}))
        assert json.loads(ws.recv(timeout=WAIT_SECONDS)) == {"type": "ready", "after": after}
        yield ws


def received(ws: ClientConnection, count: int) -> list[dict[str, Any]]:
    messages = [json.loads(ws.recv(timeout=WAIT_SECONDS)) for _ in range(count)]
    assert all(message["type"] == "notification" for message in messages)
    return [message["notification"] for message in messages]


def _latest(stack_settings: Settings, world: World) -> int:
    with psycopg.connect(stack_settings.database_url or "") as conn:
        return int(
            conn.execute(
                "SELECT coalesce(max(id), 0) FROM notifications WHERE organization_id = %s", (world.a.id,)
            ).fetchone()[0]  # type: ignore[index]
        )


def _run_ended(stack_settings: Settings, world: World, request_id: str, run: str) -> int:
    """What the run-status sensor does when the request's run ends: the row and its NOTIFY."""
    with psycopg.connect(stack_settings.database_url or "") as conn:
        notification = record_notification(
            conn, request_id=request_id, brand_key=world.brands["competitor"], run_id=run, status="succeeded"
        )
    assert notification is not None
    return int(notification["id"])


def test_a_requests_notification_reaches_its_organizations_sockets_only(
    stack_settings: Settings, world: World, api: Api, tokens: dict[str, str]
) -> None:
    after = _latest(stack_settings, world)
    with (
        socket(api, tokens["a_member"], after=after) as member_ws,
        socket(api, tokens["a_admin"], after=after, by_header=False) as admin_ws,
        socket(api, tokens["b_admin"], after=10**12) as b_ws,
    ):
        request_id = api.as_user(tokens["a_admin"]).post("/v1/requests", json={"brand": world.brands["competitor"]})
        assert request_id.status_code == 202
        notification_id = _run_ended(stack_settings, world, request_id.json()["id"], f"ws-{world.tag}")
        for ws in (member_ws, admin_ws):
            (notification,) = received(ws, 1)
            assert notification["id"] == notification_id
            assert notification["request_id"] == request_id.json()["id"] and notification["status"] == "succeeded"
            assert notification["counts"]["ads"] == 8
        with pytest.raises(TimeoutError):
            b_ws.recv(timeout=2)


def test_a_client_that_reconnects_with_after_gets_every_notification_it_missed(
    stack_settings: Settings, world: World, api: Api, tokens: dict[str, str]
) -> None:
    admin = api.as_user(tokens["a_admin"])
    with socket(api, tokens["a_admin"], after=_latest(stack_settings, world)) as ws:
        first = admin.post("/v1/requests", json={"brand": world.brands["competitor"]}).json()["id"]
        first_id = _run_ended(stack_settings, world, first, f"first-{world.tag}")
        (seen,) = received(ws, 1)
        assert seen["id"] == first_id
    missed = []
    for n in range(3):  # while disconnected
        request = admin.post("/v1/requests", json={"brand": world.brands["competitor"]}).json()["id"]
        missed.append(_run_ended(stack_settings, world, request, f"missed-{n}-{world.tag}"))
    with socket(api, tokens["a_admin"], after=seen["id"]) as ws:
        assert [notification["id"] for notification in received(ws, 3)] == missed


def test_a_socket_without_a_valid_token_is_closed(api: Api) -> None:
    url = api.base_url.replace("http://", "ws://") + "/v1/ws"
    for headers in ({"Authorization": "Bearer adt_forged"}, None):
        with connect(url, additional_headers=headers, proxy=None) as ws:
            if headers is None:
                ws.send(json.dumps({"type": "auth", "token": 42}))
            with pytest.raises(ConnectionClosed) as closed:
                ws.recv(timeout=WAIT_SECONDS)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008
