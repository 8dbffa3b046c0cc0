"""Running the fake: in a background thread for tests and benchmarks, or in the foreground.

It binds 127.0.0.1 only; there is no option to listen elsewhere, because it is test equipment
that answers anyone with made-up results.
"""

from __future__ import annotations

import asyncio
import threading
from types import TracebackType
from typing import Any

from aiohttp import web

from adology.logs import get_logger
from simulators.ai_service.app import FakeState, build_app
from simulators.ai_service.config import FakeServerConfig

log = get_logger(__name__)

LOOPBACK = "127.0.0.1"
# In-flight handlers are cancelled on stop (and when their client hangs up), so waiting longer
# than this for them would only slow test teardown.
_SHUTDOWN_SECONDS = 1.0
_START_SECONDS = 10.0


class FakeAIServer:
    """The fake on its own event loop in a daemon thread; ``start()`` returns its base URL.

    ``with FakeAIServer(FakeServerConfig(latency_seconds=0.05)) as server: ...server.base_url...``
    """

    def __init__(self, config: FakeServerConfig | None = None, *, port: int = 0) -> None:
        self._state = FakeState(config or FakeServerConfig())
        self._port = port
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._failure: BaseException | None = None
        self._base_url: str | None = None

    @property
    def config(self) -> FakeServerConfig:
        """The live configuration: assigning a field takes effect for the next request."""
        return self._state.config

    @property
    def base_url(self) -> str:
        if self._base_url is None:
            raise RuntimeError("the fake AI server is not running; call start() first")
        return self._base_url

    def configure(self, **changes: Any) -> None:
        """Change several fields at once (validated together), as ``POST /_admin/config`` does."""
        if self._loop is None:
            self._state.configure(changes)
            return

        async def apply() -> None:  # the queue's futures belong to the server's loop: change them there
            self._state.configure(changes)

        asyncio.run_coroutine_threadsafe(apply(), self._loop).result()

    def stats(self) -> dict[str, Any]:
        return self._state.stats.snapshot()

    def start(self) -> str:
        if self._thread is not None:
            raise RuntimeError("the fake AI server is already running")
        self._ready.clear()
        self._failure = None
        self._thread = threading.Thread(target=self._run, name="fake-ai-server", daemon=True)
        self._thread.start()
        if not self._ready.wait(_START_SECONDS):
            raise RuntimeError(f"the fake AI server did not start within {_START_SECONDS:.0f} s")
        if self._failure is not None:
            self._thread.join()
            self._thread = None
            raise self._failure
        return self.base_url

    def stop(self) -> None:
        if self._thread is None or self._loop is None:
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._thread = None
        self._base_url = None

    def __enter__(self) -> FakeAIServer:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        runner = web.AppRunner(
            build_app(self._state), access_log=None, handler_cancellation=True, shutdown_timeout=_SHUTDOWN_SECONDS
        )
        try:
            loop.run_until_complete(runner.setup())
            site = web.TCPSite(runner, LOOPBACK, self._port)
            loop.run_until_complete(site.start())
            port = runner.addresses[0][1]
            self._base_url = f"http://{LOOPBACK}:{port}"
        except OSError as exc:  # the port is taken
            self._failure = exc
            loop.run_until_complete(runner.cleanup())
            loop.close()
            self._ready.set()
            return
        self._loop = loop
        log.info("fake AI server listening", extra={"url": self._base_url})
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(runner.cleanup())
            loop.close()
            self._loop = None


def serve(config: FakeServerConfig | None = None, *, port: int = 8765) -> None:
    """Run the fake in the foreground until interrupted (for benchmarks from another process)."""
    state = FakeState(config or FakeServerConfig())
    log.info("fake AI server listening", extra={"url": f"http://{LOOPBACK}:{port}"})
    web.run_app(
        build_app(state),
        host=LOOPBACK,
        port=port,
        print=None,
        access_log=None,
        handler_cancellation=True,
        shutdown_timeout=_SHUTDOWN_SECONDS,
    )
