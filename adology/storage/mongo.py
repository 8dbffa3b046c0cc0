"""The document store: pymongo for ``mongodb://`` URIs, montydb (sqlite) for ``montydb://`` paths.

montydb runs on :mod:`adology.storage.montydb_sqlite`, its sqlite engine with batch inserts that do
not scan the whole collection.

Both expose the pymongo API Adology uses (insert, find, replace, indexes), so callers never
branch on which one they hold.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from adology.errors import SettingsError

MONTY_SCHEME = "montydb://"
MONTY_ENGINE = "adology.storage.montydb_sqlite"  # montydb's sqlite files, batch inserts in linear time


def open_client(uri: str) -> Any:
    """A pymongo ``MongoClient`` or a montydb ``MontyClient`` for ``uri`` (caller closes it)."""
    if uri.startswith(MONTY_SCHEME):
        from montydb import MontyClient, set_storage

        repository = Path(uri.removeprefix(MONTY_SCHEME))
        if not repository.is_absolute():
            raise SettingsError(f"MONGO_URI={uri!r}: expected montydb:///absolute/path")
        engine = repository / ".monty.storage"  # montydb's record of the storage module
        if not engine.exists() or engine.read_text().strip() != MONTY_ENGINE:
            # a repository made with montydb's own sqlite engine has the same files: switching keeps them
            repository.mkdir(parents=True, exist_ok=True)
            # pymongo's C bson instead of montydb's own encoder, which parses every document in Python
            set_storage(str(repository), storage=MONTY_ENGINE, use_bson=True)
        return MontyClient(str(repository))
    if uri.startswith(("mongodb://", "mongodb+srv://")):
        import pymongo

        return pymongo.MongoClient(uri, serverSelectionTimeoutMS=5000, tz_aware=True)
    raise SettingsError(f"MONGO_URI={uri!r}: expected mongodb://, mongodb+srv:// or montydb:///absolute/path")


# raw source payloads per ad and fetch; the full AI document per ad, stage and attempt
COLLECTIONS = ("raw_ads", "ad_analyses")


def ensure_collections(database: Any) -> list[str]:
    """Create the collections Adology writes that are missing; their names.

    MongoDB creates a collection on first write, safely. montydb does too, but not safely across
    processes: its check for the sqlite file passes as soon as another process has created the file
    and before that process has created the table, and the first write then fails with "no such
    table". Two run workers making a fresh stack's first analysis writes at once hit exactly that.
    """
    missing = [name for name in COLLECTIONS if name not in set(database.list_collection_names())]
    for name in missing:
        database.create_collection(name)
    return missing


@contextlib.contextmanager
def open_mongo(uri: str, database: str) -> Iterator[Any]:
    """Open the database named ``database`` and close its client on exit."""
    client = open_client(uri)
    try:
        client.server_info()  # fails fast, and the same way, for both backends
        yield client[database]
    finally:
        client.close()
