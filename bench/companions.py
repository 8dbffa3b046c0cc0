"""The two side measurements of a benchmark run, on a small subset of the same library:

* the naive baseline — one ad at a time, each creative downloaded whole, then uploaded, then
  described, labelled and embedded, each result committed on its own — so the pipeline's
  speed-up is measured side by side, not claimed;
* the ``local`` provider's throughput (ads per second and per CPU-second), which is what a user
  of the embedded default gets without any AI service.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

import openai
import psycopg
from psycopg.types.json import Jsonb

from adology.acquisition.run import SourceConfig, build_clients
from adology.ai.local.provider import LocalProvider
from adology.ai.providers.openai_provider import OpenAIProvider
from adology.ai.types import AdInput, CreativeInput, CreativeKind, Description
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
    """describe + label + embed with the local provider, one ad at a time in this process.

    The sample is ordered by the ads' source ids, not by row id: row ids follow the order brands
    happened to be stored in, so the same library gave a different sample (and figure) per run."""
    store = settings_object_store(settings)
    with psycopg.connect(settings.database_url or "") as conn:
        rows = conn.execute(
            "SELECT id, title, body, link_url, cta, media FROM ads WHERE media_failure IS NULL"
            " ORDER BY source, source_ad_id LIMIT %s",
            (ads + 1,),
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
    provider = LocalProvider()
    await _local_ad(provider, inputs[0])  # loads the OCR and embedding models: not throughput
    started, cpu_started = time.monotonic(), time.process_time()
    for ad in inputs[1:]:
        await _local_ad(provider, ad)
    seconds, cpu = time.monotonic() - started, time.process_time() - cpu_started
    measured = len(inputs) - 1
    return {
        "ads": measured,
        "seconds": round(seconds, 1),
        "cpu_seconds": round(cpu, 1),
        "ads_per_second": round(measured / seconds, 2),
        "ads_per_cpu_second": round(measured / cpu, 2),
    }


async def _local_ad(provider: LocalProvider, ad: AdInput) -> None:
    description, _ = await provider.describe(ad)
    await provider.label(ad, description)
    await provider.embed(ad, description)


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
