"""Report refresh: a brandspace's report is requested when the refresh rule holds (:mod:`adology.knowledge.refresh`).

Each tick measures the three signals for every brandspace in one query and requests a run of
``brandspace_reports`` for each brandspace where at least two hold, new brandspace partitions
through ``dynamic_partitions_requests``.

The same evidence is requested once. Evidence is measured against the latest report, so while
that version stays the same a due brandspace stays due: the cursor remembers, per brandspace,
the latest version when its run was requested, the attempt and when
(``{key: {"version": v, "attempt": n, "requested_at": iso}}``), and the run key
``report:{key}:v{v + 1}:a{n}`` names version and attempt. While the latest version is still ``v``
the run is looked up by that key: queued, running or succeeded, or not created yet (the daemon
creates runs after the tick), the brandspace is skipped; failed or canceled, it is requested
again as attempt ``n + 1``, at once after a first failure and then after a doubling delay
(:func:`retry_delay`), so a broken report neither stays broken after a fix nor fails every tick.
A run still missing after ``RUN_CREATION_GRACE`` was never created or was deleted, and is
requested again too. A sensor that dies mid-tick repeats the same run keys, which Dagster
deduplicates. Once a newer version exists the entry is dropped and the rule is measured against
that version.

Report runs go at :attr:`RunPriority.REPORT`: below interactive requests and the spine refresh,
whose fresh ads a report should follow rather than race, and above backfills, which are long AI
runs while a report is a few queries.
"""

import datetime as dt
import json
from dataclasses import asdict, dataclass

import dagster as dg

from adology.knowledge.refresh import BrandspaceSignals, refresh_signals, should_refresh
from adology.logs import get_logger
from adology_assets.vocabulary import (
    BRANDSPACE_REPORTS,
    BRANDSPACE_TAG,
    KIND_TAG,
    REPORT_TRIGGER_TAG,
    RunPriority,
    brandspace_partitions,
)
from resources import PostgresResource

log = get_logger(__name__)

MAX_REQUESTS_PER_TICK = 50
RUN_CREATION_GRACE = dt.timedelta(hours=1)
FIRST_RETRY_DELAY = dt.timedelta(minutes=10)
MAX_RETRY_DELAY = dt.timedelta(hours=6)
_RETRYABLE = {dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED}


@dataclass(frozen=True)
class Requested:
    """A report run requested while the brandspace's latest version was ``version``."""

    version: int
    attempt: int
    requested_at: str  # ISO 8601

    def run_key(self, brandspace: str) -> str:
        return f"report:{brandspace}:v{self.version + 1}:a{self.attempt}"


@dg.sensor(
    name="report_refresh",
    description="Requests a brandspace's report when two of: membership changed, new competitor/followed ads, "
    "a week-old report with new ads.",
    minimum_interval_seconds=300,
    default_status=dg.DefaultSensorStatus.RUNNING,
    target=[BRANDSPACE_REPORTS],
)
def report_refresh(context: dg.SensorEvaluationContext, postgres: PostgresResource) -> dg.SensorResult:
    now = dt.datetime.now(dt.UTC)
    requested = {key: Requested(**entry) for key, entry in json.loads(context.cursor or "{}").items()}
    with postgres.get_connection() as conn:
        measured = refresh_signals(conn, now=now)
    # an entry lives while its evidence does: until a newer version exists or the brandspace is gone
    cursor = {
        row.brandspace: requested[row.brandspace]
        for row in measured
        if row.brandspace in requested and requested[row.brandspace].version == row.latest_version
    }
    run_requests: list[dg.RunRequest] = []
    for row in measured:
        if len(run_requests) == MAX_REQUESTS_PER_TICK:
            break
        if not should_refresh(row.signals):
            continue
        attempt = _next_attempt(context.instance, row, cursor.get(row.brandspace), now)
        if attempt is None:
            continue
        cursor[row.brandspace] = Requested(row.latest_version, attempt, now.isoformat())
        run_requests.append(_run_request(row, cursor[row.brandspace]))
    new = sorted(
        {request.partition_key for request in run_requests}
        - set(context.instance.get_dynamic_partitions(brandspace_partitions.name))
    )
    return dg.SensorResult(
        run_requests=run_requests,
        dynamic_partitions_requests=[brandspace_partitions.build_add_request(new)] if new else [],
        cursor=json.dumps({key: asdict(entry) for key, entry in sorted(cursor.items())}),
    )


def retry_delay(failed_attempts: int) -> dt.timedelta:
    """The wait after a failed run before the next attempt: none after the first failure (most are
    transient), then ``FIRST_RETRY_DELAY``, doubling up to ``MAX_RETRY_DELAY``."""
    if failed_attempts <= 1:
        return dt.timedelta(0)
    return min(FIRST_RETRY_DELAY * 2 ** (failed_attempts - 2), MAX_RETRY_DELAY)


def _next_attempt(
    instance: dg.DagsterInstance, row: BrandspaceSignals, earlier: Requested | None, now: dt.datetime
) -> int | None:
    """The attempt to request for this evidence, or None while an earlier request still stands."""
    if earlier is None:
        return 1
    key = earlier.run_key(row.brandspace)
    records = instance.get_run_records(filters=dg.RunsFilter(tags={"dagster/run_key": key}), limit=1)
    if not records:
        if now - dt.datetime.fromisoformat(earlier.requested_at) < RUN_CREATION_GRACE:
            return None  # the daemon has not created it yet
        outcome = "never created"
    else:
        run = records[0]
        if run.dagster_run.status not in _RETRYABLE:
            return None  # queued, running, or succeeded (the next tick measures against the new version)
        ended = dt.datetime.fromtimestamp(run.end_time, dt.UTC) if run.end_time else run.update_timestamp
        if now < ended + retry_delay(earlier.attempt):
            return None
        outcome = run.dagster_run.status.value
    log.info("report run requested again", extra={"brandspace": row.brandspace, "run_key": key, "outcome": outcome})
    return earlier.attempt + 1


def _run_request(row: BrandspaceSignals, request: Requested) -> dg.RunRequest:
    trigger = "+".join(row.signals.held())
    log.info(
        "report refresh requested",
        extra={
            "brandspace": row.brandspace,
            "trigger": trigger,
            "latest_version": row.latest_version,
            "attempt": request.attempt,
        },
    )
    return dg.RunRequest(
        run_key=request.run_key(row.brandspace),
        partition_key=row.brandspace,
        tags={
            BRANDSPACE_TAG: row.brandspace,
            REPORT_TRIGGER_TAG: trigger,
            KIND_TAG: "report",
            **RunPriority.REPORT.tags(),
        },
    )
