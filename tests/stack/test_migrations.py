"""Schema migrations: ordered, versioned and idempotent; edits to applied migrations are refused;
the schema enforces the data model's invariants (uniqueness, one primary brand, vector dims)."""

from __future__ import annotations

import psycopg
import pytest

from adology.db.migrate import applied_versions, available_migrations, migrate
from adology.errors import MigrationError

TABLES = {
    "organizations",
    "users",
    "brandspaces",
    "brandspace_brands",
    "brands",
    "brand_sources",
    "ads",
    "ad_descriptions",
    "ad_labels",
    "ad_embeddings",
    "brand_insights",
    "brandspace_reports",
    "requests",
    "outbox",
    "notifications",
    "dead_letters",
    "schema_migrations",
}


def test_every_table_of_the_data_model_exists(database_url: str) -> None:
    with psycopg.connect(database_url) as conn:
        tables = {row[0] for row in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
        extensions = {row[0] for row in conn.execute("SELECT extname FROM pg_extension")}
    assert tables >= TABLES
    assert "vector" in extensions


def test_migrate_again_applies_nothing(database_url: str) -> None:
    assert migrate(database_url) == []
    assert applied_versions(database_url) == [m.version for m in available_migrations()]


def test_an_edited_applied_migration_is_refused(database_url: str) -> None:
    with psycopg.connect(database_url) as conn:
        (original,) = conn.execute("SELECT checksum FROM schema_migrations WHERE version = 2").fetchone()
        conn.execute("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 2")
    try:
        with pytest.raises(MigrationError, match="0002_tenancy was edited"):
            migrate(database_url)
    finally:
        with psycopg.connect(database_url) as conn:
            conn.execute("UPDATE schema_migrations SET checksum = %s WHERE version = 2", (original,))


@pytest.fixture
def conn(database_url: str):
    """A connection whose work is rolled back, so these tests leave no rows behind."""
    with psycopg.connect(database_url) as connection:
        yield connection
        connection.rollback()


def _brand(conn: psycopg.Connection, key: str) -> int:
    return conn.execute("INSERT INTO brands (partition_key, name) VALUES (%s, %s) RETURNING id", (key, key)).fetchone()[
        0
    ]


def test_an_ad_is_unique_per_source_and_source_id(conn: psycopg.Connection) -> None:
    brand = _brand(conn, "unique-ads")
    conn.execute("INSERT INTO ads (brand_id, source, source_ad_id) VALUES (%s, 'meta', '1')", (brand,))
    with pytest.raises(psycopg.errors.UniqueViolation):
        conn.execute("INSERT INTO ads (brand_id, source, source_ad_id) VALUES (%s, 'meta', '1')", (brand,))


def test_a_brandspace_has_at_most_one_primary_brand(conn: psycopg.Connection) -> None:
    org = conn.execute("INSERT INTO organizations (name) VALUES ('Primary Org') RETURNING id").fetchone()[0]
    space = conn.execute(
        "INSERT INTO brandspaces (organization_id, name, partition_key) VALUES (%s, 'bs', 'bs-primary') RETURNING id",
        (org,),
    ).fetchone()[0]
    first, second = _brand(conn, "primary-a"), _brand(conn, "primary-b")
    conn.execute("INSERT INTO brandspace_brands VALUES (%s, %s, 'primary')", (space, first))
    with pytest.raises(psycopg.errors.UniqueViolation):
        conn.execute("INSERT INTO brandspace_brands VALUES (%s, %s, 'primary')", (space, second))


def test_user_emails_are_unique_per_organization_ignoring_case(conn: psycopg.Connection) -> None:
    org = conn.execute("INSERT INTO organizations (name) VALUES ('Email Org') RETURNING id").fetchone()[0]
    conn.execute("INSERT INTO users (organization_id, email) VALUES (%s, 'Ann@Example.com')", (org,))
    with pytest.raises(psycopg.errors.UniqueViolation):
        conn.execute("INSERT INTO users (organization_id, email) VALUES (%s, 'ann@example.com')", (org,))


def test_embedding_dimensions_must_match_the_vector(conn: psycopg.Connection) -> None:
    brand = _brand(conn, "vectors")
    ad = conn.execute(
        "INSERT INTO ads (brand_id, source, source_ad_id) VALUES (%s, 'meta', 'v1') RETURNING id", (brand,)
    ).fetchone()[0]
    conn.execute(
        "INSERT INTO ad_embeddings (ad_id, kind, model, dimensions, embedding, input_hash) "
        "VALUES (%s, 'text', 'm', 3, '[1,0,0]', 'h')",
        (ad,),
    )
    nearest = conn.execute(
        "SELECT ad_id, embedding <=> '[1,0,0]' FROM ad_embeddings WHERE ad_id = %s", (ad,)
    ).fetchone()
    assert nearest == (ad, 0.0)
    with pytest.raises(psycopg.errors.CheckViolation):
        conn.execute(
            "INSERT INTO ad_embeddings (ad_id, kind, model, dimensions, embedding, input_hash) "
            "VALUES (%s, 'visual', 'm', 4, '[1,0,0]', 'h')",
            (ad,),
        )


@pytest.mark.parametrize("dimensions", [512, 1536])
def test_each_openai_embedding_size_is_searched_through_its_own_retrieval_index(
    conn: psycopg.Connection, dimensions: int
) -> None:
    brand = _brand(conn, f"sizes-{dimensions}")
    ads = [
        conn.execute(
            "INSERT INTO ads (brand_id, source, source_ad_id) VALUES (%s, 'meta', %s) RETURNING id",
            (brand, f"s{dimensions}-{n}"),
        ).fetchone()[0]
        for n in range(2)
    ]
    for position, ad in enumerate(ads):  # one-hot vectors: each ad is nearest to itself
        vector = "[" + ",".join("1" if i == position else "0" for i in range(dimensions)) + "]"
        for kind in ("retrieval", "text"):
            conn.execute(
                "INSERT INTO ad_embeddings (ad_id, kind, model, dimensions, embedding, input_hash) "
                "VALUES (%s, %s, 'text-embedding-3-small', %s, %s, 'h')",
                (ad, kind, dimensions, vector),
            )
    # the other tests' rows (same model and size) make a scan plus a sort look cheap on a tiny table;
    # the question is whether the index serves the ORDER BY, so plans that sort are priced out
    conn.execute("SET LOCAL enable_seqscan = off")
    conn.execute("SET LOCAL enable_sort = off")

    def search(kind: str) -> tuple[str, int]:
        query = (
            f"SELECT ad_id FROM ad_embeddings WHERE kind = '{kind}' AND model = 'text-embedding-3-small' "
            f"AND dimensions = {dimensions} ORDER BY embedding::halfvec({dimensions}) <=> "
            f"(SELECT embedding FROM ad_embeddings WHERE ad_id = %s AND kind = '{kind}' "
            f"AND model = 'text-embedding-3-small')::halfvec({dimensions}) LIMIT 1"
        )
        plan = "\n".join(row[0] for row in conn.execute("EXPLAIN " + query, (ads[1],)))
        return plan, conn.execute(query, (ads[1],)).fetchone()[0]

    plan, nearest = search("retrieval")
    assert f"ad_embeddings_openai_small_{dimensions}_hnsw" in plan and nearest == ads[1]
    plan, nearest = search("text")  # text vectors are read by brand: no HNSW index pays for them
    assert "hnsw" not in plan and nearest == ads[1]


def test_description_word_count_is_capped_at_500(conn: psycopg.Connection) -> None:
    brand = _brand(conn, "words")
    ad = conn.execute(
        "INSERT INTO ads (brand_id, source, source_ad_id) VALUES (%s, 'meta', 'w1') RETURNING id", (brand,)
    ).fetchone()[0]
    with pytest.raises(psycopg.errors.CheckViolation):
        conn.execute(
            "INSERT INTO ad_descriptions (ad_id, analysis_version, description, word_count, provider, model, "
            "prompt_version, input_hash) VALUES (%s, 'v1', 'x', 501, 'local', 'm', 'p1', 'h')",
            (ad,),
        )


def test_brand_refresh_due_time_follows_last_acquisition(conn: psycopg.Connection) -> None:
    brand = _brand(conn, "due")
    (due,) = conn.execute("SELECT next_refresh_at = '-infinity' FROM brands WHERE id = %s", (brand,)).fetchone()
    assert due  # never acquired: due at once
    conn.execute(
        "UPDATE brands SET last_acquired_at = '2026-01-01T00:00:00Z', refresh_interval = '6 hours' WHERE id = %s",
        (brand,),
    )
    (next_refresh,) = conn.execute(
        "SELECT next_refresh_at AT TIME ZONE 'UTC' FROM brands WHERE id = %s", (brand,)
    ).fetchone()
    assert next_refresh.isoformat() == "2026-01-01T06:00:00"
