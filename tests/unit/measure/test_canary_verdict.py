"""A canary's verdict from its arms' figures over the same hours: promote, stop, or wait."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from optimizer.measure.canary import Trial, as_measurement, judge
from tests.support.metrics import generate, versions

STABLE, CANARY = "a" * 40, "b" * 40
STARTED = datetime(2026, 11, 19, tzinfo=UTC)


def trial(min_traces: int = 100, max_hours: float = 72.0) -> Trial:
    return Trial("frontdesk", CANARY, STABLE, 0.2, min_traces, max_hours, STARTED.isoformat())


def arms(stable_n: int, canary_n: int, canary_failures: float, seed: int = 1):
    stable = generate(STABLE, stable_n, failure_rate=0.05, cost=0.01, seed=seed)
    canary = generate(CANARY, canary_n, failure_rate=canary_failures, cost=0.01, seed=seed + 1)
    return versions(stable, canary)


def test_a_harmless_canary_is_promoted_once_each_arm_has_the_minimum():
    judged = judge(trial(), arms(800, 200, 0.05), STARTED + timedelta(hours=20))
    assert judged.verdict == "promote", judged.reason
    assert judged.traces == (200, 800)
    assert judged.reason == "no guarded metric worse on 200 canary and 800 stable trace(s) (at least 100 each)"


def test_a_harmful_canary_is_stopped_naming_the_metric():
    judged = judge(trial(), arms(800, 200, 0.30), STARTED + timedelta(hours=20))
    assert judged.verdict == "stop"
    assert [c.metric for c in judged.decision.breaches] == ["tool check_availability failure rate"]
    assert "worse than the stable arm over the same hours: tool check_availability failure rate" in judged.reason


def test_a_clearly_harmful_canary_is_stopped_before_the_minimum_sample():
    judged = judge(trial(min_traces=500), arms(400, 60, 0.7), STARTED + timedelta(hours=2))
    assert judged.verdict == "stop"


def test_too_few_traces_waits_then_the_deadline_promotes_when_nothing_is_worse():
    figures = arms(150, 40, 0.05)
    assert judge(trial(), figures, STARTED + timedelta(hours=5)).verdict == "wait"
    late = judge(trial(), figures, STARTED + timedelta(hours=73))
    assert late.verdict == "promote" and "72 hours passed with 40 canary and 150 stable trace(s)" in late.reason


def test_no_traces_of_the_canary_yet_is_a_wait():
    stable, _ = arms(150, 40, 0.05)
    judged = judge(trial(), [stable], STARTED + timedelta(hours=1))
    assert (judged.verdict, judged.traces) == ("wait", (0, 150))


def test_a_stopped_canary_is_the_culprit_of_the_measurement_and_the_record_shows_both_arms():
    judged = judge(trial(), arms(800, 200, 0.30), STARTED + timedelta(hours=20))
    measured = as_measurement(judged, STARTED + timedelta(hours=20), action="stopped")
    assert measured.measurement.decision.revert and measured.measurement.culprit.prompt_version == CANARY
    record = measured.to_dict()
    assert record["canary"]["traces"] == {"canary": 200, "stable": 800}
    assert (record["canary"]["verdict"], record["canary"]["action"]) == ("stop", "stopped")
    [tool] = [c for c in record["changes"] if c["metric"].startswith("tool ")]
    assert (tool["n_before"], tool["verdict"]) == (800, "worse")
    promoted = as_measurement(judge(trial(), arms(800, 200, 0.05), STARTED + timedelta(hours=20)), STARTED)
    assert not promoted.measurement.decision.revert and promoted.measurement.culprit is None
