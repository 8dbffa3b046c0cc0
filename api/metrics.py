"""``GET /metrics``: the service's health in Prometheus's text format, for a scraper on the private
network (Prometheus, or the CloudWatch agent's Prometheus scraping on ECS; docs/deploy.md).

Counted as requests are served, in every worker process (``adology api`` gives its workers one
``PROMETHEUS_MULTIPROC_DIR``, so a scrape of any worker sums them all): ``adology_http_requests_total``
and ``adology_http_request_duration_seconds`` by method and route template (never the raw path, whose
ids would make a series per resource).

Read at each scrape from where they live, so every process answers the same: the request queues'
depths and their dead-letter queues' sizes (SQS), requests by status, their final outcomes and
retries, dead letters recorded, ads whose latest attempt at a stage failed, and Inquire's AI calls,
tokens and cost (Postgres). The pipeline's own AI use is in its logs as CloudWatch embedded metrics
(:mod:`adology.metrics`). A source that cannot be read says so in ``adology_metrics_source_up``
instead of failing the scrape.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import psycopg
from botocore.exceptions import BotoCoreError, ClientError
from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from psycopg_pool import ConnectionPool

from adology.logs import get_logger
from adology.storage.queues import Priority, QueueUnavailableError, RequestQueues

log = get_logger(__name__)

router = APIRouter()

MULTIPROCESS_DIRECTORY = "PROMETHEUS_MULTIPROC_DIR"
HTTP_REQUESTS = Counter("adology_http_requests", "HTTP requests answered", ["method", "route", "status"])
HTTP_SECONDS = Histogram(
    "adology_http_request_duration_seconds",
    "Time to answer an HTTP request, to the end of its body",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    HTTP_REQUESTS.labels(method, route, f"{status // 100}xx").inc()
    HTTP_SECONDS.labels(method, route).observe(seconds)


def _gauge(name: str, documentation: str, labels: list[str], rows: Iterator[tuple[object, ...]]) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, documentation, labels=labels)
    for *values, number in rows:
        family.add_metric([str(value) for value in values], float(number))  # type: ignore[arg-type]
    return family


class StoredStateCollector(Collector):
    """The figures that live in Postgres and SQS, read at each scrape."""

    def __init__(self, pool: ConnectionPool, queues: RequestQueues | None) -> None:
        self.pool = pool
        self.queues = queues

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "adology_metrics_source_up", "Whether the scrape could read the source", labels=["source"]
        )
        try:
            yield from self._postgres()
            up.add_metric(["postgres"], 1)
        except psycopg.Error as exc:
            log.warning("metrics: postgres unreadable", extra={"error": str(exc)[:200]})
            up.add_metric(["postgres"], 0)
        if self.queues is not None:
            try:
                yield from self._queues(self.queues)
                up.add_metric(["sqs"], 1)
            except (BotoCoreError, ClientError, QueueUnavailableError) as exc:
                log.warning("metrics: sqs unreadable", extra={"error": str(exc)[:200]})
                up.add_metric(["sqs"], 0)
        yield up

    def _postgres(self) -> Iterator[Metric]:
        with self.pool.connection() as conn:
            requests = conn.execute("SELECT status, count(*) FROM requests GROUP BY 1 ORDER BY 1").fetchall()
            outcomes = conn.execute(
                "SELECT status, count(*) FROM notifications WHERE kind = 'run' GROUP BY 1 ORDER BY 1"
            ).fetchall()
            (retries,) = conn.execute("SELECT coalesce(sum(retries), 0) FROM requests").fetchone() or (0,)
            (dead,) = conn.execute("SELECT count(*) FROM dead_letters").fetchone() or (0,)
            failing = conn.execute(
                "SELECT stage, count(*) FROM ad_analysis_state WHERE status = 'failed' GROUP BY 1 ORDER BY 1"
            ).fetchall()
            inquire = conn.execute(
                """SELECT coalesce(sum(calls), 0), coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0),
                          coalesce(sum(cost_usd), 0) FROM inquire_messages"""
            ).fetchone() or (0, 0, 0, 0)
        yield _gauge("adology_requests", "Analysis requests by their current status", ["status"], iter(requests))
        yield _gauge(
            "adology_request_outcomes", "Requests' final outcomes (one notification each)", ["status"], iter(outcomes)
        )
        yield _gauge("adology_request_retries", "Retries scheduled over all requests", [], iter([(retries,)]))
        yield _gauge("adology_dead_letters", "Messages parked as dead letters", [], iter([(dead,)]))
        yield _gauge("adology_ads_failing", "Ads whose latest attempt at a stage failed", ["stage"], iter(failing))
        calls, input_tokens, output_tokens, cost = inquire
        yield _gauge(
            "adology_inquire_ai",
            "Inquire's AI use over all answers",
            ["measure"],
            iter(
                [("calls", calls), ("input_tokens", input_tokens), ("output_tokens", output_tokens), ("cost_usd", cost)]
            ),
        )

    def _queues(self, queues: RequestQueues) -> Iterator[Metric]:
        depth = GaugeMetricFamily("adology_queue_messages", "Messages waiting in a request queue", labels=["queue"])
        dead = GaugeMetricFamily(
            "adology_dead_letter_queue_messages", "Messages in a request queue's dead-letter queue", labels=["queue"]
        )
        for priority in Priority:
            name = queues.queue_name(priority)
            depth.add_metric([name], queues.depth(priority))
            dead.add_metric([name], queues.depth(priority, dead_letter=True))
        yield depth
        yield dead


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    registry = CollectorRegistry()
    if os.environ.get(MULTIPROCESS_DIRECTORY):
        MultiProcessCollector(registry)
    else:
        registry.register(HTTP_REQUESTS)
        registry.register(HTTP_SECONDS)
    registry.register(StoredStateCollector(request.app.state.pool, request.app.state.queues))
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
