"""The embedded document store: montydb on Adology's sqlite engine (batch inserts that look up the
batch's ids, not scan the collection), with Mongo's ordered insert_many semantics kept."""

from __future__ import annotations

from pathlib import Path

import pytest
from montydb import MontyClient, set_storage
from montydb.errors import BulkWriteError

from adology.storage.mongo import MONTY_ENGINE, open_mongo


def test_insert_many_stops_at_a_duplicate_id_after_writing_what_came_before(tmp_path: Path) -> None:
    with open_mongo(f"montydb://{tmp_path / 'repo'}", "adology") as database:
        assert database.things.insert_many([{"_id": 1}, {"_id": 2}]).inserted_ids == [1, 2]
        with pytest.raises(BulkWriteError) as error:
            database.things.insert_many([{"_id": 3}, {"_id": 2}, {"_id": 4}])  # 2 is stored already
        assert error.value.details["writeErrors"][0]["index"] == 1
        with pytest.raises(BulkWriteError):
            database.things.insert_many([{"_id": 5}, {"_id": 5}])  # a duplicate within the batch
        assert sorted(doc["_id"] for doc in database.things.find()) == [1, 2, 3, 5]
    assert (tmp_path / "repo" / ".monty.storage").read_text().strip() == MONTY_ENGINE


def test_a_repository_made_by_montydbs_own_sqlite_engine_is_switched_and_keeps_its_documents(tmp_path: Path) -> None:
    repository = tmp_path / "old"
    set_storage(str(repository), storage="sqlite", use_bson=True)
    with MontyClient(str(repository)) as client:
        client["adology"].raw_ads.insert_many([{"ad": n} for n in range(3)])
    with open_mongo(f"montydb://{repository}", "adology") as database:
        assert database.raw_ads.count_documents({}) == 3
        database.raw_ads.insert_many([{"ad": 3}])
        assert sorted(doc["ad"] for doc in database.raw_ads.find()) == [0, 1, 2, 3]
    assert (repository / ".monty.storage").read_text().strip() == MONTY_ENGINE
