"""The verdict's threshold is inclusive: a ratio exactly at the threshold passes.

Built from hand-made samples (no watcher, no clock) so that the during/before
ratio lands exactly on the threshold: 1 % per second before and after, a
chosen rate during the 5-s migration window.
"""

from __future__ import annotations

import pytest

from vmcctl.h2o.records import Phase, Sample
from vmcctl.h2o.verdict import DEFAULT_THRESHOLD, compute_verdict

BEFORE_RATE = 0.01
PHASES = (Phase("before", 0.0, 10.0), Phase("during", 10.0, 15.0), Phase("after", 15.0, None))


def samples(during_rate: float) -> list[Sample]:
    """One poll a second for 25 s; progress grows by ``during_rate`` inside [10, 15)."""
    out, progress = [], 0.0
    for t in range(26):
        out.append(Sample(t=float(t), poll=t, job="gbm", status="RUNNING",
                          progress=round(progress, 6), latency_s=0.01))
        progress += during_rate if 10 <= t < 15 else BEFORE_RATE
    return out


@pytest.mark.parametrize("threshold", [0.5, DEFAULT_THRESHOLD])
def test_a_ratio_exactly_at_the_threshold_passes(threshold: float) -> None:
    v = compute_verdict(samples(BEFORE_RATE * threshold), PHASES, threshold=threshold)
    assert v.ratio == threshold  # the boundary itself, not near it
    assert v.outcome == "PASS", v.reason
    assert f">= {threshold:.2f}" in v.reason


@pytest.mark.parametrize("threshold", [0.5, DEFAULT_THRESHOLD])
def test_a_ratio_just_below_the_threshold_fails(threshold: float) -> None:
    v = compute_verdict(samples(BEFORE_RATE * (threshold - 0.001)), PHASES,
                        threshold=threshold)
    assert v.ratio is not None and v.ratio < threshold
    assert v.outcome == "FAIL"
    assert "slowed down" in v.reason and "gbm" in v.reason


def test_a_ratio_just_above_the_threshold_passes() -> None:
    v = compute_verdict(samples(BEFORE_RATE * 0.801), PHASES, threshold=0.8)
    assert v.ratio is not None and v.ratio > 0.8
    assert v.outcome == "PASS"
