"""Brand onboarding lookups: "which brand do you mean?", answered by every configured ad source.

A user types a brand's name (perhaps its domain, perhaps its Facebook page id); each configured
source is searched at once, in the shape its real API searches, since none of them has a directory
of advertisers:

- Meta: the Ad Library API's keyword search (``ads_archive`` with ``search_terms`` and
  ``search_type=KEYWORD_UNORDERED``); the pages are those of the ads found. A Facebook page id is
  confirmed by asking for its ads (``search_page_ids``).
- Apify: one run of the Facebook Ad Library scraper over the Ad Library's own search URL (``q=``).
- SerpApi: the Transparency Center listing (``engine=google_ads_transparency_center``) by ``text``,
  for the name and for the domain; SerpApi documents no advertiser search, so the advertisers are
  those of the creatives found.

Each source's advertisers become :class:`SourceMatch` es. Matches naming the same brand (the same
normalized name, the same domain, or the same Facebook page through Meta and Apify) become one
:class:`BrandCandidate`, ranked by how well its name matches what was typed and how many sources
agree. Keyword searches also find advertisers whose copy merely mentions the words, so a candidate
whose name does not resemble the query is dropped unless the domain or page id given points at it.

A source not configured, down or refusing is reported in :attr:`LookupResult.failures`; the others
still answer. Nothing here stores anything: the caller links the chosen candidate's handles.
"""

from __future__ import annotations

import asyncio
import re
import unicodedata
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

import aiohttp
from yarl import URL

from adology.errors import AdologyError, SourceError
from adology.logs import get_logger
from adology.media.guard import UrlPolicy
from adology.settings import Settings
from adology.sources.clients import ApifyClient, MetaAdLibraryClient, SerpApiClient
from adology.sources.http import RetryPolicy, http_client
from adology.sources.models import Connector, NormalizedAd, ParsedPage

log = get_logger(__name__)

MAX_NAME_CHARS = 200
MAX_CANDIDATES = 50
# Below this, a name does not resemble the query: the advertiser was found through its ad copy.
MIN_NAME_SIMILARITY = 0.5

# Meta's search_terms holds at most 100 characters.
_META_MAX_TERMS_CHARS = 100
# id for the parser; page_id and page_name name the advertiser; the link captions show its domain.
_META_LOOKUP_FIELDS = ("id", "page_id", "page_name", "ad_creative_link_captions")
# Someone is waiting for the answer: one quick retry, and an answer within a minute and a half
# (an Apify run may scrape for a minute; Apify holds its run-start request open as long).
_LOOKUP_RETRY = RetryPolicy(attempts=2, base_wait_seconds=0.5, max_wait_seconds=2.0)
_SOURCE_DEADLINE_SECONDS = 90.0
_APIFY_RUN_SECONDS = 80.0
_HTTP_TIMEOUT_SECONDS = 30.0
_HTTP_CONNECTIONS = 16
# How many ads each source is read for: enough to see the advertisers a search finds.
_ADS_PER_PAGE = 100
_META_PAGES = 3

_NAME_WEIGHT = 0.6
_AGREEMENT_WEIGHT = 0.25
_IDENTITY_WEIGHT = 0.15
_CONNECTOR_ORDER = {connector: index for index, connector in enumerate(Connector)}
# Facebook page ids: both connectors' handles are the same page's id.
_FACEBOOK_CONNECTORS = frozenset({Connector.META, Connector.APIFY})
# Trailing words of legal names ("Nike, Inc.") that page names leave out.
_LEGAL_SUFFIXES = frozenset(
    {"inc", "llc", "ltd", "limited", "corp", "corporation", "co", "company", "gmbh", "plc", "srl", "sas", "bv", "ag"}
)
_DOMAIN = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]")
_PAGE_ID = re.compile(r"\d{1,25}")


class BrandQueryError(AdologyError):
    """What was typed cannot be looked up (an empty or overlong name, a malformed domain or page id);
    the message says what is expected."""


@dataclass(frozen=True)
class SourceMatch:
    """One advertiser one source found: its handle there (a Facebook page id for Meta and Apify, an
    ``AR...`` advertiser id for SerpApi), its name and domain as its ads show them, and how many
    of its ads the search saw."""

    connector: Connector
    handle: str
    name: str
    domain: str | None
    ads_seen: int


@dataclass(frozen=True)
class BrandCandidate:
    """A brand the sources agree on: its matches on each source and how well it fits the query (0-1)."""

    name: str
    domain: str | None
    matches: tuple[SourceMatch, ...]
    score: float


@dataclass(frozen=True)
class LookupResult:
    """The candidates, best first, and each source that could not answer with its reason."""

    query: str
    candidates: tuple[BrandCandidate, ...]
    failures: dict[str, str]


@dataclass(frozen=True)
class _Query:
    name: str
    domain: str | None
    facebook_page_id: str | None
    limit: int


async def lookup_brand(
    settings: Settings,
    name: str,
    *,
    domain: str | None = None,
    facebook_page_id: str | None = None,
    limit: int = 10,
) -> LookupResult:
    """The brands ``name`` may mean, from every configured source at once, best first.

    ``domain`` (a domain or a URL) and ``facebook_page_id`` narrow the choice: they are searched
    too, and a candidate they point at is kept and ranked up whatever its name. Raises
    :class:`BrandQueryError` for input that cannot be looked up; a source's failure is reported
    in the result, never raised.
    """
    query = _checked_query(name, domain, facebook_page_id, limit)
    failures = _unconfigured(settings)
    policy = UrlPolicy.allowing(_source_endpoints(settings))
    async with http_client(timeout=_HTTP_TIMEOUT_SECONDS, connections=_HTTP_CONNECTIONS, policy=policy) as http:
        searches = _source_searches(settings, http, query, skip=failures)
        answers = await asyncio.gather(*(_answer(connector, search) for connector, search in searches.items()))
    matches: list[SourceMatch] = []
    for connector, answer in zip(searches, answers, strict=True):
        if isinstance(answer, str):
            failures[connector] = answer
        else:
            matches += answer
    candidates = rank_candidates(
        query.name,
        matches,
        domain=query.domain,
        facebook_page_id=query.facebook_page_id,
        sources=len(searches) - sum(connector in failures for connector in searches),
        limit=query.limit,
    )
    reported = {connector.value: failures[connector] for connector in Connector if connector in failures}
    log.info(
        "brand lookup finished",
        extra={
            "query": query.name,
            "domain": query.domain,
            "facebook_page_id": query.facebook_page_id,
            "matches": len(matches),
            "candidates": len(candidates),
            "failed_sources": sorted(reported),
        },
    )
    return LookupResult(query=query.name, candidates=candidates, failures=reported)


def lookup_brand_sync(
    settings: Settings,
    name: str,
    *,
    domain: str | None = None,
    facebook_page_id: str | None = None,
    limit: int = 10,
) -> LookupResult:
    """:func:`lookup_brand` for callers without an event loop (the CLI, a synchronous route)."""
    return asyncio.run(lookup_brand(settings, name, domain=domain, facebook_page_id=facebook_page_id, limit=limit))


def brand_key(name: str) -> str:
    """``name`` as brands are compared: accents, case, punctuation and spacing ignored, ``&`` read as
    "and", and trailing legal suffixes ("Inc.", "Ltd") dropped, since Google shows legal names where
    Facebook shows page names. Empty when nothing comparable is left."""
    decomposed = unicodedata.normalize("NFKD", name.replace("&", " and "))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
    words = re.sub(r"[\W_]+", " ", plain).split()
    while len(words) > 1 and words[-1] in _LEGAL_SUFFIXES:
        words.pop()
    return " ".join(words)


def name_similarity(query: str, name: str) -> float:
    """How well ``name`` fits what was typed, 0-1: 1 for the same brand key; otherwise mostly the
    share of the query's words that start a word of the name (a partial name still fits), and in
    part how alike the two read as a whole (a typo costs little)."""
    wanted, candidate = brand_key(query), brand_key(name)
    if not wanted or not candidate:
        return 0.0
    if wanted == candidate:
        return 1.0
    words = candidate.split()
    tokens = wanted.split()
    covered = sum(any(word.startswith(token) for word in words) for token in tokens) / len(tokens)
    alike = SequenceMatcher(None, wanted, candidate).ratio()
    return min(0.99, 0.6 * covered + 0.4 * alike)


def normalize_domain(text: str) -> str | None:
    """The host of a domain or URL, lower-case and without ``www.``; None when it is not a domain
    name (a caption such as "Shop now", an address)."""
    host = text.strip().lower().split("://", 1)[-1]
    host = re.split(r"[/?#]", host, maxsplit=1)[0].rsplit("@", 1)[-1].split(":", 1)[0].rstrip(".")
    host = host.removeprefix("www.")
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    return host if len(host) <= 253 and _DOMAIN.fullmatch(host) else None


def matches_from_ads(connector: Connector, ads: Iterable[NormalizedAd]) -> list[SourceMatch]:
    """One match per advertiser among ``ads`` (each ad counted once), named and placed by what most
    of its ads say."""
    seen: set[str] = set()
    names: dict[str, Counter[str]] = {}
    domains: dict[str, Counter[str]] = {}
    counts: Counter[str] = Counter()
    for ad in ads:
        handle = ad.advertiser_id
        if not handle or ad.source_ad_id in seen:
            continue
        seen.add(ad.source_ad_id)
        counts[handle] += 1
        names.setdefault(handle, Counter())
        domains.setdefault(handle, Counter())
        if ad.advertiser_name:
            names[handle][ad.advertiser_name] += 1
        ad_domain = _ad_domain(ad)
        if ad_domain:
            domains[handle][ad_domain] += 1
    return [
        SourceMatch(
            connector=connector,
            handle=handle,
            name=_most_common(names[handle]) or handle,
            domain=_most_common(domains[handle]),
            ads_seen=count,
        )
        for handle, count in counts.items()
    ]


def rank_candidates(
    query: str,
    matches: Iterable[SourceMatch],
    *,
    domain: str | None = None,
    facebook_page_id: str | None = None,
    sources: int = len(Connector),
    limit: int = 10,
) -> tuple[BrandCandidate, ...]:
    """``matches`` merged into brands and ranked, best first, at most ``limit`` of them.

    A candidate's score weighs how well its name fits ``query`` (60 %), the share of the
    ``sources`` that answered which found it (25 %), and whether the ``domain`` or
    ``facebook_page_id`` given points at it (15 %). A candidate whose name does not resemble the
    query is dropped unless one of those points at it.
    """
    wanted_domain = normalize_domain(domain) if domain else None
    candidates = []
    for group in _merged(_distinct(matches)):
        best = max(group, key=lambda match: (name_similarity(query, match.name), match.ads_seen))
        similarity = name_similarity(query, best.name)
        identified = any(
            (wanted_domain is not None and match.domain == wanted_domain)
            or (
                facebook_page_id is not None
                and match.connector in _FACEBOOK_CONNECTORS
                and match.handle == facebook_page_id
            )
            for match in group
        )
        if similarity < MIN_NAME_SIMILARITY and not identified:
            continue
        agreement = len({match.connector for match in group}) / max(sources, 1)
        score = _NAME_WEIGHT * similarity + _AGREEMENT_WEIGHT * min(agreement, 1.0) + _IDENTITY_WEIGHT * identified
        candidates.append(
            BrandCandidate(
                name=best.name,
                domain=_candidate_domain(group, wanted_domain),
                matches=tuple(sorted(group, key=lambda m: (_CONNECTOR_ORDER[m.connector], -m.ads_seen, m.handle))),
                score=round(score, 4),
            )
        )
    candidates.sort(key=lambda c: (-c.score, -sum(m.ads_seen for m in c.matches), c.name))
    return tuple(candidates[:limit])


def _checked_query(name: str, domain: str | None, facebook_page_id: str | None, limit: int) -> _Query:
    stripped = " ".join(name.split())
    if not stripped:
        raise BrandQueryError("the brand name is empty: type the brand's name as its ads show it")
    if len(stripped) > MAX_NAME_CHARS:
        raise BrandQueryError(f"the brand name has {len(stripped)} characters; at most {MAX_NAME_CHARS} are looked up")
    if not brand_key(stripped):
        raise BrandQueryError(f"the brand name {stripped!r} has no letter or digit to search for")
    checked_domain = None
    if domain is not None and domain.strip():
        checked_domain = normalize_domain(domain)
        if checked_domain is None:
            raise BrandQueryError(
                f"{domain.strip()[:100]!r} is not a domain: give one such as example.com (or a URL on it)"
            )
    page_id = None
    if facebook_page_id is not None and facebook_page_id.strip():
        page_id = facebook_page_id.strip()
        if not _PAGE_ID.fullmatch(page_id):
            raise BrandQueryError(
                f"the Facebook page id {page_id[:100]!r} is not a page id: it is digits only, "
                "as in facebook.com/ads/library/?view_all_page_id=<digits>"
            )
    if not 1 <= limit <= MAX_CANDIDATES:
        raise BrandQueryError(f"limit is {limit}; ask for 1 to {MAX_CANDIDATES} candidates")
    return _Query(name=stripped, domain=checked_domain, facebook_page_id=page_id, limit=limit)


def _unconfigured(settings: Settings) -> dict[Connector, str]:
    """Each source without a base URL or credential, with the variables that would configure it."""
    wanted = {
        Connector.META: (
            settings.meta_api_base_url,
            settings.meta_access_token,
            "META_API_BASE_URL, META_ACCESS_TOKEN",
        ),
        Connector.APIFY: (settings.apify_base_url, settings.apify_token, "APIFY_BASE_URL, APIFY_TOKEN"),
        Connector.SERPAPI: (settings.serpapi_base_url, settings.serpapi_api_key, "SERPAPI_BASE_URL, SERPAPI_API_KEY"),
    }
    return {
        connector: f"not configured: set {variables}"
        for connector, (base_url, secret, variables) in wanted.items()
        if not base_url or secret is None or not secret.get_secret_value()
    }


def _source_endpoints(settings: Settings) -> list[str]:
    """The ``host:port`` of each source's base URL, which the guarded session may reach even off the
    public internet (locally, the ad library)."""
    bases = (settings.meta_api_base_url, settings.apify_base_url, settings.serpapi_base_url)
    urls = [URL(base) for base in bases if base]
    return [f"{url.raw_host}:{url.port}" for url in urls if url.raw_host]


def _source_searches(
    settings: Settings, http: aiohttp.ClientSession, query: _Query, *, skip: dict[Connector, str]
) -> dict[Connector, Awaitable[list[SourceMatch]]]:
    """The search of each configured source, not yet started; the clients are sized for a lookup."""
    searches: dict[Connector, Awaitable[list[SourceMatch]]] = {}
    if Connector.META not in skip and settings.meta_api_base_url and settings.meta_access_token:
        meta = MetaAdLibraryClient(
            access_token=settings.meta_access_token.get_secret_value(),
            http=http,
            base_url=settings.meta_api_base_url,
            api_version=settings.meta_api_version,
            fields=_META_LOOKUP_FIELDS,
            page_size=_ADS_PER_PAGE,
            max_pages=_META_PAGES,
            retry=_LOOKUP_RETRY,
        )
        searches[Connector.META] = _meta_matches(meta, query)
    if Connector.APIFY not in skip and settings.apify_base_url and settings.apify_token:
        apify = ApifyClient(
            token=settings.apify_token.get_secret_value(),
            http=http,
            base_url=settings.apify_base_url,
            actor_id=settings.apify_actor_id,
            max_items=_ADS_PER_PAGE,
            page_size=_ADS_PER_PAGE,
            max_pages=1,
            run_timeout_seconds=_APIFY_RUN_SECONDS,
            retry=_LOOKUP_RETRY,
        )
        searches[Connector.APIFY] = _apify_matches(apify, query)
    if Connector.SERPAPI not in skip and settings.serpapi_base_url and settings.serpapi_api_key:
        serpapi = SerpApiClient(
            api_key=settings.serpapi_api_key.get_secret_value(),
            http=http,
            base_url=settings.serpapi_base_url,
            page_size=_ADS_PER_PAGE,
            max_pages=1,
            retry=_LOOKUP_RETRY,
        )
        searches[Connector.SERPAPI] = _serpapi_matches(serpapi, query)
    return searches


async def _meta_matches(client: MetaAdLibraryClient, query: _Query) -> list[SourceMatch]:
    searches = [_ads(client.search(_clipped(query.name, _META_MAX_TERMS_CHARS)))]
    if query.facebook_page_id:
        searches.append(_ads(client.fetch(query.facebook_page_id)))
    return matches_from_ads(Connector.META, _joined(await asyncio.gather(*searches)))


async def _apify_matches(client: ApifyClient, query: _Query) -> list[SourceMatch]:
    # One run per lookup: the page id is Meta's to confirm, a second run would cost a second scrape.
    return matches_from_ads(Connector.APIFY, await _ads(client.search(query.name)))


async def _serpapi_matches(client: SerpApiClient, query: _Query) -> list[SourceMatch]:
    texts = [query.name, *([query.domain] if query.domain else [])]
    return matches_from_ads(Connector.SERPAPI, _joined(await asyncio.gather(*(_ads(client.search(t)) for t in texts))))


async def _answer(connector: Connector, search: Awaitable[list[SourceMatch]]) -> list[SourceMatch] | str:
    """The source's matches, or why it could not answer: its failure is the lookup's report, not its end."""
    try:
        async with asyncio.timeout(_SOURCE_DEADLINE_SECONDS):
            return await search
    except SourceError as exc:
        reason = str(exc)
    except TimeoutError:
        reason = f"no answer within {_SOURCE_DEADLINE_SECONDS:g} s"
    log.warning("brand lookup source failed", extra={"connector": connector.value, "reason": reason})
    return reason


async def _ads(pages: AsyncIterator[ParsedPage]) -> list[NormalizedAd]:
    return [ad async for page in pages for ad in page.ads]


def _joined(lists: Sequence[list[NormalizedAd]]) -> list[NormalizedAd]:
    return [ad for ads in lists for ad in ads]


def _clipped(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters at a word boundary when it is longer."""
    if len(text) <= limit:
        return text
    return text[: limit + 1].rsplit(" ", 1)[0][:limit]


def _ad_domain(ad: NormalizedAd) -> str | None:
    """The domain an ad leads to: its landing link's host, else a link caption naming a domain (the
    Meta API has no landing link, only the caption it displays)."""
    captions = ad.raw.get("ad_creative_link_captions")
    snapshot = ad.raw.get("snapshot")
    texts = [
        ad.link_url,
        *(captions if isinstance(captions, list) else []),
        snapshot.get("caption") if isinstance(snapshot, dict) else None,
    ]
    for text in texts:
        found = normalize_domain(text) if isinstance(text, str) else None
        if found:
            return found
    return None


def _most_common(counts: Counter[str]) -> str | None:
    """The most frequent value, the alphabetically first of a tie, so a lookup reads the same twice."""
    return min(counts, key=lambda value: (-counts[value], value)) if counts else None


def _distinct(matches: Iterable[SourceMatch]) -> list[SourceMatch]:
    """One match per source handle, the one that saw the most ads."""
    best: dict[tuple[Connector, str], SourceMatch] = {}
    for match in matches:
        key = (match.connector, match.handle)
        if key not in best or match.ads_seen > best[key].ads_seen:
            best[key] = match
    return list(best.values())


def _merged(matches: list[SourceMatch]) -> list[list[SourceMatch]]:
    """The matches grouped into brands: any two sharing a brand key, a domain, or a Facebook page
    are one brand (transitively), whichever sources found them."""
    parent = list(range(len(matches)))

    def root(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    owner: dict[str, int] = {}
    for index, match in enumerate(matches):
        key_of_name = brand_key(match.name)
        keys = [f"name:{key_of_name}"] if key_of_name else []
        if match.domain:
            keys.append(f"domain:{match.domain}")
        if match.connector in _FACEBOOK_CONNECTORS:
            keys.append(f"page:{match.handle}")
        for key in keys:
            if key in owner:
                parent[root(index)] = root(owner[key])
            else:
                owner[key] = index
    groups: dict[int, list[SourceMatch]] = {}
    for index, match in enumerate(matches):
        groups.setdefault(root(index), []).append(match)
    return list(groups.values())


def _candidate_domain(group: list[SourceMatch], wanted: str | None) -> str | None:
    """The domain given, when a match leads there; else the domain most of the brand's ads lead to."""
    weights: Counter[str] = Counter()
    for match in group:
        if match.domain:
            weights[match.domain] += match.ads_seen
    if wanted is not None and wanted in weights:
        return wanted
    return _most_common(weights)
