"""Where a describe step's creatives are measured when the provider is ``local``: in the run (its
process pool, the default), or in a burst outside it through Dagster Pipes, by configuration
(``ADOLOGY_MEASURE_IN``):

- ``lambda``: ``PipesLambdaClient`` invokes the function ``ADOLOGY_MEASURE_LAMBDA`` (handler
  ``workers.measure.lambda_handler``); the creatives travel in the event, the report in its logs;
- ``ecs``: ``PipesECSClient`` runs the measure task definition (``ADOLOGY_MEASURE_TASK_DEFINITION``,
  command ``python -m workers.measure``) in the runs' cluster and subnets, with a worker per core;
- ``subprocess``: ``PipesSubprocessClient`` runs ``python -m workers.measure --s3`` here, with the
  Pipes context and messages in the bucket: the same path with no AWS (tests, and a machine whose
  daemon has cores to spare).

The workload reads the creatives from S3 and leaves its measurements there; the step reads them into
the provider's cache (:func:`adology.ai.local.stored.load_measurements`), so the describe, label and
embed stages compose from them as from measurements made in the run. A creative the burst could not
measure is measured in the run, as before.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any, Literal

import boto3
import dagster as dg
from dagster_aws.pipes import PipesECSClient, PipesLambdaClient, PipesS3ContextInjector, PipesS3MessageReader
from pydantic import Field

from adology.ai.local.measurements import Measured
from adology.ai.local.stored import StoredCreative, load_measurements

if TYPE_CHECKING:  # the package imports this module
    from resources import ObjectStoreResource

MeasureIn = Literal["run", "subprocess", "lambda", "ecs"]
WORKER_MODULE = "workers.measure"


class MeasurementResource(dg.ConfigurableResource):
    """Where the local provider's creatives are measured for a describe step (module docstring)."""

    measure_in: MeasureIn = "run"
    lambda_function: str | None = None
    ecs_cluster: str | None = None
    ecs_task_definition: str | None = None
    ecs_container: str = "measure"
    ecs_subnets: list[str] = Field(default_factory=list)
    ecs_security_groups: list[str] = Field(default_factory=list)
    region_name: str | None = None

    def measure(
        self, context: dg.AssetExecutionContext, objects: ObjectStoreResource, creatives: list[StoredCreative]
    ) -> dict[tuple[str, str], Measured]:
        """The measurements of ``creatives`` made by the configured burst ({} when measured in the run)."""
        if self.measure_in == "run" or not creatives:
            return {}
        items = [creative.as_dict() for creative in creatives]
        invocation = self._invoke(context, objects, items)
        for report in invocation.get_custom_messages():
            context.log.info(
                "measured outside the run (%s): %s of %s creatives, %s s, %s CPU-s, failed %s",
                self.measure_in,
                report["measured"],
                len(creatives),
                report["seconds"],
                report["cpu_seconds"],
                report["failed"] or "none",
            )
        return load_measurements(objects.get_store(), creatives)

    def _invoke(
        self, context: dg.AssetExecutionContext, objects: ObjectStoreResource, items: list[dict[str, str]]
    ) -> Any:
        if self.measure_in == "lambda":
            client = PipesLambdaClient(client=boto3.client("lambda", region_name=self.region_name))
            return client.run(context=context, function_name=self.lambda_function or "", event={"creatives": items})
        if self.measure_in == "ecs":
            network = {
                "subnets": self.ecs_subnets,
                "securityGroups": self.ecs_security_groups,
                "assignPublicIp": "DISABLED",
            }
            return PipesECSClient(client=boto3.client("ecs", region_name=self.region_name)).run(
                context=context,
                extras={"creatives": items},
                run_task_params={
                    "cluster": self.ecs_cluster or "",
                    "taskDefinition": self.ecs_task_definition or "",
                    "launchType": "FARGATE",
                    "networkConfiguration": {"awsvpcConfiguration": network},  # type: ignore[typeddict-item]
                    "overrides": {
                        "containerOverrides": [{"name": self.ecs_container, "command": ["python", "-m", WORKER_MODULE]}]
                    },
                },
                pipes_container_name=self.ecs_container,
            )
        s3 = objects.s3.get_client()
        client = dg.PipesSubprocessClient(
            context_injector=PipesS3ContextInjector(bucket=objects.bucket, client=s3, key_prefix="pipes"),
            message_reader=PipesS3MessageReader(bucket=objects.bucket, client=s3, interval=1),
        )
        return client.run(
            context=context,
            extras={"creatives": items},
            command=[sys.executable, "-m", WORKER_MODULE, "--s3"],
            env=dict(os.environ),
        )
