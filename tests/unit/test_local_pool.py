"""The local provider's worker processes: same answers as in-process, a clean end, failures kept per ad.

Pinned here, on library creatives (an image, a carousel and a video): inside ``with LocalProvider()``
creatives are measured in worker processes and every routine's result is identical to measuring in
the caller's own process; each creative is measured once however many ads ask for it at once; the
workers are gone when the block ends; a creative's AIError comes back with its reason; a worker
that dies costs only the creatives it had (``local_worker_died``, retryable) and the next ad gets
new workers; and the pool is sized to the cores the process may use.
"""

from __future__ import annotations

import asyncio
import os
import signal
from typing import Any

import psutil
import pytest

from adology.ai.local.pool import available_cores
from adology.ai.local.provider import LocalProvider, MeasurementCache
from adology.ai.types import AdInput, AIError, CreativeInput, CreativeKind
from simulators.ad_sources.catalog import Catalog
from simulators.ad_sources.render import creatives_of


def _library_ad(catalog: Catalog, display_format: str) -> AdInput:
    ad = next(a for a in catalog.ads if a.display_format == display_format)
    creatives = []
    for render in creatives_of(ad):
        data = render()
        is_video = data[4:8] == b"ftyp"
        creatives.append(
            CreativeInput.from_bytes(
                data,
                kind=CreativeKind.VIDEO if is_video else CreativeKind.IMAGE,
                content_type="video/mp4" if is_video else "image/png" if data.startswith(b"\x89PNG") else "image/jpeg",
            )
        )
    return AdInput(ad_id=ad.ad_id, brand=ad.brand.name, title=ad.headline, cta=ad.cta, creatives=creatives)


@pytest.fixture(scope="module")
def ads() -> list[AdInput]:
    catalog = Catalog.generate(seed=7, ads=500)
    return [_library_ad(catalog, display_format) for display_format in ("IMAGE", "CAROUSEL", "VIDEO")]


async def _answers(provider: LocalProvider, ad: AdInput) -> dict[str, Any]:
    description, _ = await provider.describe(ad)
    labels, _ = await provider.label(ad, description)
    embeddings, _ = await provider.embed(ad, description)
    return {
        "description": description.model_dump(),
        "labels": labels.model_dump(),
        "embeddings": embeddings.model_dump(),
    }


def _workers_started_since(before: set[int]) -> set[int]:
    """Processes descending from this one that were not there before, less multiprocessing's own
    helpers: its fork server (a child of ours that stays, idle, to fork the next pool's workers,
    which are its children) and its resource tracker."""
    me = psutil.Process()
    helpers = {
        child.pid
        for child in me.children()
        if any(name in " ".join(child.cmdline()) for name in ("multiprocessing.forkserver", "resource_tracker"))
    }
    return {child.pid for child in me.children(recursive=True)} - before - helpers


def test_workers_answer_exactly_as_the_callers_own_process(ads: list[AdInput]) -> None:
    in_process = LocalProvider(cache=MeasurementCache(32))
    expected = [asyncio.run(_answers(in_process, ad)) for ad in ads]
    with LocalProvider(cache=MeasurementCache(32), workers=2) as provider:
        assert [asyncio.run(_answers(provider, ad)) for ad in ads] == expected


def test_each_creative_is_measured_once_however_many_ads_wait_for_it(ads: list[AdInput]) -> None:
    cache = MeasurementCache(32)
    carousel = ads[1]
    with LocalProvider(cache=cache, workers=2) as provider:

        async def ten_at_once() -> list[Any]:
            return await asyncio.gather(*(provider.describe(carousel) for _ in range(10)))

        answers = asyncio.run(ten_at_once())
    assert len({description.model_dump_json() for description, _ in answers}) == 1
    assert len(cache) == len(carousel.creatives)


def test_a_cancelled_caller_stops_waiting_while_the_others_get_the_measurement(ads: list[AdInput]) -> None:
    cache = MeasurementCache(32)
    video = ads[2]
    with LocalProvider(cache=cache, workers=1) as provider:

        async def one_cancelled() -> Any:
            impatient = asyncio.ensure_future(provider.describe(video))
            patient = asyncio.ensure_future(provider.describe(video))
            await asyncio.sleep(0.05)
            impatient.cancel()
            with pytest.raises(asyncio.CancelledError):
                await impatient
            return await patient

        description, _ = asyncio.run(one_cancelled())
    assert description.extracted_text
    assert len(cache) == len(video.creatives)


def test_measurements_a_closed_provider_left_are_measured_by_the_next(ads: list[AdInput]) -> None:
    cache = MeasurementCache(32)
    _, carousel, video = ads

    async def closed_while_waiting() -> Any:
        with LocalProvider(cache=cache, workers=1) as first:
            # one worker: the creatives past the two it has in hand are still queued when it closes
            waiting = [asyncio.ensure_future(first.describe(ad)) for ad in (carousel, video)]
            await asyncio.sleep(0.05)
        # the queued measurements were cancelled with the first pool; its callers go on in-process
        with LocalProvider(cache=cache, workers=1) as second:
            answers = [await second.describe(ad) for ad in (carousel, video)]
        assert [answer for answer, _ in await asyncio.gather(*waiting)] == [answer for answer, _ in answers]
        return answers

    assert all(description.extracted_text for description, _ in asyncio.run(closed_while_waiting()))
    assert len(cache) == len(carousel.creatives) + len(video.creatives)


def test_the_workers_end_with_the_block(ads: list[AdInput]) -> None:
    before = {child.pid for child in psutil.Process().children(recursive=True)}
    with LocalProvider(cache=MeasurementCache(32), workers=2) as provider:
        asyncio.run(_answers(provider, ads[1]))
        assert _workers_started_since(before)  # the workers that measured the carousel
    assert _workers_started_since(before) == set()


def test_a_creatives_failure_comes_back_with_its_reason() -> None:
    broken = CreativeInput.from_bytes(
        b"\xff\xd8\xff\xe0" + b"\x00" * 64, kind=CreativeKind.IMAGE, content_type="image/jpeg"
    )
    not_an_image = CreativeInput.from_bytes(b"hello, world", kind=CreativeKind.IMAGE, content_type="image/png")
    with LocalProvider(cache=MeasurementCache(8), workers=1) as provider:
        for creative, reason in ((broken, "corrupt_media"), (not_an_image, "unsupported_media")):
            with pytest.raises(AIError) as raised:
                asyncio.run(provider.describe(AdInput(ad_id=f"bad-{reason}", creatives=[creative])))
            assert raised.value.reason == reason


def test_a_dead_worker_costs_its_creatives_then_new_workers_measure(ads: list[AdInput]) -> None:
    image, carousel, _ = ads
    before = {child.pid for child in psutil.Process().children(recursive=True)}
    with LocalProvider(cache=MeasurementCache(32), workers=1) as provider:
        asyncio.run(provider.describe(image))
        (worker,) = _workers_started_since(before)
        os.kill(worker, signal.SIGKILL)
        # one creative in flight on the dead pool: with more, a creative still pending there could
        # be awaited again by the next call before the pool's failure reached it
        first_slide = carousel.model_copy(update={"creatives": carousel.creatives[:1]})
        with pytest.raises(AIError) as raised:
            asyncio.run(provider.describe(first_slide))
        assert (raised.value.reason, raised.value.retryable) == ("local_worker_died", True)
        description, _ = asyncio.run(provider.describe(carousel))  # measured by a new worker
    assert description.extracted_text


def test_the_pool_is_sized_to_the_cores_this_process_may_use() -> None:
    cores = available_cores()
    assert 1 <= cores <= (os.cpu_count() or 1)
    if hasattr(os, "sched_getaffinity"):
        assert cores == len(os.sched_getaffinity(0))


def test_a_provider_is_opened_once() -> None:
    provider = LocalProvider(cache=MeasurementCache(4), workers=1)
    with provider, pytest.raises(RuntimeError, match="already open"), provider:
        pass
