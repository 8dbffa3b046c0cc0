"""``adology demo``: the main job end to end on the embedded stack.

Seeds a demo organization, user and brandspace (a primary brand, competitors and followed brands)
from the local ad library, submits one analysis request per brand through the outbox, runs the
Dagster webserver and daemon (whose sensors relay the outbox, consume SQS, launch the runs and
write notifications), waits for every request to end (each request's run ends with the brand's
insights), builds the brandspace's report from those insights and summarises what the stores hold.

Dagster runs as ``adology dev`` does, under its supervisor (:class:`adology_assets.dev.DagsterDev`):
a server part or Dagster process that dies during the demo is started again, and a run whose worker
died gives its pool slots back, so the demo's requests still end.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import psycopg
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_fixed

from adology.errors import StackError
from adology.knowledge.insights.store import latest_insights
from adology.logs import get_logger
from adology.requests.outbox import record_request
from adology.settings import Settings
from adology.stack import Stack
from adology.stack.process import stop_signals_raise
from adology.storage.postgres import one_row
from adology.tenancy.accounts import ensure_organization, ensure_user
from adology.tenancy.brandspaces import link_user
from adology_assets.dev import DagsterDev
from adology_assets.vocabulary import BRANDSPACE_REPORTS, KIND_TAG, REPORT_TRIGGER_TAG, brandspace_partitions
from bench.dagster_graphql import FINISHED, DagsterGraphQL
from simulators.ad_sources.seeding import register_library_brands

log = get_logger(__name__)

ORGANIZATION = "Demo Organization"
USER_EMAIL = "analyst@demo.example"
BRANDSPACE = "demo-skincare"


@dataclass(frozen=True)
class DemoProgress:
    """Where the demo stands: its requests, and its brands' ads through each stage."""

    requests: int
    finished: int
    succeeded: int
    ads_expected: int  # what the library holds for the demo's brands
    acquired: int
    described: int
    labelled: int
    embedded: int
    failed: int  # ads with a failed stage
    seconds: float

    @property
    def analysed(self) -> int:
        """Ads through every stage (label and embed run side by side after describe)."""
        return min(self.labelled, self.embedded)


@dataclass(frozen=True)
class DemoLogin:
    """A demo user as the demo prints it: who logs in where, and which brandspaces they see."""

    email: str
    password: str
    organization: str
    role: str
    brandspaces: list[str]


@dataclass(frozen=True)
class DemoOrganization:
    name: str
    brandspace: str  # its name; the demo brandspace's partition key is BRANDSPACE
    logins: list[tuple[str, str, str]]  # (email, display name, role)


# Two customers, so isolation is visible: each sees its own brandspace and reports, and the shared
# brands and ads. The second customer follows two of the same brands in a brandspace of its own.
DEMO_BRANDS = 5  # the Skincare brandspace: a primary brand, two competitors, two followed
DEMO_ORGANIZATIONS = (
    DemoOrganization(
        ORGANIZATION,
        "Skincare",
        [(USER_EMAIL, "Demo Analyst", "admin"), ("member@demo.example", "Demo Member", "member")],
    ),
    DemoOrganization("Rival Agency", "Rival watch", [("admin@rival.example", "Rival Admin", "admin")]),
)
RIVAL_BRANDSPACE = "rival-watch"


def demo_passwords(settings: Settings) -> dict[str, str]:
    """The demo users' passwords: generated once per state dir and kept in it (never committed), so a
    second demo run prints the same logins."""
    path = settings.state_dir / "demo-users.json"
    known = json.loads(path.read_text()) if path.exists() else {}
    emails = [email for organization in DEMO_ORGANIZATIONS for email, _, _ in organization.logins]
    passwords = {email: known.get(email) or secrets.token_urlsafe(12) for email in emails}
    if passwords != known:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(descriptor, 0o600)  # readable by the stack's owner only, whatever it was before
        with os.fdopen(descriptor, "w") as handle:
            json.dump(passwords, handle, indent=2)
    return passwords


def seed(conn: psycopg.Connection, library_url: str, passwords: dict[str, str]) -> tuple[list[str], list[DemoLogin]]:
    """The demo tenancy and brands: the brand partition keys (primary first) and the logins."""
    # the demo's brands only: a library with more (ADOLOGY_LIBRARY_BRANDS) keeps the rest for a user to
    # find and request, as a customer requests a brand Adology has never seen
    brands = register_library_brands(conn, library_url, status="analyzed", limit=DEMO_BRANDS)
    keys = [brand.partition_key for brand in brands]
    roles = ["primary"] + ["competitor"] * 2 + ["followed"] * (len(brands) - 3)
    spaces = {
        ORGANIZATION: (BRANDSPACE, list(zip(brands, roles, strict=False))),
        "Rival Agency": (RIVAL_BRANDSPACE, [(brands[1], "primary"), (brands[0], "competitor")]),
    }
    logins = []
    for organization in DEMO_ORGANIZATIONS:
        organization_id = ensure_organization(conn, organization.name)
        partition_key, members = spaces[organization.name]
        (space,) = one_row(
            conn.execute(
                "INSERT INTO brandspaces (organization_id, name, partition_key) VALUES (%s, %s, %s) "
                "ON CONFLICT (partition_key) DO UPDATE SET name = EXCLUDED.name RETURNING id",
                (organization_id, organization.brandspace, partition_key),
            )
        )
        for brand, role in members:
            conn.execute(
                "INSERT INTO brandspace_brands (brandspace_id, brand_id, role) VALUES (%s, %s, %s) "
                "ON CONFLICT (brandspace_id, brand_id) DO UPDATE SET role = EXCLUDED.role",
                (space, brand.id, role),
            )
        for email, display_name, role in organization.logins:
            user = ensure_user(
                conn,
                organization_id=organization_id,
                email=email,
                password=passwords[email],
                role=role,
                display_name=display_name,
            )
            link_user(conn, user.id, [space])
            logins.append(DemoLogin(email, passwords[email], organization.name, role, [organization.brandspace]))
    return keys, logins


def _demo_requester(conn: psycopg.Connection) -> tuple[str, str]:
    """The organization and user the demo's analysis requests are made for (their notifications go there)."""
    return one_row(conn.execute("SELECT organization_id, id FROM users WHERE email = %s", (USER_EMAIL,)))


def summary(conn: psycopg.Connection, request_ids: list[str], seconds: float) -> dict[str, Any]:
    def one(sql: str, *params: Any) -> int:
        return conn.execute(sql, params).fetchone()[0]

    statuses = dict(
        conn.execute(
            "SELECT status, count(*) FROM requests WHERE id::text = ANY(%s) GROUP BY 1", (request_ids,)
        ).fetchall()
    )
    return {
        "brands": one("SELECT count(*) FROM brands"),
        "ads": one("SELECT count(*) FROM ads"),
        "creatives_stored": one(
            "SELECT count(DISTINCT m->>'s3_key') FROM ads, jsonb_array_elements(media) m WHERE m->>'s3_key' IS NOT NULL"
        ),
        "ads_without_creative": one("SELECT count(*) FROM ads WHERE media_failure IS NOT NULL"),
        "descriptions": one("SELECT count(DISTINCT ad_id) FROM ad_descriptions"),
        "labels": one("SELECT count(*) FROM ad_labels"),
        "labelled_ads": one("SELECT count(DISTINCT ad_id) FROM ad_labels"),
        "embeddings": one("SELECT count(*) FROM ad_embeddings"),
        "failed_ads": one("SELECT count(DISTINCT ad_id) FROM ad_analysis_state WHERE status = 'failed'"),
        "requests": len(request_ids),
        "requests_succeeded": statuses.get("succeeded", 0),
        "requests_failed": statuses.get("failed", 0),
        "requests_lost": len(request_ids) - sum(statuses.values()),
        "notifications": one("SELECT count(*) FROM notifications WHERE request_id::text = ANY(%s)", request_ids),
        "brands_with_insights": one("SELECT count(DISTINCT brand_id) FROM brand_insights"),
        "report_version": one(
            "SELECT coalesce(max(r.version), 0) FROM brandspace_reports r JOIN brandspaces s ON s.id = r.brandspace_id "
            "WHERE s.partition_key = %s",
            BRANDSPACE,
        ),
        "seconds": round(seconds, 1),
    }


def run_demo(
    settings: Settings, *, timeout: float = 1800.0, progress: Callable[[DemoProgress], None] | None = None
) -> dict[str, Any]:
    """Seed, submit one request per brand, run Dagster until every request ends, and summarise.

    SIGTERM and SIGINT stop Dagster (the supervisor, which stops the webserver's and daemon's process
    groups) before the demo exits.
    """
    with stop_signals_raise():
        return _run_demo(settings, timeout=timeout, progress=progress)


def _run_demo(settings: Settings, *, timeout: float, progress: Callable[[DemoProgress], None] | None) -> dict[str, Any]:
    started = time.monotonic()
    Stack(settings).up()
    library_url = f"http://127.0.0.1:{settings.library_port}"
    with psycopg.connect(settings.database_url or "") as conn:
        brands, logins = seed(conn, library_url, demo_passwords(settings))
        organization_id, user_id = _demo_requester(conn)
        request_ids = [
            str(record_request(conn, brand=brand, organization_id=organization_id, user_id=user_id)) for brand in brands
        ]
    expected = _library_ads(library_url, brands)
    server = DagsterDev(settings)
    server.start()
    try:
        server.wait_healthy()
        deadline = time.monotonic() + timeout
        latest: DemoProgress | None = None
        while True:
            latest = _progress(settings, request_ids, brands, expected, time.monotonic() - started) or latest
            if latest is not None and progress is not None:
                progress(latest)
            if latest is not None and latest.finished == latest.requests:
                break
            if time.monotonic() > deadline:
                raise StackError(
                    f"demo requests still unfinished after {timeout:.0f}s: {latest}; "
                    f"see {server.log_path} and the Dagster UI at {server.url}"
                )
            time.sleep(1.0)
        # notifications are written by the run-status sensors right after the runs end
        wait_for_notifications(settings, request_ids, timeout=60)
        report_run = run_report(server.url, timeout=max(60.0, deadline - time.monotonic()))
    finally:
        server.stop()
    with psycopg.connect(settings.database_url or "") as conn:
        return summary(conn, request_ids, time.monotonic() - started) | {
            "report_run": report_run,
            "api_url": f"http://127.0.0.1:{settings.api_port}",
            "dashboard_url": f"http://127.0.0.1:{settings.api_port}/app",
            "demo_users": [vars(login) for login in logins],
        }


def run_report(dagster_url: str, *, timeout: float) -> str:
    """Build the demo brandspace's report now, from the insights the requests' runs just stored (the
    refresh sensor would get to it within five minutes); the run's status."""
    graphql = DagsterGraphQL(dagster_url)
    # a webserver whose Postgres was restarted during the demo answers its next queries with a 500
    # while its pool drops the dead connections: ask again rather than give up on the report
    again = Retrying(
        stop=stop_after_attempt(10),
        wait=wait_fixed(2),
        retry=retry_if_exception_type(httpx.HTTPStatusError),
        reraise=True,
    )
    try:
        again(graphql.add_partitions, brandspace_partitions, [BRANDSPACE])
        run_id = again(
            graphql.launch_range_run,
            [BRANDSPACE_REPORTS],
            BRANDSPACE,
            BRANDSPACE,
            {KIND_TAG: "report", REPORT_TRIGGER_TAG: "demo"},
        )
        deadline = time.monotonic() + timeout
        while (status := again(graphql.statuses, [run_id]).get(run_id, "")) not in FINISHED:
            if time.monotonic() > deadline:
                raise StackError(f"the demo report run {run_id} has not finished after {timeout:.0f}s")
            time.sleep(1.0)
    finally:
        graphql.close()
    if status != "SUCCESS":
        log.error("the demo report run did not succeed", extra={"run_id": run_id, "status": status})
    return status


def _library_ads(library_url: str, brands: list[str]) -> int:
    """How many ads the library serves for ``brands`` (every source's), for the progress line."""
    listed = httpx.get(f"{library_url}/brands", timeout=30).json()
    return sum(entry["ads"] + entry["google_ads"] for entry in listed if entry["partition_key"] in brands)


_PROGRESS_SQL = """
WITH demo_ads AS (
    SELECT a.id FROM ads a JOIN brands b ON b.id = a.brand_id WHERE b.partition_key = ANY(%(brands)s)
)
SELECT
    (SELECT count(*) FROM requests WHERE id::text = ANY(%(requests)s) AND status IN ('succeeded', 'failed')),
    (SELECT count(*) FROM requests WHERE id::text = ANY(%(requests)s) AND status = 'succeeded'),
    (SELECT count(*) FROM demo_ads),
    count(*) FILTER (WHERE s.stage = 'describe' AND s.status = 'succeeded'),
    count(*) FILTER (WHERE s.stage = 'label' AND s.status = 'succeeded'),
    count(*) FILTER (WHERE s.stage = 'embed' AND s.status = 'succeeded'),
    count(DISTINCT s.ad_id) FILTER (WHERE s.status = 'failed')
FROM ad_analysis_state s JOIN demo_ads d ON d.id = s.ad_id
"""


def _progress(
    settings: Settings, request_ids: list[str], brands: list[str], expected: int, seconds: float
) -> DemoProgress | None:
    """The demo's progress in one query; None while Postgres cannot answer."""
    rows = _query_while_up(settings, _PROGRESS_SQL, {"brands": brands, "requests": request_ids})
    if rows is None:
        return None
    finished, succeeded, acquired, described, labelled, embedded, failed = rows[0]
    return DemoProgress(
        requests=len(request_ids),
        finished=finished,
        succeeded=succeeded,
        ads_expected=max(expected, acquired),
        acquired=acquired,
        described=described,
        labelled=labelled,
        embedded=embedded,
        failed=failed,
        seconds=seconds,
    )


def _query_while_up(settings: Settings, sql: str, params: Any) -> list[tuple[Any, ...]] | None:
    """``sql``'s rows, or None while Postgres cannot answer: the supervisor restarts a dead one, and
    the demo waits for it rather than giving up."""
    try:
        with psycopg.connect(settings.database_url or "", connect_timeout=5) as conn:
            return conn.execute(sql, params).fetchall()
    except psycopg.OperationalError as exc:
        log.warning("Postgres is not answering; waiting for it", extra={"error": str(exc).strip()})
        return None


def wait_for_notifications(settings: Settings, request_ids: list[str], *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = _query_while_up(
            settings,
            "SELECT count(DISTINCT request_id) FROM notifications WHERE request_id::text = ANY(%s)",
            (request_ids,),
        )
        if rows is not None and rows[0][0] >= len(request_ids):
            return
        time.sleep(1.0)
    log.warning("not every request has its notification yet", extra={"requests": len(request_ids)})


def demo_findings(settings: Settings) -> str:
    """What the demo found, in a few lines: each brand's strongest significant trends."""
    lines = ["", "what changed, per brand (adology insights show BRAND for the rest):"]
    with psycopg.connect(settings.database_url or "") as conn:
        members = conn.execute(
            """SELECT b.id, b.partition_key, m.role FROM brandspace_brands m
               JOIN brandspaces s ON s.id = m.brandspace_id JOIN brands b ON b.id = m.brand_id
               WHERE s.partition_key = %s ORDER BY m.role <> 'primary', m.role <> 'competitor', b.partition_key""",
            (BRANDSPACE,),
        ).fetchall()
        for brand_id, key, role in members:
            stored = latest_insights(conn, brand_id)
            if stored is None:
                lines.append(f"  {key} ({role}): no insights yet")
                continue
            trends = stored.insights.significant_trends()[:2]
            found = "; ".join(
                f"{trend.signal} {trend.direction} {trend.share_before:.0%}→{trend.share_after:.0%} "
                f"after {trend.change_after:%b %Y}"
                for trend in trends
            )
            lines.append(f"  {key} ({role}): {found or 'no significant change'}")
    return "\n".join(lines)
