"""``adology mcp``: Adology's tools for a customer's own AI assistant, over the Model Context Protocol.

Every tool call resolves the user from the bearer token again (a token revoked or expired mid-session
stops working at once) and reads only what that user may read through the API: brandspaces through
:func:`usable_brandspace`, so another organization's brandspace and a missing one fail alike; ads,
brands and insights are the shared library. Answers have the API's shapes (:mod:`api.schemas`).

Two transports. stdio, for an assistant that starts the server itself: the token is
``ADOLOGY_API_TOKEN`` (``adology mcp`` checks it before serving). Streamable HTTP on 127.0.0.1:
each request carries ``Authorization: Bearer <token>``, which the SDK's bearer middleware checks
through :class:`UserTokenVerifier` (401 without a valid one) and hands to the tools in a context
variable.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import logging
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any

import anyio
import anyio.from_thread
import anyio.to_thread
import psycopg
import uvicorn
from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.auth.provider import AccessToken
from mcp.server.auth.settings import AuthSettings
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations
from psycopg_pool import ConnectionPool
from pydantic import AnyHttpUrl, Field

from adology.ai.registry import open_provider
from adology.ai.types import AIError, Embedding, Provider
from adology.errors import AdologyError
from adology.knowledge.inquire.service import ask
from adology.knowledge.insights.store import latest_insights
from adology.knowledge.snapshots import load_report
from adology.logs import get_logger, log_context
from adology.requests.messages import BRAND_KEY_PATTERN
from adology.serving.ads import AdFilters, ad_detail, ads_query
from adology.serving.brands import brand_id, brandspace_brands
from adology.serving.knowledge import insights_versions
from adology.serving.search import MAX_RESULTS, similar_ads
from adology.settings import Settings
from adology.storage.aws import settings_object_store
from adology.storage.postgres import open_pool
from adology.storage.s3 import ObjectStore
from adology.tenancy.accounts import User
from adology.tenancy.brandspaces import usable_brandspace, usable_brandspaces
from adology.tenancy.errors import InvalidTokenError
from adology.tenancy.tokens import user_for_token
from api.routers.ads import CREATIVE_URL_SECONDS, QUERY_EMBEDDING_SECONDS, AdFilterParams
from api.schemas import (
    AdDetailOut,
    AdOut,
    BrandspaceBrandOut,
    BrandspaceOut,
    InsightsOut,
    InsightsVersionOut,
    PageOf,
    ReportOut,
    SearchOut,
)

log = get_logger(__name__)

POOL_SIZE = 10  # the tools run in worker threads, each holding a connection for its call
GRACEFUL_SHUTDOWN_SECONDS = 5  # an assistant's open event stream would otherwise hold a shutdown forever
INSTRUCTIONS = (
    "Adology: ads of a shared library with their AI analysis, brand insights and competitive reports. "
    "Start with list_brandspaces: the brandspace ids the other tools take come from it, and the brand "
    "keys from its brands."
)

BrandspaceId = Annotated[uuid.UUID, Field(description="a brandspace id from list_brandspaces")]
BrandKey = Annotated[str, Field(pattern=BRAND_KEY_PATTERN, description="a brand's key, e.g. from list_brandspaces")]


class BrandspaceWithBrandsOut(BrandspaceOut):
    brands: list[BrandspaceBrandOut]


@dataclass(frozen=True)
class Resources:
    """What the server holds for its lifetime, shared by every call."""

    pool: ConnectionPool
    store: ObjectStore
    provider: Provider


@contextlib.asynccontextmanager
async def open_resources(settings: Settings) -> AsyncIterator[Resources]:
    """The Postgres pool, the object store and the AI provider, open for the block."""
    pool = await anyio.to_thread.run_sync(
        functools.partial(
            open_pool, settings.database_url or "", min_size=1, max_size=POOL_SIZE, name="adology-mcp", check=True
        )
    )
    try:
        async with open_provider(settings.ai_provider_config()) as provider:
            yield Resources(pool, settings_object_store(settings), provider)
    finally:
        await anyio.to_thread.run_sync(pool.close)


@contextlib.contextmanager
def _plain_errors() -> Iterator[None]:
    """Adology's errors reach the assistant as tool errors with their own message (the SDK keeps any
    other exception's text and traceback on the server)."""
    try:
        yield
    except AdologyError as exc:
        raise ToolError(str(exc)) from None
    except psycopg.OperationalError as exc:
        log.error("database unavailable", extra={"error": str(exc)[:300]})
        raise ToolError("the database cannot be reached; try again shortly") from None


class AdologyTools:
    """The tools, each run in a worker thread (psycopg is blocking); the provider's coroutines go back
    to the event loop with ``anyio.from_thread.run``. Their docstrings are what the assistant reads."""

    def __init__(self, resources: Resources, token: Callable[[], str]) -> None:
        self._resources = resources
        self._token = token

    @contextlib.contextmanager
    def _as_user(self) -> Iterator[tuple[psycopg.Connection, User]]:
        """A pooled connection and the token's user, for one call."""
        with _plain_errors(), self._resources.pool.connection() as conn:
            user = user_for_token(conn, self._token())
            with log_context(organization_id=str(user.organization_id), user_id=str(user.id)):
                yield conn, user

    def list_brandspaces(self) -> dict[str, Any]:
        """The brandspaces you may use, by name, each with its brands (primary first) and their roles,
        ad counts and new ads in the last 7 and 30 days."""
        with self._as_user() as (conn, user):
            spaces = [
                BrandspaceWithBrandsOut(
                    id=space.id,
                    name=space.name,
                    partition_key=space.partition_key,
                    brands=[BrandspaceBrandOut.model_validate(row) for row in brandspace_brands(conn, space.id)],
                )
                for space in usable_brandspaces(conn, user)
            ]
        return {"brandspaces": [space.model_dump(mode="json") for space in spaces]}

    def search_ads(
        self,
        brandspace_id: BrandspaceId,
        query: Annotated[str, Field(min_length=1, max_length=500, description="what the ads are about, in words")],
        limit: Annotated[int, Field(ge=1, le=MAX_RESULTS)] = 10,
    ) -> dict[str, Any]:
        """The brandspace's ads whose meaning is nearest the query, nearest first, with their similarity."""
        if not query.strip():
            raise ToolError("query: the query is blank")
        with self._as_user() as (conn, user):
            space = usable_brandspace(conn, user, brandspace_id)
            embedding = anyio.from_thread.run(self._embedding, query)
            hits = similar_ads(
                conn, vector=embedding.vector, model=embedding.model, brand_ids=list(space.brand_ids), limit=limit
            )
        found = SearchOut.model_validate({"query": query, "model": embedding.model, "items": hits})
        return found.model_dump(mode="json")

    async def _embedding(self, query: str) -> Embedding:
        try:
            with anyio.fail_after(QUERY_EMBEDDING_SECONDS):
                embedding, _ = await self._resources.provider.embed_query(query)
        except TimeoutError:
            raise AIError("timeout", f"embedding the query took over {QUERY_EMBEDDING_SECONDS} s") from None
        return embedding

    def list_ads(
        self,
        brandspace_id: BrandspaceId,
        brand: Annotated[BrandKey | None, Field(description="only this brand of the brandspace")] = None,
        format: Annotated[str | None, Field(max_length=50, description="the display format: image, video, ...")] = None,
        label: Annotated[str | None, Field(max_length=100, description="a label, e.g. offer:free_shipping")] = None,
        attribute: Annotated[
            str | None, Field(pattern=r"^[a-z_]{1,64}=.{1,200}$", description="name=value, e.g. offer_type=discount")
        ] = None,
        text: Annotated[
            str | None, Field(max_length=200, description='words in the copy or the description ("a phrase", -word)')
        ] = None,
        limit: Annotated[int, Field(ge=1, le=100)] = 20,
    ) -> dict[str, Any]:
        """The brandspace's ads, newest first, narrowed by the filters given (the first page: a non-null
        next_cursor means more match; narrow the filters to see them)."""
        name, _, value = (attribute or "").partition("=")
        filters = AdFilterParams(
            [brand] if brand else None,
            AdFilters(display_format=format, label=label, attribute=(name, value) if attribute else None, text=text),
        )
        with self._as_user() as (conn, user):
            space = usable_brandspace(conn, user, brandspace_id)
            page = ads_query(filters.within(conn, list(space.brand_ids))).page(conn, cursor=None, limit=limit)
        listed = PageOf[AdOut].model_validate({"items": page.items, "next_cursor": page.next_cursor})
        return listed.model_dump(mode="json")

    def get_ad(self, ad_id: Annotated[int, Field(ge=1, le=2**63 - 1)]) -> dict[str, Any]:
        """The ad in full: copy, description, attributes, labels, and its creatives as URLs valid 5 minutes."""
        store = self._resources.store
        with self._as_user() as (conn, _):
            ad = ad_detail(conn, ad_id, lambda key: store.presigned_url(key, expires_in=CREATIVE_URL_SECONDS))
        return AdDetailOut.model_validate(ad).model_dump(mode="json")

    def brand_insights(self, brand: BrandKey) -> dict[str, Any]:
        """The brand's newest insights (themes, attribute summary, trends, momentum) and its versions;
        insights is null before the first computation."""
        with self._as_user() as (conn, _):
            found = brand_id(conn, brand)
            stored = latest_insights(conn, found)
            versions = [InsightsVersionOut(**row) for row in insights_versions(conn, found)]
        return InsightsOut(
            brand=brand,
            version=stored.version if stored else None,
            insights=stored.insights if stored else None,
            versions=versions,
        ).model_dump(mode="json")

    def brandspace_report(self, brandspace_id: BrandspaceId) -> dict[str, Any]:
        """The brandspace's newest competitive report; report is null before the first one is built."""
        with self._as_user() as (conn, user):
            space = usable_brandspace(conn, user, brandspace_id)
            loaded = load_report(conn, space.partition_key)
        if loaded is None:
            return ReportOut(brandspace=space.partition_key, version=None).model_dump(mode="json")
        report = ReportOut(brandspace=space.partition_key, version=loaded.stored.version, report=loaded.report)
        return report.model_dump(mode="json")

    def ask_inquire(
        self,
        brandspace_id: BrandspaceId,
        question: Annotated[str, Field(description="a question about the brandspace's ads, in words")],
        conversation_id: Annotated[
            uuid.UUID | None, Field(description="the conversation_id of an earlier answer, for a follow-up")
        ] = None,
    ) -> dict[str, Any]:
        """Ask about the brandspace's ads in words ("which offers does Brand B run most?"); the answer
        cites the ads it rests on. Follow-ups pass the conversation_id of the previous answer."""
        with self._as_user() as (conn, user):
            space = usable_brandspace(conn, user, brandspace_id)
        with _plain_errors():
            answer = anyio.from_thread.run(
                functools.partial(
                    ask,
                    self._resources.pool.connection,
                    self._resources.provider,
                    user=user,
                    brandspace=space,
                    question=question,
                    conversation_id=conversation_id,
                )
            )
        return answer.model_dump(mode="json")


class UserTokenVerifier:
    """The SDK's ``TokenVerifier``: a token is valid when the API would accept it."""

    def __init__(self, pool: ConnectionPool) -> None:
        self._pool = pool

    def _user(self, token: str) -> User:
        with self._pool.connection() as conn:
            return user_for_token(conn, token)

    async def verify_token(self, token: str) -> AccessToken | None:
        try:
            user = await anyio.to_thread.run_sync(self._user, token)
        except InvalidTokenError:
            return None
        # the user is the principal: an HTTP session is bound to the user who opened it
        return AccessToken(token=token, client_id=str(user.id), subject=str(user.id), scopes=[])


def _request_token() -> str:
    access = get_access_token()
    if access is None:  # the bearer middleware refuses such a request before any tool runs
        raise ToolError("log in: send Authorization: Bearer <token>")
    return access.token


def create_server(
    resources: Resources, token: Callable[[], str], *, settings: Settings, over_http: bool = False
) -> MCPServer:
    """The server with every tool; over HTTP it demands a bearer token of the API on each request."""
    server: MCPServer = MCPServer(
        "adology",
        instructions=INSTRUCTIONS,
        log_level=settings.log_level,  # type: ignore[arg-type]  # the setting's pattern allows the same five
        token_verifier=UserTokenVerifier(resources.pool) if over_http else None,
        # the API issues the tokens (POST /v1/auth/token) and no OAuth metadata is served: the issuer is
        # only what the SDK's settings require
        auth=AuthSettings(issuer_url=AnyHttpUrl(f"http://127.0.0.1:{settings.api_port}"), resource_server_url=None)
        if over_http
        else None,
    )
    tools = AdologyTools(resources, token)
    reading = ToolAnnotations(read_only_hint=True, open_world_hint=False)
    for read in (
        tools.list_brandspaces,
        tools.search_ads,
        tools.list_ads,
        tools.get_ad,
        tools.brand_insights,
        tools.brandspace_report,
    ):
        server.add_tool(read, description=inspect.getdoc(read), annotations=reading)
    # inquire records the conversation, so it is not read-only
    server.add_tool(
        tools.ask_inquire,
        description=inspect.getdoc(tools.ask_inquire),
        annotations=ToolAnnotations(read_only_hint=False, open_world_hint=False),
    )
    return server


def _share_logging() -> None:
    """Send the SDK's and uvicorn's records through Adology's handler (text or JSON, on stderr): the
    SDK would otherwise give the root logger a console handler of its own (its ``basicConfig`` does
    nothing once the root has one)."""
    logging.getLogger().handlers[:] = logging.getLogger("adology").handlers


def serve_stdio(settings: Settings, *, token: str) -> None:
    """Serve on stdin/stdout as the token's user until the assistant closes stdin."""
    _share_logging()

    async def serve() -> None:
        async with open_resources(settings) as resources:
            server = create_server(resources, lambda: token, settings=settings)
            log.info("MCP server on stdio")
            await server.run_stdio_async()

    anyio.run(serve)


def serve_http(settings: Settings, *, port: int) -> None:
    """Serve streamable HTTP at http://127.0.0.1:PORT/mcp until Ctrl-C or SIGTERM."""
    _share_logging()

    async def serve() -> None:
        async with open_resources(settings) as resources:
            server = create_server(resources, _request_token, settings=settings, over_http=True)
            app = server.streamable_http_app(host="127.0.0.1")
            log.info("MCP server on streamable HTTP", extra={"url": f"http://127.0.0.1:{port}/mcp"})
            # logging stays as adology.logs configured it: no uvicorn handlers, no access lines
            config = uvicorn.Config(
                app,
                host="127.0.0.1",
                port=port,
                log_config=None,
                access_log=False,
                timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
            )
            await uvicorn.Server(config).serve()

    anyio.run(serve)
