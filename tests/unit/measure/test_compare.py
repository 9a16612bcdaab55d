"""Version against version on generated traces with a known effect: the verdicts must be right."""

from __future__ import annotations

from optimizer.measure.compare import compare_versions
from optimizer.models import VersionMetrics
from tests.support.metrics import generate, versions


def by_metric(old: VersionMetrics, new: VersionMetrics) -> dict:
    return {change.metric: change for change in compare_versions(old, new)}


def test_a_change_that_halves_a_failure_rate_is_better():
    changes = by_metric(
        *versions(
            generate("v1", 1100, failure_rate=0.33, cost=0.02, seed=1),
            generate("v2", 420, failure_rate=0.15, cost=0.02, seed=2),
        )
    )
    failures = changes["tool check_availability failure rate"]
    assert failures.verdict == "better"
    assert failures.describe().startswith("tool check_availability failure rate 3")
    assert "(n = 1,100 → 420)" in failures.describe()
    assert changes["cost per trace"].verdict == "no detectable change"


def test_a_change_that_raises_cost_30_percent_is_worse():
    changes = by_metric(
        *versions(
            generate("v1", 800, failure_rate=0.1, cost=0.02, seed=3),
            generate("v2", 800, failure_rate=0.1, cost=0.026, seed=4),
        )
    )
    cost = changes["cost per trace"]
    assert cost.verdict == "worse"
    assert 20 < cost.change_pct < 40
    assert cost.ci95_low > 0


def test_a_change_with_no_effect_detects_nothing():
    changes = by_metric(
        *versions(
            generate("v1", 600, failure_rate=0.2, cost=0.02, seed=5),
            generate("v2", 600, failure_rate=0.2, cost=0.02, seed=6),
        )
    )
    assert {c.verdict for c in changes.values()} == {"no detectable change"}


def test_too_little_data_says_so():
    changes = by_metric(
        *versions(
            generate("v1", 12, failure_rate=0.5, cost=0.02, seed=7),
            generate("v2", 12, failure_rate=0.0, cost=0.05, seed=8),
        )
    )
    assert {c.verdict for c in changes.values()} == {"too little data"}
