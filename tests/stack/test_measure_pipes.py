"""The local provider's measurement as a Dagster Pipes burst, tested without AWS as Dagster tests its
clients: ``ADOLOGY_MEASURE_IN=subprocess`` runs ``workers.measure`` in a subprocess whose Pipes context
and messages go through the session stack's SeaweedFS, as a Lambda function or an ECS task would run
it. The describe step of real library ads (images, a carousel, a video) hands its creatives over,
hears back through Pipes, and describes every ad; the measurements the worker left are the very ones
this process makes of the same creatives."""

from __future__ import annotations

import pickle
import secrets

import dagster as dg
import psycopg

from adology.ai.local.measurements import measure_creative
from adology.ai.local.provider import LocalProvider
from adology.ai.local.stored import StoredCreative, creatives_to_describe, load_measurements
from adology.ai.routines import ROUTINES
from adology.ai.types import CreativeInput
from adology.settings import Settings
from adology.storage.aws import settings_object_store
from adology.storage.s3 import ObjectStore
from adology_assets.interpretation import ad_descriptions
from resources import resources_for
from resources.measurement import MeasurementResource
from tests.stack.analysis_support import acquire_sample


def test_a_describe_step_measures_its_creatives_through_pipes_with_the_results_of_the_run(
    stack_settings: Settings, library_url: str
) -> None:
    brand = acquire_sample(stack_settings, library_url, f"pipes-{secrets.token_hex(3)}", "analyzed")
    with psycopg.connect(stack_settings.database_url or "") as conn:
        creatives = creatives_to_describe(conn, [brand.id], ROUTINES["describe"].version(LocalProvider()))
    assert len(creatives) >= 6 and {creative.kind.value for creative in creatives} == {"image", "video"}

    resources = resources_for(stack_settings) | {"measurement": MeasurementResource(measure_in="subprocess")}
    with dg.DagsterInstance.ephemeral() as instance:
        instance.add_dynamic_partitions("brand", [brand.partition_key])
        result = dg.materialize(
            [ad_descriptions],
            partition_key=brand.partition_key,
            resources=resources,
            instance=instance,
            selection=[dg.AssetKey("ad_descriptions")],
        )
        logged = [event.message for event in instance.all_logs(result.run_id) if event.message]
    assert result.success
    (report,) = [message for message in logged if "measured outside the run (subprocess)" in message]
    assert f": {len(creatives)} of {len(creatives)} creatives" in report and "failed none" in report

    with psycopg.connect(stack_settings.database_url or "") as conn:
        (described,) = conn.execute(
            "SELECT count(*) FROM ad_descriptions d JOIN ads a ON a.id = d.ad_id WHERE a.brand_id = %s", (brand.id,)
        ).fetchone() or (0,)
        (ads,) = conn.execute(
            "SELECT count(*) FROM ads WHERE brand_id = %s AND media @? '$[*] ? (@.s3_key != null)'", (brand.id,)
        ).fetchone() or (0,)
    assert described == ads > 0

    store = settings_object_store(stack_settings)
    from_worker = load_measurements(store, creatives)
    assert set(from_worker) == {creative.cache_key for creative in creatives}
    for creative in creatives:
        here = measure_creative(_input(store, creative))
        assert pickle.dumps(from_worker[creative.cache_key]) == pickle.dumps(here), creative.key


def _input(store: ObjectStore, creative: StoredCreative) -> CreativeInput:
    data = store.get_bytes(key=creative.key)
    return CreativeInput(kind=creative.kind, content_type=creative.content_type, sha256=creative.sha256, data=data)
