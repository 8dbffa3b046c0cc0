"""A small-N run of ``adology bench``: it completes on a fresh stack and prints well-formed figures.
Timings are the benchmark's to print, never this test's to assert."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

from adology.stack.process import port_is_free

FIGURES = {
    "ads",
    "brands",
    "seconds",
    "ads_per_second",
    "stage_seconds",
    "ai_calls",
    "ai_floor_seconds",
    "ratio_to_floor",
    "bytes_downloaded",
    "peak_rss_mib",
    "largest_process",
    "db_rows",
    "failures",
    "incremental",
    "naive_baseline",
    "local_provider",
    "insights_seconds",
    "cpu_seconds",
    "cpu_bound_seconds",
}


def _free_base() -> int:
    for _ in range(200):
        base = random.randrange(20000, 40000, 100)
        ports = [base + offset for offset in (0, 10, 20, 30, 40, 50)] + [base + 10 + 10000 + i for i in range(5)]
        ports += [base + 10 + i for i in range(5)]
        if all(port_is_free(port) for port in ports):
            return base
    raise RuntimeError("no free port block for the benchmark")


def test_a_small_benchmark_completes_and_prints_its_figures(tmp_path: Path) -> None:
    command = [
        sys.executable,
        "-m",
        "adology",
        "bench",
        "--ads",
        "60",
        "--brands",
        "5",
        "--naive-ads",
        "2",
        "--local-ads",
        "2",
        "--insights-ads",
        "500",
        "--latency",
        "0.05",
        "--port-base",
        str(_free_base()),
        "--state-dir",
        str(tmp_path / "bench"),
        "--render-cache",
        str(tmp_path / "render"),
        "--json",
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    figures = json.loads(result.stdout.splitlines()[-1])
    assert set(figures) >= FIGURES
    assert figures["brands"] == 5 and figures["ads"] > 0
    assert figures["db_rows"]["ad_descriptions"] == figures["ads"] - figures["failures"]["ads_media_failed"]
    assert figures["failures"]["runs_failed"] == 0 and figures["failures"]["ad_stages_failed"] == 0
    assert figures["ai_calls"] == sum(figures["ai_calls_by_stage"].values()) > 0
    if figures["failures"]["creatives_failed"] == 0:  # a creative that failed is retried by design
        assert figures["incremental"]["ai_calls"] == 0 and figures["incremental"]["creatives_downloaded"] == 0
    assert figures["naive_baseline"]["ads"] == 2 and figures["local_provider"]["ads"] == 2
    assert set(figures["peak_rss_mib"]) >= {"postgres", "s3", "dagster", "run_workers", "fake_ai", "bench"}
    assert figures["cpu_seconds"]["run_workers"] > 0 and figures["cpu_seconds"]["postgres"] > 0
    assert figures["cpu_bound_seconds"] > 0
    # measured alone: nothing of the product's own automation started runs over the same brands
    assert {"analyzed_brand_backfill", "spine_refresh"} <= set(figures["settings"]["automation_stopped"])
