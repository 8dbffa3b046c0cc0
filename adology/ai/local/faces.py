"""Faces in an image, counted with OpenCV's frontal-face Haar cascade.

The 4.x wheels ship ``CascadeClassifier`` and the cascade files (``cv2.data``); OpenCV 5 moved both
out of the main wheel. An OpenCV without them cannot count faces, and that is an error naming the
fix (:class:`FaceDetectorUnavailable`), never a count of "none found" or a silent null.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from adology.ai.types import AIError

# The smallest face counted is 1/12 of the frame's short side (smaller "faces" in an ad are texture,
# not people). The cascade's window is 24 px, so a frame is searched at a short side of 12 × 24:
# there the smallest face counted is exactly one window, and larger frames cost more for nothing.
_MIN_FACE_SHARE = 12
_WINDOW = 24
_SEARCH_SHORT_SIDE = _MIN_FACE_SHARE * _WINDOW
_CASCADE_FILE = "haarcascade_frontalface_default.xml"


class FaceDetectorUnavailable(AIError):
    """This OpenCV build has no Haar face detector (no ``CascadeClassifier`` or no cascade files)."""

    def __init__(self, detail: str) -> None:
        super().__init__("face_detector_unavailable", detail)


_detector_lock = threading.Lock()
_detector: Any = None


def count_faces(bgr: np.ndarray) -> int:
    """Frontal faces of at least 1/12 of the short side; :class:`FaceDetectorUnavailable` without a detector."""
    detector = face_detector()
    height, width = bgr.shape[:2]
    scale = min(1.0, _SEARCH_SHORT_SIDE / min(height, width))
    if scale < 1.0:
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        bgr = cv2.resize(bgr, size, interpolation=cv2.INTER_AREA)
    gray = cv2.equalizeHist(cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY))
    side = max(_WINDOW, min(gray.shape) // _MIN_FACE_SHARE)
    # Window sizes 20% apart: half the scales of OpenCV's usual 10% steps, at about 60% of the cost;
    # a face is then at most 10% off the nearest window's size (5% at 10% steps).
    with _detector_lock:  # one classifier object, not documented as safe to share across threads
        faces = detector.detectMultiScale(gray, scaleFactor=1.2, minNeighbors=6, minSize=(side, side))
    return len(faces)


def face_detector() -> Any:
    """The process's frontal-face cascade, loaded on first use."""
    global _detector
    with _detector_lock:
        if _detector is None:
            _detector = _load_detector()
        return _detector


def _load_detector() -> Any:
    classifier = getattr(cv2, "CascadeClassifier", None)
    folder = getattr(getattr(cv2, "data", None), "haarcascades", None)
    if classifier is None or folder is None:
        raise FaceDetectorUnavailable(
            f"OpenCV {cv2.__version__} (from {Path(cv2.__file__).parent}) has no CascadeClassifier or cascade files; "
            "the project pins opencv-python-headless 4.x: run `make setup`, and make sure no other OpenCV "
            "wheel (opencv-python, opencv-contrib-python) is installed beside it"
        )
    cascade = Path(folder) / _CASCADE_FILE
    detector = classifier(str(cascade))
    if detector.empty():
        raise FaceDetectorUnavailable(f"OpenCV {cv2.__version__} could not load its face cascade {cascade}")
    return detector
