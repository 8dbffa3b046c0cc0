"""Text embeddings: WordLlama's ``l2_supercat`` 256-dimension model, loaded from the files its wheel
ships (``disable_download``: nothing is fetched at run time). Rows are L2-normalised; a text without a
single token embeds as zeros, which callers treat as "no text".
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from adology.ai.types import AIError
from adology.logs import get_logger

log = get_logger(__name__)

EMBED_DIM = 256
TEXT_MODEL_ID = "wordllama-l2-256"

_model_lock = threading.Lock()
_model: Any = None


def _wordllama() -> Any:
    global _model
    with _model_lock:
        if _model is None:
            import wordllama  # imported on first use: its tokenizer and weights load in ~0.2 s

            try:
                _model = wordllama.WordLlama.load(
                    config="l2_supercat",
                    dim=EMBED_DIM,
                    cache_dir=Path(wordllama.__file__).parent,
                    disable_download=True,
                )
            except FileNotFoundError as exc:
                raise AIError("model_unavailable", f"WordLlama files missing from its package: {exc}") from exc
            log.info("loaded WordLlama", extra={"model": TEXT_MODEL_ID})
        return _model


def embed_texts(texts: Sequence[str]) -> np.ndarray:
    """``(len(texts), 256)`` float32 rows, each of unit length, or zeros for a text with no tokens."""
    if not texts:
        return np.zeros((0, EMBED_DIM), dtype=np.float32)
    raw = np.asarray(_wordllama().embed(list(texts), norm=False), dtype=np.float32)
    norms = np.linalg.norm(raw, axis=1, keepdims=True)
    valid = np.isfinite(norms) & (norms > 1e-9)
    return np.where(valid, raw / np.where(valid, norms, 1.0), 0.0).astype(np.float32)
