"""Creatives for the library's ads: images (JPEG or PNG) and short mp4 videos, drawn on demand.

Every creative is drawn from the ad's record alone, so the same ad always gives the same bytes.
The copy that matters to analysis (headline, offer, CTA) is drawn large on a solid band or
button in a colour chosen for contrast, so an OCR engine can read it back. Rendered bytes are
kept in a bounded LRU cache: a benchmark fetching the same media twice renders it once.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import tempfile
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from adology.ai.evaluation.creatives import wrap_words
from adology.errors import AdologyError
from adology.logs import get_logger
from simulators.ad_sources.catalog import RGB, Ad, Brand, Card

log = get_logger(__name__)

# Real creatives are 1080 px wide; ~600 px keeps rendering fast and text still large enough to read.
IMAGE_SIZES: dict[str, tuple[int, int]] = {
    "1:1": (600, 600),
    "4:5": (600, 750),
    "9:16": (540, 960),
    "1.91:1": (764, 400),
}
VIDEO_SIZES: dict[str, tuple[int, int]] = {
    "1:1": (480, 480),
    "4:5": (384, 480),
    "9:16": (360, 640),
    "1.91:1": (480, 252),
}
VIDEO_FPS = 12
CACHE_BYTES = 128 * 1024 * 1024

_WHITE: RGB = (255, 255, 255)
_BLACK: RGB = (17, 17, 17)
_fonts = threading.local()


class RenderError(AdologyError):
    """A creative could not be produced (for example, no mp4 encoder in this OpenCV build)."""


class _BytesLRU:
    """Least-recently-used bytes, bounded by their total size; safe across the server's threads."""

    def __init__(self, max_bytes: int) -> None:
        self._max = max_bytes
        self._items: OrderedDict[Hashable, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> bytes | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Hashable, value: bytes) -> None:
        with self._lock:
            if key in self._items:
                return
            self._items[key] = value
            self._size += len(value)
            while self._size > self._max and self._items:
                _, dropped = self._items.popitem(last=False)
                self._size -= len(dropped)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._size = 0


_cache = _BytesLRU(CACHE_BYTES)
# Bumped whenever drawing changes, so creatives cached on disk by an older renderer are not served.
RENDER_VERSION = "1"
_disk_cache: Path | None = None


def use_disk_cache(directory: Path | None) -> None:
    """Keep rendered creatives in ``directory`` too, so a library of 10,000 ads is drawn once per
    machine, not once per server start (the benchmark pre-renders into it before it measures)."""
    global _disk_cache
    if directory is not None:
        directory.mkdir(parents=True, exist_ok=True)
    _disk_cache = directory


def _disk_path(key: Hashable) -> Path | None:
    if _disk_cache is None:
        return None
    # the key holds the ad's whole frozen record, so its repr names exactly what is drawn
    digest = hashlib.sha256(f"{RENDER_VERSION}|{key!r}".encode()).hexdigest()
    return _disk_cache / digest[:2] / digest


def _cached(key: Hashable, make: Callable[[], bytes]) -> bytes:
    """Render once per key; later requests for the same creative are served from memory or disk."""
    data = _cache.get(key)
    if data is not None:
        return data
    path = _disk_path(key)
    if path is not None and path.exists():
        data = path.read_bytes()
    else:
        data = make()
        if path is not None:
            path.parent.mkdir(exist_ok=True)
            partial = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.part")
            partial.write_bytes(data)
            partial.replace(path)  # atomic: a reader never sees half a creative
    _cache.put(key, data)
    return data


def creatives_of(ad: Ad) -> list[Callable[[], bytes]]:
    """Every creative the library serves for ``ad``: each card's image, or its image, and its video."""
    if ad.cards:
        images = [functools.partial(render_image, ad, index) for index in range(len(ad.cards))]
    else:
        images = [functools.partial(render_image, ad)]
    return images + ([functools.partial(render_video, ad)] if ad.display_format == "VIDEO" else [])


def _encoded(image: Image.Image, image_format: str) -> bytes:
    buffer = io.BytesIO()
    if image_format == "png":
        image.save(buffer, format="PNG", compress_level=6)
    else:
        image.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def clear_cache() -> None:
    """Forget every rendered creative (benchmarks measuring cold renders start here)."""
    _cache.clear()


def render_image(ad: Ad, card_index: int | None = None) -> bytes:
    """The ad's image (or one carousel/DPA card's) in the ad's format, at its aspect ratio."""
    if card_index is not None and not 0 <= card_index < len(ad.cards):
        raise IndexError(f"ad {ad.ad_id} has {len(ad.cards)} cards, no card {card_index}")
    # A carousel's or product feed's own image is its first card.
    if card_index is None and ad.cards:
        card_index = 0
    card = ad.cards[card_index] if card_index is not None else None
    return _cached(
        ("image", ad, card_index), lambda: _encoded(_compose_ad(ad, card, IMAGE_SIZES[ad.aspect]), ad.image_format)
    )


def render_logo(brand: Brand) -> bytes:
    """The brand's profile picture: its initials in a circle, as a PNG."""

    def make() -> bytes:
        image = Image.new("RGB", (160, 160), brand.early.palette[1])
        _logo(ImageDraw.Draw(image), brand, brand.early.palette, (80, 80), 72)
        return _encoded(image, "png")

    return _cached(("logo", brand), make)


def render_video(ad: Ad) -> bytes:
    """A 2.5-3.5 s mp4 (12 fps) of 2-4 scenes joined by hard cuts: product, offer, CTA, brand."""
    return _cached(("video", ad), lambda: _encode_video(ad))


def _encode_video(ad: Ad) -> bytes:
    width, height = VIDEO_SIZES[ad.aspect]
    scenes = _SCENES[ad.variant % len(_SCENES)]
    scene_count = len(scenes)
    total_frames = round(VIDEO_FPS * video_seconds(ad))
    # OpenCV's writer needs a real file; a private temporary directory keeps it from clashing.
    with tempfile.TemporaryDirectory(prefix="adology-render-") as tmp:
        path = Path(tmp) / f"{ad.ad_id}.mp4"
        writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), VIDEO_FPS, (width, height))
        if not writer.isOpened():
            raise RenderError("OpenCV could not open an mp4v VideoWriter; its FFmpeg backend is missing")
        try:
            per_scene = total_frames // scene_count
            for index, scene in enumerate(scenes):
                base = cv2.cvtColor(np.asarray(scene(ad, (width, height))), cv2.COLOR_RGB2BGR)
                frames = per_scene if index < scene_count - 1 else total_frames - per_scene * (scene_count - 1)
                for frame_no in range(frames):
                    writer.write(_sparkle(base, frame_no, frames))
        finally:
            writer.release()
        return path.read_bytes()


def video_seconds(ad: Ad) -> float:
    """How long the ad's video runs: half a second more per scene past two."""
    return 2.5 + 0.5 * (len(_SCENES[ad.variant % len(_SCENES)]) - 2)


def _sparkle(base: np.ndarray, frame_no: int, frames: int) -> np.ndarray:
    """A small moving highlight: motion inside a scene, far smaller than the change at a cut."""
    frame = base.copy()
    height, width = frame.shape[:2]
    x = int(width * (0.15 + 0.7 * frame_no / max(1, frames - 1)))
    cv2.circle(frame, (x, int(height * 0.12)), max(4, width // 40), (255, 255, 255), -1, lineType=cv2.LINE_AA)
    return frame


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    # FreeType faces are not safe to share across threads, and the server renders in a pool.
    cache: dict[int, ImageFont.FreeTypeFont | ImageFont.ImageFont] = _fonts.__dict__.setdefault("by_size", {})
    font = cache.get(size)
    if font is None:
        font = cache[size] = ImageFont.load_default(size=size)
    return font


def _luminance(color: RGB) -> float:
    r, g, b = color
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255


def _ink_on(color: RGB) -> RGB:
    """Black or white, whichever reads best on ``color``."""
    return _BLACK if _luminance(color) > 0.55 else _WHITE


def _stable(text: str) -> int:
    """A per-process-stable hash (``hash()`` of a str changes with every interpreter)."""
    return zlib.crc32(text.encode())


def _background(size: tuple[int, int], palette: tuple[RGB, ...], kind: str, variant: int) -> Image.Image:
    width, height = size
    first = np.array(palette[0], dtype=np.float32)
    second = np.array(palette[1], dtype=np.float32)
    if kind == "gradient":
        ys = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None]
        xs = np.linspace(0.0, 1.0, width, dtype=np.float32)[None, :]
        weight = (ys + xs * 0.5) / 1.5 if variant % 2 else ys + xs * 0.0
        pixels = first * (1.0 - weight[..., None]) + second * weight[..., None]
        return Image.fromarray(pixels.astype(np.uint8), "RGB")
    image = Image.new("RGB", size, palette[0])
    draw = ImageDraw.Draw(image)
    split = int(height * (0.55 + (variant % 5) * 0.03))
    draw.rectangle((0, split, width, height), fill=palette[1])
    radius = int(min(width, height) * 0.35)
    cx = int(width * (0.65 if variant % 2 else 0.35))
    draw.ellipse((cx - radius, split - radius, cx + radius, split + radius), fill=palette[1])
    return image


def _logo(
    draw: ImageDraw.ImageDraw, brand: Brand, palette: tuple[RGB, ...], center: tuple[int, int], radius: int
) -> None:
    cx, cy = center
    ring = palette[3] if len(palette) > 3 else _BLACK
    outline = max(2, radius // 12)
    draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=ring, outline=_WHITE, width=outline)
    draw.text((cx, cy), brand.initials, font=_font(max(10, int(radius * 0.9))), fill=_ink_on(ring), anchor="mm")


def _product(draw: ImageDraw.ImageDraw, product: str, palette: tuple[RGB, ...], box: tuple[int, int, int, int]) -> None:
    """A bottle, jar, tube or dropper drawn from primitives, with a plain label."""
    x0, y0, x1, y1 = box
    box_w, box_h = x1 - x0, y1 - y0
    if box_w < 20 or box_h < 20:
        return
    cx = (x0 + x1) // 2
    body = palette[2]
    cap = palette[3] if len(palette) > 3 else _BLACK
    label = _WHITE if _luminance(body) < 0.8 else (235, 235, 235)
    shadow_w = int(min(box_w, box_h) * 0.4)
    draw.ellipse((cx - shadow_w, y1 - box_h * 0.06, cx + shadow_w, y1 + box_h * 0.04), fill=_shade(palette[1], 0.75))
    shape = _stable(product) % 4
    if shape == 0:  # bottle
        bw = int(min(box_w * 0.35, box_h * 0.42))
        draw.rounded_rectangle((cx - bw // 2, y0 + box_h * 0.3, cx + bw // 2, y1), radius=bw // 5, fill=body)
        draw.rectangle((cx - bw * 0.17, y0 + box_h * 0.14, cx + bw * 0.17, y0 + box_h * 0.31), fill=body)
        draw.rounded_rectangle((cx - bw * 0.24, y0, cx + bw * 0.24, y0 + box_h * 0.16), radius=bw // 10, fill=cap)
        label_box = (cx - bw * 0.38, y0 + box_h * 0.5, cx + bw * 0.38, y0 + box_h * 0.8)
    elif shape == 1:  # jar
        jw = int(min(box_w * 0.6, box_h * 1.1))
        draw.rounded_rectangle((cx - jw // 2, y0 + box_h * 0.35, cx + jw // 2, y1), radius=jw // 8, fill=body)
        lid = (cx - jw * 0.53, y0 + box_h * 0.12, cx + jw * 0.53, y0 + box_h * 0.38)
        draw.rounded_rectangle(lid, radius=jw // 14, fill=cap)
        label_box = (cx - jw * 0.35, y0 + box_h * 0.52, cx + jw * 0.35, y0 + box_h * 0.85)
    elif shape == 2:  # tube, crimped end up
        tw = int(min(box_w * 0.34, box_h * 0.4))
        draw.polygon(
            [
                (cx - tw * 0.7, y0),
                (cx + tw * 0.7, y0),
                (cx + tw * 0.5, y1 - box_h * 0.14),
                (cx - tw * 0.5, y1 - box_h * 0.14),
            ],
            fill=body,
        )
        draw.rectangle((cx - tw * 0.72, y0, cx + tw * 0.72, y0 + box_h * 0.05), fill=_shade(body, 0.8))
        draw.rounded_rectangle((cx - tw * 0.3, y1 - box_h * 0.15, cx + tw * 0.3, y1), radius=tw // 10, fill=cap)
        label_box = (cx - tw * 0.42, y0 + box_h * 0.3, cx + tw * 0.42, y0 + box_h * 0.6)
    else:  # dropper
        dw = int(min(box_w * 0.3, box_h * 0.36))
        draw.rounded_rectangle((cx - dw // 2, y0 + box_h * 0.42, cx + dw // 2, y1), radius=dw // 4, fill=body)
        draw.rectangle((cx - dw * 0.22, y0 + box_h * 0.26, cx + dw * 0.22, y0 + box_h * 0.43), fill=cap)
        draw.ellipse((cx - dw * 0.2, y0, cx + dw * 0.2, y0 + box_h * 0.3), fill=cap)
        label_box = (cx - dw * 0.36, y0 + box_h * 0.58, cx + dw * 0.36, y0 + box_h * 0.84)
    draw.rectangle(label_box, fill=label)
    label_w = label_box[2] - label_box[0]
    initials = "".join(w[0] for w in product.split()[:2]).upper()
    draw.text(
        ((label_box[0] + label_box[2]) / 2, (label_box[1] + label_box[3]) / 2),
        initials,
        font=_font(max(8, int(label_w * 0.3))),
        fill=_BLACK,
        anchor="mm",
    )


def _shade(color: RGB, factor: float) -> RGB:
    r, g, b = color
    return (int(r * factor), int(g * factor), int(b * factor))


def _compose_ad(ad: Ad, card: Card | None, size: tuple[int, int]) -> Image.Image:
    """Background, logo, product, headline band, offer badge and CTA button, laid out for the aspect."""
    width, height = size
    style = ad.style
    palette = style.palette
    image = _background(size, palette, style.background, ad.variant)
    draw = ImageDraw.Draw(image)
    headline = card.title if card else ad.headline
    offer = ad.offer or (card.price if card else None)
    product = card.product if card else ad.product
    short = min(width, height)
    margin = int(short * 0.05)
    landscape = width > height * 1.4
    # A landscape canvas puts copy in a left column and the product on the right.
    column = int(width * 0.6) if landscape else width
    logo_r = int(min(width, height) * 0.065)
    _logo(draw, ad.brand, palette, (margin + logo_r, margin + logo_r), logo_r)
    name_font = _font(max(12, int(logo_r * 0.6)))
    name_at = (margin * 1.5 + 2 * logo_r, margin + logo_r)
    draw.text(name_at, ad.brand.name, font=name_font, fill=_ink_on(palette[0]), anchor="lm")
    top = margin * 2 + 2 * logo_r

    band_fill, band_ink = (palette[3], _ink_on(palette[3])) if ad.variant % 3 else (_WHITE, _BLACK)
    gap = margin // 2
    text_width = column - 2 * margin
    offer_size = int(short * 0.08)
    # Long offers ("FREE GIFT WITH PURCHASE") shrink to fit rather than run off the canvas.
    while offer and offer_size > 14 and _font(offer_size).getlength(offer) + offer_size > text_width:
        offer_size -= 2
    cta_size = int(short * 0.05)
    cta_h = int(cta_size * 2.1)
    offer_h = int(offer_size * 1.6) if offer else 0
    headline_size = int(short * style.headline_scale)
    while True:
        font = _font(headline_size)
        lines = wrap_words(headline, font, text_width - margin)
        line_h = int(headline_size * 1.2)
        band_h = line_h * len(lines) + margin
        used = top + band_h + offer_h + cta_h + 3 * gap + margin
        product_h = (height - used) if not landscape else height - 2 * margin
        fits = used <= height if landscape else product_h >= height * 0.22
        if (fits and len(lines) <= 3) or headline_size <= 16:
            break
        headline_size -= 3

    if landscape:
        product_box = (column, margin, width - margin, height - margin)
        band_top = top
    elif style.text_position == "top":
        band_top = top
        product_box = (margin, band_top + band_h + gap, width - margin, band_top + band_h + gap + product_h)
    else:
        product_box = (margin, top, width - margin, top + product_h)
        band_top = top + product_h + gap
    shift = (ad.variant % 7 - 3) * width // 60
    _product(draw, product, palette, (product_box[0] + shift, product_box[1], product_box[2] + shift, product_box[3]))

    band_left = 0 if not landscape else margin // 2
    draw.rectangle((band_left, band_top, column - band_left, band_top + band_h), fill=band_fill)
    y = band_top + margin // 2
    for line in lines:
        x = margin if style.align == "left" or landscape else (column - font.getlength(line)) / 2
        draw.text((x, y), line, font=font, fill=band_ink)
        y += line_h
    # Offer and CTA follow the lower of the two blocks (band or product) in a portrait layout.
    y = (product_box[3] if style.text_position == "top" and not landscape else band_top + band_h) + gap
    if offer:
        offer_font = _font(offer_size)
        offer_w = int(offer_font.getlength(offer)) + offer_size
        ox = margin if style.align == "left" or landscape else (column - offer_w) // 2
        accent = palette[2]
        draw.rounded_rectangle((ox, y, ox + offer_w, y + offer_h), radius=offer_h // 4, fill=accent)
        draw.text((ox + offer_w / 2, y + offer_h / 2), offer, font=offer_font, fill=_ink_on(accent), anchor="mm")
        y += offer_h + gap
    cta_font = _font(cta_size)
    cta_w = int(cta_font.getlength(ad.cta)) + cta_size * 2
    cx = margin if style.align == "left" or landscape else (column - cta_w) // 2
    button = _BLACK if _luminance(palette[0]) > 0.35 else _WHITE
    draw.rounded_rectangle((cx, y, cx + cta_w, y + cta_h), radius=cta_h // 2, fill=button)
    draw.text((cx + cta_w / 2, y + cta_h / 2), ad.cta, font=cta_font, fill=_ink_on(button), anchor="mm")
    return image


def _centered_text(
    draw: ImageDraw.ImageDraw, text: str, size: tuple[int, int], font_size: int, ink: RGB, y: float
) -> None:
    width, _ = size
    font = _font(font_size)
    lines = wrap_words(text, font, int(width * 0.86))
    line_h = font_size * 1.2
    for i, line in enumerate(lines):
        draw.text((width / 2, y + i * line_h), line, font=font, fill=ink, anchor="mm")


def _product_scene(ad: Ad, size: tuple[int, int]) -> Image.Image:
    return _compose_ad(ad, None, size)


def _offer_scene(ad: Ad, size: tuple[int, int]) -> Image.Image:
    accent = ad.style.palette[2]
    image = Image.new("RGB", size, accent)
    draw = ImageDraw.Draw(image)
    width, height = size
    text = ad.offer or f"NEW {ad.product}".upper()
    _centered_text(draw, text, size, int(min(width, height) * 0.12), _ink_on(accent), height * 0.4)
    return image


def _cta_scene(ad: Ad, size: tuple[int, int]) -> Image.Image:
    ink = ad.style.palette[3] if len(ad.style.palette) > 3 else _BLACK
    image = Image.new("RGB", size, ink)
    draw = ImageDraw.Draw(image)
    width, height = size
    font_size = int(min(width, height) * 0.09)
    font = _font(font_size)
    button_w = int(font.getlength(ad.cta)) + font_size * 2
    button_h = int(font_size * 2)
    x0, y0 = (width - button_w) // 2, int(height * 0.45)
    button = _WHITE if _luminance(ink) < 0.5 else _BLACK
    draw.rounded_rectangle((x0, y0, x0 + button_w, y0 + button_h), radius=button_h // 2, fill=button)
    draw.text((width / 2, y0 + button_h / 2), ad.cta, font=font, fill=_ink_on(button), anchor="mm")
    _centered_text(draw, ad.brand.domain, size, int(font_size * 0.6), _ink_on(ink), y0 + button_h * 1.8)
    return image


def _brand_scene(ad: Ad, size: tuple[int, int]) -> Image.Image:
    background = ad.style.palette[1]
    image = Image.new("RGB", size, background)
    draw = ImageDraw.Draw(image)
    width, height = size
    radius = int(min(width, height) * 0.18)
    _logo(draw, ad.brand, ad.style.palette, (width // 2, int(height * 0.4)), radius)
    font_size = int(min(width, height) * 0.08)
    _centered_text(draw, ad.brand.name, size, font_size, _ink_on(background), height * 0.4 + radius * 1.6)
    return image


# Two to four scenes per video; each cut changes the background and the copy.
_SCENES = (
    (_product_scene, _cta_scene),
    (_product_scene, _offer_scene, _cta_scene),
    (_product_scene, _offer_scene, _cta_scene, _brand_scene),
)
