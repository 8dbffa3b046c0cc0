"""What the runtime expects to exist, created once per deployment: the schema (migrations), the
bucket, the request queues with their dead-letter queues, and the Mongo collections.

Resources only open clients, so the runtime needs no right to create anything. ``adology stack up``
provisions the embedded stack; a deployment runs ``adology provision`` with credentials allowed to
create these (ARCHITECTURE §10: idempotent, safe to run on every deploy).
"""

from __future__ import annotations

from adology.db.migrate import migrate
from adology.logs import get_logger
from adology.settings import Settings
from adology.storage.aws import settings_client, settings_object_store
from adology.storage.mongo import ensure_collections, open_mongo
from adology.storage.queues import RequestQueues
from adology.storage.s3 import ObjectStore

log = get_logger(__name__)


def provision(settings: Settings) -> list[str]:
    """Apply pending migrations and ensure the bucket, queues and collections; return the migrations applied."""
    applied = migrate(settings.database_url or "")
    with open_mongo(settings.mongo_uri or "", settings.mongo_database) as database:
        ensure_collections(database)
    store: ObjectStore = settings_object_store(settings)
    store.ensure_bucket()
    queues = RequestQueues(
        settings_client(settings, "sqs"),
        settings.queue_prefix,
        max_receives=settings.queue_max_receives,
        visibility_seconds=settings.queue_visibility_seconds,
    ).ensure()
    log.info(
        "provisioned",
        extra={
            "migrations": ",".join(applied) or "none",
            "bucket": settings.s3_bucket,
            "queues": ",".join(sorted(queues)),
        },
    )
    return applied
