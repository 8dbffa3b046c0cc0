"""The migration files themselves: numbered in order without gaps, so the order they apply in is
the order they were written in."""

from __future__ import annotations

from adology.db.migrate import available_migrations


def test_migrations_are_numbered_in_order_without_gaps() -> None:
    versions = [migration.version for migration in available_migrations()]
    assert versions == list(range(1, len(versions) + 1))
