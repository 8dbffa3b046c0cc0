"""The local provider's measurement as a Dagster Pipes workload: a run hands over the creatives it is
about to describe (S3 keys in the Pipes extras), and this measures them (OCR, faces, colours, video
keyframes) with :func:`adology.ai.local.stored.measure_stored`, leaves the measurements in S3, and
reports what it did back through Pipes: a custom message with the counts and times, and log lines.

Entry points, one per place it runs (``adology_assets/measurement.py`` chooses by configuration):

- ``python -m workers.measure``: an ECS task (Pipes parameters in its environment, messages on
  stderr to CloudWatch Logs), or, with ``--s3``, a local subprocess whose context and messages go
  through S3 (SeaweedFS in the embedded stack): the test of the same path without AWS.
- :func:`lambda_handler`: an AWS Lambda function (parameters in the invocation's event). Lambda has
  no shared memory for worker processes, so it measures in its own process; ECS and the subprocess
  use a worker per core.
"""

from __future__ import annotations

import argparse
from typing import Any

from dagster_pipes import (
    PipesContext,
    PipesMappingParamsLoader,
    PipesS3ContextLoader,
    PipesS3MessageWriter,
    open_dagster_pipes,
)

from adology.ai.local.pool import available_cores
from adology.ai.local.stored import StoredCreative, measure_stored
from adology.settings import load_settings
from adology.storage.aws import settings_client, settings_object_store


def measure(pipes: PipesContext, items: list[dict[str, str]], *, workers: int) -> None:
    creatives = [StoredCreative.from_dict(item) for item in items]
    pipes.log.info("measuring %d creatives with %s worker processes", len(creatives), workers or "no")
    outcome = measure_stored(settings_object_store(load_settings()), creatives, workers=workers)
    pipes.report_custom_message(
        {
            "measured": outcome.measured,
            "failed": dict(outcome.failed),
            "seconds": round(outcome.seconds, 3),
            "cpu_seconds": round(outcome.cpu_seconds, 3),
        }
    )
    pipes.log.info("measured %d of %d creatives in %.1f s", outcome.measured, len(creatives), outcome.seconds)


def lambda_handler(event: dict[str, Any], _context: Any) -> None:
    with open_dagster_pipes(params_loader=PipesMappingParamsLoader(event)) as pipes:
        measure(pipes, event["creatives"], workers=0)  # PipesLambdaClient passes no extras: the event does


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--s3", action="store_true", help="Pipes context and messages through S3")
    if parser.parse_args().s3:
        s3 = settings_client(load_settings(), "s3")
        pipes = open_dagster_pipes(context_loader=PipesS3ContextLoader(s3), message_writer=PipesS3MessageWriter(s3))
    else:
        pipes = open_dagster_pipes()
    with pipes:
        measure(pipes, pipes.extras["creatives"], workers=available_cores())


if __name__ == "__main__":
    main()
