"""The AI assets under faults, on the real stack and the fake AI service, pinning down that a run's
outcome is honest and that no store's fault loses or corrupts what an ad's analysis recorded:

- every ad failing (the service throttling every call past its retries) fails the step with the
  reasons and counts, after each stage of the step recorded its materialization; a few failing ads
  only count;
- an ad whose current describe attempt failed, or whose description is of another describe version,
  waits: it is not labelled or embedded from its older description;
- S3 refusing some of a batch's log entries (a bucket policy), or the database refusing its rows,
  leaves the batch's ads not done; the next run stores them, and each attempt is in the ad's S3 log
  and in Mongo once;
- an ad naming a creative acquisition could not store waits for it, a text-only ad is described,
  and the ads waiting are described once acquisition stores their creatives.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import dagster as dg
import psycopg
import pytest

from adology.acquisition.rows import NO_MEDIA_REASON
from adology.ai.providers.calls import RetryPolicy
from adology.analysis.records import read_ad_log
from adology.brands import Brand
from adology.settings import Settings
from adology.sources.models import MediaKind, MediaRef
from adology.storage.aws import settings_object_store
from adology.storage.mongo import open_mongo
from adology.storage.s3 import ObjectStore, ObjectStoreError
from adology_assets.interpretation import ad_descriptions
from adology_assets.vocabulary import AD_EMBEDDINGS, AD_LABELS
from simulators.ai_service import FakeAIServer, FakeServerConfig
from tests.stack.analysis_support import (
    ADS_PER_BRAND,
    AI_ASSETS,
    acquire,
    acquire_sample,
    library_sample,
    materialize,
    openai_overrides,
    stage_metadata,
)

LABELS_AND_EMBEDDINGS = [AD_LABELS, AD_EMBEDDINGS]
# every call answered 429 (with no wait asked): each ad fails once its call is out of attempts
THROTTLE_EVERYTHING = 1_000_000
ATTEMPTS_PER_CALL = RetryPolicy().max_attempts  # a call's attempts: the providers keep the policy's default


@pytest.fixture(scope="module")
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.instance_for_test() as test_instance:
        yield test_instance


@pytest.fixture(scope="module")
def fake_ai() -> Iterator[FakeAIServer]:
    with FakeAIServer(FakeServerConfig(retry_after_seconds=0.0)) as server:
        yield server


def _step_failure(result: dg.ExecuteInJobResult) -> dg.DagsterEvent:
    (failure,) = [event for event in result.all_events if event.is_step_failure]
    return failure


def _stage_rows(settings: Settings, brand: Brand, stage: str) -> list[tuple[str, str, str | None]]:
    with psycopg.connect(settings.database_url) as conn:
        return conn.execute(
            "SELECT s.version, s.status, s.reason FROM ad_analysis_state s JOIN ads a ON a.id = s.ad_id "
            "WHERE a.brand_id = %s AND s.stage = %s",
            (brand.id, stage),
        ).fetchall()


def test_every_ad_failing_fails_the_step_with_the_reasons_and_a_few_failing_ads_only_count(
    stack_settings: Settings, instance: dg.DagsterInstance, library_url: str, fake_ai: FakeAIServer
) -> None:
    brand = acquire_sample(stack_settings, library_url, "recovery-all-fail", "analyzed")
    fake_ai.configure(fail_first_n=THROTTLE_EVERYTHING)
    try:
        failed = materialize(
            stack_settings, instance, brand, [ad_descriptions], raise_on_error=False, **openai_overrides(fake_ai)
        )
    finally:
        fake_ai.configure(fail_first_n=0)
    assert not failed.success
    report = stage_metadata(failed, "ad_descriptions")  # recorded before the step failed
    assert (report["selected"], report["failed"], report["succeeded"]) == (ADS_PER_BRAND, ADS_PER_BRAND, 0)
    assert report["failure_reasons"] == {"ai_rate_limited": ADS_PER_BRAND}
    reason = f"describe failed for {ADS_PER_BRAND} of {ADS_PER_BRAND} ads attempted (ai_rate_limited: {ADS_PER_BRAND})"
    assert report["step_failure"] == reason
    failure = _step_failure(failed).step_failure_data
    assert reason in failure.error.message
    assert failure.user_failure_data.metadata["failed_stages"].value == {
        "describe": {
            "attempted": ADS_PER_BRAND,
            "failed": ADS_PER_BRAND,
            "failed_as_before": 0,
            "failure_reasons": {"ai_rate_limited": ADS_PER_BRAND},
        }
    }
    assert {status for _, status, _ in _stage_rows(stack_settings, brand, "describe")} == {"failed"}

    # one ad at a time, every attempt of the first one's call throttled: it alone fails, the step succeeds
    fake_ai.configure(fail_first_n=ATTEMPTS_PER_CALL)
    partly = materialize(stack_settings, instance, brand, [ad_descriptions], **openai_overrides(fake_ai, concurrency=1))
    report = stage_metadata(partly, "ad_descriptions")
    assert partly.success and "step_failure" not in report
    assert (report["failed"], report["succeeded"]) == (1, ADS_PER_BRAND - 1)
    assert report["failure_reasons"] == {"ai_rate_limited": 1}


def test_labels_and_embeddings_each_record_their_failures_before_the_step_fails(
    stack_settings: Settings, instance: dg.DagsterInstance, library_url: str, fake_ai: FakeAIServer
) -> None:
    brand = acquire_sample(stack_settings, library_url, "recovery-both-fail", "analyzed")
    assert materialize(stack_settings, instance, brand, [ad_descriptions], **openai_overrides(fake_ai)).success
    fake_ai.configure(fail_first_n=THROTTLE_EVERYTHING)
    try:
        failed = materialize(
            stack_settings,
            instance,
            brand,
            AI_ASSETS,
            selection=LABELS_AND_EMBEDDINGS,
            raise_on_error=False,
            **openai_overrides(fake_ai),
        )
    finally:
        fake_ai.configure(fail_first_n=0)
    assert not failed.success
    assert {event.asset_key for event in failed.get_asset_materialization_events()} == set(LABELS_AND_EMBEDDINGS)
    message = _step_failure(failed).step_failure_data.error.message
    for stage, asset in (("label", "ad_labels"), ("embed", "ad_embeddings")):
        report = stage_metadata(failed, asset)
        assert (report["failed"], report["failure_reasons"]) == (ADS_PER_BRAND, {"ai_rate_limited": ADS_PER_BRAND})
        assert f"{stage} failed for {ADS_PER_BRAND} of {ADS_PER_BRAND} ads attempted" in message


def test_an_ad_is_never_labelled_or_embedded_from_a_description_its_describe_state_does_not_hold(
    stack_settings: Settings, instance: dg.DagsterInstance, library_url: str, fake_ai: FakeAIServer
) -> None:
    brand = acquire_sample(stack_settings, library_url, "recovery-stale-description", "analyzed")
    assert materialize(stack_settings, instance, brand, AI_ASSETS).success  # local: described, labelled, embedded
    openai = openai_overrides(fake_ai)

    # the descriptions are of the local describe version: OpenAI's label and embed wait for its own
    early = materialize(stack_settings, instance, brand, AI_ASSETS, selection=LABELS_AND_EMBEDDINGS, **openai)
    for asset in ("ad_labels", "ad_embeddings"):
        report = stage_metadata(early, asset)
        assert (report["selected"], report["ai_calls"], report["waiting_for_description"]) == (0, 0, ADS_PER_BRAND)
        assert report["waiting_reasons"] == {"description_outdated": ADS_PER_BRAND}

    fake_ai.configure(fail_first_n=THROTTLE_EVERYTHING)  # the re-describe fails for every ad
    try:
        assert not materialize(
            stack_settings, instance, brand, [ad_descriptions], raise_on_error=False, **openai
        ).success
    finally:
        fake_ai.configure(fail_first_n=0)
    waiting = materialize(stack_settings, instance, brand, AI_ASSETS, selection=LABELS_AND_EMBEDDINGS, **openai)
    assert waiting.success
    for asset in ("ad_labels", "ad_embeddings"):
        report = stage_metadata(waiting, asset)
        assert (report["selected"], report["ai_calls"], report["waiting_for_description"]) == (0, 0, ADS_PER_BRAND)
        assert report["waiting_reasons"] == {"description_failed": ADS_PER_BRAND}
    for stage in ("label", "embed"):  # still the local results: nothing was made from the older text
        assert {version.split("/")[0] for version, _, _ in _stage_rows(stack_settings, brand, stage)} == {"local"}

    assert materialize(stack_settings, instance, brand, [ad_descriptions], **openai).success
    labelled = materialize(stack_settings, instance, brand, AI_ASSETS, selection=LABELS_AND_EMBEDDINGS, **openai)
    for asset in ("ad_labels", "ad_embeddings"):
        report = stage_metadata(labelled, asset)
        assert (report["succeeded"], report["waiting_for_description"]) == (ADS_PER_BRAND, 0)
    with psycopg.connect(stack_settings.database_url) as conn:
        label_inputs = conn.execute(
            "SELECT s.input_hash FROM ad_analysis_state s JOIN ads a ON a.id = s.ad_id "
            "WHERE a.brand_id = %s AND s.stage = 'label'",
            (brand.id,),
        ).fetchall()
    # a label's inputs name the describe version it read: OpenAI's, now that it holds
    assert {digest.split(":", 1)[1].split("/")[0] for (digest,) in label_inputs} == {"openai"}


def _wait_until_writes(store: ObjectStore, brand: Brand, *, refused: list[int], allowed: list[int]) -> None:
    """Wait until SeaweedFS enforces the bucket policy just put or deleted on every one of these ads'
    logs, three probe rounds in a row: it reaches the S3 gateway asynchronously, and a single probe
    that passes does not mean the next writes meet the same policy."""
    deadline = time.monotonic() + 30

    def writable(ad_id: int) -> bool:
        key = f"logs/{brand.partition_key}/{ad_id}/policy-probe"
        try:
            store.put_bytes(key=key, data=b"probe")
        except ObjectStoreError:
            return False
        store.client.delete_object(Bucket=store.bucket, Key=key)
        return True

    rounds_in_force = 0
    while rounds_in_force < 3:
        assert time.monotonic() < deadline, "the bucket policy never took effect"
        in_force = all(writable(ad_id) for ad_id in allowed) and not any(writable(ad_id) for ad_id in refused)
        rounds_in_force = rounds_in_force + 1 if in_force else 0
        time.sleep(0.2)


def _refusing_log_writes(store: ObjectStore, brand: Brand, ad_ids: list[int]) -> dict[str, Any]:
    """A bucket policy under which S3 refuses every write to these ads' logs (and nothing else)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:PutObject",
                "Resource": [f"arn:aws:s3:::{store.bucket}/logs/{brand.partition_key}/{ad_id}/*" for ad_id in ad_ids],
            }
        ],
    }


def test_a_store_fault_while_a_batch_is_stored_leaves_its_ads_not_done_and_logs_each_attempt_once(
    stack_settings: Settings, instance: dg.DagsterInstance, library_url: str
) -> None:
    brand = acquire_sample(stack_settings, library_url, "recovery-store-fault", "analyzed")
    store = settings_object_store(stack_settings)
    with psycopg.connect(stack_settings.database_url) as conn:
        ad_ids = [row[0] for row in conn.execute("SELECT id FROM ads WHERE brand_id = %s ORDER BY id", (brand.id,))]
    refused, written = ad_ids[::2], ad_ids[1::2]

    # S3 refuses half the batch's log entries: the other half are written, and no ad is done
    policy = _refusing_log_writes(store, brand, refused)
    store.client.put_bucket_policy(Bucket=store.bucket, Policy=json.dumps(policy))
    try:
        _wait_until_writes(store, brand, refused=refused, allowed=written)
        s3_fault = materialize(stack_settings, instance, brand, [ad_descriptions], raise_on_error=False)
    finally:
        store.client.delete_bucket_policy(Bucket=store.bucket)
        _wait_until_writes(store, brand, refused=[], allowed=ad_ids)
    assert not s3_fault.success
    cause = _step_failure(s3_fault).step_failure_data.error.cause
    assert cause is not None and cause.cls_name == "ObjectStoreError" and "AccessDenied" in cause.message
    assert _stage_rows(stack_settings, brand, "describe") == []
    entries = {ad_id: len(read_ad_log(store, brand.partition_key, ad_id)) for ad_id in ad_ids}
    assert entries == {ad_id: int(ad_id in written) for ad_id in ad_ids}

    described = materialize(stack_settings, instance, brand, [ad_descriptions])
    assert stage_metadata(described, "ad_descriptions")["succeeded"] == ADS_PER_BRAND

    # the database refuses the labels after their logs and documents are written: they are not done
    with psycopg.connect(stack_settings.database_url, autocommit=True) as conn:
        conn.execute("ALTER TABLE ad_labels RENAME TO ad_labels_away")
        try:
            database_fault = materialize(
                stack_settings, instance, brand, AI_ASSETS, selection=LABELS_AND_EMBEDDINGS, raise_on_error=False
            )
        finally:
            conn.execute("ALTER TABLE ad_labels_away RENAME TO ad_labels")
    assert not database_fault.success and _stage_rows(stack_settings, brand, "label") == []
    assert len(_stage_rows(stack_settings, brand, "embed")) == ADS_PER_BRAND

    recovered = materialize(stack_settings, instance, brand, AI_ASSETS, selection=LABELS_AND_EMBEDDINGS)
    assert stage_metadata(recovered, "ad_labels")["succeeded"] == ADS_PER_BRAND
    assert stage_metadata(recovered, "ad_embeddings")["selected"] == 0
    for ad_id in ad_ids:  # every attempt once, in order, in the log and in Mongo
        log = read_ad_log(store, brand.partition_key, ad_id)
        assert log[0]["stage"] == "describe" and sorted(entry["stage"] for entry in log[1:]) == ["embed", "label"]
        assert {entry["status"] for entry in log} == {"succeeded"}
    with open_mongo(stack_settings.mongo_uri, stack_settings.mongo_database) as database:
        documents = list(database.ad_analyses.find({"brand": brand.partition_key}))
    assert sorted((document["ad_id"], document["stage"]) for document in documents) == sorted(
        (ad_id, stage) for ad_id in ad_ids for stage in ("describe", "label", "embed")
    )


def test_an_ad_waits_for_a_creative_acquisition_could_not_store_while_a_text_ad_is_described(
    stack_settings: Settings, instance: dg.DagsterInstance, library_url: str
) -> None:
    page_id, sample = library_sample(library_url, "recovery-creatives")
    unstored = MediaRef(kind=MediaKind.IMAGE, url=f"{library_url}/faults/404")
    lost, partly, text_only = sample[-3:]
    originals = {ad.source_ad_id: list(ad.media) for ad in (lost, partly)}
    lost.media = [unstored]  # its only creative fails: the ad records the failure
    partly.media = [*partly.media, unstored]  # one of its creatives fails, the others are stored
    text_only.media = []  # no creative at all: described from its text
    assert text_only.title or text_only.body
    brand = acquire(stack_settings, library_url, "recovery-creatives", "analyzed", page_id, sample)
    with psycopg.connect(stack_settings.database_url) as conn:
        stored = {
            source_ad_id: (media_failure, keys)
            for source_ad_id, media_failure, keys in conn.execute(
                "SELECT source_ad_id, media_failure, jsonb_path_query_array(media, '$[*].s3_key') FROM ads "
                "WHERE source_ad_id = ANY(%s)",
                ([lost.source_ad_id, partly.source_ad_id, text_only.source_ad_id],),
            )
        }
    assert stored[lost.source_ad_id][0] and stored[lost.source_ad_id][1] == [None]  # failed, not "no creative"
    assert stored[partly.source_ad_id][0] is None and stored[partly.source_ad_id][1][-1] is None
    assert stored[text_only.source_ad_id] == (NO_MEDIA_REASON, [])

    first = materialize(stack_settings, instance, brand, [ad_descriptions])
    report = stage_metadata(first, "ad_descriptions")
    assert first.success
    assert (report["selected"], report["succeeded"], report["waiting_for_creative"]) == (
        ADS_PER_BRAND - 2,
        ADS_PER_BRAND - 2,
        2,
    )
    assert report["waiting_reasons"] == {"creative_not_stored": 2}
    with psycopg.connect(stack_settings.database_url) as conn:
        described = {
            source_ad_id
            for (source_ad_id,) in conn.execute(
                "SELECT a.source_ad_id FROM ad_descriptions d JOIN ads a ON a.id = d.ad_id WHERE a.brand_id = %s",
                (brand.id,),
            )
        }
    assert text_only.source_ad_id in described and not described & set(originals)

    for ad in (lost, partly):  # acquisition stores their creatives this time
        ad.media = originals[ad.source_ad_id]
    acquire(stack_settings, library_url, "recovery-creatives", "analyzed", page_id, sample)
    second = stage_metadata(materialize(stack_settings, instance, brand, [ad_descriptions]), "ad_descriptions")
    assert (second["selected"], second["succeeded"], second["waiting_for_creative"]) == (2, 2, 0)
