"""The `adology` command without a running stack: clear one-line errors for bad settings and a
stopped stack, `sources parse` on saved payloads, the commands other packages contribute, and the
.env a bare `dagster dev` loads."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

from tests.commands import run_adology as _run
from tests.source_servers import FIXTURES


def test_contributed_commands_are_listed_and_run() -> None:
    listed = _run("--help", env={})
    assert listed.returncode == 0, listed.stderr
    commands = {line.split()[0] for line in listed.stdout.split("Commands:")[1].splitlines() if line.strip()}
    assert {"stack", "db", "queue", "sources", "ai", "provision", "dev", "library", "demo", "bench"} <= commands
    assert "--ads" in _run("bench", "--help", env={}).stdout  # loaded from its entry point when run


def test_dotenv_carries_the_stack_variables_but_not_dagster_home(tmp_path: Path) -> None:
    result = _run("stack", "env", "--dotenv", env={"ADOLOGY_STATE_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    variables = dict(shlex.split(line)[0].split("=", 1) for line in result.stdout.splitlines())
    assert variables["ADOLOGY_STATE_DIR"] == str(tmp_path) and "DATABASE_URL" in variables
    assert "DAGSTER_HOME" not in variables  # a bare `dagster dev` keeps Dagster's temporary instance


def test_status_of_a_stopped_stack_exits_non_zero(tmp_path: Path) -> None:
    result = _run(
        "stack",
        "status",
        "--json",
        env={
            "ADOLOGY_STATE_DIR": str(tmp_path),
            "ADOLOGY_PG_PORT": "20999",
            "ADOLOGY_S3_PORT": "21000",
            "ADOLOGY_SQS_PORT": "21999",
        },
    )
    assert result.returncode == 1
    report = json.loads(result.stdout.splitlines()[-1])
    assert report["parts"]["postgres"] == {**report["parts"]["postgres"], "running": False, "healthy": False}


def test_bad_setting_exits_with_a_clear_message(tmp_path: Path) -> None:
    result = _run("stack", "up", env={"ADOLOGY_STATE_DIR": str(tmp_path), "ADOLOGY_SQS_PORT": "nine"})
    assert result.returncode == 2
    assert "ADOLOGY_SQS_PORT='nine': expected port of the embedded moto SQS server" in result.stderr
    assert "Traceback" not in result.stderr


def test_sources_parse_prints_json_lines_and_reports_bad_items(tmp_path: Path) -> None:
    env = {"ADOLOGY_STATE_DIR": str(tmp_path)}
    good = _run("sources", "parse", "apify", str(FIXTURES / "apify_camel_case_items.json"), env=env)
    assert good.returncode == 0, good.stderr
    ads = [json.loads(line) for line in good.stdout.splitlines()]
    assert ads and all(ad["source"] == "meta" and ad["connector"] == "apify" for ad in ads)
    assert "raw" not in ads[0]  # the untouched payload goes to Mongo, not to the parse output

    mixed = _run("sources", "parse", "apify", str(FIXTURES / "apify_items.jsonl"), env=env)
    assert mixed.returncode == 1
    assert len(mixed.stdout.splitlines()) >= 1  # the good lines still parse
    failures = [json.loads(line)["failure"] for line in mixed.stderr.splitlines() if line.startswith("{")]
    assert failures and failures[0]["line"] == 3 and "not valid JSON" in failures[0]["reason"]


def test_sources_parse_rejects_a_missing_file(tmp_path: Path) -> None:
    result = _run("sources", "parse", "meta", str(tmp_path / "nope.json"), env={"ADOLOGY_STATE_DIR": str(tmp_path)})
    assert result.returncode == 2 and "does not exist" in result.stderr
