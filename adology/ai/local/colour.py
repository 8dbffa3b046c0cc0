"""Colour and light of an image: dominant colours (k-means on a small sample), a palette name,
brightness, contrast, colourfulness and edge density."""

from __future__ import annotations

import colorsys
from dataclasses import dataclass

import cv2
import numpy as np

_COLOR_SAMPLE_SIDE = 64
_CLUSTERS = 5
_MERGE_DISTANCE = 24.0  # RGB distance under which two cluster centres count as one colour
_MIN_COLOR_SHARE = 0.03


@dataclass(frozen=True, slots=True)
class ColorShare:
    hex: str  # "#rrggbb"
    share: float  # of the image's pixels, 0..1


@dataclass(frozen=True, slots=True)
class Look:
    """Colour and light of an image (or of a video's keyframes taken together)."""

    dominant_colors: tuple[ColorShare, ...]  # most prominent first
    brightness: float  # mean luminance, 0..1
    contrast: float  # standard deviation of luminance, 0..0.5
    colorfulness: float  # Hasler-Suesstrunk metric / 100, clipped to 0..1
    edge_density: float  # share of Canny edge pixels at 256 px width

    @property
    def palette_name(self) -> str:
        return palette_name(self.dominant_colors)


def measure_look(bgr: np.ndarray) -> Look:
    gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY).astype(np.float32) / 255.0
    b, g, r = (channel.astype(np.float32) for channel in cv2.split(bgr))
    rg = r - g
    yb = 0.5 * (r + g) - b
    colorfulness = (np.sqrt(rg.std() ** 2 + yb.std() ** 2) + 0.3 * np.sqrt(rg.mean() ** 2 + yb.mean() ** 2)) / 100
    return Look(
        dominant_colors=dominant_colors(bgr),
        brightness=round(float(gray.mean()), 4),
        contrast=round(float(gray.std()), 4),
        colorfulness=round(float(min(1.0, colorfulness)), 4),
        edge_density=round(edge_density(bgr), 4),
    )


def dominant_colors(bgr: np.ndarray) -> tuple[ColorShare, ...]:
    """k-means colours of a 64x64 grid of pixels, near-duplicates merged, shares of at least 3%."""
    # Nearest-neighbour sampling keeps real pixel colours: averaging would turn fine detail or
    # noise into a flat grey that is in no pixel of the image.
    small = cv2.resize(bgr, (_COLOR_SAMPLE_SIDE, _COLOR_SAMPLE_SIDE), interpolation=cv2.INTER_NEAREST)
    samples = small.reshape(-1, 3).astype(np.float32)
    clusters = min(_CLUSTERS, len(samples))
    # Initial labels from luminance ranks instead of random centres: the same image always gives
    # the same colours, without touching OpenCV's per-thread random generator.
    luminance = samples @ np.array([0.114, 0.587, 0.299], dtype=np.float32)
    initial = np.empty(len(samples), dtype=np.int32)
    initial[np.argsort(luminance, kind="stable")] = np.arange(len(samples)) * clusters // len(samples)
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 20, 0.5)
    _, labels, centres = cv2.kmeans(
        samples, clusters, initial.reshape(-1, 1), criteria, 1, cv2.KMEANS_USE_INITIAL_LABELS
    )
    counts = np.bincount(labels.ravel(), minlength=clusters).astype(np.float64)
    merged: list[tuple[np.ndarray, float]] = []
    for index in np.argsort(-counts, kind="stable"):
        if counts[index] == 0:
            continue
        centre = centres[index]
        for i, (kept, weight) in enumerate(merged):
            if float(np.linalg.norm(kept - centre)) < _MERGE_DISTANCE:
                total = weight + counts[index]
                merged[i] = ((kept * weight + centre * counts[index]) / total, total)
                break
        else:
            merged.append((centre, float(counts[index])))
    merged.sort(key=lambda item: -item[1])
    pixels = float(len(samples))
    return tuple(
        ColorShare(hex=_hex(centre), share=round(weight / pixels, 4))
        for centre, weight in merged
        if weight / pixels >= _MIN_COLOR_SHARE
    )


def _hex(bgr_centre: np.ndarray) -> str:
    b, g, r = (int(np.clip(round(float(v)), 0, 255)) for v in bgr_centre)
    return f"#{r:02x}{g:02x}{b:02x}"


def palette_name(colors: tuple[ColorShare, ...]) -> str:
    """A name for the palette from the share-weighted hue, saturation and value of its colours."""
    if not colors:
        return "mixed"
    hsv = [colorsys.rgb_to_hsv(*(int(c.hex[i : i + 2], 16) / 255 for i in (1, 3, 5))) for c in colors]
    weights = np.array([c.share for c in colors])
    weights = weights / weights.sum()
    saturation = float(np.dot(weights, [s for _, s, _ in hsv]))
    value = float(np.dot(weights, [v for _, _, v in hsv]))
    earthy = sum(
        w
        for w, (h, s, v) in zip(weights, hsv, strict=True)
        if 15 / 360 <= h <= 50 / 360 and 0.2 <= s <= 0.75 and 0.2 <= v <= 0.8
    )
    if saturation < 0.1:
        return "monochrome" if value < 0.85 else "light"
    if value < 0.3:
        return "dark"
    if value > 0.85 and saturation < 0.2:
        return "light"
    if value > 0.75 and saturation < 0.45:
        return "pastel"
    if saturation >= 0.55 and value >= 0.5:
        return "vibrant"
    if earthy >= 0.5:
        return "earth_tones"
    if saturation < 0.25:
        return "neutral"
    return "mixed"


def edge_density(bgr: np.ndarray) -> float:
    gray = cv2.cvtColor(_resize_width(bgr, 256), cv2.COLOR_BGR2GRAY)
    return float((cv2.Canny(gray, 100, 200) > 0).mean())


def _resize_width(bgr: np.ndarray, width: int) -> np.ndarray:
    height = max(1, round(bgr.shape[0] * width / bgr.shape[1]))
    return cv2.resize(bgr, (width, height), interpolation=cv2.INTER_AREA)
