"""The ``local`` AI provider on real creatives: what it reads, says, labels and embeds, and what it refuses.

Pinned here, against images and videos drawn by the ad library or by Pillow (no mocks):
text on a creative is read (OCR) and reported in ``extracted_text``, the attributes and the
description (at most 500 words); "FREE SHIPPING"/"SHOP NOW" and "50% OFF"/"48 HOURS ONLY"
become the matching offer, call to action and labels with high confidence; a video's length,
scenes and keyframes are measured; embeddings have their documented dimensions and unit
length; the same ad gives identical results in a fresh provider; broken or unsupported media
fail with ``AIError`` and the right reason; an image without text gets no invented text,
offer or claims; every label exists in its taxonomy and every attribute validates against
the schema; and the data files hold at least 55 attributes, 25 UNIVERSAL and 15 TREND labels.
"""

from __future__ import annotations

import asyncio
import io
import json
from importlib import resources
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from adology.ai.local import LocalProvider
from adology.ai.local.provider import EMBEDDING_MODELS, MeasurementCache
from adology.ai.local.text import analyse_text, detect_language
from adology.ai.local.visual_vector import VISUAL_DIM
from adology.ai.schema import attribute_schema, taxonomies
from adology.ai.types import (
    MAX_DESCRIPTION_WORDS,
    AdInput,
    AIError,
    CreativeInput,
    CreativeKind,
    Description,
    EmbeddingKind,
    Embeddings,
    Labels,
)
from simulators.ad_sources.catalog import Catalog
from simulators.ad_sources.render import render_image, render_video

Results = tuple[Description, Labels, Embeddings]


def _run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


async def _all_routines(provider: LocalProvider, ad: AdInput) -> Results:
    description, usage = await provider.describe(ad)
    assert (usage.calls, usage.input_tokens, usage.output_tokens, usage.cost_usd) == (1, 0, 0, 0.0)
    labels, _ = await provider.label(ad, description)
    embeddings, _ = await provider.embed(ad, description)
    return description, labels, embeddings


def _image(data: bytes, content_type: str = "image/png") -> CreativeInput:
    return CreativeInput.from_bytes(data, kind=CreativeKind.IMAGE, content_type=content_type)


def _video(data: bytes) -> CreativeInput:
    return CreativeInput.from_bytes(data, kind=CreativeKind.VIDEO, content_type="video/mp4")


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _drawn(lines: list[str], size: tuple[int, int] = (600, 600)) -> bytes:
    """Dark words on a light background, one line each, in Pillow's bundled font."""
    image = Image.new("RGB", size, (250, 244, 236))
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=48)
    for i, line in enumerate(lines):
        draw.text((size[0] / 2, 150 + i * 110), line, font=font, fill=(20, 20, 20), anchor="mm")
    return _png(image)


def _labels(labels: Labels, taxonomy: str) -> dict[str, float]:
    return {score.label: score.confidence for score in labels.labels if score.taxonomy == taxonomy}


def _unit(vector: list[float]) -> float:
    return float(np.linalg.norm(np.asarray(vector)))


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.generate(seed=7, ads=500)


@pytest.fixture(scope="module")
def provider() -> LocalProvider:
    return LocalProvider()


@pytest.fixture(scope="module")
def free_shipping_ad(catalog: Catalog) -> AdInput:
    """A library image whose badge says FREE SHIPPING and button SHOP NOW, without any copy:
    everything the provider reports about it must come from the pixels."""
    ad = next(
        a for a in catalog.ads if a.display_format == "IMAGE" and a.offer == "FREE SHIPPING" and a.cta == "SHOP NOW"
    )
    content_type = "image/jpeg" if ad.image_format == "jpeg" else "image/png"
    return AdInput(ad_id=ad.ad_id, brand=ad.brand.name, creatives=[_image(render_image(ad), content_type)])


@pytest.fixture(scope="module")
def free_shipping(provider: LocalProvider, free_shipping_ad: AdInput) -> Results:
    return _run(_all_routines(provider, free_shipping_ad))


@pytest.fixture(scope="module")
def promo_ad() -> AdInput:
    return AdInput(ad_id="promo-1", brand="Lumen Lab", creatives=[_image(_drawn(["50% OFF", "48 HOURS ONLY"]))])


@pytest.fixture(scope="module")
def promo(provider: LocalProvider, promo_ad: AdInput) -> Results:
    return _run(_all_routines(provider, promo_ad))


@pytest.fixture(scope="module")
def video_ad(catalog: Catalog) -> AdInput:
    ad = next(a for a in catalog.ads if a.display_format == "VIDEO" and a.aspect == "9:16")
    return AdInput(
        ad_id=ad.ad_id,
        brand=ad.brand.name,
        title=ad.headline,
        body=ad.body,
        cta=ad.cta,
        link_url=ad.link_url,
        creatives=[_video(render_video(ad))],
    )


@pytest.fixture(scope="module")
def video(provider: LocalProvider, video_ad: AdInput) -> Results:
    return _run(_all_routines(provider, video_ad))


@pytest.fixture(scope="module")
def blank(provider: LocalProvider) -> Results:
    """A picture with shapes and a gradient but no text, and no copy."""
    ys = np.linspace(0, 1, 500, dtype=np.float32)[:, None, None]
    pixels = (np.array([200, 150, 100]) * (1 - ys) + np.array([90, 120, 210]) * ys).repeat(400, axis=1)
    image = Image.fromarray(pixels.astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(image)
    draw.ellipse((100, 150, 300, 350), fill=(240, 220, 90))
    draw.rectangle((40, 400, 360, 460), fill=(30, 60, 40))
    ad = AdInput(ad_id="blank-1", brand="Dune Skin Co", creatives=[_image(_png(image))])
    return _run(_all_routines(provider, ad))


@pytest.fixture(scope="module")
def scribbles(provider: LocalProvider) -> Results:
    """Glyph-like strokes and random pixel noise: marks that look like writing but are no language."""
    rng = np.random.default_rng(11)
    image = Image.fromarray(rng.integers(0, 256, (480, 480, 3), dtype=np.uint8), "RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(80):
        x, y = (int(v) for v in rng.integers(20, 460, 2))
        points = [(x + int(dx), y + int(dy)) for dx, dy in rng.integers(-18, 18, (4, 2))]
        draw.line(points, fill=(10, 10, 10), width=4)
    ad = AdInput(ad_id="scribbles-1", creatives=[_image(_png(image))])
    return _run(_all_routines(provider, ad))


# --- reading text and offers --------------------------------------------------------------


def test_free_shipping_image_is_read_into_text_attributes_and_description(free_shipping: Results) -> None:
    description, _, _ = free_shipping
    squeezed = ["".join(line.split()).upper() for line in description.extracted_text]
    assert "FREESHIPPING" in squeezed and "SHOPNOW" in squeezed
    attributes = description.attributes
    assert attributes["offer"] == "FREE SHIPPING"
    assert attributes["offer_type"] == "free_shipping"
    assert attributes["cta"] == "SHOP NOW"
    assert attributes["cta_type"] == "shop_now"
    assert attributes["text_read"] == description.extracted_text
    assert attributes["text_overlay"] is True and 0 < attributes["text_coverage_ratio"] < 1
    assert attributes["brand_name_visible"] is True
    assert attributes["format"] == "image" and attributes["media_count"] == 1
    assert attributes["aspect_ratio"] in {"1:1", "4:5", "9:16", "1.91:1"}
    assert all(color.startswith("#") and len(color) == 7 for color in attributes["dominant_colors"])
    assert "FREE SHIPPING" in description.description and "SHOP NOW" in description.description
    assert "Glow Botanicals" in description.description or description.attributes["brand_name_visible"]
    assert 0 < description.word_count <= MAX_DESCRIPTION_WORDS


def test_free_shipping_image_is_labelled_from_its_evidence(free_shipping: Results) -> None:
    _, labels, _ = free_shipping
    universal = _labels(labels, "UNIVERSAL")
    assert universal["free_shipping"] >= 0.9
    assert universal["shop_now_cta"] >= 0.9
    assert "discount_offer" not in universal


def test_percent_off_and_deadline_are_read_and_labelled(promo: Results) -> None:
    description, labels, _ = promo
    attributes = description.attributes
    assert attributes["offer"] == "50% OFF" and attributes["offer_type"] == "percent_off"
    assert attributes["discount_percent"] == 50
    assert attributes["urgency"] is True and "48 HOURS ONLY" in attributes["urgency_phrases"]
    assert _labels(labels, "UNIVERSAL")["discount_offer"] >= 0.9
    assert _labels(labels, "TREND")["urgency_limited_time"] >= 0.9
    assert "50% OFF" in description.description and "48 HOURS ONLY" in description.description


def test_text_rules_compare_without_spaces_and_spell_canonically() -> None:
    findings = analyse_text(
        ["FREESHIPPING", "BUY1GET1FREE", "ENDSTONIGHT", "ONLY3LEFT", "$29.00", "SIGNUP"],
        "Loved by 50,000+ customers. Free shipping over $40. Use code GLOW20 today!",
    )
    assert [offer.text for offer in findings.offers] == ["FREE SHIPPING", "BUY 1 GET 1 FREE"]
    assert findings.cta is not None and (findings.cta.text, findings.cta.kind) == ("SIGN UP", "sign_up")
    assert findings.urgency_phrases == ("ENDS TONIGHT",)
    assert findings.scarcity_phrases == ("ONLY 3 LEFT",)
    assert findings.prices == (("$", 29.0),)  # "$40" is a free-shipping threshold, not a price
    assert findings.discount_code == "GLOW20"
    assert findings.social_proof == ("Loved by 50,000+ customers.",)
    assert analyse_text([], "").has_text is False


# --- video ----------------------------------------------------------------------------------


def test_video_is_measured_scene_by_scene(video: Results) -> None:
    description, labels, embeddings = video
    attributes = description.attributes
    assert attributes["format"] == "video"
    assert 2.0 <= attributes["video_duration_seconds"] <= 4.0
    assert attributes["scene_count"] >= 2 and attributes["cut_count"] == attributes["scene_count"] - 1
    assert attributes["pacing"] in {"moderate", "fast"}
    assert attributes["orientation"] == "portrait" and attributes["aspect_ratio"] == "9:16"
    assert description.extracted_text, "the scenes' text is read from their keyframes"
    assert attributes["hook"]
    assert "Scene 1" in description.description and "hard cut" in description.description
    assert _labels(labels, "UNIVERSAL")["video_motion"] >= 0.9
    assert _labels(labels, "TREND")["short_form_vertical_video"] >= 0.75
    visual = next(e for e in embeddings.embeddings if e.kind is EmbeddingKind.VISUAL)
    assert visual.dimensions == VISUAL_DIM and _unit(visual.vector) == pytest.approx(1.0, abs=1e-5)


def test_carousel_is_labelled_as_one(provider: LocalProvider, catalog: Catalog) -> None:
    ad = next(a for a in catalog.ads if a.display_format == "CAROUSEL" and len(a.cards) >= 2)
    cards = [_image(render_image(ad, card_index=i)) for i in range(2)]
    description, labels, _ = _run(
        _all_routines(provider, AdInput(ad_id=ad.ad_id, brand=ad.brand.name, creatives=cards))
    )
    assert description.attributes["format"] == "carousel" and description.attributes["media_count"] == 2
    assert "Card 1 text" in description.description and "Card 2 text" in description.description
    assert _labels(labels, "UNIVERSAL")["carousel_multi_product"] >= 0.9


# --- embeddings and determinism -----------------------------------------------------------


def test_embeddings_have_documented_dimensions_and_unit_length(free_shipping: Results, promo: Results) -> None:
    for _, _, embeddings in (free_shipping, promo):
        kinds = {e.kind: e for e in embeddings.embeddings}
        assert set(kinds) == {EmbeddingKind.TEXT, EmbeddingKind.VISUAL, EmbeddingKind.RETRIEVAL}
        for kind, embedding in kinds.items():
            model, dimensions = EMBEDDING_MODELS[kind]
            assert (embedding.model, embedding.dimensions) == (model, dimensions)
            assert _unit(embedding.vector) == pytest.approx(1.0, abs=1e-5)
    assert EMBEDDING_MODELS[EmbeddingKind.TEXT] == ("wordllama-l2-256", 256)
    assert EMBEDDING_MODELS[EmbeddingKind.VISUAL] == ("local-visual-v1", VISUAL_DIM)
    # Two different creatives are different pictures.
    visual = [next(e.vector for e in r[2].embeddings if e.kind is EmbeddingKind.VISUAL) for r in (free_shipping, promo)]
    assert float(np.dot(visual[0], visual[1])) < 0.99


def test_same_ad_gives_identical_results_in_a_fresh_provider(free_shipping_ad: AdInput, free_shipping: Results) -> None:
    fresh = LocalProvider(cache=MeasurementCache(16))  # its own cache: everything is measured anew

    async def concurrently() -> tuple[Any, ...]:
        return await asyncio.gather(
            fresh.describe(free_shipping_ad), fresh.label(free_shipping_ad, None), fresh.embed(free_shipping_ad, None)
        )

    (description, _), (labels, _), (embeddings, _) = _run(concurrently())
    assert len(fresh._cache) == 1, "three concurrent routines measure the creative once"
    assert description.model_dump() == free_shipping[0].model_dump()
    assert labels.model_dump() == free_shipping[1].model_dump()
    assert embeddings.model_dump() == free_shipping[2].model_dump()


# --- refusals and honesty -----------------------------------------------------------------


def test_broken_and_unsupported_media_fail_with_their_reason(provider: LocalProvider, promo_ad: AdInput) -> None:
    jpeg = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 10, 10)).save(jpeg, format="JPEG")
    cases = [
        (_image(jpeg.getvalue()[:300], "image/jpeg"), "corrupt_media"),
        (_image(b"", "image/png"), "corrupt_media"),
        (_video(b""), "corrupt_media"),
        (_video(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 4), "corrupt_media"),
        (_image(b"%PDF-1.4\n" + bytes(range(256)) * 4, "application/pdf"), "unsupported_media"),
        (_image(np.random.default_rng(3).bytes(4096), "image/png"), "unsupported_media"),
        (_video(np.random.default_rng(4).bytes(4096)), "unsupported_media"),
    ]
    for creative, reason in cases:
        ad = AdInput(ad_id="broken", creatives=[creative])
        with pytest.raises(AIError) as raised:
            _run(provider.describe(ad))
        assert raised.value.reason == reason, creative.content_type
        assert not raised.value.retryable
    with pytest.raises(AIError) as raised:
        _run(provider.embed(AdInput(ad_id="nothing"), None))
    assert raised.value.reason == "no_creative"
    copy_only, _ = _run(provider.embed(AdInput(ad_id="copy-only", title="Just words"), None))
    assert {e.kind.value for e in copy_only.embeddings} == {"text", "retrieval"}  # a text ad has no pixels


@pytest.mark.parametrize("fixture", ["blank", "scribbles"])
def test_image_without_text_gets_no_invented_text(fixture: str, request: pytest.FixtureRequest) -> None:
    description, labels, embeddings = request.getfixturevalue(fixture)
    attributes = description.attributes
    assert description.extracted_text == []
    assert attributes["text_read"] == [] and attributes["text_overlay"] is False
    assert attributes["offer"] is None and attributes["cta"] is None
    # the creative was read and holds no words: it states no offer and no call to action
    assert attributes["offer_type"] == "none" and attributes["cta_type"] == "none" and attributes["urgency"] is False
    for name in ("claims", "benefits", "features", "social_proof", "urgency_phrases", "headline", "hook", "language"):
        assert not attributes[name], name
    assert attributes["layout"] == "no_text" and attributes["dominant_colors"]
    assert "No text was read" in description.description
    assert not {"free_shipping", "discount_offer", "shop_now_cta", "bogo_offer"} & set(_labels(labels, "UNIVERSAL"))
    assert {e.kind for e in embeddings.embeddings} == {EmbeddingKind.VISUAL, EmbeddingKind.RETRIEVAL}


def test_copy_only_ad_is_described_from_its_copy(provider: LocalProvider) -> None:
    ad = AdInput(
        ad_id="text-1",
        brand="Lumen Lab",
        title="Clinically shown: calm skin, fast",
        body="Our Ceramide Barrier Balm is dermatologist tested. 30% off for a limited time!",
        cta="LEARN_MORE",
        link_url="https://www.lumenlab.example/products/balm?utm=1",
    )
    description, _ = _run(provider.describe(ad))
    attributes = description.attributes
    assert attributes["format"] is None and attributes["media_count"] == 0 and attributes["text_read"] is None
    assert attributes["offer"] == "30% OFF" and attributes["cta_type"] == "learn_more"
    assert attributes["landing_domain"] == "lumenlab.example" and attributes["language"] == "en"
    assert "ceramides" in attributes["ingredients_mentioned"]
    labels, _ = _run(provider.label(ad, description))
    assert {"discount_offer", "learn_more_cta", "expert_endorsement"} <= set(_labels(labels, "UNIVERSAL"))


# --- schema and taxonomies ------------------------------------------------------------------


def test_labels_exist_in_their_taxonomies_and_attributes_validate(
    free_shipping: Results,
    promo: Results,
    video: Results,
    blank: Results,
    scribbles: Results,
) -> None:
    schema = attribute_schema()
    names = {taxonomy: set(t.names) for taxonomy, t in taxonomies().items()}
    for description, labels, _ in (free_shipping, promo, video, blank, scribbles):
        assert set(description.attributes) == set(schema.names)
        assert schema.validate_values(description.attributes) == description.attributes
        if description.extracted_text:  # with no text and no evidence, a taxonomy may have no label
            assert {score.taxonomy for score in labels.labels} == {"UNIVERSAL", "TREND"}, "one per taxonomy"
        for score in labels.labels:
            assert score.label in names[score.taxonomy] and 0.0 <= score.confidence <= 1.0


def test_data_files_are_complete() -> None:
    folder = resources.files("adology.ai") / "data"
    attributes = json.loads((folder / "attributes.v1.json").read_text(encoding="utf-8"))["attributes"]
    assert len(attributes) >= 55
    assert len({a["name"] for a in attributes}) == len(attributes)
    assert all(a["description"].strip() for a in attributes)
    assert all(a["values"] for a in attributes if a["type"] == "enum")
    required = {
        "headline",
        "offer",
        "offer_type",
        "discount_percent",
        "cta",
        "cta_type",
        "text_read",
        "dominant_colors",
        "format",
        "scene_count",
        "pacing",
        "hook",
        "urgency",
        "landing_domain",
    }
    assert required <= {a["name"] for a in attributes}
    minimum = {"UNIVERSAL": 25, "TREND": 15}
    for name, taxonomy in taxonomies().items():
        assert len(taxonomy.labels) >= minimum[name]
        assert len(set(taxonomy.names)) == len(taxonomy.names)
        assert all(label.definition.strip() for label in taxonomy.labels)


def test_model_ids_are_stable(provider: LocalProvider) -> None:
    assert provider.name == "local"
    assert provider.model_id("describe") == "local-describe-v3+ppocrv6-small"
    assert provider.model_id("label") == "local-label-v3+wordllama-l2-256+ppocrv6-small"
    assert provider.model_id("embed") == "wordllama-l2-256+local-visual-v1+ppocrv6-small"
    assert provider.model_id("visual") == "local-visual-v1"
    with pytest.raises(ValueError, match="unknown routine 'summarise'"):
        provider.model_id("summarise")


@pytest.mark.parametrize(
    ("copy", "language"),
    [
        ("Meet the cleanser that works while you sleep, with nothing harsh in it", "en"),
        ("La crema que cuida tu piel todo el día, con ingredientes de origen natural", "es"),
        ("Le soin qui protège votre peau toute la journée, avec des actifs naturels", "fr"),
        ("Die Pflege, die deine Haut den ganzen Tag schützt, mit natürlichen Wirkstoffen", "de"),
        ("La crema che protegge la tua pelle per tutto il giorno, con ingredienti naturali", "it"),
        ("O creme que protege a sua pele o dia todo, com ingredientes de origem natural", "pt"),
    ],
)
def test_the_language_of_a_sentence_is_named_from_its_common_words(copy: str, language: str) -> None:
    assert detect_language([copy]) == language


@pytest.mark.parametrize(
    "texts",
    [
        ["GLOW SERUM 50%"],  # too few words
        ["HYALURONIC NIACINAMIDE PEPTIDE CERAMIDE SQUALANE RETINOL"],  # no common word of any language
        ["SHOPNOWFREESHIPPINGONALLORDERS"],  # OCR that lost its spaces
    ],
)
def test_a_language_is_not_named_without_evidence(texts: list[str]) -> None:
    assert detect_language(texts) is None
