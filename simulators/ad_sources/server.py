"""A local ad library over HTTP: the Meta Ad Library API, Apify's scrapers and SerpApi, from a catalog.

Each endpoint answers with the payload shape of the real service (see ``/work/shared/SOURCES.md``
in the project notes), so the project's own clients fetch from it unchanged: only their base URL
differs. Media URLs in every payload are signed and expire, like a CDN's. ``/faults/...`` are test
equipment for the media fetcher (flaky, slow, cut, mislabelled, oversized, redirecting answers).

The keyword searches (Meta's ``search_terms``, an Apify run over an Ad Library search URL with
``q``, SerpApi's ``text``) find advertisers by name, fuzzily as the real searches do: case, accents
and punctuation ignored, every word in any order; SerpApi's ``text`` finds a domain as well.

Routes:
    GET  /{version}/ads_archive                     Meta Ad Library API (by page id or keyword search)
    POST /v2/acts/{actor}/runs                      Apify: start a scraper run (finishes at once)
    GET  /v2/actor-runs/{run}                       Apify: the run
    GET  /v2/datasets/{dataset}/items               Apify: the run's items, in the actor's shape
    GET  /search.json                               SerpApi (listing by advertiser id or text, ad details)
    GET  /media/{id}/{n}.{jpg|png|mp4}?exp=&sig=    signed creatives (ad id, creative id or page id)
    GET  /brands, /healthz, /faults/...
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import functools
import hashlib
import hmac
import io
import ipaddress
import json
import logging
import re
import secrets
import socket
import threading
import time
import unicodedata
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple
from urllib.parse import parse_qs, urlsplit

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from PIL import Image, ImageDraw
from yarl import URL

from adology.logs import get_logger
from adology.sources.redaction import SECRET_NAMES
from simulators.ad_sources.catalog import APIFY_ACTORS, APIFY_CAMEL_ACTOR, CTA_TYPES, Ad, Brand, Catalog
from simulators.ad_sources.render import IMAGE_SIZES, render_image, render_logo, render_video, video_seconds

log = get_logger(__name__)

DEFAULT_PORT = 8787
MEDIA_TTL_SECONDS = 3600.0
_CHUNK = 64 * 1024
_META_DEFAULT_LIMIT = 25
_META_MAX_LIMIT = 1000
_META_SEARCH_TYPES = ("KEYWORD_UNORDERED", "KEYWORD_EXACT_PHRASE")
_SERPAPI_DEFAULT_NUM = 40
_NO_RESULTS = "Google Ads Transparency Center hasn't returned any results for this query."
_TRANSPARENCY = "https://adstransparency.google.com"
_CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "mp4": "video/mp4"}
# query parameters whose value the access log never shows: the sources' credentials, which their
# clients send in the URL, and the media signatures, which grant a creative for an hour
_UNLOGGED_VALUES = SECRET_NAMES | {"sig"}


class MediaSigner:
    """Signs media paths with an expiry (HMAC-SHA256 of path and expiry), like a CDN's signed URLs."""

    def __init__(self, secret: bytes | None = None, *, ttl: float = MEDIA_TTL_SECONDS) -> None:
        self._secret = secret if secret is not None else secrets.token_bytes(32)
        self.ttl = ttl

    def _signature(self, path: str, expires: int) -> str:
        return hmac.new(self._secret, f"{path}:{expires}".encode(), hashlib.sha256).hexdigest()

    def sign(self, path: str, *, expires: int | None = None) -> str:
        """``path?exp=...&sig=...``, valid until ``expires`` (default: ``ttl`` seconds from now)."""
        expires = expires if expires is not None else int(time.time() + self.ttl)
        return f"{path}?exp={expires}&sig={self._signature(path, expires)}"

    def problem(self, path: str, exp: str | None, sig: str | None) -> str | None:
        """Why the signed ``path`` may not be served, or None when it may."""
        if not exp or not sig or not exp.isdigit():
            return "Query-string authentication requires the exp and sig parameters"
        if not hmac.compare_digest(self._signature(path, int(exp)), sig):
            return "The request signature we calculated does not match the signature you provided"
        if int(exp) < time.time():
            return "Request has expired"
        return None


@dataclass
class _State:
    catalog: Catalog
    signer: MediaSigner
    media_base_url: str | None
    flaky_counts: dict[str, int] = field(default_factory=dict)


_STATE = web.AppKey("adology_library", _State)


class RedactedAccessLog(AbstractAccessLogger):
    """One line per request, with the value of every credential in its query replaced by ``***``."""

    @property
    def enabled(self) -> bool:
        return self.logger.isEnabledFor(logging.INFO)

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info(
            "%s %s %s",
            request.method,
            _redacted_target(request.rel_url),
            response.status,
            extra={"remote": request.remote, "bytes": response.body_length, "seconds": round(time, 3)},
        )


def _redacted_target(url: URL) -> str:
    """``url``'s path and query, each credential's value replaced by ``***``."""
    hidden = {name: "***" for name in url.query if name.lower() in _UNLOGGED_VALUES}
    return str(url.update_query(hidden) if hidden else url)


def create_app(
    catalog: Catalog, *, media_base_url: str | None = None, signer: MediaSigner | None = None
) -> web.Application:
    """The library as an aiohttp application; ``media_base_url`` overrides the host in media URLs."""
    app = web.Application()
    app[_STATE] = _State(catalog, signer or MediaSigner(), media_base_url.rstrip("/") if media_base_url else None)
    app.router.add_get("/healthz", _healthz)
    app.router.add_get("/brands", _brands)
    app.router.add_get(r"/{version:v\d+\.\d+}/ads_archive", _meta_ads_archive)
    app.router.add_post("/v2/acts/{actor}/runs", _apify_start_run)
    app.router.add_get("/v2/actor-runs/{run}", _apify_get_run)
    app.router.add_get("/v2/datasets/{dataset}/items", _apify_dataset_items)
    app.router.add_get("/search.json", _serpapi)
    app.router.add_get(r"/media/{owner:[A-Za-z0-9]+}/{n:\d+}.{ext:jpg|png|mp4}", _media)
    app.router.add_get("/faults/404", _fault_404)
    app.router.add_get("/faults/flaky/{key}", _fault_flaky)
    app.router.add_get("/faults/slow", _fault_slow)
    app.router.add_get("/faults/cut", _fault_cut)
    app.router.add_get("/faults/html", _fault_html)
    app.router.add_get("/faults/big", _fault_big)
    app.router.add_get("/faults/malformed-page", _fault_malformed_page)
    app.router.add_get("/faults/expired", _fault_expired)
    app.router.add_get("/faults/redirect", _fault_redirect)
    app.router.add_get("/faults/empty", _fault_empty)
    app.router.add_get("/faults/image.jpg", _fault_image)
    return app


def _bind(host: str, port: int) -> socket.socket:
    """A listening socket on a loopback address only: the library serves anything to anyone who asks."""
    address = "127.0.0.1" if host == "localhost" else host
    if not ipaddress.ip_address(address).is_loopback:
        raise ValueError(f"the ad library binds loopback addresses only, not {host!r}")
    sock = socket.socket(socket.AF_INET6 if ":" in address else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((address, port))
    sock.listen(128)
    sock.setblocking(False)
    return sock


def _base_url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def serve(
    *,
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    catalog: Catalog | None = None,
    media_base_url: str | None = None,
    signer: MediaSigner | None = None,
) -> None:
    """Run the library in the foreground until interrupted (Ctrl-C or SIGTERM)."""
    catalog = catalog if catalog is not None else Catalog.generate()
    sock = _bind(host, port)
    log.info(
        "ad library serving", extra={"url": _base_url_of(sock), "brands": len(catalog.brands), "ads": len(catalog.ads)}
    )
    web.run_app(
        create_app(catalog, media_base_url=media_base_url, signer=signer),
        sock=sock,
        print=None,
        access_log=get_logger("simulators.ad_sources.access"),
        access_log_class=RedactedAccessLog,
        shutdown_timeout=5.0,
    )


class LibraryServer:
    """The library on a background thread with its own event loop, for tests and benchmarks.

    ``with LibraryServer(catalog) as server: httpx.get(server.base_url + "/healthz")``; ``port=0``
    picks a free port, reported in ``base_url``.
    """

    def __init__(
        self,
        catalog: Catalog,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        media_base_url: str | None = None,
        signer: MediaSigner | None = None,
        access_log: bool = False,
    ) -> None:
        self.catalog = catalog
        self.signer = signer or MediaSigner()
        self._host = host
        self._port = port
        self._media_base_url = media_base_url
        self._access_log = access_log
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    def start(self) -> str:
        """Start serving and return the base URL (``http://127.0.0.1:<port>``)."""
        if self._thread is not None:
            raise RuntimeError("the library server is already running")
        sock = _bind(self._host, self._port)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="adology-library", daemon=True)
        self._thread.start()
        access_log = get_logger("simulators.ad_sources.access") if self._access_log else None
        # A fresh application per start: aiohttp freezes an application once it has run.
        app = create_app(self.catalog, media_base_url=self._media_base_url, signer=self.signer)
        # Slow fault requests left open by a test must not hold up stop() for long.
        self._runner = web.AppRunner(
            app, access_log=access_log, access_log_class=RedactedAccessLog, shutdown_timeout=1.0
        )
        asyncio.run_coroutine_threadsafe(self._setup(self._runner, sock), self._loop).result(timeout=30)
        self.base_url = _base_url_of(sock)
        log.info("ad library started", extra={"url": self.base_url})
        return self.base_url

    @staticmethod
    async def _setup(runner: web.AppRunner, sock: socket.socket) -> None:
        await runner.setup()
        await web.SockSite(runner, sock).start()

    def stop(self) -> None:
        """Stop serving and join the thread; a no-op when not running."""
        if self._loop is None or self._thread is None or self._runner is None:
            return
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(timeout=30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=30)
        self._loop.close()
        self._loop = self._thread = self._runner = None
        log.info("ad library stopped", extra={"url": self.base_url})

    def __enter__(self) -> LibraryServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


# Shared helpers.


def _origin(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}"


def _media_url(request: web.Request, owner: str, n: int, ext: str) -> str:
    state = request.app[_STATE]
    base = state.media_base_url or _origin(request)
    return base + state.signer.sign(f"/media/{owner}/{n}.{ext}")


def _encode_offset(offset: int) -> str:
    """An opaque paging cursor, as the real services hand out."""
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode().rstrip("=")


def _decode_offset(token: str) -> int | None:
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    prefix, _, number = text.partition(":")
    return int(number) if prefix == "offset" and number.isdigit() else None


def _stable_digits(text: str, digits: int) -> str:
    return str(int(hashlib.sha256(text.encode()).hexdigest(), 16) % 10**digits).zfill(digits)


def _last_shown(ad: Ad, catalog: Catalog) -> int:
    return ad.stopped_at if ad.stopped_at is not None else int(catalog.reference.timestamp())


def _plain_copy(ad: Ad) -> tuple[str, str]:
    """Title and body without template placeholders: a product feed's first card speaks for it."""
    if ad.display_format == "DPA":
        return ad.cards[0].title, ad.cards[0].body
    return ad.headline, ad.body


def _range_text(value: int) -> str:
    for size, suffix in ((1_000_000, "M"), (1_000, "K")):
        if value >= size:
            return f"{value // size}{suffix}"
    return str(value)


def _folded(text: str) -> str:
    """``text`` as the sources' searches compare names: case, accents and punctuation ignored, ``&``
    read as "and", words separated by single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.replace("&", " and "))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
    return " ".join(re.sub(r"[\W_]+", " ", plain).split())


def _name_matches(query: str, name: str, *, exact_phrase: bool = False) -> bool:
    """Whether a search for ``query`` finds the advertiser ``name``: the folded query inside the
    folded name, or (unless an exact phrase is asked) each of its words starting a word of the name."""
    wanted, folded = _folded(query), _folded(name)
    if not wanted:
        return False
    if wanted in folded:
        return True
    words = folded.split()
    return not exact_phrase and all(any(word.startswith(token) for word in words) for token in wanted.split())


def _bare_domain(text: str) -> str:
    """A domain or URL as its host alone, lower-case and without ``www.``."""
    host = text.strip().lower()
    host = host.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0].rstrip(".")
    return host.removeprefix("www.")


def _keyword_ads(catalog: Catalog, terms: str, *, exact_phrase: bool = False) -> list[Ad]:
    """The Ad Library's keyword search: the ads whose copy holds ``terms`` and every ad of a page
    whose name the terms match, in catalog order."""
    lowered = terms.strip().lower()
    named = {brand.slug for brand in catalog.brands if _name_matches(terms, brand.name, exact_phrase=exact_phrase)}
    return [
        ad
        for ad in catalog.ads
        if ad.brand.slug in named or lowered in ad.headline.lower() or lowered in ad.body.lower()
    ]


async def _healthz(request: web.Request) -> web.Response:
    return web.Response(text="ok")


async def _brands(request: web.Request) -> web.Response:
    catalog = request.app[_STATE].catalog
    return web.json_response([_brand_entry(catalog, b) for b in catalog.brands])


def _brand_entry(catalog: Catalog, brand: Brand) -> dict[str, Any]:
    # ``handle`` is what each source client's fetch() takes; the rest says what it is.
    return {
        "name": brand.name,
        "partition_key": brand.slug,
        "category": brand.category,
        "domain": brand.domain,
        "ads": len(catalog.ads_of(brand)),
        "google_ads": len(catalog.google_ads_of(brand)),
        "sources": {
            "meta": {"handle": brand.meta_page_id, "page_id": brand.meta_page_id},
            "apify": {"handle": brand.meta_page_id, "page_id": brand.meta_page_id, "actor_id": brand.apify_actor},
            "serpapi": {"handle": brand.google_advertiser_id, "advertiser_id": brand.google_advertiser_id},
        },
    }


# Meta Ad Library API.


def _meta_error(status: int, message: str, *, code: int, kind: str = "OAuthException") -> web.Response:
    trace = base64.urlsafe_b64encode(secrets.token_bytes(9)).decode()
    error = {"message": message, "type": kind, "code": code, "fbtrace_id": trace}
    return web.json_response({"error": error}, status=status)


def _meta_time(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def _meta_range(bounds: tuple[int, int | None]) -> dict[str, str]:
    lower, upper = bounds
    return {"lower_bound": str(lower)} | ({"upper_bound": str(upper)} if upper is not None else {})


def _meta_ad(ad: Ad, token: str) -> dict[str, Any]:
    brand = ad.brand
    if ad.display_format == "CAROUSEL":
        titles = [c.title for c in ad.cards]
        descriptions = [c.body for c in ad.cards]
    elif ad.display_format == "DPA":
        titles, descriptions = [ad.headline], ["{{product.description}}"]
    else:
        titles, descriptions = [ad.headline], [ad.description]
    item: dict[str, Any] = {
        "id": ad.ad_id,
        "ad_creation_time": _meta_time(ad.created_at),
        "ad_creative_bodies": [ad.body],
        "ad_creative_link_titles": titles,
        "ad_creative_link_descriptions": descriptions,
        "ad_creative_link_captions": [brand.domain],
        "ad_delivery_start_time": _meta_time(ad.started_at),
        # Meta embeds the caller's token in the snapshot URL; clients must strip it before storing.
        "ad_snapshot_url": f"https://www.facebook.com/ads/archive/render_ad/?id={ad.ad_id}&access_token={token}",
        "page_id": brand.meta_page_id,
        "page_name": brand.name,
        "publisher_platforms": list(ad.platforms),
        "languages": ["en"],
    }
    if ad.stopped_at is not None:
        item["ad_delivery_stop_time"] = _meta_time(ad.stopped_at)
    if ad.spend is not None and ad.impressions is not None:
        item["currency"] = "EUR"
        item["spend"] = _meta_range(ad.spend)
        item["impressions"] = _meta_range(ad.impressions)
    if ad.variant % 4 == 0:
        # Ads delivered in the EU carry the DSA transparency fields.
        item["eu_total_reach"] = 1000 + ad.variant * 7
        item["target_ages"] = ["18", "65+"]
        item["target_gender"] = "All"
        item["target_locations"] = [{"name": "Germany", "type": "countries", "excluded": False}]
        item["beneficiary_payers"] = [{"beneficiary": brand.name, "payer": brand.name}]
    return item


def _meta_date(value: str | None) -> int | None:
    if not value:
        return None
    return int(datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC).timestamp())


async def _meta_ads_archive(request: web.Request) -> web.Response:
    catalog = request.app[_STATE].catalog
    query = request.query
    token = query.get("access_token")
    if not token:
        return _meta_error(400, "An access token is required to request this resource.", code=190)
    raw_ids = query.get("search_page_ids", "")
    terms = query.get("search_terms", "").strip()
    search_type = query.get("search_type", "KEYWORD_UNORDERED").upper()
    try:
        # Meta accepts a comma list or a JSON array of page ids.
        page_ids = json.loads(raw_ids) if raw_ids.startswith("[") else [p for p in raw_ids.split(",") if p]
        limit = int(query.get("limit", _META_DEFAULT_LIMIT))
        date_min = _meta_date(query.get("ad_delivery_date_min"))
        date_max = _meta_date(query.get("ad_delivery_date_max"))
    except ValueError as exc:
        return _meta_error(400, f"(#100) Invalid parameter: {exc}", code=100)
    if not page_ids and not terms:
        return _meta_error(400, "(#100) The parameter search_terms or search_page_ids is required", code=100)
    if not 1 <= limit <= _META_MAX_LIMIT:
        return _meta_error(400, f"(#100) limit must be between 1 and {_META_MAX_LIMIT}", code=100)
    if search_type not in _META_SEARCH_TYPES:
        return _meta_error(400, f"(#100) search_type must be one of {', '.join(_META_SEARCH_TYPES)}", code=100)
    offset = 0
    if "after" in query:
        decoded = _decode_offset(query["after"])
        if decoded is None:
            return _meta_error(400, "(#100) Invalid cursor", code=100)
        offset = decoded + 1

    if page_ids:
        brands = [b for b in (catalog.brand_by_page_id(str(p)) for p in page_ids) if b is not None]
        ads = [ad for brand in brands for ad in catalog.ads_of(brand)]
    else:
        ads = _keyword_ads(catalog, terms, exact_phrase=search_type == "KEYWORD_EXACT_PHRASE")
    status = query.get("ad_active_status", "ALL").upper()
    if status != "ALL":
        ads = [a for a in ads if a.is_active == (status == "ACTIVE")]
    if date_min is not None:
        ads = [a for a in ads if a.started_at >= date_min]
    if date_max is not None:
        ads = [a for a in ads if a.started_at < date_max + 86_400]

    page = ads[offset : offset + limit]
    fields = [f.strip() for f in query.get("fields", "").split(",") if f.strip()]
    data = []
    for ad in page:
        item = _meta_ad(ad, token)
        # Meta returns only the fields asked for (and always the id).
        data.append({k: v for k, v in item.items() if k == "id" or k in fields} if fields else item)
    body: dict[str, Any] = {"data": data}
    if page:
        after = _encode_offset(offset + len(page) - 1)
        paging: dict[str, Any] = {"cursors": {"before": _encode_offset(offset), "after": after}}
        if offset + len(page) < len(ads):
            paging["next"] = str(request.url.update_query(after=after))
        body["paging"] = paging
    return web.json_response(body)


# Apify: actor runs that finish at once, and their datasets.


def _apify_error(status: int, kind: str, message: str) -> web.Response:
    return web.json_response({"error": {"type": kind, "message": message}}, status=status)


def _apify_token(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer ") and header[7:].strip():
        return header[7:].strip()
    return request.query.get("token") or None


class _Dataset(NamedTuple):
    """What a run scraped: the actor, the pages, the keyword searches (text, exact phrase) and the count."""

    actor: str
    page_ids: list[str]
    count: int | None
    searches: list[tuple[str, bool]]


def _encode_dataset(actor: str, page_ids: list[str], count: int | None, searches: list[tuple[str, bool]]) -> str:
    # The run holds no state: its dataset id carries the actor, the page ids, the searches and the
    # count; a run without searches keeps the id it had before searches were served.
    spec: dict[str, Any] = {"a": APIFY_ACTORS.index(actor), "p": page_ids, "n": count}
    if searches:
        spec["q"] = [[text, int(exact)] for text, exact in searches]
    raw = json.dumps(spec, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_dataset(token: str) -> _Dataset | None:
    try:
        spec = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        searches = [(str(text), bool(exact)) for text, exact in spec.get("q", [])]
        return _Dataset(APIFY_ACTORS[spec["a"]], [str(p) for p in spec["p"]], spec["n"], searches)
    except (binascii.Error, ValueError, KeyError, IndexError, TypeError, AttributeError):
        return None


def _run_body(run_id: str, actor: str, dataset_id: str) -> dict[str, Any]:
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return {
        "data": {
            "id": run_id,
            "actId": _stable_digits(actor, 17),
            "userId": "localLibraryUser",
            "actorTaskId": None,
            "startedAt": now,
            "finishedAt": now,
            "status": "SUCCEEDED",
            "statusMessage": None,
            "meta": {"origin": "API"},
            "stats": {"runTimeSecs": 0.0, "resurrectCount": 0},
            "options": {"build": "latest", "timeoutSecs": 3600, "memoryMbytes": 1024},
            "buildNumber": "0.0.1",
            "exitCode": 0,
            "defaultKeyValueStoreId": "K" + dataset_id,
            "defaultDatasetId": dataset_id,
            "defaultRequestQueueId": "Q" + dataset_id,
            "containerUrl": f"https://{run_id[:12].lower()}.runs.apify.net",
        }
    }


async def _apify_start_run(request: web.Request) -> web.Response:
    actor = request.match_info["actor"]
    if actor not in APIFY_ACTORS:
        return _apify_error(404, "record-not-found", f"Actor {actor} was not found")
    if _apify_token(request) is None:
        return _apify_error(401, "token-not-provided", "Authentication token was not provided")
    try:
        body = await request.json()
    except json.JSONDecodeError as exc:
        return _apify_error(400, "invalid-input", f"Input is not valid JSON: {exc}")
    if not isinstance(body, dict):
        return _apify_error(400, "invalid-input", "Input must be a JSON object")
    # curious_coder takes {urls, count}; apify's own scraper takes {startUrls, resultsLimit}.
    urls = body.get("urls") or body.get("startUrls") or []
    count = body.get("count", body.get("resultsLimit"))
    if not isinstance(urls, list) or not urls or (count is not None and not isinstance(count, int)):
        return _apify_error(400, "invalid-input", "Input.urls must be a non-empty array and Input.count an integer")
    page_ids: list[str] = []
    searches: list[tuple[str, bool]] = []
    for entry in urls:
        url = entry.get("url", "") if isinstance(entry, dict) else str(entry)
        library_query = parse_qs(urlsplit(url).query)
        page_ids += library_query.get("view_all_page_id", [])
        # An Ad Library search URL: q, with search_type keyword_unordered (the default) or keyword_exact_phrase.
        exact = library_query.get("search_type", [""])[0].lower() == "keyword_exact_phrase"
        searches += [(text, exact) for text in library_query.get("q", []) if text.strip()]
    dataset_id = _encode_dataset(actor, page_ids, count, searches)
    return web.json_response(_run_body("R" + dataset_id, actor, dataset_id), status=201)


async def _apify_get_run(request: web.Request) -> web.Response:
    run_id = request.match_info["run"]
    decoded = _decode_dataset(run_id[1:]) if run_id.startswith("R") else None
    if decoded is None:
        return _apify_error(404, "record-not-found", "Actor run was not found")
    return web.json_response(_run_body(run_id, decoded.actor, run_id[1:]))


async def _apify_dataset_items(request: web.Request) -> web.Response:
    catalog = request.app[_STATE].catalog
    decoded = _decode_dataset(request.match_info["dataset"])
    if decoded is None:
        return _apify_error(404, "record-not-found", "Dataset was not found")
    actor, page_ids, count, searches = decoded
    if request.query.get("format", "json") != "json":
        return _apify_error(400, "invalid-parameter", "This library serves format=json only")
    try:
        offset = int(request.query.get("offset", 0))
        limit = int(request.query["limit"]) if "limit" in request.query else None
    except ValueError:
        return _apify_error(400, "invalid-parameter", "offset and limit must be integers")
    ads: list[Ad] = []
    for page_id in page_ids:
        brand = catalog.brand_by_page_id(page_id)
        if brand is not None:
            ads += catalog.ads_of(brand)[:count] if count is not None else catalog.ads_of(brand)
    for text, exact in searches:
        found = _keyword_ads(catalog, text, exact_phrase=exact)
        ads += found[:count] if count is not None else found
    page = ads[offset : offset + limit] if limit is not None else ads[offset:]
    items = [_apify_item(request, ad, camel=actor == APIFY_CAMEL_ACTOR) for ad in page]
    headers = {
        "X-Apify-Pagination-Offset": str(offset),
        "X-Apify-Pagination-Limit": str(limit if limit is not None else len(page)),
        "X-Apify-Pagination-Count": str(len(page)),
        "X-Apify-Pagination-Total": str(len(ads)),
    }
    return web.json_response(items, headers=headers)


def _cta_text(cta: str) -> str:
    """Facebook shows CTAs in sentence case ("Shop now"); the image shows them upper-case."""
    return cta.capitalize()


def _apify_item(request: web.Request, ad: Ad, *, camel: bool) -> dict[str, Any]:
    brand = ad.brand
    catalog = request.app[_STATE].catalog
    empty_video = dict.fromkeys(("video_hd_url", "video_sd_url", "video_preview_image_url", "watermarked_video_hd_url"))
    images: list[dict[str, Any]] = []
    videos: list[dict[str, Any]] = []
    cards: list[dict[str, Any]] = []
    if ad.cards:
        for n, card in enumerate(ad.cards):
            url = _media_url(request, ad.ad_id, n, ad.image_ext)
            cards.append(
                {
                    "body": card.body,
                    "caption": brand.domain,
                    "cta_text": _cta_text(ad.cta),
                    "cta_type": CTA_TYPES[ad.cta],
                    "link_description": card.price,
                    "link_url": card.link_url,
                    "title": card.title,
                    "original_image_url": url,
                    "resized_image_url": url,
                    "watermarked_resized_image_url": "",
                    "image_crops": [],
                    **empty_video,
                }
            )
    elif ad.display_format == "VIDEO":
        video = _media_url(request, ad.ad_id, 0, "mp4")
        videos.append(
            {
                "video_hd_url": video,
                "video_sd_url": video,
                "video_preview_image_url": _media_url(request, ad.ad_id, 0, ad.image_ext),
                "watermarked_video_hd_url": None,
            }
        )
    else:
        url = _media_url(request, ad.ad_id, 0, ad.image_ext)
        images.append(
            {
                "original_image_url": url,
                "resized_image_url": url,
                "watermarked_resized_image_url": "",
                "image_crops": [],
            }
        )
    snapshot = {
        "body": {"text": ad.body},
        "branded_content": None,
        "byline": None,
        "caption": brand.domain,
        "cards": cards,
        "cta_text": _cta_text(ad.cta),
        "cta_type": CTA_TYPES[ad.cta],
        "display_format": ad.display_format,
        "event": None,
        "extra_images": [],
        "extra_links": [],
        "extra_texts": [],
        "extra_videos": [],
        "images": images,
        "is_reshared": False,
        "link_description": ad.description,
        "link_url": ad.link_url,
        "page_categories": ["Health/beauty"],
        "page_entity_type": "PERSON_PROFILE",
        "page_id": brand.meta_page_id,
        "page_is_deleted": False,
        "page_like_count": 1000 + zlib.crc32(brand.slug.encode()) % 900_000,
        "page_name": brand.name,
        "page_profile_picture_url": _media_url(request, brand.meta_page_id, 0, "png"),
        "page_profile_uri": f"https://www.facebook.com/{brand.slug.replace('-', '')}/",
        "title": ad.headline,
        "videos": videos,
        "root_reshared_post": None,
        "country_iso_code": None,
    }
    if ad.impressions is not None:
        lower, upper = ad.impressions
        impressions = {
            "impressions_text": f"{_range_text(lower)}-{_range_text(upper)}" if upper else f">{_range_text(lower)}",
            "impressions_index": ad.variant % 6,
        }
    else:
        impressions = {"impressions_text": None, "impressions_index": -1}
    # The scraper reports the scrape date as end_date of an ad still running.
    end_date = _last_shown(ad, catalog)
    item = {
        "ad_archive_id": ad.ad_id,
        "ad_id": None,
        "archive_types": [],
        "categories": ["UNKNOWN"],
        "collation_count": 1 + ad.variant % 3,
        "collation_id": _stable_digits(f"{brand.slug}:{ad.headline}", 16),
        "contains_digital_created_media": False,
        "contains_sensitive_content": False,
        "currency": "",
        "end_date": end_date,
        "entity_type": "PERSON_PROFILE",
        "fev_info": None,
        "gated_type": "ELIGIBLE",
        "has_user_reported": False,
        "hidden_safety_data": False,
        "hide_data_status": "NONE",
        "impressions_with_index": impressions,
        "is_aaa_eligible": True,
        "is_active": ad.is_active,
        "is_profile_page": False,
        "menu_items": [],
        "page_id": brand.meta_page_id,
        "page_is_deleted": False,
        "page_name": brand.name,
        "political_countries": [],
        "publisher_platform": [p.upper() for p in ad.platforms],
        "reach_estimate": None,
        "regional_regulation_data": {"finserv": {"is_deemed_finserv": False, "is_limited_delivery": False}},
        "report_count": None,
        "snapshot": snapshot,
        "spend": None,
        "start_date": ad.started_at,
        "state_media_run_label": None,
        "targeted_or_reached_countries": [],
        "total_active_time": end_date - ad.started_at,
        "url": f"https://www.facebook.com/ads/library/?id={ad.ad_id}",
    }
    if not camel:
        return item
    converted = _camel_keys(item)
    converted["inputUrl"] = f"https://www.facebook.com/ads/library/?view_all_page_id={brand.meta_page_id}"
    converted["startDateFormatted"] = datetime.fromtimestamp(ad.started_at, UTC).isoformat()
    converted["endDateFormatted"] = datetime.fromtimestamp(end_date, UTC).isoformat()
    return converted


_CAMEL_SPECIAL = {"ad_archive_id": "adArchiveID", "page_id": "pageID", "collation_id": "collationID", "ad_id": "adid"}


def _camel(key: str) -> str:
    if key in _CAMEL_SPECIAL:
        return _CAMEL_SPECIAL[key]
    head, *rest = key.split("_")
    return head + "".join(part.title() for part in rest)


def _camel_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {_camel(k): _camel_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_camel_keys(v) for v in value]
    return value


# SerpApi: Google Ads Transparency Center.


def _serp_metadata(request: web.Request, url: str) -> dict[str, Any]:
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    search_id = secrets.token_hex(12)
    return {
        "id": search_id,
        "status": "Success",
        "json_endpoint": f"{_origin(request)}/searches/{search_id}.json",
        "created_at": now,
        "processed_at": now,
        "google_ads_transparency_center_url": url,
        "total_time_taken": 0.01,
    }


def _serp_parameters(request: web.Request) -> dict[str, str]:
    return {k: v for k, v in request.query.items() if k != "api_key"}


def _serp_no_results(request: web.Request) -> web.Response:
    metadata = _serp_metadata(request, f"{_TRANSPARENCY}/?region=anywhere")
    parameters = _serp_parameters(request)
    return web.json_response({"search_metadata": metadata, "search_parameters": parameters, "error": _NO_RESULTS})


async def _serpapi(request: web.Request) -> web.Response:
    query = request.query
    if not query.get("api_key"):
        return web.json_response(
            {"error": "Invalid API key. Your API key should be here: https://serpapi.com/manage-api-key"}, status=401
        )
    engine = query.get("engine", "")
    if engine == "google_ads_transparency_center":
        return _serp_listing(request)
    if engine == "google_ads_transparency_center_ad_details":
        return _serp_details(request)
    return web.json_response({"error": f"Unsupported `{engine}` search engine."}, status=400)


def _serp_date(value: str | None, *, end: bool) -> int | None:
    if not value:
        return None
    day = datetime.strptime(value, "%Y%m%d").replace(tzinfo=UTC)
    return int(day.timestamp()) + (86_399 if end else 0)


def _serp_listing(request: web.Request) -> web.Response:
    catalog = request.app[_STATE].catalog
    query = request.query
    advertiser_ids = [a for a in query.get("advertiser_id", "").split(",") if a]
    text = query.get("text", "").strip()
    if not advertiser_ids and not text:
        return web.json_response({"error": "Missing query `advertiser_id` or `text` parameter."}, status=400)
    try:
        num = int(query.get("num", _SERPAPI_DEFAULT_NUM))
        start = _serp_date(query.get("start_date"), end=False)
        end = _serp_date(query.get("end_date"), end=True)
    except ValueError as exc:
        return web.json_response({"error": f"Invalid parameter: {exc}"}, status=400)
    if not 1 <= num <= 100:
        return web.json_response({"error": "`num` must be between 1 and 100."}, status=400)
    offset = 0
    if query.get("next_page_token"):
        decoded = _decode_offset(query["next_page_token"])
        if decoded is None:
            return web.json_response({"error": "Invalid `next_page_token`."}, status=400)
        offset = decoded
    if advertiser_ids:
        brands = [b for b in map(catalog.brand_by_advertiser_id, advertiser_ids) if b is not None]
    else:
        brands = [b for b in catalog.brands if _text_finds(text, b)]
    ads = [ad for brand in brands for ad in catalog.google_ads_of(brand)]
    if fmt := query.get("creative_format"):
        ads = [a for a in ads if a.google_format == fmt]
    if start is not None:
        ads = [a for a in ads if _last_shown(a, catalog) >= start]
    if end is not None:
        ads = [a for a in ads if a.started_at <= end]
    if not ads or offset >= len(ads):
        return _serp_no_results(request)
    page = ads[offset : offset + num]
    first = brands[0].google_advertiser_id
    body: dict[str, Any] = {
        "search_metadata": _serp_metadata(request, f"{_TRANSPARENCY}/advertiser/{first}?region=anywhere"),
        "search_parameters": _serp_parameters(request),
        "search_information": {"total_results": len(ads)},
        "ad_creatives": [_serp_creative(request, ad) for ad in page],
    }
    if offset + len(page) < len(ads):
        token = _encode_offset(offset + len(page))
        next_url = request.url.without_query_params("api_key").update_query(next_page_token=token)
        body["serpapi_pagination"] = {"next_page_token": token, "next": str(next_url)}
    return web.json_response(body)


def _text_finds(text: str, brand: Brand) -> bool:
    """Whether the Transparency Center's search for ``text`` finds ``brand``: a domain (or URL) finds
    the advertiser whose ads lead there, anything else advertisers by name."""
    if " " not in text.strip() and "." in text:
        return _bare_domain(text) == _bare_domain(brand.domain)
    return _name_matches(text, brand.name)


def _serp_creative(request: web.Request, ad: Ad) -> dict[str, Any]:
    catalog = request.app[_STATE].catalog
    brand = ad.brand
    creative_id = ad.google_creative_id or ""
    first, last = ad.started_at, _last_shown(ad, catalog)
    item: dict[str, Any] = {
        "advertiser_id": brand.google_advertiser_id,
        "advertiser": brand.name,
        "ad_creative_id": creative_id,
        "format": ad.google_format,
    }
    if ad.google_format != "text":
        width, height = IMAGE_SIZES[ad.aspect]
        item |= {"image": _media_url(request, creative_id, 0, ad.image_ext), "width": width, "height": height}
    item |= {"first_shown": first, "last_shown": last, "total_days_shown": (last - first) // 86_400 + 1}
    # Google omits the target domain for some creatives.
    if ad.variant % 5:
        item["target_domain"] = brand.domain
    item["details_link"] = (
        f"{_TRANSPARENCY}/advertiser/{brand.google_advertiser_id}/creative/{creative_id}?region=anywhere"
    )
    item["serpapi_details_link"] = (
        f"{_origin(request)}/search.json?advertiser_id={brand.google_advertiser_id}"
        f"&creative_id={creative_id}&engine=google_ads_transparency_center_ad_details"
    )
    return item


_REGIONS = ("United States", "United Kingdom", "Canada")


def _serp_details(request: web.Request) -> web.Response:
    catalog = request.app[_STATE].catalog
    advertiser_id = request.query.get("advertiser_id", "")
    creative_id = request.query.get("creative_id", "")
    if not advertiser_id or not creative_id:
        return web.json_response({"error": "Missing query `advertiser_id` or `creative_id` parameter."}, status=400)
    ad = catalog.ad(creative_id)
    if ad is None or ad.google_creative_id != creative_id or ad.brand.google_advertiser_id != advertiser_id:
        return _serp_no_results(request)
    brand = ad.brand
    first, last = ad.started_at, _last_shown(ad, catalog)
    regions = [
        {"region_name": name, "first_shown": first, "last_shown": last, "times_shown": f"{i + 1}K-{i + 2}K"}
        for i, name in enumerate(_REGIONS[: 1 + ad.variant % len(_REGIONS)])
    ]
    title, body = _plain_copy(ad)
    link = ad.link_url.replace("utm_source=facebook", "utm_source=google")
    variants: list[dict[str, Any]]
    if ad.google_format == "text":
        variants = [{"title": title, "snippet": body, "visible_link": f"www.{brand.domain}/products", "link": link}]
    elif ad.google_format == "video":
        video = _media_url(request, creative_id, 0, "mp4")
        seconds = round(video_seconds(ad))
        variants = [
            {
                "title": title,
                "video_link": video,
                "raw_video_link": video,
                "video_duration": f"0:{seconds:02d}",
                "channel_name": brand.name,
                "image": _media_url(request, creative_id, 0, ad.image_ext),
            }
        ]
    else:
        image = _media_url(request, creative_id, 0, ad.image_ext)
        width, height = IMAGE_SIZES[ad.aspect]
        variants = [
            {
                "headline": title,
                "long_headline": f"{title} | {brand.name}",
                "snippet": body,
                "image": image,
                "images": [image],
                "width": width,
                "height": height,
                "call_to_action": _cta_text(ad.cta),
                "visible_link": brand.domain,
                "link": link,
            }
        ]
        if ad.variant % 2:
            variants.append(variants[0] | {"headline": brand.name, "long_headline": ad.description})
    metadata = _serp_metadata(
        request, f"{_TRANSPARENCY}/advertiser/{advertiser_id}/creative/{creative_id}?region=anywhere"
    )
    return web.json_response(
        {
            "search_metadata": metadata,
            "search_parameters": _serp_parameters(request),
            "search_information": {
                "format": ad.google_format,
                "last_shown": last,
                "region_name": _REGIONS[0],
                "regions": regions,
            },
            "ad_creatives": variants,
        }
    )


# Signed media.


def _s3_error(status: int, code: str, message: str) -> web.Response:
    """An error in the XML shape S3 and CloudFront-fronted CDNs answer with."""
    xml = f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>'
    return web.Response(status=status, text=xml, content_type="application/xml")


def _access_denied(message: str) -> web.Response:
    return _s3_error(403, "AccessDenied", message)


def _media_producer(catalog: Catalog, owner: str, n: int, ext: str) -> Callable[[], bytes] | None:
    """What renders ``/media/{owner}/{n}.{ext}``, or None when no such creative exists."""
    ad = catalog.ad(owner)
    if ad is not None:
        if ext == "mp4":
            return functools.partial(render_video, ad) if ad.display_format == "VIDEO" and n == 0 else None
        if ext != ad.image_ext:
            return None
        if ad.cards:
            return functools.partial(render_image, ad, n) if n < len(ad.cards) else None
        return functools.partial(render_image, ad) if n == 0 else None
    brand = catalog.brand_by_page_id(owner)
    if brand is not None and ext == "png" and n == 0:
        return functools.partial(render_logo, brand)
    return None


async def _stream(request: web.Request, data: bytes, content_type: str) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": content_type, "Cache-Control": "private, max-age=3600"})
    response.content_length = len(data)
    await response.prepare(request)
    for start in range(0, len(data), _CHUNK):
        await response.write(data[start : start + _CHUNK])
    await response.write_eof()
    return response


async def _media(request: web.Request) -> web.StreamResponse:
    state = request.app[_STATE]
    problem = state.signer.problem(request.path, request.query.get("exp"), request.query.get("sig"))
    if problem is not None:
        return _access_denied(problem)
    ext = request.match_info["ext"]
    producer = _media_producer(state.catalog, request.match_info["owner"], int(request.match_info["n"]), ext)
    if producer is None:
        return _s3_error(404, "NoSuchKey", "The specified key does not exist.")
    # Rendering is CPU work: keep it off the event loop so other requests keep flowing.
    data = await asyncio.get_running_loop().run_in_executor(None, producer)
    return await _stream(request, data, _CONTENT_TYPES[ext])


# Faults: test equipment for the media fetcher.


@functools.cache
def _control_jpeg() -> bytes:
    """A small, valid JPEG that every fault serving a "good" image returns."""
    image = Image.new("RGB", (320, 240), (30, 90, 160))
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 80, 300, 160), fill=(255, 255, 255))
    draw.text((160, 120), "CONTROL IMAGE", fill=(0, 0, 0), anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def _jpeg_looking(size: int) -> bytes:
    """``size`` bytes that start like a JPEG (a real header) and continue with filler."""
    head = _control_jpeg()[:size]
    filler = bytes(range(256)) * (max(0, size - len(head)) // 256 + 1)
    return head + filler[: size - len(head)]


def _query_number(request: web.Request, name: str, default: float, *, low: float, high: float) -> float:
    try:
        value = float(request.query.get(name, default))
    except ValueError:
        raise web.HTTPBadRequest(text=f"{name} must be a number") from None
    return min(max(value, low), high)


async def _fault_404(request: web.Request) -> web.Response:
    return web.Response(status=404, text="Not Found")


async def _fault_flaky(request: web.Request) -> web.Response:
    failures = int(_query_number(request, "failures", 1, low=0, high=1_000_000))
    key = request.match_info["key"]
    counts = request.app[_STATE].flaky_counts
    counts[key] = counts.get(key, 0) + 1
    if counts[key] <= failures:
        return web.Response(status=500, text=f"Internal Server Error (attempt {counts[key]} of {failures} failing)")
    return web.Response(body=_control_jpeg(), content_type="image/jpeg")


async def _fault_slow(request: web.Request) -> web.Response:
    await asyncio.sleep(_query_number(request, "seconds", 5, low=0, high=600))
    return web.Response(body=_control_jpeg(), content_type="image/jpeg")


async def _fault_cut(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "image/jpeg"})
    response.content_length = 200_000
    await response.prepare(request)
    await response.write(_jpeg_looking(50_000))
    # Drop the connection mid-body, as a failing CDN edge does; the client sees a short read.
    if request.transport is not None:
        request.transport.abort()
    return response


async def _fault_html(request: web.Request) -> web.Response:
    html = "<!DOCTYPE html><html><head><title>Log in</title></head><body><h1>Please log in</h1></body></html>"
    return web.Response(body=html.encode(), headers={"Content-Type": "image/jpeg"})


async def _fault_big(request: web.Request) -> web.StreamResponse:
    size = int(_query_number(request, "bytes", 10 * 1024 * 1024, low=0, high=8 * 1024**3))
    response = web.StreamResponse(headers={"Content-Type": "image/jpeg"})
    if request.query.get("declare", "1") == "1":
        response.content_length = size
    else:
        response.enable_chunked_encoding()
    await response.prepare(request)
    head = _jpeg_looking(min(size, _CHUNK))
    await response.write(head)
    filler = bytes(range(256)) * (_CHUNK // 256)
    sent = len(head)
    while sent < size:
        chunk = filler[: size - sent]
        await response.write(chunk)
        sent += len(chunk)
    await response.write_eof()
    return response


async def _fault_malformed_page(request: web.Request) -> web.Response:
    truncated = '{"data":[{"id":"1234567890123456","page_id":"104857600123456","page_name":"Glow Botan'
    return web.Response(text=truncated, content_type="application/json")


async def _fault_expired(request: web.Request) -> web.Response:
    return _access_denied("Request has expired")


async def _fault_redirect(request: web.Request) -> web.Response:
    target = request.query.get("to")
    if not target:
        raise web.HTTPBadRequest(text="the to parameter is required")
    raise web.HTTPFound(location=target)


async def _fault_empty(request: web.Request) -> web.Response:
    return web.Response(body=b"", headers={"Content-Type": "image/jpeg"})


async def _fault_image(request: web.Request) -> web.Response:
    return web.Response(body=_control_jpeg(), content_type="image/jpeg")
