"""The `adology` command against the running stack: env exports, status JSON, idempotent migrations
and provisioning, and dead letters replayed."""

from __future__ import annotations

import json
import shlex

from adology.settings import Settings
from tests.commands import run_adology as _run


def _stack_env(settings: Settings) -> dict[str, str]:
    return {k: v for k, v in settings.client_environment().items() if k.startswith(("ADOLOGY_", "DAGSTER_"))}


def test_env_prints_shell_exports_with_standard_names(stack_settings: Settings) -> None:
    result = _run("stack", "env", env=_stack_env(stack_settings))
    assert result.returncode == 0, result.stderr
    exports = dict(shlex.split(line.removeprefix("export "))[0].split("=", 1) for line in result.stdout.splitlines())
    for name in (
        "AWS_ENDPOINT_URL_S3",
        "AWS_ENDPOINT_URL_SQS",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_REGION",
        "DATABASE_URL",
        "MONGO_URI",
        "DAGSTER_HOME",
        "ADOLOGY_STATE_DIR",
    ):
        assert name in exports
    assert exports["DATABASE_URL"] == stack_settings.database_url


def test_status_json_reports_each_part(stack_settings: Settings) -> None:
    result = _run("stack", "status", "--json", env=_stack_env(stack_settings))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.splitlines()[-1])
    assert report["healthy"] is True
    assert set(report["parts"]) == {"postgres", "s3", "sqs", "mongo", "api", "library"}
    assert report["parts"]["postgres"]["detail"].startswith("PostgreSQL 18")


def test_db_migrate_is_idempotent(stack_settings: Settings) -> None:
    result = _run("db", "migrate", env=_stack_env(stack_settings))
    assert result.returncode == 0, result.stderr
    assert "none (schema up to date)" in result.stdout


def test_queue_replay_dlq_moves_messages_back(stack_settings: Settings) -> None:
    from adology.storage.aws import settings_client
    from adology.storage.queues import Priority, RequestQueues

    queues = RequestQueues(settings_client(stack_settings, "sqs"), stack_settings.queue_prefix)
    queues.send(Priority.LOW, body={"poison": True}, group_id="g", deduplication_id="replay-me", dead_letter=True)
    result = _run("queue", "replay-dlq", "--priority", "low", env=_stack_env(stack_settings))
    assert result.returncode == 0, result.stderr
    assert "replayed 1 message" in result.stdout
    (back,) = queues.receive(Priority.LOW)
    assert json.loads(back.body) == {"poison": True}
    queues.delete(Priority.LOW, receipt_handle=back.receipt_handle)


def test_provision_is_idempotent(stack_settings: Settings) -> None:
    """What a deployment runs with admin rights: on a provisioned stack it changes nothing."""
    result = _run("provision", env=_stack_env(stack_settings))
    assert result.returncode == 0, result.stderr
    assert "migrations applied: none (schema up to date)" in result.stdout
