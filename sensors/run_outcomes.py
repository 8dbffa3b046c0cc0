"""Run-status sensors: a request's status follows its run, and the run's end becomes a notification
(row + Postgres NOTIFY) the API server pushes to the requester."""

import dagster as dg

from adology.requests.lifecycle import mark_request
from adology.requests.notifications import record_notification
from adology_assets.vocabulary import BRAND_TAG, REQUEST_TAG
from resources import PostgresResource

_OUTCOMES = {
    dg.DagsterRunStatus.STARTED: "running",
    dg.DagsterRunStatus.SUCCESS: "succeeded",
    dg.DagsterRunStatus.FAILURE: "failed",
}


def build_outcome_sensor(run_status: dg.DagsterRunStatus) -> dg.SensorDefinition:
    outcome = _OUTCOMES[run_status]

    @dg.run_status_sensor(
        name=f"request_{outcome}",
        run_status=run_status,
        description=f"Marks the run's request {outcome}" + ("" if outcome == "running" else " and notifies"),
        default_status=dg.DefaultSensorStatus.RUNNING,
        minimum_interval_seconds=5,
    )
    def outcome_sensor(context: dg.RunStatusSensorContext, postgres: PostgresResource) -> None:
        run = context.dagster_run
        request_id, brand = run.tags.get(REQUEST_TAG), run.tags.get(BRAND_TAG)
        if not request_id or not brand:
            # nothing to do, and no SkipReason: Dagster fails a tick whose runs answer both with
            # a skip and with a reaction, and retries it forever, so a report or backfill run ending
            # beside a request's run stopped every request from being marked done
            context.log.debug("run %s carries no request", run.run_id)
            return
        reason = _failure_reason(context) if run_status is dg.DagsterRunStatus.FAILURE else None
        with postgres.get_connection() as conn:
            known = mark_request(conn, request_id, status=outcome, run_id=run.run_id, failure_reason=reason)
            if outcome != "running" and known:
                record_notification(
                    conn,
                    request_id=request_id,
                    brand_key=brand,
                    run_id=run.run_id,
                    status=outcome,
                    failure_reason=reason,
                )
        return

    return outcome_sensor


request_running = build_outcome_sensor(dg.DagsterRunStatus.STARTED)
request_succeeded = build_outcome_sensor(dg.DagsterRunStatus.SUCCESS)
request_failed = build_outcome_sensor(dg.DagsterRunStatus.FAILURE)


def _failure_reason(context: dg.RunStatusSensorContext) -> str:
    """Which steps failed and the error underneath each, rather than Dagster's generic run message."""
    reasons = []
    for record in context.instance.all_logs(context.dagster_run.run_id, of_type=dg.DagsterEventType.STEP_FAILURE):
        event = record.dagster_event
        error = event.step_failure_data.error if event and event.step_failure_data else None
        while error is not None and error.cause is not None:
            error = error.cause  # the user's exception, not Dagster's wrapper
        reasons.append(f"{event.step_key if event else '?'}: {error.message.strip() if error else 'failed'}")
    return ("; ".join(reasons) or context.dagster_event.message or "run failed")[:2000]
