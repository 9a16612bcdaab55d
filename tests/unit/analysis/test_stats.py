"""Bounded-memory statistics: close to the exact answers, whatever the volume."""

from __future__ import annotations

import random
import statistics

import pytest

from optimizer.analysis.stats import DistinctCounter, QuantileSketch, RunningMoments, compare_means, wilson_interval


def test_quantiles_within_one_percent_of_exact():
    rng = random.Random(7)
    values = [rng.lognormvariate(7, 0.6) for _ in range(20_000)]
    sketch = QuantileSketch()
    for v in values:
        sketch.add(v)
    ordered = sorted(values)
    for q in (0.5, 0.95, 0.99):
        exact = ordered[int(q * (len(ordered) - 1))]
        assert sketch.quantile(q) == pytest.approx(exact, rel=0.01)


def test_quantile_of_nothing_is_none_and_zeros_count():
    assert QuantileSketch().quantile(0.5) is None
    sketch = QuantileSketch()
    for v in (0, 0, 0, 10):
        sketch.add(v)
    assert sketch.quantile(0.5) == 0.0


def test_distinct_counter_is_exact_when_small_and_close_when_large():
    small = DistinctCounter()
    for i in range(1000):
        small.add(f"s{i % 300}")
    assert small.count() == 300
    large = DistinctCounter()
    for i in range(200_000):
        large.add(f"session-{i}")
    assert large.count() == pytest.approx(200_000, rel=0.03)


def test_running_moments_match_statistics():
    rng = random.Random(3)
    values = [rng.gauss(5, 2) for _ in range(5000)]
    moments = RunningMoments()
    for v in values:
        moments.add(v)
    assert moments.mean == pytest.approx(statistics.fmean(values))
    assert moments.stddev == pytest.approx(statistics.stdev(values))


def test_compare_means_sees_a_real_shift_and_not_noise():
    shifted = compare_means(500, 1.0, 0.2, 500, 1.3, 0.2)
    assert shifted.significant and shifted.change_pct == pytest.approx(30.0)
    assert shifted.ci95_low_pct < 30 < shifted.ci95_high_pct
    noise = compare_means(40, 1.0, 0.5, 40, 1.05, 0.5)
    assert not noise.significant


def test_wilson_interval_contains_the_rate_and_narrows_with_n():
    low, high = wilson_interval(30, 100)
    assert low < 0.3 < high
    low2, high2 = wilson_interval(300, 1000)
    assert high2 - low2 < high - low
