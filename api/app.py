"""The FastAPI application: its lifespan opens the shared clients once per process (the Postgres pool,
the object store, the AI provider that embeds search queries, the notification hub)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware

from adology.ai.registry import open_provider
from adology.errors import SettingsError
from adology.logs import configure_logging
from adology.settings import Settings, load_settings
from adology.storage.aws import settings_client, settings_object_store
from adology.storage.postgres import open_pool
from adology.storage.queues import RequestQueues
from api.dashboard.install import install_dashboard
from api.errors import ERROR_RESPONSES, install_error_handlers
from api.exports import CsvSuffixMiddleware
from api.hub import NotificationHub
from api.metrics import router as metrics_router
from api.middleware import NulCharacterMiddleware, RequestContextMiddleware
from api.routers import activity, ads, auth, brands, brandspaces, inquire, reports, users, ws

# Every router the app serves; tests/stack/test_api_isolation.py walks their routes, so a route added
# here without a tenant check fails the suite.
ROUTERS = (
    auth.router,
    users.router,
    brandspaces.router,
    brands.router,
    ads.router,
    reports.router,
    inquire.router,
    activity.router,
    ws.router,
)
POOL_SIZE = 10  # per worker process: its threadpool's concurrency against Postgres, within max_connections


def create_app(settings: Settings) -> FastAPI:
    if not settings.database_url:
        raise SettingsError("DATABASE_URL is required to serve the API")
    database_url = settings.database_url

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.loop = asyncio.get_running_loop()
        app.state.pool = await asyncio.to_thread(
            open_pool, database_url, min_size=2, max_size=POOL_SIZE, name="adology-api", check=True
        )
        app.state.store = settings_object_store(settings)
        app.state.queues = RequestQueues(settings_client(settings, "sqs"), settings.queue_prefix)
        app.state.hub = NotificationHub(database_url)
        app.state.hub.start()
        try:
            async with open_provider(settings.ai_provider_config()) as provider:
                app.state.provider = provider
                yield
        finally:
            await app.state.hub.stop()
            await asyncio.to_thread(app.state.pool.close)

    app = FastAPI(
        title="Adology API",
        version="1",
        summary="Ad creatives, their AI analysis, brand insights and competitive reports, per organization.",
        lifespan=lifespan,
        responses=ERROR_RESPONSES,
    )
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    install_dashboard(app)
    app.include_router(metrics_router)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    # outermost last: the request id wraps everything, then the .csv rewrite, then compression
    app.add_middleware(GZipMiddleware, minimum_size=1000)
    app.add_middleware(CsvSuffixMiddleware)
    app.add_middleware(NulCharacterMiddleware)
    app.add_middleware(RequestContextMiddleware)
    return app


def app_from_environment() -> FastAPI:
    """The app of one uvicorn worker process, configured from its environment like every Adology process."""
    settings = load_settings()
    configure_logging(level=settings.log_level, log_format=settings.log_format)
    return create_app(settings)
