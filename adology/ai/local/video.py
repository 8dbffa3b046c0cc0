"""Measurements of one video: length, hard cuts, scenes, and each scene's middle frame as an image.

Cuts are found where consecutive sampled frames differ sharply: the HSV colour histograms are
far apart (Bhattacharyya distance) or the grey thumbnails differ on average by a large step.
Motion inside a shot (a moving highlight, a pan) changes both only a little. Frames are
sampled at about :data:`SAMPLE_FPS`, and a cut closer than :data:`MIN_SCENE_SECONDS` to the
previous one is taken as a flash, not a new scene. Each scene's middle frame then gets every
image measurement (OCR included), so the text of the first scene is the video's hook.

A keyframe costs a frame's OCR, so at most :data:`MAX_KEYFRAMES` are read: past that, the first
scene (the hook), the last (where an ad puts its call to action and brand) and the longest of the
others, which are on screen long enough to be read; the rest are counted and timed.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from adology.ai.local.colour import Look, measure_look
from adology.ai.local.vision import ImageMeasurements, measure_frame
from adology.ai.media_limits import VideoHeader, check_decoded_frames, check_video, declared_header
from adology.ai.types import AIError
from adology.logs import get_logger

log = get_logger(__name__)

SAMPLE_FPS = 12.0
MIN_SCENE_SECONDS = 0.25
MAX_KEYFRAMES = 6
_HIST_CUT = 0.4  # Bhattacharyya distance between HSV histograms
_PIXEL_CUT = 0.25  # mean absolute difference of 32x32 grey thumbnails, 0..1
_MAX_FPS = 240.0


@dataclass(frozen=True, slots=True, eq=False)
class Scene:
    start_seconds: float
    end_seconds: float
    keyframe: ImageMeasurements | None  # None for a scene not read (past MAX_KEYFRAMES)


@dataclass(frozen=True, slots=True, eq=False)
class VideoMeasurements:
    width: int
    height: int
    fps: float
    frame_count: int
    duration_seconds: float
    cut_seconds: tuple[float, ...]
    scenes: tuple[Scene, ...]
    look: Look  # of the keyframes taken together
    visual_vector: np.ndarray  # mean of the keyframes' vectors, unit norm

    @property
    def scene_count(self) -> int:
        return len(self.scenes)

    @property
    def keyframes(self) -> list[ImageMeasurements]:
        return [scene.keyframe for scene in self.scenes if scene.keyframe is not None]

    @property
    def cuts_per_second(self) -> float:
        return len(self.cut_seconds) / self.duration_seconds if self.duration_seconds > 0 else 0.0

    @property
    def pacing(self) -> str:
        if self.scene_count <= 1:
            return "static"
        average = self.duration_seconds / self.scene_count
        return "slow" if average >= 4 else "moderate" if average >= 2 else "fast"

    @property
    def hook(self) -> str | None:
        """The text of the first scene (lines of three or more characters), when any was read there."""
        first = self.scenes[0].keyframe if self.scenes else None
        lines = [line.text for line in first.text_lines if sum(ch.isalnum() for ch in line.text) >= 3] if first else []
        return " ".join(lines) or None


def measure_video(data: bytes) -> VideoMeasurements:
    """Every measurement of an encoded video; ``corrupt_media`` or ``unsupported_media`` if unreadable."""
    if not data:
        raise AIError("corrupt_media", "the video is empty (0 bytes)")
    if not _looks_like_video(data):
        raise AIError("unsupported_media", f"not an MP4/MOV, WebM/MKV or AVI video (starts {data[:12]!r})")
    started = time.perf_counter()
    # cv2.VideoCapture reads files, not buffers; a private directory keeps concurrent calls apart.
    with tempfile.TemporaryDirectory(prefix="adology-video-") as tmp:
        path = Path(tmp) / "creative.video"
        path.write_bytes(data)
        fps, width, height, frame_count, cut_frames = _find_cuts(path)
        duration = frame_count / fps
        bounds = list(zip([0, *cut_frames], [*cut_frames, frame_count], strict=True))
        read = keyframe_scenes([end - start for start, end in bounds])
        frames = _read_frames(path, [(bounds[i][0] + bounds[i][1] - 1) // 2 for i in read])
    keyframes = dict(zip(read, (measure_frame(frame) for frame in frames), strict=True))
    scenes = tuple(
        Scene(round(start / fps, 3), round(end / fps, 3), keyframes.get(i)) for i, (start, end) in enumerate(bounds)
    )
    vector = np.mean([k.visual_vector for k in keyframes.values()], axis=0)
    measured = VideoMeasurements(
        width=width,
        height=height,
        fps=round(fps, 3),
        frame_count=frame_count,
        duration_seconds=round(duration, 3),
        cut_seconds=tuple(round(frame / fps, 3) for frame in cut_frames),
        scenes=scenes,
        look=measure_look(_strip(frames)),
        visual_vector=(vector / np.linalg.norm(vector)).astype(np.float32),
    )
    log.debug(
        "measured video",
        extra={
            "seconds": measured.duration_seconds,
            "scenes": measured.scene_count,
            "ms": round((time.perf_counter() - started) * 1000),
        },
    )
    return measured


def keyframe_scenes(scene_frames: list[int]) -> list[int]:
    """Which scenes (by index, in order) get their keyframe read, given each scene's length in frames."""
    count = len(scene_frames)
    if count <= MAX_KEYFRAMES:
        return list(range(count))
    inner = sorted(range(1, count - 1), key=lambda i: (-scene_frames[i], i))[: MAX_KEYFRAMES - 2]
    return sorted([0, *inner, count - 1])


def _looks_like_video(data: bytes) -> bool:
    return (
        data[4:8] in (b"ftyp", b"moov", b"mdat", b"free", b"wide")  # ISO media: MP4, MOV
        or data.startswith(b"\x1a\x45\xdf\xa3")  # Matroska / WebM
        or (data.startswith(b"RIFF") and data[8:12] == b"AVI ")
    )


def _find_cuts(path: Path) -> tuple[float, int, int, int, list[int]]:
    """(fps, width, height, frames, first frame of every scene after the first)."""
    capture = cv2.VideoCapture(str(path))
    try:
        if not capture.isOpened():
            raise AIError("corrupt_media", "the video container could not be opened")
        fps = float(capture.get(cv2.CAP_PROP_FPS))
        if not 0 < fps <= _MAX_FPS:
            raise AIError("corrupt_media", f"the video reports no usable frame rate ({fps})")
        check_video(declared_header(capture))
        step = max(1, round(fps / SAMPLE_FPS))
        min_gap = max(1, round(fps * MIN_SCENE_SECONDS))
        cuts: list[int] = []
        previous: tuple[np.ndarray, np.ndarray] | None = None
        width = height = 0
        index = 0
        while capture.grab():
            check_decoded_frames(index + 1)
            if index % step == 0:
                ok, frame = capture.retrieve()
                if not ok:
                    break
                height, width = frame.shape[:2]
                if index == 0:  # a container that under-declared its frame size is caught at the first frame
                    check_video(VideoHeader(width, height, fps, frames=0))
                signature = _signature(frame)
                since_last = index - (cuts[-1] if cuts else 0)
                if previous is not None and since_last >= min_gap and _is_cut(previous, signature):
                    cuts.append(index)
                previous = signature
            index += 1
    finally:
        capture.release()
    if index == 0 or width == 0:
        raise AIError("corrupt_media", "no frame of the video could be decoded")
    return fps, width, height, index, cuts


def _signature(frame: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    small = cv2.resize(frame, (64, 64), interpolation=cv2.INTER_AREA)
    hist = cv2.calcHist([cv2.cvtColor(small, cv2.COLOR_BGR2HSV)], [0, 1, 2], None, [16, 4, 4], [0, 180, 0, 256, 0, 256])
    cv2.normalize(hist, hist, 1.0, 0.0, cv2.NORM_L1)
    thumb = cv2.resize(cv2.cvtColor(small, cv2.COLOR_BGR2GRAY), (32, 32), interpolation=cv2.INTER_AREA)
    return hist, thumb.astype(np.float32) / 255.0


def _is_cut(before: tuple[np.ndarray, np.ndarray], after: tuple[np.ndarray, np.ndarray]) -> bool:
    histogram_distance = cv2.compareHist(before[0], after[0], cv2.HISTCMP_BHATTACHARYYA)
    pixel_distance = float(np.abs(before[1] - after[1]).mean())
    return histogram_distance > _HIST_CUT or pixel_distance > _PIXEL_CUT


def _read_frames(path: Path, indices: list[int]) -> list[np.ndarray]:
    """The frames at ``indices`` (ascending), read in one sequential pass (seeking is inexact)."""
    wanted = set(indices)
    frames: dict[int, np.ndarray] = {}
    capture = cv2.VideoCapture(str(path))
    try:
        index = 0
        while len(frames) < len(wanted) and capture.grab():
            if index in wanted:
                ok, frame = capture.retrieve()
                if ok:
                    frames[index] = frame
            index += 1
    finally:
        capture.release()
    if len(frames) < len(wanted):
        raise AIError("corrupt_media", f"the video's frames {sorted(wanted - set(frames))} could not be decoded")
    return [frames[i] for i in indices]


def _strip(frames: list[np.ndarray]) -> np.ndarray:
    """The keyframes side by side at one height, so their colours are measured together."""
    height = 160
    return np.hstack(
        [
            cv2.resize(f, (max(1, round(f.shape[1] * height / f.shape[0])), height), interpolation=cv2.INTER_AREA)
            for f in frames
        ]
    )
