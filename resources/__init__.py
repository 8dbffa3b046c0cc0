"""Dagster resources: thin, typed wrappers around the core library's store clients.

A resource opens a client; it never provisions. Buckets, queues, collections and the schema are
created by ``adology stack up`` locally and by ``adology provision`` in a deployment, so the
runtime needs no admin rights and a sensor tick creates nothing.

``resources_for(settings)`` is the one place that decides what each environment gets.
Secrets (database and Mongo URIs, AWS secret keys, API keys) are ``dg.EnvVar``s, so they are read
at run time and never shown in the UI or stored in run config.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import dagster as dg
import psycopg
from dagster_aws.s3 import S3Resource
from dagster_aws.utils import ResourceWithBoto3Configuration
from psycopg_pool import ConnectionPool
from pydantic import Field, PrivateAttr

from adology.acquisition.run import MediaConfig, SourceConfig
from adology.ai.config import BedrockConfig, OpenAIConfig, ProviderConfig, ProviderName, chosen_provider
from adology.ai.limits import AILimits
from adology.requests.lifecycle import RetryPolicy
from adology.settings import Environment, Settings
from adology.storage.aws import aws_client, object_store
from adology.storage.mongo import open_mongo
from adology.storage.postgres import open_pool
from adology.storage.queues import RequestQueues
from adology.storage.s3 import ObjectStore
from resources.measurement import MeasurementResource


class RequestPolicyResource(dg.ConfigurableResource):
    """How a failed request is tried again (:class:`adology.requests.lifecycle.RetryPolicy`): after
    ``first_retry_seconds``, then four and sixteen times that, then never."""

    first_retry_seconds: int = 30

    @property
    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy(first_delay=timedelta(seconds=self.first_retry_seconds))


class PostgresResource(dg.ConfigurableResource):
    """The Adology database through a psycopg 3 connection pool opened once per run."""

    database_url: str
    pool_min_size: int = 1
    pool_max_size: int = 10

    _pool: ConnectionPool | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        self._pool = open_pool(self.database_url, min_size=self.pool_min_size, max_size=self.pool_max_size)

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    @contextlib.contextmanager
    def get_connection(self) -> Iterator[psycopg.Connection]:
        """A pooled connection: committed when the block succeeds, rolled back when it raises."""
        if self._pool is None:
            self._pool = open_pool(self.database_url, min_size=self.pool_min_size, max_size=self.pool_max_size)
        with self._pool.connection() as conn:
            yield conn


class ObjectStoreResource(dg.ConfigurableResource):
    """The media / logs / reports bucket, on dagster-aws's S3 resource."""

    s3: S3Resource
    bucket: str

    _store: ObjectStore | None = PrivateAttr(default=None)

    def get_store(self) -> ObjectStore:
        if self._store is None:
            # built by the project's one client factory (pool size, retries, path addressing); the
            # S3Resource carries the connection settings so the UI shows them like any dagster-aws resource
            self._store = object_store(
                self.bucket,
                region=self.s3.region_name or "us-east-1",
                endpoint_url=self.s3.endpoint_url,
                access_key_id=self.s3.aws_access_key_id,
                secret_access_key=self.s3.aws_secret_access_key,
            )
        return self._store


class QueuesResource(ResourceWithBoto3Configuration):
    """The high- and low-priority FIFO request queues with their dead-letter queues."""

    prefix: str = "adology"
    max_receives: int = 5
    visibility_seconds: int = 300

    _queues: RequestQueues | None = PrivateAttr(default=None)

    def get_queues(self) -> RequestQueues:
        if self._queues is None:
            client = aws_client(
                "sqs",
                region=self.region_name or "us-east-1",
                endpoint_url=self.endpoint_url,
                access_key_id=self.aws_access_key_id,
                secret_access_key=self.aws_secret_access_key,
            )
            self._queues = RequestQueues(
                client, self.prefix, max_receives=self.max_receives, visibility_seconds=self.visibility_seconds
            )
        return self._queues


class MongoResource(dg.ConfigurableResource):
    """The document store (raw source payloads, full AI documents): MongoDB, or montydb locally."""

    uri: str
    database: str = "adology"

    @contextlib.contextmanager
    def get_database(self) -> Iterator[Any]:
        with open_mongo(self.uri, self.database) as database:
            yield database


class SourcesResource(dg.ConfigurableResource):
    """The acquisition sources (Meta Ad Library, Apify, SerpApi) and the media fetcher's limits."""

    meta_base_url: str
    meta_api_version: str = "v21.0"
    meta_access_token: str | None = None
    apify_base_url: str
    apify_token: str | None = None
    apify_actor_id: str = "curious_coder~facebook-ads-library-scraper"
    serpapi_base_url: str
    serpapi_api_key: str | None = None
    media_allowed_endpoints: list[str] = Field(default_factory=list)
    media_max_bytes: int = 100 * 1024 * 1024
    media_concurrency: int = 16
    media_timeout_seconds: float = 30.0
    media_min_bytes_per_second: int = 16 * 1024

    def source_config(self) -> SourceConfig:
        return SourceConfig(
            meta_base_url=self.meta_base_url,
            meta_api_version=self.meta_api_version,
            meta_access_token=self.meta_access_token,
            apify_base_url=self.apify_base_url,
            apify_token=self.apify_token,
            apify_actor_id=self.apify_actor_id,
            serpapi_base_url=self.serpapi_base_url,
            serpapi_api_key=self.serpapi_api_key,
        )

    def media_config(self) -> MediaConfig:
        return MediaConfig(
            allowed_endpoints=tuple(self.media_allowed_endpoints),
            max_bytes=self.media_max_bytes,
            concurrency=self.media_concurrency,
            timeout_seconds=self.media_timeout_seconds,
            min_bytes_per_second=self.media_min_bytes_per_second,
        )


class OpenAIProviderConfig(dg.Config, OpenAIConfig):
    """The ``openai`` provider's settings (:class:`adology.ai.config.OpenAIConfig`), shown in the UI."""


class BedrockProviderConfig(dg.Config, BedrockConfig):
    """The ``bedrock`` provider's settings (:class:`adology.ai.config.BedrockConfig`), shown in the UI."""


class AIResource(dg.ConfigurableResource):
    """The AI provider, one typed config per provider, and the run-wide limits on AI work (calls in
    flight, requests and tokens per minute, budget)."""

    provider: ProviderName = "local"
    openai: OpenAIProviderConfig = OpenAIProviderConfig()
    bedrock: BedrockProviderConfig = BedrockProviderConfig()
    concurrency: int = 16
    requests_per_minute: float = 3000
    tokens_per_minute: float = 2_000_000
    budget_usd: float | None = None

    def provider_config(self) -> ProviderConfig:
        return chosen_provider(self.provider, openai=self.openai, bedrock=self.bedrock)

    def limits(self) -> AILimits:
        return AILimits(
            concurrency=self.concurrency,
            requests_per_minute=self.requests_per_minute,
            tokens_per_minute=self.tokens_per_minute,
            budget_usd=self.budget_usd,
        )


def _comma_list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def _optional_secret(variable: str, value: Any) -> Any:
    """An EnvVar when the secret is configured, so it is read at run time and never displayed."""
    return dg.EnvVar(variable) if value is not None else None


def resources_for(settings: Settings) -> dict[str, Any]:
    """The resources for ``settings.environment``: the embedded stack locally, AWS in production.

    In production S3 and SQS credentials come from the task's IAM role, so no key is configured.
    """
    local = settings.environment is Environment.LOCAL
    aws: dict[str, Any] = {"region_name": settings.aws_region}
    if local:
        aws |= {
            "aws_access_key_id": dg.EnvVar("AWS_ACCESS_KEY_ID"),
            "aws_secret_access_key": dg.EnvVar("AWS_SECRET_ACCESS_KEY"),
        }
    return {
        "postgres": PostgresResource(database_url=dg.EnvVar("DATABASE_URL")),
        "request_policy": RequestPolicyResource(first_retry_seconds=settings.request_retry_seconds),
        "measurement": MeasurementResource(
            measure_in=settings.measure_in,
            lambda_function=settings.measure_lambda,
            ecs_cluster=settings.ecs_cluster,
            ecs_task_definition=settings.measure_task_definition,
            ecs_subnets=_comma_list(settings.ecs_subnets),
            ecs_security_groups=_comma_list(settings.ecs_security_groups),
            region_name=settings.aws_region,
        ),
        "object_store": ObjectStoreResource(
            s3=S3Resource(endpoint_url=settings.s3_endpoint_url if local else None, **aws),
            bucket=settings.s3_bucket,
        ),
        "queues": QueuesResource(
            endpoint_url=settings.sqs_endpoint_url if local else None,
            prefix=settings.queue_prefix,
            max_receives=settings.queue_max_receives,
            visibility_seconds=settings.queue_visibility_seconds,
            **aws,
        ),
        "mongo": MongoResource(uri=dg.EnvVar("MONGO_URI"), database=settings.mongo_database),
        "sources": SourcesResource(
            meta_base_url=settings.meta_api_base_url or "",
            meta_api_version=settings.meta_api_version,
            meta_access_token=_optional_secret("META_ACCESS_TOKEN", settings.meta_access_token),
            apify_base_url=settings.apify_base_url or "",
            apify_token=_optional_secret("APIFY_TOKEN", settings.apify_token),
            apify_actor_id=settings.apify_actor_id,
            serpapi_base_url=settings.serpapi_base_url or "",
            serpapi_api_key=_optional_secret("SERPAPI_API_KEY", settings.serpapi_api_key),
            media_allowed_endpoints=[e for e in settings.media_allowed_endpoints.split(",") if e],
            media_max_bytes=settings.media_max_bytes,
            media_concurrency=settings.media_concurrency,
            media_timeout_seconds=settings.media_timeout_seconds,
            media_min_bytes_per_second=settings.media_min_bytes_per_second,
        ),
        "ai": AIResource(
            provider=settings.ai_provider,
            openai=OpenAIProviderConfig(
                **settings.openai_config().model_dump(exclude={"api_key"}),
                api_key=_optional_secret("OPENAI_API_KEY", settings.openai_api_key),
            ),
            bedrock=BedrockProviderConfig(**settings.bedrock_config().model_dump()),
            concurrency=settings.ai_concurrency,
            requests_per_minute=settings.ai_requests_per_minute,
            tokens_per_minute=settings.ai_tokens_per_minute,
            budget_usd=settings.ai_budget_usd,
        ),
    }
