"""The ``local`` AI provider: offline, deterministic descriptions, labels and embeddings from measurements.

``vision`` measures still images (OCR, colours, light, layout, faces where OpenCV can), ``video``
finds scenes and measures their keyframes, ``text`` embeds words with WordLlama and reads
offers, calls to action and other cues by rule, ``analysis`` gathers one ad's measurements,
``describe`` and ``labels`` turn them into the routines' results, and ``provider`` is the
:class:`LocalProvider` the routines call.
"""

from adology.ai.local.provider import LocalProvider

__all__ = ["LocalProvider"]
