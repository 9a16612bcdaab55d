"""The newest version is judged against the last version judged good: a run of bad changes cannot
drag the baseline along, and a reviewer's acceptance moves it."""

from __future__ import annotations

from optimizer.analysis.aggregate import Aggregator
from optimizer.analysis.metrics import version_metrics
from optimizer.history.model import Acceptance
from optimizer.measure.effects import measure_newest
from optimizer.models import VersionMetrics
from optimizer.traces.fastcheck import started_at_if_valid
from tests.support.metrics import generate

GOOD, BAD, WORSE = "1111111aaaa", "2222222bbbb", "3333333cccc"


def metrics(*batches: list[dict]) -> list[VersionMetrics]:
    aggregator = Aggregator()
    for batch in batches:
        for t in batch:
            aggregator.observe(t, started_at_if_valid(t))
    return version_metrics(aggregator.agents["frontdesk"])


def a_run_of_bad_changes() -> list[VersionMetrics]:
    """+30% cost, then another +3% on top (under the 10% guard against the bad one)."""
    return metrics(
        generate(GOOD, 800, failure_rate=0.1, cost=0.0200, seed=1),
        generate(BAD, 800, failure_rate=0.1, cost=0.0260, seed=2),
        generate(WORSE, 800, failure_rate=0.1, cost=0.0268, seed=3),
    )


def test_a_second_bad_change_is_still_measured_against_the_last_good_version():
    measured = measure_newest("frontdesk", a_run_of_bad_changes(), min_samples=30)

    assert measured.baseline.prompt_version == GOOD
    assert measured.decision.revert and "cost per trace" in measured.summary
    assert measured.culprit.prompt_version == BAD  # the revert undoes where it went wrong


def test_an_accepted_version_becomes_the_baseline():
    accepted = (Acceptance("cost_regression", BAD, reason="the new retrieval is worth it"),)

    measured = measure_newest("frontdesk", a_run_of_bad_changes(), min_samples=30, accepted=accepted)

    assert measured.baseline.prompt_version == BAD
    assert not measured.decision.revert


def test_the_accepted_newest_version_is_not_reverted_but_still_shown():
    good, bad = a_run_of_bad_changes()[:2]
    accepted = (Acceptance("cost_regression", BAD[:7]),)

    measured = measure_newest("frontdesk", [good, bad], min_samples=30, accepted=accepted)

    assert not measured.decision.revert
    assert measured.summary.startswith("accepted as the new normal (cost_regression): cost per trace")


def test_a_good_change_after_a_bad_one_becomes_the_baseline():
    good, bad, _ = a_run_of_bad_changes()
    fixed = metrics(
        generate(GOOD, 800, failure_rate=0.1, cost=0.0200, seed=1),
        generate(BAD, 800, failure_rate=0.1, cost=0.0260, seed=2),
        generate("4444444dddd", 800, failure_rate=0.1, cost=0.0199, seed=4),
        generate("5555555eeee", 800, failure_rate=0.1, cost=0.0201, seed=5),
    )

    measured = measure_newest("frontdesk", fixed, min_samples=30)

    assert measured.baseline.prompt_version == "4444444dddd" and not measured.decision.revert
    assert (good.prompt_version, bad.prompt_version) == (GOOD, BAD)
