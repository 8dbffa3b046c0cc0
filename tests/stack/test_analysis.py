"""The per-ad AI assets end to end on the real stack: descriptions, labels and embeddings land in
Postgres, full documents in Mongo and per-ad logs in S3; a second run makes no AI call; tracked
brands are skipped with a reason; a few failed ads keep their reason while the run goes on (and an
ad failing again as before, for a reason no retry cures, does not fail the step); a budget stops AI
work cleanly and the next run finishes it; labels and embeddings share a step, and a database fault
in one stage keeps the other's results. Faults that fail a step, and what waits, are
``test_analysis_recovery.py``'s."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import dagster as dg
import psycopg
import pytest

from adology.ai.limits import AIGovernor
from adology.ai.registry import open_provider
from adology.ai.schema import taxonomies
from adology.analysis.fanout import analyze_brands
from adology.analysis.records import read_ad_log
from adology.analysis.stage_report import StageReport
from adology.analysis.stages import DESCRIBE, EMBED, LABEL, STAGES
from adology.brands import Brand, BrandSource, upsert_brand
from adology.settings import Settings
from adology.sources.models import Connector
from adology.storage.aws import settings_object_store
from adology.storage.mongo import open_mongo
from adology_assets.interpretation import ad_descriptions
from adology_assets.vocabulary import AD_DESCRIPTIONS, AD_EMBEDDINGS, AD_LABELS
from resources import AIResource, resources_for
from tests.stack.analysis_support import (
    ADS_PER_BRAND,
    AI_ASSETS,
    acquire_sample,
    materialize,
    openai_overrides,
    stage_metadata,
)


@pytest.fixture(scope="module")
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.instance_for_test() as test_instance:
        yield test_instance


def test_local_analysis_fills_every_store_and_reruns_for_free(
    stack_settings: Settings, instance: dg.DagsterInstance, library_url: str
) -> None:
    brand = acquire_sample(stack_settings, library_url, "analysis-local", "analyzed")
    first = materialize(stack_settings, instance, brand, AI_ASSETS)
    assert first.success
    with psycopg.connect(stack_settings.database_url) as conn:
        (analyzed_at,) = conn.execute("SELECT last_analyzed_at FROM brands WHERE id = %s", (brand.id,)).fetchone()
    assert analyzed_at is not None  # what the API shows as the brand's last analysis
    for asset in ("ad_descriptions", "ad_labels", "ad_embeddings"):
        report = stage_metadata(first, asset)
        assert (report["selected"], report["succeeded"], report["failed"]) == (ADS_PER_BRAND, ADS_PER_BRAND, 0)
        assert report["ai_calls"] == ADS_PER_BRAND
    assert all(check.passed for check in first.get_asset_check_evaluations())

    known = {(name, label) for name, taxonomy in taxonomies().items() for label in taxonomy.names}
    with psycopg.connect(stack_settings.database_url) as conn:
        words = conn.execute(
            "SELECT d.word_count, d.attributes FROM ad_descriptions d JOIN ads a ON a.id = d.ad_id "
            "WHERE a.brand_id = %s",
            (brand.id,),
        ).fetchall()
        labels = conn.execute(
            "SELECT l.taxonomy, l.label FROM ad_labels l JOIN ads a ON a.id = l.ad_id WHERE a.brand_id = %s",
            (brand.id,),
        ).fetchall()
        kinds = conn.execute(
            "SELECT e.kind, count(*) FROM ad_embeddings e JOIN ads a ON a.id = e.ad_id "
            "WHERE a.brand_id = %s GROUP BY 1",
            (brand.id,),
        ).fetchall()
        (ad_id,) = conn.execute("SELECT id FROM ads WHERE brand_id = %s LIMIT 1", (brand.id,)).fetchone()
        nearest = conn.execute(
            "SELECT ad_id FROM ad_embeddings WHERE model = 'wordllama-l2-256' AND kind = 'retrieval' "
            "ORDER BY embedding::halfvec(256) <=> (SELECT embedding::halfvec(256) FROM ad_embeddings "
            "WHERE ad_id = %s AND kind = 'retrieval') LIMIT 1",
            (ad_id,),
        ).fetchone()
    assert len(words) == ADS_PER_BRAND and all(0 < count <= 500 and len(attrs) >= 50 for count, attrs in words)
    assert labels and set(labels) <= known
    assert {"UNIVERSAL", "TREND"} <= {taxonomy for taxonomy, _ in labels}
    assert dict(kinds) == {"text": ADS_PER_BRAND, "visual": ADS_PER_BRAND, "retrieval": ADS_PER_BRAND}
    assert nearest == (ad_id,)  # the HNSW-indexed similarity search finds the ad itself first

    with open_mongo(stack_settings.mongo_uri, stack_settings.mongo_database) as database:
        documents = list(database.ad_analyses.find({"brand": brand.partition_key}))
    assert len(documents) == 3 * ADS_PER_BRAND and all(d["status"] == "succeeded" for d in documents)
    store = settings_object_store(stack_settings)
    stages = [entry["stage"] for entry in read_ad_log(store, brand.partition_key, ad_id)]
    assert stages[0] == "describe" and sorted(stages[1:]) == ["embed", "label"]  # label and embed both follow describe

    second = materialize(stack_settings, instance, brand, AI_ASSETS)
    for asset in ("ad_descriptions", "ad_labels", "ad_embeddings"):
        report = stage_metadata(second, asset)
        assert (report["ai_calls"], report["selected"], report["unchanged"]) == (0, 0, ADS_PER_BRAND)
    assert all(check.passed for check in second.get_asset_check_evaluations())

    # a run's checks count the bad rows of the ads it stored, and only those (word counts,
    # confidences and a vector's dimensions are CHECK constraints: no row can break them)
    with psycopg.connect(stack_settings.database_url) as conn:
        bad, *good = [row[0] for row in conn.execute("SELECT id FROM ads WHERE brand_id = %s ORDER BY id", (brand.id,))]
        conn.execute("UPDATE ad_descriptions SET attributes = '{}' WHERE ad_id = %s", (bad,))
        conn.execute(
            "UPDATE ad_labels SET label = 'not-a-label' "
            "WHERE ctid = (SELECT ctid FROM ad_labels WHERE ad_id = %s LIMIT 1)",
            (bad,),
        )
        conn.execute(
            "UPDATE ad_embeddings SET embedding = subvector(embedding, 1, 8), dimensions = 8 "
            "WHERE ad_id = %s AND kind = 'visual'",
            (bad,),
        )
        assert DESCRIBE.invariants(conn, [bad]) == {
            "descriptions_over_500_words": 0,
            "descriptions_without_attributes": 1,
        }
        assert LABEL.invariants(conn, [bad]) == {"labels_outside_taxonomy": 1, "labels_with_bad_confidence": 0}
        assert EMBED.invariants(conn, [bad]) == {
            "embeddings_with_wrong_dimensions": 0,
            "embeddings_not_unit_norm": 1,
            "models_with_mixed_dimensions": 0,
        }
        assert EMBED.invariants(conn, [bad, *good])["models_with_mixed_dimensions"] == 1
        for stage in STAGES:
            assert not any(stage.invariants(conn, good).values())


def test_a_creative_missing_from_s3_fails_its_ads_with_the_reason_and_the_run_goes_on(
    stack_settings: Settings, instance: dg.DagsterInstance, library_url: str
) -> None:
    """A few failed ads leave the step succeeded, counted with their reason; retried alone and
    failing the same way (no retry cures a missing creative), they are counted again as failing as
    before and still do not fail the step, so one broken ad cannot fail every later run."""
    brand = acquire_sample(stack_settings, library_url, "analysis-missing-creative", "analyzed")
    store = settings_object_store(stack_settings)
    with psycopg.connect(stack_settings.database_url) as conn:
        (key,) = conn.execute(
            "SELECT m->>'s3_key' FROM ads a, jsonb_array_elements(a.media) m "
            "WHERE a.brand_id = %s AND m->>'s3_key' IS NOT NULL ORDER BY a.id LIMIT 1",
            (brand.id,),
        ).fetchone()
    data = store.get_bytes(key=key)
    store.client.delete_object(Bucket=store.bucket, Key=key)
    try:
        result = materialize(stack_settings, instance, brand, [ad_descriptions])
        retried = materialize(stack_settings, instance, brand, [ad_descriptions])
    finally:
        store.put_bytes(key=key, data=data)  # content-addressed: other tests' ads share the creative
    report = stage_metadata(result, "ad_descriptions")
    assert result.success and report["failed"] >= 1 and report["failed_as_before"] == 0
    assert report["failure_reasons"] == {"media_unavailable": report["failed"]}
    assert report["succeeded"] == ADS_PER_BRAND - report["failed"]
    again = stage_metadata(retried, "ad_descriptions")
    assert retried.success and "step_failure" not in again
    assert (again["selected"], again["succeeded"]) == (report["failed"], 0)
    assert again["failed"] == again["failed_as_before"] == report["failed"]


def _labels_and_embeddings_without(
    settings: Settings, instance: dg.DagsterInstance, brand: Brand, tables: list[str], **ai_overrides: Any
) -> dg.ExecuteInJobResult:
    """The labels-and-embeddings step run while ``tables`` are renamed away (a database fault)."""
    with psycopg.connect(settings.database_url, autocommit=True) as conn:
        for table in tables:
            conn.execute(f"ALTER TABLE {table} RENAME TO {table}_away")
        try:
            return materialize(
                settings,
                instance,
                brand,
                AI_ASSETS,
                selection=[AD_LABELS, AD_EMBEDDINGS],
                raise_on_error=False,
                **ai_overrides,
            )
        finally:
            for table in tables:
                conn.execute(f"ALTER TABLE {table}_away RENAME TO {table}")


def test_labels_and_embeddings_share_a_step_and_a_database_fault_in_one_keeps_the_other(
    stack_settings: Settings, instance: dg.DagsterInstance, library_url: str, fake_openai: Any
) -> None:
    """Both stages run in one step on one governor, each with its own AI calls in its report; when
    labels cannot be stored, the embeddings are still recorded and the step fails with the cause;
    when neither can, the step fails with the first cause and logs the other."""
    brand = acquire_sample(stack_settings, library_url, "analysis-shared-step", "analyzed")
    openai = openai_overrides(fake_openai, concurrency=2)
    assert materialize(stack_settings, instance, brand, [ad_descriptions], **openai).success
    failed = _labels_and_embeddings_without(stack_settings, instance, brand, ["ad_labels"], **openai)
    assert not failed.success
    assert {event.asset_key for event in failed.get_asset_materialization_events()} == {AD_EMBEDDINGS}
    (failure,) = [event for event in failed.all_events if event.is_step_failure]
    assert "ad_labels" in failure.step_failure_data.error.message  # psycopg's UndefinedTable, named
    assert stage_metadata(failed, "ad_embeddings")["ai_calls"] == 1  # the shared governor also admitted label calls

    labelled = materialize(
        stack_settings,
        instance,
        brand,
        AI_ASSETS,
        selection=dg.AssetSelection.assets(AD_LABELS, AD_EMBEDDINGS).without_checks(),
        **openai,
    )
    assert labelled.success and not labelled.get_asset_check_evaluations()  # checks left out are not reported
    labels, embeddings = stage_metadata(labelled, "ad_labels"), stage_metadata(labelled, "ad_embeddings")
    assert (labels["succeeded"], labels["ai_calls"]) == (ADS_PER_BRAND, ADS_PER_BRAND)
    assert (embeddings["selected"], embeddings["ai_calls"]) == (0, 0)  # stored by the failed step: not paid twice

    with psycopg.connect(stack_settings.database_url) as conn:  # both stages due again, and neither can store
        conn.execute(
            "UPDATE ad_analysis_state SET version = 'older' WHERE stage IN ('label', 'embed') AND ad_id IN "
            "(SELECT id FROM ads WHERE brand_id = %s)",
            (brand.id,),
        )
    both = _labels_and_embeddings_without(stack_settings, instance, brand, ["ad_labels", "ad_embeddings"], **openai)
    assert not both.success and not both.get_asset_materialization_events()
    (failure,) = [event for event in both.all_events if event.is_step_failure]
    assert "ad_labels" in failure.step_failure_data.error.message
    logged = [record.user_message for record in instance.all_logs(both.run_id)]
    assert any(
        message.startswith("embed failed too: UndefinedTable") and "ad_embeddings" in message for message in logged
    )


def test_tracked_brands_are_skipped_with_a_reason(
    stack_settings: Settings, instance: dg.DagsterInstance, library_url: str
) -> None:
    with psycopg.connect(stack_settings.database_url) as conn:
        brand = upsert_brand(
            conn,
            partition_key="tracked-only",
            name="Tracked Only",
            status="tracked",
            sources=[BrandSource(Connector.APIFY, "1")],
        )
    result = materialize(stack_settings, instance, brand, [ad_descriptions])
    report = stage_metadata(result, "ad_descriptions")
    assert "tracked" in report["skipped_reason"] and report["ai_calls"] == 0


@pytest.fixture(scope="module")
def fake_openai() -> Iterator[Any]:
    from simulators.ai_service import FakeAIServer

    with FakeAIServer() as server:
        yield server


def test_openai_provider_reanalyses_on_version_change_and_records_failures(
    stack_settings: Settings, instance: dg.DagsterInstance, library_url: str, fake_openai: Any
) -> None:
    brand = acquire_sample(stack_settings, library_url, "analysis-openai", "analyzed")
    assert materialize(stack_settings, instance, brand, [ad_descriptions]).success  # local first

    fake_openai.configure(malformed_first_n=2 * 2)  # one ad at a time: two ads answer badly twice and fail
    result = materialize(
        stack_settings, instance, brand, [ad_descriptions], **openai_overrides(fake_openai, concurrency=1)
    )
    assert result.success  # a few failed ads do not fail the run: they are counted
    report = stage_metadata(result, "ad_descriptions")
    assert report["selected"] == ADS_PER_BRAND  # a new provider/model version makes every ad eligible
    assert (report["failed"], report["succeeded"]) == (2, ADS_PER_BRAND - 2)
    assert report["failure_reasons"] == {"ai_malformed_output": report["failed"]}
    assert report["input_tokens"] > 0 and report["estimated_cost_usd"] > 0
    with psycopg.connect(stack_settings.database_url) as conn:
        failed = conn.execute(
            "SELECT s.reason FROM ad_analysis_state s JOIN ads a ON a.id = s.ad_id "
            "WHERE a.brand_id = %s AND s.stage = 'describe' AND s.status = 'failed'",
            (brand.id,),
        ).fetchall()
    assert failed and {reason for (reason,) in failed} == {"ai_malformed_output"}

    retry = materialize(stack_settings, instance, brand, [ad_descriptions], **openai_overrides(fake_openai))
    again = stage_metadata(retry, "ad_descriptions")
    assert (again["selected"], again["succeeded"], again["failed"]) == (report["failed"], report["failed"], 0)


def test_a_budget_stops_ai_work_cleanly_and_the_next_run_finishes(
    stack_settings: Settings, instance: dg.DagsterInstance, library_url: str, fake_openai: Any
) -> None:
    brand = acquire_sample(stack_settings, library_url, "analysis-budget", "analyzed")
    stopped = materialize(
        stack_settings,
        instance,
        brand,
        [ad_descriptions],
        **openai_overrides(fake_openai, budget_usd=0.000001, concurrency=1),
    )
    assert stopped.success
    report = stage_metadata(stopped, "ad_descriptions")
    assert report["succeeded"] >= 1 and report["not_started_budget"] == ADS_PER_BRAND - report["succeeded"]
    assert report["not_started_budget"] > 0 and report["failed"] == 0

    finished = stage_metadata(
        materialize(stack_settings, instance, brand, [ad_descriptions], **openai_overrides(fake_openai)),
        "ad_descriptions",
    )
    assert finished["selected"] == report["not_started_budget"] and finished["failed"] == 0


def test_one_run_of_several_brands_shares_the_fan_out_and_batches_embeddings(
    stack_settings: Settings, instance: dg.DagsterInstance, library_url: str, fake_openai: Any
) -> None:
    """A backfill run of two brands (a partition range, as BRAND_BACKFILL_POLICY makes): both are
    analysed in one stage run, and the OpenAI embeddings of every ad go in one request."""
    first = acquire_sample(stack_settings, library_url, "analysis-range-a", "analyzed")
    second = acquire_sample(stack_settings, library_url, "analysis-range-b", "analyzed")
    instance.add_dynamic_partitions("brand", [first.partition_key, second.partition_key])
    resources = resources_for(stack_settings)
    resources["ai"] = AIResource(**{**resources["ai"].model_dump(), **openai_overrides(fake_openai, concurrency=8)})
    before = fake_openai.stats()
    result = dg.materialize(
        AI_ASSETS,
        selection=[AD_DESCRIPTIONS, AD_EMBEDDINGS],
        resources=resources,
        instance=instance,
        tags={
            "dagster/asset_partition_range_start": first.partition_key,
            "dagster/asset_partition_range_end": second.partition_key,
        },
    )
    assert result.success
    assert {event.asset_key for event in result.get_asset_materialization_events()} == {AD_DESCRIPTIONS, AD_EMBEDDINGS}
    described, embedded = stage_metadata(result, "ad_descriptions"), stage_metadata(result, "ad_embeddings")
    assert (described["brands"], described["succeeded"], described["ai_calls"]) == (
        2,
        2 * ADS_PER_BRAND,
        2 * ADS_PER_BRAND,
    )
    assert (embedded["succeeded"], embedded["ai_calls"]) == (2 * ADS_PER_BRAND, 1)  # 2 texts x 2 brands' ads <= 256
    after = fake_openai.stats()
    assert after["requests"]["embeddings"] - before["requests"].get("embeddings", 0) == 1
    with psycopg.connect(stack_settings.database_url) as conn:
        kinds = conn.execute(
            "SELECT e.kind, count(*) FROM ad_embeddings e JOIN ads a ON a.id = e.ad_id "
            "WHERE a.brand_id = ANY(%s) AND e.model = 'text-embedding-3-small' GROUP BY 1",
            ([first.id, second.id],),
        ).fetchall()
    assert dict(kinds) == {"text": 2 * ADS_PER_BRAND, "retrieval": 2 * ADS_PER_BRAND}


def test_two_runs_over_one_brand_pay_for_its_ads_once(
    stack_settings: Settings, library_url: str, fake_openai: Any
) -> None:
    """A sensor's run and a backfill's run reaching the same brand together: the second waits for
    the brand's lock, then finds every ad done."""
    brand = acquire_sample(stack_settings, library_url, "analysis-overlap", "analyzed")
    ai = AIResource(**{**resources_for(stack_settings)["ai"].model_dump(), **openai_overrides(fake_openai)})
    store = settings_object_store(stack_settings)

    async def one_run() -> StageReport:
        async with open_provider(ai.provider_config()) as provider:
            with open_mongo(stack_settings.mongo_uri, stack_settings.mongo_database) as database:
                return await analyze_brands(
                    DESCRIBE,
                    [brand],
                    provider=provider,
                    governor=AIGovernor(ai.limits()),
                    store=store,
                    connect=lambda: psycopg.connect(stack_settings.database_url),
                    analyses=database.ad_analyses,
                )

    async def both() -> list[StageReport]:
        return list(await asyncio.gather(one_run(), one_run()))

    before = fake_openai.stats()["requests_total"]
    reports = asyncio.run(both())
    assert sorted(report.succeeded for report in reports) == [0, ADS_PER_BRAND]
    assert sorted(report.unchanged for report in reports) == [0, ADS_PER_BRAND]
    assert sum(report.usage.calls for report in reports) == ADS_PER_BRAND
    assert fake_openai.stats()["requests_total"] - before == ADS_PER_BRAND
