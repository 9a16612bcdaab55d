"""Auto-rollback fires on a real regression of a guarded metric, not on noise or on improvement."""

from __future__ import annotations

from optimizer.measure.compare import compare_versions
from optimizer.measure.rollback_policy import decide
from tests.support.metrics import generate, versions


def test_cost_up_30_percent_is_reverted():
    old, new = versions(
        generate("v1", 800, failure_rate=0.1, cost=0.02, seed=3),
        generate("v2", 800, failure_rate=0.1, cost=0.026, seed=4),
    )
    decision = decide(compare_versions(old, new))
    assert decision.revert
    assert [c.metric for c in decision.breaches] == ["cost per trace"]
    assert "cost per trace $0.02" in decision.summary()


def test_more_tool_failures_are_reverted():
    old, new = versions(
        generate("v1", 600, failure_rate=0.05, cost=0.02, seed=9),
        generate("v2", 600, failure_rate=0.20, cost=0.02, seed=10),
    )
    assert [c.metric for c in decide(compare_versions(old, new)).breaches] == ["tool check_availability failure rate"]


def test_an_improvement_or_no_effect_is_kept():
    better = versions(
        generate("v1", 1100, failure_rate=0.33, cost=0.02, seed=1),
        generate("v2", 420, failure_rate=0.15, cost=0.02, seed=2),
    )
    same = versions(
        generate("v1", 600, failure_rate=0.2, cost=0.02, seed=5),
        generate("v2", 600, failure_rate=0.2, cost=0.02, seed=6),
    )
    assert not decide(compare_versions(*better)).revert
    assert not decide(compare_versions(*same)).revert


def test_a_small_but_significant_cost_rise_under_the_threshold_is_kept():
    old, new = versions(
        generate("v1", 3000, failure_rate=0.1, cost=0.02, seed=11),
        generate("v2", 3000, failure_rate=0.1, cost=0.021, seed=12),
    )
    changes = compare_versions(old, new)
    assert next(c for c in changes if c.metric == "cost per trace").verdict == "worse"
    assert not decide(changes).revert
