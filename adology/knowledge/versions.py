"""What is wrong with a stored version of a knowledge snapshot (brand insights, a brandspace report):
its row and its S3 object must both exist and say the same."""

from __future__ import annotations

import json
from typing import Any

from adology.storage.s3 import ObjectStore


def snapshot_problems(
    store: ObjectStore, row: tuple[Any, str] | None, *, table: str, version: int, s3_key: str
) -> list[str]:
    """``row`` is the version's stored (body, s3_key), or None when the table has no such row."""
    if row is None:
        return [f"no row for version {version} in {table}"]
    body, key = row
    if key != s3_key:
        return [f"the row names {key!r}, not {s3_key!r}"]
    if not store.exists(key=key):
        return [f"the snapshot {key} is missing from the bucket"]
    if json.loads(store.get_bytes(key=key)) != body:
        return [f"the snapshot {key} differs from the row"]
    return []
