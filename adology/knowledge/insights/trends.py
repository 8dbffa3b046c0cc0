"""What is changing in a brand's ads: for every signal, whether its share changed at some point in
time, when, which way and by how much, with the false-discovery rate held over all of them.

**Periods.** Creative units are placed by when they started running, in ISO weeks when the brand
starts at least five units a week it is active, else in calendar months (UTC).

**The change test.** For a signal with ``k`` positive units among ``n`` known ones, every boundary
between periods that leaves at least ``max(8, 10 % of n)`` units on each side is a candidate change
point. At each, the statistic is the signed root of the binomial likelihood ratio of "one share
before, another after" against "one share throughout"; the signal's statistic is the largest in
absolute value, and its boundary is the most likely change point. A scan over split points needs
its own null distribution, so the p-value is a permutation test: with the period sizes and ``k``
fixed, the positives' counts per period are multivariate hypergeometric under "no change", which
is exactly where shuffling the units between periods would put them, drawn without shuffling any
unit (cost per signal: draws × periods, whatever ``n``). 999 draws, then 9,999 when ``p < 0.02``,
so a small p-value is resolved finely enough for the multiple-comparison step. Draws are seeded
from the brand and the signal: a rerun gives the same p-values.

**Many signals.** Benjamini–Hochberg over every signal tested for the brand
(:func:`scipy.stats.false_discovery_control`); a trend is significant when its q-value is at most
the level (0.05). Signals with fewer than five units on either side of "has it / has not" are not
tested: no split could show a change.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from datetime import UTC, date, timedelta

import numpy as np
from scipy.stats import false_discovery_control

from adology.knowledge.insights.data import CreativeUnit
from adology.knowledge.insights.model import Direction, Period, PeriodCount, Trend, TrendSet
from adology.knowledge.insights.signals import SignalMatrix

LEVEL = 0.05
MIN_UNITS = 30
MIN_PERIODS = 4
MIN_SUPPORT = 5  # units with and without the signal
UNITS_PER_WEEK_FOR_WEEKS = 5
DRAWS = 999
MORE_DRAWS = 9_999
REFINE_BELOW = 0.02
EVIDENCE = 5


def trend_set(
    units: Sequence[CreativeUnit],
    signals: SignalMatrix,
    *,
    seed: str,
    level: float = LEVEL,
    min_units: int = MIN_UNITS,
    min_periods: int = MIN_PERIODS,
) -> TrendSet:
    if len(units) < min_units:
        return TrendSet(
            status="no_ads" if not units else "too_little_data",
            reason=f"{len(units)} creative units; trends need at least {min_units}",
            level=level,
        )
    days = [unit.start.astimezone(UTC).date() for unit in units]
    period, starts, index = _periods(days)
    sizes = np.bincount(index, minlength=len(starts))
    periods = [PeriodCount(start=start, ads=int(size)) for start, size in zip(starts, sizes, strict=True)]
    if len(starts) < min_periods:
        return TrendSet(
            status="too_little_data",
            reason=f"the ads span {len(starts)} {period}s; trends need at least {min_periods}",
            period=period,
            periods=periods,
            level=level,
        )
    tested: list[_Tested] = []
    for column, name in enumerate(signals.names):
        known = signals.known[:, column]
        present = signals.present[:, column] & known
        result = _test(name, index[known], present[known], len(starts), seed)
        if result is not None:
            tested.append(result)
    if not tested:
        return TrendSet(status="ok", period=period, periods=periods, level=level, tested=0)
    q_values = false_discovery_control([result.p_value for result in tested], method="bh")
    trends = [
        _trend(result, float(q), level, starts, units, index, signals, column=signals.names.index(result.signal))
        for result, q in zip(tested, q_values, strict=True)
    ]
    trends.sort(key=lambda t: (not t.significant, t.q_value if t.significant else t.p_value, -abs(t.effect_h)))
    return TrendSet(status="ok", period=period, periods=periods, level=level, tested=len(trends), trends=trends)


def _periods(days: list[date]) -> tuple[Period, list[date], np.ndarray]:
    """The period length, each period's first day from the first unit's to the last's, and each unit's period."""
    weeks = {day.isocalendar()[:2] for day in days}
    if len(days) / len(weeks) >= UNITS_PER_WEEK_FOR_WEEKS:
        first = min(days) - timedelta(days=min(days).weekday())
        index = np.array([(day - first).days // 7 for day in days])
        starts = [first + timedelta(weeks=i) for i in range(int(index.max()) + 1)]
        return "week", starts, index
    first_month = min(day.year * 12 + day.month - 1 for day in days)
    index = np.array([day.year * 12 + day.month - 1 - first_month for day in days])
    starts = [date((first_month + i) // 12, (first_month + i) % 12 + 1, 1) for i in range(int(index.max()) + 1)]
    return "month", starts, index


class _Tested:
    __slots__ = ("p_value", "signal", "split", "statistic")

    def __init__(self, signal: str, statistic: float, split: int, p_value: float) -> None:
        self.signal = signal
        self.statistic = statistic  # signed: positive when the share rose
        self.split = split  # the last period before the change
        self.p_value = p_value


def _test(signal: str, index: np.ndarray, present: np.ndarray, periods: int, seed: str) -> _Tested | None:
    n = len(index)
    k = int(present.sum())
    if min(k, n - k) < MIN_SUPPORT:
        return None
    sizes = np.bincount(index, minlength=periods)
    positives = np.bincount(index[present], minlength=periods)
    before = np.cumsum(sizes)[:-1]  # units up to and including period j, for a split after j
    margin = max(8, math.ceil(0.1 * n))
    splits = np.flatnonzero((before >= margin) & (n - before >= margin))
    # boundaries with only empty periods between them split the units the same way: test one
    splits = splits[np.r_[True, np.diff(before[splits]) > 0]] if len(splits) else splits
    if not len(splits):
        return None
    observed = _signed_root(np.cumsum(positives)[:-1][splits][None, :], before[splits], n, k)[0]
    best = int(np.argmax(np.abs(observed)))
    statistic = float(np.abs(observed[best]))
    rng = np.random.default_rng(int.from_bytes(hashlib.sha256(f"{seed}\x1f{signal}".encode()).digest()[:8], "big"))
    p_value = _permutation_p(rng, sizes, k, splits, before, n, statistic, DRAWS)
    if p_value < REFINE_BELOW:
        p_value = _permutation_p(rng, sizes, k, splits, before, n, statistic, MORE_DRAWS)
    return _Tested(signal, float(observed[best]), int(splits[best]), p_value)


def _permutation_p(
    rng: np.random.Generator,
    sizes: np.ndarray,
    k: int,
    splits: np.ndarray,
    before: np.ndarray,
    n: int,
    statistic: float,
    draws: int,
) -> float:
    counts = rng.multivariate_hypergeometric(sizes.astype(np.int64), k, size=draws)
    cumulative = np.cumsum(counts, axis=1)[:, :-1][:, splits]
    null = np.abs(_signed_root(cumulative, before[splits], n, k)).max(axis=1)
    return float((1 + np.count_nonzero(null >= statistic - 1e-9)) / (draws + 1))


def _signed_root(k_before: np.ndarray, n_before: np.ndarray, n: int, k: int) -> np.ndarray:
    """sign(p_after − p_before) · sqrt(2 (ℓ_split − ℓ_whole)) for each row and split."""
    n_after = n - n_before
    k_after = k - k_before
    whole = _log_likelihood(np.asarray(k, dtype=float), np.asarray(n, dtype=float))
    split = _log_likelihood(k_before, n_before) + _log_likelihood(k_after, n_after)
    root = np.sqrt(np.maximum(2.0 * (split - whole), 0.0))
    return np.sign(k_after / n_after - k_before / n_before) * root


def _log_likelihood(k: np.ndarray, n: np.ndarray) -> np.ndarray:
    """The binomial log-likelihood at its maximum, k ln(k/n) + (n−k) ln(1−k/n), with 0 ln 0 = 0."""
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = k / n
        ones = np.where(k > 0, k * np.log(np.where(k > 0, share, 1.0)), 0.0)
        zeros = np.where(n - k > 0, (n - k) * np.log(np.where(n - k > 0, 1.0 - share, 1.0)), 0.0)
    return ones + zeros


def _trend(
    result: _Tested,
    q_value: float,
    level: float,
    starts: list[date],
    units: Sequence[CreativeUnit],
    index: np.ndarray,
    signals: SignalMatrix,
    *,
    column: int,
) -> Trend:
    known = signals.known[:, column]
    present = signals.present[:, column] & known
    sizes = np.bincount(index[known], minlength=len(starts))
    positives = np.bincount(index[present], minlength=len(starts))
    after = index > result.split
    n_before = int((known & ~after).sum())
    n_after = int((known & after).sum())
    share_before = float((present & ~after).sum() / n_before)
    share_after = float((present & after).sum() / n_after)
    direction: Direction = "up" if result.statistic > 0 else "down"
    side = after if direction == "up" else ~after
    rows = np.flatnonzero(present & side)
    evidence_units = sorted(rows.tolist(), key=lambda row: (-_longevity(units[row]), units[row].representative.ad_id))
    evidence = [ad_id for row in evidence_units for ad_id in units[row].ad_ids][:EVIDENCE]
    first_after = result.split + 1
    return Trend(
        signal=result.signal,
        family=result.signal.split(":", 1)[0],
        direction=direction,
        significant=q_value <= level,
        p_value=result.p_value,
        q_value=min(q_value, 1.0),
        change_after=starts[first_after],
        changed_between=(starts[result.split], starts[first_after]),
        share_before=round(share_before, 4),
        share_after=round(share_after, 4),
        ads_before=n_before,
        ads_after=n_after,
        effect_h=round(2 * math.asin(math.sqrt(share_after)) - 2 * math.asin(math.sqrt(share_before)), 4),
        shares_by_period=[
            round(float(hits / size), 4) if size else 0.0 for hits, size in zip(positives, sizes, strict=True)
        ],
        evidence_ad_ids=evidence,
    )


def _longevity(unit: CreativeUnit) -> float:
    """How long the unit's longest-running ad ran, as far as its source last said."""
    return max(((ad.ended_at or ad.last_seen_at) - ad.start).total_seconds() for ad in unit.ads)
