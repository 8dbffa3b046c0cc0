"""Notifications to WebSockets: one Postgres LISTEN connection per API process wakes the sockets of
the organization a NOTIFY names; each socket then reads what is new from the ``notifications`` table.

NOTIFY is only a wake-up. A socket tracks the last id it sent and reads rows after it, so a payload
lost while the LISTEN connection was down costs nothing: on reconnecting the hub wakes every socket,
and every :data:`SWEEP_SECONDS` it wakes them anyway. Several API processes each hold their own
LISTEN connection and serve their own sockets; they share nothing but Postgres.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import defaultdict
from collections.abc import Iterator

import psycopg

from adology.logs import get_logger
from adology.requests.notifications import CHANNEL

log = get_logger(__name__)

SWEEP_SECONDS = 30.0
_RECONNECT_SECONDS = 2.0


class NotificationHub:
    def __init__(self, database_url: str) -> None:
        self._database_url = database_url
        self._subscribers: dict[str, set[asyncio.Event]] = defaultdict(set)
        self._task: asyncio.Task[None] | None = None
        self.listening = asyncio.Event()  # set while the LISTEN connection is up (tests wait for it)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="notification-hub")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self.wake_all()

    @contextlib.contextmanager
    def subscription(self, organization_id: str) -> Iterator[asyncio.Event]:
        """An event set whenever the organization may have new notifications."""
        event = asyncio.Event()
        self._subscribers[organization_id].add(event)
        try:
            yield event
        finally:
            self._subscribers[organization_id].discard(event)
            if not self._subscribers[organization_id]:
                del self._subscribers[organization_id]

    def wake(self, organization_id: str | None) -> None:
        if organization_id is None:
            self.wake_all()
            return
        for event in self._subscribers.get(organization_id, ()):
            event.set()

    def wake_all(self) -> None:
        for events in self._subscribers.values():
            for event in events:
                event.set()

    async def _run(self) -> None:
        while True:
            try:
                await self._listen()
            except (psycopg.Error, OSError) as exc:
                log.warning("notification listener lost its connection; reconnecting", extra={"error": str(exc)[:200]})
            self.listening.clear()
            await asyncio.sleep(_RECONNECT_SECONDS)

    async def _listen(self) -> None:
        async with await psycopg.AsyncConnection.connect(
            self._database_url, autocommit=True, application_name="adology-api-listen"
        ) as conn:
            await conn.execute(f"LISTEN {CHANNEL}")
            self.listening.set()
            self.wake_all()  # anything written while no one listened
            log.info("listening for notifications", extra={"channel": CHANNEL})
            generator = conn.notifies(timeout=SWEEP_SECONDS)
            while True:
                async for notify in generator:
                    self.wake(_organization_of(notify.payload))
                self.wake_all()  # the sweep: a quiet period ended
                generator = conn.notifies(timeout=SWEEP_SECONDS)


def _organization_of(payload: str) -> str | None:
    try:
        organization = json.loads(payload).get("organization_id")
    except (ValueError, AttributeError):
        return None
    return str(organization) if organization else None
