"""Exactly one OpenCV, with the face detector the local provider needs, and no silent null without it.

Pinned here: every OpenCV wheel unpacks the same ``cv2`` package, so exactly one installed
distribution may provide it, and it is the pinned ``opencv-python-headless`` 4.x with
``CascadeClassifier`` and its cascade files; faces are counted with it; and an OpenCV without a
face detector makes measuring an image fail with ``face_detector_unavailable`` naming the fix,
never a face count of "not measured".
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import io
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from adology.ai.local import faces
from adology.ai.local.faces import FaceDetectorUnavailable, count_faces
from adology.ai.local.provider import LocalProvider, MeasurementCache
from adology.ai.types import AdInput, AIError, CreativeInput, CreativeKind


def _cv2_distributions() -> list[str]:
    return sorted(
        {
            dist.metadata["Name"]
            for dist in importlib.metadata.distributions()
            if any(path.parts[0] == "cv2" for path in dist.files or ())
        }
    )


def _png(pixels: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def no_cascade(monkeypatch: pytest.MonkeyPatch) -> None:
    """This process's OpenCV as OpenCV 5 ships it: no CascadeClassifier (and no detector loaded yet)."""
    monkeypatch.delattr(cv2, "CascadeClassifier")
    monkeypatch.setattr(faces, "_detector", None)


def test_exactly_one_installed_distribution_provides_cv2_and_it_is_the_pinned_headless_4x() -> None:
    assert _cv2_distributions() == ["opencv-python-headless"]
    version = importlib.metadata.version("opencv-python-headless")
    assert version.startswith("4.")
    assert cv2.__version__ == ".".join(version.split(".")[:3])  # the cv2 imported is that distribution's


def test_the_installed_opencv_has_the_haar_face_detector() -> None:
    assert hasattr(cv2, "CascadeClassifier")
    cascade = Path(cv2.data.haarcascades) / "haarcascade_frontalface_default.xml"  # type: ignore[attr-defined]
    assert cascade.is_file()
    assert not faces.face_detector().empty()


def test_faces_are_counted_as_a_number() -> None:
    rng = np.random.default_rng(3)
    noise = rng.integers(0, 256, (400, 600, 3), dtype=np.uint8)
    assert count_faces(noise) == 0
    assert count_faces(np.zeros((30, 40, 3), dtype=np.uint8)) == 0  # smaller than the cascade's window


@pytest.mark.usefixtures("no_cascade")
def test_an_opencv_without_a_face_detector_is_an_error_naming_the_fix() -> None:
    with pytest.raises(FaceDetectorUnavailable, match="no CascadeClassifier") as raised:
        count_faces(np.zeros((300, 300, 3), dtype=np.uint8))
    assert raised.value.reason == "face_detector_unavailable"
    assert "opencv-python-headless 4.x" in raised.value.detail
    assert "make setup" in raised.value.detail


@pytest.mark.usefixtures("no_cascade")
def test_an_image_ad_fails_with_the_reason_when_faces_cannot_be_counted() -> None:
    pixels = np.full((300, 300, 3), (240, 230, 220), dtype=np.uint8)
    creative = CreativeInput.from_bytes(_png(pixels), kind=CreativeKind.IMAGE, content_type="image/png")
    provider = LocalProvider(cache=MeasurementCache(4))  # measured in this process, where cv2 is patched
    with pytest.raises(AIError) as raised:
        asyncio.run(provider.describe(AdInput(ad_id="faceless-opencv", creatives=[creative])))
    assert raised.value.reason == "face_detector_unavailable"
