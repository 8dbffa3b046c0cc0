"""One ad's measurements gathered in one place: each creative measured, and the ad's text read by rule.

:func:`measure_creative` dispatches on the creative's kind; :class:`AdAnalysis` is what
describe, label and embed all read, so the three routines agree on every fact.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from adology.ai.local.colour import Look
from adology.ai.local.copy_patterns import compact
from adology.ai.local.ocr import TextLine
from adology.ai.local.phrases import Block, assemble_blocks, block_text
from adology.ai.local.text import TextFindings, analyse_blocks
from adology.ai.local.video import VideoMeasurements, measure_video
from adology.ai.local.vision import ImageMeasurements, measure_image
from adology.ai.types import AdInput, CreativeInput, CreativeKind

Measured = ImageMeasurements | VideoMeasurements


def measure_creative(creative: CreativeInput) -> Measured:
    if creative.kind is CreativeKind.VIDEO:
        return measure_video(creative.data)
    return measure_image(creative.data)


def frames_of(measured: Measured) -> list[ImageMeasurements]:
    """An image, or a video's keyframes in scene order."""
    return measured.keyframes if isinstance(measured, VideoMeasurements) else [measured]


@dataclass(frozen=True, eq=False)
class AdAnalysis:
    ad: AdInput
    creatives: tuple[Measured, ...]

    @property
    def format(self) -> str | None:
        if not self.creatives:
            return None
        if len(self.creatives) > 1:
            return "carousel"
        return "video" if isinstance(self.creatives[0], VideoMeasurements) else "image"

    @property
    def lead(self) -> Measured | None:
        return self.creatives[0] if self.creatives else None

    @property
    def lead_look(self) -> Look | None:
        return self.lead.look if self.lead is not None else None

    @property
    def first_video(self) -> VideoMeasurements | None:
        return next((c for c in self.creatives if isinstance(c, VideoMeasurements)), None)

    @property
    def frames(self) -> list[ImageMeasurements]:
        return [frame for creative in self.creatives for frame in frames_of(creative)]

    @cached_property
    def text_lines(self) -> list[str]:
        """Every line read from the creatives in order (creative, scene, reading order), each once."""
        return list(dict.fromkeys(line.text for frame in self.frames for line in frame.text_lines))

    @cached_property
    def blocks(self) -> list[Block]:
        """The ad's text as a viewer reads it: every frame's OCR lines assembled into paragraphs of
        phrases, each with the button or badge it is drawn in (creative, scene, reading order); a
        paragraph repeated in a later frame (a video's text held over a cut) is kept once."""
        seen: set[str] = set()
        found: list[Block] = []
        for frame in self.frames:
            for block in assemble_blocks(frame.text_lines, frame.width, frame.height, frame.buttons):
                key = block_text(block)
                if key not in seen:
                    seen.add(key)
                    found.append(block)
        return found

    @cached_property
    def findings(self) -> TextFindings:
        """What the ad's text states, read from its paragraphs, its copy and the platform's button;
        describe and label both read it here, so they agree."""
        return analyse_blocks(self.blocks, self.ad.copy_text(), platform_cta=self.ad.cta, brand=self.ad.brand)

    @property
    def has_text(self) -> bool:
        return self.findings.has_text

    @property
    def face_count(self) -> int | None:
        """The most faces in any frame; None for an ad without a creative (nothing was looked at)."""
        return max((frame.face_count for frame in self.frames), default=None)

    @property
    def text_coverage(self) -> float | None:
        return max((frame.text_area_ratio for frame in self.frames), default=None)

    @property
    def brand_visible(self) -> bool | None:
        if not self.ad.brand or not self.creatives:
            return None
        brand = compact(self.ad.brand)
        return any(brand in compact(line) for line in self.text_lines)

    @property
    def layout(self) -> str | None:
        if self.lead is None:
            return None
        # A video's layout is its first scene with text (scenes without text say only "no text").
        return next((f.layout for f in frames_of(self.lead) if f.text_lines), "no_text")

    @property
    def visual_vector(self) -> np.ndarray | None:
        if not self.creatives:
            return None
        vector = np.mean([c.visual_vector for c in self.creatives], axis=0)
        return (vector / np.linalg.norm(vector)).astype(np.float32)

    @cached_property
    def headline_blocks(self) -> list[tuple[str, float]]:
        """(text, line height) of the lead creative's copy blocks, tallest type first.

        A block is consecutive lines of one paragraph (a wrapped headline reads as one). Lines
        naming only the brand, a call-to-action button or an offer badge are left out, and so
        are lines of fewer than three letters (logo initials). A video's blocks are those of its
        first scene with any.
        """
        if self.lead is None:
            return []
        excluded = {compact(offer.text) for offer in self.findings.offers}
        excluded |= {compact(text) for text in (self.ad.brand, self.findings.cta and self.findings.cta.text) if text}
        for frame in frames_of(self.lead):
            lines = [
                line
                for line in frame.text_lines
                if sum(ch.isalpha() for ch in line.text) >= 3 and compact(line.text) not in excluded
            ]
            if lines:
                return sorted(_blocks(lines), key=lambda block: -block[1])
        return []

    @property
    def headline(self) -> str | None:
        blocks = self.headline_blocks
        return blocks[0][0] if blocks else (self.ad.title or None)

    @property
    def subheadline(self) -> str | None:
        blocks = self.headline_blocks
        return next((text for text, _ in blocks[1:] if len(text.split()) >= 2 or len(text) >= 8), None)


def _blocks(lines: list[TextLine]) -> list[tuple[str, float]]:
    """Join lines (in reading order) that stack as one paragraph: similar height, close, overlapping."""
    groups: list[list[TextLine]] = []
    for line in lines:
        previous = groups[-1][-1] if groups else None
        if previous is not None and _continues(previous, line):
            groups[-1].append(line)
        else:
            groups.append([line])
    return [
        (" ".join(line.text for line in group), sum(line.height for line in group) / len(group)) for group in groups
    ]


def _continues(previous: TextLine, line: TextLine) -> bool:
    similar = abs(line.height - previous.height) <= 0.2 * max(line.height, previous.height)
    gap = line.box[1] - previous.box[3]
    overlap = min(line.box[2], previous.box[2]) - max(line.box[0], previous.box[0])
    return similar and -0.3 * previous.height <= gap <= 0.8 * previous.height and overlap > 0
