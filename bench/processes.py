"""Peak resident memory and CPU time of every process the benchmark involves, sampled in the background.

Processes are found by role: the stack's servers (from their pid files), the fake AI service,
the Dagster tree (webserver, daemon, code server; run workers come and go and are counted as a
role of their own) and the benchmark itself. Each process's peak is kept, so a short-lived run
worker is measured too; CPU time is the growth of each process's user + system time since it was
first seen (a process that ends between two samples loses at most one interval of it).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import psutil

_MIB = 1024 * 1024


RUN_WORKERS = "run_workers"


class ProcessSampler:
    """``roots()`` returns ``{role: [pid, ...]}``; each root and its descendants are sampled."""

    def __init__(self, roots: Callable[[], dict[str, list[int]]], *, interval: float = 1.0) -> None:
        self._roots = roots
        self._interval = interval
        self._peaks: dict[tuple[str, int], tuple[str, int]] = {}  # (role, pid) -> (process name, peak rss)
        self._roles: dict[int, str] = {}  # pid -> role its CPU counts for
        self._cpu: dict[int, tuple[float, float]] = {}  # pid -> (cpu seconds when first seen, latest)
        self._started = False
        self._lock = threading.Lock()  # the sampling thread and a caller asking for figures
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-memory", daemon=True)

    def __enter__(self) -> ProcessSampler:
        self.sample()  # the baseline: what running processes had used before counts for nothing
        self._started = True
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.sample()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.sample()

    def sample(self) -> None:
        """Roles are sampled in order and a process counts for the first role that reaches it (the
        bench, listed last, is the parent of the Dagster tree but is measured alone)."""
        with self._lock:
            self._sample_all()

    def _sample_all(self) -> None:
        seen: set[int] = set()
        for role, pids in self._roots().items():
            for pid in pids:
                try:
                    root = psutil.Process(pid)
                    processes = [root, *root.children(recursive=True)]
                except psutil.Error:
                    continue
                for process in processes:
                    if process.pid in seen:
                        continue
                    seen.add(process.pid)
                    try:
                        key = (self._sample_cpu(role, process), process.pid)
                        rss = process.memory_info().rss
                        if rss > self._peaks.get(key, ("", 0))[1]:
                            # the command line only when a peak is recorded: reading it every tick costs CPU
                            name = self._peaks[key][0] if key in self._peaks else _describe(process)
                            self._peaks[key] = (name, rss)
                    except psutil.Error:
                        continue

    def _sample_cpu(self, role: str, process: psutil.Process) -> str:
        """Records the process's CPU time and returns the role it counts for."""
        times = process.cpu_times()
        used = times.user + times.system
        role = self._roles.get(process.pid, role)
        if role in ("dagster", "bench") and "spawn_main" in " ".join(process.cmdline()):
            # A run worker: a multiprocessing child of the Dagster tree (a sample that found the tree
            # mid-change may reach it through the benchmark, its ancestor). Asked again each sample
            # until it says so: a child caught between fork and exec still shows its parent's command.
            role = RUN_WORKERS
        self._roles[process.pid] = role
        if process.pid not in self._cpu:
            # a process born since the last sample (a run worker) counts from zero
            self._cpu[process.pid] = (0.0 if self._started else used, used)
        else:
            self._cpu[process.pid] = (self._cpu[process.pid][0], used)
        return role

    def cpu_seconds(self) -> dict[str, float]:
        """CPU seconds each role used since sampling began (call it when the measured work ends)."""
        by_role: dict[str, float] = {}
        with self._lock:
            self._sample_all()
            for pid, (first, latest) in self._cpu.items():
                by_role[self._roles[pid]] = by_role.get(self._roles[pid], 0.0) + latest - first
        return {role: round(seconds, 1) for role, seconds in sorted(by_role.items())}

    def peaks_mib(self) -> dict[str, float]:
        """The largest single process of each role, in MiB."""
        by_role: dict[str, float] = {}
        for (role, _), (_, rss) in self._peaks.items():
            by_role[role] = max(by_role.get(role, 0.0), round(rss / _MIB, 1))
        return dict(sorted(by_role.items()))

    def largest(self) -> tuple[str, float]:
        """The single largest process seen: its role and command, and its peak in MiB."""
        (role, _), (name, rss) = max(self._peaks.items(), key=lambda item: item[1][1])
        return f"{role}: {name}", round(rss / _MIB, 1)


def _describe(process: psutil.Process) -> str:
    return " ".join(process.cmdline()[:4])[-80:] or process.name()
