"""Run-status sensors: a request's status follows its run, and its final outcome becomes a notification
(row + Postgres NOTIFY) the API server pushes to the requester.

A failed run is settled by the request lifecycle (:func:`adology.requests.lifecycle.settle_failure`):
while retries remain the request shows ``retrying`` with the attempt's real error and the time of
the next attempt, and no notification is sent; the requester is notified once, when the request
succeeds or fails for good. A run Dagster itself re-executes (``dagster/will_retry``) is no outcome
at all: its retry's is. The failure reason is the error underneath: each failing step's own
exception, or, when no step failed (a resource that could not open its database, a crashed run
worker), the run's own failure error, never Dagster's generic "an exception was thrown".

The outcome also counts what the run could not do: per stage of the run, the ads whose attempt
failed (``failed_ads``), in the request row and in its notification, so a run that succeeded with
a few failed ads says so. A run that succeeded with ads failed for a passing cause (a rate limit, a
server error) is settled by :func:`adology.requests.lifecycle.settle_success`: retried like a
failed run while retries remain.
"""

import datetime as dt

import dagster as dg
from dagster_shared.error import SerializableErrorInfo

from adology.logs import get_logger, log_context
from adology.pipeline import PIPELINE_ASSETS
from adology.requests.lifecycle import mark_request, settle_failure, settle_success
from adology.requests.notifications import record_notification, run_failed_ads
from adology_assets.vocabulary import ATTEMPT_TAG, BRAND_TAG, REQUEST_TAG, WILL_RETRY_TAG
from resources import PostgresResource, RequestPolicyResource

log = get_logger(__name__)

_OUTCOMES = {
    dg.DagsterRunStatus.STARTED: "running",
    dg.DagsterRunStatus.SUCCESS: "succeeded",
    dg.DagsterRunStatus.FAILURE: "failed",
}
_REASON_LIMIT = 2000


def build_outcome_sensor(run_status: dg.DagsterRunStatus) -> dg.SensorDefinition:
    outcome = _OUTCOMES[run_status]

    @dg.run_status_sensor(
        name=f"request_{outcome}",
        run_status=run_status,
        description=f"Marks the run's request {outcome}" + ("" if outcome == "running" else " and notifies"),
        default_status=dg.DefaultSensorStatus.RUNNING,
        minimum_interval_seconds=5,
    )
    def outcome_sensor(
        context: dg.RunStatusSensorContext, postgres: PostgresResource, request_policy: RequestPolicyResource
    ) -> None:
        run = context.dagster_run
        request_id, brand = run.tags.get(REQUEST_TAG), run.tags.get(BRAND_TAG)
        if not request_id or not brand:
            # nothing to do, and no SkipReason: Dagster fails a tick whose runs answer both with
            # a skip and with a reaction, and retries it forever, so a report or backfill run ending
            # beside a request's run stopped every request from being marked done
            context.log.debug("run %s carries no request", run.run_id)
            return
        attempt = int(run.tags[ATTEMPT_TAG]) if run.tags.get(ATTEMPT_TAG, "").isdigit() else None
        with log_context(request_id=request_id, brand=brand, run_id=run.run_id, attempt=attempt):
            if run_status is dg.DagsterRunStatus.FAILURE and run.tags.get(WILL_RETRY_TAG) == "true":
                log.info("run failed and Dagster retries it; its retry's outcome is the request's")
                return
            with postgres.get_connection() as conn, conn.transaction():
                if run_status is dg.DagsterRunStatus.STARTED:
                    mark_request(conn, request_id, status="running", run_id=run.run_id, attempt=attempt)
                    return
                failed_ads = run_failed_ads(conn, brand, _run_assets(run), _run_started_at(context.instance, run))
                if run_status is dg.DagsterRunStatus.SUCCESS:
                    settled = settle_success(
                        conn,
                        request_id,
                        run_id=run.run_id,
                        attempt=attempt,
                        failed_ads=failed_ads,
                        policy=request_policy.retry_policy,
                    )
                    final = settled == "succeeded"
                    reason = None
                else:
                    reason = failure_reason(context.instance, run.run_id, context.dagster_event)
                    settled = settle_failure(
                        conn,
                        request_id,
                        run_id=run.run_id,
                        failure_reason=reason,
                        attempt=attempt,
                        failed_ads=failed_ads,
                        policy=request_policy.retry_policy,
                    )
                    final = settled == "failed"  # an attempt that will be retried is not the requester's outcome
                if final:
                    record_notification(
                        conn,
                        request_id=request_id,
                        brand_key=brand,
                        run_id=run.run_id,
                        status=outcome,
                        failure_reason=reason,
                        failed_ads=failed_ads,
                    )

    return outcome_sensor


request_running = build_outcome_sensor(dg.DagsterRunStatus.STARTED)
request_succeeded = build_outcome_sensor(dg.DagsterRunStatus.SUCCESS)
request_failed = build_outcome_sensor(dg.DagsterRunStatus.FAILURE)


def _run_assets(run: dg.DagsterRun) -> list[str]:
    """The asset names the run selected (a run of the whole job, with no selection, selected them all)."""
    if not run.asset_selection:
        return list(PIPELINE_ASSETS)
    return [key.to_user_string() for key in run.asset_selection]


def _run_started_at(instance: dg.DagsterInstance, run: dg.DagsterRun) -> dt.datetime:
    """When the run started (or was created, if it failed before starting)."""
    record = instance.get_run_record_by_id(run.run_id)
    if record is None:
        return dt.datetime.now(dt.UTC)
    if record.start_time is not None:
        return dt.datetime.fromtimestamp(record.start_time, dt.UTC)
    return record.create_timestamp


def failure_reason(instance: dg.DagsterInstance, run_id: str, failure_event: dg.DagsterEvent | None) -> str:
    """Why the run failed, as the error underneath Dagster's wrappers: each failing step's own
    exception; when no step failed, the run failure's own error (a resource that could not be
    initialized, an error of the run worker), then its message (run monitoring's verdicts)."""
    reasons = []
    for record in instance.all_logs(run_id, of_type=dg.DagsterEventType.STEP_FAILURE):
        event = record.dagster_event
        error = event.step_failure_data.error if event and event.step_failure_data else None
        reasons.append(f"{event.step_key if event else '?'}: {_root_message(error) or 'failed'}")
    if not reasons and failure_event is not None:
        error = failure_event.job_failure_data.error if failure_event.is_run_failure else None
        reasons.append(f"run: {_root_message(error) or failure_event.message or 'failed'}")
    return ("; ".join(reasons) or "run failed")[:_REASON_LIMIT]


def _root_message(error: SerializableErrorInfo | None) -> str | None:
    """The message of the innermost cause: the user's exception, not Dagster's wrapper around it."""
    while error is not None and error.cause is not None:
        error = error.cause
    return error.message.strip() if error is not None else None
