"""The pictures a model is shown for an ad: each image creative, and the first frame of each video.

Chat models take images, not videos, so a video is shown by its first frame (decoded with the
OpenCV the project already ships; nothing is downloaded) and a note says so. A creative that cannot
be decoded is named in a note instead, so the model knows it is missing rather than absent.
"""

from __future__ import annotations

import asyncio
import io
import tempfile
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from adology.ai.media_limits import check_video, declared_header, image_size
from adology.ai.types import AdInput, AIError, CreativeKind
from adology.logs import get_logger

log = get_logger(__name__)

_VIDEO_SUFFIXES = {"video/mp4": ".mp4", "video/quicktime": ".mov", "video/webm": ".webm"}
_JPEG_QUALITY = 90


@dataclass(frozen=True)
class Picture:
    data: bytes
    content_type: str  # image/png, image/jpeg, image/gif or image/webp

    @property
    def format(self) -> str:
        """The short name Bedrock's Converse API wants: png, jpeg, gif or webp."""
        return self.content_type.removeprefix("image/")


async def ad_pictures(ad: AdInput) -> tuple[list[Picture], list[str]]:
    """The pictures to attach, in creative order, and one note per creative saying what it is."""
    pictures: list[Picture] = []
    notes: list[str] = []
    for number, creative in enumerate(ad.creatives, start=1):
        if creative.kind is CreativeKind.IMAGE:
            pictures.append(Picture(creative.data, creative.content_type))
            notes.append(f"creative {number}: image, attached")
            continue
        frame = await asyncio.to_thread(first_frame_jpeg, creative.data, creative.content_type)
        if frame is None:
            notes.append(f"creative {number}: video that could not be decoded; judge it from the copy")
        else:
            pictures.append(Picture(frame, "image/jpeg"))
            notes.append(f"creative {number}: video; its first frame is attached")
    return pictures, notes


async def first_picture(ad: AdInput) -> Picture | None:
    """The ad's first image creative, else the first frame of its first decodable video, else None."""
    for creative in ad.creatives:
        if creative.kind is CreativeKind.IMAGE:
            return Picture(creative.data, creative.content_type)
    for creative in ad.creatives:
        frame = await asyncio.to_thread(first_frame_jpeg, creative.data, creative.content_type)
        if frame is not None:
            return Picture(frame, "image/jpeg")
    return None


def first_frame_jpeg(video: bytes, content_type: str) -> bytes | None:
    """The first frame of a video as JPEG, or None when it cannot be decoded."""
    import cv2  # imported here: OpenCV is slow to load and only a video ad needs it

    # OpenCV's FFmpeg reader opens files, not buffers
    with tempfile.NamedTemporaryFile(suffix=_VIDEO_SUFFIXES.get(content_type, ".mp4")) as file:
        file.write(video)
        file.flush()
        capture = cv2.VideoCapture(file.name)
        try:
            try:
                check_video(declared_header(capture))
            except AIError as exc:
                log.warning("video not decoded", extra={"reason": exc.reason, "detail": exc.detail})
                return None
            ok, frame = capture.read()
        finally:
            capture.release()
    if not ok or frame is None:
        return None
    encoded, buffer = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, _JPEG_QUALITY])
    return buffer.tobytes() if encoded else None


def as_png_or_jpeg(picture: Picture) -> Picture | None:
    """``picture`` in a format Titan's image embedder reads (PNG or JPEG), or None if it cannot be read."""
    if picture.content_type in ("image/png", "image/jpeg"):
        return picture
    try:
        image_size(picture.data)
    except AIError as exc:
        log.warning("image not converted", extra={"reason": exc.reason, "detail": exc.detail})
        return None
    try:
        with Image.open(io.BytesIO(picture.data)) as image:
            output = io.BytesIO()
            image.convert("RGB").save(output, format="PNG")  # a GIF's first frame, a WebP's pixels
    except (UnidentifiedImageError, OSError):
        return None
    return Picture(output.getvalue(), "image/png")
