"""``adology bench``: N ads across M brands, acquired and analysed end to end, against the AI-bound floor.

1. A library of N ads is generated and its creatives drawn into the on-disk render cache (not timed).
2. A fresh embedded stack starts in its own state directory and ports; the fake OpenAI-compatible
   service runs as its own process with latency L ± jitter, at most C calls in flight and R requests
   per minute, and the ``openai`` provider points at it.
3. The product's sensors and schedules are stopped (they would start runs of their own over the
   same brands), the brands are registered as analyzed, their partitions added, and runs of ``ads`` →
   ``ad_descriptions``, ``ad_labels``, ``ad_embeddings`` over ten brands each (the runs the
   backfill policy makes) are submitted through the Dagster webserver: the queued run coordinator,
   the run launcher and run workers do the rest (see :mod:`bench.dagster_graphql`).
4. The same runs again (nothing new: no AI call, no media), the naive baseline and the local
   provider's throughput on subsets.
5. ``insights_seconds``: one brand of analysed ads (20,000 by default) synthesised in the same
   Postgres, its insights loaded and computed, timed in parts (see :mod:`bench.insights`).
6. One JSON object, printed last.

The AI-bound floor is the time the AI service alone needs: calls × L ÷ C, or calls ÷ (R / 60),
whichever is larger. Each run gets C and R divided by the runs executing at once, so
together they never exceed the service's limits. Beside it stands what the machine needs: the
first run's CPU seconds, per role (run workers, Postgres, SeaweedFS, the library, the fake
service, ...), spread over every core.
"""

from __future__ import annotations

import asyncio
import math
import os
import shutil
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import click
import httpx
import psycopg

from adology.acquisition.run import SourceConfig
from adology.errors import StackError
from adology.settings import Settings, load_settings
from adology.stack import Stack
from adology.stack.process import spawn, stop_signals_raise, terminate
from adology.storage.postgres import one_row
from adology_assets.dev import DagsterDev
from adology_assets.vocabulary import ADS, AI_ASSETS, KIND_TAG, PIPELINE
from bench.companions import local_throughput, naive_baseline
from bench.dagster_graphql import (
    FINISHED,
    DagsterGraphQL,
    materialization_totals,
    stage_seconds,
)
from bench.insights import insights_figures
from bench.prerender import prerender
from bench.processes import ProcessSampler
from simulators.ad_sources.seeding import register_library_brands

# Runs as a backfill makes them (BRAND_BACKFILL_POLICY: ten brands per run), as many at once as
# dagster.yaml lets a backfill have (`dagster/backfill`: 2), so interactive requests keep their room.
BACKFILL_RUNS_AT_ONCE = 2
BRANDS_PER_RUN = 10
# gpt-4.1-mini's highest published tier allows 150M tokens per minute; tokens are not what limits here.
TOKENS_PER_MINUTE = 150_000_000


@dataclass
class BenchOptions:
    ads: int = 10_000
    brands: int = 20
    seed: int = 7
    latency_seconds: float = 0.8
    jitter_seconds: float = 0.2
    max_concurrency: int = 256
    requests_per_minute: int = 30_000
    naive_ads: int = 10
    local_ads: int = 100
    insights_ads: int = 20_000
    port_base: int = 17_000
    state_dir: Path = Path(".adology/bench")
    render_cache: Path = Path(".adology/library-cache")
    render_workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    timeout_seconds: float = 3_600.0


def _say(message: str) -> None:
    click.echo(message, err=True)


def _environment(options: BenchOptions, runs_at_once: int) -> dict[str, str]:
    base = options.port_base
    return {
        "ADOLOGY_ENV": "local",
        "ADOLOGY_STATE_DIR": str(options.state_dir.resolve()),
        "ADOLOGY_PG_PORT": str(base),
        "ADOLOGY_S3_PORT": str(base + 10),
        "ADOLOGY_SQS_PORT": str(base + 20),
        "ADOLOGY_DAGSTER_PORT": str(base + 30),
        "ADOLOGY_LIBRARY_PORT": str(base + 40),
        "ADOLOGY_API_PORT": str(base + 45),
        "ADOLOGY_LIBRARY_ADS": str(options.ads),
        "ADOLOGY_LIBRARY_BRANDS": str(options.brands),
        "ADOLOGY_LIBRARY_SEED": str(options.seed),
        "ADOLOGY_LIBRARY_CACHE_DIR": str(options.render_cache.resolve()),
        "ADOLOGY_AI_PROVIDER": "openai",
        "OPENAI_BASE_URL": f"http://127.0.0.1:{base + 50}/v1",
        "OPENAI_API_KEY": "sk-bench-local",
        "ADOLOGY_AI_CONCURRENCY": str(max(1, options.max_concurrency // runs_at_once)),
        "ADOLOGY_AI_RPM": str(options.requests_per_minute / runs_at_once),
        "ADOLOGY_AI_TPM": str(TOKENS_PER_MINUTE / runs_at_once),
    }


# derived from the state directory and ports above; a value inherited from the shell would point
# the benchmark at another stack
_DERIVED = (
    "DATABASE_URL",
    "DAGSTER_POSTGRES_URL",
    "MONGO_URI",
    "DAGSTER_HOME",
    "AWS_ENDPOINT_URL_S3",
    "META_API_BASE_URL",
    "APIFY_BASE_URL",
    "SERPAPI_BASE_URL",
    "ADOLOGY_MEDIA_ALLOWED_ENDPOINTS",
)


class _FakeAIService:
    """The OpenAI-compatible fake as its own process, so it never competes for this one's GIL."""

    def __init__(self, options: BenchOptions, log_path: Path) -> None:
        self.url = f"http://127.0.0.1:{options.port_base + 50}"
        self.pid = spawn(
            [
                sys.executable,
                "-m",
                "simulators.ai_service",
                "--port",
                str(options.port_base + 50),
                "--latency-seconds",
                str(options.latency_seconds),
                "--latency-jitter-seconds",
                str(options.jitter_seconds),
                "--max-concurrency",
                str(options.max_concurrency),
                "--requests-per-minute",
                str(options.requests_per_minute),
            ],
            log_path=log_path,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                self.stats()
                return
            except httpx.HTTPError:
                time.sleep(0.2)
        self.stop()
        raise StackError(f"the fake AI service did not start; see {log_path}")

    def stats(self) -> dict[str, Any]:
        response = httpx.get(f"{self.url}/_admin/stats", timeout=10)
        response.raise_for_status()
        return response.json()

    def stop(self) -> None:
        terminate(self.pid, timeout=10)


def _count(settings: Settings, queries: dict[str, str]) -> dict[str, int]:
    """Each named ``SELECT count(*) ...`` over one connection."""
    with psycopg.connect(settings.database_url or "") as conn:
        return {name: one_row(conn.execute(sql))[0] for name, sql in queries.items()}


_PROGRESS = {"ads": "SELECT count(*) FROM ads"} | {
    f"ads_{done}": f"SELECT count(*) FROM ad_analysis_state WHERE stage = '{stage}' AND status = 'succeeded'"
    for stage, done in (("describe", "described"), ("label", "labelled"), ("embed", "embedded"))
}
_TABLES = {
    table: f"SELECT count(*) FROM {table}"
    for table in ("brands", "ads", "ad_descriptions", "ad_labels", "ad_embeddings", "ad_analysis_state")
}
_FAILURES = {
    "ads_media_failed": "SELECT count(*) FROM ads WHERE media_failure IS NOT NULL "
    "AND media_failure NOT LIKE 'no creative URL%'",
    # a creative that failed while others of its ad were stored: retried (and analysed) next run
    "creatives_failed": "SELECT count(*) FROM ads, jsonb_array_elements(media) m "
    "WHERE m->>'s3_key' IS NULL AND m->>'error' IS NOT NULL",
    "ad_stages_failed": "SELECT count(*) FROM ad_analysis_state WHERE status = 'failed'",
}


def _follow(
    graphql: DagsterGraphQL, run_ids: list[str], settings: Settings, total_ads: int, timeout: float, started: float
) -> list[dict[str, Any]]:
    """Wait for the runs to end, printing what the stores hold every few seconds."""
    deadline = started + timeout
    last_print = 0.0
    while True:
        statuses = graphql.statuses(run_ids)
        if len(statuses) == len(run_ids) and all(status in FINISHED for status in statuses.values()):
            return graphql.runs(run_ids)
        now = time.monotonic()
        if now - last_print >= 5:
            last_print = now
            counts = _count(settings, _PROGRESS)
            done = counts["ads_described"] + counts["ads_labelled"] + counts["ads_embedded"]
            elapsed = now - started
            states = ", ".join(sorted(status.lower() for status in statuses.values()))
            _say(
                f"[{elapsed:5.0f}s] runs {states}: ads {counts['ads']:,} (library {total_ads:,}) · "
                f"described {counts['ads_described']:,} · labelled {counts['ads_labelled']:,} · "
                f"embedded {counts['ads_embedded']:,} · {done / max(elapsed, 1e-9):.0f} ad-stages/s"
            )
        if now > deadline:
            raise StackError(f"runs unfinished after {timeout:.0f}s: {sorted(statuses.values())}")
        time.sleep(1)


def _materialize_all(
    graphql: DagsterGraphQL, settings: Settings, keys: list[str], title: str, total_ads: int, timeout: float
) -> tuple[float, list[dict[str, Any]]]:
    """One run per BRANDS_PER_RUN brands, all submitted at once; seconds from submission to the
    last run's end."""
    submitted = time.time()
    started = time.monotonic()
    run_ids = [
        graphql.launch_range_run(PIPELINE, chunk[0], chunk[-1], {KIND_TAG: "bench", "bench": title})
        for chunk in (keys[i : i + BRANDS_PER_RUN] for i in range(0, len(keys), BRANDS_PER_RUN))
    ]
    runs = _follow(graphql, run_ids, settings, total_ads, timeout, started)
    seconds = max(run["endTime"] for run in runs) - submitted
    _say(f"{title}: {len(runs)} runs {', '.join(run['status'].lower() for run in runs)} in {seconds:.1f}s")
    return seconds, runs


def floor_seconds(calls: int, latency: float, concurrency: int, requests_per_minute: int) -> float:
    """The AI service's own minimum: calls × latency ÷ concurrency, or calls ÷ rate, whichever is larger."""
    return max(calls * latency / concurrency, calls / (requests_per_minute / 60))


def run_benchmark(options: BenchOptions) -> dict[str, Any]:
    """The benchmark end to end (see the module's docstring). SIGTERM and SIGINT stop Dagster, the
    fake AI service and the stack (each child's process group) before it exits."""
    with stop_signals_raise():
        return _run_benchmark(options)


def _run_benchmark(options: BenchOptions) -> dict[str, Any]:
    runs_at_once = min(BACKFILL_RUNS_AT_ONCE, math.ceil(options.brands / BRANDS_PER_RUN))
    for variable in _DERIVED:
        os.environ.pop(variable, None)
    os.environ.update(_environment(options, runs_at_once))
    settings = load_settings()
    stack = Stack(settings)
    stack.down()
    shutil.rmtree(settings.state_dir, ignore_errors=True)  # every measured run starts from empty stores

    _say(f"rendering the library's creatives ({options.ads:,} ads, {options.brands} brands) ...")
    rendered = prerender(
        seed=options.seed,
        ads=options.ads,
        brands=options.brands,
        cache_dir=options.render_cache,
        workers=options.render_workers,
        progress=lambda done, total, s: (
            _say(f"  rendered {done:,}/{total:,} ads in {s:.0f}s") if done == total or done % 2000 < 100 else None
        ),
    )
    service = _FakeAIService(options, settings.state_dir / "logs" / "fake-ai.log")
    dagster: DagsterDev | None = None
    try:
        _say("starting the embedded stack ...")
        stack.up()
        dagster = DagsterDev(settings)
        dagster.start()
        dagster.wait_healthy()
        graphql = DagsterGraphQL(dagster.url)
        # before any brand exists: the analyzed-brand sensor and the refresh schedule would
        # otherwise start runs of their own over the benchmark's brands while it measures
        stopped = graphql.stop_automation()
        _say(f"stopped {', '.join(stopped)}")
        library_url = f"http://127.0.0.1:{settings.library_port}"
        with psycopg.connect(settings.database_url or "") as conn:
            brands = register_library_brands(conn, library_url, status="analyzed")
        keys = [brand.partition_key for brand in brands]
        graphql.add_brand_partitions(keys)

        def roots() -> dict[str, list[int]]:
            found = {
                part.name: [pid]
                for part in stack.parts
                if part.pid_file is not None and (pid := part.pid_file.live_pid())
            }
            return found | {
                "dagster": [dagster.process.pid] if dagster and dagster.process else [],
                "fake_ai": [service.pid],
                "bench": [os.getpid()],
            }

        with ProcessSampler(roots) as processes:
            before = service.stats()
            _say(f"{len(keys)} brands in runs of {BRANDS_PER_RUN}, {runs_at_once} at once ...")
            seconds, runs = _materialize_all(graphql, settings, keys, "first run", options.ads, options.timeout_seconds)
            cpu = processes.cpu_seconds()
            after = service.stats()
            _say("the same runs again (nothing new) ...")
            rerun_seconds, rerun_runs = _materialize_all(
                graphql, settings, keys, "incremental re-run", options.ads, options.timeout_seconds
            )
            rerun_cpu = {
                role: round(seconds - cpu.get(role, 0.0), 1) for role, seconds in processes.cpu_seconds().items()
            }
            after_rerun = service.stats()

        acquired = materialization_totals(runs, ADS)
        stage_reports = {key.to_user_string(): materialization_totals(runs, key) for key in AI_ASSETS}
        ai_calls = int(sum(report.get("ai_calls", 0) for report in stage_reports.values()))
        floor = floor_seconds(ai_calls, options.latency_seconds, options.max_concurrency, options.requests_per_minute)
        counts = _count(settings, _TABLES)
        rerun_acquired = materialization_totals(rerun_runs, ADS)

        _say(f"naive baseline on {options.naive_ads} ads ...")
        sources = SourceConfig(
            meta_base_url=settings.meta_api_base_url or "",
            meta_api_version=settings.meta_api_version,
            meta_access_token=None,
            apify_base_url=settings.apify_base_url or "",
            apify_token=settings.apify_token.get_secret_value() if settings.apify_token else None,
            apify_actor_id=settings.apify_actor_id,
            serpapi_base_url="",
            serpapi_api_key=None,
        )
        apify_handle = next(s.handle for s in brands[0].sources if s.connector.value == "apify")
        naive = asyncio.run(naive_baseline(settings, sources, apify_handle, f"{service.url}/v1", options.naive_ads))
        _say(f"local provider throughput on {options.local_ads} ads ...")
        local = asyncio.run(local_throughput(settings, options.local_ads))
        _say(
            f"local provider: {local['ads_per_second']} ads/s on {local['cores']} cores, "
            f"{local['ads_per_second_per_core']} ads/s per core, {local['ads_per_cpu_second']} ads per CPU-second"
        )
        _say(f"insights of one synthesised brand of {options.insights_ads:,} ads ...")
        insights = insights_figures(settings.database_url or "", ads=options.insights_ads)
        _say(f"insights: {insights['insights_seconds']}s, {insights['insights']['parts_seconds']}")
        largest_process, largest_mib = processes.largest()
        pipeline_per_ad = seconds / max(counts["ads"], 1)
        return {
            "ads": counts["ads"],
            "brands": len(keys),
            "seconds": round(seconds, 1),
            "ads_per_second": round(counts["ads"] / seconds, 1),
            "stage_seconds": stage_seconds(runs),
            "runs": len(runs),
            "ai_calls": ai_calls,
            "ai_calls_by_stage": {asset: int(report.get("ai_calls", 0)) for asset, report in stage_reports.items()},
            "ai_requests_seen_by_service": after["requests_total"] - before["requests_total"],
            "ai_rate_limited_429": after["status_429"] - before["status_429"],
            "ai_max_in_flight": after["max_in_flight"],
            "ai_floor_seconds": round(floor, 1),
            "ratio_to_floor": round(seconds / floor, 2) if floor else None,
            "settings": {
                "latency_seconds": options.latency_seconds,
                "jitter_seconds": options.jitter_seconds,
                "max_concurrency": options.max_concurrency,
                "requests_per_minute": options.requests_per_minute,
                "runs_at_once": runs_at_once,
                "cores": os.cpu_count(),
                "automation_stopped": stopped,
            },
            "bytes_downloaded": int(acquired.get("bytes_downloaded", 0)),
            "creatives_downloaded": int(acquired.get("media_downloaded", 0)),
            "render": asdict(rendered),
            "cpu_seconds": cpu,
            # the first run's measured CPU spread over every core: the time it needs on this machine
            # however well its processes overlap (set beside the AI-bound floor)
            "cpu_bound_seconds": round(sum(cpu.values()) / (os.cpu_count() or 1), 1),
            "peak_rss_mib": processes.peaks_mib(),
            "largest_process": {"process": largest_process, "peak_rss_mib": largest_mib},
            "db_rows": counts,
            "failures": _count(settings, _FAILURES) | {"runs_failed": sum(run["status"] != "SUCCESS" for run in runs)},
            "incremental": {
                "seconds": round(rerun_seconds, 1),
                "stage_seconds": stage_seconds(rerun_runs),
                "cpu_seconds": rerun_cpu,
                "ai_calls": after_rerun["requests_total"] - after["requests_total"],
                "creatives_downloaded": int(rerun_acquired.get("media_downloaded", 0)),
                "bytes_downloaded": int(rerun_acquired.get("bytes_downloaded", 0)),
            },
            "naive_baseline": naive | {"speedup": round(naive["seconds_per_ad"] / pipeline_per_ad, 1)},
            "local_provider": local,
        } | insights
    finally:
        if dagster is not None:
            dagster.stop()
        service.stop()
        stack.down()
