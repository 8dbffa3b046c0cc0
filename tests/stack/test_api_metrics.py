"""``GET /metrics`` of the session stack's API (served by `adology api` with two worker processes):
Prometheus text whose request counts sum every worker, by route template, and whose stored figures
(queues, dead letters, requests, Inquire's AI use) are read at each scrape."""

from __future__ import annotations

import httpx
import psycopg
from prometheus_client.parser import text_string_to_metric_families

from adology.settings import Settings
from adology.storage.aws import settings_client
from adology.storage.queues import Priority, RequestQueues
from tests.api_world import Api, World

ADS_ROUTE = "/v1/brandspaces/{brandspace_id}/ads"


def _scrape(api: Api) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    answer = httpx.get(f"{api.base_url}/metrics", timeout=30)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


def _requests_to(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], route: str) -> float:
    key = ("adology_http_requests_total", (("method", "GET"), ("route", route), ("status", "2xx")))
    return samples.get(key, 0.0)


def test_request_counts_sum_every_worker_by_route_template(world: World, tokens: dict[str, str], api: Api) -> None:
    before = _scrape(api)
    client = api.as_user(tokens["a_admin"])
    for _ in range(12):  # new connections: the two workers share them
        assert httpx.get(
            f"{api.base_url}/v1/brandspaces/{world.a.brandspace.id}/ads", headers=client.headers
        ).is_success
    after = _scrape(api)
    assert _requests_to(after, ADS_ROUTE) - _requests_to(before, ADS_ROUTE) == 12
    durations = ("adology_http_request_duration_seconds_count", (("method", "GET"), ("route", ADS_ROUTE)))
    assert after[durations] - before.get(durations, 0.0) == 12
    assert not any(str(world.a.brandspace.id) in str(labels) for _, labels in after)  # templates, not ids


def test_stored_figures_are_read_at_each_scrape(world: World, api: Api, stack_settings: Settings) -> None:
    samples = _scrape(api)
    assert samples[("adology_metrics_source_up", (("source", "postgres"),))] == 1
    assert samples[("adology_metrics_source_up", (("source", "sqs"),))] == 1
    queues = {labels[0][1] for name, labels in samples if name == "adology_queue_messages"}
    named = RequestQueues(settings_client(stack_settings, "sqs"), stack_settings.queue_prefix)
    assert queues == {named.queue_name(priority) for priority in Priority}
    with psycopg.connect(stack_settings.database_url or "") as conn:
        by_status = dict(conn.execute("SELECT status, count(*) FROM requests GROUP BY 1").fetchall())
        (dead,) = conn.execute("SELECT count(*) FROM dead_letters").fetchone() or (0,)
    assert {labels[0][1]: value for (name, labels), value in samples.items() if name == "adology_requests"} == {
        status: float(count) for status, count in by_status.items()
    }
    assert samples[("adology_dead_letters", ())] == dead
    assert ("adology_inquire_ai", (("measure", "cost_usd"),)) in samples
