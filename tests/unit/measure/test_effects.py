"""Measuring the newest version and each merged proposal on traces with a known effect."""

from __future__ import annotations

from optimizer.history.model import History, PastProposal
from optimizer.measure.effects import effects_of_merges, measure_newest
from tests.support.metrics import generate, versions

OLD_SHA = "3f9c2e1aa0d5b7c9e1f3a5b7c9d1e3f5a7b9c1d3"
NEW_SHA = "8a41d07bb1e6c8d0f2a4b6c8d0e2f4a6b8c0d2e4"


def test_a_regressed_newest_version_is_flagged_for_revert():
    old, new = versions(
        generate(OLD_SHA[:7], 800, failure_rate=0.1, cost=0.02, seed=3),
        generate(NEW_SHA[:7], 800, failure_rate=0.1, cost=0.026, seed=4),
    )
    measurement = measure_newest("frontdesk", [old, new], min_samples=30)
    assert measurement.decision.revert
    assert "cost per trace" in measurement.summary and "worse" in measurement.summary


def test_one_version_is_nothing_to_compare():
    old, _new = versions(
        generate("v1", 50, failure_rate=0.1, cost=0.02, seed=1), generate("v2", 50, failure_rate=0.1, cost=0.02, seed=2)
    )
    measurement = measure_newest("frontdesk", [old], min_samples=30)
    assert not measurement.decision.revert and "nothing to compare" in measurement.summary


def test_the_effect_of_a_merged_proposal_is_read_on_its_own_metric():
    old, new = versions(
        generate(OLD_SHA[:7], 1100, failure_rate=0.33, cost=0.02, seed=1),
        generate(NEW_SHA[:7], 420, failure_rate=0.04, cost=0.02, seed=2),
    )
    merged = PastProposal(
        "fp1", "Retry check_availability", ("tool_failure:check_availability",), "approved", merge_sha=NEW_SHA
    )
    rejected = PastProposal("fp2", "FAQ on parking", ("knowledge_gap:parking",), "rejected")
    effects = effects_of_merges(History((merged, rejected)), [old, new], min_samples=30)
    (change,) = effects[0].changes
    assert change.metric == "tool check_availability failure rate" and change.verdict == "better"
    assert "(n = 1,100 → 420)" in change.describe()
    assert effects[1].proposal.outcome == "rejected" and effects[1].changes == ()
