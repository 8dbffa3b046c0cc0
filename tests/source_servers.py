"""Test equipment shared by the source-client, media and acquisition tests: saved payloads of the
three sources, a retry policy that does not wait, an HTTP server on a free loopback port (one that
counts its requests too), and a name server that answers as a test tells it (DNS rebinding)."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Callable, Collection
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from aiohttp import web

from adology.sources.http import RetryPolicy
from adology.sources.models import Connector, NormalizedAd, ParsedPage

FIXTURES = Path(__file__).parent / "fixtures" / "sources"
FAST_RETRY = RetryPolicy(attempts=4, base_wait_seconds=0.01, max_wait_seconds=0.02)


def fixture(name: str) -> Any:
    """A saved source payload from ``tests/fixtures/sources``."""
    return json.loads((FIXTURES / name).read_text())


@asynccontextmanager
async def serving(routes: list[web.RouteDef]) -> AsyncIterator[str]:
    """An HTTP server on a free 127.0.0.1 port for the duration of the block; yields its base URL."""
    app = web.Application()
    app.add_routes(routes)
    # No access log: it would record the secrets the fake source receives, which is its business.
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        host, port = runner.addresses[0][:2]
        yield f"http://{host}:{port}"
    finally:
        await runner.cleanup()


PUBLIC_ADDRESS = "93.184.215.14"


class NameServer:
    """Answers for one name in place of the system resolver (every other name is asked as usual):
    ``answers`` in turn, the last one again once they run out. Counts the questions."""

    def __init__(self, loop: asyncio.AbstractEventLoop, name: str, answers: list[str]) -> None:
        self.name = name
        self.answers = answers
        self.questions = 0
        self._system = loop.getaddrinfo

    async def __call__(self, host: Any, port: Any, **options: Any) -> list[Any]:
        if host != self.name:
            return await self._system(host, port, **options)
        address = self.answers[min(self.questions, len(self.answers) - 1)]
        self.questions += 1
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, int(port)))]


def install_name_server(name: str, answers: list[str]) -> NameServer:
    """A :class:`NameServer` for ``name`` on the running loop, which every lookup of this process
    goes through (the guard's check and aiohttp's threaded resolver alike)."""
    loop = asyncio.get_running_loop()
    server = NameServer(loop, name, answers)
    loop.getaddrinfo = server  # type: ignore[method-assign]
    return server


@asynccontextmanager
async def counted(handler: Callable[[web.Request], Any]) -> AsyncIterator[tuple[int, list[str]]]:
    """``handler`` on every path of a server on 127.0.0.1; yields its port and the paths requested."""
    requested: list[str] = []

    async def record(request: web.Request) -> web.StreamResponse:
        requested.append(request.path)
        return await handler(request)

    async with serving([web.route("*", "/{tail:.*}", record)]) as base_url:
        yield int(base_url.rsplit(":", 1)[1]), requested


class ListedSource:
    """A source whose one page lists the ads a test built (the parsers' rules bypassed); the creatives
    they point to are real URLs."""

    connector = Connector.APIFY

    def __init__(self, ads: list[NormalizedAd]) -> None:
        self.ads = ads

    async def fetch(self, handle: str, detailed: Collection[str] = frozenset()) -> AsyncIterator[ParsedPage]:
        yield ParsedPage(connector=self.connector, request="test://listing", payload={}, ads=self.ads)
