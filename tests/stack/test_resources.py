"""Dagster resources against the real stack: Postgres pool round trips and rollback, objects stored,
FIFO queues with dead-letter redrive, and Mongo documents; a resource only opens its client, so a
bucket or queue nobody provisioned is not created by building it."""

from __future__ import annotations

import json
import time
import uuid

import dagster as dg
import psycopg
import pytest

from adology.settings import Settings
from adology.storage.queues import Priority
from resources import MongoResource, ObjectStoreResource, PostgresResource, QueuesResource, resources_for


@pytest.fixture
def resources(stack_settings: Settings):
    with dg.build_resources(resources_for(stack_settings)) as built:
        yield built


def test_postgres_connection_commits_on_success_and_rolls_back_on_error(resources) -> None:
    postgres: PostgresResource = resources.postgres
    name = f"org-{uuid.uuid4()}"
    with postgres.get_connection() as conn:
        conn.execute("INSERT INTO organizations (name) VALUES (%s)", (name,))

    def insert_a_brand_then_the_same_organization() -> None:
        with postgres.get_connection() as conn:
            conn.execute("INSERT INTO brands (partition_key, name) VALUES ('rolled-back', 'x')")
            conn.execute("INSERT INTO organizations (name) VALUES (%s)", (name,))

    with pytest.raises(psycopg.errors.UniqueViolation):
        insert_a_brand_then_the_same_organization()
    with postgres.get_connection() as conn:
        assert conn.execute("SELECT count(*) FROM organizations WHERE name = %s", (name,)).fetchone() == (1,)
        assert conn.execute("SELECT count(*) FROM brands WHERE partition_key = 'rolled-back'").fetchone() == (0,)


def test_postgres_connections_speak_pgvector(resources) -> None:
    from pgvector import Vector

    with resources.postgres.get_connection() as conn:
        (vector,) = conn.execute("SELECT %s::vector", (Vector([1, 2, 3]),)).fetchone()
    assert isinstance(vector, Vector) and vector.to_list() == [1.0, 2.0, 3.0]


def test_object_store_creates_nothing_and_round_trips_in_a_provisioned_bucket(stack_settings: Settings) -> None:
    bucket = f"ensure-{uuid.uuid4().hex[:8]}"
    definitions = resources_for(stack_settings)
    resource = ObjectStoreResource(s3=definitions["object_store"].s3, bucket=bucket)
    with dg.build_resources({"object_store": resource}) as built:
        store = built.object_store.get_store()
        listed = {entry["Name"] for entry in store.client.list_buckets()["Buckets"]}
        assert bucket not in listed  # building the resource provisioned nothing
        store.ensure_bucket()  # what `adology provision` does
        store.put_bytes(key="logs/b/a.jsonl", data=b'{"stage":"x"}\n', content_type="application/x-ndjson")
        assert store.get_bytes(key="logs/b/a.jsonl") == b'{"stage":"x"}\n'
        assert store.exists(key="logs/b/a.jsonl") and not store.exists(key="logs/b/missing")
        assert store.list_keys(prefix="logs/b/") == ["logs/b/a.jsonl"]
        store.ensure_bucket()  # a second ensure leaves the bucket and its objects alone
        assert store.exists(key="logs/b/a.jsonl")


def test_queues_are_fifo_with_dead_letter_redrive(stack_settings: Settings) -> None:
    prefix = f"t{uuid.uuid4().hex[:8]}"
    queues_resource = QueuesResource(
        endpoint_url=stack_settings.sqs_endpoint_url,
        region_name=stack_settings.aws_region,
        aws_access_key_id=stack_settings.aws_access_key_id,
        aws_secret_access_key=stack_settings.aws_secret_access_key.get_secret_value(),
        prefix=prefix,
        max_receives=2,
        visibility_seconds=0,
    )
    with dg.build_resources({"queues": queues_resource}) as built:
        queues = built.queues.get_queues()
        assert queues.client.list_queues(QueueNamePrefix=prefix).get("QueueUrls", []) == []  # nothing provisioned
        urls = queues.ensure()  # what `adology provision` does
        assert sorted(urls) == sorted(f"{prefix}-{p}{suffix}.fifo" for p in ("high", "low") for suffix in ("", "-dlq"))
        attributes = queues.client.get_queue_attributes(QueueUrl=queues.url(Priority.HIGH), AttributeNames=["All"])[
            "Attributes"
        ]
        assert attributes["FifoQueue"] == "true"
        assert json.loads(attributes["RedrivePolicy"])["maxReceiveCount"] in (2, "2")

        queues.send(Priority.HIGH, body={"request_id": "r1"}, group_id="brand-a", deduplication_id="r1")
        queues.send(Priority.HIGH, body={"request_id": "r1"}, group_id="brand-a", deduplication_id="r1")
        first = queues.receive(Priority.HIGH)
        assert [json.loads(m.body) for m in first] == [{"request_id": "r1"}]  # deduplicated

        # never deleted: after max_receives it leaves the queue for the dead-letter queue
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and queues.receive(Priority.HIGH):
            pass
        assert queues.receive(Priority.HIGH) == []
        dead = queues.receive(Priority.HIGH, dead_letter=True)
        assert [json.loads(m.body) for m in dead] == [{"request_id": "r1"}]
        queues.delete(Priority.HIGH, receipt_handle=dead[0].receipt_handle, dead_letter=True)


def test_mongo_resource_stores_documents(resources) -> None:
    mongo: MongoResource = resources.mongo
    marker = str(uuid.uuid4())
    with mongo.get_database() as database:
        database.raw_ads.insert_one({"marker": marker, "payload": {"ad_snapshot_url": "https://x"}})
    with mongo.get_database() as database:
        assert database.raw_ads.find_one({"marker": marker})["payload"]["ad_snapshot_url"] == "https://x"


def test_secrets_are_env_vars_not_values(stack_settings: Settings) -> None:
    definitions = resources_for(stack_settings)
    assert isinstance(definitions["postgres"].database_url, dg.EnvVar)
    assert isinstance(definitions["mongo"].uri, dg.EnvVar)
    assert isinstance(definitions["object_store"].s3.aws_secret_access_key, dg.EnvVar)
    assert isinstance(definitions["queues"].aws_secret_access_key, dg.EnvVar)
