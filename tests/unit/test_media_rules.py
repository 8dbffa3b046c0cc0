"""The media rules that need no server: the SSRF guard refuses every non-public target (an IPv6
address is judged by the IPv4 address it carries: mapped, compatible, NAT64, 6to4) and allows only
exact exceptions, every malformed URL is a BlockedUrlError naming what is wrong (never a raw
UnicodeError or ValueError), and a creative's type is read from its bytes, not its label."""

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
        "http://[::127.0.0.1]/",  # IPv4-compatible
        "http://[::a9fe:a9fe]/",
        "http://[64:ff9b::7f00:1]/",  # NAT64 of 127.0.0.1
        "http://[64:ff9b::a9fe:a9fe]/",  # NAT64 of the metadata service
        "http://[64:ff9b:1::5db8:d70e]/",  # local-use NAT64: the network's own translator
        "http://[2002:7f00:1::]/",  # 6to4 of 127.0.0.1
        "http://[2002:a9fe:a9fe::1]/",
        "http://[::ffff:0:a00:1]/",  # IPv4-translated 10.0.0.1
        "http://2130706433/",  # 127.0.0.1 as one number
        "http://127.1/",
        "http://0x7f.0.0.1/",
    ],
)
def test_the_guard_refuses_non_public_targets(url: str) -> None:
    with pytest.raises(BlockedUrlError):
        asyncio.run(UrlPolicy().check(url))


@pytest.mark.parametrize("url", ["http://[64:ff9b::5db8:d70e]/", "http://[2002:5db8:d70e::1]/"])
def test_an_ipv6_address_carrying_a_public_ipv4_address_is_public(url: str) -> None:
    asyncio.run(UrlPolicy().check(url))


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        (f"http://{'a' * 64}.example.com/x.jpg", "label"),
        (f"http://{'é' * 64}.example.com/x.jpg", "malformed URL"),  # no IDNA encoding exists
        ("http://" + ".".join(["abcdefghi"] * 26) + "/", "longer than 253"),
        ("http://a..example.com/", "label"),
        ("http://ex ample.com/", "label"),
        ("http://[::1/x.jpg", "malformed URL"),
        ("http://[zz::1]/x.jpg", "malformed IPv6 address"),
        ("http://[fe80::1%25eth0]/", "non-public"),
        ("http://example.com:99999/", "malformed URL"),
        ("http://example.com:port/", "malformed URL"),
        ("http:///x.jpg", "no host"),
    ],
)
def test_a_malformed_url_is_a_blocked_url_naming_what_is_wrong(url: str, reason: str) -> None:
    with pytest.raises(BlockedUrlError, match=reason):
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
