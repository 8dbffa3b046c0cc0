"""SSRF guard: what Adology fetches from a URL it was given may only reach public internet addresses.

Source payloads are untrusted: a creative URL (or a redirect it answers with) could point at
the cloud metadata service, a private network or this machine. Each resolved address must be
globally routable; private, loopback, link-local (169.254.169.254), shared (100.64/10), multicast
and reserved ranges are refused, and so is an IPv6 address that embeds one of them (IPv4-mapped,
IPv4-compatible, NAT64, 6to4). The embedded profile allows the local ad library by exact
``host:port`` and nothing else.

A check that resolves a name and a connection that resolves it again may get two different
answers (DNS rebinding: public to the check, 127.0.0.1 to the connection). So the judgement is
made where the connection is: :class:`GuardedConnector` resolves through :class:`GuardedResolver`,
which judges every address it hands the connector, and the connector connects to those addresses
and no others. :meth:`UrlPolicy.check` is the early refusal of a URL (its scheme, its host's form,
an address written in it, what its name resolves to now); the connector is the guarantee.

The URL is read by yarl, the parser aiohttp connects with, so the host judged is the host
connected to.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

from adology.errors import AdologyError

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# IPv6 ranges whose last 32 bits are an IPv4 address a gateway forwards to: NAT64 (RFC 6052) and
# IPv4-translated (RFC 2765). Python calls both global, whatever the IPv4 address inside.
_EMBEDDING_IPV4 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("::ffff:0:0:0/96"))
# Local-use NAT64 (RFC 8215): the IPv4 address sits where the operator's prefix length puts it, so
# it cannot be read; a network's own translator is not the public internet.
_LOCAL_NAT64 = ipaddress.IPv6Network("64:ff9b:1::/48")
_LABEL = re.compile(r"[a-z0-9_-]{1,63}")
_MAX_NAME_LENGTH = 253  # RFC 1035, without the trailing dot
# A host whose last label is a number is an IPv4 address in some form (WHATWG URL): 127.1,
# 2130706433 and 0x7f.1 all reach 127.0.0.1 through the C library, whatever they look like.
_NUMERIC_LABEL = re.compile(r"(0x[0-9a-f]*|[0-9]+)")


class BlockedUrlError(AdologyError):
    """The URL's scheme, host or resolved address is not allowed."""


@dataclass(frozen=True)
class Target:
    """Where a URL points: its host as connected to (IDNA-encoded, lowercase) and port, and the
    address when the URL names one rather than a name to resolve."""

    host: str
    port: int
    address: Address | None


@dataclass(frozen=True)
class UrlPolicy:
    allowed_endpoints: frozenset[str] = field(default_factory=frozenset)  # exact "host:port" exceptions

    @classmethod
    def allowing(cls, endpoints: Iterable[str]) -> UrlPolicy:
        return cls(frozenset(endpoint.strip().lower() for endpoint in endpoints if endpoint.strip()))

    def allows_endpoint(self, host: str, port: int) -> bool:
        """True when ``host:port`` is one of the exact exceptions (a trailing dot is the same name)."""
        return f"{host.rstrip('.').lower()}:{port}" in self.allowed_endpoints

    def target(self, url: str) -> Target:
        """Where ``url`` points, without a lookup; raise :class:`BlockedUrlError` for a scheme other
        than http(s), a malformed URL or host, or an address written in the URL that is not public."""
        try:
            parsed = URL(url)
            scheme, raw_host, port = parsed.scheme, parsed.raw_host, parsed.port
        except ValueError as exc:  # UnicodeError (an unencodable name) is a ValueError too
            raise BlockedUrlError(f"malformed URL {_excerpt(url)}: {exc}") from None
        if scheme not in {"http", "https"}:
            raise BlockedUrlError(f"scheme {scheme or '(none)'!r} is not allowed; only http and https")
        if not raw_host:
            raise BlockedUrlError(f"URL {_excerpt(url)} has no host")
        if port is None:  # yarl knows the default port of http and https
            raise BlockedUrlError(f"URL {_excerpt(url)} has no port")
        host = raw_host.lower()
        address = _literal_address(host)
        if address is None:
            _require_well_formed_name(host)
        elif not self.allows_endpoint(host, port) and not is_public(address):
            raise BlockedUrlError(f"{host} is a non-public address")
        return Target(host, port, address)

    def judge(self, host: str, port: int, addresses: Iterable[Address]) -> None:
        """Raise :class:`BlockedUrlError` unless ``host:port`` is an exception or every address
        ``host`` resolved to is public (one private answer among public ones is enough to refuse)."""
        if self.allows_endpoint(host, port):
            return
        for address in addresses:
            if not is_public(address):
                raise BlockedUrlError(f"{host} resolves to {address}, a non-public address")

    async def check(self, url: str) -> None:
        """Raise :class:`BlockedUrlError` unless ``url`` may be fetched as its name resolves now.

        This is the early refusal; only a connection through :class:`GuardedConnector` is sure to
        reach the addresses judged."""
        target = self.target(url)
        if target.address is None and not self.allows_endpoint(target.host, target.port):
            self.judge(target.host, target.port, await _resolve(target.host, target.port))


def is_public(address: Address) -> bool:
    """True for a globally routable unicast address; an IPv6 address carrying an IPv4 one is judged
    by the IPv4 address it would reach."""
    if isinstance(address, ipaddress.IPv6Address):
        if address in _LOCAL_NAT64:
            return False
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return is_public(embedded)
    return address.is_global and not address.is_multicast


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    low_bits = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    # IPv4-compatible (::a.b.c.d, deprecated but still routed by some stacks); :: and ::1 land on
    # 0.0.0.0 and 0.0.0.1, which are not public either
    if int(address) >> 32 == 0:
        return low_bits
    if any(address in network for network in _EMBEDDING_IPV4):
        return low_bits
    return None


def _literal_address(host: str) -> Address | None:
    """The address ``host`` names literally, None for a name; refuses what is neither."""
    if ":" in host:  # yarl has taken the brackets off an IPv6 literal
        try:
            return ipaddress.IPv6Address(host)
        except ValueError:
            raise BlockedUrlError(f"malformed IPv6 address {_excerpt(host)}") from None
    try:
        return ipaddress.IPv4Address(host)
    except ValueError:
        pass
    if _NUMERIC_LABEL.fullmatch(host.rstrip(".").rsplit(".", 1)[-1]):
        raise BlockedUrlError(f"{_excerpt(host)} is not a canonical IPv4 address (a.b.c.d)")
    return None


def _require_well_formed_name(host: str) -> None:
    name = host.removesuffix(".")
    if len(name) > _MAX_NAME_LENGTH:
        raise BlockedUrlError(f"host name {_excerpt(host)} is longer than {_MAX_NAME_LENGTH} characters")
    for label in name.split("."):
        if not _LABEL.fullmatch(label):
            raise BlockedUrlError(
                f"malformed host name {_excerpt(host)}: label {_excerpt(label)} is not 1-63 letters, digits, - or _"
            )


def _excerpt(text: str, limit: int = 80) -> str:
    """``text`` quoted, cut short: a hostile URL may be megabytes long."""
    return repr(text if len(text) <= limit else f"{text[:limit]}…")


async def _resolve(host: str, port: int) -> list[Address]:
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:  # socket.gaierror, or the resolver's own failure
        raise BlockedUrlError(f"cannot resolve {host}: {exc.strerror or exc}") from None
    return [ipaddress.ip_address(info[4][0]) for info in infos]


class GuardedResolver(AbstractResolver):
    """aiohttp's threaded resolver, whose every answer is judged by ``policy`` before a connector
    may use it: a name rebound to an internal address is refused at the connection itself."""

    def __init__(self, policy: UrlPolicy) -> None:
        self.policy = policy
        self._resolver = aiohttp.ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._resolver.resolve(host, port, family)
        self.policy.judge(host, port, (ipaddress.ip_address(result["host"]) for result in results))
        return results

    async def close(self) -> None:
        await self._resolver.close()


class GuardedConnector(aiohttp.TCPConnector):
    """A connection pool that connects to a name only at addresses ``policy`` approved.

    aiohttp hands a URL's literal address straight to the socket, without a lookup: a caller
    judges those itself (:meth:`UrlPolicy.target`), as the media fetcher does for every hop."""

    def __init__(self, policy: UrlPolicy, *, limit: int) -> None:
        # aiohttp caches answers for a few seconds; it caches only what the resolver returned,
        # which the policy has approved
        super().__init__(limit=limit, resolver=GuardedResolver(policy))
        self.policy = policy
