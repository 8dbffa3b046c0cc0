"""AWS clients built one way for every caller, against AWS or the embedded stack."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any, Literal

import boto3
from botocore.config import Config
from obstore.store import S3Store

from adology.settings import Settings
from adology.storage.s3 import ObjectStore

if TYPE_CHECKING:
    from obstore.store import S3Config  # declared for type checkers only

# "standard" retry mode backs off on throttling and transient 5xx answers. One client is shared by
# a run's threads (media uploads, creative reads, log writes): botocore's default pool of 10
# connections would make them queue and churn connections.
_CLIENT_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 5}, connect_timeout=5, read_timeout=30, max_pool_connections=64
)


def aws_client(
    service: Literal["s3", "sqs"],
    *,
    region: str,
    endpoint_url: str | None = None,
    access_key_id: str | None = None,
    secret_access_key: str | None = None,
    config: Config | None = None,
) -> Any:
    """A boto3 client; unset credentials and endpoint fall back to boto3's own chain (IAM roles)."""
    config = _CLIENT_CONFIG.merge(config) if config else _CLIENT_CONFIG
    if service == "s3" and endpoint_url:
        # SeaweedFS and other S3-compatible servers serve buckets as paths, not subdomains
        config = config.merge(Config(s3={"addressing_style": "path"}))
    return boto3.client(
        service,
        region_name=region,
        endpoint_url=endpoint_url or None,
        aws_access_key_id=access_key_id or None,
        aws_secret_access_key=secret_access_key or None,
        config=config,
    )


def settings_client(settings: Settings, service: Literal["s3", "sqs"], *, config: Config | None = None) -> Any:
    """A client for ``service`` configured from Adology settings (endpoint, region, keys)."""
    secret = settings.aws_secret_access_key
    return aws_client(
        service,
        region=settings.aws_region,
        endpoint_url=settings.s3_endpoint_url if service == "s3" else settings.sqs_endpoint_url,
        access_key_id=settings.aws_access_key_id,
        secret_access_key=secret.get_secret_value() if secret else None,
        config=config,
    )


def object_store(
    bucket: str,
    *,
    region: str,
    endpoint_url: str | None = None,
    access_key_id: str | None = None,
    secret_access_key: str | None = None,
) -> ObjectStore:
    """The bucket through both clients, configured alike; unset credentials fall back to each
    library's own chain (environment, ECS task role, instance profile).

    Both clients talk to exactly the endpoint given, AWS's regional one when none is, whatever the
    environment says: obstore reads ``AWS_ENDPOINT_URL_S3`` (and ``AWS_ENDPOINT``/``AWS_ENDPOINT_URL``)
    in every constructor and lets the first override an explicit ``endpoint``, while boto3 keeps
    an explicit endpoint, so one store could read from one server and write to another. Settings
    read ``AWS_ENDPOINT_URL_S3`` once, into the endpoint passed here."""
    # obstore: the service-specific key wins over "endpoint", so both are set to the one endpoint;
    # without one, AWS's own, as obstore builds it when nothing is set. Path-style (obstore's
    # default, and the boto3 client's for a custom endpoint: SeaweedFS serves buckets as paths)
    # is set too: a virtual-hosted endpoint from the environment would have to name the bucket.
    endpoint = endpoint_url or f"https://s3.{region}.amazonaws.com"
    config: S3Config = {
        "region": region,
        "endpoint": endpoint,
        "aws_endpoint_url_s3": endpoint,
        "virtual_hosted_style_request": False,
    }
    if access_key_id and secret_access_key:
        config |= {"access_key_id": access_key_id, "secret_access_key": secret_access_key}
    objects = S3Store(
        bucket,
        config=config,
        client_options={
            "allow_http": bool(endpoint_url and endpoint_url.startswith("http://")),
            "connect_timeout": "5s",
            "timeout": "30s",
        },
        # Backoff up to 4 s over eight retries (about 18 s in all): long enough to ride out a store
        # restarting (the embedded SeaweedFS is back within seconds), where obstore's default
        # (100 ms doubling, four retries) gives up in under a second and fails the ad's batch.
        retry_config={
            "max_retries": 8,
            "backoff": {"init_backoff": timedelta(milliseconds=200), "max_backoff": timedelta(seconds=4), "base": 2},
            "retry_timeout": timedelta(seconds=30),
        },
    )
    client = aws_client(
        "s3",
        region=region,
        endpoint_url=endpoint_url,
        access_key_id=access_key_id,
        secret_access_key=secret_access_key,
        # boto3 keeps an explicit endpoint; without one it would take AWS_ENDPOINT_URL_S3 or
        # AWS_ENDPOINT_URL from the environment, which obstore is told to ignore above
        config=Config(ignore_configured_endpoint_urls=True),
    )
    return ObjectStore(client, bucket, objects)


def settings_object_store(settings: Settings) -> ObjectStore:
    """The media / logs / reports bucket configured from Adology settings."""
    secret = settings.aws_secret_access_key
    return object_store(
        settings.s3_bucket,
        region=settings.aws_region,
        endpoint_url=settings.s3_endpoint_url,
        access_key_id=settings.aws_access_key_id,
        secret_access_key=secret.get_secret_value() if secret else None,
    )
