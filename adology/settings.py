"""Every setting Adology reads, from environment variables, with defaults for the embedded stack.

Standard client variables keep their standard names (``DATABASE_URL``, ``AWS_*``, ``MONGO_URI``)
so boto3, libpq tools and pymongo read the same values we do; our own settings are ``ADOLOGY_*``.
``.env.example`` lists them all; ``tests/test_settings.py`` keeps it in step with this class.
"""

from __future__ import annotations

import enum
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator

from adology.ai.config import (
    BedrockConfig,
    OpenAIConfig,
    OpenAIEmbeddingSize,
    ProviderConfig,
    ProviderName,
    TitanImageSize,
    TitanTextSize,
    chosen_provider,
)
from adology.errors import SettingsError

Port = Annotated[int, Field(ge=1024, le=55535)]


class Environment(str, enum.Enum):
    LOCAL = "local"
    PRODUCTION = "production"


class LogFormat(str, enum.Enum):
    TEXT = "text"
    JSON = "json"


class Settings(BaseModel):
    """Configuration for every Adology process; construct with :func:`load_settings`."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    environment: Environment = Field(
        Environment.LOCAL,
        alias="ADOLOGY_ENV",
        description="'local' (embedded stack) or 'production' (AWS, RDS, MongoDB)",
    )
    state_dir: Path = Field(
        Path(".adology"),
        alias="ADOLOGY_STATE_DIR",
        description="directory holding the embedded stack's data, logs and pid files",
    )
    log_level: str = Field(
        "INFO",
        alias="ADOLOGY_LOG_LEVEL",
        pattern=r"^(DEBUG|INFO|WARNING|ERROR|CRITICAL)$",
        description="one of DEBUG, INFO, WARNING, ERROR, CRITICAL",
    )
    log_format: LogFormat = Field(LogFormat.TEXT, alias="ADOLOGY_LOG_FORMAT", description="'text' or 'json'")

    postgres_port: Port = Field(
        54329, alias="ADOLOGY_PG_PORT", description="TCP port of the embedded PostgreSQL (1024-55535)"
    )
    postgres_password: SecretStr = Field(
        SecretStr("adology-local"),
        alias="ADOLOGY_PG_PASSWORD",
        description="password of the embedded PostgreSQL role 'adology'",
    )
    s3_port: Port = Field(
        8333,
        alias="ADOLOGY_S3_PORT",
        description="S3 port of the embedded SeaweedFS; it also uses the next four ports and each +10000 (1024-55535)",
    )
    sqs_port: Port = Field(
        9324, alias="ADOLOGY_SQS_PORT", description="port of the embedded moto SQS server (1024-55535)"
    )
    dagster_port: Port = Field(
        3000, alias="ADOLOGY_DAGSTER_PORT", description="port of the Dagster webserver (1024-55535)"
    )
    api_port: Port = Field(8000, alias="ADOLOGY_API_PORT", description="port of the API server (1024-55535)")
    api_workers: int = Field(
        2, alias="ADOLOGY_API_WORKERS", ge=1, le=64, description="API server processes behind its port (1-64)"
    )

    database_url: str | None = Field(
        None,
        alias="DATABASE_URL",
        pattern=r"^postgres(ql)?://",
        description="libpq URI of the Adology database, e.g. postgresql://user:pass@host:5432/adology",
    )
    dagster_postgres_url: str | None = Field(
        None,
        alias="DAGSTER_POSTGRES_URL",
        pattern=r"^postgres(ql)?(\+psycopg2)?://",
        description="SQLAlchemy URL of Dagster's run and event storage, "
        "e.g. postgresql+psycopg2://user:pass@host:5432/dagster",
    )
    mongo_uri: str | None = Field(
        None,
        alias="MONGO_URI",
        pattern=r"^(mongodb(\+srv)?|montydb)://",
        description="mongodb:// or mongodb+srv:// URI, or montydb:///absolute/path for the embedded store",
    )
    mongo_database: str = Field("adology", alias="ADOLOGY_MONGO_DB", description="name of the Mongo database")

    aws_region: str = Field("us-east-1", alias="AWS_REGION", description="AWS region name")
    aws_access_key_id: str | None = Field(None, alias="AWS_ACCESS_KEY_ID", description="access key id for S3 and SQS")
    aws_secret_access_key: SecretStr | None = Field(
        None, alias="AWS_SECRET_ACCESS_KEY", description="secret access key for S3 and SQS"
    )
    s3_endpoint_url: str | None = Field(
        None,
        alias="AWS_ENDPOINT_URL_S3",
        pattern=r"^https?://",
        description="http(s):// URL of the S3 endpoint; unset in production to use AWS",
    )
    sqs_endpoint_url: str | None = Field(
        None,
        alias="AWS_ENDPOINT_URL_SQS",
        pattern=r"^https?://",
        description="http(s):// URL of the SQS endpoint; unset in production to use AWS",
    )
    s3_bucket: str = Field(
        "adology",
        alias="ADOLOGY_S3_BUCKET",
        pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$",
        description="S3 bucket for media, per-ad logs and report snapshots (lowercase DNS name)",
    )
    queue_prefix: str = Field(
        "adology",
        alias="ADOLOGY_QUEUE_PREFIX",
        pattern=r"^[A-Za-z0-9_-]{1,40}$",
        description="prefix of the SQS queue names (letters, digits, - and _)",
    )
    queue_max_receives: int = Field(
        5,
        alias="ADOLOGY_QUEUE_MAX_RECEIVES",
        ge=1,
        le=1000,
        description="receives before SQS moves a message to its dead-letter queue (1-1000)",
    )
    request_retry_seconds: int = Field(
        30,
        alias="ADOLOGY_REQUEST_RETRY_SECONDS",
        ge=1,
        le=86400,
        description="seconds before a failed request's first retry; each later retry waits four times longer (1-86400)",
    )
    queue_visibility_seconds: int = Field(
        300,
        alias="ADOLOGY_QUEUE_VISIBILITY_SECONDS",
        ge=0,
        le=43200,
        description="SQS visibility timeout in seconds (0-43200)",
    )

    library_port: Port = Field(
        8765, alias="ADOLOGY_LIBRARY_PORT", description="port of the local ad library server (1024-55535)"
    )
    library_ads: int = Field(
        300, alias="ADOLOGY_LIBRARY_ADS", ge=1, le=1_000_000, description="ads in the local ad library (1-1000000)"
    )
    library_brands: int = Field(
        5, alias="ADOLOGY_LIBRARY_BRANDS", ge=5, le=1000, description="brands in the local ad library (5-1000)"
    )
    library_seed: int = Field(7, alias="ADOLOGY_LIBRARY_SEED", description="seed of the local ad library (an integer)")
    library_cache_dir: Path | None = Field(
        None,
        alias="ADOLOGY_LIBRARY_CACHE_DIR",
        description="directory of the library's rendered creatives (default: <state dir>/library-cache)",
    )

    meta_api_base_url: str | None = Field(
        None,
        alias="META_API_BASE_URL",
        pattern=r"^https?://",
        description="http(s):// base URL of the Meta Graph API (production: https://graph.facebook.com)",
    )
    meta_api_version: str = Field(
        "v21.0", alias="META_API_VERSION", pattern=r"^v\d+\.\d+$", description="Graph API version such as v21.0"
    )
    meta_access_token: SecretStr | None = Field(
        None, alias="META_ACCESS_TOKEN", description="Meta Ad Library API access token"
    )
    apify_base_url: str | None = Field(
        None,
        alias="APIFY_BASE_URL",
        pattern=r"^https?://",
        description="http(s):// base URL of the Apify API (production: https://api.apify.com)",
    )
    apify_token: SecretStr | None = Field(None, alias="APIFY_TOKEN", description="Apify API token")
    apify_actor_id: str = Field(
        "curious_coder~facebook-ads-library-scraper",
        alias="APIFY_ACTOR_ID",
        pattern=r"^[\w.-]+~[\w.-]+$",
        description="Apify actor as username~actor-name",
    )
    serpapi_base_url: str | None = Field(
        None,
        alias="SERPAPI_BASE_URL",
        pattern=r"^https?://",
        description="http(s):// base URL of SerpApi (production: https://serpapi.com)",
    )
    serpapi_api_key: SecretStr | None = Field(None, alias="SERPAPI_API_KEY", description="SerpApi API key")

    media_allowed_endpoints: str = Field(
        "",
        alias="ADOLOGY_MEDIA_ALLOWED_ENDPOINTS",
        pattern=r"^([\w.-]+:\d+)?(,[\w.-]+:\d+)*$",
        description="comma-separated host:port exceptions to the media SSRF guard (local: the ad library only)",
    )
    media_max_bytes: int = Field(
        100 * 1024 * 1024,
        alias="ADOLOGY_MEDIA_MAX_BYTES",
        ge=1024,
        description="largest creative stored, in bytes (at least 1024)",
    )
    media_concurrency: int = Field(
        16, alias="ADOLOGY_MEDIA_CONCURRENCY", ge=1, le=512, description="creatives downloaded at once (1-512)"
    )
    media_timeout_seconds: float = Field(
        30.0,
        alias="ADOLOGY_MEDIA_TIMEOUT_SECONDS",
        gt=0,
        le=600,
        description="seconds to wait on a silent media server before retrying (0-600)",
    )
    media_min_bytes_per_second: int = Field(
        16 * 1024,
        alias="ADOLOGY_MEDIA_MIN_BYTES_PER_SECOND",
        ge=1,
        description="slowest media download kept, in bytes per second over a minute of waiting (at least 1)",
    )

    ai_provider: ProviderName = Field(
        "local",
        alias="ADOLOGY_AI_PROVIDER",
        description="'local' (offline), 'openai' or 'bedrock'",
    )
    openai_api_key: SecretStr | None = Field(None, alias="OPENAI_API_KEY", description="OpenAI API key")
    openai_base_url: str | None = Field(
        None,
        alias="OPENAI_BASE_URL",
        pattern=r"^https?://",
        description="http(s):// base URL of an OpenAI-compatible API; unset for api.openai.com",
    )
    openai_chat_model: str = Field("gpt-4.1-mini", alias="ADOLOGY_OPENAI_CHAT_MODEL", description="chat model name")
    openai_embedding_model: str = Field(
        "text-embedding-3-small", alias="ADOLOGY_OPENAI_EMBEDDING_MODEL", description="embedding model name"
    )
    openai_embedding_dimensions: OpenAIEmbeddingSize = Field(
        512,
        alias="ADOLOGY_OPENAI_EMBEDDING_DIMENSIONS",
        description="512 or 1536, the embedding sizes with an HNSW index (migration 0011)",
    )
    openai_timeout_seconds: float = Field(
        60.0,
        alias="ADOLOGY_OPENAI_TIMEOUT_SECONDS",
        gt=0,
        le=600,
        description="seconds before an OpenAI call is abandoned and retried (0-600)",
    )
    bedrock_region: str | None = Field(
        None, alias="ADOLOGY_BEDROCK_REGION", description="AWS region of Bedrock (default: AWS_REGION)"
    )
    bedrock_endpoint_url: str | None = Field(
        None,
        alias="AWS_ENDPOINT_URL_BEDROCK_RUNTIME",
        pattern=r"^https?://",
        description="http(s):// URL of a Bedrock Runtime endpoint; unset for AWS's own",
    )
    bedrock_concurrency: int = Field(
        8, alias="ADOLOGY_BEDROCK_CONCURRENCY", ge=1, le=256, description="Bedrock calls in flight (1-256)"
    )
    bedrock_chat_model: str = Field(
        "anthropic.claude-3-5-haiku-20241022-v1:0",
        alias="ADOLOGY_BEDROCK_CHAT_MODEL",
        description="Bedrock Converse model id",
    )
    bedrock_embedding_model: str = Field(
        "amazon.titan-embed-text-v2:0",
        alias="ADOLOGY_BEDROCK_EMBEDDING_MODEL",
        description="Bedrock text embedding model id",
    )
    bedrock_embedding_dimensions: TitanTextSize = Field(
        1024,
        alias="ADOLOGY_BEDROCK_EMBEDDING_DIMENSIONS",
        description="256, 512 or 1024, the Titan text sizes with an HNSW index (migration 0011)",
    )
    bedrock_image_embedding_model: str = Field(
        "amazon.titan-embed-image-v1",
        alias="ADOLOGY_BEDROCK_IMAGE_EMBEDDING_MODEL",
        description="Bedrock image embedding model id",
    )
    bedrock_image_embedding_dimensions: TitanImageSize = Field(
        1024,
        alias="ADOLOGY_BEDROCK_IMAGE_EMBEDDING_DIMENSIONS",
        description="256, 384 or 1024",
    )
    ai_concurrency: int = Field(
        16, alias="ADOLOGY_AI_CONCURRENCY", ge=1, le=1024, description="AI calls in flight per run (1-1024)"
    )
    ai_requests_per_minute: float = Field(
        3000, alias="ADOLOGY_AI_RPM", gt=0, description="AI requests per minute per run (a positive number)"
    )
    ai_tokens_per_minute: float = Field(
        2_000_000, alias="ADOLOGY_AI_TPM", gt=0, description="AI tokens per minute per run (a positive number)"
    )
    ai_budget_usd: float | None = Field(
        None, alias="ADOLOGY_AI_BUDGET_USD", ge=0, description="estimated AI spend per run that stops AI work (dollars)"
    )

    # Where Dagster runs its runs: each in a process of the daemon's machine (default), or each in an
    # ECS task of its own (dagster-aws's EcsRunLauncher; docs/deploy.md). The task definition is made
    # by the deployment, with its secrets from Secrets Manager or SSM: none of them pass through here.
    run_launcher: Literal["default", "ecs"] = Field(
        "default", alias="ADOLOGY_RUN_LAUNCHER", description="default (a process per run) or ecs (a task per run)"
    )
    ecs_cluster: str | None = Field(None, alias="ADOLOGY_ECS_CLUSTER", description="the ECS cluster runs start in")
    ecs_task_definition: str | None = Field(
        None, alias="ADOLOGY_ECS_TASK_DEFINITION", description="the run task definition's family or ARN"
    )
    ecs_container: str = Field("run", alias="ADOLOGY_ECS_CONTAINER", description="its container that runs the run")
    ecs_subnets: str = Field("", alias="ADOLOGY_ECS_SUBNETS", description="comma-separated private subnet ids")
    ecs_security_groups: str = Field(
        "", alias="ADOLOGY_ECS_SECURITY_GROUPS", description="comma-separated security group ids"
    )
    ecs_run_cpu: int = Field(
        1024,
        alias="ADOLOGY_ECS_RUN_CPU",
        ge=256,
        le=16384,
        description="CPU units of a run task (a run's ecs/cpu tag wins)",
    )
    ecs_run_memory: int = Field(
        4096,
        alias="ADOLOGY_ECS_RUN_MEMORY",
        ge=512,
        le=122880,
        description="MiB of memory of a run task (a run's ecs/memory tag wins)",
    )

    # Where the local provider measures a describe step's creatives: in the run, or in a burst outside
    # it through Dagster Pipes (resources/measurement.py)
    measure_in: Literal["run", "subprocess", "lambda", "ecs"] = Field(
        "run", alias="ADOLOGY_MEASURE_IN", description="run, subprocess, lambda or ecs"
    )
    measure_lambda: str | None = Field(
        None, alias="ADOLOGY_MEASURE_LAMBDA", description="the Lambda function measuring creatives (lambda)"
    )
    measure_task_definition: str | None = Field(
        None, alias="ADOLOGY_MEASURE_TASK_DEFINITION", description="the ECS task definition measuring creatives (ecs)"
    )

    @model_validator(mode="after")
    def _fill_embedded_defaults(self) -> Settings:
        """Point unset endpoints at the embedded stack locally; demand them in production."""
        self.state_dir = self.state_dir.expanduser().resolve()
        self.library_cache_dir = (self.library_cache_dir or self.state_dir / "library-cache").expanduser().resolve()
        if self.environment is Environment.PRODUCTION:
            self.meta_api_base_url = self.meta_api_base_url or "https://graph.facebook.com"
            self.apify_base_url = self.apify_base_url or "https://api.apify.com"
            self.serpapi_base_url = self.serpapi_base_url or "https://serpapi.com"
            missing = [
                name
                for name, value in (
                    ("DATABASE_URL", self.database_url),
                    ("DAGSTER_POSTGRES_URL", self.dagster_postgres_url),
                    ("MONGO_URI", self.mongo_uri),
                )
                if not value
            ]
            if missing:
                raise ValueError(f"required when ADOLOGY_ENV=production: {', '.join(missing)}")
            self._require_scale_out_settings()
            return self
        password = self.postgres_password.get_secret_value()
        local_pg = f"postgresql://adology:{password}@127.0.0.1:{self.postgres_port}"
        self.database_url = self.database_url or f"{local_pg}/adology"
        # dagster-postgres is written for psycopg2; SQLAlchemy 2.1 would pick psycopg 3 for a bare postgresql://
        dagster_pg = local_pg.replace("postgresql://", "postgresql+psycopg2://", 1)
        self.dagster_postgres_url = self.dagster_postgres_url or f"{dagster_pg}/dagster"
        self.mongo_uri = self.mongo_uri or f"montydb://{self.state_dir / 'mongo'}"
        self.aws_access_key_id = self.aws_access_key_id or "adology-local"
        self.aws_secret_access_key = self.aws_secret_access_key or SecretStr("adology-local-secret")
        self.s3_endpoint_url = self.s3_endpoint_url or f"http://127.0.0.1:{self.s3_port}"
        self.sqs_endpoint_url = self.sqs_endpoint_url or f"http://127.0.0.1:{self.sqs_port}"
        library = f"http://127.0.0.1:{self.library_port}"
        self.meta_api_base_url = self.meta_api_base_url or library
        self.apify_base_url = self.apify_base_url or library
        self.serpapi_base_url = self.serpapi_base_url or library
        # the local library serves fake sources, so any non-empty credential works against it
        self.meta_access_token = self.meta_access_token or SecretStr("local-meta-token")
        self.apify_token = self.apify_token or SecretStr("local-apify-token")
        self.serpapi_api_key = self.serpapi_api_key or SecretStr("local-serpapi-key")
        self.media_allowed_endpoints = self.media_allowed_endpoints or f"127.0.0.1:{self.library_port}"
        self._require_scale_out_settings()
        return self

    def openai_config(self) -> OpenAIConfig:
        return OpenAIConfig(
            api_key=self.openai_api_key.get_secret_value() if self.openai_api_key else None,
            base_url=self.openai_base_url,
            chat_model=self.openai_chat_model,
            embedding_model=self.openai_embedding_model,
            embedding_dimensions=self.openai_embedding_dimensions,
            timeout_seconds=self.openai_timeout_seconds,
        )

    def bedrock_config(self) -> BedrockConfig:
        return BedrockConfig(
            region=self.bedrock_region or self.aws_region,
            endpoint_url=self.bedrock_endpoint_url,
            concurrency=self.bedrock_concurrency,
            chat_model=self.bedrock_chat_model,
            embedding_model=self.bedrock_embedding_model,
            embedding_dimensions=self.bedrock_embedding_dimensions,
            image_embedding_model=self.bedrock_image_embedding_model,
            image_embedding_dimensions=self.bedrock_image_embedding_dimensions,
        )

    def ai_provider_config(self, name: ProviderName | None = None) -> ProviderConfig:
        """The configuration of provider ``name`` (default: ``ADOLOGY_AI_PROVIDER``)."""
        return chosen_provider(name or self.ai_provider, openai=self.openai_config(), bedrock=self.bedrock_config())

    def _require_scale_out_settings(self) -> None:
        """What an ECS run launcher or a Pipes burst needs, named when missing."""
        needed: list[tuple[str, str | None]] = []
        if self.run_launcher == "ecs":
            needed += [
                ("ADOLOGY_ECS_CLUSTER", self.ecs_cluster),
                ("ADOLOGY_ECS_TASK_DEFINITION", self.ecs_task_definition),
                ("ADOLOGY_ECS_SUBNETS", self.ecs_subnets),
            ]
        if self.measure_in == "lambda":
            needed.append(("ADOLOGY_MEASURE_LAMBDA", self.measure_lambda))
        if self.measure_in == "ecs":
            needed += [
                ("ADOLOGY_MEASURE_TASK_DEFINITION", self.measure_task_definition),
                ("ADOLOGY_ECS_CLUSTER", self.ecs_cluster),
                ("ADOLOGY_ECS_SUBNETS", self.ecs_subnets),
            ]
        missing = sorted({name for name, value in needed if not value})
        if missing:
            raise ValueError(
                f"required by ADOLOGY_RUN_LAUNCHER={self.run_launcher} and ADOLOGY_MEASURE_IN={self.measure_in}: "
                + ", ".join(missing)
            )

    @property
    def dagster_home(self) -> Path:
        return self.state_dir / "dagster"

    def client_environment(self) -> dict[str, str]:
        """The variables that point standard clients and Adology processes at this configuration."""
        exports = {
            "ADOLOGY_ENV": self.environment.value,
            "ADOLOGY_STATE_DIR": str(self.state_dir),
            "ADOLOGY_PG_PORT": str(self.postgres_port),
            "ADOLOGY_S3_PORT": str(self.s3_port),
            "ADOLOGY_SQS_PORT": str(self.sqs_port),
            "ADOLOGY_DAGSTER_PORT": str(self.dagster_port),
            "ADOLOGY_API_PORT": str(self.api_port),
            "ADOLOGY_API_WORKERS": str(self.api_workers),
            "ADOLOGY_LIBRARY_PORT": str(self.library_port),
            "ADOLOGY_S3_BUCKET": self.s3_bucket,
            "ADOLOGY_QUEUE_PREFIX": self.queue_prefix,
            "ADOLOGY_MONGO_DB": self.mongo_database,
            "DATABASE_URL": self.database_url or "",
            "DAGSTER_POSTGRES_URL": self.dagster_postgres_url or "",
            "DAGSTER_HOME": str(self.dagster_home),
            "MONGO_URI": self.mongo_uri or "",
            "AWS_REGION": self.aws_region,
        }
        if self.aws_access_key_id:
            exports["AWS_ACCESS_KEY_ID"] = self.aws_access_key_id
        if self.aws_secret_access_key:
            exports["AWS_SECRET_ACCESS_KEY"] = self.aws_secret_access_key.get_secret_value()
        for variable, secret in (
            ("META_ACCESS_TOKEN", self.meta_access_token),
            ("APIFY_TOKEN", self.apify_token),
            ("SERPAPI_API_KEY", self.serpapi_api_key),
            ("OPENAI_API_KEY", self.openai_api_key),
        ):
            if secret is not None:
                exports[variable] = secret.get_secret_value()
        if self.s3_endpoint_url:
            exports["AWS_ENDPOINT_URL_S3"] = self.s3_endpoint_url
        if self.sqs_endpoint_url:
            exports["AWS_ENDPOINT_URL_SQS"] = self.sqs_endpoint_url
        return exports


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read settings from ``environ`` (default: the process environment) and nothing else.

    Raises :class:`SettingsError` naming every bad variable, its value and the expected form.
    """
    try:
        return Settings.model_validate(dict(os.environ if environ is None else environ))
    except ValidationError as exc:
        raise SettingsError(_describe(exc)) from None


# The password of a URL's userinfo: after "scheme://user:", up to the last "@" of the text, so a
# malformed value with an "@" or a blank inside its password is hidden whole.
_URL_PASSWORD = re.compile(r"(?P<user>[A-Za-z][A-Za-z0-9+.-]*://[^\s:/?#@]*:).*@")


def _hide_url_passwords(text: str) -> str:
    """``text`` with the password of every URL in it replaced by ``***``."""
    return _URL_PASSWORD.sub(r"\g<user>***@", text)


def _describe(exc: ValidationError) -> str:
    """One line per bad variable: its value (secrets hidden, URLs without their password) and the form expected."""
    by_variable = {field.alias: field for field in Settings.model_fields.values()}
    lines = []
    for error in exc.errors():
        loc = error.get("loc") or ()
        variable = str(loc[0]) if loc else ""
        field = by_variable.get(variable)
        if field is None:
            lines.append(error["msg"].removeprefix("Value error, "))
            continue
        secret = any(word in variable for word in ("SECRET", "PASSWORD", "TOKEN", "API_KEY"))
        shown = "<hidden>" if secret else _hide_url_passwords(repr(error.get("input")))
        lines.append(f"{variable}={shown}: expected {field.description}")
    return "invalid settings:\n  " + "\n  ".join(lines)
