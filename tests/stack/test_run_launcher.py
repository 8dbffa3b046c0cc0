"""The run launcher chosen by configuration, tested without containers as Dagster tests it.

``ADOLOGY_RUN_LAUNCHER=ecs`` gives the instance dagster-aws's ``EcsRunLauncher``; here its ECS client
answers through botocore's Stubber, so the test sees exactly the ``RunTask`` call a run would make:
the run task definition, the cluster and private subnets, the CPU and memory a run's tags ask for, the
run's tags on the task, and the ``dagster api execute_run`` command with no secret in it. Then that
same command runs here as a subprocess against the session stack, as the ECS task would run it, and
completes the run: the brand's insights are materialized and the run succeeds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
import dagster as dg
import psycopg
import pytest
from botocore.stub import Stubber
from dagster._core.definitions.reconstruct import ReconstructableRepository
from dagster._core.launcher import LaunchRunContext

from adology.brands import BrandSource, upsert_brand
from adology.dagster_instance import instance_yaml
from adology.settings import Settings
from adology.sources.models import Connector
from adology.storage.aws import settings_object_store
from tests.api_world import World, analysed_ads

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TASK_DEFINITION = "arn:aws:ecs:eu-west-1:123456789012:task-definition/adology-run:7"
CLUSTER = "arn:aws:ecs:eu-west-1:123456789012:cluster/adology"
TASK = "arn:aws:ecs:eu-west-1:123456789012:task/adology/0123456789abcdef"
ECS_SETTINGS = {
    "ADOLOGY_RUN_LAUNCHER": "ecs",
    "ADOLOGY_ECS_CLUSTER": "adology",
    "ADOLOGY_ECS_TASK_DEFINITION": "adology-run",
    "ADOLOGY_ECS_SUBNETS": "subnet-0a,subnet-0b",
    "ADOLOGY_ECS_SECURITY_GROUPS": "sg-0runs",
    "ADOLOGY_ECS_RUN_CPU": "1024",
    "ADOLOGY_ECS_RUN_MEMORY": "4096",
}
EXECUTE_SECONDS = 300


def test_the_embedded_stack_keeps_dagsters_default_launcher(stack_settings: Settings) -> None:
    assert "run_launcher" not in instance_yaml(stack_settings)
    assert 'storage: {\n  "postgres"' in instance_yaml(stack_settings)


def _stubbed_clients(calls: list[dict[str, Any]]) -> tuple[dict[str, Any], Stubber]:
    """The launcher's boto3 clients: ECS answers through a Stubber (and records RunTask's parameters);
    Secrets Manager and CloudWatch Logs are stubbed with no answer, so any call to them fails."""
    clients = {
        service: boto3.client(service, region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x")
        for service in ("ecs", "secretsmanager", "logs")
    }
    ecs = Stubber(clients["ecs"])
    ecs.add_response(
        "describe_task_definition",
        {"taskDefinition": {"taskDefinitionArn": TASK_DEFINITION, "containerDefinitions": [{"name": "run"}]}},
        {"taskDefinition": "adology-run"},
    )
    ecs.add_response("run_task", {"tasks": [{"taskArn": TASK, "clusterArn": CLUSTER}], "failures": []})
    clients["ecs"].meta.events.register(
        "provide-client-params.ecs.RunTask", lambda params, **_: calls.append(json.loads(json.dumps(params)))
    )
    for service in ("secretsmanager", "logs"):
        Stubber(clients[service]).activate()
    ecs.activate()
    return clients, ecs


def test_the_ecs_launcher_starts_a_task_whose_command_completes_the_run_here(
    make_settings: Any,
    stack_settings: Settings,
    world: World,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    brand = f"launcher-{world.tag}"  # a brand of its own: no other test's insights change
    with psycopg.connect(stack_settings.database_url or "") as conn:
        made = upsert_brand(conn, partition_key=brand, name=brand, sources=[BrandSource(Connector.META, brand)])
        analysed_ads(conn, settings_object_store(stack_settings), made.id, brand, 8)
    ecs_settings = Settings.model_validate({**stack_settings.client_environment(), **ECS_SETTINGS})
    home = tmp_path / "dagster-home"
    home.mkdir()
    (home / "dagster.yaml").write_text(instance_yaml(ecs_settings))
    environment = {**stack_settings.client_environment(), "DAGSTER_HOME": str(home)}
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")  # the launcher's EC2 resource (never called)
    calls: list[dict[str, Any]] = []
    clients, ecs = _stubbed_clients(calls)
    monkeypatch.setattr(boto3, "client", lambda service, *args, **kwargs: clients[service])

    with dg.DagsterInstance.get() as instance:
        launcher = instance.run_launcher
        assert type(launcher).__name__ == "EcsRunLauncher"
        instance.add_dynamic_partitions("brand", [brand])
        repository = ReconstructableRepository.for_module(
            "adology_assets.definitions", "defs", working_directory=str(PROJECT_ROOT)
        )
        job = repository.get_reconstructable_job("__ASSET_JOB")
        run = instance.create_run_for_job(
            job_def=job.get_definition(),
            job_code_origin=job.get_python_origin(),
            asset_selection=frozenset({dg.AssetKey("brand_insights")}),
            tags={"dagster/partition": brand, "adology/brand": brand, "ecs/cpu": "2048", "ecs/memory": "8192"},
        )
        launcher.launch_run(LaunchRunContext(dagster_run=run, workspace=None))
        ecs.assert_no_pending_responses()

        (started,) = calls
        assert started["taskDefinition"] == TASK_DEFINITION
        assert started["cluster"] == "adology" and started["launchType"] == "FARGATE"
        network = started["networkConfiguration"]["awsvpcConfiguration"]
        assert network == {
            "subnets": ["subnet-0a", "subnet-0b"],
            "securityGroups": ["sg-0runs"],
            "assignPublicIp": "DISABLED",
        }
        (container,) = started["overrides"]["containerOverrides"]
        assert container["name"] == "run" and (container["cpu"], container["memory"]) == (2048, 8192)
        assert (started["overrides"]["cpu"], started["overrides"]["memory"]) == ("2048", "8192")  # the run's tags
        tags = {tag["key"]: tag["value"] for tag in started["tags"]}
        assert tags["dagster/run_id"] == run.run_id and tags["adology/brand"] == brand
        command = container["command"]
        assert command[:3] == ["dagster", "api", "execute_run"]
        secrets = [stack_settings.postgres_password.get_secret_value(), "AWS_SECRET_ACCESS_KEY", "DATABASE_URL"]
        assert not [secret for secret in secrets if secret in json.dumps(started)]  # in the task definition only
        assert instance.get_run_by_id(run.run_id).tags["ecs/task_arn"] == TASK  # type: ignore[union-attr]

        monkeypatch.undo()  # the task runs with its own environment, not this test's patches
        executed = subprocess.run(
            [str(Path(sys.executable).parent / "dagster"), *command[1:]],
            env={**os.environ, **environment},
            cwd=tmp_path,  # not the checkout, whose .env (the default stack's variables) Dagster would load
            capture_output=True,
            text=True,
            timeout=EXECUTE_SECONDS,
        )
        assert executed.returncode == 0, executed.stderr[:2000] + executed.stderr[-2000:]
        finished = instance.get_run_by_id(run.run_id)
        assert finished is not None and finished.status == dg.DagsterRunStatus.SUCCESS, executed.stderr[-4000:]
        materialized = instance.get_latest_materialization_event(dg.AssetKey("brand_insights"))
        assert materialized is not None and materialized.run_id == run.run_id
