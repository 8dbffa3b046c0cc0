"""``adology mcp`` as an assistant uses it, on the session's stack: one server over stdio as
organization A's admin, one over streamable HTTP where each request carries its own token (A's and
B's on the same server), and the start-up check of the stdio token."""

from __future__ import annotations

import contextlib
import json
import os
import random
import subprocess
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import anyio.from_thread
import httpx
import httpx2
import psycopg
import pytest
from anyio.from_thread import BlockingPortal
from mcp import Client, StdioServerParameters
from mcp.client import Transport
from mcp.client.client import ConnectMode
from mcp.client.streamable_http import streamable_http_client
from mcp.types import CallToolResult

from adology.settings import Settings
from adology.stack.process import port_is_free
from adology.tenancy.tokens import issue_token
from tests.api_world import World
from tests.commands import ADOLOGY

TOOLS = {
    "list_brandspaces",
    "search_ads",
    "list_ads",
    "get_ad",
    "brand_insights",
    "brandspace_report",
    "ask_inquire",
}
SERVER_START_SECONDS = 60


class McpSession:
    """A connected MCP client, driven from synchronous tests through a blocking portal."""

    def __init__(self, portal: BlockingPortal, client: Client) -> None:
        self._portal = portal
        self._client = client

    def tool_names(self) -> set[str]:
        return {tool.name for tool in self._portal.call(self._client.list_tools).tools}

    def call(self, tool: str, **arguments: Any) -> CallToolResult:
        return self._portal.call(self._client.call_tool, tool, arguments)

    def answer(self, tool: str, **arguments: Any) -> Any:
        """The tool's JSON answer; the test fails on a tool error."""
        result = self.call(tool, **arguments)
        assert not result.is_error, _text(result)
        return json.loads(_text(result))


@contextlib.contextmanager
def _session(server: StdioServerParameters | Transport, *, mode: ConnectMode = "auto") -> Iterator[McpSession]:
    with (
        anyio.from_thread.start_blocking_portal() as portal,
        portal.wrap_async_context_manager(Client(server, mode=mode)) as client,
    ):
        yield McpSession(portal, client)


def _text(result: CallToolResult) -> str:
    return "".join(getattr(block, "text", "") for block in result.content)


def _environment(settings: Settings, **extra: str) -> dict[str, str]:
    """The stack's variables for a child ``adology``, with no token but one given in ``extra``."""
    inherited = {name: value for name, value in os.environ.items() if name != "ADOLOGY_API_TOKEN"}
    return {**inherited, **settings.client_environment(), **extra}


@pytest.fixture(scope="module")
def over_stdio(stack_settings: Settings, tokens: dict[str, str]) -> Iterator[McpSession]:
    """``adology mcp`` started by the client as A's admin, speaking the handshake era of the protocol
    as today's assistants do (the HTTP test speaks both)."""
    server = StdioServerParameters(
        command=ADOLOGY, args=["mcp"], env=_environment(stack_settings, ADOLOGY_API_TOKEN=tokens["a_admin"])
    )
    with _session(server, mode="legacy") as session:
        yield session


@pytest.fixture(scope="module")
def http_url(stack_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``adology mcp --http`` on a free port, its log in a file shown when it fails to start."""
    port = random.randrange(40000, 55536)  # the commands take ports up to 55535
    while not port_is_free(port):
        port = random.randrange(40000, 55536)
    log_path = tmp_path_factory.mktemp("mcp") / "mcp-http.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [ADOLOGY, "mcp", "--http", "--port", str(port)],
            env=_environment(stack_settings),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/mcp"
    try:
        _wait_until_serving(url, process, log_path)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_until_serving(url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"adology mcp --http exited with {process.returncode}:\n{log_path.read_text()}")
        with contextlib.suppress(httpx.TransportError):
            httpx.post(url, timeout=2)
            return
        time.sleep(0.2)
    pytest.fail(f"adology mcp --http did not answer within {SERVER_START_SECONDS} s:\n{log_path.read_text()}")


@contextlib.contextmanager
def _over_http(url: str, token: str, *, mode: ConnectMode = "auto") -> Iterator[McpSession]:
    http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=60)
    with _session(streamable_http_client(url, http_client=http), mode=mode) as session:
        yield session


def test_the_tools_are_listed_and_list_brandspaces_shows_the_users_brandspaces_with_their_brands(
    world: World, over_stdio: McpSession
) -> None:
    assert over_stdio.tool_names() == TOOLS
    spaces = over_stdio.answer("list_brandspaces")["brandspaces"]
    assert {space["id"] for space in spaces} == {str(world.a.brandspace.id), str(world.a.other_brandspace.id)}
    main = next(space for space in spaces if space["id"] == str(world.a.brandspace.id))
    assert main["partition_key"] == world.a.brandspace.partition_key
    assert [(brand["key"], brand["role"]) for brand in main["brands"]] == [
        (world.brands["primary"], "primary"),
        (world.brands["competitor"], "competitor"),
        (world.brands["followed"], "followed"),
    ]


def test_search_and_list_ads_read_the_brandspaces_ads(world: World, over_stdio: McpSession) -> None:
    space = str(world.a.brandspace.id)
    held = {ad for role in ("primary", "competitor", "followed") for ad in world.ads[world.brands[role]]}
    found = over_stdio.answer("search_ads", brandspace_id=space, query="a moisturizing serum with water drops", limit=6)
    assert {hit["id"] for hit in found["items"]} == set(world.topic_ads["hydration"]) & held
    blank = over_stdio.call("search_ads", brandspace_id=space, query="   ")
    assert blank.is_error and "the query is blank" in _text(blank)

    key = world.brands["primary"]
    videos = over_stdio.answer("list_ads", brandspace_id=space, brand=key, format="video", limit=100)
    assert [ad["id"] for ad in videos["items"]] == sorted(
        (ad for i, ad in enumerate(world.ads[key]) if i % 3 == 0), reverse=True
    )
    first = over_stdio.answer("list_ads", brandspace_id=space, attribute="offer_type=discount", limit=2)
    assert len(first["items"]) == 2 and first["next_cursor"]
    outside = over_stdio.answer("list_ads", brandspace_id=space, brand=world.brands["b_only"])
    assert outside["items"] == []  # a brand outside the brandspace adds nothing


def test_get_ad_insights_and_report(world: World, over_stdio: McpSession, stack_settings: Settings) -> None:
    ad_id = world.ads[world.brands["primary"]][1]
    ad = over_stdio.answer("get_ad", ad_id=ad_id)
    assert ad["id"] == ad_id and ad["labels"][0]["label"].startswith("topic:")
    assert ad["creatives"][0]["url"].startswith(f"http://127.0.0.1:{stack_settings.s3_port}/")
    assert httpx.get(ad["creatives"][0]["url"]).content.startswith(b"\x89PNG")
    missing = over_stdio.call("get_ad", ad_id=2**62)
    assert missing.is_error and f"no ad {2**62}" in _text(missing)

    insights = over_stdio.answer("brand_insights", brand=world.brands["competitor"])
    assert insights == {"brand": world.brands["competitor"], "version": None, "insights": None, "versions": []}

    report = over_stdio.answer("brandspace_report", brandspace_id=str(world.a.brandspace.id))
    assert report["version"] == 2 and report["report"]["brandspace"] == world.a.brandspace.partition_key


def test_bad_arguments_are_tool_errors_without_a_traceback(over_stdio: McpSession) -> None:
    unknown = over_stdio.call("brand_insights", brand="no-such-brand")
    assert unknown.is_error and _text(unknown).endswith(": no brand no-such-brand")
    for invalid in (
        over_stdio.call("brandspace_report", brandspace_id="not-a-uuid"),
        over_stdio.call("brand_insights", brand="No Such Brand"),
    ):
        assert invalid.is_error and "validation error" in _text(invalid) and "Traceback" not in _text(invalid)


def test_stdio_refuses_to_start_without_a_valid_token(world: World, stack_settings: Settings) -> None:
    with psycopg.connect(stack_settings.database_url or "") as conn:
        expired = issue_token(conn, world.a.admin.id, ttl=timedelta(seconds=-1)).token
    starts = {
        token: subprocess.Popen(
            [ADOLOGY, "mcp"],
            env=_environment(stack_settings, ADOLOGY_API_TOKEN=token),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for token in ("", "adt_not-a-token", expired)
    }
    for token, process in starts.items():
        stdout, stderr = process.communicate(timeout=60)
        assert process.returncode == 1 and stdout == "", (token, stderr)
        assert stderr.startswith("error: ADOLOGY_API_TOKEN")
        assert len(stderr.strip().splitlines()) == 1, stderr


def test_over_http_each_request_is_its_tokens_user_and_another_organization_learns_nothing(
    world: World, tokens: dict[str, str], http_url: str
) -> None:
    assert httpx.post(http_url, json={}).status_code == 401
    assert httpx.post(http_url, json={}, headers={"Authorization": "Bearer adt_not-a-token"}).status_code == 401

    a_space = world.a.brandspace
    with _over_http(http_url, tokens["a_admin"], mode="legacy") as as_a:
        report = as_a.answer("brandspace_report", brandspace_id=str(a_space.id))
        assert report["brandspace"] == a_space.partition_key

    unknown = str(uuid.uuid4())
    private = (a_space.name, a_space.partition_key, world.a.other_brandspace.partition_key)
    with _over_http(http_url, tokens["b_admin"]) as as_b:
        seen = json.dumps(as_b.answer("list_brandspaces"))
        assert str(a_space.id) not in seen
        for tool, arguments in (
            ("brandspace_report", {}),
            ("search_ads", {"query": "serum"}),
            ("list_ads", {}),
            ("ask_inquire", {"question": "which offers run most?"}),
        ):
            foreign = as_b.call(tool, brandspace_id=str(a_space.id), **arguments)
            missing = as_b.call(tool, brandspace_id=unknown, **arguments)
            assert foreign.is_error and missing.is_error
            # the answer for A's brandspace is the answer for one that does not exist
            assert _text(foreign).replace(str(a_space.id), "ID") == _text(missing).replace(unknown, "ID")
            assert f"no brandspace {a_space.id}" in _text(foreign)
            seen += _text(foreign) + json.dumps(foreign.structured_content)
        assert not [text for text in private if text in seen]


def test_ask_inquire_answers_with_citations_and_keeps_the_conversation(
    world: World, over_stdio: McpSession, http_url: str, tokens: dict[str, str]
) -> None:
    space = str(world.a.brandspace.id)
    first = over_stdio.answer("ask_inquire", brandspace_id=space, question="Which ads are about sunscreen?")
    assert first["answer"] and first["question"] == "Which ads are about sunscreen?"
    held = {ad for role in ("primary", "competitor", "followed") for ad in world.ads[world.brands[role]]}
    assert {citation["ad_id"] for citation in first["citations"]} == set(world.topic_ads["sunscreen"]) & held
    follow_up = over_stdio.answer(
        "ask_inquire", brandspace_id=space, question="and only videos?", conversation_id=first["conversation_id"]
    )
    assert follow_up["conversation_id"] == first["conversation_id"]
    empty = over_stdio.call("ask_inquire", brandspace_id=space, question="  ")
    assert empty.is_error and "the question is empty" in _text(empty)

    with _over_http(http_url, tokens["b_admin"]) as as_b:
        # A's conversation in B's own brandspace is no conversation at all
        elsewhere = as_b.call(
            "ask_inquire",
            brandspace_id=str(world.b.brandspace.id),
            question="and only videos?",
            conversation_id=first["conversation_id"],
        )
    assert elsewhere.is_error and f"no conversation {first['conversation_id']}" in _text(elsewhere)
    assert "sunscreen" not in _text(elsewhere).lower()
