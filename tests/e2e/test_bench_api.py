"""A tiny run of ``adology bench-api``: on a fresh stack, both sizes are loaded and hammered, every
request succeeds, and the JSON carries every figure. Latencies are the benchmark's to print, never
this test's to assert."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

from adology.stack.process import port_is_free

SCENARIOS = {"ads_list", "ad_detail", "search", "csv_export"}
LATENCY = {"requests", "p50_ms", "p99_ms", "requests_per_second", "statuses", "non_2xx"}
EXPORT = {"rows", "bytes", "rows_per_second", "exports", "api_rss_before_mib", "api_peak_rss_mib"}
LIBRARY = {"ads", "brands", "load_seconds", "hnsw_index_seconds", "analyze_seconds", "real_embeddings"}


def _free_base() -> int:
    """A port block clear of every server here: the stack's ports and SeaweedFS's +10000 ones."""
    for _ in range(200):
        base = random.randrange(12000, 22000, 100)
        ports = [base + offset for offset in (0, 20, 30, 40, 60)]
        ports += [base + 10 + i for i in range(5)] + [base + 10010 + i for i in range(5)]
        if all(port_is_free(port) for port in ports):
            return base
    raise RuntimeError("no free port block for the benchmark")


def test_a_tiny_api_benchmark_succeeds_and_prints_every_figure(tmp_path: Path) -> None:
    command = [
        sys.executable,
        "-c",
        "from bench.commands import bench_api; bench_api()",
        "--ads",
        "600",
        "--small-ads",
        "100",
        "--clients",
        "4",
        "--seconds",
        "1",
        "--port-base",
        str(_free_base()),
        "--state-dir",
        str(tmp_path / "bench-api"),
        "--json",
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=240, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    figures = json.loads(result.stdout.splitlines()[-1])

    assert set(figures["sizes"]) == {"small", "large"}
    for label, ads in (("small", 100), ("large", 600)):
        size = figures["sizes"][label]
        assert set(size["library"]) >= LIBRARY and size["library"]["ads"] == ads
        assert 0 < size["brandspace_ads"] < ads
        assert set(size["scenarios"]) == SCENARIOS
        for name, scenario in size["scenarios"].items():
            assert set(scenario) >= LATENCY, name
            assert scenario["requests"] > 0 and scenario["non_2xx"] == 0, (label, name, scenario)
            assert set(scenario["statuses"]) == {"200"}, (label, name, scenario["statuses"])
        export = size["scenarios"]["csv_export"]
        assert set(export) >= EXPORT
        assert export["rows"] == export["exports"] * size["brandspace_ads"] and export["bytes"] > 0
        assert export["api_peak_rss_mib"] > 0
    explain = figures["sizes"]["large"]["explain"]
    assert explain["ads_list"] and explain["search"]
    for plan in [*explain["ads_list"].values(), *explain["search"].values()]:
        assert plan["plan"] and plan["execution_ms"] >= 0
    assert set(figures["targets"]["large"]) == {"ads_list", "search"}
