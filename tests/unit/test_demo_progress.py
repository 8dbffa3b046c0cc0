"""The demo's progress line: counts per stage, the rate of ads through every stage and what is left,
printed every ten seconds or when a request ends (off a terminal), so a newcomer sees work moving."""

from __future__ import annotations

import pytest

from simulators.commands import _ProgressLine
from simulators.demo import DemoProgress


def _progress(seconds: float, analysed: int, finished: int = 0) -> DemoProgress:
    return DemoProgress(
        requests=5,
        finished=finished,
        succeeded=finished,
        ads_expected=100,
        acquired=100,
        described=analysed + 5,
        labelled=analysed + 2,
        embedded=analysed,
        failed=1,
        seconds=seconds,
    )


def test_the_line_shows_each_stage_the_rate_and_what_is_left(capsys: pytest.CaptureFixture[str]) -> None:
    show = _ProgressLine(in_place=False)
    show(_progress(20.0, analysed=10))
    show(_progress(30.0, analysed=30))  # 20 ads in 10 s: 2 ads/s, 70 left: 35 s
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == (
        "  ads 100/100 acquired | 15 described | 12 labelled | 10 embedded | 1 failed | starting | requests 0/5 | 20s"
    )
    assert "| 2.0 ads/s, ~35s left |" in lines[1]


def test_off_a_terminal_it_prints_every_ten_seconds_or_when_a_request_ends(
    capsys: pytest.CaptureFixture[str],
) -> None:
    show = _ProgressLine(in_place=False)
    for seconds in (1.0, 3.0, 5.0):
        show(_progress(seconds, analysed=0))
    show(_progress(6.0, analysed=4, finished=1))  # a request ended
    show(_progress(16.0, analysed=8, finished=1))  # ten seconds on
    printed = [line.split("| ")[-1] for line in capsys.readouterr().err.splitlines()]
    assert printed == ["1s", "6s", "16s"]


def test_on_a_terminal_it_rewrites_one_line_and_ends_it_when_done(capsys: pytest.CaptureFixture[str]) -> None:
    show = _ProgressLine(in_place=True)
    show(_progress(1.0, analysed=0))
    show(_progress(2.0, analysed=100, finished=5))
    err = capsys.readouterr().err
    assert err.count("\r") == 2 and err.endswith("\n") and err.count("\n") == 1
