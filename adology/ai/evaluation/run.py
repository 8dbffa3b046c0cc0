"""Run a provider over the evaluation set and time it: describe, then label and embed on the
description, per ad, as the assets run them; up to ``in_flight`` ads at once.

Timing: *seconds per ad* is the run's wall time over its ads (what a batch of ads costs with the
provider as busy as it can be kept), *CPU-seconds per ad* the CPU this process and its children
(a provider's process pool) spent over the run, per ad. Per-ad latency (an ad's first call to its
last answer) is reported beside them; with many ads in flight it includes waiting for a turn.
Rendering the set happens before the clock starts.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections import Counter
from collections.abc import Callable, Sequence

import psutil
from pydantic import BaseModel

from adology.ai.config import ProviderConfig
from adology.ai.evaluation.creatives import EvaluationAd, render_set
from adology.ai.evaluation.metrics import Answer, Figures, score
from adology.ai.evaluation.vocabulary import pool_of
from adology.ai.registry import open_provider
from adology.ai.routines import ROUTINES
from adology.ai.types import AdInput, AIError, Provider
from adology.logs import get_logger

log = get_logger(__name__)

# (stage, done, total, seconds since the stage began); stages: "rendering", "analysing"
Progress = Callable[[str, int, int, float], None]


class Timing(BaseModel):
    seconds_per_ad: float | None
    cpu_seconds_per_ad: float | None
    wall_seconds: float
    cpu_seconds: float
    latency_p50_seconds: float | None
    latency_p95_seconds: float | None
    ads_in_flight: int


class EvaluationReport(BaseModel):
    """One run of ``adology ai eval``: what was run on what, and the figures."""

    provider: str
    versions: dict[str, str]  # routine -> the version stored with its results
    seed: int
    set: str  # "development", "held-out" or "blind"
    ads: int
    formats: dict[str, int]
    languages: dict[str, int]
    typefaces: list[str]
    figures: Figures
    timing: Timing
    not_measured: list[str]


NOT_MEASURED = (
    "face detection on real faces: no photograph of a face is installed and a drawn face is not one, so "
    "face_count and people_present are scored on faceless creatives only",
    "labels the truth cannot decide (every UNIVERSAL and TREND label outside the decided lists) are not scored",
    "attributes the truth cannot decide (audience, tone, claims, ...) are not scored",
)
_OCR_NOT_MEASURED = "OCR words: the provider reported no text read (neither extracted_text nor text_read)"


async def evaluate(
    config: ProviderConfig, *, seed: int, count: int, in_flight: int, progress: Progress | None = None
) -> EvaluationReport:
    """Render ``count`` ads of ``seed``, run the provider ``config`` opens on them, and score the answers."""
    async with open_provider(config) as provider:
        return await evaluate_provider(provider, seed=seed, count=count, in_flight=in_flight, progress=progress)


async def evaluate_provider(
    provider: Provider, *, seed: int, count: int, in_flight: int, progress: Progress | None = None
) -> EvaluationReport:
    """:func:`evaluate` with a provider already open."""
    started = time.monotonic()
    # drawing is CPU work: off the event loop, which may be serving the provider's client
    ads = await asyncio.to_thread(
        render_set,
        seed,
        count,
        progress=(lambda done, total: progress("rendering", done, total, time.monotonic() - started))
        if progress is not None
        else None,
    )
    answers, timing = await answer_ads(provider, [ad.ad for ad in ads], in_flight=in_flight, progress=progress)
    figures = score([ad.truth for ad in ads], answers)
    return EvaluationReport(
        provider=provider.name,
        versions={name: routine.version(provider) for name, routine in ROUTINES.items()},
        seed=seed,
        set=pool_of(seed).value,
        ads=len(ads),
        formats=dict(Counter(ad.truth.format for ad in ads)),
        languages=dict(Counter(ad.truth.language for ad in ads)),
        typefaces=_typefaces(ads),
        figures=figures,
        timing=timing,
        not_measured=[*NOT_MEASURED, *([] if figures.ocr.measured else [_OCR_NOT_MEASURED])],
    )


def _typefaces(ads: Sequence[EvaluationAd]) -> list[str]:
    return sorted({face for ad in ads for face in ad.truth.typefaces})


async def answer_ads(
    provider: Provider, ads: Sequence[AdInput], *, in_flight: int, progress: Progress | None = None
) -> tuple[list[Answer], Timing]:
    """Each ad's answer, in order, and the run's timing."""
    slots = asyncio.Semaphore(in_flight)

    async def answer_one(ad: AdInput) -> Answer:
        async with slots:
            return await answer_ad(provider, ad)

    cpu_before = process_cpu_seconds()
    started = time.perf_counter()
    tasks = [asyncio.ensure_future(answer_one(ad)) for ad in ads]
    for done, finished in enumerate(asyncio.as_completed(tasks), start=1):
        await finished
        if progress is not None:
            progress("analysing", done, len(ads), time.perf_counter() - started)
    answers = [task.result() for task in tasks]
    wall = time.perf_counter() - started
    cpu = process_cpu_seconds() - cpu_before
    latencies = sorted(answer.seconds for answer in answers)
    timing = Timing(
        seconds_per_ad=round(wall / len(ads), 4) if ads else None,
        cpu_seconds_per_ad=round(cpu / len(ads), 4) if ads else None,
        wall_seconds=round(wall, 3),
        cpu_seconds=round(cpu, 3),
        latency_p50_seconds=round(statistics.median(latencies), 3) if latencies else None,
        latency_p95_seconds=round(latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))], 3)
        if latencies
        else None,
        ads_in_flight=in_flight,
    )
    log.info("evaluation run finished", extra={"provider": provider.name, "ads": len(ads), **timing.model_dump()})
    return answers, timing


async def answer_ad(provider: Provider, ad: AdInput) -> Answer:
    """Describe, then label and embed on that description (as the assets do); an AIError costs its routine."""
    started = time.perf_counter()
    failures: dict[str, str] = {}
    description = labels = None
    try:
        description, _ = await ROUTINES["describe"].run(provider, ad)
    except AIError as exc:
        failures["describe"] = exc.reason
    if description is not None:  # label and embed read the description: without one they wait, as in a run
        try:
            labels, _ = await ROUTINES["label"].run(provider, ad, description)
        except AIError as exc:
            failures["label"] = exc.reason
        try:
            await ROUTINES["embed"].run(provider, ad, description)
        except AIError as exc:
            failures["embed"] = exc.reason
    return Answer(
        ad_id=ad.ad_id,
        description=description,
        labels=labels,
        failures=failures,
        seconds=time.perf_counter() - started,
    )


def process_cpu_seconds() -> float:
    """CPU seconds of this process and its children so far: children that ended (as the system
    accounts them to their parent) and children still running, such as a provider's process pool."""
    me = psutil.Process()
    times = me.cpu_times()
    total = times.user + times.system + times.children_user + times.children_system
    for child in me.children(recursive=True):
        try:
            child_times = child.cpu_times()
        except (psutil.NoSuchProcess, psutil.AccessDenied):  # it ended meanwhile: its time is in children_*
            continue
        total += child_times.user + child_times.system
    return total
