"""`adology demo` as a new user runs it: the stack, a demo brandspace, requests through the outbox and
SQS, Dagster's webserver and daemon launching the runs, every ad stored and analysed, and a
notification for each request, with Postgres killed mid-run and nobody restarting it but the demo's
own supervisor."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import httpx

from tests.commands import run_adology as _run

if TYPE_CHECKING:
    from tests.e2e.conftest import DemoStack


def test_demo_survives_postgres_killed_mid_run_and_loses_no_request(demo_stack: DemoStack) -> None:
    """The README's `make demo` path on a small library, with Postgres SIGKILLed once the first ad is
    analysed (the ``demo_stack`` fixture runs it): every request still ends succeeded with one
    notification, and every ad is analysed."""
    settings, killed = demo_stack.settings, demo_stack.postgres_killed
    assert demo_stack.returncode == 0, demo_stack.stderr.read_text()[-6000:]
    supervised = (settings.state_dir / "logs" / "dagster.log").read_text()  # what DagsterDev logs
    assert f"stack part died: restarting it part=postgres pid={killed}" in supervised
    summary = demo_stack.summary  # the `--json` summary, the last line of its output
    assert summary["brands"] == 5 and summary["requests"] == 5
    assert summary["requests_succeeded"] == 5 and summary["requests_lost"] == 0
    assert summary["notifications"] == 5
    assert summary["ads"] > 0 and summary["creatives_stored"] > 0
    analysable = summary["ads"] - summary["ads_without_creative"]
    assert summary["descriptions"] >= analysable and summary["failed_ads"] == 0
    assert demo_stack.leftover_dagster == []  # the demo stopped the webserver and daemon it started
    _demo_logins_see_their_own_brandspace_only(summary)
    _inquire_meets_its_bars_on_the_demo_library(demo_stack.env)


def _demo_logins_see_their_own_brandspace_only(summary: dict[str, object]) -> None:
    """The demo's API (still running) with the logins it printed: each user sees its organization's
    brandspace and its ads, and another organization's brandspace is a 404."""
    api = str(summary["api_url"])
    spaces: dict[str, str] = {}
    for login in summary["demo_users"]:  # type: ignore[attr-defined]
        token = httpx.post(f"{api}/v1/auth/token", json={"email": login["email"], "password": login["password"]})
        assert token.status_code == 200, token.text
        me = httpx.get(f"{api}/v1/me", headers={"Authorization": f"Bearer {token.json()['access_token']}"}).json()
        assert [space["name"] for space in me["brandspaces"]] == login["brandspaces"]
        assert me["organization"]["name"] == login["organization"]
        spaces[login["email"]] = me["brandspaces"][0]["id"]
    analyst, rival = summary["demo_users"][0], summary["demo_users"][-1]  # type: ignore[index]
    assert analyst["organization"] != rival["organization"]
    token = httpx.post(f"{api}/v1/auth/token", json={"email": analyst["email"], "password": analyst["password"]})
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    own = httpx.get(f"{api}/v1/brandspaces/{spaces[analyst['email']]}/ads", headers=headers)
    assert own.status_code == 200 and own.json()["items"]
    assert httpx.get(f"{api}/v1/brandspaces/{spaces[rival['email']]}/ads", headers=headers).status_code == 404


def _inquire_meets_its_bars_on_the_demo_library(env: dict[str, str]) -> None:
    """`adology inquire eval` over the demo's brandspaces: at least 40 questions, accuracy 0.8 and
    citation precision 0.95 or better, and no ad cited from outside its brandspace."""
    evaluated = _run("inquire", "eval", "--json", env=env, timeout=300)
    assert evaluated.returncode == 0, evaluated.stderr[-3000:]
    report = json.loads(evaluated.stdout.splitlines()[-1])
    assert report["questions"] >= 40
    assert report["accuracy"] >= 0.8 and report["citation_precision"] >= 0.95, report
    assert report["outside_citations"] == 0
    assert {"absent_headline", "outside_brand"} <= set(report["by_template"])
