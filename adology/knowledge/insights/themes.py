"""Themes: what a brand's creatives are about, as groups whose descriptions (and looks) are close,
each named by the words that set it apart from the others.

**Features.** Each creative unit's representative retrieval vector, L2-normalised, joined by its
L2-normalised visual vector at half weight when every clustered unit has one; above 64
dimensions PCA reduces them to 32. A unit without a usable retrieval vector (none, or the zero
vector a text without a word embeds as) is not clustered.

**How many themes.** k from 2 to ``min(12, units // 8)`` (and no more than the distinct vectors):
the k whose k-means partition has the best cosine silhouette. k is chosen on 2,000 units drawn at
random (all of them when there are fewer), the sample the silhouette would score anyway, so 20,000
units cost what 2,000 do; the chosen k is then fitted on every unit, with k-means up to 5,000 units
and mini-batch k-means above.

**No distinct themes.** A silhouette threshold alone invents themes: k-means cuts one elongated
cloud, which is what a brand's description embeddings look like, with a silhouette of 0.15-0.25.
So the best silhouette must reach 0.08 *and* beat by 0.05 the best silhouette of one Gaussian cloud
with the sample's mean and covariance, chosen the same way. Otherwise the brand gets one theme
holding every creative, with status "ok" and a reason starting "no distinct themes": its words
still say what the ads are about, and every ad still sits in exactly one theme.

**Every ad in exactly one theme.** A unit's ads go with their unit. A unit without a retrieval
vector joins the theme whose members' mean visual vector is nearest to its own (cosine), or the
largest theme when it has no visual vector either. Themes are ordered by share, largest first
(t1, t2, ...); a theme's exemplars are its three clustered members nearest its mean direction.

**Names.** Class-based TF-IDF (BERTopic's c-TF-IDF): per theme, how many of its creatives use each
word in their description, title or body, weighted by the word's share of the theme's word uses
times ``log(1 + average word uses per theme / the word's uses over all themes)``. At most 400
members per theme, evenly spread over them, are read. The words the local provider's description
template writes around what it measured, and hex colour codes, are left out.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.decomposition import PCA
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer
from sklearn.metrics import silhouette_score
from sklearn.metrics.pairwise import cosine_distances

from adology.knowledge.insights.data import AdRecord, CreativeUnit
from adology.knowledge.insights.model import Theme, ThemeMethod, ThemeSet
from adology.knowledge.insights.momentum import days_running

MIN_UNITS = 20
MAX_THEMES = 12
UNITS_PER_THEME = 8  # at most one theme per this many creative units
MIN_SILHOUETTE = 0.08
MIN_GAIN_OVER_ONE_CLOUD = 0.05
VISUAL_WEIGHT = 0.5
REDUCE_ABOVE_DIMENSIONS = 64
REDUCED_DIMENSIONS = 32
SELECTION_SAMPLE = 2_000
FULL_KMEANS_UP_TO = 5_000
MINIBATCH_SIZE = 2_048
NAMING_MEMBERS = 400
TERMS = 5
NAME_TERMS = 3
EXEMPLARS = 3
TOKEN_PATTERN = r"(?u)\b[a-zA-Z][a-zA-Z-]{2,}\b"  # words of three letters or more: no numbers, sizes or units
HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}\b")
# What the local description template (adology/ai/local/describe.py and the evidence it quotes from
# adology/ai/local/text.py) writes around the ad's own words, and the enum values it spells out
# (palettes, pacing, orientation): they say how an ad was read, not what it is about. The offer
# kinds' words (free, shipping, gift, bundle, trial, sample, buy) stay: ads say them too.
TEMPLATE_WORDS = frozenset(
    """ad ads image images video videos carousel card cards square portrait landscape px fps scene
    scenes separated hard cut cuts continuous pacing static slow moderate fast text read creative
    creatives line lines offer offers percentage percent amount call action call-to-action button box
    frame edge contrast copy says naming platform look-alike character verb label urgency scarcity
    claims social proof product features sustainability price shown ingredients named seasonal cue
    discount code hashtags covers covering mostly middle third thirds dominant colours colour colors
    color palette brightness colourfulness colorfulness density pastel vibrant dark light monochrome
    earth tones neutral mixed faces face detected brand readable title body english landing page
    www com""".split()
)
STOP_WORDS = ENGLISH_STOP_WORDS | TEMPLATE_WORDS


@dataclass(frozen=True)
class _Partition:
    labels: np.ndarray  # a theme per clustered unit, 0..k-1
    k: int
    silhouette: float | None
    algorithm: str
    reason: str | None  # why there is one theme for everything


def theme_set(units: Sequence[CreativeUnit], *, as_of: datetime, min_units: int = MIN_UNITS) -> ThemeSet:
    """The brand's themes; ``as_of`` ends the days running of ads still active."""
    if len(units) < min_units:
        return ThemeSet(
            status="no_ads" if not units else "too_little_data",
            reason=f"{len(units)} creative units; themes need at least {min_units}",
        )
    clustered, retrieval = _unit_vectors([unit.representative.retrieval for unit in units])
    if clustered.size < min_units:
        return ThemeSet(
            status="too_little_data",
            reason=(
                f"{clustered.size} of {len(units)} creative units have a retrieval vector; "
                f"themes need at least {min_units}"
            ),
        )
    joined, features = _joined(retrieval, [units[row].representative.visual for row in clustered])
    partition = _partition(joined)
    theme_of_unit = _every_unit_placed(units, clustered, partition)
    groups = [rows for theme in range(partition.k) if (rows := np.flatnonzero(theme_of_unit == theme)).size]
    groups.sort(key=lambda rows: (-rows.size, int(rows[0])))
    members = [[units[row] for row in rows.tolist()] for rows in groups]
    themes = [
        _theme(
            theme_id=f"t{rank}",
            members=theme_members,
            terms=theme_terms,
            exemplar_ad_ids=_exemplars(units, clustered, joined, rows),
            share=len(theme_members) / len(units),
            as_of=as_of,
        )
        for rank, (rows, theme_members, theme_terms) in enumerate(
            zip(groups, members, _distinctive_terms(members), strict=True), start=1
        )
    ]
    method = ThemeMethod(
        algorithm=partition.algorithm, k=len(themes), silhouette=partition.silhouette, features=features
    )
    return ThemeSet(status="ok", reason=partition.reason, method=method, themes=themes)


def _unit_vectors(vectors: Sequence[np.ndarray | None]) -> tuple[np.ndarray, np.ndarray]:
    """The indexes of the usable vectors (present and not all zeros, which is how a text without a
    word embeds) and those vectors scaled to unit length."""
    present = np.array([index for index, vector in enumerate(vectors) if vector is not None], dtype=np.int64)
    if not present.size:
        return present, np.zeros((0, 0))
    matrix = np.vstack([vector for vector in vectors if vector is not None]).astype(np.float64)
    norms = np.linalg.norm(matrix, axis=1)
    usable = norms > 0
    return present[usable], matrix[usable] / norms[usable, None]


def _joined(retrieval: np.ndarray, visuals: Sequence[np.ndarray | None]) -> tuple[np.ndarray, list[str]]:
    """Retrieval vectors, joined by visual ones at half weight when every one has a visual vector."""
    with_visual, visual = _unit_vectors(visuals)
    if with_visual.size < len(visuals):
        return retrieval, ["retrieval"]
    return np.hstack([retrieval, VISUAL_WEIGHT * visual]), ["retrieval", "visual"]


def _reduced(joined: np.ndarray) -> np.ndarray:
    if joined.shape[1] <= REDUCE_ABOVE_DIMENSIONS:
        return joined
    return PCA(n_components=min(REDUCED_DIMENSIONS, len(joined)), random_state=0).fit_transform(joined)


def _partition(joined: np.ndarray) -> _Partition:
    count = len(joined)
    algorithm = "kmeans" if count <= FULL_KMEANS_UP_TO else "minibatch-kmeans"
    if not np.ptp(joined, axis=0).any():
        return _one_theme(count, algorithm, None, "no distinct themes: every creative unit has the same vectors")
    features = _reduced(joined)
    chosen = np.arange(count)
    if count > SELECTION_SAMPLE:
        chosen = np.sort(np.random.default_rng(0).choice(count, SELECTION_SAMPLE, replace=False))
    sample = features[chosen]
    # no more groups than distinct vectors (ads with the same words embed alike), counted before
    # PCA, whose rounding can tell copies apart
    distinct = len(np.unique(joined[chosen], axis=0))
    candidates = range(2, min(MAX_THEMES, count // UNITS_PER_THEME, distinct) + 1)
    scored = _scored_partitions(sample, candidates)
    if not scored:
        return _one_theme(count, algorithm, None, "no distinct themes: too few creative units to split")
    k, (silhouette, model) = max(scored.items(), key=lambda item: item[1][0])  # ties go to the fewer themes
    one_cloud = max(
        (score for score, _ in _scored_partitions(_one_cloud_like(sample), candidates).values()), default=0.0
    )
    needed = max(MIN_SILHOUETTE, one_cloud + MIN_GAIN_OVER_ONE_CLOUD)
    if silhouette < needed:
        reason = (
            f"no distinct themes: the best split, into {k} groups, has a silhouette of {silhouette:.2f} "
            f"against the {needed:.2f} needed (one undivided cloud of the same spread scores {one_cloud:.2f})"
        )
        return _one_theme(count, algorithm, round(silhouette, 4), reason)
    if count <= SELECTION_SAMPLE:
        labels = model.labels_
    elif count <= FULL_KMEANS_UP_TO:
        labels = KMeans(n_clusters=k, n_init=4, random_state=0).fit_predict(features)
    else:
        labels = MiniBatchKMeans(n_clusters=k, batch_size=MINIBATCH_SIZE, n_init=3, random_state=0).fit_predict(
            features
        )
    return _Partition(np.asarray(labels, dtype=np.int64), k, round(silhouette, 4), algorithm, None)


def _one_theme(count: int, algorithm: str, silhouette: float | None, reason: str) -> _Partition:
    return _Partition(np.zeros(count, dtype=np.int64), 1, silhouette, algorithm, reason)


def _scored_partitions(sample: np.ndarray, candidates: range) -> dict[int, tuple[float, KMeans]]:
    """Per k, the k-means partition of ``sample`` and its cosine silhouette (unless it has one group)."""
    distances = cosine_distances(sample)  # once for every k: it is most of a silhouette's cost
    np.fill_diagonal(distances, 0.0)
    scored = {}
    for k in candidates:
        model = KMeans(n_clusters=k, n_init=4, random_state=0).fit(sample)
        if np.unique(model.labels_).size >= 2:
            scored[k] = (float(silhouette_score(distances, model.labels_, metric="precomputed")), model)
    return scored


def _one_cloud_like(sample: np.ndarray) -> np.ndarray:
    """One Gaussian cloud with the sample's size, mean and covariance: what no themes look like."""
    rng = np.random.default_rng(0)
    return rng.multivariate_normal(sample.mean(axis=0), np.cov(sample, rowvar=False), size=len(sample), method="eigh")


def _every_unit_placed(units: Sequence[CreativeUnit], clustered: np.ndarray, partition: _Partition) -> np.ndarray:
    """A theme per unit: its cluster; else the theme whose members look most like it (mean visual
    vector, cosine); else, with no visual vector to go by, the largest theme."""
    theme_of_unit = np.full(len(units), -1, dtype=np.int64)
    theme_of_unit[clustered] = partition.labels
    unplaced = theme_of_unit < 0
    if not unplaced.any():
        return theme_of_unit
    theme_of_unit[unplaced] = int(np.bincount(partition.labels, minlength=partition.k).argmax())
    with_visual, visuals = _unit_vectors([unit.representative.visual for unit in units])
    by_look = unplaced[with_visual]
    if by_look.all() or not by_look.any():
        return theme_of_unit
    centres = np.zeros((partition.k, visuals.shape[1]))
    np.add.at(centres, theme_of_unit[with_visual[~by_look]], visuals[~by_look])
    norms = np.linalg.norm(centres, axis=1)
    similarity = visuals[by_look] @ (centres / np.where(norms > 0, norms, 1.0)[:, None]).T
    similarity[:, norms == 0] = -np.inf  # a theme none of whose members has a visual vector
    theme_of_unit[with_visual[by_look]] = similarity.argmax(axis=1)
    return theme_of_unit


def _exemplars(units: Sequence[CreativeUnit], clustered: np.ndarray, joined: np.ndarray, rows: np.ndarray) -> list[int]:
    """The representatives of the three members nearest the theme's mean direction (cosine), nearest first."""
    members = np.flatnonzero(np.isin(clustered, rows))  # the theme's rows of ``joined``
    if not members.size:
        return []
    vectors = joined[members]
    similarity = vectors @ vectors.mean(axis=0) / np.linalg.norm(vectors, axis=1)
    nearest = members[np.argsort(-similarity, kind="stable")[:EXEMPLARS]]
    return [units[int(clustered[member])].representative.ad_id for member in nearest]


def _distinctive_terms(groups: list[list[CreativeUnit]]) -> list[list[str]]:
    """Each group's top words by c-TF-IDF over how many of its creatives use each word, best first."""
    read = [_evenly_spread(group) for group in groups]
    # A word counts once per creative: the local template quotes a call to action three times over,
    # and repetition inside one description would otherwise outweigh words that set a theme apart.
    vectorizer = CountVectorizer(
        stop_words=sorted(STOP_WORDS), token_pattern=TOKEN_PATTERN, lowercase=True, binary=True
    )
    try:
        used = vectorizer.fit_transform([_words_of(unit.representative) for group in read for unit in group])
    except ValueError:  # not one word outside the stop list in any group
        return [[] for _ in groups]
    group_of_row = np.repeat(np.arange(len(read)), [len(group) for group in read])
    counts = np.vstack([np.asarray(used[group_of_row == group].sum(axis=0)) for group in range(len(read))])
    words = vectorizer.get_feature_names_out()
    frequency = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1.0)
    weight = frequency * np.log1p(counts.sum() / len(groups) / np.maximum(counts.sum(axis=0), 1.0))
    return [[str(words[i]) for i in np.argsort(-row, kind="stable")[:TERMS] if row[i] > 0] for row in weight]


def _evenly_spread(group: list[CreativeUnit]) -> list[CreativeUnit]:
    return group[:: -(-len(group) // NAMING_MEMBERS)]


def _words_of(ad: AdRecord) -> str:
    return HEX_COLOUR.sub(" ", " ".join(part for part in (ad.description, ad.title, ad.body) if part))


def _theme(
    *,
    theme_id: str,
    members: list[CreativeUnit],
    terms: list[str],
    exemplar_ad_ids: list[int],
    share: float,
    as_of: datetime,
) -> Theme:
    ads = [ad for unit in members for ad in unit.ads]
    days = [unit.start.astimezone(UTC).date() for unit in members]
    return Theme(
        id=theme_id,
        terms=terms,
        name=" / ".join(terms[:NAME_TERMS]) or f"theme {theme_id[1:]}",
        summary=None,
        name_source="ctfidf",
        ad_ids=sorted(ad.ad_id for ad in ads),
        exemplar_ad_ids=exemplar_ad_ids,
        share=round(share, 4),
        first_seen=min(days),
        last_seen=max(days),
        median_days_running=round(statistics.median(days_running(ad, as_of) for ad in ads), 1),
    )
