"""`adology demo` as a new user runs it: the stack, a demo brandspace, requests through the outbox and
SQS, Dagster's webserver and daemon launching the runs, every ad stored and analysed, and a
notification for each request."""

from __future__ import annotations

import json

import psutil

from tests.commands import run_adology as _run


def test_demo_runs_the_whole_flow_and_loses_no_request(make_settings) -> None:
    """The README's `make demo` path on a small library: requests through the outbox and SQS,
    runs launched by the daemon's sensors, every ad stored and analysed, a notification each."""
    settings = make_settings("demo", ADOLOGY_LIBRARY_ADS="30")
    # every variable of its own stack, so nothing of the session stack (DATABASE_URL, endpoints) leaks in
    env = {**settings.client_environment(), "ADOLOGY_LIBRARY_ADS": "30"}
    try:
        result = _run("demo", "--json", "--timeout", "900", env=env, timeout=1200)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        summary = json.loads(result.stdout.splitlines()[-1])
        assert summary["brands"] == 5 and summary["requests"] == 5
        assert summary["requests_succeeded"] == 5 and summary["requests_lost"] == 0
        assert summary["notifications"] == 5
        assert summary["ads"] > 0 and summary["creatives_stored"] > 0
        analysable = summary["ads"] - summary["ads_without_creative"]
        assert summary["descriptions"] >= analysable and summary["failed_ads"] == 0
        leftover = [
            p.pid
            for p in psutil.process_iter(["cmdline"])
            if f"-p {settings.dagster_port}" in " ".join(p.info["cmdline"] or [])
        ]
        assert leftover == []  # the demo stopped the webserver and daemon it started
    finally:
        _run("stack", "down", env=env)
