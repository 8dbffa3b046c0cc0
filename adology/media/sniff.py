"""Media type from the bytes themselves: servers mislabel, and an HTML error page is not an image."""

from __future__ import annotations

from dataclasses import dataclass

SNIFF_BYTES = 32


@dataclass(frozen=True)
class MediaType:
    content_type: str
    extension: str
    kind: str  # image | video


_MP4_BRANDS = {b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"dash", b"M4V ", b"MSNV"}


def sniff(head: bytes) -> MediaType | None:
    """The media type of a file starting with ``head`` (≥ 12 bytes), or None if it is not media."""
    if head.startswith(b"\xff\xd8\xff"):
        return MediaType("image/jpeg", "jpg", "image")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return MediaType("image/png", "png", "image")
    if head.startswith((b"GIF87a", b"GIF89a")):
        return MediaType("image/gif", "gif", "image")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return MediaType("image/webp", "webp", "image")
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand == b"qt  ":
            return MediaType("video/quicktime", "mov", "video")
        if brand in _MP4_BRANDS or brand.startswith(b"mp4"):
            return MediaType("video/mp4", "mp4", "video")
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return MediaType("video/webm", "webm", "video")
    return None


def looks_like_markup(head: bytes) -> bool:
    """True for HTML/XML error pages served where media was expected."""
    start = head.lstrip().lower()
    return start.startswith((b"<!doctype", b"<html", b"<?xml", b"<head", b"<body", b"<error"))
