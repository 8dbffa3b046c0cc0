"""Brandspace reports on the real Postgres and SeaweedFS: the refresh rule's full truth table as
database states measured by the signal query and the sensor (the rule itself is pinned in
``tests/unit/test_refresh_rule.py``); the sensor
requests the same evidence once, again after a failed run, and adds partitions through its
result; the asset stores numbered versions whose S3 snapshot matches the row, and the report's
numbers and recommendations follow the seeded data."""

from __future__ import annotations

import itertools
import json
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import dagster as dg
import psycopg
import pytest

from adology.brands import upsert_brand
from adology.knowledge.refresh import BrandspaceSignals, RefreshSignals, refresh_signals
from adology.knowledge.report import build_report
from adology.knowledge.snapshots import report_key, store_report
from adology.settings import Settings
from adology.storage.aws import settings_object_store
from adology.storage.s3 import ObjectStore
from adology_assets.brandspace_reports import brandspace_reports
from resources import PostgresResource, resources_for
from sensors.report_refresh import Requested, report_refresh, retry_delay

ALL_COMBINATIONS = list(itertools.product((False, True), repeat=3))
SIGNAL_NAMES = ("membership_changed", "new_member_ads", "stale_with_new_ads")


class World:
    """Brandspaces, brands, ads, labels and reports written straight to the real stores, with unique keys."""

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
        display_format: str = "IMAGE",
        media_kind: str = "image",
        platforms: tuple[str, ...] = ("facebook",),
        cta: str | None = "Shop now",
        labels: tuple[tuple[str, str], ...] = (),
    ) -> int:
        (ad_id,) = self.conn.execute(
            "INSERT INTO ads (brand_id, source, source_ad_id, platforms, cta, media, is_active, display_format, "
            "first_seen_at, last_seen_at) VALUES (%s, 'meta', %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
            (
                brand_id,
                uuid.uuid4().hex,
                list(platforms),
                cta,
                json.dumps([{"kind": media_kind}]),
                active,
                display_format,
                self.now - age,
                self.now - age,
            ),
        ).fetchone()
        for taxonomy, label in labels:
            self.conn.execute(
                "INSERT INTO ad_labels (ad_id, taxonomy, taxonomy_version, label, confidence, provider, model, "
                "input_hash) VALUES (%s, %s, %s, %s, 0.9, 'local', 'test', 'h')",
                (ad_id, taxonomy, f"{taxonomy.lower()}-v1", label),
            )
        return ad_id

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


def _seed_benchmark(world: World) -> tuple[str, dict[str, int]]:
    """Primary 3 of 4 ads active, rival 5 of 5, other 2 of 4: share of voice 30% / 50% / 20%.

    Every ad is labelled. Competitors use free_shipping (5 of 5, 2 of 4: average 75%), the primary
    never does. urgency_limited_time rises from 1 of 6 labelled ads (days 30-60) to 4 of 7 (last 30).
    """
    space, brands = world.brandspace(
        {"primary": "primary", "rival": "competitor", "other": "competitor", "fan": "followed"}
    )
    recent, previous = timedelta(days=5), timedelta(days=40)
    shipping, urgency, showcase = (
        ("UNIVERSAL", "free_shipping"),
        ("TREND", "urgency_limited_time"),
        ("UNIVERSAL", "product_showcase"),
    )
    world.ad(brands["primary"], age=recent, labels=(showcase, urgency), display_format="VIDEO", media_kind="video")
    world.ad(brands["primary"], age=recent, labels=(showcase,))
    world.ad(brands["primary"], age=previous, labels=(showcase,))
    world.ad(brands["primary"], age=previous, active=False, labels=(showcase,), cta="Learn more")
    for index in range(5):
        world.ad(
            brands["rival"],
            age=recent if index < 3 else previous,
            labels=(shipping, urgency) if index < 2 else (shipping,),
            platforms=("facebook", "instagram"),
        )
    for index in range(4):
        world.ad(
            brands["other"],
            age=recent if index < 2 else previous,
            active=index % 2 == 0,
            labels=(shipping, urgency) if index in (0, 2) else (showcase,),
        )
    return space, brands


def test_the_report_asset_stores_numbered_versions_that_match_their_snapshot(
    stack_settings: Settings, world: World, instance: dg.DagsterInstance, store: ObjectStore
) -> None:
    space, _ = _seed_benchmark(world)
    first = _materialize(stack_settings, instance, space)
    assert first.success and all(check.passed for check in first.get_asset_check_evaluations())
    (materialization,) = first.asset_materializations_for_node("brandspace_reports")
    metadata = {name: value.value for name, value in materialization.metadata.items()}
    assert (metadata["version"], metadata["s3_key"], metadata["trigger"]) == (1, report_key(space, 1), "manual")
    assert (metadata["competitors"], metadata["followed_brands"], metadata["ads_counted"]) == (2, 1, 13)

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


def test_the_report_numbers_follow_the_data_and_the_recommendations_cite_them(world: World) -> None:
    space, _ = _seed_benchmark(world)
    report = build_report(world.conn, space, now=world.now)
    voices = {
        voice.partition_key.split("-")[0]: (voice.active_ads, voice.share) for voice in report.benchmark.share_of_voice
    }
    assert voices == {"primary": (3, 0.3), "rival": (5, 0.5), "other": (2, 0.2)}  # followed brands not benchmarked
    (gap,) = [gap for gap in report.benchmark.label_gaps if gap.label == "free_shipping"]
    assert (gap.primary_share, gap.competitor_average, gap.competitors_with_label) == (0.0, 0.75, 2)
    (trend,) = report.trends.rising
    assert (trend.label, trend.previous_ads, trend.recent_ads) == ("urgency_limited_time", 1, 4)
    assert (trend.previous_share, trend.recent_share) == (round(1 / 6, 4), round(4 / 7, 4))

    primary = report.brands[0]
    assert (primary.role, primary.ads_total, primary.ads_active, primary.ads_new_30d, primary.labelled_ads) == (
        "primary",
        4,
        3,
        2,
        4,
    )
    assert [(c.value, c.ads) for c in primary.formats] == [("IMAGE", 3), ("VIDEO", 1)]
    assert [(c.value, c.ads) for c in primary.media] == [("image", 3), ("video", 1)]
    assert [(c.value, c.ads) for c in primary.top_ctas] == [("Shop now", 3), ("Learn more", 1)]
    assert [(s.label, s.share) for s in primary.top_universal_labels] == [("product_showcase", 1.0)]
    assert all(0 <= share <= 1 for share in report.shares())

    text = "\n".join(report.recommendations)
    assert "Primary runs 3 of 10 active ads (30% share of voice) against Rival's 5 (50%)" in text
    assert (
        "'free_shipping' (UNIVERSAL) appears in 0% of Primary's labelled ads against a competitor average of 75%"
        in text
    )
    assert (
        "'urgency_limited_time' is rising across the brandspace: 17% of labelled ads in the previous 30 days, "
        "57% in the last 30; Primary used it in 1 of its 2 labelled ads of that window." in text
    )


def test_missing_data_is_said_not_invented(world: World) -> None:
    space, brands = world.brandspace({"primary": "primary"})
    world.ad(brands["primary"], age=OLD)
    text = " ".join(build_report(world.conn, space, now=world.now).recommendations)
    assert "no competitors" in text and "None of Primary's 1 ads is labelled yet" in text
    assert "Too few labelled ads to compare" in text
    alone, _ = world.brandspace({"rival": "competitor"})
    assert build_report(world.conn, alone, now=world.now).recommendations == [
        "The brandspace has no primary brand, so nothing is benchmarked; set one to get recommendations."
    ]


def test_concurrent_writers_get_consecutive_versions(database_url: str, world: World, store: ObjectStore) -> None:
    space, _ = _seed_benchmark(world)
    report = build_report(world.conn, space, now=world.now)

    def write(trigger: str) -> int:
        with psycopg.connect(database_url) as conn:
            return store_report(conn, store, space, report, trigger=trigger).version

    with ThreadPoolExecutor(max_workers=4) as pool:
        versions = sorted(pool.map(write, [f"writer-{index}" for index in range(4)]))
    assert versions == [1, 2, 3, 4]
    assert all(
        json.loads(store.get_bytes(key=report_key(space, version))) == report.model_dump(mode="json")
        for version in versions
    )
