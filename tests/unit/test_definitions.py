"""The Dagster project as code: the one lazy ``Definitions`` loads with its eight resources and the
asset graph of ARCHITECTURE §5; importing the entry point reads no setting; the partitions are
dynamic per brand and brandspace; every brand asset backfills ten brands per run."""

from __future__ import annotations

import os
import subprocess
import sys

import dagster as dg

from adology_assets.definitions import defs
from adology_assets.vocabulary import brand_partitions, brandspace_partitions


def test_definitions_load_with_the_asset_graph() -> None:
    definitions = defs()
    dg.Definitions.validate_loadable(definitions)
    assert set(definitions.resources) == {
        "postgres",
        "request_policy",
        "measurement",
        "object_store",
        "queues",
        "mongo",
        "sources",
        "ai",
    }
    graph = definitions.resolve_asset_graph()
    upstream = {
        key.to_user_string(): sorted(parent.to_user_string() for parent in graph.get(key).parent_keys)
        for key in graph.get_all_asset_keys()
    }
    assert upstream == {
        "ads": [],
        "ad_descriptions": ["ads"],
        "ad_labels": ["ad_descriptions"],
        "ad_embeddings": ["ad_descriptions"],
        "brand_insights": ["ad_descriptions", "ad_embeddings", "ad_labels"],
        "brandspace_reports": ["ads", "brand_insights"],
    }


def test_importing_the_entry_point_reads_no_setting() -> None:
    """A bad setting surfaces when Dagster loads the definitions, never when a module is imported."""
    script = (
        "import sys\n"
        "from adology.errors import SettingsError\n"
        "import adology_assets.definitions as entry\n"
        "try:\n    entry.defs()\nexcept SettingsError as refused:\n    print(refused)\n    sys.exit(3)\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "ADOLOGY_PG_PORT": "not-a-port"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert loaded.returncode == 3, loaded.stderr  # the import went through; loading refused the setting
    assert "ADOLOGY_PG_PORT='not-a-port'" in loaded.stdout


def test_partitions_are_dynamic_per_brand_and_brandspace() -> None:
    assert isinstance(brand_partitions, dg.DynamicPartitionsDefinition) and brand_partitions.name == "brand"
    assert isinstance(brandspace_partitions, dg.DynamicPartitionsDefinition)
    assert brandspace_partitions.name == "brandspace"


def test_backfills_group_brands_into_runs() -> None:
    graph = defs().resolve_asset_graph()
    for name in ("ads", "ad_descriptions", "ad_labels", "ad_embeddings", "brand_insights"):
        policy = graph.get(dg.AssetKey(name)).backfill_policy
        assert policy is not None and policy.max_partitions_per_run == 10
