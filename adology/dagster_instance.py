"""The Dagster instance's ``dagster.yaml`` for a configuration: the project's ``dagster.yaml`` (what
every instance shares: run queue, limits, pools, retries), Postgres storage at
``DAGSTER_POSTGRES_URL``, and the run launcher the settings choose.

``ADOLOGY_RUN_LAUNCHER=default`` (the embedded stack) keeps Dagster's default launcher: each run a
process on the daemon's machine. ``ecs`` uses dagster-aws's ``EcsRunLauncher``: each run an ECS task
of the deployment's run task definition, in its cluster and private subnets, with the CPU and memory
of ``ADOLOGY_ECS_RUN_CPU``/``ADOLOGY_ECS_RUN_MEMORY`` unless a run's ``ecs/cpu``/``ecs/memory`` tags
say otherwise. The task definition carries the secrets (Secrets Manager or SSM references, resolved
by ECS into the task's environment); nothing secret is written here or passes through a run's
config, and the launcher looks up no tagged secrets (``secrets_tag: null``).

``adology stack up`` writes it into the stack's ``DAGSTER_HOME``; ``adology dagster-yaml`` prints it
for a deployment's image (docs/deploy.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from adology.settings import Settings

PROJECT_DAGSTER_YAML = Path(__file__).resolve().parents[1] / "dagster.yaml"
# run tags copied onto the run's ECS task, to find a brand's or a request's task in the console (the
# tags adology_assets/vocabulary.py names; the core does not import Dagster's side)
PROPAGATED_TAGS = ["adology/brand", "adology/brandspace", "adology/request_id", "adology/attempt", "adology/kind"]


def _comma_list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def run_launcher(settings: Settings) -> dict[str, Any] | None:
    """The ``run_launcher`` block, or None for Dagster's default."""
    if settings.run_launcher != "ecs":
        return None
    network: dict[str, Any] = {"subnets": _comma_list(settings.ecs_subnets), "assignPublicIp": "DISABLED"}
    if settings.ecs_security_groups:
        network["securityGroups"] = _comma_list(settings.ecs_security_groups)
    return {
        "module": "dagster_aws.ecs",
        "class": "EcsRunLauncher",
        "config": {
            "task_definition": settings.ecs_task_definition,
            "container_name": settings.ecs_container,
            "use_current_ecs_task_config": False,
            "secrets_tag": None,
            "run_resources": {"cpu": str(settings.ecs_run_cpu), "memory": str(settings.ecs_run_memory)},
            "run_task_kwargs": {
                "cluster": settings.ecs_cluster,
                "launchType": "FARGATE",
                "networkConfiguration": {"awsvpcConfiguration": network},
            },
            "propagate_tags": {"allow_list": PROPAGATED_TAGS},
        },
    }


def instance_yaml(settings: Settings) -> str:
    """The whole ``dagster.yaml`` of the instance ``settings`` describe."""
    written: dict[str, Any] = {"storage": {"postgres": {"postgres_url": {"env": "DAGSTER_POSTGRES_URL"}}}}
    launcher = run_launcher(settings)
    if launcher is not None:
        written["run_launcher"] = launcher
    return (
        PROJECT_DAGSTER_YAML.read_text()
        + "\n# Written for this configuration (adology/dagster_instance.py): runs, event logs and schedules in\n"
        + "# Postgres at DAGSTER_POSTGRES_URL (RDS in production); the run launcher ADOLOGY_RUN_LAUNCHER chose.\n"
        # JSON is YAML (1.2): one library fewer, and every value quoted as it is meant
        + "".join(f"{key}: {json.dumps(value, indent=2)}\n" for key, value in written.items())
    )
