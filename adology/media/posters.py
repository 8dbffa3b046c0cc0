"""A video creative's poster: a still from its opening second, as a small JPEG, for a grid card that
should show what the video looks like before anyone plays it. Made once per video (content-addressed
in S3 beside the creatives, see the dashboard's media route) and checked against the same decoding
limits as analysis (:mod:`adology.ai.media_limits`)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import cv2

from adology.ai.media_limits import check_video, declared_header
from adology.ai.types import AIError

POSTER_WIDTH = 640
POSTER_SECONDS = 0.5  # past a fade-in from black, inside the first scene
JPEG_QUALITY = 82


def poster_key(sha256: str) -> str:
    return f"posters/{sha256}.jpg"


def poster_frame(data: bytes) -> bytes:
    """The JPEG of the frame at :data:`POSTER_SECONDS` (or the last one before it), at most
    :data:`POSTER_WIDTH` wide; ``AIError`` (``corrupt_media``, ``media_too_large``) when it cannot be."""
    # cv2.VideoCapture reads files, not buffers; a private directory keeps concurrent calls apart
    with tempfile.TemporaryDirectory(prefix="adology-poster-") as tmp:
        path = Path(tmp) / "creative.video"
        path.write_bytes(data)
        capture = cv2.VideoCapture(str(path))
        try:
            if not capture.isOpened():
                raise AIError("corrupt_media", "the video cannot be opened")
            check_video(declared_header(capture))
            fps = capture.get(cv2.CAP_PROP_FPS) or 25.0
            frame = None
            for _ in range(max(1, round(fps * POSTER_SECONDS))):
                ok, read = capture.read()
                if not ok:
                    break
                frame = read
        finally:
            capture.release()
    if frame is None:
        raise AIError("corrupt_media", "no frame of the video could be decoded")
    height, width = frame.shape[:2]
    if width > POSTER_WIDTH:
        frame = cv2.resize(frame, (POSTER_WIDTH, round(height * POSTER_WIDTH / width)), interpolation=cv2.INTER_AREA)
    ok, encoded = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        raise AIError("corrupt_media", "the poster frame could not be encoded")
    return encoded.tobytes()
