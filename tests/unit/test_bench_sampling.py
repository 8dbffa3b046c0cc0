"""The benchmark's process sampler: a run worker spawned under Dagster's process tree is counted as
a run worker (its CPU and memory), not as one of Dagster's services."""

from __future__ import annotations

import subprocess
import sys

from bench.processes import RUN_WORKERS, ProcessSampler


def test_a_run_worker_under_the_dagster_tree_counts_its_cpu_and_memory_as_a_run_worker() -> None:
    # what the code server spawns for a run: a multiprocessing child whose command runs spawn_main
    worker = subprocess.Popen([sys.executable, "-c", "spawn_main = None; import time; time.sleep(30)"])
    try:
        with ProcessSampler(lambda: {"dagster": [worker.pid]}, interval=0.1) as sampler:
            sampler.sample()
        assert set(sampler.peaks_mib()) == {RUN_WORKERS}
        assert set(sampler.cpu_seconds()) == {RUN_WORKERS}
        assert sampler.largest()[0].startswith(f"{RUN_WORKERS}: ")
    finally:
        worker.kill()
        worker.wait()
