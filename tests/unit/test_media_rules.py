"""The media rules that need no server: the SSRF guard refuses every non-public target and allows
only exact exceptions, and a creative's type is read from its bytes, not its label."""

from __future__ import annotations

import asyncio

import pytest

from adology.media.guard import BlockedUrlError, UrlPolicy
from adology.media.sniff import sniff


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.com/a.jpg",
        "http://127.0.0.1:9/x",
        "http://[::1]/x",
        "http://169.254.169.254/latest/",
        "http://100.100.100.200/",
        "http://192.168.1.1/",
        "http://[::ffff:10.0.0.1]/",
    ],
)
def test_the_guard_refuses_non_public_targets(url: str) -> None:
    with pytest.raises(BlockedUrlError):
        asyncio.run(UrlPolicy().check(url))


def test_the_guard_allows_public_addresses_and_exact_exceptions() -> None:
    asyncio.run(UrlPolicy().check("https://93.184.215.14/creative.jpg"))
    asyncio.run(UrlPolicy.allowing(["127.0.0.1:8765"]).check("http://127.0.0.1:8765/media/1.jpg"))
    with pytest.raises(BlockedUrlError):
        asyncio.run(UrlPolicy.allowing(["127.0.0.1:8765"]).check("http://127.0.0.1:8766/media/1.jpg"))


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"\xff\xd8\xff\xe0" + b"\0" * 28, "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 24, "image/png"),
        (b"\0\0\0\x18ftypisom" + b"\0" * 20, "video/mp4"),
        (b"\0\0\0\x14ftypqt  " + b"\0" * 20, "video/quicktime"),
        (b"RIFF\0\0\0\0WEBPVP8 " + b"\0" * 16, "image/webp"),
        (b"<!DOCTYPE html><html>" + b" " * 12, None),
    ],
)
def test_sniffing_reads_the_bytes_not_the_label(head: bytes, expected: str | None) -> None:
    found = sniff(head)
    assert (found.content_type if found else None) == expected
