"""The ``brand_insights`` asset on the real stack: a version stored in Postgres and S3 with its checks,
nothing new (and no AI call) when nothing changed, the summary through the fake OpenAI service and
its failure kept as "missing", too little data said as such, alerts sent once per change and
organization, and each check failing on a version that breaks it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import dagster as dg
import httpx
import psycopg
import pytest

from adology.brands import Brand, BrandSource, upsert_brand
from adology.knowledge.insights.alerts import material_changes, record_alerts
from adology.knowledge.insights.model import BrandInsights, Theme, Trend
from adology.knowledge.insights.store import insights_problems, latest_insights, store_insights
from adology.requests.notifications import CHANNEL
from adology.settings import Settings
from adology.sources.apify import parse_apify_items
from adology.sources.models import Connector
from adology.storage.aws import settings_object_store
from adology_assets.brand_insights import brand_insights
from simulators.ai_service import FakeAIServer, FakeServerConfig
from tests.commands import run_adology
from tests.stack.analysis_support import AI_ASSETS, acquire, acquire_sample, materialize, openai_overrides

LIBRARY_ADS = 60  # enough creative units over the library's year for themes and trends


@pytest.fixture(scope="module")
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.instance_for_test() as test_instance:
        yield test_instance


@pytest.fixture(scope="module")
def fake_ai() -> Iterator[FakeAIServer]:
    with FakeAIServer(FakeServerConfig(retry_after_seconds=0.0)) as server:
        yield server


@pytest.fixture(scope="module")
def analysed_brand(stack_settings: Settings, instance: dg.DagsterInstance, library_url: str) -> Brand:
    """A brand holding one library brand's first ads (a year of them), analysed by the local provider."""
    brands = httpx.get(f"{library_url}/brands").json()
    page_id = brands[0]["sources"]["apify"]["handle"]
    run = httpx.post(
        f"{library_url}/v2/acts/curious_coder~facebook-ads-library-scraper/runs",
        headers={"Authorization": "Bearer t0ken-for-tests"},
        json={
            "urls": [{"url": f"https://www.facebook.com/ads/library/?view_all_page_id={page_id}"}],
            "count": LIBRARY_ADS,
        },
    ).json()["data"]
    ads, _ = parse_apify_items(httpx.get(f"{library_url}/v2/datasets/{run['defaultDatasetId']}/items").json())
    for ad in ads:
        ad.source_ad_id = f"insights-{ad.source_ad_id}"
    brand = acquire(stack_settings, library_url, "insights-analysed", "analyzed", page_id, ads)
    assert materialize(stack_settings, instance, brand, AI_ASSETS).success
    return brand


def _insights_metadata(result: dg.ExecuteInJobResult) -> dict[str, Any]:
    (event,) = [e for e in result.get_asset_materialization_events() if e.asset_key == dg.AssetKey("brand_insights")]
    return {name: value.value for name, value in event.materialization.metadata.items()}


def _checks(result: dg.ExecuteInJobResult) -> dict[str, bool]:
    return {
        event.asset_check_evaluation_data.check_name: event.asset_check_evaluation_data.passed
        for event in result.all_events
        if event.event_type_value == "ASSET_CHECK_EVALUATION"
    }


def _versions(settings: Settings, brand: Brand) -> list[int]:
    with psycopg.connect(settings.database_url) as conn:
        return [row[0] for row in conn.execute("SELECT version FROM brand_insights WHERE brand_id = %s", (brand.id,))]


def test_a_version_is_stored_with_its_snapshot_and_checks_then_nothing_when_nothing_changed(
    stack_settings: Settings, instance: dg.DagsterInstance, analysed_brand: Brand
) -> None:
    first = materialize(stack_settings, instance, analysed_brand, [brand_insights])
    report = _insights_metadata(first)
    assert report["unchanged"] is False and report["status"] == "ok"
    assert report["themes"] >= 1 and report["trends_tested"] > 0
    assert report["summary_status"] == "ok" and report["claims_kept"] > 0 and report["claims_dropped"] == 0
    assert _checks(first) == dict.fromkeys(
        (
            "cited_ads_belong_to_brand",
            "shares_within_unit_interval",
            "every_ad_counted_once_in_themes",
            "significant_trends_have_p_values",
            "stored_insights_match_snapshot",
        ),
        True,
    )
    store = settings_object_store(stack_settings)
    with psycopg.connect(stack_settings.database_url) as conn:
        stored = latest_insights(conn, analysed_brand.id)
        ad_ids = {row[0] for row in conn.execute("SELECT id FROM ads WHERE brand_id = %s", (analysed_brand.id,))}
    assert stored is not None and stored.version == report["version"]
    assert json.loads(store.get_bytes(key=stored.s3_key)) == stored.insights.model_dump(mode="json")
    assert stored.insights.ads_counted == len(ad_ids)
    assert {ad_id for theme in stored.insights.themes.themes for ad_id in theme.ad_ids} == ad_ids

    again = materialize(stack_settings, instance, analysed_brand, [brand_insights])
    repeat = _insights_metadata(again)
    assert (repeat["unchanged"], repeat["version"], repeat["ai_calls"]) == (True, report["version"], 0)
    assert _versions(stack_settings, analysed_brand) == [report["version"]]
    assert all(_checks(again).values())


def test_the_summary_comes_from_the_openai_service_and_an_ai_failure_leaves_the_statistics_with_it_missing(
    stack_settings: Settings, instance: dg.DagsterInstance, analysed_brand: Brand, fake_ai: FakeAIServer
) -> None:
    openai = openai_overrides(fake_ai)
    calls_before = fake_ai.stats()["requests_total"]
    written = _insights_metadata(materialize(stack_settings, instance, analysed_brand, [brand_insights], **openai))
    assert written["unchanged"] is False and written["summary_status"] == "ok" and written["ai_calls"] == 1
    assert fake_ai.stats()["requests_total"] == calls_before + 1
    again = _insights_metadata(materialize(stack_settings, instance, analysed_brand, [brand_insights], **openai))
    assert (again["unchanged"], again["ai_calls"]) == (True, 0)
    assert fake_ai.stats()["requests_total"] == calls_before + 1  # no call for unchanged inputs

    with psycopg.connect(stack_settings.database_url) as conn:  # an ad ends: the inputs change
        conn.execute(
            "UPDATE ads SET ended_at = coalesce(started_at, first_seen_at) + interval '3 days', is_active = false "
            "WHERE id = (SELECT min(id) FROM ads WHERE brand_id = %s)",
            (analysed_brand.id,),
        )
    fake_ai.configure(malformed_first_n=2)  # asked twice, malformed twice: the routine fails, with no backoff
    failed = materialize(stack_settings, instance, analysed_brand, [brand_insights], **openai)
    report = _insights_metadata(failed)
    assert failed.success and report["unchanged"] is False and report["status"] == "ok"
    assert report["summary_status"] == "missing" and report["summary_reason"]
    with psycopg.connect(stack_settings.database_url) as conn:
        stored = latest_insights(conn, analysed_brand.id)
    assert stored is not None and stored.insights.summary.claims == [] and stored.insights.trends.tested > 0
    assert all(_checks(failed).values())


def test_a_brand_with_too_few_ads_gets_a_version_that_says_so_and_a_tracked_brand_is_skipped(
    stack_settings: Settings, instance: dg.DagsterInstance, library_url: str
) -> None:
    with psycopg.connect(stack_settings.database_url) as conn:
        empty = upsert_brand(
            conn,
            partition_key="insights-empty",
            name="Insights Empty",
            status="analyzed",
            sources=[BrandSource(Connector.APIFY, "0")],
        )
    no_ads = _insights_metadata(materialize(stack_settings, instance, empty, [brand_insights]))
    assert (no_ads["status"], no_ads["themes"], no_ads["trends_significant"]) == ("no_ads", 0, 0)

    few = acquire_sample(stack_settings, library_url, "insights-few", "analyzed")
    assert materialize(stack_settings, instance, few, AI_ASSETS).success
    result = materialize(stack_settings, instance, few, [brand_insights])
    report = _insights_metadata(result)
    assert (report["status"], report["themes"], report["summary_status"]) == ("too_little_data", 0, "not_needed")
    assert all(_checks(result).values())

    tracked = acquire_sample(stack_settings, library_url, "insights-tracked", "tracked")
    skipped = _insights_metadata(materialize(stack_settings, instance, tracked, [brand_insights]))
    assert "not analyzed" in skipped["skipped_reason"]
    assert _versions(stack_settings, tracked) == []


def _organization_with_brand(conn: psycopg.Connection, name: str, brand: Brand) -> str:
    (organization,) = conn.execute("INSERT INTO organizations (name) VALUES (%s) RETURNING id", (name,)).fetchone()
    (space,) = conn.execute(
        "INSERT INTO brandspaces (organization_id, name, partition_key) VALUES (%s, 'Watch', %s) RETURNING id",
        (organization, f"{name.lower()}-watch"),
    ).fetchone()
    conn.execute(
        "INSERT INTO brandspace_brands (brandspace_id, brand_id, role) VALUES (%s, %s, 'competitor')", (space, brand.id)
    )
    return str(organization)


def test_a_new_theme_and_a_newly_significant_trend_notify_each_following_organization_once(
    stack_settings: Settings, instance: dg.DagsterInstance, analysed_brand: Brand
) -> None:
    materialize(stack_settings, instance, analysed_brand, [brand_insights])
    store = settings_object_store(stack_settings)
    with psycopg.connect(stack_settings.database_url, autocommit=True) as conn:
        organizations = {_organization_with_brand(conn, name, analysed_brand) for name in ("Alerted A", "Alerted B")}
        previous = latest_insights(conn, analysed_brand.id)
        assert previous is not None
        changed = _with_new_theme_and_trend(previous.insights)
        changes = material_changes(previous.insights, changed)
        assert {change.kind for change in changes} == {"new_theme", "significant_trend"}
        conn.execute(f"LISTEN {CHANNEL}")
        with conn.transaction():
            stored, _ = store_insights(conn, store, changed)
            assert record_alerts(conn, changed, stored.version, changes) == len(changes) * 2
        received = [json.loads(notify.payload) for notify in conn.notifies(timeout=5, stop_after=len(changes) * 2)]
        with conn.transaction():
            assert record_alerts(conn, changed, stored.version, changes) == 0  # announced once
        rows = conn.execute(
            "SELECT organization_id::text, payload->>'change' FROM notifications "
            "WHERE kind = 'insight_change' AND brand_id = %s",
            (analysed_brand.id,),
        ).fetchall()
    assert {organization for organization, _ in rows} == organizations and len(rows) == len(changes) * 2
    assert sorted(message["change"] for message in received) == sorted(kind for _, kind in rows)
    assert material_changes(None, changed) == []  # a first version is a baseline, not a change


def _with_new_theme_and_trend(insights: BrandInsights) -> BrandInsights:
    """``insights`` with a third of its first theme split off as a new one and a trend called significant."""
    first, *rest = insights.themes.themes
    half = 2 * len(first.ad_ids) // 3  # the rest shares under half its ads with the old theme: new
    assert 0 < half < len(first.ad_ids) and insights.trends.trends
    new_theme = first.model_copy(
        update={
            "id": f"t{len(insights.themes.themes) + 1}",
            "terms": ["alertword", "novelterm", "freshangle"],
            "name": "alertword / novelterm / freshangle",
            "ad_ids": first.ad_ids[half:],
            "exemplar_ad_ids": first.ad_ids[half:][:3],
        }
    )
    kept = first.model_copy(update={"ad_ids": first.ad_ids[:half], "exemplar_ad_ids": first.ad_ids[:half][:3]})
    quiet = next(trend for trend in insights.trends.trends if not trend.significant)
    loud = quiet.model_copy(update={"significant": True, "p_value": 0.0001, "q_value": 0.001})
    trends = [loud, *(trend for trend in insights.trends.trends if trend is not quiet)]
    return insights.model_copy(
        update={
            "themes": insights.themes.model_copy(update={"themes": [kept, new_theme, *rest]}),
            "trends": insights.trends.model_copy(update={"trends": trends}),
            "input_fingerprint": "changed",
        }
    )


@pytest.mark.parametrize(
    ("check", "tamper"),
    [
        ("cited_ads_belong_to_brand", "foreign_ad"),
        ("shares_within_unit_interval", "share_above_one"),
        ("every_ad_counted_once_in_themes", "ad_in_two_themes"),
        ("significant_trends_have_p_values", "significant_without_level"),
    ],
)
def test_each_check_fails_on_a_version_that_breaks_it(
    stack_settings: Settings, instance: dg.DagsterInstance, analysed_brand: Brand, check: str, tamper: str
) -> None:
    materialize(stack_settings, instance, analysed_brand, [brand_insights])
    store = settings_object_store(stack_settings)
    with psycopg.connect(stack_settings.database_url) as conn:
        latest = latest_insights(conn, analysed_brand.id)
        assert latest is not None
        (foreign,) = conn.execute("SELECT min(id) FROM ads WHERE brand_id <> %s", (analysed_brand.id,)).fetchone()
        broken = _tampered(latest.insights, tamper, foreign)
        with conn.transaction():
            stored, _ = store_insights(conn, store, broken)
        problems = insights_problems(conn, store, stored)
        conn.execute(
            "DELETE FROM brand_insights WHERE brand_id = %s AND version = %s", (analysed_brand.id, stored.version)
        )
        conn.commit()
    assert problems[check], problems
    assert [name for name, found in problems.items() if found] == [check]
    with psycopg.connect(stack_settings.database_url) as conn:
        assert not any(insights_problems(conn, store, latest).values())


def _tampered(insights: BrandInsights, how: str, foreign_ad: int) -> BrandInsights:
    theme: Theme = insights.themes.themes[0]
    trend: Trend = insights.trends.trends[0]
    if how == "foreign_ad":
        update = {"themes": _replace_theme(insights, theme.model_copy(update={"exemplar_ad_ids": [foreign_ad]}))}
    elif how == "share_above_one":
        update = {"themes": _replace_theme(insights, theme.model_copy(update={"share": 1.2}))}
    elif how == "ad_in_two_themes":
        other = insights.themes.themes[1] if len(insights.themes.themes) > 1 else None
        assert other is not None, "the analysed brand has at least two themes"
        update = {
            "themes": _replace_theme(insights, other.model_copy(update={"ad_ids": [*other.ad_ids, theme.ad_ids[0]]}))
        }
    else:
        significant = trend.model_copy(update={"significant": True, "q_value": 0.5})
        update = {"trends": insights.trends.model_copy(update={"trends": [significant, *insights.trends.trends[1:]]})}
    return insights.model_copy(update=update | {"input_fingerprint": f"tampered-{how}"})


def _replace_theme(insights: BrandInsights, changed: Theme) -> Any:
    themes = [changed if theme.id == changed.id else theme for theme in insights.themes.themes]
    return insights.themes.model_copy(update={"themes": themes})


def test_the_cli_prints_a_brands_insights_and_says_in_one_line_what_is_missing(
    stack_settings: Settings, instance: dg.DagsterInstance, analysed_brand: Brand
) -> None:
    env = {k: v for k, v in stack_settings.client_environment().items() if k.startswith(("ADOLOGY_", "DAGSTER_"))}
    materialize(stack_settings, instance, analysed_brand, [brand_insights])
    text = run_adology("insights", "show", analysed_brand.partition_key, env=env)
    assert text.returncode == 0, text.stderr
    assert "Themes" in text.stdout and "Trends" in text.stdout and "Momentum" in text.stdout
    shown = run_adology("insights", "show", analysed_brand.partition_key, "--json", env=env)
    body = json.loads(shown.stdout)
    with psycopg.connect(stack_settings.database_url) as conn:
        stored = latest_insights(conn, analysed_brand.id)
    assert stored is not None and body["version"] == stored.version
    assert body["themes"] == stored.insights.themes.model_dump(mode="json")
    assert all({"direction", "p_value", "q_value", "changed_between"} <= set(t) for t in body["trends"]["trends"])

    unknown = run_adology("insights", "show", "no-such-brand", env=env)
    assert unknown.returncode == 1 and unknown.stderr.strip().splitlines() == [
        "error: no brand with partition key 'no-such-brand' in table brands"
    ]
    with psycopg.connect(stack_settings.database_url) as conn:
        upsert_brand(conn, partition_key="insights-none-yet", name="None Yet", status="analyzed", sources=[])
    missing = run_adology("insights", "show", "insights-none-yet", "--version", "3", env=env)
    assert missing.returncode == 1 and "has no version 3" in missing.stderr


def test_the_cli_says_in_one_line_when_a_brandspace_is_unknown_or_has_no_report(stack_settings: Settings) -> None:
    env = {k: v for k, v in stack_settings.client_environment().items() if k.startswith(("ADOLOGY_", "DAGSTER_"))}
    unknown = run_adology("reports", "show", "no-such-space", env=env)
    assert unknown.returncode == 1 and unknown.stderr.strip().splitlines() == [
        "error: no brandspace with partition key 'no-such-space' in table brandspaces"
    ]
    with psycopg.connect(stack_settings.database_url, autocommit=True) as conn:
        (organization,) = conn.execute(
            "INSERT INTO organizations (name) VALUES ('No Report Yet') RETURNING id"
        ).fetchone()
        conn.execute(
            "INSERT INTO brandspaces (organization_id, name, partition_key) VALUES (%s, 'Empty', 'no-report-yet')",
            (organization,),
        )
    empty = run_adology("reports", "show", "no-report-yet", env=env)
    assert empty.returncode == 1 and empty.stderr.strip().splitlines() == [
        "error: brandspace 'no-report-yet' has no report yet; reports are built from its brands' insights"
    ]
