"""The two side measurements of a benchmark run, on a small subset of the same library:

* the naive baseline — one ad at a time, each creative downloaded whole, then uploaded, then
  described, labelled and embedded, each result committed on its own — so the pipeline's
  speed-up is measured side by side, not claimed;
* the ``local`` provider's throughput (ads per second, per core and per CPU-second), which is what
  a user of the embedded default gets without any AI service.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from typing import Any

import openai
import psutil
import psycopg
from psycopg.types.json import Jsonb

from adology.acquisition.run import SourceConfig, build_clients
from adology.ai.local.pool import available_cores
from adology.ai.local.provider import LocalProvider
from adology.ai.providers.openai_provider import OpenAIProvider
from adology.ai.types import AdInput, CreativeInput, CreativeKind, Description
from adology.errors import AdologyError
from adology.settings import Settings
from adology.sources.http import http_client
from adology.sources.models import Connector, NormalizedAd
from adology.storage.aws import settings_object_store


async def naive_baseline(
    settings: Settings, sources: SourceConfig, handle: str, ai_base_url: str, ads: int
) -> dict[str, Any]:
    store = settings_object_store(settings)
    async with http_client(timeout=60) as http:
        sample = await _first_ads_with_media(build_clients(sources, http)[Connector.APIFY], handle, ads)
        client = openai.AsyncOpenAI(base_url=ai_base_url, api_key="sk-bench")
        provider = OpenAIProvider(client)
        with psycopg.connect(settings.database_url or "", autocommit=True) as conn:
            conn.execute("CREATE TEMP TABLE naive_results (ad text, stage text, result jsonb)")
            started = time.monotonic()
            for ad in sample:
                creatives = []
                for ref in ad.media:
                    async with http.get(ref.url) as response:  # whole body in memory, then the upload
                        response.raise_for_status()
                        data = await response.read()
                        content_type = response.headers.get("content-type", "application/octet-stream")
                    store.put_bytes(
                        key=f"bench-naive/{hashlib.sha256(data).hexdigest()}", data=data, content_type=content_type
                    )
                    kind = CreativeKind.VIDEO if content_type.startswith("video/") else CreativeKind.IMAGE
                    creatives.append(CreativeInput.from_bytes(data, kind=kind, content_type=content_type))
                ad_input = AdInput(
                    ad_id=ad.source_ad_id,
                    title=ad.title,
                    body=ad.body,
                    link_url=ad.link_url,
                    cta=ad.cta,
                    creatives=creatives,
                )
                description, _ = await provider.describe(ad_input)
                _save(conn, ad, "describe", description)
                labels, _ = await provider.label(ad_input, description)
                _save(conn, ad, "label", labels)
                embeddings, _ = await provider.embed(ad_input, description)
                _save(conn, ad, "embed", embeddings)
            seconds = time.monotonic() - started
        await client.close()
    return {
        "ads": len(sample),
        "seconds": round(seconds, 1),
        "seconds_per_ad": round(seconds / len(sample), 3),
        "ai_calls": 3 * len(sample),
    }


async def local_throughput(settings: Settings, ads: int) -> dict[str, Any]:
    """describe + label + embed with the local provider as a run uses it: opened as a block (its
    measuring processes, one per core), ads in flight as the fan-out keeps them.

    The sample is ordered by the ads' source ids, not by row id: row ids follow the order brands
    happened to be stored in, so the same library gave a different sample (and figure) per run.
    The first ad per core is measured before the clock starts: it starts a worker and loads its
    models, a cost paid once per run, not per ad. CPU time counts this process and its workers."""
    cores = available_cores()
    store = settings_object_store(settings)
    with psycopg.connect(settings.database_url or "") as conn:
        rows = conn.execute(
            "SELECT id, title, body, link_url, cta, media FROM ads WHERE media_failure IS NULL"
            " ORDER BY source, source_ad_id LIMIT %s",
            (ads + cores,),
        ).fetchall()
    inputs = []
    for ad_id, title, body, link_url, cta, media in rows:
        creatives = [
            CreativeInput(
                kind=CreativeKind.VIDEO if m["content_type"].startswith("video/") else CreativeKind.IMAGE,
                content_type=m["content_type"],
                sha256=m["sha256"],
                data=store.get_bytes(key=m["s3_key"]),
            )
            for m in media
            if m.get("s3_key")
        ]
        inputs.append(
            AdInput(ad_id=str(ad_id), title=title, body=body, link_url=link_url, cta=cta, creatives=creatives)
        )
    # one warm-up ad per core when the library has them, the rest timed
    warm_up_count = min(cores, max(0, len(inputs) - ads))
    warm_up, measured = inputs[:warm_up_count], inputs[warm_up_count:]
    if not measured:
        raise AdologyError("the benchmark library stored no ad with its creatives to time the local provider on")
    in_flight = asyncio.Semaphore(settings.ai_concurrency)  # as many as a run's fan-out keeps going
    with LocalProvider(workers=cores) as provider:

        async def one_ad(ad: AdInput) -> None:
            async with in_flight:
                await _local_ad(provider, ad)

        await asyncio.gather(*(one_ad(ad) for ad in warm_up))
        started, cpu_started = time.monotonic(), _cpu_seconds_with_children()
        await asyncio.gather(*(one_ad(ad) for ad in measured))
        seconds = time.monotonic() - started
        cpu = _cpu_seconds_with_children(since=cpu_started)
    return {
        "ads": len(measured),
        "cores": cores,
        "seconds": round(seconds, 1),
        "cpu_seconds": round(sum(cpu.values()), 1),
        "ads_per_second": round(len(measured) / seconds, 2),
        # the pool runs one worker per core: ads a second over the cores they ran on
        "ads_per_second_per_core": round(len(measured) / seconds / cores, 2),
        "ads_per_cpu_second": round(len(measured) / sum(cpu.values()), 2),
    }


async def _local_ad(provider: LocalProvider, ad: AdInput) -> None:
    description, _ = await provider.describe(ad)
    await provider.label(ad, description)
    await provider.embed(ad, description)


def _cpu_seconds_with_children(since: dict[int, float] | None = None) -> dict[int, float]:
    """CPU seconds by pid of this process and its descendants (the local provider's workers), less
    what each had used at ``since``."""
    me = psutil.Process()
    used: dict[int, float] = {}
    for process in (me, *me.children(recursive=True)):
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:  # a process that ended meanwhile
            continue
        used[process.pid] = times.user + times.system - (since or {}).get(process.pid, 0.0)
    return used


async def _first_ads_with_media(client: Any, handle: str, count: int) -> list[NormalizedAd]:
    sample: list[NormalizedAd] = []
    async for page in client.fetch(handle):
        sample += [ad for ad in page.ads if ad.media][: count - len(sample)]
        if len(sample) >= count:
            break
    return sample


def _save(conn: psycopg.Connection, ad: NormalizedAd, stage: str, result: Description | Any) -> None:
    conn.execute(
        "INSERT INTO naive_results VALUES (%s, %s, %s)", (ad.source_ad_id, stage, Jsonb(result.model_dump(mode="json")))
    )
