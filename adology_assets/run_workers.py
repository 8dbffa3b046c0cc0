"""A run whose run worker died without ending it is marked failed, so it stops holding its place in the ``ai`` pool.

A killed run worker (SIGKILL, the OOM killer, a crash of the machine) writes no end to its run.
Dagster's code server notices the death of a run worker it started and fails the run, but only while
it runs itself: when the code server died too (with the daemon that started it, or with the whole of
``adology dev``), or could not write to Postgres at that moment, the run stays STARTED for good, and
the run queue counts every STARTED run with an ``ai`` step against that pool's limit
(``granularity: run`` in ``dagster.yaml``): two such runs would stop all analysis.

In production the run launcher checks its run workers' health itself (an ECS task's status); the
default run launcher, which starts run workers as local processes, has no such check. So the
supervisor of ``adology dev`` runs :meth:`DeadRunWorkers.fail_runs` every few seconds: a STARTED run
whose worker process (the pid its "Started process for run" engine event names) is gone is marked
failed, and the queue starts the next run in its place.
"""

from __future__ import annotations

from dataclasses import dataclass

import dagster as dg
import psutil
import sqlalchemy.exc
from dagster_postgres.utils import DagsterPostgresException

from adology.logs import get_logger

log = get_logger(__name__)

# what Dagster's run worker reports first, with its pid in the event's metadata (dagster._grpc.impl)
STARTED_PROCESS = "Started process for run"
# psutil's start times follow the boot time the kernel reports, which moves with the wall clock (NTP);
# far shorter than the time the pid space takes to wrap around and give the pid to another process
_CLOCK_TOLERANCE_SECONDS = 2.0


@dataclass(frozen=True)
class RunWorker:
    """The process executing a run: its pid, and when it reported its start (it began before)."""

    pid: int
    reported_at: float

    def running(self) -> bool:
        """Whether the process runs; a process given the pid after the report is another one."""
        try:
            process = psutil.Process(self.pid)
            started = process.create_time()
            return started <= self.reported_at + _CLOCK_TOLERANCE_SECONDS and process.status() != psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return False


def run_worker(instance: dg.DagsterInstance, run_id: str) -> RunWorker | None:
    """The run worker of ``run_id`` as it reported its start; None for a run executed otherwise (in
    the caller's process, as tests and ``dagster asset materialize`` do) or not started yet."""
    for entry in reversed(instance.all_logs(run_id, of_type=dg.DagsterEventType.ENGINE_EVENT)):
        event = entry.dagster_event
        if event is None or not (event.message or "").startswith(STARTED_PROCESS):
            continue
        pid = event.engine_event_data.metadata.get("pid")
        if pid is not None and str(pid.value).isdigit():
            return RunWorker(int(str(pid.value)), entry.timestamp)
    return None


class DeadRunWorkers:
    """Marks failed the STARTED runs of ``instance`` whose run worker is gone.

    A worker found gone is failed at the next call, not at once: a code server that is alive fails
    its own child's run within a second, and the run should end once, by the process that saw it die.
    """

    def __init__(self, instance: dg.DagsterInstance) -> None:
        self.instance = instance
        self._workers: dict[str, RunWorker | None] = {}  # a run's worker never changes: asked once
        self._gone: set[str] = set()  # runs whose worker the previous call found gone

    def fail_runs(self) -> list[str]:
        """One pass; the ids of the runs marked failed. A store that does not answer skips the pass."""
        try:
            return self._fail_runs()
        except (DagsterPostgresException, sqlalchemy.exc.SQLAlchemyError) as exc:
            log.warning("could not look for runs whose worker died", extra={"reason": str(exc)})
            return []

    def _fail_runs(self) -> list[str]:
        started = self.instance.get_runs(filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED]))
        self._workers = {run.run_id: self._workers[run.run_id] for run in started if run.run_id in self._workers}
        gone, failed = set(), []
        for run in started:
            if run.run_id not in self._workers:
                self._workers[run.run_id] = run_worker(self.instance, run.run_id)
            worker = self._workers[run.run_id]
            if worker is None or worker.running():
                continue
            if run.run_id not in self._gone:
                gone.add(run.run_id)
                continue
            # read after the worker was seen gone: a worker that ended its run did so before it exited
            current = self.instance.get_run_by_id(run.run_id)
            if current is None or current.status != dg.DagsterRunStatus.STARTED:
                continue
            self.instance.report_run_failed(
                current,
                f"The run worker (pid {worker.pid}) is gone and never ended the run: marked failed so that "
                "it no longer holds a place in the ai pool.",
            )
            failed.append(run.run_id)
            log.warning(
                "run worker died: marked its run failed",
                extra={"run_id": run.run_id, "pid": worker.pid, "reason": "run worker process gone, run still STARTED"},
            )
        self._gone = gone
        return failed
