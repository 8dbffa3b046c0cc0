"""Mongo ``raw_ads`` documents: a source's untouched items and the items that could not be stored.

An item is JSON, and not all JSON is a BSON document: a key with a NUL character, a key starting
with ``$`` or holding a ``.`` (montydb refuses both, MongoDB in places), an integer beyond int64, a
string with an unpaired surrogate (not UTF-8) or nesting deeper than MongoDB's 100 levels. Such an
item is stored whole as its JSON text (``payload_json``: ASCII, every other character escaped as
JSON escapes it, so ``json.loads`` gives back exactly the item) next to the reason
(``payload_json_reason``); an item BSON can hold stays a document (``payload``), queryable as
before. Escaping the offending keys instead would need an escape for the escape character, and
would leave every reader guessing which keys were escaped.

Each document's ``_id`` is a digest of what it records — an ad: brand, connector, ad and the item's
JSON text; a failure: brand, connector, item and reason — so a run that meets the same item again
(a re-run after a failed write, a hostile item that fails every run) adds no document.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from bson.errors import InvalidDocument
from montydb.errors import BulkWriteError as MontyBulkWriteError
from pymongo.errors import BulkWriteError as MongoBulkWriteError

from adology.brands import Brand
from adology.sources.models import NormalizedAd, ParsedPage
from adology.sources.values import INT64_MAX, INT64_MIN, has_unpaired_surrogate, printable

# MongoDB refuses documents nested deeper than 100 levels; the payload is one level in.
_MAX_PAYLOAD_DEPTH = 99
_DUPLICATE_KEY = 11000
# What encoding one document raises, client-side, before the store sees it.
_ENCODING_ERRORS = (InvalidDocument, OverflowError, UnicodeEncodeError, RecursionError)


def ad_document(brand: Brand, page: ParsedPage, ad: NormalizedAd, fetched_at: datetime) -> dict[str, Any]:
    """The document recording what ``ad``'s item said in this fetch, with the parser's notes.

    Raises ValueError, TypeError or RecursionError for an item JSON cannot write either: one built
    in Python, not read from a source (an integer beyond Python's int-to-text limit, a value of no
    JSON type, a cycle, thousands of levels of nesting).
    """
    text = json.dumps(ad.raw)
    flaw = bson_flaw(ad.raw)
    payload: dict[str, Any] = (
        {"payload": ad.raw} if flaw is None else {"payload_json": text, "payload_json_reason": flaw}
    )
    identity = ("ad", brand.partition_key, page.connector.value, ad.source, ad.source_ad_id, text)
    return {
        "_id": _digest(identity),
        "source": ad.source,
        "source_ad_id": ad.source_ad_id,
        "connector": page.connector.value,
        "brand": brand.partition_key,
        "request": printable(page.request),
        "fetched_at": fetched_at,
        **payload,
        **({"notes": ad.notes} if ad.notes else {}),
    }


def failure_document(
    brand: Brand,
    page: ParsedPage,
    kind: str,
    position: int | None,
    source_ad_id: str | None,
    reason: str,
    fetched_at: datetime,
) -> dict[str, Any]:
    """The document recording an item that failed: ``kind`` is ``parse_failure`` (the parser refused
    it) or ``store_failure`` (it parsed, and a store, or what storing it needed, failed)."""
    recorded = {
        "position": position,
        "reason": printable(reason),
        "source_ad_id": printable(source_ad_id) if source_ad_id is not None else None,
    }
    # the same item failing again for the same reason is the same record; an item without an id is
    # known only by its place
    where = (recorded["source_ad_id"],) if source_ad_id is not None else (page.request, position)
    identity = (kind, brand.partition_key, page.connector.value, *where, recorded["reason"])
    return {
        "_id": _digest(identity),
        "connector": page.connector.value,
        "brand": brand.partition_key,
        "request": printable(page.request),
        "fetched_at": fetched_at,
        kind: recorded,
    }


def _digest(identity: tuple[Any, ...]) -> str:
    return hashlib.sha256(json.dumps(identity).encode()).hexdigest()


def bson_flaw(payload: Any) -> str | None:
    """Why ``payload`` cannot be a BSON document as it is, or None. Walks without recursing."""
    pending = [(payload, 1)]
    while pending:
        value, depth = pending.pop()
        if depth > _MAX_PAYLOAD_DEPTH:
            return f"nested deeper than {_MAX_PAYLOAD_DEPTH} levels"
        is_object = isinstance(value, dict)
        for key, item in value.items() if is_object else enumerate(value):
            if is_object and (flaw := _key_flaw(key)) is not None:
                return flaw
            if isinstance(item, dict | list):
                pending.append((item, depth + 1))
            elif isinstance(item, str):
                if has_unpaired_surrogate(item):
                    return "a string with an unpaired surrogate"
            elif isinstance(item, int) and not isinstance(item, bool) and not INT64_MIN <= item <= INT64_MAX:
                return "an integer beyond 64 bits"
    return None


def _key_flaw(key: Any) -> str | None:
    if not isinstance(key, str):
        return f"a key that is not text ({type(key).__name__})"
    if "\x00" in key:
        return "a key with a NUL character"
    if key.startswith("$"):
        return "a key starting with '$'"
    if "." in key:
        return "a key with a '.'"
    if has_unpaired_surrogate(key):
        return "a key with an unpaired surrogate"
    return None


def insert_new(collection: Any, documents: list[dict[str, Any]]) -> list[tuple[dict[str, Any], str]]:
    """Insert ``documents``, skipping those already stored (same ``_id``); returns the ones the
    store refused, each with its reason, after inserting every other one."""
    try:
        return _insert_ordered(collection, documents)
    except _ENCODING_ERRORS:
        # one document could not even be encoded; one at a time, only that one is lost (any sent
        # before it are skipped as already stored)
        refused: list[tuple[dict[str, Any], str]] = []
        for document in documents:
            try:
                refused += _insert_ordered(collection, [document])
            except _ENCODING_ERRORS as exc:
                refused.append((document, f"{type(exc).__name__}: {printable(str(exc))}"))
        return refused


def _insert_ordered(collection: Any, documents: list[dict[str, Any]]) -> list[tuple[dict[str, Any], str]]:
    """An ordered insert stops at the first document it cannot write: that one is skipped (stored
    already) or refused (by the server), and the insert goes on after it."""
    refused: list[tuple[dict[str, Any], str]] = []
    remaining = documents
    while remaining:
        try:
            collection.insert_many(remaining, ordered=True)
            return refused
        except (MongoBulkWriteError, MontyBulkWriteError) as exc:
            error = exc.details["writeErrors"][0]
            if error.get("code") != _DUPLICATE_KEY:
                refused.append((remaining[error["index"]], printable(str(error.get("errmsg")))))
            remaining = remaining[error["index"] + 1 :]
    return refused
