"""Daily re-tests of two versions that do not differ: the always-valid intervals keep "worse" at or
below its nominal rate however many days the test is repeated; a real change is still found."""

from __future__ import annotations

from optimizer.analysis.aggregate import Aggregator
from optimizer.analysis.metrics import version_metrics
from optimizer.measure.compare import compare_versions
from optimizer.measure.sequential import ALPHA, half_width
from optimizer.traces.fastcheck import started_at_if_valid
from tests.support.metrics import generate

WORLDS, DAYS, PER_DAY = 40, 20, 60


def worlds_called_worse(cost_after: float) -> list[int]:
    """For each world, the first day a metric was called worse (0: never)."""
    first = []
    for world in range(WORLDS):
        aggregator, flagged = Aggregator(), 0
        for day in range(1, DAYS + 1):
            for version, cost in (("1111111", 0.02), ("2222222", cost_after)):
                seed = world * 1000 + day * 2 + (version == "2222222")
                for t in generate(version, PER_DAY, failure_rate=0.1, cost=cost, seed=seed):
                    aggregator.observe(t, started_at_if_valid(t))
            old, new = version_metrics(aggregator.agents["frontdesk"])
            if any(change.verdict == "worse" for change in compare_versions(old, new)):
                flagged = day
                break
        first.append(flagged)
    return first


def test_nothing_changed_is_rarely_called_worse_however_often_it_is_tested():
    flagged = [day for day in worlds_called_worse(0.02) if day]
    # five metrics tested every day for 20 days; each one-sided "worse" is held at 2.5% over all the days
    assert len(flagged) / WORLDS <= 5 * ALPHA / 2 + 0.1


def test_a_real_change_is_still_found_within_days():
    first = worlds_called_worse(0.026)  # +30% cost
    assert all(first) and max(first) <= 3


def test_the_interval_is_wider_than_a_fixed_sample_one_and_narrows_with_data():
    sd = 0.01
    wide, narrow = half_width(sd**2 / 100, 0.002), half_width(sd**2 / 10_000, 0.002)
    assert wide > 1.96 * sd / 10 and narrow > 1.96 * sd / 100 and narrow < wide / 5
