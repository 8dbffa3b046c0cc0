"""Themes: what a brand's ads are about, as groups of creatives whose descriptions (and looks) are
close, each named by the words that set it apart from the others.

The creatives are clustered by their retrieval vectors (the description's embedding), joined by
their visual vectors at half weight when every creative has one, reduced to 32 dimensions by PCA
above 64. The number of themes is the one with the best cosine silhouette from 2 to
``min(12, units / 8)``; a best silhouette under 0.08 means no grouping stands out, and the brand
gets one theme that says so rather than invented ones. Above 5,000 creatives the centres are found
on a sample of 5,000 and every creative goes to its nearest.

Each theme is named by class-based TF-IDF (c-TF-IDF): the words of its members' descriptions and
copy as one document per theme, weighted by how much more often a theme uses a word than the
brand's themes do on average; the local description's template words are left out.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer
from sklearn.metrics import silhouette_score

from adology.knowledge.insights.data import CreativeUnit
from adology.knowledge.insights.model import Theme, ThemeMethod, ThemeSet
from adology.knowledge.insights.momentum import days_running

MIN_UNITS = 20
MAX_THEMES = 12
UNITS_PER_THEME = 8
MIN_SILHOUETTE = 0.08
REDUCED_DIMENSIONS = 32
FIT_SAMPLE = 5_000
SILHOUETTE_SAMPLE = 2_000
TERMS = 5
EXEMPLARS = 3
# the words every local description is written with; they say how an ad was read, not what it is about
TEMPLATE_WORDS = frozenset(
    """ad ads image images video videos carousel cards card px square portrait landscape offer offers
    call action text read found words word colours colors colour color dominant palette background
    layout scene scenes fps cut cuts hard continuous seconds copy button box line lines headline
    shown named title body brand cue seasonal price prices discount code hashtags claims features
    product products social proof sustainability urgency scarcity ingredients opening first last
    filled outlined light dark pastel vibrant neutral mixed tones earth monochrome faces face people
    person centre center top bottom left right overlay covering covers share""".split()
)
STOP_WORDS = ENGLISH_STOP_WORDS | TEMPLATE_WORDS


def theme_set(units: Sequence[CreativeUnit], *, as_of: datetime, min_units: int = MIN_UNITS) -> ThemeSet:
    if len(units) < min_units:
        return ThemeSet(
            status="no_ads" if not units else "too_little_data",
            reason=f"{len(units)} creative units; themes need at least {min_units}",
        )
    with_vectors = [row for row, unit in enumerate(units) if unit.representative.retrieval is not None]
    if len(with_vectors) < min_units:
        return ThemeSet(
            status="too_little_data",
            reason=f"{len(with_vectors)} creative units have a retrieval vector; themes need at least {min_units}",
        )
    features, used = _features(units, with_vectors)
    rng = np.random.default_rng(0)
    fit = features if len(features) <= FIT_SAMPLE else features[rng.choice(len(features), FIT_SAMPLE, replace=False)]
    best: tuple[float, KMeans] | None = None
    for k in range(2, min(MAX_THEMES, len(with_vectors) // UNITS_PER_THEME) + 1):
        model = KMeans(n_clusters=k, n_init=4, random_state=0).fit(fit)
        if len(set(model.labels_.tolist())) < 2:
            continue
        score = float(
            silhouette_score(
                fit, model.labels_, metric="cosine", sample_size=min(len(fit), SILHOUETTE_SAMPLE), random_state=0
            )
        )
        if best is None or score > best[0]:
            best = (score, model)
    assignment = np.zeros(len(units), dtype=np.int64)
    if best is None or best[0] < MIN_SILHOUETTE:
        centres = features.mean(axis=0, keepdims=True)
        method = ThemeMethod(algorithm="kmeans", k=1, silhouette=round(best[0], 4) if best else None, features=used)
        reason: str | None = "no distinct themes: the ads are alike throughout (best silhouette under 0.08)"
    else:
        score, model = best
        centres = model.cluster_centers_
        assignment[with_vectors] = model.predict(features)
        # a creative without a retrieval vector cannot be placed by content: it joins the largest theme
        without = np.setdiff1d(np.arange(len(units)), with_vectors)
        assignment[without] = int(np.bincount(assignment[with_vectors]).argmax())
        method = ThemeMethod(algorithm="kmeans", k=len(centres), silhouette=round(score, 4), features=used)
        reason = None
    groups = [np.flatnonzero(assignment == theme).tolist() for theme in range(len(centres))]
    terms = _distinctive_terms([[units[row] for row in group] for group in groups])
    order = sorted(range(len(groups)), key=lambda theme: (-len(groups[theme]), theme))
    position = {row: i for i, row in enumerate(with_vectors)}
    themes = [
        _theme(
            f"t{rank + 1}",
            [units[row] for row in groups[theme]],
            terms[theme],
            _exemplars(
                features,
                centres[theme],
                [position[row] for row in groups[theme] if row in position],
                units,
                with_vectors,
            ),
            len(units),
            as_of,
        )
        for rank, theme in enumerate(order)
        if len(groups[theme])
    ]
    return ThemeSet(status="ok", reason=reason, method=method, themes=themes)


def _features(units: Sequence[CreativeUnit], rows: list[int]) -> tuple[np.ndarray, list[str]]:
    retrieval = np.vstack([_vector(units[row].representative.retrieval) for row in rows]).astype(np.float64)
    retrieval /= np.maximum(np.linalg.norm(retrieval, axis=1, keepdims=True), 1e-12)
    used = ["retrieval"]
    visuals = [vector for row in rows if (vector := units[row].representative.visual) is not None]
    if len(visuals) == len(rows):
        visual = np.vstack(visuals).astype(np.float64)
        visual /= np.maximum(np.linalg.norm(visual, axis=1, keepdims=True), 1e-12)
        retrieval = np.hstack([retrieval, 0.5 * visual])
        used.append("visual")
    if retrieval.shape[1] > 2 * REDUCED_DIMENSIONS and len(rows) > REDUCED_DIMENSIONS:
        sample = retrieval[np.random.default_rng(0).permutation(len(rows))[:FIT_SAMPLE]]
        retrieval = PCA(n_components=REDUCED_DIMENSIONS, random_state=0).fit(sample).transform(retrieval)
        used.append(f"pca{REDUCED_DIMENSIONS}")
    return retrieval, used


def _exemplars(
    features: np.ndarray, centre: np.ndarray, positions: list[int], units: Sequence[CreativeUnit], rows: list[int]
) -> list[int]:
    """The representatives of the members nearest the theme's centre (cosine)."""
    if not positions:
        return []
    members = features[positions]
    similarity = (
        members @ centre / (np.linalg.norm(members, axis=1) * max(float(np.linalg.norm(centre)), 1e-12) + 1e-12)
    )
    nearest = np.argsort(-similarity, kind="stable")[:EXEMPLARS]
    return [units[rows[positions[i]]].representative.ad_id for i in nearest]


def _distinctive_terms(groups: list[list[CreativeUnit]]) -> list[list[str]]:
    """Each group's top words by c-TF-IDF: tf in the group × log(1 + average words per group / word's total)."""
    documents = [
        " ".join(
            " ".join(part for part in (ad.description, ad.title, ad.body) if part)
            for unit in group
            for ad in unit.ads[:1]
        )
        for group in groups
    ]
    vectorizer = CountVectorizer(
        stop_words=list(STOP_WORDS), token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z-]{2,}\b", lowercase=True
    )
    try:
        counts = vectorizer.fit_transform(documents).toarray().astype(np.float64)
    except ValueError:  # no word outside the stop list in any group
        return [[] for _ in groups]
    words = vectorizer.get_feature_names_out()
    tf = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1.0)
    average_words = counts.sum() / len(groups)
    weight = tf * np.log1p(average_words / np.maximum(counts.sum(axis=0), 1.0))
    return [[str(words[i]) for i in np.argsort(-row, kind="stable")[:TERMS] if row[i] > 0] for row in weight]


def _theme(
    theme_id: str, members: list[CreativeUnit], terms: list[str], exemplars: list[int], total: int, as_of: datetime
) -> Theme:
    ads = [ad for unit in members for ad in unit.ads]
    days = [unit.start.astimezone(UTC).date() for unit in members]
    return Theme(
        id=theme_id,
        terms=terms,
        name=" / ".join(terms[:3]) or f"theme {theme_id[1:]}",
        summary=None,
        name_source="ctfidf",
        ad_ids=sorted(ad.ad_id for ad in ads),
        exemplar_ad_ids=exemplars,
        share=round(len(members) / total, 4),
        first_seen=min(days),
        last_seen=max(days),
        median_days_running=round(statistics.median(days_running(ad, as_of) for ad in ads), 1),
    )


def _vector(vector: np.ndarray | None) -> np.ndarray:
    if vector is None:
        raise ValueError("a unit chosen for its vector has none")
    return vector
