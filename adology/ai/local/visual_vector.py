"""The visual vector of an image: colour, coarse shape and edge orientation in one unit vector."""

from __future__ import annotations

import cv2
import numpy as np

VISUAL_DIM = 192  # 64 colour-histogram bins + 64 grey-thumbnail cells + 64 oriented-edge cells


def visual_features(bgr: np.ndarray) -> np.ndarray:
    """A unit vector of three equally weighted parts: colour, coarse shape and edge orientation.

    Colour is a 4x4x4 RGB histogram (square-rooted, so cosine similarity is the Hellinger
    affinity); shape an 8x8 grey thumbnail with its mean removed; edges a 4x4 grid of
    4-orientation gradient histograms. Each part is unit-normalised before they are joined, so
    a flat image (no shape, no edges) is still a valid vector of its colours.
    """
    small = cv2.resize(bgr, (64, 64), interpolation=cv2.INTER_AREA)
    hist = cv2.calcHist([small], [0, 1, 2], None, [4, 4, 4], [0, 256, 0, 256, 0, 256]).ravel()
    colour = np.sqrt(hist / max(1.0, float(hist.sum())))
    gray = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY).astype(np.float32) / 255.0
    thumb = cv2.resize(gray, (8, 8), interpolation=cv2.INTER_AREA).ravel()
    shape = thumb - thumb.mean()
    gx = cv2.Sobel(gray, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(gray, cv2.CV_32F, 0, 1, ksize=3)
    magnitude = np.hypot(gx, gy)
    orientation = ((np.arctan2(gy, gx) % np.pi) / np.pi * 4).astype(np.int32).clip(0, 3)
    cell = (np.arange(64) // 16)[:, None] * 4 + (np.arange(64) // 16)[None, :]
    edges = np.zeros(64, dtype=np.float64)
    np.add.at(edges, (cell * 4 + orientation).ravel(), magnitude.ravel())
    parts = [_unit_norm(part.astype(np.float64)) for part in (colour, shape, edges)]
    return _unit_norm(np.concatenate(parts)).astype(np.float32)


def _unit_norm(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    # Below this a part is numerical noise (a flat thumbnail): it contributes nothing.
    return vector / norm if norm > 1e-6 else np.zeros_like(vector)
