"""What a creative may cost to decode, read from its headers before a pixel is decoded.

A creative's bytes say little about its decoded size: a 107 KB PNG can declare 30,000 × 30,000
pixels, 5.4 GB once decoded. So every decoder here first reads the dimensions an image's header or
a video's container declares and refuses, with the reason ``media_too_large``, anything over these
limits; a video that lies in its container is stopped when its decoded frames pass them.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from PIL import Image, UnidentifiedImageError

from adology.ai.types import AIError

# 40 megapixels: a 7680 × 5120 photograph; its decoded BGR copy is 120 MB.
MAX_IMAGE_PIXELS = 40_000_000
# A video frame up to 4K UHD (3840 × 2160), a video up to ten minutes at up to 60 frames a second.
MAX_FRAME_PIXELS = 3840 * 2160
MAX_VIDEO_SECONDS = 600.0
MAX_VIDEO_FRAMES = int(MAX_VIDEO_SECONDS * 60)


@dataclass(frozen=True)
class VideoHeader:
    """What a video's container declares (OpenCV's properties, read before any frame is decoded)."""

    width: int
    height: int
    fps: float
    frames: int  # 0 when the container does not say

    @property
    def seconds(self) -> float:
        return self.frames / self.fps if self.fps > 0 else 0.0


def declared_header(capture: Any) -> VideoHeader:
    """What an opened ``cv2.VideoCapture``'s container declares, before any frame is decoded."""
    import cv2  # imported here: OpenCV is slow to load and only video creatives need it

    return VideoHeader(
        width=int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)),
        height=int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT)),
        fps=float(capture.get(cv2.CAP_PROP_FPS)),
        frames=max(0, int(capture.get(cv2.CAP_PROP_FRAME_COUNT))),
    )


def image_size(data: bytes) -> tuple[int, int]:
    """An image's declared (width, height), refused over :data:`MAX_IMAGE_PIXELS`.

    Pillow reads only the header here; its own decompression-bomb guard (at twice its warning
    size) is a refusal too."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
    except Image.DecompressionBombError as exc:
        raise AIError("media_too_large", f"the image declares too many pixels to decode: {exc}") from None
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:  # Pillow's parsers raise SyntaxError too
        raise AIError("corrupt_media", f"the image header could not be read: {exc}") from None
    check_image_pixels(width, height)
    return width, height


def check_image_pixels(width: int, height: int) -> None:
    if width * height > MAX_IMAGE_PIXELS:
        raise AIError(
            "media_too_large",
            f"the image declares {width}×{height} = {width * height:,} pixels, over the limit of "
            f"{MAX_IMAGE_PIXELS:,}; it is not decoded",
        )


def check_video(header: VideoHeader) -> None:
    """Refuse a video whose container declares frames too large or a run too long."""
    if header.width * header.height > MAX_FRAME_PIXELS:
        raise AIError(
            "media_too_large",
            f"the video declares {header.width}×{header.height} frames, over the limit of "
            f"{MAX_FRAME_PIXELS:,} pixels a frame; it is not decoded",
        )
    if header.frames > MAX_VIDEO_FRAMES or header.seconds > MAX_VIDEO_SECONDS:
        raise AIError(
            "media_too_large",
            f"the video declares {header.frames:,} frames ({header.seconds:.0f} s), over the limit of "
            f"{MAX_VIDEO_FRAMES:,} frames or {MAX_VIDEO_SECONDS:.0f} s; it is not decoded",
        )


def check_decoded_frames(frames: int) -> None:
    """Stop a video whose container under-declared its length once its decoded frames pass the limit."""
    if frames > MAX_VIDEO_FRAMES:
        raise AIError(
            "media_too_large",
            f"the video runs past {MAX_VIDEO_FRAMES:,} decoded frames; decoding stopped",
        )
