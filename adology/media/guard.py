"""SSRF guard: a media URL may only reach public internet addresses.

Source payloads are untrusted: a creative URL (or a redirect it answers with) could point at
the cloud metadata service, a private network or this machine. Every hop is resolved and each
resolved address must be globally routable; private, loopback, link-local (169.254.169.254),
shared (100.64/10), multicast and reserved ranges are refused. The embedded profile allows the
local ad library by exact ``host:port`` and nothing else.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from adology.errors import AdologyError


class BlockedUrlError(AdologyError):
    """The URL's scheme, host or resolved address is not allowed."""


@dataclass(frozen=True)
class UrlPolicy:
    allowed_endpoints: frozenset[str] = field(default_factory=frozenset)  # exact "host:port" exceptions

    @classmethod
    def allowing(cls, endpoints: Iterable[str]) -> UrlPolicy:
        return cls(frozenset(endpoint.strip().lower() for endpoint in endpoints if endpoint.strip()))

    async def check(self, url: str) -> None:
        """Raise :class:`BlockedUrlError` unless ``url`` may be fetched."""
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"}:
            raise BlockedUrlError(f"scheme {parts.scheme or '(none)'!r} is not allowed; only http and https")
        host = (parts.hostname or "").lower()
        if not host:
            raise BlockedUrlError("URL has no host")
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError as exc:
            raise BlockedUrlError(f"invalid port in URL: {exc}") from None
        if f"{host}:{port}" in self.allowed_endpoints:
            return
        for address in await _resolve(host, port):
            if not _is_public(address):
                raise BlockedUrlError(f"{host} resolves to {address}, a non-public address")


async def _resolve(host: str, port: int) -> set[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        literal = ipaddress.ip_address(host.strip("[]"))
        return {literal}
    except ValueError:
        pass
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise BlockedUrlError(f"cannot resolve {host}: {exc.strerror}") from None
    return {ipaddress.ip_address(info[4][0]) for info in infos}


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast
