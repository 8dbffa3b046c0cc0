"""The evaluation set: ads drawn from a seed, each with the truth of what was drawn.

Ad ``index`` of seed ``seed`` depends on nothing else (its random stream is seeded by both), so a
set of 12 is the first 12 ads of the set of 120. Every 20 ads hold 14 images (one of them with no
text at all), 3 videos of 2-4 scenes and 3 carousels of 2-4 cards; the rest is chosen at random:

- copy: a headline, an offer (60%), a call to action (80%: a filled button, an outlined box or
  plain words), an urgency line (35%; a flash sale only with a discount), a brand name (50%), in
  English (55%), Spanish, French or German (:mod:`.vocabulary`);
- look: a palette of one schema class (pastel, vibrant, dark, light, monochrome) on a flat,
  gradient or noisy photo-like background, type from about 2.5% to 11% of the short side in the
  set's half of the machine's fonts (:mod:`.fonts`), placed by one of the set's layouts; headlines
  plain, on a band or outlined, offers on a badge, on a turned sticker or plain;
- file: the aspects ads run at (1:1, 4:5, 9:16, 1.91:1) at sizes up to 1080×1920, JPEG at
  qualities from 35 to 95 or PNG, a fifth of them resampled down and up again as a re-uploaded
  creative is; videos are mp4 at 12 fps.

Text is drawn black or white, whichever contrasts most with what lies under it, in the palette's
accent where that meets WCAG's contrast for large text, or white edged in black, so every line is
legible to a person: what a provider misses, it missed.
"""

from __future__ import annotations

import colorsys
import io
import itertools
import math
import random
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from adology.ai.evaluation.fonts import FontError, Typeface, typefaces_for
from adology.ai.evaluation.truth import (
    AdTruth,
    Aspect,
    BackgroundKind,
    CtaStyle,
    CtaTruth,
    DrawnLine,
    EvaluationError,
    Format,
    OfferTruth,
    PaletteName,
    Role,
    UrgencyTruth,
    vocabulary_problems,
)
from adology.ai.evaluation.vocabulary import (
    BRANDS,
    CTAS,
    HEADLINES,
    LANGUAGE_WEIGHTS,
    OFFERS,
    URGENCY,
    Language,
    Pool,
    pool_of,
    variants,
)
from adology.ai.types import AdInput, CreativeInput, CreativeKind

RGB = tuple[int, int, int]
Box = tuple[float, float, float, float]
ElementStyle = Literal["plain", "band", "outline", "badge", "sticker", "pill", "button", "box"]
HeadlineStyle = Literal["plain", "band", "outline"]
OfferStyle = Literal["badge", "sticker", "plain"]
UrgencyStyle = Literal["pill", "plain"]
_HEADLINE_STYLES: tuple[HeadlineStyle, ...] = ("plain", "band", "outline")
_OFFER_STYLES: tuple[OfferStyle, ...] = ("badge", "sticker", "plain")
_URGENCY_STYLES: tuple[UrgencyStyle, ...] = ("pill", "plain")

IMAGE_SIZES: dict[Aspect, tuple[tuple[int, int], ...]] = {
    "1:1": ((600, 600), (800, 800), (1080, 1080)),
    "4:5": ((600, 750), (1080, 1350)),
    "9:16": ((540, 960), (1080, 1920)),
    "1.91:1": ((764, 400), (1200, 628)),
}
VIDEO_SIZES: dict[Aspect, tuple[int, int]] = {
    "1:1": (480, 480),
    "4:5": (384, 480),
    "9:16": (360, 640),
    "1.91:1": (480, 252),
}
VIDEO_ASPECT_WEIGHTS: dict[Aspect, float] = {"9:16": 0.4, "1:1": 0.3, "4:5": 0.15, "1.91:1": 0.15}
CAROUSEL_ASPECTS: tuple[Aspect, ...] = ("1:1", "4:5")
VIDEO_FPS = 12
# Positions in every block of 20 ads: 3 videos, 3 carousels, 1 image without text, 13 other images.
_CYCLE = 20
_VIDEO_SLOTS = frozenset({3, 10, 16})
_CAROUSEL_SLOTS = frozenset({6, 13, 19})
_NO_TEXT_SLOTS = frozenset({8})

_ENCODINGS: dict[Pool, tuple[int | None, ...]] = {  # JPEG quality, None for PNG
    Pool.DEVELOPMENT: (95, 80, 60, 40, None),
    Pool.HELD_OUT: (90, 70, 50, 35, None),
}
# The blind set draws the held-out qualities, fonts and layouts: only the held-out *wording* was
# seen by the authors of a provider's rules, so only the wording needed a third pool.
_ENCODINGS[Pool.BLIND] = _ENCODINGS[Pool.HELD_OUT]
_PALETTES: tuple[PaletteName, ...] = ("pastel", "vibrant", "dark", "light", "monochrome")
_BACKGROUNDS: tuple[BackgroundKind, ...] = ("flat", "gradient", "noisy")
_CTA_STYLES: tuple[CtaStyle, ...] = ("button", "box", "plain")
_BLACK: RGB = (17, 17, 17)
_WHITE: RGB = (250, 250, 250)
_MIN_FONT_PX = 11


@dataclass(frozen=True)
class EvaluationAd:
    """One ad of the set: what a provider is given, and what it shows."""

    ad: AdInput
    truth: AdTruth


def render_set(seed: int, count: int, *, progress: Callable[[int, int], None] | None = None) -> list[EvaluationAd]:
    """The first ``count`` ads of seed ``seed``; ``progress(done, total)`` after each."""
    problems = vocabulary_problems()
    if problems:
        shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
        raise EvaluationError(
            f"the evaluation vocabulary names values the schema in force lacks or mixes its pools: {shown}"
        )
    ads = []
    for index in range(count):
        ads.append(render_ad(seed, index))
        if progress is not None:
            progress(index + 1, count)
    return ads


def render_ad(seed: int, index: int) -> EvaluationAd:
    rng = random.Random(f"adology-eval:{seed}:{index}")
    pool = pool_of(seed)
    slot = index % _CYCLE
    ad_format: Format = "video" if slot in _VIDEO_SLOTS else "carousel" if slot in _CAROUSEL_SLOTS else "image"
    copy = _choose_copy(rng, pool, with_text=slot not in _NO_TEXT_SLOTS)
    look = _choose_look(rng, pool, ad_format)
    ad_id = f"eval-s{seed}-{index:04d}"
    drawing = rng.getstate()
    try:
        return _draw_ad(ad_id, rng, pool, ad_format, copy, look)
    except _CopyDoesNotFit:
        # a long word on a small, narrow canvas: the same ad at twice the resolution, as a brand
        # would upload it, drawn from the same random state
        rng.setstate(drawing)
        larger = replace(look, size=(look.size[0] * 2, look.size[1] * 2))
        return _draw_ad(ad_id, rng, pool, ad_format, copy, larger)


class _CopyDoesNotFit(EvaluationError):
    pass


def _draw_ad(ad_id: str, rng: random.Random, pool: Pool, ad_format: Format, copy: _Copy, look: _Look) -> EvaluationAd:
    if ad_format == "video":
        return _video_ad(ad_id, rng, copy, look)
    if ad_format == "carousel":
        return _carousel_ad(ad_id, rng, pool, copy, look)
    return _image_ad(ad_id, copy, look)


# what is said


@dataclass(frozen=True)
class _Copy:
    language: Language
    headline: str | None
    offer: OfferTruth | None
    cta: CtaTruth | None
    urgency: UrgencyTruth | None
    brand: str | None


def _choose_copy(rng: random.Random, pool: Pool, *, with_text: bool) -> _Copy:
    language: Language = rng.choices(list(LANGUAGE_WEIGHTS), weights=list(LANGUAGE_WEIGHTS.values()))[0]
    if not with_text:
        return _Copy(language, None, None, None, None, None)
    headline = rng.choice(variants(HEADLINES[language], pool))
    if rng.random() < 0.25:
        headline = headline.upper()
    offer = None
    if rng.random() < 0.6:
        offer_type = rng.choice(sorted(OFFERS[language]))
        offer = OfferTruth(rng.choice(variants(OFFERS[language][offer_type], pool)), offer_type)
    cta = None
    if rng.random() < 0.8:
        cta_type = rng.choice(sorted(CTAS[language]))
        text = rng.choice(variants(CTAS[language][cta_type], pool))
        style = rng.choices(_CTA_STYLES, weights=(0.5, 0.25, 0.25))[0]
        cta = CtaTruth(text.title() if rng.random() < 0.3 else text, cta_type, style)
    urgency = None
    if rng.random() < 0.35:
        # "FLASH SALE" alone would promise a discount nobody states: it only accompanies one
        discounted = offer is not None and offer.offer_type in ("percent_off", "amount_off")
        kinds = sorted(kind for kind in URGENCY[language] if kind != "flash_sale" or discounted)
        kind = rng.choice(kinds)
        text = rng.choice(variants(URGENCY[language][kind], pool))
        urgency = UrgencyTruth(text[0] + text[1:].lower() if rng.random() < 0.3 else text, kind)
    brand = rng.choice(variants(BRANDS, pool)) if rng.random() < 0.5 else None
    return _Copy(language, headline, offer, cta, urgency, brand)


# how it looks


@dataclass(frozen=True)
class _Palette:
    name: PaletteName
    background: RGB
    second: RGB  # the gradient's other end, the noise's second colour
    accent: RGB  # badges, buttons, headline bands
    product: RGB


@dataclass(frozen=True)
class _Look:
    aspect: Aspect
    size: tuple[int, int]
    palette: _Palette
    background: BackgroundKind
    layout: Layout
    headline_face: Typeface
    detail_face: Typeface
    sizes: dict[Role, float]  # font size as a share of the short side
    jpeg_quality: int | None
    resampled: float | None  # scaled down by this and back up before encoding, as a re-uploaded creative
    headline_style: HeadlineStyle
    offer_style: OfferStyle
    sticker_angle: float  # degrees a sticker offer is turned by
    urgency_style: UrgencyStyle
    typefaces: tuple[Typeface, ...] = field(repr=False)  # the set's half of the fonts, for phrases a face lacks


def _choose_look(rng: random.Random, pool: Pool, ad_format: Format) -> _Look:
    if ad_format == "video":
        aspect: Aspect = rng.choices(list(VIDEO_ASPECT_WEIGHTS), weights=list(VIDEO_ASPECT_WEIGHTS.values()))[0]
        size = VIDEO_SIZES[aspect]
    else:
        aspect = rng.choice(CAROUSEL_ASPECTS if ad_format == "carousel" else tuple(IMAGE_SIZES))
        size = rng.choice(IMAGE_SIZES[aspect])
    faces = typefaces_for(pool)
    landscape = size[0] > 1.4 * size[1]
    return _Look(
        aspect=aspect,
        size=size,
        palette=_palette(rng, rng.choice(_PALETTES)),
        # a video's scenes are flat colours chosen so that every cut shows (see _video_ad)
        background="flat" if ad_format == "video" else rng.choices(_BACKGROUNDS, weights=(0.4, 0.3, 0.3))[0],
        layout=rng.choice(LANDSCAPE_LAYOUTS[pool] if landscape else LAYOUTS[pool]),
        headline_face=rng.choice(faces),
        detail_face=rng.choice(faces),
        sizes={
            "headline": rng.uniform(0.07, 0.11),
            "offer": rng.uniform(0.075, 0.11),
            "cta": rng.uniform(0.045, 0.065),
            "urgency": rng.uniform(0.04, 0.055),
            "brand": rng.uniform(0.025, 0.035),
        },
        jpeg_quality=rng.choice(_ENCODINGS[pool]),
        resampled=rng.uniform(0.5, 0.7) if ad_format != "video" and rng.random() < 0.2 else None,
        headline_style=rng.choices(_HEADLINE_STYLES, weights=(0.5, 0.25, 0.25))[0],
        offer_style=rng.choices(_OFFER_STYLES, weights=(0.4, 0.25, 0.35))[0],
        sticker_angle=rng.choice((-1, 1)) * rng.uniform(4.0, 12.0),
        urgency_style=rng.choice(_URGENCY_STYLES),
        typefaces=faces,
    )


def _palette(rng: random.Random, name: PaletteName) -> _Palette:
    """Colours that belong to the schema's palette class ``name`` by its own description."""
    hue = rng.random()

    def hsv(h: float, s: tuple[float, float], v: tuple[float, float]) -> RGB:
        r, g, b = colorsys.hsv_to_rgb(h % 1.0, rng.uniform(*s), rng.uniform(*v))
        return (round(r * 255), round(g * 255), round(b * 255))

    if name == "pastel":  # light, soft, low saturation
        return _Palette(
            name,
            hsv(hue, (0.15, 0.3), (0.9, 0.97)),
            hsv(hue + 0.08, (0.15, 0.3), (0.9, 0.97)),
            hsv(hue + 0.5, (0.3, 0.45), (0.82, 0.9)),
            hsv(hue + 0.25, (0.25, 0.4), (0.8, 0.9)),
        )
    if name == "vibrant":  # saturated and bright
        return _Palette(
            name,
            hsv(hue, (0.8, 1.0), (0.8, 1.0)),
            hsv(hue + 0.06, (0.8, 1.0), (0.8, 1.0)),
            hsv(hue + 0.5, (0.8, 1.0), (0.85, 1.0)),
            hsv(hue + 0.33, (0.7, 0.9), (0.7, 0.9)),
        )
    if name == "dark":  # mostly low brightness
        return _Palette(
            name,
            hsv(hue, (0.3, 0.7), (0.08, 0.2)),
            hsv(hue + 0.05, (0.3, 0.7), (0.08, 0.2)),
            hsv(hue + 0.5, (0.6, 0.9), (0.6, 0.85)),
            hsv(hue + 0.1, (0.3, 0.6), (0.25, 0.35)),
        )
    if name == "light":  # mostly near-white
        return _Palette(
            name,
            hsv(hue, (0.0, 0.04), (0.96, 1.0)),
            hsv(hue, (0.0, 0.04), (0.93, 0.97)),
            hsv(hue, (0.1, 0.2), (0.88, 0.94)),
            hsv(hue, (0.0, 0.05), (0.85, 0.9)),
        )
    # otherwise monochrome, which is greys
    return _Palette(
        name,
        hsv(hue, (0.0, 0.02), (0.35, 0.7)),
        hsv(hue, (0.0, 0.02), (0.35, 0.7)),
        hsv(hue, (0.0, 0.02), (0.1, 0.2)),
        hsv(hue, (0.0, 0.02), (0.75, 0.85)),
    )


# where it goes

Band = Literal["top", "middle", "bottom"]
Align = Literal["left", "center", "right"]


@dataclass(frozen=True)
class Layout:
    """Which band of the canvas each role sits in (stacked in this order within a band), and how it
    is aligned; on a wide canvas the copy keeps to one column and the product takes the other."""

    name: str
    bands: tuple[tuple[Role, Band], ...]
    align: Align
    column: Literal["full", "left", "right"] = "full"


LAYOUTS: dict[Pool, tuple[Layout, ...]] = {
    Pool.DEVELOPMENT: (
        Layout(
            "classic",
            (("brand", "top"), ("headline", "top"), ("offer", "middle"), ("urgency", "middle"), ("cta", "bottom")),
            "center",
        ),
        Layout(
            "top stack",
            (("brand", "top"), ("headline", "top"), ("offer", "top"), ("urgency", "top"), ("cta", "top")),
            "left",
        ),
        Layout(
            "bottom stack",
            (
                ("brand", "bottom"),
                ("headline", "bottom"),
                ("offer", "bottom"),
                ("urgency", "bottom"),
                ("cta", "bottom"),
            ),
            "center",
        ),
    ),
    Pool.HELD_OUT: (
        Layout(
            "centre stack",
            (
                ("brand", "middle"),
                ("headline", "middle"),
                ("offer", "middle"),
                ("urgency", "middle"),
                ("cta", "middle"),
            ),
            "center",
        ),
        Layout(
            "inverted",
            (("urgency", "top"), ("cta", "top"), ("offer", "middle"), ("headline", "bottom"), ("brand", "bottom")),
            "right",
        ),
        Layout(
            "split",
            (("brand", "top"), ("headline", "top"), ("offer", "top"), ("urgency", "bottom"), ("cta", "bottom")),
            "left",
        ),
    ),
}
LANDSCAPE_LAYOUTS: dict[Pool, tuple[Layout, ...]] = {
    Pool.DEVELOPMENT: (
        Layout(
            "left column",
            (("brand", "top"), ("headline", "top"), ("offer", "middle"), ("urgency", "middle"), ("cta", "bottom")),
            "left",
            "left",
        ),
    ),
    Pool.HELD_OUT: (
        Layout(
            "right column",
            (("brand", "top"), ("headline", "middle"), ("offer", "middle"), ("urgency", "middle"), ("cta", "bottom")),
            "right",
            "right",
        ),
    ),
}
# the blind set draws the held-out layouts (see _ENCODINGS)
LAYOUTS[Pool.BLIND] = LAYOUTS[Pool.HELD_OUT]
LANDSCAPE_LAYOUTS[Pool.BLIND] = LANDSCAPE_LAYOUTS[Pool.HELD_OUT]


@dataclass(frozen=True)
class _Element:
    role: Role
    text: str
    face: Typeface
    share: float  # font size as a share of the short side
    style: ElementStyle
    angle: float = 0.0  # degrees a sticker is turned by


@dataclass(frozen=True)
class _Placed:
    element: _Element
    font: ImageFont.FreeTypeFont
    lines: tuple[str, ...]
    box: tuple[int, int, int, int]  # the element's outer box (its button, badge or band included)
    padding: tuple[int, int]


def _elements(copy: _Copy, look: _Look, roles: Sequence[Role]) -> list[_Element]:
    """The copy's elements of ``roles``, each in a face that can draw it."""
    texts: dict[Role, str | None] = {
        "brand": copy.brand,
        "headline": copy.headline,
        "offer": copy.offer.text if copy.offer else None,
        "urgency": copy.urgency.text if copy.urgency else None,
        "cta": copy.cta.text if copy.cta else None,
    }
    styles: dict[Role, ElementStyle] = {
        "brand": "plain",
        "headline": look.headline_style,
        "offer": look.offer_style,
        "urgency": look.urgency_style,
        "cta": copy.cta.style if copy.cta else "plain",
    }
    elements = []
    for role in roles:
        text = texts[role]
        if text:
            face = look.headline_face if role == "headline" else look.detail_face
            style = styles[role]
            angle = look.sticker_angle if style == "sticker" else 0.0
            elements.append(_Element(role, text, _face_for(text, face, look.typefaces), look.sizes[role], style, angle))
    return elements


def _face_for(text: str, preferred: Typeface, faces: Sequence[Typeface]) -> Typeface:
    if preferred.draws(text):
        return preferred
    start = faces.index(preferred) if preferred in faces else 0
    for face in (*faces[start:], *faces[:start]):
        if face.draws(text):
            return face
    raise FontError(f"no font of this set can draw {text!r}")


def _arrange(elements: Sequence[_Element], layout: Layout, size: tuple[int, int]) -> list[_Placed]:
    """Every element placed in its band without overlap, type shrunk step by step until it fits."""
    width, height = size
    short = min(width, height)
    margin = round(short * 0.05)
    x0, x1 = {"full": (0, width), "left": (0, round(width * 0.58)), "right": (round(width * 0.42), width)}[
        layout.column
    ]
    band_of = dict(layout.bands)
    scale = 1.0
    while True:
        placed = _try_arrange(elements, layout, band_of, (x0, x1), size, margin, short * scale)
        # until every element is at the smallest legible size, not just the smallest one
        if placed is not None or short * scale * max(e.share for e in elements) <= _MIN_FONT_PX:
            break
        scale *= 0.9
    if placed is None:
        raise _CopyDoesNotFit(f"the copy does not fit a {width}×{height} canvas even in the smallest type")
    return placed


def _try_arrange(
    elements: Sequence[_Element],
    layout: Layout,
    band_of: dict[Role, Band],
    column: tuple[int, int],
    size: tuple[int, int],
    margin: int,
    unit: float,
) -> list[_Placed] | None:
    height = size[1]
    x0, x1 = column
    room = x1 - x0 - 2 * margin
    gap = round(unit * 0.025)
    stacks: dict[Band, list[tuple[_Element, ImageFont.FreeTypeFont, tuple[str, ...], int, int, tuple[int, int]]]] = {
        "top": [],
        "middle": [],
        "bottom": [],
    }
    for element in elements:
        font, lines, pad, text_width = _sized(element, unit, room, margin)
        if text_width > (room if element.style == "band" else room - 2 * pad[0]):
            return None
        line_height = round(font.size * 1.25)
        box_width = (x1 - x0) if element.style == "band" else round(text_width) + 2 * pad[0]
        box_height = line_height * len(lines) + 2 * pad[1]
        if element.angle:  # a turned sticker takes the room of its turned box
            box_width, box_height = _turned(box_width, box_height, element.angle)
            if box_width > room:
                return None
        stacks[band_of[element.role]].append((element, font, lines, box_width, box_height, pad))
    tops: dict[Band, int] = {}
    extents: list[tuple[int, int]] = []
    for band, stack in stacks.items():
        if not stack:
            continue
        total = sum(item[4] for item in stack) + gap * (len(stack) - 1)
        top = {"top": margin, "middle": (height - total) // 2, "bottom": height - margin - total}[band]
        tops[band] = top
        extents.append((top, top + total))
    extents.sort()
    if any(end + gap > start for (_, end), (start, _) in itertools.pairwise(extents)):
        return None
    if extents and (extents[0][0] < 0 or extents[-1][1] > height):
        return None
    placed = []
    for band, stack in stacks.items():
        y = tops.get(band, 0)
        for element, font, lines, box_width, box_height, pad in stack:
            if element.style == "band":
                left = x0
            elif layout.align == "left":
                left = x0 + margin
            elif layout.align == "right":
                left = x1 - margin - box_width
            else:
                left = x0 + (x1 - x0 - box_width) // 2
            placed.append(_Placed(element, font, lines, (left, y, left + box_width, y + box_height), pad))
            y += box_height + gap
    return placed


def _turned(width: int, height: int, degrees: float) -> tuple[int, int]:
    """The size of the box that holds a ``width`` × ``height`` box turned by ``degrees``."""
    cos, sin = abs(math.cos(math.radians(degrees))), abs(math.sin(math.radians(degrees)))
    return math.ceil(width * cos + height * sin), math.ceil(width * sin + height * cos)


def _sized(
    element: _Element, unit: float, room: int, margin: int
) -> tuple[ImageFont.FreeTypeFont, tuple[str, ...], tuple[int, int], float]:
    """The element's font, lines, padding and text width in at most ``room`` pixels of width.

    A headline wraps; an offer, a button or an urgency line stays one line, its own type shrunk
    until it fits (the rest of the copy keeps its size)."""
    px = max(_MIN_FONT_PX, round(unit * element.share))
    while True:
        font = element.face.at(px)
        if element.style == "band":
            pad = (margin, round(px * 0.3))
        else:
            pad = (0, 0) if element.style in ("plain", "outline") else (round(px * 0.6), round(px * 0.35))
        available = room if element.style == "band" else room - 2 * pad[0]
        lines = tuple(wrap_words(element.text, font, available)) if element.role == "headline" else (element.text,)
        width = max(font.getlength(line) for line in lines)
        if width <= available or px <= _MIN_FONT_PX:
            return font, lines, pad, width
        px = max(_MIN_FONT_PX, round(px * 0.9))


def wrap_words(text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont, width: float) -> list[str]:
    """``text`` broken at spaces into lines no wider than ``width`` pixels in ``font`` (a single word
    wider than that keeps a line of its own)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and font.getlength(candidate) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    return [*lines, current] if current else lines


# drawing


def _background(rng: random.Random, look: _Look, size: tuple[int, int]) -> np.ndarray:
    """RGB pixels (float32) of the look's background kind."""
    width, height = size
    first = np.array(look.palette.background, dtype=np.float32)
    second = np.array(look.palette.second, dtype=np.float32)
    if look.background == "flat":
        return np.broadcast_to(first, (height, width, 3)).copy()
    if look.background == "gradient":
        ys = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None]
        xs = np.linspace(0.0, 1.0, width, dtype=np.float32)[None, :]
        weight = (ys + xs) / 2 if rng.random() < 0.5 else np.broadcast_to(ys, (height, width))
        return first * (1 - weight[..., None]) + second * weight[..., None]
    # noisy, photo-like: soft blotches of the palette's colours under fine grain
    noise = np.random.default_rng(rng.getrandbits(64))
    cells = noise.integers(4, 9)
    mix = noise.random((cells, cells, 1), dtype=np.float32)
    coarse = first * (1 - mix) + second * mix + noise.normal(0, 18, (cells, cells, 3)).astype(np.float32)
    smooth = cv2.resize(coarse, (width, height), interpolation=cv2.INTER_CUBIC)
    grain = noise.normal(0, noise.uniform(6, 14), (height, width, 3)).astype(np.float32)
    return np.clip(smooth + grain, 0, 255)


def _draw_product(draw: ImageDraw.ImageDraw, box: Box, colour: RGB) -> None:
    """A bottle with a cap and a blank label: a product shape with no text on it."""
    x0, y0, x1, y1 = box
    width, height = x1 - x0, y1 - y0
    body_width = min(width * 0.45, height * 0.45)
    cx = (x0 + x1) / 2
    cap = _BLACK if _luminance(colour) > 0.4 else _WHITE
    draw.rounded_rectangle(
        (cx - body_width / 2, y0 + height * 0.28, cx + body_width / 2, y1), radius=body_width / 5, fill=colour
    )
    draw.rectangle((cx - body_width * 0.18, y0 + height * 0.12, cx + body_width * 0.18, y0 + height * 0.3), fill=colour)
    draw.rounded_rectangle((cx - body_width * 0.25, y0, cx + body_width * 0.25, y0 + height * 0.14), radius=4, fill=cap)
    label = tuple(min(255, c + 40) for c in colour)
    draw.rectangle((cx - body_width * 0.36, y0 + height * 0.5, cx + body_width * 0.36, y0 + height * 0.78), fill=label)


@dataclass(frozen=True)
class _Canvas:
    image: Image.Image
    lines: tuple[DrawnLine, ...]
    glyphs: tuple[Box, ...]  # the boxes of the drawn letters, for the layout's truth
    typefaces: tuple[str, ...]


def _compose(
    rng: random.Random, copy: _Copy, look: _Look, roles: Sequence[Role], background: np.ndarray | None = None
) -> _Canvas:
    """One canvas: background, product where the copy leaves room, the copy of ``roles``."""
    size = look.size
    pixels = _background(rng, look, size) if background is None else background
    image = Image.fromarray(pixels.astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(image)
    elements = _elements(copy, look, roles)
    placed = _arrange(elements, look.layout, size) if elements else []
    product = _free_area(placed, look.layout, size)
    if product is not None:
        _draw_product(draw, product, look.palette.product)
    glyphs: list[Box] = []
    for item in placed:
        glyphs += _draw_element(image, pixels, item, look)
    return _Canvas(
        image,
        tuple(DrawnLine(element.role, element.text) for element in elements),
        tuple(glyphs),
        tuple(dict.fromkeys(element.face.name for element in elements)),
    )


def _free_area(placed: Sequence[_Placed], layout: Layout, size: tuple[int, int]) -> Box | None:
    """The largest stretch the copy leaves empty, when it is big enough for a product."""
    width, height = size
    if layout.column != "full" and placed:  # the product takes the other column
        x0, x1 = (width * 0.06, width * 0.4) if layout.column == "right" else (width * 0.62, width * 0.94)
        return (x0, height * 0.15, x1, height * 0.9)
    spans = sorted((item.box[1], item.box[3]) for item in placed)
    edges = [0, *[y for span in spans for y in span], height]
    gaps = [(edges[i], edges[i + 1]) for i in range(0, len(edges), 2)]
    top, bottom = max(gaps, key=lambda gap: gap[1] - gap[0])
    if bottom - top < height * 0.25:
        return None
    pad = (bottom - top) * 0.1
    side = min(width * 0.5, bottom - top - 2 * pad)
    return ((width - side) / 2, top + pad, (width + side) / 2, bottom - pad)


def _draw_element(image: Image.Image, pixels: np.ndarray, item: _Placed, look: _Look) -> list[Box]:
    """Draw one element; the boxes of its letters (a sticker's whole turned box) for the layout's truth."""
    element = item.element
    under = _mean_colour(pixels, item.box)
    if element.style == "sticker":
        return [_draw_sticker(image, item, look.palette.accent)]
    draw = ImageDraw.Draw(image)
    left, top, right, bottom = item.box
    ink = _ink_on(under)
    stroke: RGB | None = None
    if element.style in ("band", "badge", "pill", "button"):
        fill = look.palette.accent
        if element.style == "button" and _contrast(fill, under) < 1.5:
            fill = _ink_on(under)  # a button must stand out from what it sits on
        radius = {"band": 0, "badge": (bottom - top) // 4, "pill": (bottom - top) // 2, "button": (bottom - top) // 2}
        draw.rounded_rectangle(item.box, radius=radius[element.style], fill=fill)
        ink = _ink_on(fill)
    elif element.style == "box":
        draw.rectangle(item.box, outline=ink, width=max(2, round(item.font.size / 12)))
    elif element.style == "outline":  # light letters edged in dark read on any background
        ink, stroke = _WHITE, _BLACK
    elif element.role == "headline" and _contrast(look.palette.accent, under) >= 3.0:
        ink = look.palette.accent  # WCAG's contrast for large text
    pad_x, pad_y = item.padding
    line_height = round(item.font.size * 1.25)
    stroke_width = max(1, round(item.font.size / 12)) if stroke else 0
    glyphs = []
    for number, line in enumerate(item.lines):
        line_width = item.font.getlength(line)
        if look.layout.align == "center" or element.style not in ("plain", "outline"):
            x = left + (right - left - line_width) / 2
        elif look.layout.align == "right":
            x = right - pad_x - line_width
        else:
            x = left + pad_x
        y = top + pad_y + number * line_height
        draw.text((x, y), line, font=item.font, fill=ink, stroke_width=stroke_width, stroke_fill=stroke)
        glyphs.append(draw.textbbox((x, y), line, font=item.font, stroke_width=stroke_width))
    return glyphs


def _draw_sticker(image: Image.Image, item: _Placed, fill: RGB) -> Box:
    """A badge turned by the element's angle, centred in its (turned) box."""
    pad_x, pad_y = item.padding
    line = item.lines[0]
    width = round(item.font.getlength(line)) + 2 * pad_x
    height = round(item.font.size * 1.25) + 2 * pad_y
    badge = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(badge)
    draw.rounded_rectangle((0, 0, width - 1, height - 1), radius=height // 4, fill=(*fill, 255))
    draw.text((width / 2, height / 2), line, font=item.font, fill=(*_ink_on(fill), 255), anchor="mm")
    turned = badge.rotate(item.element.angle, resample=Image.Resampling.BICUBIC, expand=True)
    left, top, right, bottom = item.box
    x = round((left + right - turned.width) / 2)
    y = round((top + bottom - turned.height) / 2)
    image.paste(turned, (x, y), turned)
    return (x, y, x + turned.width, y + turned.height)


def _mean_colour(pixels: np.ndarray, box: tuple[int, int, int, int]) -> RGB:
    left, top, right, bottom = (max(0, v) for v in box)
    region = pixels[top : max(top + 1, bottom), left : max(left + 1, right)]
    r, g, b = (round(float(v)) for v in region.reshape(-1, 3).mean(axis=0))
    return (r, g, b)


def _luminance(colour: RGB) -> float:
    """WCAG relative luminance."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = colour
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)


def _contrast(first: RGB, second: RGB) -> float:
    """WCAG contrast ratio, 1 (none) to 21 (black on white)."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _ink_on(colour: RGB) -> RGB:
    return _BLACK if _contrast(_BLACK, colour) >= _contrast(_WHITE, colour) else _WHITE


def _layout_truth(glyphs: Sequence[Box], size: tuple[int, int]) -> str | None:
    """The schema's layout value when the text sits clearly in one place, else None (not decided).

    Shares of the glyphs' area per third of the height: one third holding 80% of it names that
    third; top and bottom each with 35% and the middle under 10% is "top and bottom". Text
    covering 20% of the canvas or more could be called dominant, so it is left undecided."""
    width, height = size
    if not glyphs:
        return "no_text"
    area = sum((x1 - x0) * (y1 - y0) for x0, y0, x1, y1 in glyphs)
    if area >= 0.2 * width * height:
        return None
    thirds = [0.0, 0.0, 0.0]
    for x0, y0, x1, y1 in glyphs:
        for third in range(3):
            overlap = min(y1, height * (third + 1) / 3) - max(y0, height * third / 3)
            thirds[third] += max(0.0, overlap) * (x1 - x0)
    top, middle, bottom = (part / area for part in thirds)
    for name, share in (("text_top", top), ("text_center", middle), ("text_bottom", bottom)):
        if share >= 0.8:
            return name
    if top >= 0.35 and bottom >= 0.35 and middle < 0.1:
        return "text_top_and_bottom"
    return None


def _encode(image: Image.Image, look: _Look) -> CreativeInput:
    if look.resampled is not None:
        width, height = image.size
        small = image.resize((round(width * look.resampled), round(height * look.resampled)), Image.Resampling.BILINEAR)
        image = small.resize((width, height), Image.Resampling.BICUBIC)
    buffer = io.BytesIO()
    if look.jpeg_quality is None:
        image.save(buffer, format="PNG", compress_level=6)
        return CreativeInput.from_bytes(buffer.getvalue(), kind=CreativeKind.IMAGE, content_type="image/png")
    image.save(buffer, format="JPEG", quality=look.jpeg_quality)
    return CreativeInput.from_bytes(buffer.getvalue(), kind=CreativeKind.IMAGE, content_type="image/jpeg")


def _encoding_name(look: _Look) -> str:
    name = "png" if look.jpeg_quality is None else f"jpeg q{look.jpeg_quality}"
    return f"{name} resampled" if look.resampled is not None else name


_ALL_ROLES: tuple[Role, ...] = ("brand", "headline", "offer", "urgency", "cta")


def _truth(
    ad_id: str,
    ad_format: Format,
    copy: _Copy,
    look: _Look,
    lines: Sequence[DrawnLine],
    *,
    media_count: int,
    scene_count: int | None,
    palette_decided: bool,
    layout: str | None,
    faces: tuple[str, ...],
) -> AdTruth:
    width, height = look.size
    return AdTruth(
        ad_id=ad_id,
        format=ad_format,
        aspect=look.aspect,
        width=width,
        height=height,
        language=copy.language,
        lines=tuple(lines),
        offer=copy.offer,
        cta=copy.cta,
        urgency=copy.urgency,
        media_count=media_count,
        scene_count=scene_count,
        # a noisy background's colours are the palette's only on average: its class is not decided
        palette=look.palette.name if palette_decided and look.background != "noisy" else None,
        background=look.background,
        layout=layout,
        typefaces=faces,
        encoding=_encoding_name(look) if ad_format != "video" else "mp4",
    )


def _image_ad(ad_id: str, copy: _Copy, look: _Look) -> EvaluationAd:
    canvas = _compose(random.Random(f"{ad_id}:pixels"), copy, look, _ALL_ROLES)
    creative = _encode(canvas.image, look)
    truth = _truth(
        ad_id,
        "image",
        copy,
        look,
        canvas.lines,
        media_count=1,
        scene_count=None,
        palette_decided=True,
        layout=_layout_truth(canvas.glyphs, look.size),
        faces=canvas.typefaces,
    )
    return EvaluationAd(AdInput(ad_id=ad_id, creatives=[creative]), truth)


def _carousel_ad(ad_id: str, rng: random.Random, pool: Pool, copy: _Copy, look: _Look) -> EvaluationAd:
    """2-4 cards, each with its own headline; the offer and urgency on the first, the CTA on the last."""
    cards = rng.randint(2, 4)
    headlines = [h for h in variants(HEADLINES[copy.language], pool) if h.lower() != (copy.headline or "").lower()]
    rng.shuffle(headlines)
    creatives: list[CreativeInput] = []
    lines: list[DrawnLine] = []
    faces: list[str] = []
    layout = None
    for number in range(cards):
        first, last = number == 0, number == cards - 1
        card_copy = _Copy(
            copy.language,
            copy.headline if first else headlines[(number - 1) % len(headlines)],
            copy.offer if first else None,
            copy.cta if last else None,
            copy.urgency if first else None,
            copy.brand if first else None,
        )
        canvas = _compose(random.Random(f"{ad_id}:card{number}"), card_copy, look, _ALL_ROLES)
        creatives.append(_encode(canvas.image, look))
        lines += canvas.lines
        faces += canvas.typefaces
        if first:
            layout = _layout_truth(canvas.glyphs, look.size)
    truth = _truth(
        ad_id,
        "carousel",
        copy,
        look,
        lines,
        media_count=cards,
        scene_count=None,
        palette_decided=True,
        layout=layout,
        faces=tuple(dict.fromkeys(faces)),
    )
    return EvaluationAd(AdInput(ad_id=ad_id, creatives=creatives), truth)


def _video_ad(ad_id: str, rng: random.Random, copy: _Copy, look: _Look) -> EvaluationAd:
    """Scenes joined by hard cuts: the headline (and brand), then the offer and urgency, then the
    call to action; a copy with fewer than two of those ends on a product shot without text."""
    scenes: list[tuple[Role, ...]] = [("brand", "headline")]
    if copy.offer or copy.urgency:
        scenes.append(("offer", "urgency"))
    if copy.cta:
        scenes.append(("cta",))
    if len(scenes) < 2:
        scenes.append(())
    width, height = look.size
    hue = rng.random()
    frames: list[tuple[np.ndarray, int]] = []
    lines: list[DrawnLine] = []
    faces: list[str] = []
    layout = None
    for number, roles in enumerate(scenes):
        # each scene a third of the colour wheel on from the last and alternately light and dark,
        # so every cut is a cut to any eye
        r, g, b = colorsys.hsv_to_rgb((hue + number / 3) % 1.0, 0.55, 0.92 if number % 2 == 0 else 0.3)
        colour = np.array((r * 255, g * 255, b * 255), dtype=np.float32)
        backdrop = np.broadcast_to(colour, (height, width, 3)).copy()
        canvas = _compose(random.Random(f"{ad_id}:scene{number}"), copy, look, roles, backdrop)
        lines += canvas.lines
        faces += canvas.typefaces
        if layout is None and canvas.lines:  # a video's layout is its first scene with text
            layout = _layout_truth(canvas.glyphs, look.size)
        held = round(VIDEO_FPS * rng.uniform(0.8, 1.6))
        frames.append((cv2.cvtColor(np.asarray(canvas.image), cv2.COLOR_RGB2BGR), held))
    data = _encode_video(frames, look.size)
    creative = CreativeInput.from_bytes(data, kind=CreativeKind.VIDEO, content_type="video/mp4")
    truth = _truth(
        ad_id,
        "video",
        copy,
        look,
        lines,
        media_count=1,
        scene_count=len(scenes),
        palette_decided=False,  # the scenes change colour by design
        layout=layout,
        faces=tuple(dict.fromkeys(faces)),
    )
    return EvaluationAd(AdInput(ad_id=ad_id, creatives=[creative]), truth)


def _encode_video(scenes: Sequence[tuple[np.ndarray, int]], size: tuple[int, int]) -> bytes:
    """mp4 of each scene's frame held for its frame count, with a small highlight moving across it
    (motion within a shot, far smaller than the change at a cut)."""
    width, height = size
    short = min(width, height)
    with tempfile.TemporaryDirectory(prefix="adology-eval-") as folder:
        path = Path(folder) / "video.mp4"
        writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), VIDEO_FPS, (width, height))
        if not writer.isOpened():
            raise EvaluationError(
                "OpenCV could not open an mp4v VideoWriter (no FFmpeg backend): videos cannot be drawn"
            )
        try:
            for base, count in scenes:
                for frame_number in range(count):
                    frame = base.copy()
                    x = int(width * (0.1 + 0.8 * frame_number / max(1, count - 1)))
                    # inside the top margin, where no copy is drawn
                    cv2.circle(frame, (x, short // 40), max(2, short // 80), (255, 255, 255), -1, cv2.LINE_AA)
                    writer.write(frame)
        finally:
            writer.release()
        return path.read_bytes()
