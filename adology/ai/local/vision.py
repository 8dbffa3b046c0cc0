"""Measurements of one still image: the text on it (OCR), its colours, light, busyness and layout.

Everything here is computed from pixels, offline, with fixed parameters, so the same bytes give
the same numbers in every process. OCR is rapidocr (PP-OCR models shipped in its wheel) run on a
copy at most :data:`OCR_MAX_SIDE` pixels on its longest side; a line is kept only when the
recogniser is at least :data:`MIN_TEXT_CONFIDENCE` sure of it, so noise is not read as words.

Faces are counted with OpenCV's Haar cascade where the installed OpenCV has one (the 4.x wheels
ship ``CascadeClassifier`` and the cascade files; OpenCV 5 moved them out of the main wheel).
Without it ``face_count`` is ``None``, "not measured", never 0.
"""

from __future__ import annotations

import colorsys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from adology.ai.types import AIError
from adology.logs import get_logger

log = get_logger(__name__)

OCR_MAX_SIDE = 800
OCR_MIN_SIDE = 480
MIN_TEXT_CONFIDENCE = 0.8
VISUAL_DIM = 192  # 64 colour-histogram bins + 64 grey-thumbnail cells + 64 oriented-edge cells

# Formats cv2.imdecode reads; bytes starting otherwise are not an image we support.
_IMAGE_MAGIC = (
    b"\xff\xd8\xff",  # JPEG
    b"\x89PNG\r\n\x1a\n",
    b"GIF87a", b"GIF89a",
    b"BM",
    b"II*\x00", b"MM\x00*",  # TIFF
)
_COMMON_RATIOS = {
    "1:1": 1.0, "4:5": 0.8, "9:16": 9 / 16, "16:9": 16 / 9, "1.91:1": 1.91,
    "2:3": 2 / 3, "3:4": 0.75, "4:3": 4 / 3, "3:2": 1.5,
}
_COLOR_SAMPLE_SIDE = 64
_CLUSTERS = 5
_MERGE_DISTANCE = 24.0  # RGB distance under which two cluster centres count as one colour
_MIN_COLOR_SHARE = 0.03


@dataclass(frozen=True, slots=True)
class TextLine:
    """One line of text read from an image; ``box`` is (x0, y0, x1, y1) as fractions of its size."""

    text: str
    confidence: float
    box: tuple[float, float, float, float]

    @property
    def height(self) -> float:
        return self.box[3] - self.box[1]

    @property
    def area(self) -> float:
        return (self.box[2] - self.box[0]) * (self.box[3] - self.box[1])


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


@dataclass(frozen=True, slots=True, eq=False)
class ImageMeasurements:
    width: int
    height: int
    text_lines: tuple[TextLine, ...]  # reading order: top to bottom, then left to right
    text_area_ratio: float
    layout: str  # one of the attribute schema's ``layout`` values
    look: Look
    face_count: int | None  # None: this OpenCV has no face detector
    visual_vector: np.ndarray  # float32, VISUAL_DIM, unit norm


def decode_image(data: bytes) -> np.ndarray:
    """BGR pixels of an encoded image; ``unsupported_media`` for non-images, ``corrupt_media`` for broken ones."""
    if not data:
        raise AIError("corrupt_media", "the image is empty (0 bytes)")
    is_webp = data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    if not (is_webp or data.startswith(_IMAGE_MAGIC)):
        raise AIError("unsupported_media", f"not a JPEG, PNG, GIF, WebP, BMP or TIFF image (starts {data[:8]!r})")
    pixels = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if pixels is None or pixels.size == 0:
        raise AIError("corrupt_media", f"the image ({len(data)} bytes) could not be decoded")
    return pixels


def measure_image(data: bytes) -> ImageMeasurements:
    return measure_frame(decode_image(data))


def measure_frame(bgr: np.ndarray) -> ImageMeasurements:
    """Every measurement of one BGR frame (an image, or a video keyframe)."""
    started = time.perf_counter()
    height, width = bgr.shape[:2]
    # Every measurement is relative (fractions, shares, means), so all of them read one copy at
    # most OCR_MAX_SIDE pixels long: a 4000-pixel photo costs what an 800-pixel one does.
    scale = min(1.0, OCR_MAX_SIDE / max(height, width))
    work = bgr if scale == 1.0 else cv2.resize(
        bgr, (max(1, round(width * scale)), max(1, round(height * scale))), interpolation=cv2.INTER_AREA)
    lines = read_text(work)
    text_area = min(1.0, sum(line.area for line in lines))
    measured = ImageMeasurements(
        width=width,
        height=height,
        text_lines=lines,
        text_area_ratio=round(text_area, 4),
        layout=_layout(lines, text_area),
        look=measure_look(work),
        face_count=count_faces(work),
        visual_vector=visual_features(work),
    )
    log.debug("measured frame", extra={"width": width, "height": height, "text_lines": len(lines),
                                       "ms": round((time.perf_counter() - started) * 1000)})
    return measured


# --- OCR -----------------------------------------------------------------------------------

_ocr_lock = threading.Lock()
_ocr_engine: Any = None


def read_text(bgr: np.ndarray) -> tuple[TextLine, ...]:
    """The lines of text OCR reads with confidence, in reading order (``bgr`` as measure_frame sizes it)."""
    height, width = bgr.shape[:2]
    # The detector scales the short side up to OCR_MIN_SIDE; a sliver (10x300) would become
    # 480x14400. Padding right and bottom to at most 4:1 bounds that and leaves coordinates as they are.
    padded = cv2.copyMakeBorder(bgr, 0, max(0, -(-width // 4) - height), 0, max(0, -(-height // 4) - width),
                                cv2.BORDER_REPLICATE)
    # One engine per process; its __call__ keeps per-call settings on the object, so calls take turns.
    with _ocr_lock:
        results, _ = _engine()(padded)
    lines = []
    for box, text, score in results or ():
        text = str(text).strip()
        if float(score) < MIN_TEXT_CONFIDENCE or not any(ch.isalnum() for ch in text):
            continue
        points = np.asarray(box, dtype=np.float64)
        x0, y0 = points.min(axis=0)
        x1, y1 = points.max(axis=0)
        lines.append(TextLine(
            text=text,
            confidence=round(float(score), 4),
            box=(_unit(x0 / width), _unit(y0 / height), _unit(x1 / width), _unit(y1 / height)),
        ))
    # Reading order: bands of 1/20 of the height top to bottom, then left to right within a band.
    lines.sort(key=lambda line: (round(line.box[1] * 20), line.box[0]))
    return tuple(lines)


def _engine() -> Any:
    global _ocr_engine
    if _ocr_engine is None:
        # Imported here: loading the ONNX sessions costs ~0.2 s, paid only by processes that read text.
        from rapidocr_onnxruntime import RapidOCR

        # The detector upscales frames whose short side is under this; larger ones are read at the
        # size read_text gives them (the default, 736, upscales every ad and reads no more text).
        # one thread per recognition: the provider runs one recognition per core at a time,
        # and onnxruntime's own thread pool on top of that only oversubscribes the cores
        _ocr_engine = RapidOCR(det_limit_side_len=OCR_MIN_SIDE, intra_op_num_threads=1)
    return _ocr_engine


def _unit(value: float) -> float:
    return round(min(1.0, max(0.0, float(value))), 4)


def _layout(lines: tuple[TextLine, ...], text_area: float) -> str:
    if not lines:
        return "no_text"
    if text_area >= 0.35:
        return "text_dominant"
    thirds = [0.0, 0.0, 0.0]
    for line in lines:
        middle = (line.box[1] + line.box[3]) / 2
        thirds[min(2, int(middle * 3))] += line.area
    total = sum(thirds) or 1.0
    top, center, bottom = (part / total for part in thirds)
    if max(top, center, bottom) < 0.6 and top >= 0.25 and bottom >= 0.25:
        return "text_top_and_bottom"
    return ("text_top", "text_center", "text_bottom")[int(np.argmax([top, center, bottom]))]


# --- colour and light ----------------------------------------------------------------------


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
    _, labels, centres = cv2.kmeans(samples, clusters, initial.reshape(-1, 1), criteria, 1,
                                    cv2.KMEANS_USE_INITIAL_LABELS)
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
        for centre, weight in merged if weight / pixels >= _MIN_COLOR_SHARE
    )


def _hex(bgr_centre: np.ndarray) -> str:
    b, g, r = (int(np.clip(round(float(v)), 0, 255)) for v in bgr_centre)
    return f"#{r:02x}{g:02x}{b:02x}"


def palette_name(colors: tuple[ColorShare, ...]) -> str:
    """A name for the palette from the share-weighted hue, saturation and value of its colours."""
    if not colors:
        return "mixed"
    hsv = [colorsys.rgb_to_hsv(*(int(c.hex[i:i + 2], 16) / 255 for i in (1, 3, 5))) for c in colors]
    weights = np.array([c.share for c in colors])
    weights = weights / weights.sum()
    saturation = float(np.dot(weights, [s for _, s, _ in hsv]))
    value = float(np.dot(weights, [v for _, _, v in hsv]))
    earthy = sum(w for w, (h, s, v) in zip(weights, hsv, strict=True)
                 if 15 / 360 <= h <= 50 / 360 and 0.2 <= s <= 0.75 and 0.2 <= v <= 0.8)
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


# --- faces ---------------------------------------------------------------------------------

_face_lock = threading.Lock()
_face_state: dict[str, Any] = {}


def count_faces(bgr: np.ndarray) -> int | None:
    """Frontal faces found by the Haar cascade, or ``None`` when this OpenCV has no cascade."""
    detector = _face_detector()
    if detector is None:
        return None
    gray = cv2.equalizeHist(cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY))
    side = max(24, min(gray.shape) // 12)  # smaller "faces" in an ad are texture, not people
    with _face_lock:  # one classifier object, not documented as safe to share across threads
        faces = detector.detectMultiScale(gray, scaleFactor=1.1, minNeighbors=6, minSize=(side, side))
    return len(faces)


def _face_detector() -> Any:
    with _face_lock:
        if "detector" not in _face_state:
            cascade = Path(cv2.data.haarcascades) / "haarcascade_frontalface_default.xml"
            classifier = getattr(cv2, "CascadeClassifier", None)
            detector = classifier(str(cascade)) if classifier is not None and cascade.exists() else None
            if detector is None:
                log.info("no face detector in this OpenCV build; face counts are not measured",
                         extra={"opencv": cv2.__version__})
            _face_state["detector"] = detector
        return _face_state["detector"]


# --- the visual vector ---------------------------------------------------------------------


def visual_features(bgr: np.ndarray) -> np.ndarray:
    """A unit vector of three equally weighted parts: colour, coarse shape and edge orientation.

    Colour is a 4x4x4 RGB histogram (square-rooted, so cosine similarity is the Hellinger
    affinity); shape an 8x8 grey thumbnail with its mean removed; edges a 4x4 grid of
    4-orientation gradient histograms. Each part is unit-normalised before they are joined, so
    a flat image (no shape, no edges) is still a valid vector of its colours.
    """
    small = cv2.resize(bgr, (64, 64), interpolation=cv2.INTER_AREA)
    hist = cv2.calcHist([small], [0, 1, 2], None, [4, 4, 4], [0, 256, 0, 256, 0, 256]).ravel()
    colour = np.sqrt(hist / max(1.0, float(hist.sum())))
    gray = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY).astype(np.float32) / 255.0
    thumb = cv2.resize(gray, (8, 8), interpolation=cv2.INTER_AREA).ravel()
    shape = thumb - thumb.mean()
    gx = cv2.Sobel(gray, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(gray, cv2.CV_32F, 0, 1, ksize=3)
    magnitude = np.hypot(gx, gy)
    orientation = ((np.arctan2(gy, gx) % np.pi) / np.pi * 4).astype(np.int32).clip(0, 3)
    cell = (np.arange(64) // 16)[:, None] * 4 + (np.arange(64) // 16)[None, :]
    edges = np.zeros(64, dtype=np.float64)
    np.add.at(edges, (cell * 4 + orientation).ravel(), magnitude.ravel())
    parts = [_unit_norm(part.astype(np.float64)) for part in (colour, shape, edges)]
    return _unit_norm(np.concatenate(parts)).astype(np.float32)


def _unit_norm(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    # Below this a part is numerical noise (a flat thumbnail): it contributes nothing.
    return vector / norm if norm > 1e-6 else np.zeros_like(vector)


def aspect_ratio_label(width: int, height: int) -> str:
    ratio = width / height
    for label, common in _COMMON_RATIOS.items():
        if abs(ratio - common) / common <= 0.03:
            return label
    return f"{ratio:.2f}:1"


def orientation(width: int, height: int) -> str:
    if abs(width - height) <= 0.05 * max(width, height):
        return "square"
    return "portrait" if height > width else "landscape"
