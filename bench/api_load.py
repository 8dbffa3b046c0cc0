"""``adology bench-api``: the API's reads under 32 concurrent clients, at demo size and at 200,000 ads.

1. A fresh embedded stack starts in its own state directory and ports (the AI provider is the local
   one, so the API embeds search queries with WordLlama as it does by default).
2. For each size the library is synthesised straight into the tables (:func:`synthesize_library`):
   analysing 200,000 ads takes the local provider hours, and every read measured here touches
   nothing but rows. An organization, an admin and a brandspace holding half of the brands are
   made with the tenancy functions the API uses.
3. :func:`run_load` hammers each scenario for a fixed time with concurrent aiohttp clients: the
   brandspace's ads list under varied filters, one ad in full, semantic search under varied
   queries, and the whole list as CSV (its rows and bytes per second, and the API process's peak
   RSS while it streams: a flat figure at 100,000 rows is what shows the export holds one batch).
4. At the largest size the list's and the search's SQL are run again under ``EXPLAIN (ANALYZE,
   BUFFERS)`` (:func:`explain_reads`), so a latency target missed can be laid at a plan or an index.
5. One JSON object with every figure.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import random
import secrets
import shutil
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import numpy as np
import psutil
import psycopg
from pgvector.psycopg import register_vector
from psycopg import sql

from adology.ai.local.embeddings import EMBED_DIM, TEXT_MODEL_ID, embed_texts
from adology.errors import StackError
from adology.serving.ads import ads_query
from adology.serving.search import similar_ads
from adology.settings import load_settings
from adology.stack import Stack
from adology.stack.process import stop_signals_raise
from adology.tenancy.accounts import create_user, ensure_organization, get_user
from adology.tenancy.brandspaces import create_brandspace
from api.routers.ads import ad_filters
from bench.processes import ProcessSampler
from bench.run import _DERIVED, BenchOptions, _environment, _say

HNSW_INDEX = "ad_embeddings_wordllama_hnsw"
WINDOW_DAYS = 730  # ads started over two years
BATCH_ADS = 10_000  # ads per COPY transaction
# How far an ad's retrieval vector strays from its description's real embedding (per dimension):
# a cosine of about 0.95 to it, so neighbours stay on topic and no two vectors coincide (HNSW
# builds and searches badly over many identical points).
VECTOR_SPREAD = 0.02
EXPORT_CLIENTS = 2  # concurrent whole-list exports: each holds a pooled connection for its stream
TARGETS_P99_MS = {"ads_list": 50.0, "search": 100.0}
_MIB = 1024 * 1024

_BRAND_WORDS = ("Lumen", "Verdant", "Northwind", "Solace", "Kindred", "Aurora", "Bramble", "Cobalt", "Drift", "Ember")
_BRAND_SUFFIXES = ("Skin", "Labs", "Botanics", "Beauty")
_PRODUCTS = ("serum", "cleanser", "moisturizer", "sunscreen", "face mask", "eye cream", "toner", "lip balm")
# (benefit, concern, ingredient): what a creative promises, for whom, with what
_ANGLES = (
    ("hydration", "dry skin", "hyaluronic acid"),
    ("brightening", "dull skin", "vitamin C"),
    ("acne care", "breakouts", "salicylic acid"),
    ("anti-aging", "fine lines", "retinol"),
    ("sun protection", "daily UV exposure", "zinc oxide"),
    ("soothing", "sensitive skin", "ceramides"),
    ("clean beauty", "an everyday routine", "botanical extracts"),
    ("firming", "sagging skin", "peptides"),
)
_TONES = ("playful", "luxurious", "clinical", "calm", "bold", "conversational")
_FORMATS = (("IMAGE", 0.6), ("VIDEO", 0.25), ("CAROUSEL", 0.15))
_PLATFORMS = (
    ("facebook", "instagram"),
    ("facebook",),
    ("instagram",),
    ("facebook", "instagram", "messenger", "audience_network"),
)
# (offer text, its label); None: no offer
_OFFERS = (("20% off", "discount_offer"), ("free shipping", "free_shipping"), ("buy one get one free", "bogo_offer"))
_CTAS = (("Shop now", "shop_now_cta"), ("Learn more", "learn_more_cta"), ("Sign up", "sign_up_cta"))
_FORMAT_LABELS = {"VIDEO": "video_motion", "CAROUSEL": "carousel_multi_product", "IMAGE": "product_showcase"}
_ANGLE_LABELS = (
    ("UNIVERSAL", "benefit_led"),
    ("UNIVERSAL", "ingredient_focus"),
    ("UNIVERSAL", "problem_solution"),
    ("TREND", "science_backed_claims"),
    ("TREND", "spf_everyday"),
    ("TREND", "skin_barrier"),
    ("TREND", "clean_beauty"),
    ("UNIVERSAL", "before_after"),
)

SEARCH_QUERIES = (
    "hydrating serum for dry skin",
    "vitamin C brightening glow",
    "acne treatment for breakouts",
    "retinol night cream against wrinkles",
    "mineral sunscreen for daily protection",
    "gentle moisturizer for sensitive skin",
    "clean botanical skincare routine",
    "peptide eye cream that firms",
    "free shipping on a face mask",
    "luxurious lip balm",
    "playful video ad for a cleanser",
    "clinical toner with salicylic acid",
)


@dataclass(frozen=True)
class SyntheticLibrary:
    """What :func:`synthesize_library` made, and the seconds it took."""

    ads: int
    brand_ids: list[int]
    brand_keys: list[str]
    reference: datetime  # the newest ad started the day before
    load_seconds: float  # the rows COPYed in, the HNSW index absent
    index_seconds: float  # CREATE INDEX of the HNSW index over every retrieval vector
    analyze_seconds: float
    real_embeddings: int  # distinct descriptions embedded with WordLlama

    def figures(self) -> dict[str, Any]:
        return {
            "ads": self.ads,
            "brands": len(self.brand_ids),
            "load_seconds": round(self.load_seconds, 1),
            "ads_per_second_loaded": round(self.ads / self.load_seconds) if self.load_seconds else None,
            "hnsw_index_seconds": round(self.index_seconds, 1),
            "hnsw_build": "dropped before the load, CREATE INDEX after it",
            "analyze_seconds": round(self.analyze_seconds, 1),
            "real_embeddings": self.real_embeddings,
        }


@dataclass(frozen=True)
class _Theme:
    product: str
    angle: int
    tone: str

    @property
    def text(self) -> str:
        benefit, concern, ingredient = _ANGLES[self.angle]
        return f"A {self.tone} ad for a {self.product} with {ingredient}, promising {benefit} for {concern}."


_THEMES = tuple(_Theme(p, a, t) for p in _PRODUCTS for a in range(len(_ANGLES)) for t in _TONES)


def brand_count(ads: int) -> int:
    """Brands a library of ``ads`` ads is spread over: 8 at demo size, 40 from 2,000 ads on."""
    return max(8, min(40, ads // 50))


def synthesize_library(conn: psycopg.Connection, *, ads: int, brands: int, seed: int) -> SyntheticLibrary:
    """``ads`` analysed ads across ``brands`` brands, replacing every brand and ad the database held.

    Per ad: a row in ``ads`` (platforms, an IMAGE/VIDEO/CAROUSEL mix, copy from a small vocabulary,
    started over two years, about one in eight still active, one stored creative), a description with
    attributes, two to four labels, and a 256-dimension ``retrieval`` vector of the local model.

    The vectors are not random: the descriptions come from 384 themes (product × angle × tone), each
    theme's text is embedded once with WordLlama (:func:`embed_texts`, as the API embeds a query), and
    an ad's vector is its theme's plus a little noise. So a query finds ads about what it asks for,
    and the graph HNSW builds has the clusters real libraries have.

    Rows go in by COPY, :data:`BATCH_ADS` ads per transaction. The HNSW index is dropped first and
    built once over the whole table afterwards, the faster of the two: at 20,000 ads on this
    project's 2-core machine, COPY with the index present (each vector an index insert) took 14.9 s,
    against 2.7 s for the load without it plus 2.1 s for CREATE INDEX (pgvector builds the graph in
    memory, given ``maintenance_work_mem``, with a parallel worker).
    """
    rng = random.Random(seed)
    noise = np.random.default_rng(seed)
    reference = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    started = time.perf_counter()
    centres = embed_texts([theme.text for theme in _THEMES])
    conn.execute("TRUNCATE brands, ads RESTART IDENTITY CASCADE")
    index_definition = _drop_index(conn, HNSW_INDEX)
    conn.commit()
    brand_ids, brand_keys, brand_names = _insert_brands(conn, brands, seed)
    conn.commit()
    register_vector(conn)
    for start in range(0, ads, BATCH_ADS):
        with conn.transaction():
            _copy_batch(
                conn, range(start, min(ads, start + BATCH_ADS)), brand_ids, brand_names, reference, rng, noise, centres
            )
    loaded = time.perf_counter()
    conn.execute("SET maintenance_work_mem = '1GB'")  # the whole graph in memory: pgvector's fast build
    conn.execute("SET max_parallel_maintenance_workers = 1")  # the leader and one worker: both cores
    conn.execute(index_definition)
    conn.commit()
    indexed = time.perf_counter()
    conn.autocommit = True
    try:
        conn.execute("VACUUM ANALYZE brands, ads, ad_descriptions, ad_labels, ad_embeddings")
    finally:
        conn.autocommit = False
    return SyntheticLibrary(
        ads=ads,
        brand_ids=brand_ids,
        brand_keys=brand_keys,
        reference=reference,
        load_seconds=loaded - started,
        index_seconds=indexed - loaded,
        analyze_seconds=time.perf_counter() - indexed,
        real_embeddings=len(_THEMES),
    )


def _drop_index(conn: psycopg.Connection, name: str) -> str:
    """Drop the index, returning the statement that makes it again."""
    row = conn.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", (name,)).fetchone()
    if row is None:
        raise StackError(f"the index {name} is missing: are the migrations applied?")
    conn.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
    return str(row[0])


def _insert_brands(conn: psycopg.Connection, count: int, seed: int) -> tuple[list[int], list[str], list[str]]:
    names = [f"{word} {suffix}" for suffix in _BRAND_SUFFIXES for word in _BRAND_WORDS]
    rows = [
        (f"bench-api-{seed}-{i:03d}", names[i % len(names)] + ("" if i < len(names) else f" {i}")) for i in range(count)
    ]
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO brands (partition_key, name, category, status) VALUES (%s, %s, 'skincare', 'analyzed')", rows
        )
    found = dict(conn.execute("SELECT partition_key, id FROM brands").fetchall())
    keys = [key for key, _ in rows]
    return [found[key] for key in keys], keys, [name for _, name in rows]


def _copy_batch(
    conn: psycopg.Connection,
    indexes: range,
    brand_ids: list[int],
    brand_names: list[str],
    reference: datetime,
    rng: random.Random,
    noise: np.random.Generator,
    centres: np.ndarray,
) -> None:
    """One batch of ads and their analyses. Ad ids are drawn from the identity's sequence first, so
    the analyses can name them without reading the ads back."""
    ids = [
        int(row[0])
        for row in conn.execute(
            "SELECT nextval(pg_get_serial_sequence('ads', 'id')) FROM generate_series(1, %s)", (len(indexes),)
        )
    ]
    themes = [rng.randrange(len(_THEMES)) for _ in indexes]
    vectors = centres[themes] + noise.normal(scale=VECTOR_SPREAD, size=(len(indexes), EMBED_DIM)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    cursor = conn.cursor()
    descriptions: list[tuple[Any, ...]] = []
    labels: list[tuple[Any, ...]] = []
    with cursor.copy(
        "COPY ads (id, brand_id, source, source_ad_id, platforms, title, body, link_url, cta, media, content_hash, "
        "started_at, ended_at, is_active, first_seen_at, last_seen_at, connectors, display_format) FROM STDIN"
    ) as copy:
        for ad_id, index, theme_index in zip(ids, indexes, themes, strict=True):
            theme = _THEMES[theme_index]
            benefit, concern, ingredient = _ANGLES[theme.angle]
            brand = rng.randrange(len(brand_ids))
            display_format = rng.choices([f for f, _ in _FORMATS], weights=[w for _, w in _FORMATS])[0]
            offer = rng.choice((*_OFFERS, None, None, None))
            cta, cta_label = rng.choice(_CTAS)
            started_at = reference - timedelta(days=rng.uniform(1, WINDOW_DAYS))
            running = timedelta(days=rng.randint(3, 180))
            active = started_at + running >= reference
            title = f"{benefit.capitalize()} {theme.product} for {concern}"
            body = f"Our {ingredient} {theme.product} brings {benefit} to {concern}."
            if offer:
                body += f" {offer[0].capitalize()} this week only."
            digest = hashlib.sha256(f"bench-api-{index}".encode()).hexdigest()
            kind = "video" if display_format == "VIDEO" else "image"
            media = json.dumps(
                [
                    {
                        "kind": kind,
                        "role": "creative",
                        "s3_key": f"media/{digest[:2]}/{digest}",
                        "sha256": digest,
                        "content_type": "video/mp4" if kind == "video" else "image/jpeg",
                        "bytes": 80_000,
                        "error": None,
                    }
                ]
            )
            copy.write_row(
                (
                    ad_id,
                    brand_ids[brand],
                    "meta",
                    f"bench-api-{index}",
                    list(rng.choice(_PLATFORMS)),
                    title,
                    body,
                    f"https://{brand_names[brand].lower().replace(' ', '')}.example/{theme.product.replace(' ', '-')}",
                    cta,
                    media,
                    digest,
                    started_at,
                    None if active else started_at + running,
                    active,
                    reference,
                    reference,
                    ["meta", "apify"],
                    display_format,
                )
            )
            attributes = {
                "format": display_format.lower(),
                "tone": theme.tone,
                "cta": cta,
                "offer": offer[0] if offer else None,
                "product": theme.product,
                "benefit": benefit,
                "ingredient": ingredient,
                "headline": title,
            }
            description = (
                f"{theme.text} The {display_format.lower()} shows the {brand_names[brand]} {theme.product}; "
                f"{'the offer reads ' + offer[0] if offer else 'no offer is made'}, and the call to action is {cta}."
            )
            descriptions.append((ad_id, description, len(description.split()), json.dumps(attributes), digest))
            ad_labels = {
                ("UNIVERSAL", cta_label),
                ("UNIVERSAL", _FORMAT_LABELS[display_format]),
                _ANGLE_LABELS[theme.angle],
            }
            if offer:
                ad_labels.add(("UNIVERSAL", offer[1]))
            labels.extend(
                (ad_id, taxonomy, label, round(rng.uniform(0.5, 0.99), 3), digest) for taxonomy, label in ad_labels
            )
    with cursor.copy(
        "COPY ad_descriptions (ad_id, analysis_version, description, word_count, attributes, provider, model, "
        "prompt_version, input_hash) FROM STDIN"
    ) as copy:
        for ad_id, description, words, attributes, digest in descriptions:
            copy.write_row((ad_id, "bench-v1", description, words, attributes, "local", "bench", "bench-v1", digest))
    with cursor.copy(
        "COPY ad_labels (ad_id, taxonomy, taxonomy_version, label, confidence, provider, model, input_hash) FROM STDIN"
    ) as copy:
        for ad_id, taxonomy, label, confidence, digest in labels:
            copy.write_row((ad_id, taxonomy, "bench-v1", label, confidence, "local", "bench", digest))
    with cursor.copy(
        "COPY ad_embeddings (ad_id, kind, model, dimensions, embedding, input_hash) FROM STDIN WITH (FORMAT BINARY)"
    ) as copy:
        copy.set_types(["int8", "text", "text", "int4", "vector", "text"])
        for ad_id, vector, (*_, digest) in zip(ids, vectors, descriptions, strict=True):
            copy.write_row((ad_id, "retrieval", TEXT_MODEL_ID, EMBED_DIM, vector, digest))


@dataclass(frozen=True)
class Tenant:
    email: str
    password: str
    brandspace_id: str
    brand_ids: list[int]  # the brandspace's brands: the first half of the library's
    brand_keys: list[str]
    ads: int  # the brandspace's ads: what its list and its CSV export hold


def prepare_tenant(conn: psycopg.Connection, library: SyntheticLibrary, *, email: str, password: str) -> Tenant:
    """The bench's organization and admin (made once per stack) and a brandspace over half the
    library's brands, one primary and the rest competitors, as a customer's brandspace is."""
    organization_id = ensure_organization(conn, "Bench API")
    row = conn.execute("SELECT id FROM users WHERE email = %s", (email,)).fetchone()
    if row is None:
        user = create_user(conn, organization_id=organization_id, email=email, password=password, role="admin")
    else:
        user = get_user(conn, organization_id, row[0])
    space = create_brandspace(conn, user, f"Bench {library.ads} ads {secrets.token_hex(3)}")
    half = max(1, len(library.brand_ids) // 2)
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO brandspace_brands (brandspace_id, brand_id, role) VALUES (%s, %s, %s)",
            [
                (space.id, brand, "primary" if i == 0 else "competitor")
                for i, brand in enumerate(library.brand_ids[:half])
            ],
        )
    (count,) = conn.execute(
        "SELECT count(*) FROM ads WHERE brand_id = ANY(%s)", (library.brand_ids[:half],)
    ).fetchone() or (0,)
    conn.commit()
    return Tenant(email, password, str(space.id), library.brand_ids[:half], library.brand_keys[:half], int(count))


@dataclass(frozen=True)
class Call:
    """One request a scenario makes: ``variant`` names it in the figures."""

    variant: str
    path: str
    params: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Scenario:
    """A kind of request hammered for a fixed time; ``export``: the body is a CSV stream, counted."""

    name: str
    call: Callable[[random.Random], Call]
    export: bool = False
    clients: int | None = None  # None: run_load's


def list_variants(tenant: Tenant, reference: datetime) -> dict[str, dict[str, Any]]:
    """The ads list's filters, as the API's own filter parameters take them (typed, not strings)."""
    return {
        "newest": {},
        "format=VIDEO": {"format": "VIDEO"},
        "platform=instagram&active": {"platform": "instagram", "active": True},
        "format=VIDEO&platform=facebook&active&q=serum": {
            "format": "VIDEO",
            "platform": "facebook",
            "active": True,
            "q": "serum",
        },
        "format=CAROUSEL&active=false": {"format": "CAROUSEL", "active": False},
        "started_after=90d": {"started_after": reference - timedelta(days=90)},
        "started_before=1y&format=IMAGE": {"started_before": reference - timedelta(days=365), "format": "IMAGE"},
        "brand": {"brand": [tenant.brand_keys[-1]]},
        "label=free_shipping": {"label": "free_shipping"},
        "attribute=tone=playful": {"attribute": "tone=playful"},
        "q=retinol": {"q": "retinol"},
        "q=free shipping&platform=messenger": {"q": "free shipping", "platform": "messenger"},
    }


def _query_params(filters: dict[str, Any]) -> list[tuple[str, str]]:
    params: list[tuple[str, str]] = []
    for name, value in filters.items():
        values = value if isinstance(value, list) else [value]
        for item in values:
            if isinstance(item, bool):
                params.append((name, "true" if item else "false"))
            elif isinstance(item, datetime):
                params.append((name, item.isoformat()))
            else:
                params.append((name, str(item)))
    return params


def standard_scenarios(tenant: Tenant, library: SyntheticLibrary, ad_ids: Sequence[int]) -> list[Scenario]:
    """The four reads the issue targets: a filtered list, one ad, semantic search, the CSV export."""
    space = f"/v1/brandspaces/{tenant.brandspace_id}"
    variants = [(name, _query_params(filters)) for name, filters in list_variants(tenant, library.reference).items()]

    def ads_list(rng: random.Random) -> Call:
        name, params = rng.choice(variants)
        return Call(name, f"{space}/ads", [("limit", "50"), *params])

    def ad_detail(rng: random.Random) -> Call:
        return Call("any ad", f"/v1/ads/{rng.choice(ad_ids)}")

    def search(rng: random.Random) -> Call:
        return Call("query", f"{space}/search", [("q", rng.choice(SEARCH_QUERIES)), ("limit", "20")])

    def export(rng: random.Random) -> Call:
        return Call("whole brandspace", f"{space}/ads.csv")

    return [
        Scenario("ads_list", ads_list),
        Scenario("ad_detail", ad_detail),
        Scenario("search", search),
        Scenario("csv_export", export, export=True, clients=EXPORT_CLIENTS),
    ]


def _percentiles(latencies: list[float]) -> dict[str, Any]:
    if not latencies:
        return {"requests": 0, "p50_ms": None, "p99_ms": None}
    values = np.asarray(latencies) * 1000
    return {
        "requests": len(latencies),
        "p50_ms": round(float(np.percentile(values, 50)), 1),
        "p99_ms": round(float(np.percentile(values, 99)), 1),
        "max_ms": round(float(values.max()), 1),
    }


async def _hammer(
    session: aiohttp.ClientSession, api_url: str, scenario: Scenario, clients: int, seconds: float, seed: int
) -> dict[str, Any]:
    """``clients`` workers each making the scenario's calls back to back until ``seconds`` are up
    (a call under way then is finished and counted)."""
    latencies: dict[str, list[float]] = {}
    statuses: dict[str, int] = {}
    failures: list[str] = []
    rows = body_bytes = 0
    exports: list[float] = []
    started = time.perf_counter()
    deadline = started + seconds
    ended = started

    async def worker(number: int) -> None:
        nonlocal rows, body_bytes, ended
        rng = random.Random(seed * 1000 + number)
        while time.perf_counter() < deadline:
            call = scenario.call(rng)
            began = time.perf_counter()
            try:
                async with session.get(api_url + call.path, params=call.params) as response:
                    if scenario.export:
                        lines = size = 0
                        async for chunk in response.content.iter_chunked(1 << 16):
                            size += len(chunk)
                            lines += chunk.count(b"\r\n")
                        if response.status == 200:
                            rows += max(0, lines - 1)  # less the header
                            body_bytes += size
                    else:
                        await response.read()
                    status = str(response.status)
            except (aiohttp.ClientError, TimeoutError) as exc:
                status = type(exc).__name__
                failures.append(f"{call.variant}: {exc}")
            finish = time.perf_counter()
            ended = max(ended, finish)
            statuses[status] = statuses.get(status, 0) + 1
            if status.startswith("2"):
                latencies.setdefault(call.variant, []).append(finish - began)
                if scenario.export:
                    exports.append(finish - began)
            elif len(failures) < 5:
                failures.append(f"{call.variant}: HTTP {status} {call.path}")

    await asyncio.gather(*(worker(number) for number in range(clients)))
    elapsed = max(ended - started, 1e-9)
    every = [value for values in latencies.values() for value in values]
    figures: dict[str, Any] = {
        "clients": clients,
        "seconds": round(elapsed, 2),
        **_percentiles(every),
        "requests_per_second": round(len(every) / elapsed, 1),
        "statuses": statuses,
        "non_2xx": sum(count for status, count in statuses.items() if not status.startswith("2")),
    }
    if failures:
        figures["failures"] = failures[:5]
    if len(latencies) > 1:
        figures["variants"] = {name: _percentiles(values) for name, values in sorted(latencies.items())}
    if scenario.export:
        figures |= {
            "exports": len(exports),
            "rows": rows,
            "bytes": body_bytes,
            "rows_per_second": round(rows / elapsed),
            "seconds_per_export": round(statistics.mean(exports), 2) if exports else None,
        }
    return figures


async def run_load(
    api_url: str,
    token: str,
    brandspace_id: str,
    *,
    clients: int,
    seconds: float,
    scenarios: Sequence[Scenario],
    processes: dict[str, int] | None = None,
    seed: int = 0,
) -> dict[str, dict[str, Any]]:
    """Each scenario in turn, ``clients`` concurrent workers on one aiohttp session for ``seconds``:
    p50/p99 latency (ms) and requests per second, per scenario (and per variant of its calls).

    Every variant is called once first, unmeasured, so a first call's one-off costs (the API loading
    its embedding model, Postgres reading pages in) do not land in a percentile. ``processes`` (role:
    pid, the API's from its pid file) are sampled while each scenario runs: their CPU seconds say which
    of them a latency is spent in, and for an export the API's peak RSS beside its size before says
    whether the stream holds the rows or one batch at a time. ``brandspace_id`` is what the scenarios
    were built for, reported for the record.
    """
    headers = {"Authorization": f"Bearer {token}"}
    connector = aiohttp.TCPConnector(limit=max(clients, EXPORT_CLIENTS))
    timeout = aiohttp.ClientTimeout(total=600)
    roots = {role: [pid] for role, pid in (processes or {}).items()} | {"load_clients": [os.getpid()]}
    results: dict[str, dict[str, Any]] = {}
    async with aiohttp.ClientSession(headers=headers, connector=connector, timeout=timeout) as session:
        for scenario in scenarios:
            if not scenario.export:
                await _warm_up(session, api_url, scenario)
            workers = min(scenario.clients or clients, clients)
            api_before = _rss_mib((processes or {}).get("api"))
            with ProcessSampler(lambda: roots, interval=0.1) as sampler:
                figures = await _hammer(session, api_url, scenario, workers, seconds, seed)
                cpu = sampler.cpu_seconds()
            figures["cpu_seconds"] = cpu
            figures["cores_busy"] = {role: round(used / figures["seconds"], 2) for role, used in cpu.items()}
            if scenario.export:
                figures["api_rss_before_mib"] = api_before
                figures["api_peak_rss_mib"] = sampler.peaks_mib().get("api")
            results[scenario.name] = figures | {"brandspace_id": brandspace_id}
    return results


def _rss_mib(pid: int | None) -> float | None:
    """The largest single process of the API (its uvicorn parent or a worker), as the sampler's peak
    counts it, so the two figures compare."""
    if not pid:
        return None
    try:
        parent = psutil.Process(pid)
        return round(max(p.memory_info().rss for p in [parent, *parent.children(recursive=True)]) / _MIB, 1)
    except psutil.Error:
        return None


async def _warm_up(session: aiohttp.ClientSession, api_url: str, scenario: Scenario) -> None:
    """Each distinct call of the first fifty drawn, once (at most twenty calls)."""
    seen: set[tuple[str, str]] = set()
    rng = random.Random(-1)
    for _ in range(50):
        call = scenario.call(rng)
        key = (call.variant, str(call.params))
        if key in seen or len(seen) >= 20:
            continue
        seen.add(key)
        async with session.get(api_url + call.path, params=call.params) as response:
            await response.read()


async def log_in(api_url: str, email: str, password: str) -> str:
    """A bearer token from ``POST /v1/auth/token``."""
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{api_url}/v1/auth/token", json={"email": email, "password": password}) as response,
    ):
        if response.status != 200:
            raise StackError(f"logging in failed: HTTP {response.status} {await response.text()}")
        return str((await response.json())["access_token"])


class _ExplainingCursor(psycopg.Cursor[Any]):
    """Runs each SELECT once under EXPLAIN (ANALYZE, BUFFERS) before running it, keeping the plan:
    the serving code's own statements and parameters, so the plan is the one the API gets."""

    plans: list[dict[str, Any]]

    def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:  # type: ignore[override]
        text = query.as_string(self.connection) if isinstance(query, sql.Composable) else str(query)
        if text.lstrip().upper().startswith("SELECT"):
            explain = psycopg.Cursor(self.connection)
            explain.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + text, params)
            row = explain.fetchone()
            if row is not None:
                self.connection.plans.append(row[0][0])  # type: ignore[attr-defined]
        return super().execute(query, params, **kwargs)


def _plan_lines(node: dict[str, Any], depth: int = 0) -> Iterator[str]:
    """``Node Type on relation using index: total ms, rows × loops``, children indented."""
    name = node["Node Type"]
    if node.get("Scan Direction") == "Backward":
        name += " Backward"
    if "Index Name" in node:
        name += f" using {node['Index Name']}"
    if "Relation Name" in node:
        name += f" on {node['Relation Name']}"
    extra = f" ({node['Subplan Name']})" if "Subplan Name" in node else ""
    if node.get("Rows Removed by Filter"):
        extra += f", {node['Rows Removed by Filter']} removed by filter"
    buffers = node.get("Shared Hit Blocks", 0) + node.get("Shared Read Blocks", 0)
    yield (
        f"{'  ' * depth}{name}: {node.get('Actual Total Time', 0):.2f} ms, "
        f"rows {node.get('Actual Rows', 0)} x {node.get('Actual Loops', 1)} loops, {buffers} buffers{extra}"
    )
    for child in node.get("Plans", []):
        yield from _plan_lines(child, depth + 1)


def _summary(plan: dict[str, Any]) -> dict[str, Any]:
    root = plan["Plan"]
    return {
        "execution_ms": round(plan.get("Execution Time", 0.0), 2),
        "planning_ms": round(plan.get("Planning Time", 0.0), 2),
        "shared_hit_blocks": root.get("Shared Hit Blocks", 0),
        "shared_read_blocks": root.get("Shared Read Blocks", 0),
        "plan": list(_plan_lines(root)),
    }


class _PlanConnection(psycopg.Connection[Any]):
    plans: list[dict[str, Any]]


def explain_reads(database_url: str, tenant: Tenant, reference: datetime) -> dict[str, Any]:
    """The ads list's SQL (per filter variant) and the search's (per a few queries) under EXPLAIN
    (ANALYZE, BUFFERS), as :mod:`adology.serving` builds and runs them for this brandspace."""
    with _PlanConnection.connect(database_url, cursor_factory=_ExplainingCursor) as conn:
        conn.plans = []
        register_vector(conn)
        lists: dict[str, Any] = {}
        for name, filters in list_variants(tenant, reference).items():
            conn.plans.clear()
            chosen = asyncio.run(ad_filters(**filters)).within(conn, tenant.brand_ids)
            ads_query(chosen).page(conn, cursor=None, limit=50)
            lists[name] = _summary(conn.plans[-1])
        searches: dict[str, Any] = {}
        for query in SEARCH_QUERIES[:3]:
            conn.plans.clear()
            (vector,) = embed_texts([query])
            similar_ads(conn, vector=vector.tolist(), model=TEXT_MODEL_ID, brand_ids=tenant.brand_ids, limit=20)
            searches[query] = _summary(conn.plans[-1])
        conn.rollback()
    return {"ads_list": lists, "search": searches}


@dataclass
class ApiBenchOptions:
    ads: int = 200_000
    small_ads: int = 400
    clients: int = 32
    seconds: float = 10.0
    port_base: int = 19_000
    state_dir: Path = Path(".adology/bench-api")
    seed: int = 11


def api_port(port_base: int) -> int:
    """The API's port in the bench's block (``adology bench`` keeps base+50 for its fake AI service)."""
    return port_base + 60


def _environment_for(options: ApiBenchOptions) -> dict[str, str]:
    """``adology bench``'s ports and state directory, the API's port, and the local AI provider (the
    one the API embeds queries with by default) in place of the fake OpenAI service."""
    environment = _environment(
        BenchOptions(ads=300, brands=5, port_base=options.port_base, state_dir=options.state_dir), 1
    )
    for variable in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "ADOLOGY_AI_CONCURRENCY", "ADOLOGY_AI_RPM", "ADOLOGY_AI_TPM"):
        environment.pop(variable, None)
    return environment | {"ADOLOGY_AI_PROVIDER": "local", "ADOLOGY_API_PORT": str(api_port(options.port_base))}


def run_api_benchmark(options: ApiBenchOptions) -> dict[str, Any]:
    """The benchmark end to end (see the module's docstring). SIGTERM and SIGINT stop the stack
    (each child's process group) before it exits."""
    with stop_signals_raise():
        return _run_api_benchmark(options)


def _run_api_benchmark(options: ApiBenchOptions) -> dict[str, Any]:
    for variable in (*_DERIVED, "ADOLOGY_AI_PROVIDER", "OPENAI_BASE_URL", "OPENAI_API_KEY"):
        os.environ.pop(variable, None)
    os.environ.update(_environment_for(options))
    settings = load_settings()
    stack = Stack(settings)
    stack.down()
    shutil.rmtree(settings.state_dir, ignore_errors=True)  # every measured run starts from empty stores
    database_url = settings.database_url or ""
    api_url = f"http://127.0.0.1:{settings.api_port}"
    sizes = {"small": options.small_ads, "large": options.ads}
    try:
        _say("starting the embedded stack ...")
        stack.up()
        # the servers whose CPU and memory the scenarios are read against
        processes = {
            part.name: pid
            for part in stack.parts
            if part.name in ("api", "postgres") and part.pid_file and (pid := part.pid_file.live_pid())
        }
        figures: dict[str, Any] = {}
        credentials = {"email": "bench-api@bench.example", "password": "bench-api-password-1"}
        for label, ads in sizes.items():
            figures[label] = _measure_size(
                options, database_url, api_url, processes, ads, credentials, explain=label == "large"
            )
        return {
            "settings": {
                "clients": options.clients,
                "seconds_per_scenario": options.seconds,
                "export_clients": min(EXPORT_CLIENTS, options.clients),
                "cores": os.cpu_count(),
                "processes": processes,
                "embedding_model": TEXT_MODEL_ID,
            },
            "sizes": figures,
            "targets": _targets(figures),
        }
    finally:
        stack.down()


def _measure_size(
    options: ApiBenchOptions,
    database_url: str,
    api_url: str,
    processes: dict[str, int],
    ads: int,
    credentials: dict[str, str],
    *,
    explain: bool,
) -> dict[str, Any]:
    brands = brand_count(ads)
    _say(f"synthesising {ads:,} ads across {brands} brands ...")
    with psycopg.connect(database_url) as conn:
        library = synthesize_library(conn, ads=ads, brands=brands, seed=options.seed)
        tenant = prepare_tenant(conn, library, **credentials)
        ad_ids = [row[0] for row in conn.execute("SELECT id FROM ads")]
    _say(
        f"  loaded in {library.load_seconds:.1f}s, HNSW index built in {library.index_seconds:.1f}s, "
        f"analysed in {library.analyze_seconds:.1f}s; the brandspace holds {tenant.ads:,} ads"
    )
    token = asyncio.run(log_in(api_url, tenant.email, tenant.password))
    _say(f"  {options.clients} clients, {options.seconds:g}s per scenario ...")
    scenarios = asyncio.run(
        run_load(
            api_url,
            token,
            tenant.brandspace_id,
            clients=options.clients,
            seconds=options.seconds,
            scenarios=standard_scenarios(tenant, library, ad_ids),
            processes=processes,
            seed=options.seed,
        )
    )
    for figures in scenarios.values():
        figures.pop("brandspace_id", None)
    result: dict[str, Any] = {"library": library.figures(), "brandspace_ads": tenant.ads, "scenarios": scenarios}
    if explain:
        _say("  EXPLAIN (ANALYZE, BUFFERS) of the list and the search ...")
        result["explain"] = explain_reads(database_url, tenant, library.reference)
    return result


def _targets(sizes: dict[str, Any]) -> dict[str, Any]:
    """Each size's p99 against the issue's targets."""
    return {
        label: {
            name: {
                "p99_ms": size["scenarios"][name]["p99_ms"],
                "target_ms": target,
                "met": size["scenarios"][name]["p99_ms"] is not None and size["scenarios"][name]["p99_ms"] < target,
            }
            for name, target in TARGETS_P99_MS.items()
        }
        for label, size in sizes.items()
    }


def human_lines(figures: dict[str, Any]) -> list[str]:
    """The figures as a few lines for a person."""
    lines = []
    for label, size in figures["sizes"].items():
        library = size["library"]
        lines.append(
            f"{label}: {library['ads']:,} ads / {library['brands']} brands (brandspace {size['brandspace_ads']:,}); "
            f"load {library['load_seconds']}s, HNSW build {library['hnsw_index_seconds']}s"
        )
        for name, scenario in size["scenarios"].items():
            line = (
                f"  {name:<10} p50 {scenario['p50_ms']} ms, p99 {scenario['p99_ms']} ms, "
                f"{scenario['requests_per_second']} req/s, {scenario['non_2xx']} non-2xx"
            )
            if "rows" in scenario:
                line += (
                    f"; {scenario['rows']:,} rows at {scenario['rows_per_second']:,} rows/s, "
                    f"{scenario['bytes'] / _MIB:.1f} MiB, API RSS {scenario['api_rss_before_mib']} -> "
                    f"{scenario['api_peak_rss_mib']} MiB"
                )
            busy = ", ".join(f"{role} {cores}" for role, cores in scenario["cores_busy"].items())
            lines.append(line + f"; cores busy: {busy}")
        for read, plans in size.get("explain", {}).items():
            for name, plan in plans.items():
                nodes = " > ".join(step.strip().split(":")[0] for step in plan["plan"])
                lines.append(f"  EXPLAIN {read} [{name}]: {plan['execution_ms']} ms: {nodes}")
    for label, targets in figures["targets"].items():
        for name, target in targets.items():
            verdict = "met" if target["met"] else "MISSED"
            lines.append(f"target {label} {name}: p99 {target['p99_ms']} ms < {target['target_ms']} ms {verdict}")
    return lines
