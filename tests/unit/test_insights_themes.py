"""Themes over hand-built creative units: planted groups come back as themes named by their planted
words, never by the words the local description template writes around them; one elongated cloud
(on which a silhouette threshold alone would invent themes) gives one theme that says so; every ad
sits in exactly one theme, with or without vectors; too few units give no themes; reruns agree."""

from __future__ import annotations

import ast
import json
import re
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from adology.knowledge.insights.data import AdRecord, CreativeUnit
from adology.knowledge.insights.model import ThemeSet
from adology.knowledge.insights.themes import STOP_WORDS, TOKEN_PATTERN, theme_set
from tests.insight_records import record

ROOT = Path(__file__).resolve().parents[2]
START = datetime(2024, 1, 1, tzinfo=UTC)
AS_OF = datetime(2025, 6, 1, tzinfo=UTC)
PLANTED = [["hydration", "serum", "dewy"], ["sunscreen", "spf", "protection"], ["acne", "pores", "blemish"]]
SHARED_WORDS = ["skin", "routine", "daily", "radiant", "gentle", "formula", "care", "feel"]
# words the local provider writes into every description; theme names must never be made of them
TEMPLATE = (
    "Image ad for Glow Botanicals, 1:1 square (1080×1080 px). Text read from the creative: "
    '"{planted}", "SHOP NOW". No offer was found in the text read. Call to action: Shop now (read "SHOP NOW" '
    "on the creative, in a box (30%×8% of the frame, edge contrast 0.41)). Text covers 12% of the image, "
    "mostly in the top third. Dominant colours: #f6aac4 (41%), #ffffff (22%), a pastel palette; brightness "
    '0.71, contrast 0.30, colourfulness 0.20, edge density 0.01. No faces detected. Body copy: "{shared}". '
    "The copy is in English."
)


def ad(ad_id: int, **fields: Any) -> AdRecord:
    start = fields.pop("start", START + timedelta(days=ad_id % 300))
    return record(ad_id, start, **({"description": None} | fields))


def planted_units(
    sizes: list[int], *, seed: int, dimensions: int = 256, visual: bool = False, first_id: int = 1
) -> list[CreativeUnit]:
    """``sizes[g]`` units around centre g, described with planted words g among words every group shares."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(len(sizes), dimensions))
    looks = rng.normal(size=(len(sizes), 192))
    units = []
    for group, size in enumerate(sizes):
        for _ in range(size):
            shared = " ".join(rng.choice(SHARED_WORDS, size=4))
            units.append(
                CreativeUnit(
                    (
                        ad(
                            first_id + len(units),
                            description=TEMPLATE.format(planted=" ".join(PLANTED[group]), shared=shared),
                            retrieval=_unit(centres[group] + 0.8 * rng.normal(size=dimensions)),
                            visual=_unit(looks[group] + 0.5 * rng.normal(size=192)) if visual else None,
                        ),
                    )
                )
            )
    return units


def one_elongated_cloud(count: int, *, seed: int) -> list[CreativeUnit]:
    """One Gaussian cloud whose spread falls off across dimensions, as description embeddings do."""
    rng = np.random.default_rng(seed)
    spread = 1 / np.sqrt(np.arange(1, 257))
    spread *= np.sqrt(256 / np.sum(spread**2))
    centre = 3 * rng.normal(size=256)
    return [
        CreativeUnit(
            (
                ad(
                    ad_id,
                    description=TEMPLATE.format(
                        planted="hydration serum", shared=" ".join(rng.choice(SHARED_WORDS, size=4))
                    ),
                    retrieval=_unit(centre + spread * rng.normal(size=256)),
                    is_active=ad_id % 2 == 1,  # active since START: running until AS_OF
                    start=START,
                ),
            )
        )
        for ad_id in range(1, count + 1)
    ]


def _unit(vector: np.ndarray) -> np.ndarray:
    return (vector / np.linalg.norm(vector)).astype(np.float32)


def members_of(themes: ThemeSet) -> list[int]:
    return [ad_id for theme in themes.themes for ad_id in theme.ad_ids]


def test_planted_groups_come_back_as_themes_named_by_their_planted_words() -> None:
    units = planted_units([60, 40, 25], seed=1)
    themes = theme_set(units, as_of=AS_OF)
    assert themes.status == "ok" and themes.reason is None and themes.method is not None
    assert (themes.method.k, themes.method.algorithm, themes.method.features) == (3, "kmeans", ["retrieval"])
    assert themes.method.silhouette is not None and themes.method.silhouette > 0.3
    assert [theme.id for theme in themes.themes] == ["t1", "t2", "t3"]
    assert [theme.share for theme in themes.themes] == [0.48, 0.32, 0.2]  # largest first
    for theme, planted, ad_ids in zip(
        themes.themes, PLANTED, [range(1, 61), range(61, 101), range(101, 126)], strict=True
    ):
        assert theme.ad_ids == list(ad_ids)
        assert sorted(theme.terms[:3]) == sorted(planted) and len(theme.terms) == 5
        assert theme.name == " / ".join(theme.terms[:3]) and theme.name_source == "ctfidf" and theme.summary is None
        assert len(theme.exemplar_ad_ids) == 3 and set(theme.exemplar_ad_ids) <= set(theme.ad_ids)


def test_visual_vectors_join_the_features_when_every_unit_has_one() -> None:
    with_looks = theme_set(planted_units([40, 40], seed=2, visual=True), as_of=AS_OF)
    assert with_looks.method is not None and with_looks.method.features == ["retrieval", "visual"]
    assert [theme.ad_ids for theme in with_looks.themes] == [list(range(1, 41)), list(range(41, 81))]
    one_without = planted_units([40, 40], seed=2, visual=True)
    one_without[5] = CreativeUnit((ad(6, description="serum", retrieval=one_without[5].representative.retrieval),))
    partly = theme_set(one_without, as_of=AS_OF)
    assert partly.method is not None and partly.method.features == ["retrieval"]


def test_one_elongated_cloud_gets_one_theme_that_says_so_though_its_silhouette_passes_the_threshold() -> None:
    units = one_elongated_cloud(200, seed=3)
    themes = theme_set(units, as_of=AS_OF)
    assert themes.status == "ok" and themes.method is not None
    # k-means splits one elongated cloud well enough to clear 0.08: the threshold alone would invent themes
    assert themes.method.k == 1 and themes.method.silhouette is not None and themes.method.silhouette > 0.08
    assert themes.reason is not None and themes.reason.startswith("no distinct themes")
    (theme,) = themes.themes
    assert theme.share == 1.0 and theme.ad_ids == list(range(1, 201)) and len(theme.exemplar_ad_ids) == 3
    assert {"hydration", "serum"} <= set(theme.terms) and not set(theme.terms) & STOP_WORDS
    assert (theme.first_seen, theme.last_seen) == (START.date(), START.date())
    # half ran 20 days; the other half still runs at AS_OF, 517 days after START
    assert theme.median_days_running == (20 + (AS_OF - START).days) / 2


def test_every_ad_sits_in_exactly_one_theme_with_or_without_vectors() -> None:
    units = planted_units([40, 20], seed=4, visual=True)
    look_of_second_group = units[45].representative.visual
    google_copy = ad(1_000, source="serpapi", media_sha256=("sha-1",))
    units[0] = CreativeUnit((units[0].representative, google_copy))
    extra = [
        CreativeUnit((ad(2_000, visual=look_of_second_group),)),  # no retrieval vector: placed by its look
        CreativeUnit((ad(2_001, retrieval=np.zeros(256, dtype=np.float32)),)),  # a text without a word
        CreativeUnit((ad(2_002),)),  # nothing to go by: the largest theme
    ]
    themes = theme_set([*units, *extra], as_of=AS_OF)
    expected = [unit_ad.ad_id for unit in [*units, *extra] for unit_ad in unit.ads]
    assert sorted(members_of(themes)) == sorted(expected) and len(members_of(themes)) == len(set(expected))
    first, second = themes.themes
    assert {1, 1_000, 2_001, 2_002} <= set(first.ad_ids) and 2_000 in second.ad_ids
    assert first.share == round(42 / 63, 4) and not {1_000, 2_000, 2_001, 2_002} & set(first.exemplar_ad_ids)


def test_large_brands_use_mini_batch_k_means_and_still_count_every_ad_once() -> None:
    units = planted_units([3_000, 2_000, 1_000], seed=5, dimensions=32)
    themes = theme_set(units, as_of=AS_OF)
    assert themes.method is not None and (themes.method.algorithm, themes.method.k) == ("minibatch-kmeans", 3)
    assert [theme.ad_ids for theme in themes.themes] == [
        list(range(1, 3_001)),
        list(range(3_001, 5_001)),
        list(range(5_001, 6_001)),
    ]


def test_fewer_than_twenty_creative_units_get_no_themes() -> None:
    few = theme_set(planted_units([19], seed=6), as_of=AS_OF)
    assert (few.status, few.themes, few.method) == ("too_little_data", [], None)
    assert few.reason == "19 creative units; themes need at least 20"
    assert theme_set([], as_of=AS_OF).status == "no_ads"
    mostly_unembedded = [*planted_units([10], seed=6), *(CreativeUnit((ad(100 + i),)) for i in range(30))]
    unembedded = theme_set(mostly_unembedded, as_of=AS_OF)
    assert unembedded.status == "too_little_data" and unembedded.themes == []
    assert unembedded.reason == "10 of 40 creative units have a retrieval vector; themes need at least 20"


def test_themes_are_the_same_on_a_rerun() -> None:
    first = theme_set(planted_units([30, 30, 30], seed=7, visual=True), as_of=AS_OF)
    again = theme_set(planted_units([30, 30, 30], seed=7, visual=True), as_of=AS_OF)
    assert first == again and first.model_dump_json() == again.model_dump_json()


def _local_template_words() -> set[str]:
    """The words of adology/ai/local/describe.py's sentences (its string constants outside docstrings
    and the attribute table) and the enum values it spells out."""
    tree = ast.parse((ROOT / "adology/ai/local/describe.py").read_text())
    texts: list[str] = []
    for statement in tree.body:
        if isinstance(statement, ast.FunctionDef) and statement.name != "attribute_values":
            body = statement.body[1:] if ast.get_docstring(statement) else statement.body
            nodes = [node for part in body for node in ast.walk(part)]
        elif isinstance(statement, ast.Assign):
            nodes = list(ast.walk(statement.value))
        else:
            continue
        texts += [node.value for node in nodes if isinstance(node, ast.Constant) and isinstance(node.value, str)]
    schema = json.loads((ROOT / "adology/ai/data/attributes.v1.json").read_text())
    spelled_out = {"color_palette_name", "pacing", "orientation", "format"}
    texts += [
        value.replace("_", " ")
        for item in schema["attributes"]
        if item["name"] in spelled_out
        for value in item["values"]
    ]
    return {word for text in texts for word in re.findall(TOKEN_PATTERN, text.lower())}


def test_no_word_of_the_local_description_template_can_name_a_theme() -> None:
    # the offer kinds' words are left to name themes: ads say them too ("FREE SHIPPING", "BOGO")
    offer_words = {"free", "shipping", "gift", "bundle", "trial", "sample", "buy", "bogo"}
    assert _local_template_words() - offer_words - STOP_WORDS == set()


@pytest.mark.parametrize("dimensions", [32, 256])
def test_themes_are_found_with_or_without_the_reduction(dimensions: int) -> None:
    themes = theme_set(planted_units([40, 40], seed=8, dimensions=dimensions), as_of=AS_OF)
    assert themes.method is not None and themes.method.k == 2 and themes.reason is None


def test_creatives_with_identical_vectors_split_only_as_far_as_they_differ() -> None:
    same, other = np.full(256, 1 / 16, dtype=np.float32), np.eye(256, dtype=np.float32)[0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # k-means warns when asked for more groups than distinct points
        alike = theme_set([CreativeUnit((ad(i, retrieval=same),)) for i in range(1, 41)], as_of=AS_OF)
        two_kinds = theme_set(
            [CreativeUnit((ad(i, retrieval=same if i % 2 else other),)) for i in range(1, 41)], as_of=AS_OF
        )
    assert alike.reason is not None and alike.reason.startswith("no distinct themes") and len(alike.themes) == 1
    assert [theme.ad_ids for theme in two_kinds.themes] == [list(range(1, 41, 2)), list(range(2, 41, 2))]
