"""The evaluation set and its truth: deterministic, varied, held out, and true to its own pixels.

Pinned here: the same seed draws the same bytes and a smaller set is the start of a larger one;
every 20 ads hold 14 images (one without text), 3 videos and 3 carousels; seeds fall in three
pools (≡1 mod 3 development, ≡2 held out, ≡0 blind) whose phrases are pairwise disjoint; the
held-out seed shares no phrase, font or layout with the development seed; the blind seed draws
only blind wording (in the held-out fonts and layouts); the vocabulary is the schema's and the
taxonomies' (offer and CTA types, labels); a BOGO ad must get bogo_offer and must not get
free_shipping, an ad without an offer must get no offer label; each creative decodes to the size,
aspect, kind and count its truth states.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import cv2
import numpy as np
import pytest

from adology.ai.evaluation import vocabulary
from adology.ai.evaluation.creatives import LANDSCAPE_LAYOUTS, LAYOUTS, EvaluationAd, render_ad, render_set
from adology.ai.evaluation.fonts import typefaces, typefaces_for
from adology.ai.evaluation.truth import (
    OFFER_LABEL_NAMES,
    AdTruth,
    CtaTruth,
    OfferTruth,
    UrgencyTruth,
    attribute_truth,
    label_truth,
    vocabulary_problems,
)
from adology.ai.evaluation.vocabulary import (
    BLIND_SEED,
    BRANDS,
    CTAS,
    DEV_SEED,
    HEADLINES,
    HELD_OUT_SEED,
    OFFERS,
    URGENCY,
    Pool,
    entries,
    pool_of,
    variants,
)
from adology.ai.local.copy_model import examples as copy_examples
from adology.ai.types import CreativeKind

COUNT = 20


@pytest.fixture(scope="module")
def development() -> list[EvaluationAd]:
    return render_set(DEV_SEED, COUNT)


@pytest.fixture(scope="module")
def held_out() -> list[EvaluationAd]:
    return render_set(HELD_OUT_SEED, COUNT)


@pytest.fixture(scope="module")
def blind() -> list[EvaluationAd]:
    return render_set(BLIND_SEED, COUNT)


def test_the_vocabulary_is_the_schemas_and_the_taxonomies() -> None:
    assert vocabulary_problems() == []


def test_the_vocabulary_check_covers_every_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vocabulary, "BRANDS", (("Zzyxquor",), ("Northglow",), ("zzyxquor",)))
    assert vocabulary_problems() == ["brand: 'zzyxquor' in both the development and blind pools"]
    monkeypatch.setattr(vocabulary, "BRANDS", (("Zzyxquor",), ("Northglow",), ()))
    assert vocabulary_problems() == ["brand: no blind phrase"]


def test_a_blind_phrase_the_local_provider_learned_from_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    learned = next(example.text for example in copy_examples() if example.label.startswith("offer:"))
    monkeypatch.setattr(vocabulary, "BRANDS", (("Zzyxquor",), ("Northglow",), (f" {learned.lower()} ",)))
    assert vocabulary_problems() == [
        f"brand: {f' {learned.casefold()} '!r} of the blind pool is one of the local provider's copy examples"
    ]


def test_the_same_seed_draws_the_same_bytes_and_a_small_set_starts_a_large_one(
    development: list[EvaluationAd],
) -> None:
    again = render_set(DEV_SEED, 5)
    assert [ad.truth for ad in again] == [ad.truth for ad in development[:5]]
    assert [[c.sha256 for c in ad.ad.creatives] for ad in again] == [
        [c.sha256 for c in ad.ad.creatives] for ad in development[:5]
    ]
    assert render_ad(DEV_SEED, 7).truth != render_ad(DEV_SEED + 3, 7).truth


def test_every_twenty_ads_mix_images_videos_carousels_and_one_without_text(development: list[EvaluationAd]) -> None:
    formats = [ad.truth.format for ad in development]
    assert (formats.count("image"), formats.count("video"), formats.count("carousel")) == (14, 3, 3)
    assert sum(not ad.truth.has_text for ad in development) == 1
    assert len({ad.truth.aspect for ad in development}) >= 3


def test_seeds_fall_in_three_pools_by_their_remainder_mod_3() -> None:
    assert (pool_of(1), pool_of(2), pool_of(3)) == (Pool.DEVELOPMENT, Pool.HELD_OUT, Pool.BLIND)
    assert (pool_of(DEV_SEED), pool_of(HELD_OUT_SEED), pool_of(BLIND_SEED)) == tuple(Pool)
    assert [pool_of(seed) for seed in (4, 5, 6, 0, 30, 31, 32)] == [
        Pool.DEVELOPMENT,
        Pool.HELD_OUT,
        Pool.BLIND,
        Pool.BLIND,
        Pool.BLIND,
        Pool.DEVELOPMENT,
        Pool.HELD_OUT,
    ]


def test_the_three_pools_of_every_entry_are_pairwise_disjoint_and_none_is_empty() -> None:
    named = list(entries())
    expected = 1 + len(HEADLINES) + sum(len(phrases) for book in (OFFERS, CTAS, URGENCY) for phrases in book.values())
    assert len(named) == expected
    for name, entry in named:
        assert len(entry) == 3, name
        pools = [{phrase.casefold() for phrase in variants(entry, pool)} for pool in Pool]
        assert all(pools), name
        for first in range(3):
            for second in range(first + 1, 3):
                assert not pools[first] & pools[second], name


def test_the_blind_set_draws_only_blind_wording(blind: list[EvaluationAd]) -> None:
    seen = {
        p.casefold()
        for _, entry in entries()
        for pool in (Pool.DEVELOPMENT, Pool.HELD_OUT)
        for p in variants(entry, pool)
    }
    blind_phrases = {p.casefold() for _, entry in entries() for p in variants(entry, Pool.BLIND)}
    drawn = {line.text.casefold() for ad in blind for line in ad.truth.lines}
    assert drawn and drawn <= blind_phrases
    assert not drawn & seen
    for ad in blind:
        truth = ad.truth
        if truth.offer is not None:
            assert truth.offer.text in variants(OFFERS[truth.language][truth.offer.offer_type], Pool.BLIND)
        if truth.cta is not None:
            assert truth.cta.text.upper() in variants(CTAS[truth.language][truth.cta.cta_type], Pool.BLIND)
        if truth.urgency is not None:
            assert truth.urgency.text.upper() in variants(URGENCY[truth.language][truth.urgency.kind], Pool.BLIND)
    # only the wording is new: fonts and layouts are the held-out set's
    faces_used = {face for ad in blind for face in ad.truth.typefaces}
    assert faces_used <= {face.name for face in typefaces_for(Pool.HELD_OUT)}
    for layouts in (LAYOUTS, LANDSCAPE_LAYOUTS):
        assert layouts[Pool.BLIND] == layouts[Pool.HELD_OUT]


def test_the_held_out_set_shares_no_phrase_font_or_layout_with_the_development_set(
    development: list[EvaluationAd], held_out: list[EvaluationAd]
) -> None:
    assert pool_of(DEV_SEED) is Pool.DEVELOPMENT and pool_of(HELD_OUT_SEED) is Pool.HELD_OUT
    tables = [BRANDS, *HEADLINES.values()]
    tables += [entry for book in (OFFERS, CTAS, URGENCY) for phrases in book.values() for entry in phrases.values()]
    for dev_phrases, held_phrases, _blind in tables:
        assert not {p.casefold() for p in dev_phrases} & {p.casefold() for p in held_phrases}

    def drawn(ads: list[EvaluationAd]) -> set[str]:
        return {line.text.casefold() for ad in ads for line in ad.truth.lines}

    assert not drawn(development) & drawn(held_out)
    if len(typefaces()) > 1:
        assert not set(typefaces_for(Pool.DEVELOPMENT)) & set(typefaces_for(Pool.HELD_OUT))
        faces_used = {face for ad in development for face in ad.truth.typefaces}
        assert faces_used <= {face.name for face in typefaces_for(Pool.DEVELOPMENT)}
    for layouts in (LAYOUTS, LANDSCAPE_LAYOUTS):
        assert not {layout.name for layout in layouts[Pool.DEVELOPMENT]} & {
            layout.name for layout in layouts[Pool.HELD_OUT]
        }


def test_each_creative_is_what_its_truth_says(held_out: list[EvaluationAd]) -> None:
    for ad in held_out:
        truth = ad.truth
        assert len(ad.ad.creatives) == truth.media_count
        for creative in ad.ad.creatives:
            if truth.format == "video":
                assert creative.kind is CreativeKind.VIDEO and creative.content_type == "video/mp4"
                width, height, frames = _video_shape(creative.data)
                assert frames > 0
            else:
                assert creative.kind is CreativeKind.IMAGE
                expected_type = "image/png" if truth.encoding.startswith("png") else "image/jpeg"
                assert creative.content_type == expected_type
                pixels = cv2.imdecode(np.frombuffer(creative.data, np.uint8), cv2.IMREAD_COLOR)
                height, width = pixels.shape[:2]
            assert (width, height) == (truth.width, truth.height)
        numerator, denominator = (float(part) for part in truth.aspect.split(":"))
        assert abs(truth.width / truth.height - numerator / denominator) <= 0.03 * numerator / denominator


def _video_shape(data: bytes) -> tuple[int, int, int]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "video.mp4"
        path.write_bytes(data)
        capture = cv2.VideoCapture(str(path))
        try:
            return (
                int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)),
                int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT)),
                int(capture.get(cv2.CAP_PROP_FRAME_COUNT)),
            )
        finally:
            capture.release()


def _truth(**fields: object) -> AdTruth:
    base: dict[str, object] = {
        "ad_id": "x",
        "format": "image",
        "aspect": "1:1",
        "width": 600,
        "height": 600,
        "language": "en",
        "lines": (),
        "offer": None,
        "cta": None,
        "urgency": None,
        "media_count": 1,
        "scene_count": None,
        "palette": None,
        "background": "flat",
        "layout": None,
        "typefaces": (),
        "encoding": "png",
    }
    return AdTruth(**{**base, **fields})  # type: ignore[arg-type]


def test_a_bogo_ad_must_get_bogo_offer_and_must_not_get_free_shipping() -> None:
    truth = _truth(offer=OfferTruth("BUY 1 GET 1 FREE", "bogo"), cta=CtaTruth("ORDER NOW", "order_now", "button"))
    universal = label_truth(truth)["UNIVERSAL"]
    assert {"bogo_offer", "shop_now_cta"} <= universal.expected
    assert {"free_shipping", "free_gift_offer", "discount_offer", "learn_more_cta"} <= universal.forbidden
    assert attribute_truth(truth)["offer_type"] == "bogo"


def test_an_ad_without_an_offer_must_get_no_offer_label() -> None:
    universal = label_truth(_truth())["UNIVERSAL"]
    assert universal.forbidden >= OFFER_LABEL_NAMES
    assert attribute_truth(_truth())["offer_type"] == "none"


def test_labels_whose_words_fit_two_definitions_are_left_undecided() -> None:
    trial = label_truth(_truth(offer=OfferTruth("FREE TRIAL", "trial")))["UNIVERSAL"]
    assert "free_gift_offer" not in trial.expected | trial.forbidden
    flash = label_truth(_truth(urgency=UrgencyTruth("FLASH SALE", "flash_sale")))["TREND"]
    assert flash.expected == {"flash_sale"}
    assert "urgency_limited_time" not in flash.forbidden
    vertical = label_truth(_truth(format="video", aspect="9:16", width=360, height=640, scene_count=3))
    assert {"video_motion"} <= vertical["UNIVERSAL"].expected
    assert "short_form_vertical_video" in vertical["TREND"].expected


def test_undecidable_attributes_are_left_out() -> None:
    noisy = attribute_truth(_truth(background="noisy", palette=None))
    assert "background_style" not in noisy and "color_palette_name" not in noisy and "layout" not in noisy
    assert noisy["face_count"] == 0 and noisy["people_present"] is False
