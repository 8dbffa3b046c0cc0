"""The text on an image: PaddleOCR's PP-OCRv6 small detector and recogniser (the ONNX files rapidocr's
wheel ships) on onnxruntime, loaded once per process.

Reading a frame costs one detection and one recognition per region of text:

- the detector looks at a copy scaled to :data:`DETECTION_SHORT_SIDE` pixels on its short side (at
  most :data:`DETECTION_MAX_SIDE` on its long side). Its cost grows with the pixels it is given, and
  the type an ad sets scales with the frame's short side: the evaluation set's smallest, 2.5% of
  it, is 6 px there. On that set (``adology ai eval``, seed 1) word recall is 0.988 at 256 px,
  0.990 at 320 and 0.993 at 384, where an ad costs 25% and 50% more CPU: what it misses are short
  lines in small type (a headline's last word wrapped alone, a small brand name);
- each region it finds is cut, perspective-corrected, from the frame as given (at most
  :data:`OCR_MAX_SIDE` long) and recognised alone, at its own width. Alone, a region's reading
  depends on its pixels only, never on which regions share a batch with it (a batch pads every
  crop to the widest), so the same image reads the same in any process; and a region is read
  once: a crop whose pixels were read before in this process takes that reading (a brand's header
  drawn alike on its ads and a carousel's cards: 17% of the crops of a sample of library ads);
- a line is kept only when the recogniser is at least :data:`MIN_TEXT_CONFIDENCE` sure of it and
  it holds two letters or digits, so noise is not read as words. Orientation is not classified: ad
  copy is upright, and a region much taller than wide is turned before it is read.
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from adology.ai.types import AIError
from adology.logs import get_logger

log = get_logger(__name__)

OCR_MAX_SIDE = 800  # the frame OCR is given (and its boxes are measured on) is at most this long
DETECTION_SHORT_SIDE = 256
DETECTION_MAX_SIDE = 1024  # a banner or a sliver is not scaled past this
MIN_TEXT_CONFIDENCE = 0.8
OCR_MODEL_ID = "ppocrv6-small"
_DETECTOR_FILE = "PP-OCRv6_det_small.onnx"
_RECOGNISER_FILE = "PP-OCRv6_rec_small.onnx"
_RECOGNISER_HEIGHT = 48
_DETECTOR_STRIDE = 32  # the detector's input sides are multiples of this
_READINGS_KEPT = 4096  # (text, confidence) pairs: a few hundred kilobytes


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


class _Models:
    """The detector and recogniser sessions, with the detector's box finding and the recogniser's alphabet."""

    def __init__(self) -> None:
        import onnxruntime  # imported here: ~0.2 s, paid only by processes that read text
        import rapidocr
        from rapidocr.ch_ppocr_det.utils import DBPostProcess

        folder = Path(rapidocr.__file__).parent / "models"
        missing = [name for name in (_DETECTOR_FILE, _RECOGNISER_FILE) if not (folder / name).is_file()]
        if missing:
            raise AIError("model_unavailable", f"OCR model files {missing} missing from {folder}; reinstall rapidocr")
        options = onnxruntime.SessionOptions()
        # One thread per session: the provider reads one frame per core at a time (a process each),
        # and onnxruntime's own thread pool on top of that only oversubscribes the cores.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3  # errors only: its warnings about unused initialisers are noise
        providers = ["CPUExecutionProvider"]
        self.detector = onnxruntime.InferenceSession(
            str(folder / _DETECTOR_FILE), sess_options=options, providers=providers
        )
        self.recogniser = onnxruntime.InferenceSession(
            str(folder / _RECOGNISER_FILE), sess_options=options, providers=providers
        )
        # CTC's alphabet: index 0 is "no character", the model's own list, then the space it adds.
        self.alphabet = ["", *self.recogniser.get_modelmeta().custom_metadata_map["character"].splitlines(), " "]
        # PaddleOCR's defaults for this detector (rapidocr 3.10's configuration)
        self.find_boxes = DBPostProcess(
            thresh=0.3, box_thresh=0.5, max_candidates=1000, unclip_ratio=1.6, use_dilation=True, score_mode="fast"
        )
        log.info("loaded OCR models", extra={"model": OCR_MODEL_ID})


_models_lock = threading.Lock()
_models: _Models | None = None
_readings_lock = threading.Lock()
_readings: OrderedDict[bytes, tuple[str, float]] = OrderedDict()  # by the crop's pixels


def load_ocr_models() -> None:
    """Load the OCR models now (a worker process does this once, before its first frame)."""
    _ocr_models()


def _ocr_models() -> _Models:
    global _models
    with _models_lock:
        if _models is None:
            _models = _Models()
        return _models


def read_text(bgr: np.ndarray) -> tuple[TextLine, ...]:
    """The lines of text OCR reads with confidence, in reading order (``bgr`` as measure_frame sizes it)."""
    height, width = bgr.shape[:2]
    models = _ocr_models()
    lines = []
    for corners in _find_regions(models, bgr):
        text, score = _reading(models, _crop(bgr, corners))
        text = text.strip()
        # One character alone is a mark, not copy: the recogniser reads scribbles and noise as a
        # single letter with confidence, while copy (initials in a logo included) has two or more.
        if score < MIN_TEXT_CONFIDENCE or sum(ch.isalnum() for ch in text) < 2:
            continue
        x0, y0 = corners.min(axis=0)
        x1, y1 = corners.max(axis=0)
        lines.append(
            TextLine(
                text=text,
                confidence=round(score, 4),
                box=(_unit(x0 / width), _unit(y0 / height), _unit(x1 / width), _unit(y1 / height)),
            )
        )
    # Reading order: bands of 1/20 of the height top to bottom, then left to right within a band.
    lines.sort(key=lambda line: (round(line.box[1] * 20), line.box[0]))
    return tuple(lines)


def _find_regions(models: _Models, bgr: np.ndarray) -> list[np.ndarray]:
    """Each text region's four corners (float32, pixels of ``bgr``), found on a detection-sized copy."""
    height, width = bgr.shape[:2]
    scale = min(DETECTION_SHORT_SIDE / min(height, width), DETECTION_MAX_SIDE / max(height, width))
    size = (_detector_side(width * scale), _detector_side(height * scale))
    # INTER_AREA when shrinking keeps thin strokes that bilinear sampling would skip
    small = cv2.resize(bgr, size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    pixels = ((small.astype(np.float32) / 255.0 - 0.5) / 0.5).transpose(2, 0, 1)[np.newaxis]
    probabilities = models.detector.run(None, {models.detector.get_inputs()[0].name: pixels})[0]
    boxes, _ = models.find_boxes(probabilities, (height, width))  # scaled back to bgr's pixels
    return [np.asarray(box, dtype=np.float32) for box in boxes]


def _detector_side(length: float) -> int:
    return max(_DETECTOR_STRIDE, round(length / _DETECTOR_STRIDE) * _DETECTOR_STRIDE)


def _crop(bgr: np.ndarray, corners: np.ndarray) -> np.ndarray:
    """The region inside ``corners`` (top-left, top-right, bottom-right, bottom-left), made upright."""
    width = max(1, round(max(np.linalg.norm(corners[0] - corners[1]), np.linalg.norm(corners[3] - corners[2]))))
    height = max(1, round(max(np.linalg.norm(corners[0] - corners[3]), np.linalg.norm(corners[1] - corners[2]))))
    target = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
    crop = cv2.warpPerspective(
        bgr,
        cv2.getPerspectiveTransform(corners, target),
        (width, height),
        borderMode=cv2.BORDER_REPLICATE,
        flags=cv2.INTER_CUBIC,
    )
    # a region much taller than wide is a line of text set vertically: read it turned
    return np.rot90(crop) if height >= 1.5 * width else crop


def _reading(models: _Models, crop: np.ndarray) -> tuple[str, float]:
    """The crop's text and confidence, recognised once per process for the same pixels."""
    key = hashlib.blake2b(f"{crop.shape}".encode() + crop.tobytes(), digest_size=16).digest()
    with _readings_lock:
        if key in _readings:
            _readings.move_to_end(key)
            return _readings[key]
    reading = _recognise(models, crop)
    with _readings_lock:
        _readings[key] = reading
        while len(_readings) > _READINGS_KEPT:
            _readings.popitem(last=False)
    return reading


def _recognise(models: _Models, crop: np.ndarray) -> tuple[str, float]:
    """The crop's text and the recogniser's mean confidence in its characters (CTC greedy decoding)."""
    height, width = crop.shape[:2]
    resized = cv2.resize(crop, (max(1, math.ceil(_RECOGNISER_HEIGHT * width / height)), _RECOGNISER_HEIGHT))
    pixels = ((resized.astype(np.float32) / 255.0 - 0.5) / 0.5).transpose(2, 0, 1)[np.newaxis]
    steps = models.recogniser.run(None, {models.recogniser.get_inputs()[0].name: pixels})[0][0]
    best = steps.argmax(axis=1)
    # a character is a run of one index; index 0 ("no character") separates repeated letters
    kept = np.ones(len(best), dtype=bool)
    kept[1:] = best[1:] != best[:-1]
    kept &= best != 0
    if not kept.any():
        return "", 0.0
    text = "".join(models.alphabet[index] for index in best[kept])
    return text, float(steps.max(axis=1)[kept].mean())


def _unit(value: float) -> float:
    return round(min(1.0, max(0.0, float(value))), 4)


def text_layout(lines: tuple[TextLine, ...], text_area: float) -> str:
    """Where the text sits: the attribute schema's ``layout`` value for these lines."""
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
