"""Visual styles and their drift: the brand's creatives grouped by their visual vectors (colour,
layout and edges), each group a ``visual_style:v*`` signal the trend test runs on like any other, and
the drift around the strongest style change as a distance between the looks before and after it.

A permutation test over the raw vectors would cost draws × units × dimensions, too slow for a large
brand, so the drift's significance is the style trend's own (the ``signal`` it names).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from datetime import UTC, date

import numpy as np
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import silhouette_score

from adology.knowledge.insights.data import CreativeUnit
from adology.knowledge.insights.model import TrendSet, VisualDrift

MIN_VECTORS = 20
MIN_STYLES, MAX_STYLES = 2, 6
UNITS_PER_STYLE = 5  # no more styles than a fifth of the vectors, so each can be tested
FIT_SAMPLE = 2_000  # above this, styles are found on a sample and every unit goes to the nearest
SILHOUETTE_SAMPLE = 1_000
RANDOM_STATE = 0
RESTARTS = 2


def visual_styles(units: Sequence[CreativeUnit]) -> np.ndarray | None:
    """A style id per unit, 0 the most common (-1: the representative has no visual vector), or None when
    fewer than 20 units have one or their vectors show no two looks."""
    rows = [row for row, unit in enumerate(units) if unit.representative.visual is not None]
    if len(rows) < MIN_VECTORS:
        return None
    vectors = np.vstack([np.asarray(units[row].representative.visual, dtype=np.float64) for row in rows])
    rng = np.random.default_rng(RANDOM_STATE)
    fit = vectors if len(vectors) <= FIT_SAMPLE else vectors[rng.choice(len(vectors), FIT_SAMPLE, replace=False)]
    scored = np.arange(len(fit))
    if len(fit) > SILHOUETTE_SAMPLE:
        scored = rng.choice(len(fit), SILHOUETTE_SAMPLE, replace=False)
    most = min(MAX_STYLES, len(fit) // UNITS_PER_STYLE, len(np.unique(fit, axis=0)))
    best: tuple[float, KMeans] | None = None
    for styles in range(MIN_STYLES, most + 1):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # near-duplicate looks: fewer groups than asked
            model = KMeans(n_clusters=styles, n_init=RESTARTS, random_state=RANDOM_STATE).fit(fit)
        # a small style can miss the silhouette's sample, and one label has no silhouette
        if not MIN_STYLES <= len(np.unique(model.labels_[scored])) < len(scored):
            continue
        score = float(silhouette_score(fit[scored], model.labels_[scored]))
        if best is None or score > best[0]:
            best = (score, model)
    if best is None:
        return None
    labels = best[1].predict(vectors)
    # style ids by size, so v1 is the brand's most common look whatever order k-means found them in
    sizes = np.bincount(labels, minlength=best[1].n_clusters)
    rank = np.empty_like(sizes)
    rank[np.lexsort((np.arange(len(sizes)), -sizes))] = np.arange(len(sizes))
    styles_of = np.full(len(units), -1, dtype=np.int64)
    styles_of[rows] = rank[labels]
    return styles_of


def visual_drift(units: Sequence[CreativeUnit], trends: TrendSet) -> VisualDrift:
    """How far the brand's look moved around its strongest visual-style change (the first ranked)."""
    if trends.status != "ok":
        return VisualDrift(status=trends.status, reason=trends.reason)
    style_trends = [trend for trend in trends.trends if trend.family == "visual_style"]
    if not style_trends:
        return VisualDrift(
            status="too_little_data",
            reason="no visual style was tested: too few creatives with a visual vector, or one look throughout",
        )
    strongest = style_trends[0]
    before: list[np.ndarray] = []
    after: list[np.ndarray] = []
    for unit in units:
        if (vector := unit.representative.visual) is not None:
            (after if _day(unit) >= strongest.change_after else before).append(vector)
    if not before or not after:
        return VisualDrift(
            status="too_little_data", reason="no creative with a visual vector on one side of the change"
        )
    mean_before = np.vstack(before).mean(axis=0, dtype=np.float64)
    mean_after = np.vstack(after).mean(axis=0, dtype=np.float64)
    norms = float(np.linalg.norm(mean_before) * np.linalg.norm(mean_after))
    cosine = float(mean_before @ mean_after) / norms if norms else 1.0
    return VisualDrift(
        status="ok",
        shift=round(min(2.0, max(0.0, 1.0 - cosine)), 4),
        split=strongest.change_after,
        signal=strongest.signal,
        evidence_ad_ids=strongest.evidence_ad_ids,
    )


def _day(unit: CreativeUnit) -> date:
    return unit.start.astimezone(UTC).date()
