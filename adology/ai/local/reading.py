"""The ad's text as a viewer reads it: each frame's OCR lines assembled into paragraphs of phrases
(:mod:`.phrases`), each line with the button or badge it is drawn in (:mod:`.buttons`), and the
findings the rules read from them (:mod:`.text`). Describe and label both read the ad through here.

Buttons are measured on the pixels of each still image, at the size OCR read it. The measurements
do not keep pixels, so each image is decoded again here, once per process (its buttons are kept by
creative). A video's keyframes are not kept at all, so their lines carry no button evidence: a
misread call to action in a video counts only when it stands alone and the misreading is one OCR
commonly makes.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING

import cv2

from adology.ai.local.buttons import Box, Button, buttons_around
from adology.ai.local.ocr import OCR_MAX_SIDE
from adology.ai.local.phrases import Block, assemble_blocks, block_text
from adology.ai.local.text import TextFindings, analyse_blocks
from adology.ai.local.video import VideoMeasurements
from adology.ai.local.vision import ImageMeasurements, decode_image
from adology.ai.types import AdInput, CreativeInput

if TYPE_CHECKING:  # named for the checker only, so that measurements may import read_ad without a cycle
    from adology.ai.local.measurements import AdAnalysis

_findings: weakref.WeakKeyDictionary[AdAnalysis, TextFindings] = weakref.WeakKeyDictionary()
_findings_lock = threading.Lock()
# Buttons per (creative, its lines), so describe and label measure a creative's buttons once.
_BUTTON_CACHE_SIZE = 4096
_buttons: OrderedDict[tuple[str, tuple[Box, ...]], tuple[Button | None, ...]] = OrderedDict()
_buttons_lock = threading.Lock()


def read_ad(ad: AdInput, creatives: Sequence[ImageMeasurements | VideoMeasurements]) -> TextFindings:
    """What the ad's text states: the creatives' paragraphs in order, the copy, the platform's button."""
    return analyse_blocks(ad_blocks(ad, creatives), ad.copy_text(), platform_cta=ad.cta, brand=ad.brand)


def findings_of(analysis: AdAnalysis) -> TextFindings:
    """:func:`read_ad` of an analysis, worked out once: a description and its labels ask several times."""
    with _findings_lock:
        found = _findings.get(analysis)
    if found is None:
        found = read_ad(analysis.ad, analysis.creatives)
        with _findings_lock:
            _findings[analysis] = found
    return found


def ad_blocks(ad: AdInput, creatives: Sequence[ImageMeasurements | VideoMeasurements]) -> list[Block]:
    """Every frame's paragraphs (creative, scene, reading order); a paragraph repeated in a later
    frame (a video's text held over a cut) is kept once."""
    seen: set[str] = set()
    found: list[Block] = []
    for creative, measured in zip(ad.creatives, creatives, strict=True):
        frames = (
            [(measured, _image_buttons(creative, measured))]
            if isinstance(measured, ImageMeasurements)
            else [(keyframe, None) for keyframe in measured.keyframes]
        )
        for frame, buttons in frames:
            for block in assemble_blocks(frame.text_lines, frame.width, frame.height, buttons):
                key = block_text(block)
                if key not in seen:
                    seen.add(key)
                    found.append(block)
    return found


def _image_buttons(creative: CreativeInput, frame: ImageMeasurements) -> tuple[Button | None, ...] | None:
    """The button around each of an image's lines (None for an image with no text), from its pixels."""
    if not frame.text_lines:
        return None
    boxes = tuple(line.box for line in frame.text_lines)
    key = (creative.sha256, boxes)
    with _buttons_lock:
        if key in _buttons:
            _buttons.move_to_end(key)
            return _buttons[key]
    bgr = decode_image(creative.data)
    height, width = bgr.shape[:2]
    scale = min(1.0, OCR_MAX_SIDE / max(height, width))
    if scale < 1.0:
        bgr = cv2.resize(
            bgr, (max(1, round(width * scale)), max(1, round(height * scale))), interpolation=cv2.INTER_AREA
        )
    measured = buttons_around(bgr, list(boxes))
    with _buttons_lock:
        _buttons[key] = measured
        while len(_buttons) > _BUTTON_CACHE_SIZE:
            _buttons.popitem(last=False)
    return measured
