"""The accumulators built from SQL's summaries equal the ones fed value by value."""

from __future__ import annotations

import math
from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from optimizer.analysis.stats import DistinctCounter, QuantileSketch, RunningMoments

values = st.lists(st.one_of(st.just(0.0), st.floats(1e-3, 1e7)), min_size=1, max_size=200)


@given(values)
def test_a_sketch_from_its_buckets_answers_like_the_streamed_one(data):
    streamed = QuantileSketch()
    for value in data:
        streamed.add(value)
    buckets = Counter(math.ceil(math.log(v) / QuantileSketch.log_gamma()) for v in data if v > 0)
    built = QuantileSketch.from_buckets(buckets, sum(1 for v in data if v <= 0))
    assert built.count == streamed.count
    for q in (0.0, 0.5, 0.95, 1.0):
        assert built.quantile(q) == streamed.quantile(q)


@given(values)
def test_moments_from_a_summary_match_welford(data):
    streamed = RunningMoments()
    for value in data:
        streamed.add(value)
    n = len(data)
    mean = math.fsum(data) / n
    variance = math.fsum((v - mean) ** 2 for v in data) / (n - 1) if n > 1 else None
    built = RunningMoments.from_summary(n, mean, variance)
    assert built.n == streamed.n
    assert math.isclose(built.mean, streamed.mean, rel_tol=1e-9, abs_tol=1e-12)
    assert math.isclose(built.variance, streamed.variance, rel_tol=1e-6, abs_tol=1e-9)


def test_an_empty_summary_is_an_empty_accumulator():
    assert RunningMoments.from_summary(0, None, None).mean == 0.0
    assert QuantileSketch.from_buckets({}, 0).quantile(0.5) is None


def test_a_distinct_count_made_elsewhere_reads_back():
    assert DistinctCounter.from_count(42).count() == 42
