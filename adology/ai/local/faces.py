"""Faces in an image, counted with OpenCV's Haar cascade where the installed OpenCV has one (the 4.x
wheels ship ``CascadeClassifier`` and the cascade files; OpenCV 5 moved them out of the main wheel).
Without it the count is ``None``, "not measured", never 0."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from adology.logs import get_logger

log = get_logger(__name__)

_face_lock = threading.Lock()
_face_state: dict[str, Any] = {}


def count_faces(bgr: np.ndarray) -> int | None:
    """Frontal faces found by the Haar cascade, or ``None`` when this OpenCV has no cascade."""
    detector = _face_detector()
    if detector is None:
        return None
    gray = cv2.equalizeHist(cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY))
    side = max(24, min(gray.shape) // 12)  # smaller "faces" in an ad are texture, not people
    with _face_lock:  # one classifier object, not documented as safe to share across threads
        faces = detector.detectMultiScale(gray, scaleFactor=1.1, minNeighbors=6, minSize=(side, side))
    return len(faces)


def _face_detector() -> Any:
    with _face_lock:
        if "detector" not in _face_state:
            # cv2.data ships with the 4.x wheels; the type stubs do not declare it
            cascade = Path(cv2.data.haarcascades) / "haarcascade_frontalface_default.xml"  # type: ignore[attr-defined]
            classifier = getattr(cv2, "CascadeClassifier", None)
            detector = classifier(str(cascade)) if classifier is not None and cascade.exists() else None
            if detector is None:
                log.info(
                    "no face detector in this OpenCV build; face counts are not measured",
                    extra={"opencv": cv2.__version__},
                )
            _face_state["detector"] = detector
        return _face_state["detector"]
