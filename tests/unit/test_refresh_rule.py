"""The report-refresh rule as a pure function, over its full truth table: a report is refreshed
exactly when at least two of its three signals hold (``tests/stack/test_reports.py`` measures the
signals from database states)."""

from __future__ import annotations

import itertools

import pytest

from adology.knowledge.refresh import RefreshSignals, should_refresh


@pytest.mark.parametrize(
    ("membership_changed", "new_member_ads", "stale_with_new_ads"), list(itertools.product((False, True), repeat=3))
)
def test_the_rule_refreshes_exactly_when_two_signals_hold(
    membership_changed: bool, new_member_ads: bool, stale_with_new_ads: bool
) -> None:
    signals = RefreshSignals(membership_changed, new_member_ads, stale_with_new_ads)
    assert should_refresh(signals) is (membership_changed + new_member_ads + stale_with_new_ads >= 2)
