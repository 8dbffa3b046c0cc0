"""Test equipment shared by the source-client and acquisition tests: saved payloads of the three
sources, a retry policy that does not wait, and an HTTP server on a free loopback port."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from aiohttp import web

from adology.sources.http import RetryPolicy

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
