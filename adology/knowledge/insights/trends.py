"""What is changing in a brand's ads: for every signal, whether its share changed at some point in
time, when, which way and by how much, with the false-discovery rate held over all of them.

**Periods.** Creative units are placed by when they started running: in ISO weeks (from Monday,
UTC) when the brand starts five units or more per week on average over the weeks it starts any,
else in calendar months (UTC). Trends need 30 units in at least four periods that have any.

**The change test.** A signal is tested over the units whose value is known for it (see
:mod:`adology.knowledge.insights.signals`). With ``k`` positives among ``n`` such units, every
boundary between periods that leaves at least ``max(8, 10 % of n)`` units on each side is a
candidate change point. At each, the statistic is the binomial likelihood-ratio (deviance) of "one
share before, another after" against "one share throughout"; the signal's statistic is the largest
over the candidates, and where it is largest is the most likely change point.

**Its p-value.** Scanning for the best split needs the scan's own null distribution, so the
p-value is the exact conditional permutation test: with the period sizes and ``k`` fixed, shuffling
the units between periods puts the positives' counts per period in a multivariate hypergeometric
distribution, which is drawn from directly (cost per draw: periods, whatever ``n``). A split's
deviance is convex in its positives before the split, so "a draw reaches the observed statistic"
is "at some split the count before it lies in one of two tails", worked out once per signal: a
draw costs comparisons, not logarithms. 999 draws, then 9,999 when ``p < 0.02`` so the small
p-values the multiple-comparison step needs are resolved.

Before any draw, the same tails give a Bonferroni bound over the splits from the exact
hypergeometric probabilities. It is never below the exact permutation p-value, so when it is below
the 1/10,000 that 9,999 draws can resolve it is reported as the p-value (conservative, and finer):
a large brand with many strong changes costs no draws for them. Draws are seeded from the brand
and the signal (sha256, not ``hash()``): a rerun gives the same p-values.

**Many signals.** Signals with fewer than five known units on either side of "has it / has not"
are not tested (no split could show a change). Benjamini–Hochberg runs over every tested signal
(:func:`scipy.stats.false_discovery_control`); a trend is significant when its q-value is at most
the level.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np
from scipy.special import gammaln, xlogy
from scipy.stats import false_discovery_control

from adology.knowledge.insights.data import CreativeUnit
from adology.knowledge.insights.model import Direction, Period, PeriodCount, Trend, TrendSet
from adology.knowledge.insights.signals import SignalMatrix

LEVEL = 0.05
MIN_UNITS = 30
MIN_PERIODS = 4
MIN_SUPPORT = 5  # known units with the signal, and without it
MIN_SIDE = 8  # units on each side of a candidate split ...
MIN_SIDE_SHARE = 0.1  # ... or this share of the known units, whichever is more
UNITS_PER_WEEK_FOR_WEEKS = 5
DRAWS = 999
MORE_DRAWS = 9_999
REFINE_BELOW = 0.02
SMALLEST_P = 1e-16  # a bound below this (or one that underflows) is reported as this
EVIDENCE = 5
COUNT_PER_BLOCK = 6  # up to this many units placed per block, numpy draws the counts faster by counting
TIE = 1e-9  # relative: a null statistic this close to the observed one counts as reaching it


def trend_set(
    units: Sequence[CreativeUnit],
    signals: SignalMatrix,
    *,
    seed: str,
    level: float = LEVEL,
    min_units: int = MIN_UNITS,
    min_periods: int = MIN_PERIODS,
) -> TrendSet:
    """Every testable signal's change test over ``units`` (rows of ``signals``, in the same order); ``seed``
    names the brand so its draws are its own and repeat."""
    if signals.present.shape[0] != len(units):
        raise ValueError(f"{signals.present.shape[0]} signal rows for {len(units)} creative units")
    if len(units) < min_units:
        return TrendSet(
            status="no_ads" if not units else "too_little_data",
            reason=f"{len(units)} creative units; trends need at least {min_units}",
            level=level,
        )
    period, starts, index = _periods([unit.start for unit in units])
    sizes = np.bincount(index, minlength=len(starts))
    periods = [PeriodCount(start=start, ads=int(size)) for start, size in zip(starts, sizes, strict=True)]
    active = int(np.count_nonzero(sizes))
    if active < min_periods:
        return TrendSet(
            status="too_little_data",
            reason=f"the {len(units)} creative units fall in {active} {period}s; trends need at least {min_periods}",
            period=period,
            periods=periods,
            level=level,
        )
    scans: list[_Scan] = []
    for column, name in enumerate(signals.names):
        known = signals.known[:, column]
        scan = _Scan.of(name, column, index[known], signals.present[known, column], len(starts))
        if scan is not None:
            scans.append(scan)
    if not scans:
        return TrendSet(status="ok", period=period, periods=periods, level=level, tested=0)
    p_values = [_p_value(scan, _rng(seed, scan.signal)) for scan in scans]
    q_values = false_discovery_control(p_values, method="bh")
    evidence = _Evidence(units)
    trends = [
        _trend(scan, p_value, float(q_value), level, starts, index, signals, evidence)
        for scan, p_value, q_value in zip(scans, p_values, q_values, strict=True)
    ]
    trends.sort(key=_rank)
    return TrendSet(status="ok", period=period, periods=periods, level=level, tested=len(trends), trends=trends)


def _periods(starts: list[datetime]) -> tuple[Period, list[date], np.ndarray]:
    """The period length, each period's first day from the first unit's period to the last's, and each unit's period."""
    days = [start.astimezone(UTC).date() for start in starts]
    first = min(days)
    monday = first - timedelta(days=first.weekday())
    weeks = np.array([(day - monday).days // 7 for day in days])
    if len(days) >= UNITS_PER_WEEK_FOR_WEEKS * len(np.unique(weeks)):
        return "week", [monday + timedelta(weeks=i) for i in range(int(weeks.max()) + 1)], weeks
    first_month = first.year * 12 + first.month - 1
    months = np.array([day.year * 12 + day.month - 1 - first_month for day in days])
    month_starts = [date((first_month + i) // 12, (first_month + i) % 12 + 1, 1) for i in range(int(months.max()) + 1)]
    return "month", month_starts, months


@dataclass(frozen=True)
class _Scan:
    """One signal's change-point scan over its known units."""

    signal: str
    column: int
    n: int  # known units
    k: int  # known units with the signal
    splits: np.ndarray  # candidate periods j: the change falls after period j
    n_before: np.ndarray  # known units up to and including each candidate period
    k_before: np.ndarray  # of them with the signal
    deviance: np.ndarray  # at each candidate split
    best: int  # the candidate where the deviance is largest (the earliest on a tie)

    @classmethod
    def of(cls, signal: str, column: int, index: np.ndarray, present: np.ndarray, periods: int) -> _Scan | None:
        """The scan of a signal over its known units' periods (``index``), or None when it cannot be tested."""
        n = len(index)
        k = int(np.count_nonzero(present))
        if min(k, n - k) < MIN_SUPPORT:
            return None
        n_through = np.cumsum(np.bincount(index, minlength=periods))[:-1]
        k_through = np.cumsum(np.bincount(index[present], minlength=periods))[:-1]
        margin = max(MIN_SIDE, math.ceil(MIN_SIDE_SHARE * n))
        splits = np.flatnonzero((n_through >= margin) & (n - n_through >= margin))
        # boundaries with only empty periods between them split the units alike: keep the first
        splits = splits[np.r_[True, np.diff(n_through[splits]) > 0]] if len(splits) else splits
        if not len(splits):
            return None
        n_before, k_before = n_through[splits], k_through[splits]
        deviance = _deviance(k_before, n_before, n, k)
        return cls(signal, column, n, k, splits, n_before, k_before, deviance, int(np.argmax(deviance)))

    @property
    def statistic(self) -> float:
        return float(self.deviance[self.best])

    @property
    def rose(self) -> bool:
        """Whether the share after the most likely change is at least the share before it."""
        n_before, k_before = int(self.n_before[self.best]), int(self.k_before[self.best])
        return (self.k - k_before) * n_before >= k_before * (self.n - n_before)


def _deviance(k_before: np.ndarray, n_before: np.ndarray, n: int, k: int) -> np.ndarray:
    """2 (ℓ_split − ℓ_whole): the binomial log-likelihood ratio of a share before and after the split
    against one share, elementwise over (draws ×) splits."""

    def log_likelihood(hits: np.ndarray | float, size: np.ndarray | float) -> np.ndarray:
        return np.asarray(xlogy(hits, hits) + xlogy(size - hits, size - hits) - xlogy(size, size))

    k_before = np.asarray(k_before, dtype=float)
    n_before = np.asarray(n_before, dtype=float)
    split = log_likelihood(k_before, n_before) + log_likelihood(k - k_before, n - n_before)
    return np.asarray(np.maximum(2.0 * (split - log_likelihood(float(k), float(n))), 0.0))


def _p_value(scan: _Scan, rng: np.random.Generator) -> float:
    """The permutation p-value of the scan's statistic (see the module's docstring)."""
    statistic = scan.statistic
    low, high = _tails(scan, statistic - TIE * max(1.0, statistic))
    bound = _tail_bound(scan, low, high)
    if bound <= 1 / (MORE_DRAWS + 1):
        return max(bound, SMALLEST_P)
    reached = _reached(scan, low, high, rng, DRAWS)
    if (1 + reached) / (DRAWS + 1) >= REFINE_BELOW:
        return (1 + reached) / (DRAWS + 1)
    reached += _reached(scan, low, high, rng, MORE_DRAWS - DRAWS)
    return (1 + reached) / (MORE_DRAWS + 1)


def _tails(scan: _Scan, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """Per split, the positives-before counts whose deviance reaches ``threshold``: at most ``low`` or at least
    ``high`` (``low`` below the possible counts, or ``high`` above them, when that tail is empty)."""
    n, k, splits = scan.n, scan.k, len(scan.n_before)
    n_before = np.tile(scan.n_before, 2)  # the low side of every split, then the high side
    fewest = np.maximum(0, k - (n - n_before))
    most = np.minimum(k, n_before)
    expected = k * n_before / n

    def reaches(count: np.ndarray) -> np.ndarray:
        return _deviance(np.clip(count, fewest, most), n_before, n, k) >= threshold

    # the deviance falls to the expected count and rises after it: bisect both sides over the integers at once
    beyond = np.r_[fewest[:splits] - 1, most[splits:] + 1]
    centre = np.r_[np.floor(expected[:splits]) + 1, np.ceil(expected[splits:]) - 1].astype(np.int64)
    edges = _bisect(beyond, centre, reaches)
    return edges[:splits], edges[splits:]


def _bisect(reaching: np.ndarray, failing: np.ndarray, reaches: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Close in on the boundary of a monotone side: ``reaching`` keeps reaching (or is a sentinel past the
    possible counts), ``failing`` keeps failing; returns the reaching count next to the boundary."""
    while np.any(gap := np.abs(failing - reaching) > 1):
        middle = (reaching + failing) // 2
        hit = reaches(middle)
        reaching = np.where(gap & hit, middle, reaching)
        failing = np.where(gap & ~hit, middle, failing)
    return reaching


def _tail_bound(scan: _Scan, low: np.ndarray, high: np.ndarray) -> float:
    """An upper bound of the exact permutation p-value: the sum over splits of both tails' hypergeometric
    probabilities (Bonferroni), each tail bounded by its first term over one minus the ratio of successive
    terms (the hypergeometric is log-concave, so that ratio only falls further out)."""
    n, k, n_before = scan.n, scan.k, scan.n_before.astype(float)
    others = n - k  # known units without the signal

    def log_probability(count: np.ndarray) -> np.ndarray:
        return np.asarray(
            gammaln(k + 1)
            - gammaln(count + 1)
            - gammaln(k - count + 1)
            + gammaln(others + 1)
            - gammaln(n_before - count + 1)
            - gammaln(others - n_before + count + 1)
            - gammaln(n + 1)
            + gammaln(n_before + 1)
            + gammaln(n - n_before + 1)
        )

    def tail(count: np.ndarray, possible: np.ndarray, ratio: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            # an empty tail is evaluated at the mean only to keep the arithmetic finite; it counts zero
            first = np.exp(log_probability(np.where(possible, count, k * n_before / n)))
            bounded = np.where(ratio < 1, first / (1 - ratio), 1.0)
        return np.where(possible, bounded, 0.0)

    upper = high.astype(float)
    lower = low.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        upper_ratio = (k - upper) * (n_before - upper) / ((upper + 1) * (others - n_before + upper + 1))
        lower_ratio = lower * (others - n_before + lower) / ((k - lower + 1) * (n_before - lower + 1))
    most = np.minimum(k, n_before)
    fewest = np.maximum(0, k - (n - n_before))
    total = tail(upper, upper <= most, upper_ratio) + tail(lower, lower >= fewest, lower_ratio)
    return float(min(1.0, np.sum(total)))


def _reached(scan: _Scan, low: np.ndarray, high: np.ndarray, rng: np.random.Generator, draws: int) -> int:
    """How many of ``draws`` null draws reach the observed statistic at some split."""
    # only the counts at candidate splits matter, so the periods between two candidates are drawn as one block
    blocks = np.diff(np.r_[0, scan.n_before, scan.n]).astype(np.int64)
    # placing the fewer of the units with and without the signal places the others; numpy's "count" method
    # costs per unit placed, "marginals" per block, so a sparse signal is drawn by counting
    placed = min(scan.k, scan.n - scan.k)
    by_counting = placed <= COUNT_PER_BLOCK * len(blocks)
    counts = rng.multivariate_hypergeometric(blocks, placed, size=draws, method="count" if by_counting else "marginals")
    placed_before = np.cumsum(counts[:, :-1], axis=1)
    k_before = placed_before if placed == scan.k else scan.n_before - placed_before
    return int(np.count_nonzero(((k_before <= low) | (k_before >= high)).any(axis=1)))


def _rng(seed: str, signal: str) -> np.random.Generator:
    return np.random.default_rng(int.from_bytes(hashlib.sha256(f"{seed}\x1f{signal}".encode()).digest(), "big"))


class _Evidence:
    """Picks the ads that show a change: units carrying the signal on the telling side, longest-running first."""

    def __init__(self, units: Sequence[CreativeUnit]) -> None:
        self.units = units
        self.longevity = np.array([_longevity(unit) for unit in units])
        self.ids = np.array([unit.representative.ad_id for unit in units])

    def ad_ids(self, rows: np.ndarray) -> list[int]:
        order = rows[np.lexsort((self.ids[rows], -self.longevity[rows]))]
        ad_ids: list[int] = []
        for row in order:
            ad_ids.extend(self.units[row].ad_ids)  # the representative first
            if len(ad_ids) >= EVIDENCE:
                break
        return ad_ids[:EVIDENCE]


def _longevity(unit: CreativeUnit) -> float:
    """How long the unit's longest-running ad ran, as far as its source last said."""
    return max(((ad.ended_at or ad.last_seen_at) - ad.start).total_seconds() for ad in unit.ads)


def _trend(
    scan: _Scan,
    p_value: float,
    q_value: float,
    level: float,
    starts: list[date],
    index: np.ndarray,
    signals: SignalMatrix,
    evidence: _Evidence,
) -> Trend:
    known = signals.known[:, scan.column]
    present = signals.present[:, scan.column]
    sizes = np.bincount(index[known], minlength=len(starts))
    positives = np.bincount(index[present], minlength=len(starts))
    split = int(scan.splits[scan.best])
    first_after = split + 1 + int(np.flatnonzero(sizes[split + 1 :])[0])  # the first period after with known units
    n_before = int(scan.n_before[scan.best])
    k_before = int(scan.k_before[scan.best])
    share_before = k_before / n_before
    share_after = (scan.k - k_before) / (scan.n - n_before)
    direction: Direction = "up" if scan.rose else "down"
    telling_side = index > split if direction == "up" else index <= split
    return Trend(
        signal=scan.signal,
        family=scan.signal.split(":", 1)[0],
        direction=direction,
        significant=q_value <= level,
        p_value=p_value,
        q_value=min(q_value, 1.0),
        change_after=starts[first_after],
        changed_between=(starts[split], starts[first_after]),
        share_before=round(share_before, 4),
        share_after=round(share_after, 4),
        ads_before=n_before,
        ads_after=scan.n - n_before,
        effect_h=round(2 * math.asin(math.sqrt(share_after)) - 2 * math.asin(math.sqrt(share_before)), 4),
        shares_by_period=[  # 0 in a period without a known unit: the charts need a number
            round(int(hits) / int(size), 4) if size else 0.0 for hits, size in zip(positives, sizes, strict=True)
        ],
        evidence_ad_ids=evidence.ad_ids(np.flatnonzero(present & telling_side)),
    )


def _rank(trend: Trend) -> tuple[bool, float, float, str]:
    """Significant trends first by q-value, the rest by p-value; the larger effect first on a tie."""
    return (
        not trend.significant,
        trend.q_value if trend.significant else trend.p_value,
        -abs(trend.effect_h),
        trend.signal,
    )
