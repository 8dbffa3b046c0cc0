"""Brandspace reports on the real Postgres and SeaweedFS: the refresh rule's full truth table as
database states measured by the signal query and the sensor (the rule itself is pinned in
``tests/unit/test_refresh_rule.py``); the sensor requests the same evidence once, again after a
failed run, and adds partitions through its result. The report is built on the members' stored
insights: themes matched across brands into topics by their pgvector centroids, trends and CTAs
compared with their longevity and reuse, a member without insights listed and noted; its
recommendations cite only facts, member ads and numbers the checks confirm, and an AI failure
leaves them missing with the statistics kept. The asset stores numbered versions whose S3 snapshot
matches the row, each diffed against the one before, and its checks fail on a foreign ad; on real
library brands analysed by the local provider the whole chain holds."""

from __future__ import annotations

import asyncio
import itertools
import json
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import dagster as dg
import httpx
import psycopg
import pytest

from adology.ai.local.provider import LocalProvider
from adology.ai.summaries import MAX_RECOMMENDATIONS, DraftClaim, SummaryDraft, SummaryRequest
from adology.ai.types import AIError, Provider, Usage
from adology.brands import Brand, upsert_brand
from adology.knowledge.insights.model import (
    AttributeSummary,
    BrandInsights,
    Distribution,
    Momentum,
    Proven,
    Summary,
    Theme,
    ThemeMethod,
    ThemeSet,
    Trend,
    TrendSet,
    ValueShare,
    VisualDrift,
)
from adology.knowledge.insights.store import latest_insights, store_insights
from adology.knowledge.refresh import BrandspaceSignals, RefreshSignals, refresh_signals
from adology.knowledge.report import build_report, compose_report, render_report, report_facts
from adology.knowledge.report_model import BrandspaceReport
from adology.knowledge.snapshots import load_report, report_key, store_report
from adology.settings import Settings
from adology.sources.apify import parse_apify_items
from adology.storage.aws import settings_object_store
from adology.storage.s3 import ObjectStore
from adology_assets.brand_insights import brand_insights
from adology_assets.brandspace_reports import brandspace_reports
from resources import PostgresResource, resources_for
from sensors.report_refresh import Requested, report_refresh, retry_delay
from tests.insight_records import built_theme, built_trend
from tests.stack.analysis_support import AI_ASSETS, acquire, materialize

ALL_COMBINATIONS = list(itertools.product((False, True), repeat=3))
SIGNAL_NAMES = ("membership_changed", "new_member_ads", "stale_with_new_ads")
EMBEDDING_MODEL = "test-retrieval-3d"


class World:
    """Brandspaces, brands, ads, their analyses, insights and reports written straight to the real
    stores, with unique keys."""

    def __init__(self, conn: psycopg.Connection, store: ObjectStore, now: datetime) -> None:
        self.conn, self.store, self.now = conn, store, now
        (self.organization,) = conn.execute(
            "INSERT INTO organizations (name) VALUES (%s) RETURNING id", (f"org-{uuid.uuid4().hex}",)
        ).fetchone()

    def brandspace(self, members: dict[str, str] | None = None) -> tuple[str, dict[str, int]]:
        """A brandspace with ``members`` ({name: role}); returns its key and the brand ids by name."""
        key = f"space-{uuid.uuid4().hex[:12]}"
        self.conn.execute(
            "INSERT INTO brandspaces (organization_id, name, partition_key) VALUES (%s, %s, %s)",
            (self.organization, key, key),
        )
        brands = {name: self.brand(name) for name in members or {}}
        for name, role in (members or {}).items():
            self.add(key, brands[name], role)
        return key, brands

    def brand(self, name: str) -> int:
        key = f"{name}-{uuid.uuid4().hex[:8]}"
        return upsert_brand(self.conn, partition_key=key, name=name.title(), sources=[], status="analyzed").id

    def add(self, space: str, brand_id: int, role: str) -> None:
        self.conn.execute(
            "INSERT INTO brandspace_brands (brandspace_id, brand_id, role) "
            "SELECT id, %s, %s FROM brandspaces WHERE partition_key = %s",
            (brand_id, role, space),
        )

    def remove(self, space: str, brand_id: int) -> None:
        self.conn.execute(
            "DELETE FROM brandspace_brands m USING brandspaces s WHERE s.id = m.brandspace_id "
            "AND s.partition_key = %s AND m.brand_id = %s",
            (space, brand_id),
        )

    def ad(
        self,
        brand_id: int,
        *,
        age: timedelta,
        active: bool = True,
        creative: str | None = None,
        cta_type: str | None = None,
        vector: tuple[float, ...] | None = None,
    ) -> int:
        """An ad first seen ``age`` ago (running since then while active), with its creative's
        content address, and, when given, a current description naming ``cta_type`` and a retrieval vector."""
        media = [{"kind": "image", "sha256": creative or uuid.uuid4().hex, "s3_key": "media/test"}]
        (ad_id,) = self.conn.execute(
            "INSERT INTO ads (brand_id, source, source_ad_id, platforms, cta, media, is_active, display_format, "
            "first_seen_at, last_seen_at) VALUES (%s, 'meta', %s, %s, 'Shop now', %s, %s, 'IMAGE', %s, %s) "
            "RETURNING id",
            (brand_id, uuid.uuid4().hex, ["facebook"], json.dumps(media), active, self.now - age, self.now - age),
        ).fetchone()
        if cta_type is not None:
            self.conn.execute(
                "INSERT INTO ad_descriptions (ad_id, analysis_version, description, word_count, attributes, "
                "provider, model, prompt_version, input_hash) VALUES (%s, 'v1', 'an ad', 2, %s, 'local', 'test', "
                "'p', 'h')",
                (ad_id, json.dumps({"cta_type": cta_type})),
            )
            self.conn.execute(
                "INSERT INTO ad_analysis_state (ad_id, stage, version, input_hash, status) "
                "VALUES (%s, 'describe', 'v1', 'h', 'succeeded')",
                (ad_id,),
            )
        if vector is not None:
            self.conn.execute(
                "INSERT INTO ad_embeddings (ad_id, kind, model, dimensions, embedding, input_hash) "
                "VALUES (%s, 'retrieval', %s, %s, %s::vector, 'h')",
                (ad_id, EMBEDDING_MODEL, len(vector), str(list(vector))),
            )
        return ad_id

    def insights(self, insights: BrandInsights) -> int:
        """``insights`` stored as the brand's next version; returns the version."""
        with self.conn.transaction():
            stored, _ = store_insights(self.conn, self.store, insights)
        return stored.version

    def report(self, space: str, *, age: timedelta, trigger: str = "test") -> int:
        """A stored report as of ``age`` ago; returns its version."""
        report = build_report(self.conn, space, now=self.now - age)
        return store_report(self.conn, self.store, space, report, trigger=trigger).version

    def signals(self, space: str) -> BrandspaceSignals:
        (row,) = [row for row in refresh_signals(self.conn, now=self.now) if row.brandspace == space]
        return row


@pytest.fixture
def store(stack_settings: Settings) -> ObjectStore:
    return settings_object_store(stack_settings)


@pytest.fixture
def world(database_url: str, store: ObjectStore) -> Iterator[World]:
    with psycopg.connect(database_url, autocommit=True) as conn:
        yield World(conn, store, datetime.now(UTC))


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.instance_for_test() as test_instance:
        yield test_instance


OLD, RECENT = timedelta(days=20), timedelta(hours=1)
FRESH_REPORT, WEEK_OLD_REPORT = timedelta(days=1), timedelta(days=8)

# Each combination of (membership_changed, new_member_ads, stale_with_new_ads) as a database state:
# the report's age, the membership change made after it, and whose ad arrived after it.
STATES: dict[tuple[bool, bool, bool], dict[str, Any]] = {
    (False, False, False): {"report": FRESH_REPORT, "change": None, "new_ad": "primary"},
    (True, False, False): {"report": WEEK_OLD_REPORT, "change": ("add", "newcomer", "competitor"), "new_ad": None},
    (False, True, False): {"report": FRESH_REPORT, "change": None, "new_ad": "fan"},
    (False, False, True): {"report": WEEK_OLD_REPORT, "change": None, "new_ad": "primary"},
    (True, True, False): {"report": FRESH_REPORT, "change": ("remove", "rival", None), "new_ad": "fan"},
    (True, False, True): {"report": WEEK_OLD_REPORT, "change": ("add", "watched", "followed"), "new_ad": "primary"},
    (False, True, True): {"report": WEEK_OLD_REPORT, "change": None, "new_ad": "rival"},
    (True, True, True): {"report": WEEK_OLD_REPORT, "change": ("remove", "fan", None), "new_ad": "rival"},
}


def _state(world: World, combination: tuple[bool, bool, bool]) -> str:
    """A brandspace (primary, a competitor, a followed brand, all with old ads) brought into ``combination``."""
    state = STATES[combination]
    space, brands = world.brandspace({"primary": "primary", "rival": "competitor", "fan": "followed"})
    for brand_id in brands.values():
        world.ad(brand_id, age=OLD)
    world.report(space, age=state["report"])
    if state["change"]:
        action, name, role = state["change"]
        if action == "add":  # a brand with only old ads: the addition alone is not a new ad
            brands[name] = world.brand(name)
            world.ad(brands[name], age=OLD)
            world.add(space, brands[name], role)
        else:
            world.remove(space, brands[name])
    if state["new_ad"]:
        world.ad(brands[state["new_ad"]], age=RECENT)
    return space


@pytest.mark.parametrize("combination", ALL_COMBINATIONS)
def test_the_signal_query_measures_each_combination_from_the_database(
    world: World, combination: tuple[bool, bool, bool]
) -> None:
    space = _state(world, combination)
    measured = world.signals(space)
    assert measured.signals == RefreshSignals(*combination)
    assert measured.latest_version == 1


def test_without_a_report_everything_is_unreported(world: World) -> None:
    with_rivals, brands = world.brandspace({"primary": "primary", "rival": "competitor"})
    world.ad(brands["rival"], age=OLD)
    world.ad(brands["primary"], age=OLD)
    primary_only, only = world.brandspace({"primary": "primary"})
    world.ad(only["primary"], age=OLD)
    empty, _ = world.brandspace()
    assert world.signals(with_rivals) == BrandspaceSignals(with_rivals, 0, RefreshSignals(True, True, True))
    assert world.signals(primary_only).signals == RefreshSignals(False, False, True)  # one signal: no report
    assert world.signals(empty).signals == RefreshSignals(False, False, False)


def _tick(instance: dg.DagsterInstance, postgres: PostgresResource, cursor: str | None = None) -> dg.SensorResult:
    with dg.build_sensor_context(instance=instance, cursor=cursor, resources={"postgres": postgres}) as context:
        return report_refresh(context)


def _ours(result: dg.SensorResult, spaces: set[str]) -> dict[str, dg.RunRequest]:
    return {request.partition_key: request for request in result.run_requests if request.partition_key in spaces}


@pytest.fixture
def postgres(database_url: str) -> PostgresResource:
    return PostgresResource(database_url=database_url)


def test_the_sensor_requests_exactly_the_brandspaces_where_two_signals_hold(
    world: World, instance: dg.DagsterInstance, postgres: PostgresResource
) -> None:
    spaces = {_state(world, combination): combination for combination in ALL_COMBINATIONS}
    result = _tick(instance, postgres)
    requested = _ours(result, set(spaces))
    assert {spaces[space] for space in requested} == {c for c in ALL_COMBINATIONS if sum(c) >= 2}
    for space, request in requested.items():
        held = [name for name, holds in zip(SIGNAL_NAMES, spaces[space], strict=True) if holds]
        assert request.tags["adology/report_trigger"] == "+".join(held)
        assert request.run_key == f"report:{space}:v2:a1"
        assert request.tags["adology/brandspace"] == space and request.tags["dagster/priority"] == "-5"
    (partitions,) = result.dynamic_partitions_requests
    assert partitions.partitions_def_name == "brandspace" and set(requested) <= set(partitions.partition_keys)
    assert not instance.get_dynamic_partitions("brandspace")  # requested, never written by the sensor itself


def _materialize(
    settings: Settings, instance: dg.DagsterInstance, space: str, tags: dict[str, str] | None = None
) -> dg.ExecuteInJobResult:
    instance.add_dynamic_partitions("brandspace", [space])  # what the daemon does with the partition request
    return dg.materialize(
        [brandspace_reports], partition_key=space, resources=resources_for(settings), instance=instance, tags=tags
    )


def _as_daemon_would(request: dg.RunRequest) -> dict[str, str]:
    return {**request.tags, "dagster/run_key": request.run_key}


def test_the_same_evidence_is_requested_once_and_a_new_version_settles_it(
    stack_settings: Settings, world: World, instance: dg.DagsterInstance, postgres: PostgresResource
) -> None:
    space = _state(world, (True, True, False))
    first = _tick(instance, postgres)
    (request,) = _ours(first, {space}).values()
    waiting = _tick(instance, postgres, first.cursor)  # the daemon has not created the run yet
    assert _ours(waiting, {space}) == {}
    assert json.loads(waiting.cursor)[space]["attempt"] == 1

    result = _materialize(stack_settings, instance, space, _as_daemon_would(request))
    assert result.success
    settled = _tick(instance, postgres, waiting.cursor)  # version 2 exists and covers the evidence
    assert _ours(settled, {space}) == {} and space not in json.loads(settled.cursor)
    assert world.signals(space).latest_version == 2


def test_a_failed_report_run_is_requested_again_with_a_new_attempt(
    world: World, instance: dg.DagsterInstance, postgres: PostgresResource
) -> None:
    space = _state(world, (False, True, True))
    first = _tick(instance, postgres)
    request = _ours(first, {space})[space]

    @dg.asset(name=f"failing_report_{uuid.uuid4().hex[:6]}")
    def failing_report() -> None:
        raise RuntimeError("report could not be built")

    def fail(run_request: dg.RunRequest) -> None:  # the run the daemon made from the request, failing
        dg.materialize([failing_report], instance=instance, raise_on_error=False, tags=_as_daemon_would(run_request))

    fail(request)
    retried = _tick(instance, postgres, first.cursor)
    again = _ours(retried, {space})[space]
    assert again.run_key == f"report:{space}:v2:a2" != request.run_key
    assert json.loads(retried.cursor)[space]["attempt"] == 2

    fail(again)
    backing_off = _tick(instance, postgres, retried.cursor)  # a second failure waits before the third attempt
    assert _ours(backing_off, {space}) == {}
    assert retry_delay(1) == timedelta(0) < retry_delay(2) < retry_delay(3) <= retry_delay(20) == timedelta(hours=6)


def test_a_request_whose_run_never_appeared_is_requested_again(
    world: World, instance: dg.DagsterInstance, postgres: PostgresResource
) -> None:
    space = _state(world, (True, False, True))
    long_ago = (datetime.now(UTC) - timedelta(hours=2)).isoformat()
    cursor = json.dumps({space: {"version": 1, "attempt": 1, "requested_at": long_ago}})
    (request,) = _ours(_tick(instance, postgres, cursor), {space}).values()
    assert request.run_key == Requested(1, 2, long_ago).run_key(space)


HYDRATION, SUNSCREEN, RETINOL = (1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0)
CHANGE = date(2026, 3, 1)


@dataclass
class Seeded:
    space: str
    brands: dict[str, int]
    ads: dict[str, list[int]]
    insights: dict[str, BrandInsights]


def _theme(theme_id: str, terms: list[str], ad_ids: list[int], share: float) -> Theme:
    return built_theme(theme_id, terms, ad_ids, share, first_seen=date(2026, 1, 1), last_seen=date(2026, 5, 1))


def _trend(signal: str, evidence: list[int], *, before: float, after: float, q_value: float) -> Trend:
    return built_trend(
        signal,
        evidence,
        before=before,
        after=after,
        q_value=q_value,
        change_after=CHANGE,
        changed_between=(date(2026, 2, 1), CHANGE),
    )


def _insights(
    world: World,
    brand_id: int,
    *,
    themes: list[Theme],
    ctas: dict[str, tuple[float, list[int]]],
    trends: list[Trend],
) -> BrandInsights:
    key, name = world.conn.execute("SELECT partition_key, name FROM brands WHERE id = %s", (brand_id,)).fetchone()
    counted = sum(len(theme.ad_ids) for theme in themes) or sum(len(ids) for _, ids in ctas.values())
    return BrandInsights(
        brand=key,
        brand_id=brand_id,
        name=name,
        as_of=world.now,
        algorithm_version="test",
        input_fingerprint=uuid.uuid4().hex,
        ads_counted=counted,
        units_counted=counted,
        status="ok",
        themes=ThemeSet(
            status="ok",
            method=ThemeMethod(algorithm="kmeans", k=len(themes), silhouette=0.4, features=["retrieval"]),
            themes=themes,
        ),
        attributes=AttributeSummary(
            ads_described=counted,
            ads_labelled=0,
            distributions=[
                Distribution(
                    attribute="cta_type",
                    known_ads=counted,
                    values=[
                        ValueShare(value=cta, ads=len(ids), share=share, ad_ids=ids[:5])
                        for cta, (share, ids) in ctas.items()
                    ],
                )
            ],
            labels=[],
        ),
        trends=TrendSet(status="ok", period="month", tested=len(trends), trends=trends),
        visual=VisualDrift(status="ok"),
        momentum=Momentum(
            as_of=world.now,
            active_ads=counted,
            new_7d=0,
            new_30d=0,
            latest_start=None,
            median_days_running=None,
            proven=Proven(threshold_days=30, ads=0, share=0.0, ad_ids=[]),
        ),
        summary=Summary(status="not_needed", reason="not written in this test"),
    )


def _seed(world: World) -> Seeded:
    """Glow (primary) and Lumen (competitors with insights), Petal (a competitor without), Fan (followed).

    Glow: 10 ads, 9 active. Hydration theme (6 ads) and an SPF theme (4); shop now on 7 ads running
    30 days, learn more on 3 running 10, 10 and 0 days. Lumen: 10 ads, all active. Hydration (2 ads,
    its vectors next to Glow's) and retinol (8); learn more on 9 ads running 60 days, two of them on
    one creative; it went up from 20% to 80% (q=0.0040). Petal: 2 active ads, no insights. Fan: 3 ads,
    video went up from 10% to 60% (q=0.0004).
    """
    space, brands = world.brandspace(
        {"glow": "primary", "lumen": "competitor", "petal": "competitor", "fan": "followed"}
    )
    glow = [
        world.ad(
            brands["glow"],
            age=timedelta(days=30 if index < 7 else 10),
            active=index != 9,
            cta_type="shop_now" if index < 7 else "learn_more",
            vector=HYDRATION if index < 6 else SUNSCREEN,
        )
        for index in range(10)
    ]
    lumen = [
        world.ad(
            brands["lumen"],
            age=timedelta(days=20 if index == 0 else 60),
            creative="lumen-shared-creative" if index in (1, 2) else None,
            cta_type="shop_now" if index == 0 else "learn_more",
            vector=(0.98, 0.05, 0.0) if index < 2 else RETINOL,
        )
        for index in range(10)
    ]
    petal = [world.ad(brands["petal"], age=timedelta(days=5)) for _ in range(2)]
    fan = [world.ad(brands["fan"], age=timedelta(days=40)) for _ in range(3)]
    insights = {
        "glow": _insights(
            world,
            brands["glow"],
            themes=[
                _theme("t1", ["hydration", "serum", "plump"], glow[:6], 0.6),
                _theme("t2", ["spf", "50", "mineral"], glow[6:], 0.4),
            ],
            ctas={"shop_now": (0.7, glow[:7]), "learn_more": (0.3, glow[7:])},
            trends=[_trend("cta:learn_more", glow[7:8], before=0.2, after=0.4, q_value=0.6)],
        ),
        "lumen": _insights(
            world,
            brands["lumen"],
            themes=[
                _theme("t1", ["retinol", "night", "cream"], lumen[2:], 0.8),
                _theme("t2", ["hydration", "serum", "dewy"], lumen[:2], 0.2),
            ],
            ctas={"learn_more": (0.9, lumen[1:]), "shop_now": (0.1, lumen[:1])},
            trends=[_trend("cta:learn_more", lumen[1:6], before=0.2, after=0.8, q_value=0.004)],
        ),
        "fan": _insights(
            world,
            brands["fan"],
            themes=[],
            ctas={"shop_now": (1.0, fan)},
            trends=[_trend("format:video", fan, before=0.1, after=0.6, q_value=0.0004)],
        ),
    }
    for found in insights.values():
        world.insights(found)
    return Seeded(space, brands, {"glow": glow, "lumen": lumen, "petal": petal, "fan": fan}, insights)


def test_the_report_compares_the_members_insights_theme_by_theme_trend_by_trend_and_cta_by_cta(
    world: World,
) -> None:
    seeded = _seed(world)
    report = build_report(world.conn, seeded.space, now=world.now)
    key = {name: next(b.partition_key for b in report.brands if b.name == name.title()) for name in seeded.brands}

    voices = {voice.partition_key: (voice.active_ads, voice.share) for voice in report.benchmark.share_of_voice}
    assert voices == {key["lumen"]: (10, 0.4762), key["glow"]: (9, 0.4286), key["petal"]: (2, 0.0952)}
    petal = next(brand for brand in report.brands if brand.partition_key == key["petal"])
    assert petal.insights is None and petal.note and "no insights yet" in petal.note
    assert any("No insights yet for Petal" in note for note in report.notes)

    themes = report.themes
    assert (themes.method, themes.brands) == ("centroid_cosine", [key["glow"], key["lumen"]])
    assert [(topic.key, topic.leader) for topic in themes.topics] == [
        ("hydration-serum", key["glow"]),  # shared by both brands: first
        ("retinol-night", key["lumen"]),
        ("spf-mineral", key["glow"]),  # "50" is left out of the name: a figure no fact states
    ]
    hydration = themes.topics[0]
    assert hydration.sentence == "Glow leads with hydration / serum (60% of its ads vs Lumen 20%)."
    assert [(part.share, part.ads, part.theme_ids) for part in hydration.shares] == [
        (0.6, 6, ["t1"]),
        (0.2, 2, ["t2"]),
    ]

    assert [(trend.signal, trend.significant_for) for trend in report.trends] == [
        ("format:video", [key["fan"]]),  # a followed brand's trends are tracked too
        ("cta:learn_more", [key["lumen"]]),
    ]
    learn_more = report.trends[1]
    assert [(found.brand, found.significant, found.q_value) for found in learn_more.brands] == [
        (key["glow"], False, 0.6),
        (key["lumen"], True, 0.004),
    ]

    ctas = {cta.cta: cta for cta in report.ctas}
    assert list(ctas) == ["learn_more", "shop_now"]
    glow_use, lumen_use = ctas["learn_more"].brands
    assert (glow_use.share, glow_use.ads, glow_use.median_days_running, glow_use.reused_share) == (0.3, 3, 10.0, 0.0)
    assert glow_use.ad_ids == seeded.ads["glow"][7:]  # longest running first: 10, 10, then 0 days
    assert (lumen_use.share, lumen_use.ads, lumen_use.median_days_running, lumen_use.reused_share) == (
        0.9,
        9,
        60.0,
        round(2 / 9, 4),
    )
    assert (ctas["learn_more"].longest_running, ctas["shop_now"].longest_running) == (key["lumen"], key["glow"])
    assert all(0 <= share <= 1 for share in report.shares())
    member_ads = {ad_id for ads in seeded.ads.values() for ad_id in ads}
    assert report.cited_ad_ids() <= member_ads


def _compose(database_url: str, space: str, provider: Provider, now: datetime) -> BrandspaceReport:
    return asyncio.run(compose_report(lambda: psycopg.connect(database_url), provider, space, now=now, previous=None))


def test_the_recommendations_rest_on_checked_facts_and_member_ads(database_url: str, world: World) -> None:
    seeded = _seed(world)
    report = _compose(database_url, seeded.space, LocalProvider(), world.now)
    recommendations = report.recommendations
    assert (recommendations.status, recommendations.dropped, recommendations.calls) == ("ok", {}, 1)
    assert [item.text for item in recommendations.items] == [
        "At Lumen, the call to action learn more went up from 20% to 80% of its creatives after 2026-03-01 "
        "(q=0.0040); Glow could test it before it becomes the norm.",
        "Lumen leads with retinol / night (80% of its ads vs Glow 0%); Glow could test its own creatives on "
        "retinol / night.",
        "Lumen's learn more ads run a median 60 days against 10 for Glow's; Glow could study how Lumen frames "
        "that call to action.",
        "Glow runs 9 of 21 active ads (43% share of voice) against Lumen's 10 (48%); more active ads would close "
        "that gap.",
        "At Fan, the format video went up from 10% to 60% of its creatives after 2026-03-01 (q<0.001); "
        "Glow could test it before it becomes the norm.",
    ]
    facts = {fact.id: fact for fact in report_facts(report)}
    for item in recommendations.items:
        assert set(item.fact_ids) <= set(facts)
        assert set(item.ad_ids) <= {ad_id for fact_id in item.fact_ids for ad_id in facts[fact_id].ad_ids}
    assert recommendations.items[0].fact_ids == [f"trend:{seeded.insights['lumen'].brand}:cta:learn_more"]
    assert recommendations.items[0].ad_ids == seeded.ads["lumen"][1:4]
    text = render_report(report)
    assert "Glow leads with hydration / serum (60% of its ads vs Lumen 20%)." in text
    assert "Recommendations (ok)" in text and "Petal has no insights yet" in text


class _Failing(LocalProvider):
    async def summarize(self, request: SummaryRequest) -> tuple[SummaryDraft, Usage]:
        raise AIError("server_error", "500 from the service, six times")


class _Careless(LocalProvider):
    """Drafts one sound recommendation, one citing another brandspace's ad, two quoting figures no fact states."""

    foreign_ad = 0

    async def summarize(self, request: SummaryRequest) -> tuple[SummaryDraft, Usage]:
        voice = next(fact for fact in request.facts if fact.id == "compare:voice")
        trend = next(fact for fact in request.facts if fact.kind == "trend")
        return (
            SummaryDraft(
                recommendations=[
                    DraftClaim(text=str(voice.values["suggestion"]), fact_ids=[voice.id], ad_ids=[]),
                    DraftClaim(text="Copy this creative.", fact_ids=[trend.id], ad_ids=[self.foreign_ad]),
                    DraftClaim(text="Video doubled to 73% at Fan.", fact_ids=[trend.id], ad_ids=trend.ad_ids[:1]),
                    DraftClaim(  # the fact's own suggestion, one figure changed: still checked, not taken as said
                        text=str(trend.values["suggestion"]).replace("80%", "90%"), fact_ids=[trend.id], ad_ids=[]
                    ),
                ]
            ),
            Usage(calls=1, input_tokens=900, output_tokens=120, cost_usd=0.0005),
        )


def test_an_ai_failure_keeps_the_statistics_and_marks_the_recommendations_missing(
    database_url: str, world: World
) -> None:
    seeded = _seed(world)
    report = _compose(database_url, seeded.space, _Failing(), world.now)
    assert (report.recommendations.status, report.recommendations.reason) == ("missing", "server_error")
    assert report.recommendations.items == [] and len(report.themes.topics) == 3 and len(report.ctas) == 2
    assert "Recommendations (missing: server_error)" in render_report(report)


def test_drafts_citing_foreign_ads_or_unstated_figures_are_dropped_and_counted(database_url: str, world: World) -> None:
    seeded = _seed(world)
    outsider = world.ad(world.brand("outsider"), age=timedelta(days=3))
    careless = _Careless()
    careless.foreign_ad = outsider
    report = _compose(database_url, seeded.space, careless, world.now)
    recommendations = report.recommendations
    assert [item.fact_ids for item in recommendations.items] == [["compare:voice"]]
    assert recommendations.dropped == {"foreign_ad": 1, "unverified_number": 2}
    assert (recommendations.input_tokens, recommendations.output_tokens) == (900, 120)


def test_a_member_without_insights_does_not_hold_the_report_back(database_url: str, world: World) -> None:
    space, brands = world.brandspace({"primary": "primary", "rival": "competitor"})
    world.ad(brands["primary"], age=OLD)
    report = _compose(database_url, space, LocalProvider(), world.now)
    assert [brand.insights for brand in report.brands] == [None, None]
    assert report.themes.reason == "fewer than two compared brands have distinct themes"
    assert (report.trends, report.ctas) == ([], [])
    assert report.recommendations.status == "not_needed" and report.recommendations.calls == 0
    alone, _ = world.brandspace({"rival": "competitor"})
    assert "no primary brand" in build_report(world.conn, alone, now=world.now).notes[0]


def _report_metadata(result: dg.ExecuteInJobResult) -> dict[str, Any]:
    (materialization,) = result.asset_materializations_for_node("brandspace_reports")
    return {name: value.value for name, value in materialization.metadata.items()}


def _checks(result: dg.ExecuteInJobResult) -> dict[str, bool]:
    return {check.check_name: check.passed for check in result.get_asset_check_evaluations()}


def test_the_report_asset_stores_numbered_versions_each_diffed_against_the_one_before(
    stack_settings: Settings, world: World, instance: dg.DagsterInstance, store: ObjectStore
) -> None:
    seeded = _seed(world)
    space = seeded.space
    first = _materialize(stack_settings, instance, space)
    assert _checks(first) == {
        "stored_report_matches_snapshot": True,
        "shares_within_unit_interval": True,
        "cited_ads_belong_to_members": True,
    }
    metadata = _report_metadata(first)
    assert (metadata["version"], metadata["s3_key"], metadata["trigger"]) == (1, report_key(space, 1), "manual")
    assert (metadata["competitors"], metadata["followed_brands"], metadata["ads_counted"]) == (2, 1, 25)
    assert (metadata["members_without_insights"], metadata["topics"], metadata["trends_tracked"]) == (1, 3, 2)
    assert (metadata["recommendations_kept"], metadata["recommendations_dropped"]) == (5, 0)
    assert (metadata["recommendations_missing"], metadata["ai_calls"]) == (False, 1)

    second = _materialize(stack_settings, instance, space, {"adology/report_trigger": "new_member_ads"})
    assert second.success
    rows = world.conn.execute(
        "SELECT r.version, r.s3_key, r.trigger, r.report, r.member_brand_ids FROM brandspace_reports r "
        "JOIN brandspaces s ON s.id = r.brandspace_id WHERE s.partition_key = %s ORDER BY r.version",
        (space,),
    ).fetchall()
    assert [(version, key, trigger) for version, key, trigger, _, _ in rows] == [
        (1, report_key(space, 1), "manual"),
        (2, report_key(space, 2), "new_member_ads"),
    ]
    report, members = rows[1][3], rows[1][4]
    assert json.loads(store.get_bytes(key=report_key(space, 2))) == report
    assert sorted(members) == sorted(m["brand_id"] for m in report["members"] if m["role"] != "primary")
    loaded = load_report(world.conn, space)
    assert loaded is not None and loaded.stored.version == 2
    unchanged = loaded.report.changes_since_previous
    assert unchanged is not None and unchanged.previous_as_of is not None
    assert not any(value for name, value in unchanged.model_dump().items() if name != "previous_as_of")

    # Lumen's next insights version: its retinol theme is now about peptides, its hydration theme grew; two new ads
    lumen = seeded.insights["lumen"]
    peptides, hydration = lumen.themes.themes
    renamed = peptides.model_copy(update={"terms": ["peptide", "firming", "cream"], "share": 0.7})
    grown = hydration.model_copy(update={"share": 0.3})
    world.insights(
        lumen.model_copy(
            update={"themes": lumen.themes.model_copy(update={"themes": [renamed, grown]}), "input_fingerprint": "v2"}
        )
    )
    world.ad(seeded.brands["lumen"], age=timedelta(hours=1))
    world.ad(seeded.brands["lumen"], age=timedelta(hours=1))
    assert _materialize(stack_settings, instance, space).success
    third = load_report(world.conn, space)
    assert third is not None and third.stored.version == 3
    diff = third.report.changes_since_previous
    assert diff is not None
    assert [(cause.kind, cause.from_version, cause.to_version, cause.ads) for cause in diff.causes] == [
        ("insights_changed", 1, 2, None),
        ("new_ads", None, None, 2),
    ]
    assert (diff.topics_added, diff.topics_removed) == (["peptide-firming"], ["retinol-night"])
    assert [(change.kind, change.subject, change.before, change.after) for change in diff.share_changes] == [
        ("topic", "hydration-serum", 0.2, 0.3)  # its voice rose under five points: 48% to 52%
    ]
    assert "Lumen leads with peptide / firming (70% of its ads vs Glow 0%)" in " ".join(diff.recommendations_added)
    assert "Lumen leads with retinol / night (80% of its ads vs Glow 0%)" in " ".join(diff.recommendations_removed)


def test_the_check_fails_when_the_report_cites_an_ad_of_another_brand(
    stack_settings: Settings, world: World, instance: dg.DagsterInstance
) -> None:
    seeded = _seed(world)
    outsider = world.ad(world.brand("outsider"), age=timedelta(days=3))
    glow = seeded.insights["glow"]
    tampered = glow.themes.themes[0].model_copy(update={"exemplar_ad_ids": [outsider]})
    world.insights(
        glow.model_copy(
            update={
                "themes": glow.themes.model_copy(update={"themes": [tampered, *glow.themes.themes[1:]]}),
                "input_fingerprint": "tampered",
            }
        )
    )
    result = _materialize(stack_settings, instance, seeded.space)
    assert _checks(result) == {
        "stored_report_matches_snapshot": True,
        "shares_within_unit_interval": True,
        "cited_ads_belong_to_members": False,
    }
    (evaluation,) = [
        check for check in result.get_asset_check_evaluations() if check.check_name == "cited_ads_belong_to_members"
    ]
    assert str(outsider) in str(evaluation.metadata["problems"].value)


def test_concurrent_writers_get_consecutive_versions(database_url: str, world: World, store: ObjectStore) -> None:
    seeded = _seed(world)
    report = build_report(world.conn, seeded.space, now=world.now)

    def write(trigger: str) -> int:
        with psycopg.connect(database_url) as conn:
            return store_report(conn, store, seeded.space, report, trigger=trigger).version

    with ThreadPoolExecutor(max_workers=4) as pool:
        versions = sorted(pool.map(write, [f"writer-{index}" for index in range(4)]))
    assert versions == [1, 2, 3, 4]
    assert all(
        json.loads(store.get_bytes(key=report_key(seeded.space, version))) == report.model_dump(mode="json")
        for version in versions
    )


LIBRARY_ADS = 40


def _library_brand(settings: Settings, instance: dg.DagsterInstance, library_url: str, index: int) -> Brand:
    """The library's ``index``-th brand (its first ads), analysed by the local provider, with its insights."""
    listed = httpx.get(f"{library_url}/brands").json()[index]
    page_id = listed["sources"]["apify"]["handle"]
    run = httpx.post(
        f"{library_url}/v2/acts/curious_coder~facebook-ads-library-scraper/runs",
        headers={"Authorization": "Bearer t0ken-for-tests"},
        json={
            "urls": [{"url": f"https://www.facebook.com/ads/library/?view_all_page_id={page_id}"}],
            "count": LIBRARY_ADS,
        },
    ).json()["data"]
    ads, _ = parse_apify_items(httpx.get(f"{library_url}/v2/datasets/{run['defaultDatasetId']}/items").json())
    key = f"reports-{listed['partition_key']}-{uuid.uuid4().hex[:6]}"
    for ad in ads:
        ad.source_ad_id = f"{key}-{ad.source_ad_id}"
    brand = acquire(settings, library_url, key, "analyzed", page_id, ads)
    assert materialize(settings, instance, brand, [*AI_ASSETS, brand_insights]).success
    return brand


def test_a_report_on_library_brands_analysed_end_to_end_cites_only_their_ads(
    stack_settings: Settings, world: World, instance: dg.DagsterInstance, library_url: str
) -> None:
    primary, rival = (_library_brand(stack_settings, instance, library_url, index) for index in (0, 1))
    space, _ = world.brandspace()
    world.add(space, primary.id, "primary")
    world.add(space, rival.id, "competitor")
    first = _materialize(stack_settings, instance, space)
    assert all(_checks(first).values())
    loaded = load_report(world.conn, space)
    assert loaded is not None
    report = loaded.report
    for brand in (primary, rival):  # a brand with distinct themes has each in exactly one topic
        stored = latest_insights(world.conn, brand.id)
        assert stored is not None
        themes = [theme.id for theme in stored.insights.themes.themes]
        compared = brand.partition_key in report.themes.brands
        assert compared == (len(themes) >= 2)
        in_topics = [
            theme_id
            for topic in report.themes.topics
            for part in topic.shares
            if part.brand == brand.partition_key
            for theme_id in part.theme_ids
        ]
        assert sorted(in_topics) == (sorted(themes) if compared and report.themes.topics else [])
    # every suggestion the local provider passed on survived the checks
    suggestions = [fact for fact in report_facts(report) if "suggestion" in fact.values]
    recommendations = report.recommendations
    assert (recommendations.status, recommendations.dropped) == ("ok", {})
    assert len(recommendations.items) == min(len(suggestions), MAX_RECOMMENDATIONS)
    ads = {
        row[0] for row in world.conn.execute("SELECT id FROM ads WHERE brand_id = ANY(%s)", ([primary.id, rival.id],))
    }
    assert report.cited_ad_ids() <= ads
    text = render_report(report, version=loaded.stored.version)
    assert "report version 1" in text and "Share of voice" in text and "Recommendations (ok)" in text

    _materialize(stack_settings, instance, space)  # the same inputs: the same report, nothing changed
    again = load_report(world.conn, space)
    assert again is not None and again.report.changes_since_previous is not None
    changes = again.report.changes_since_previous.model_dump()
    assert not any(value for name, value in changes.items() if name != "previous_as_of")
