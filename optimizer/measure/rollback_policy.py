"""When the newest version made things worse enough to propose its revert. Pure.

A guarded metric must be worse (its 95% interval of the change excludes zero) AND worse by more
than its threshold, on enough traces. Cost is judged relative (+10% by default); rates absolute
(percentage points), since a relative threshold on a 1% rate would fire on noise.
"""

from __future__ import annotations

from dataclasses import dataclass

from optimizer.measure.compare import MetricChange, Tau


@dataclass(frozen=True)
class Guard:
    metric: str  # a MetricChange.metric, or "tool failure rate" for every tool
    threshold: float  # relative share for usd/ms metrics, absolute rate difference for rates


DEFAULT_GUARDS: tuple[Guard, ...] = (
    Guard("cost per trace", 0.10),
    Guard("tool failure rate", 0.05),
    Guard("escalation rate", 0.05),
    Guard("negative sentiment rate", 0.05),
)


@dataclass(frozen=True)
class RollbackDecision:
    revert: bool
    breaches: tuple[MetricChange, ...]  # the guarded metrics that got worse beyond their threshold

    def summary(self) -> str:
        return "; ".join(change.describe() for change in self.breaches)


def decide(changes: tuple[MetricChange, ...], guards: tuple[Guard, ...] = DEFAULT_GUARDS) -> RollbackDecision:
    breaches = tuple(change for change in changes if change.verdict == "worse" and _beyond(change, guards))
    return RollbackDecision(bool(breaches), breaches)


def guard_applies(guard: Guard, metric: str) -> bool:
    if guard.metric == "tool failure rate":
        return metric.startswith("tool ") and metric.endswith(" failure rate")
    return guard.metric == metric


def tau_of(guards: tuple[Guard, ...]) -> Tau:
    """The sequential test's change worth finding, per metric: its guard's threshold."""

    def tau(metric: str) -> float | None:
        return next((guard.threshold for guard in guards if guard_applies(guard, metric)), None)

    return tau


def _beyond(change: MetricChange, guards: tuple[Guard, ...]) -> bool:
    for guard in guards:
        if guard_applies(guard, change.metric):
            return _worse_by(change) > guard.threshold
    return False


def _worse_by(change: MetricChange) -> float:
    if change.before is None or change.after is None:
        return 0.0
    if change.unit == "rate":
        return change.after - change.before
    return (change.after - change.before) / change.before if change.before else 0.0
