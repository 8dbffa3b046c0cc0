"""What the data team does in the Dagster UI, done over the webserver's GraphQL API: stop the
sensors and schedules, add brand partitions, launch runs of the brand assets over ranges of brand partitions (the runs a
backfill with ``BRAND_BACKFILL_POLICY`` makes), follow them, and read their step timings and
materialization metadata. The runs go through the queued run coordinator, the run launcher and
run workers exactly as in production; only the backfill daemon's 30-second loop is skipped,
which would add up to half a minute of waiting to each measurement and nothing else."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import dagster as dg
import httpx
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_fixed

from adology.errors import AdologyError
from adology_assets.vocabulary import brand_partitions

LOCATION = "adology"  # workspace.yaml
REPOSITORY = "__repository__"  # the name Dagster gives a module's single Definitions

_ADD_PARTITION = """
mutation($partitions: String!, $key: String!, $repository: RepositorySelector!) {
  addDynamicPartition(partitionsDefName: $partitions, partitionKey: $key, repositorySelector: $repository) {
    __typename ... on PythonError { message } ... on UnauthorizedError { message }
  }
}"""

_LAUNCH = """
mutation($params: ExecutionParams!) {
  launchRun(executionParams: $params) {
    __typename
    ... on LaunchRunSuccess { run { runId } }
    ... on PythonError { message }
    ... on InvalidSubsetError { message }
    ... on RunConfigValidationInvalid { errors { message } }
    ... on UnauthorizedError { message }
  }
}"""

_RUNS = """
query($ids: [String!]) {
  runsOrError(filter: {runIds: $ids}) {
    __typename
    ... on Runs {
      results {
        runId status startTime endTime
        stepStats { stepKey status startTime endTime }
        assetMaterializations {
          assetKey { path }
          metadataEntries {
            label
            ... on IntMetadataEntry { intValue }
            ... on FloatMetadataEntry { floatValue }
          }
        }
      }
    }
    ... on PythonError { message }
  }
}"""

_STATUSES = """
query($ids: [String!]) {
  runsOrError(filter: {runIds: $ids}) {
    __typename ... on Runs { results { runId status } } ... on PythonError { message }
  }
}"""

_RUNNING_AUTOMATION = """
query($selector: RepositorySelector!) {
  sensorsOrError(repositorySelector: $selector, sensorStatus: RUNNING) {
    __typename ... on Sensors { results { id name } } ... on PythonError { message }
  }
  schedulesOrError(repositorySelector: $selector, scheduleStatus: RUNNING) {
    __typename ... on Schedules { results { id name } } ... on PythonError { message }
  }
}"""

_STOP_SENSOR = """
mutation($id: String!) {
  stopSensor(id: $id) {
    __typename ... on PythonError { message } ... on UnauthorizedError { message }
  }
}"""

_STOP_SCHEDULE = """
mutation($id: String!) {
  stopRunningSchedule(id: $id) {
    __typename ... on PythonError { message } ... on UnauthorizedError { message }
  }
}"""

FINISHED = {"SUCCESS", "FAILURE", "CANCELED"}


class DagsterAPIError(AdologyError):
    """The webserver refused or failed a request; the message is Dagster's."""


class DagsterGraphQL:
    def __init__(self, url: str) -> None:
        self._http = httpx.Client(base_url=url, timeout=60)

    def close(self) -> None:
        self._http.close()

    def _call(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        response = self._http.post("/graphql", json={"query": query, "variables": variables})
        response.raise_for_status()
        answer = response.json()
        if answer.get("errors"):
            raise DagsterAPIError(f"GraphQL errors: {answer['errors']}")
        return answer["data"]

    def add_brand_partitions(self, keys: list[str]) -> None:
        self.add_partitions(brand_partitions, keys)

    def add_partitions(self, partitions: dg.DynamicPartitionsDefinition, keys: list[str]) -> None:
        for key in keys:
            variables = {
                "partitions": partitions.name,
                "key": key,
                "repository": {"repositoryName": REPOSITORY, "repositoryLocationName": LOCATION},
            }
            result = self._call(_ADD_PARTITION, variables)["addDynamicPartition"]
            if result["__typename"] not in ("AddDynamicPartitionSuccess", "DuplicateDynamicPartitionError"):
                raise DagsterAPIError(f"could not add {partitions.name} partition {key}: {result}")

    def stop_automation(self) -> list[str]:
        """Stop every running sensor and schedule (as a user would in the UI); their names."""
        selector = {"repositoryName": REPOSITORY, "repositoryLocationName": LOCATION}
        running = self._call(_RUNNING_AUTOMATION, {"selector": selector})
        stopped = []
        for listing, mutation, field, success in (
            ("sensorsOrError", _STOP_SENSOR, "stopSensor", "StopSensorMutationResult"),
            ("schedulesOrError", _STOP_SCHEDULE, "stopRunningSchedule", "ScheduleStateResult"),
        ):
            if "results" not in running[listing]:
                raise DagsterAPIError(f"could not list {listing}: {running[listing]}")
            for instigator in running[listing]["results"]:
                # a default-running sensor's first tick and this mutation can both insert its state
                # row; the loser's transaction fails (HTTP 500) and the next attempt finds the row
                for attempt in Retrying(
                    stop=stop_after_attempt(5),
                    wait=wait_fixed(1),
                    reraise=True,
                    retry=retry_if_exception_type(httpx.HTTPStatusError),
                ):
                    with attempt:
                        result = self._call(mutation, {"id": instigator["id"]})[field]
                if result["__typename"] != success:
                    raise DagsterAPIError(f"could not stop {instigator['name']}: {result}")
                stopped.append(instigator["name"])
        return stopped

    def launch_range_run(self, assets: Sequence[dg.AssetKey], first: str, last: str, tags: dict[str, str]) -> str:
        """A run of ``assets`` over the partitions ``first`` to ``last`` (in the order added)."""
        selector = {
            "repositoryLocationName": LOCATION,
            "repositoryName": REPOSITORY,
            "jobName": "__ASSET_JOB",
            "assetSelection": [{"path": list(key.path)} for key in assets],
        }
        run_tags = {"dagster/asset_partition_range_start": first, "dagster/asset_partition_range_end": last} | tags
        params = {
            "selector": selector,
            "mode": "default",
            "executionMetadata": {"tags": [{"key": k, "value": v} for k, v in run_tags.items()]},
        }
        result = self._call(_LAUNCH, {"params": params})["launchRun"]
        if result["__typename"] != "LaunchRunSuccess":
            raise DagsterAPIError(f"run not launched: {result}")
        return result["run"]["runId"]

    def runs(self, run_ids: list[str]) -> list[dict[str, Any]]:
        """Each run with its step timings and materializations (a heavy query: once, at the end)."""
        return self._results(_RUNS, run_ids)

    def statuses(self, run_ids: list[str]) -> dict[str, str]:
        """Each run's status; light enough to poll without loading the webserver."""
        return {run["runId"]: run["status"] for run in self._results(_STATUSES, run_ids)}

    def _results(self, query: str, run_ids: list[str]) -> list[dict[str, Any]]:
        result = self._call(query, {"ids": run_ids})["runsOrError"]
        if result["__typename"] != "Runs":
            raise DagsterAPIError(f"runs {run_ids}: {result}")
        return result["results"]


def stage_seconds(runs: list[dict[str, Any]]) -> dict[str, float]:
    """Each asset step's wall span over all runs: first start to last end (runs overlap)."""
    spans: dict[str, tuple[float, float]] = {}
    for run in runs:
        for step in run["stepStats"]:
            if step["startTime"] is None or step["endTime"] is None:
                continue
            first, last = spans.get(step["stepKey"], (step["startTime"], step["endTime"]))
            spans[step["stepKey"]] = (min(first, step["startTime"]), max(last, step["endTime"]))
    return {key: round(end - start, 1) for key, (start, end) in sorted(spans.items())}


def materialization_totals(runs: list[dict[str, Any]], asset: dg.AssetKey) -> dict[str, float]:
    """The asset's numeric metadata summed over runs; a run over several partitions records the same
    report on each partition, so one materialization per run is counted."""
    totals: dict[str, float] = {}
    for run in runs:
        for materialization in run["assetMaterializations"]:
            if materialization["assetKey"]["path"] != list(asset.path):
                continue
            for entry in materialization["metadataEntries"]:
                value = entry.get("intValue", entry.get("floatValue"))
                if value is not None:
                    totals[entry["label"]] = totals.get(entry["label"], 0) + value
            break
    return totals
