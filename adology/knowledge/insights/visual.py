"""Visual styles and their drift: the brand's creatives grouped by their visual vectors (colour,
layout and edges), each group a ``visual_style:v*`` signal the trend test runs on like any other, and
the drift around the strongest style change as a distance between the looks before and after it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score

from adology.knowledge.insights.data import CreativeUnit
from adology.knowledge.insights.model import TrendSet, VisualDrift

MIN_VECTORS = 20
MAX_STYLES = 6
SILHOUETTE_SAMPLE = 2_000
FIT_SAMPLE = 5_000  # styles are found on a sample, then every unit is assigned to the nearest


def visual_styles(units: Sequence[CreativeUnit]) -> np.ndarray | None:
    """A style id per unit (-1 for a unit without a visual vector), or None with too few vectors."""
    rows = [row for row, unit in enumerate(units) if unit.representative.visual is not None]
    if len(rows) < MIN_VECTORS:
        return None
    vectors = np.vstack([vector for row in rows if (vector := units[row].representative.visual) is not None])
    vectors = vectors.astype(np.float64)
    rng = np.random.default_rng(0)
    fit = vectors if len(vectors) <= FIT_SAMPLE else vectors[rng.choice(len(vectors), FIT_SAMPLE, replace=False)]
    best: tuple[float, KMeans] | None = None
    for k in range(2, min(MAX_STYLES, len(fit) // 5) + 1):
        model = KMeans(n_clusters=k, n_init=4, random_state=0).fit(fit)
        if len(set(model.labels_.tolist())) < 2:
            continue
        score = float(
            silhouette_score(fit, model.labels_, sample_size=min(len(fit), SILHOUETTE_SAMPLE), random_state=0)
        )
        if best is None or score > best[0]:
            best = (score, model)
    if best is None:
        return None
    styles = np.full(len(units), -1, dtype=np.int64)
    styles[rows] = best[1].predict(vectors)
    return styles


def visual_drift(units: Sequence[CreativeUnit], trends: TrendSet) -> VisualDrift:
    """How far the brand's look moved around its strongest visual-style change."""
    if trends.status != "ok":
        return VisualDrift(status=trends.status, reason=trends.reason)
    style_trends = [trend for trend in trends.trends if trend.family == "visual_style"]
    if not style_trends:
        return VisualDrift(status="too_little_data", reason="too few creatives with a visual vector to compare looks")
    strongest = style_trends[0]  # trends come ranked: significant first, by q, then by effect
    before = [
        u.representative.visual
        for u in units
        if u.representative.visual is not None and _day(u) < strongest.change_after
    ]
    after = [
        u.representative.visual
        for u in units
        if u.representative.visual is not None and _day(u) >= strongest.change_after
    ]
    if not before or not after:
        return VisualDrift(
            status="too_little_data", reason="no creatives with a visual vector on one side of the change"
        )
    first, second = np.mean(before, axis=0), np.mean(after, axis=0)
    cosine = float(first @ second / (np.linalg.norm(first) * np.linalg.norm(second)))
    return VisualDrift(
        status="ok",
        shift=round(1.0 - cosine, 4),
        split=strongest.change_after,
        signal=strongest.signal,
        evidence_ad_ids=strongest.evidence_ad_ids,
    )


def _day(unit: CreativeUnit) -> date:
    return unit.start.astimezone(UTC).date()
