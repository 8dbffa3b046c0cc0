"""The typefaces the evaluation set is drawn in: every TrueType/OpenType font of the system and of
installed packages, plus Pillow's bundled font, which is always there.

The inventory depends on the machine, so it is sorted by the fonts' own names (not their paths)
and a report names the fonts it drew with: two machines with the same fonts draw the same bytes.
Alternate fonts go to the development and held-out sets; the blind set draws the held-out half
(only the held-out wording, not its fonts, was seen by the authors of a provider's rules). A font
that lacks a glyph of a phrase (Pillow's bundled font has no accented capitals) is passed over for
that phrase, never drawn with boxes in place of letters.
"""

from __future__ import annotations

import functools
import sysconfig
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import ImageFont

from adology.ai.evaluation.vocabulary import Pool
from adology.errors import AdologyError

SYSTEM_FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".fonts")
# Faces of symbols, not letters: a headline drawn in them is not text anybody reads.
_NOT_FOR_TEXT = ("math", "symbol", "emoji", "icon", "dingbat")
_NO_GLYPH = "\uffff"  # a non-character: every font draws its "missing glyph" for it
_PROBE_SIZE = 24


class FontError(AdologyError):
    """No usable font: Pillow without FreeType, or no font that can draw a phrase."""


@dataclass(frozen=True, slots=True)
class Typeface:
    name: str  # family and style, as the font names itself
    path: Path | None  # None: Pillow's bundled font

    def at(self, size: int) -> ImageFont.FreeTypeFont:
        return _load(self, size)

    def draws(self, text: str) -> bool:
        """Whether every character of ``text`` but spaces has a glyph in this face."""
        return all(_has_glyph(self, ch) for ch in set(text) if not ch.isspace())


@functools.cache
def _load(face: Typeface, size: int) -> ImageFont.FreeTypeFont:
    if face.path is None:
        font = ImageFont.load_default(size=size)
        if not isinstance(font, ImageFont.FreeTypeFont):
            raise FontError("this Pillow has no FreeType support; the evaluation set needs scalable fonts")
        return font
    return ImageFont.truetype(str(face.path), size)


@functools.cache
def _has_glyph(face: Typeface, ch: str) -> bool:
    font = face.at(_PROBE_SIZE)
    return not np.array_equal(np.asarray(font.getmask(ch)), np.asarray(font.getmask(_NO_GLYPH)))


@functools.cache
def typefaces() -> tuple[Typeface, ...]:
    """Every usable face once (the same family and style found twice is kept once), sorted by name."""
    found: dict[str, Typeface] = {}
    bundled = Typeface(_name(_load(Typeface("bundled", None), _PROBE_SIZE)), None)
    found[bundled.name] = bundled
    for path in _font_files():
        try:
            font = ImageFont.truetype(str(path), _PROBE_SIZE)
        except OSError:  # a file FreeType cannot read (a bitmap-only or broken font) is no typeface
            continue
        name = _name(font)
        if not any(word in name.lower() for word in _NOT_FOR_TEXT):
            found.setdefault(name, Typeface(name, path))
    return tuple(sorted(found.values(), key=lambda face: face.name))


def typefaces_for(pool: Pool) -> tuple[Typeface, ...]:
    """Alternate faces of the sorted inventory per set; with a single face, every set shares it.

    The blind set draws the held-out half: only the held-out wording was seen by rule authors."""
    faces = typefaces()
    half = faces[0 if pool is Pool.DEVELOPMENT else 1 :: 2]
    return half or faces


def _font_files() -> list[Path]:
    folders = [*SYSTEM_FONT_DIRS, Path(sysconfig.get_paths()["purelib"])]
    files = {
        path.resolve()
        for folder in folders
        if folder.is_dir()
        for pattern in ("*.ttf", "*.otf", "*.TTF", "*.OTF")
        for path in folder.rglob(pattern)
    }
    return sorted(files)


def _name(font: ImageFont.FreeTypeFont) -> str:
    family, style = font.getname()
    return f"{family} {style}" if style else str(family)
