"""Untrusted input at the network's edge, over real HTTP on 127.0.0.1.

Pinned: a session from ``http_client`` judges the addresses its own connection resolves, so a name
that answers a check with a public address and the connection with 127.0.0.1 (DNS rebinding) never
reaches the server on 127.0.0.1; a source whose name resolves inside is refused at once (no retries),
unless its exact ``host:port`` is allowed. A source answer over the limits of
``adology.sources.limits`` (declared or streamed past the byte cap, nested too deep, too many values)
ends as a SourceError naming the limit, read no further than the cap, never retried, while one within
them reads exactly as the standard library reads it; a saved payload file is held to the same limits.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from adology.errors import SourceError, TransientSourceError
from adology.media.guard import BlockedUrlError, UrlPolicy
from adology.sources.clients import MetaAdLibraryClient
from adology.sources.http import SourceHttp, http_client
from adology.sources.limits import PayloadLimitError, PayloadLimits, parse_json
from adology.sources.meta import parse_meta_page
from adology.sources.models import Connector
from adology.sources.payloads import load_payload_file
from tests.source_servers import FAST_RETRY, PUBLIC_ADDRESS, counted, install_name_server

META_TOKEN = "EAAB-guard-test-token-41c2"


async def secret_page(request: web.Request) -> web.Response:
    return web.json_response({"data": [{"id": "1", "secret": "internal"}], "paging": {}})


# --- the guard at the connection ----------------------------------------------------------------


def test_a_name_rebound_to_loopback_after_the_check_reaches_nothing() -> None:
    async def scenario() -> tuple[list[str], int]:
        async with counted(secret_page) as (port, requested), http_client(timeout=5) as http:
            dns = install_name_server("rebind.example", [PUBLIC_ADDRESS, "127.0.0.1"])
            url = f"http://rebind.example:{port}/latest/meta-data/"
            await UrlPolicy().check(url)  # the first answer is public: the check passes
            with pytest.raises(BlockedUrlError, match=r"rebind\.example resolves to 127\.0\.0\.1"):
                async with http.get(url):
                    pass
            return requested, dns.questions

    requested, questions = asyncio.run(scenario())
    assert requested == []
    assert questions == 2  # the check's and the connection's: the second is the one judged


def test_a_source_whose_name_resolves_inside_is_refused_once_without_the_token() -> None:
    async def scenario() -> list[str]:
        async with counted(secret_page) as (port, requested), http_client(timeout=5) as http:
            install_name_server("graph.internal.example", ["127.0.0.1"])
            client = MetaAdLibraryClient(
                access_token=META_TOKEN, http=http, base_url=f"http://graph.internal.example:{port}", retry=FAST_RETRY
            )
            with pytest.raises(SourceError) as raised:
                _ = [page async for page in client.fetch("1")]
            error = raised.value
            assert not isinstance(error, TransientSourceError)
            assert "refused: graph.internal.example resolves to 127.0.0.1, a non-public address" in str(error)
            assert META_TOKEN not in str(error)
            return requested

    assert asyncio.run(scenario()) == []


def test_a_source_endpoint_allowed_by_name_is_reached() -> None:
    async def scenario() -> list[str]:
        async with counted(secret_page) as (port, requested):
            policy = UrlPolicy.allowing([f"graph.internal.example:{port}"])
            async with http_client(timeout=5, policy=policy) as http:
                install_name_server("graph.internal.example", ["127.0.0.1"])
                client = MetaAdLibraryClient(
                    access_token=META_TOKEN,
                    http=http,
                    base_url=f"http://graph.internal.example:{port}",
                    retry=FAST_RETRY,
                )
                pages = [page async for page in client.fetch("1")]
            assert [ad.source_ad_id for page in pages for ad in page.ads] == ["1"]
            return requested

    assert asyncio.run(scenario()) == ["/v23.0/ads_archive"]


# --- limits on a source's answer ----------------------------------------------------------------


def nested(levels: int) -> bytes:
    return b'{"data": ' + b"[" * levels + b"]" * levels + b', "paging": {}}'


async def meta_pages(base_url: str, http: aiohttp.ClientSession) -> None:
    client = MetaAdLibraryClient(access_token=META_TOKEN, http=http, base_url=base_url, retry=FAST_RETRY)
    _ = [page async for page in client.fetch("1")]


@pytest.mark.parametrize("levels", [65, 500, 10_000])
def test_a_page_nested_deeper_than_the_limit_is_refused_once(levels: int) -> None:
    async def deep(request: web.Request) -> web.Response:
        return web.Response(body=nested(levels), content_type="application/json")

    async def scenario() -> list[str]:
        async with counted(deep) as (port, requested), http_client(timeout=5) as http:
            with pytest.raises(PayloadLimitError, match="nested deeper than the limit of 64 levels") as raised:
                await meta_pages(f"http://127.0.0.1:{port}", http)
            assert raised.value.status == 200 and "HTTP 200: answer refused" in str(raised.value)
            return requested

    assert len(asyncio.run(scenario())) == 1  # the same page would come back: not retried


def test_a_page_at_the_depth_limit_is_parsed() -> None:
    async def deep(request: web.Request) -> web.Response:
        return web.Response(body=nested(63), content_type="application/json")  # 64 with the page object

    async def scenario() -> None:
        async with counted(deep) as (port, _), http_client(timeout=5) as http:
            await meta_pages(f"http://127.0.0.1:{port}", http)

    asyncio.run(scenario())


def test_a_page_declaring_more_bytes_than_the_limit_is_refused_unread() -> None:
    sent = 0

    async def declared_huge(request: web.Request) -> web.StreamResponse:
        nonlocal sent
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        response.content_length = 60 * 1024 * 1024
        await response.prepare(request)
        for _ in range(60 * 16):
            await response.write(b" " * 65536)
            sent += 65536
        return response

    async def scenario() -> list[str]:
        async with counted(declared_huge) as (port, requested), http_client(timeout=5) as http:
            with pytest.raises(PayloadLimitError, match="declares 62914560 bytes; the limit is 52428800"):
                await meta_pages(f"http://127.0.0.1:{port}", http)
            return requested

    assert len(asyncio.run(scenario())) == 1
    assert sent < 60 * 1024 * 1024


def test_a_streamed_body_past_the_limit_is_refused_where_it_passes_it() -> None:
    total = 64 * 1024 * 1024
    sent = 0

    async def endless(request: web.Request) -> web.StreamResponse:
        nonlocal sent
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        response.enable_chunked_encoding()  # no Content-Length: only counting can tell
        await response.prepare(request)
        await response.write(b'{"data": [')
        while sent < total:
            await response.write(b'"x",' * 16384)
            sent += 65536
        return response

    async def scenario() -> None:
        async with counted(endless) as (port, _), http_client(timeout=5) as http:
            source = SourceHttp(
                http, connector=Connector.META, retry=FAST_RETRY, secrets=[], limits=PayloadLimits(max_bytes=1_000_000)
            )
            with pytest.raises(PayloadLimitError, match="more than the limit of 1000000 bytes"):
                await source.get_json(f"http://127.0.0.1:{port}/items")

    asyncio.run(scenario())
    assert sent < total  # the client hung up near the limit instead of reading the rest


def test_a_page_with_more_values_than_the_limit_is_refused() -> None:
    async def many(request: web.Request) -> web.Response:
        return web.json_response({"data": list(range(5000))})

    async def scenario() -> None:
        async with counted(many) as (port, _), http_client(timeout=5) as http:
            source = SourceHttp(
                http, connector=Connector.META, retry=FAST_RETRY, secrets=[], limits=PayloadLimits(max_values=1000)
            )
            with pytest.raises(PayloadLimitError, match="holds about 5002 values; the limit is 1000"):
                await source.get_json(f"http://127.0.0.1:{port}/items")

    asyncio.run(scenario())


def test_a_page_within_the_limits_reads_as_the_standard_library_reads_it() -> None:
    raw = b'{"data": [{"body": "50% off \\ud83d today", "id": 18446744073709551617}], "depth": ' + nested(40) + b"}"
    page = parse_json(raw)
    assert page["data"] == [{"body": "50% off \ud83d today", "id": 2**64 + 1}]  # half an emoji, a 65-bit id
    assert page == json.loads(raw)


# --- limits on a saved payload file -------------------------------------------------------------


def test_a_saved_page_nested_too_deep_is_refused(tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_bytes(b"[" * 10_000 + b"]" * 10_000)
    with pytest.raises(SourceError, match=r"deep\.json is refused: nested deeper than the limit of 64 levels"):
        load_payload_file(deep)


def test_a_json_lines_line_over_the_limits_is_a_failure_at_its_line(tmp_path: Path) -> None:
    lines = tmp_path / "items.jsonl"
    lines.write_bytes(b'{"id": "1"}\n{"id": ' + b"[" * 100 + b"]" * 100 + b'}\n{"id": "3"}\n')
    documents, failures = load_payload_file(lines)
    assert [document["id"] for document in documents] == ["1", "3"]
    assert [(failure.position, failure.reason) for failure in failures] == [
        (2, "line 2 is refused: nested deeper than the limit of 64 levels")
    ]


def test_a_saved_file_larger_than_the_limit_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    big.write_bytes(b"[" + b'"abcdefgh",' * 200 + b'""]')
    with pytest.raises(SourceError, match=r"big\.json is refused: larger than the limit of 1000 bytes"):
        load_payload_file(big, PayloadLimits(max_bytes=1000))


def test_a_number_too_long_to_convert_costs_its_item_not_the_page() -> None:
    huge = "9" * 5_000  # past Python's 4,300-digit conversion limit
    hostile = f'{{"id": "1", "page_id": "p", "spend": {{"lower_bound": {huge}}}}}'
    page = parse_json(f'{{"data": [{hostile}, {{"id": "2", "page_id": "p"}}]}}'.encode())
    assert page["data"][0]["spend"]["lower_bound"] == huge and page["data"][1]["id"] == "2"
    assert parse_json(b"[9223372036854775807, -12]") == [9223372036854775807, -12]
    ads, failures = parse_meta_page(page)
    assert [ad.source_ad_id for ad in ads] == ["2"]
    assert [failure.position for failure in failures] == [0] and "digits" in failures[0].reason
