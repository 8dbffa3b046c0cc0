"""A small world for the API tests on the real stack: two organizations, their users and brandspaces,
brands with analysed ads (descriptions, labels, real retrieval vectors, a stored creative), requests
and notifications; and a client for the running API server (the stack's ``api`` part)."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import psycopg
from psycopg.types.json import Jsonb

from adology.ai.local.embeddings import TEXT_MODEL_ID, embed_texts
from adology.brands import BrandSource, upsert_brand
from adology.knowledge.report import build_report
from adology.knowledge.snapshots import store_report
from adology.requests.notifications import record_notification
from adology.requests.outbox import record_request
from adology.sources.models import Connector
from adology.storage.s3 import ObjectStore
from adology.tenancy.accounts import create_user, ensure_organization
from adology.tenancy.brandspaces import create_brandspace, link_user

PASSWORD = "a long test password"

# (topic, description): the retrieval vectors embed these, so a search for the topic finds its ads
TOPICS = {
    "hydration": "A dewy close-up of a hydrating serum bottle with water droplets; the copy promises all-day moisture.",
    "sunscreen": "A beach scene with a sunscreen tube in the sand; the ad sells mineral sun protection SPF 50.",
    "lipstick": "A model in bold red lipstick smiles at the camera; the ad launches a long-wear lip colour.",
    "cleanser": "A foaming face cleanser on a bathroom shelf; the copy says it removes makeup gently.",
}


@dataclass
class Org:
    id: uuid.UUID
    name: str
    admin: Any
    member: Any | None
    brandspace: Any
    other_brandspace: Any | None = None  # one the member is not linked to


@dataclass
class World:
    tag: str
    a: Org
    b: Org
    brands: dict[str, str]  # role in A's brandspace (or "b_only") → brand key
    ads: dict[str, list[int]]  # brand key → ad ids
    topic_ads: dict[str, list[int]]  # topic → ad ids
    request_id: uuid.UUID  # org A's
    notification_ids: list[int] = field(default_factory=list)  # org A's


def analysed_ads(
    conn: psycopg.Connection, store: ObjectStore, brand_id: int, key: str, count: int
) -> tuple[list[int], dict[str, list[int]]]:
    ids: list[int] = []
    by_topic: dict[str, list[int]] = {}
    topics = list(TOPICS)
    descriptions = [TOPICS[topics[i % len(topics)]] for i in range(count)]
    vectors = embed_texts(descriptions)
    creative = f"media/test-{key}.png"
    data = b"\x89PNG\r\n\x1a\n" + secrets.token_bytes(64)
    store.put_bytes(key=creative, data=data, content_type="image/png")
    sha256 = hashlib.sha256(data).hexdigest()
    now = datetime.now(UTC)
    for i in range(count):
        topic = topics[i % len(topics)]
        title = f'=HYPERLINK("x") {topic} {key}' if i == 0 else f"{topic.title()} ad {i} of {key}"
        (ad_id,) = conn.execute(
            """INSERT INTO ads (brand_id, source, source_ad_id, platforms, title, body, cta, display_format,
                                started_at, is_active, media)
               VALUES (%s, 'meta', %s, %s, %s, %s, 'Shop now', %s, %s, %s, %s) RETURNING id""",
            (
                brand_id,
                f"{key}-{i}",
                ["facebook", "instagram"] if i % 2 else ["facebook"],
                title,
                f'Body copy, with "quotes", commas and\na newline ({topic})',
                "VIDEO" if i % 3 == 0 else "IMAGE",
                now - timedelta(days=10 * i),
                i % 4 != 0,
                Jsonb(
                    [{"kind": "image", "s3_key": creative, "sha256": sha256, "content_type": "image/png", "bytes": 72}]
                ),
            ),
        ).fetchone()
        conn.execute(
            """INSERT INTO ad_descriptions (ad_id, analysis_version, description, word_count, attributes, provider,
                                            model, prompt_version, input_hash)
               VALUES (%s, 'test', %s, %s, %s, 'local', 'test', 'test', 'h')""",
            (
                ad_id,
                descriptions[i],
                len(descriptions[i].split()),
                Jsonb({"offer_type": "discount" if i % 2 else "none"}),
            ),
        )
        conn.execute(
            """INSERT INTO ad_labels (ad_id, taxonomy, taxonomy_version, label, confidence, provider, model, input_hash)
               VALUES (%s, 'UNIVERSAL', 'test', %s, 0.9, 'local', 'test', 'h')""",
            (ad_id, f"topic:{topic}"),
        )
        conn.execute(
            """INSERT INTO ad_embeddings (ad_id, kind, model, dimensions, embedding, input_hash)
               VALUES (%s, 'retrieval', %s, %s, %s, 'h')""",
            (ad_id, TEXT_MODEL_ID, len(vectors[i]), vectors[i].tolist()),
        )
        ids.append(ad_id)
        by_topic.setdefault(topic, []).append(ad_id)
    return ids, by_topic


def build_world(conn: psycopg.Connection, store: ObjectStore, *, ads_per_brand: int = 8) -> World:
    tag = secrets.token_hex(4)
    brands: dict[str, str] = {}
    ads: dict[str, list[int]] = {}
    topic_ads: dict[str, list[int]] = {}
    for role in ("primary", "competitor", "followed", "b_only"):
        key = f"api-{tag}-{role.replace('_', '-')}"
        brand = upsert_brand(
            conn,
            partition_key=key,
            name=f"Api {tag} {role}",
            sources=[BrandSource(Connector.META, f"{abs(hash(key)) % 10**12}")],
            status="analyzed",
        )
        brands[role] = key
        ads[key], by_topic = analysed_ads(conn, store, brand.id, key, ads_per_brand)
        for topic, found in by_topic.items():
            topic_ads.setdefault(topic, []).extend(found)

    def org(name: str, members: list[str], with_member: bool) -> Org:
        organization_id = ensure_organization(conn, f"{name} {tag}")
        admin = create_user(
            conn, organization_id=organization_id, email=f"admin-{tag}@{name}.example", password=PASSWORD, role="admin"
        )
        member = (
            create_user(conn, organization_id=organization_id, email=f"member-{tag}@{name}.example", password=PASSWORD)
            if with_member
            else None
        )
        space = create_brandspace(conn, admin, f"{name} space")
        other = create_brandspace(conn, admin, f"{name} private space")
        for role, brand_role in zip(members, ("primary", "competitor", "followed"), strict=False):
            conn.execute(
                "INSERT INTO brandspace_brands (brandspace_id, brand_id, role) "
                "SELECT %s, id, %s FROM brands WHERE partition_key = %s",
                (space.id, brand_role, brands[role]),
            )
        if member is not None:
            link_user(conn, member.id, [space.id])
        return Org(organization_id, f"{name} {tag}", admin, member, space, other)

    a = org("alpha", ["primary", "competitor", "followed"], True)
    b = org("beta", ["b_only", "primary"], False)
    for _ in range(2):  # two versions, so a version has a previous one to differ from
        report = build_report(conn, a.brandspace.partition_key, now=datetime.now(UTC))
        store_report(conn, store, a.brandspace.partition_key, report, trigger="test")
    request_id = record_request(conn, brand=brands["primary"], organization_id=a.id, user_id=a.admin.id)
    world = World(tag, a, b, brands, ads, topic_ads, request_id)
    notification = record_notification(
        conn, request_id=str(request_id), brand_key=brands["primary"], run_id=f"run-{tag}", status="succeeded"
    )
    if notification is not None:
        world.notification_ids.append(notification["id"])
    conn.commit()
    return world


class Api:
    """The running API server, with a login helper."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = httpx.Client(base_url=base_url, timeout=30)

    def token(self, email: str, password: str = PASSWORD) -> str:
        response = self.http.post("/v1/auth/token", json={"email": email, "password": password})
        response.raise_for_status()
        return str(response.json()["access_token"])

    def as_user(self, token: str) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, timeout=30, headers={"Authorization": f"Bearer {token}"})
