"""One prompt_version against another: each guarded metric with its uncertainty and a plain verdict.

Means (cost and latency per trace) use the Welch variance of the difference from the streamed
moments; rates the Agresti–Caffo one (a success and a failure added to each side), which stays
honest for rates near 0. The interval around the change is always-valid (measure/sequential.py),
because the same versions are re-tested every day: a verdict is "better" or "worse" only when it
excludes zero, and the false-alarm rate stays at 5% however often that is looked at.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from optimizer.fmt import count, ms, pct, usd
from optimizer.measure.sequential import half_width
from optimizer.models import ToolStats, VersionMetrics

Verdict = Literal["better", "worse", "no detectable change", "too little data"]
# The change worth finding, when no guard names one: a share of the mean, or rate points.
DEFAULT_RELATIVE_TAU = 0.10
DEFAULT_RATE_TAU = 0.05
Tau = Callable[[str], float | None]  # metric -> the change worth finding (as a guard's threshold), or None


def _no_guard(_metric: str) -> float | None:
    return None


@dataclass(frozen=True)
class MetricChange:
    """How one metric moved from the old version to the new one (lower is better for all of ours)."""

    metric: str
    before: float | None
    after: float | None
    n_before: int
    n_after: int
    ci95_low: float | None  # of after - before, in the metric's unit: the always-valid 95% interval
    ci95_high: float | None
    verdict: Verdict
    unit: Literal["usd", "ms", "rate"]

    @property
    def change_pct(self) -> float | None:
        if self.before is None or self.after is None or not self.before:
            return None
        return 100.0 * (self.after - self.before) / self.before

    def to_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "unit": self.unit,
            "before": self.before,
            "after": self.after,
            "n_before": self.n_before,
            "n_after": self.n_after,
            "ci95": None if self.ci95_low is None else [self.ci95_low, self.ci95_high],
            "verdict": self.verdict,
        }

    def describe(self) -> str:
        """E.g. ``tool check_availability failure rate 33.0% → 4.0% (n = 1,100 → 420): better``."""
        show = {"usd": usd, "ms": ms, "rate": pct}[self.unit]
        return (
            f"{self.metric} {show(self.before)} → {show(self.after)} "
            f"(n = {count(self.n_before)} → {count(self.n_after)}): {self.verdict}"
        )


@dataclass(frozen=True)
class _Mean:
    mean: float | None
    sd: float | None
    n: int


@dataclass(frozen=True)
class _Rate:
    hits: int
    n: int


def compare_versions(
    old: VersionMetrics, new: VersionMetrics, min_samples: int = 30, tau: Tau = _no_guard
) -> tuple[MetricChange, ...]:
    """Every guarded metric of ``new`` against ``old``: cost, latency, escalation, owner
    corrections, negative sentiment, and the failure rate of each tool both versions called.
    ``tau``: the change worth finding per metric (the guards' thresholds), which tunes the test."""
    means = _Means(min_samples, tau)
    rates = _Rates(min_samples, tau)
    changes = [
        means("cost per trace", "usd", _cost(old), _cost(new)),
        means("latency per trace", "ms", _latency(old), _latency(new)),
        rates("escalation rate", _rate(old.escalation_rate, old.traces), _rate(new.escalation_rate, new.traces)),
        rates(
            "owner correction rate",
            _rate(old.owner_correction_rate, old.traces),
            _rate(new.owner_correction_rate, new.traces),
        ),
        rates("negative sentiment rate", _negative(old), _negative(new)),
    ]
    old_tools = {tool.name: tool for tool in old.tools}
    for tool in new.tools:
        if tool.name in old_tools:
            before = old_tools[tool.name]
            changes.append(rates(f"tool {tool.name} failure rate", _user_failures(before), _user_failures(tool)))
    return tuple(changes)


def _user_failures(tool: ToolStats) -> _Rate:
    """Turns the tool failed for the user (its last call in the turn failed), else calls."""
    return _Rate(tool.turn_failures, tool.turns) if tool.turns else _Rate(tool.failures, tool.calls)


def _cost(version: VersionMetrics) -> _Mean:
    return _Mean(version.cost_per_trace_usd, version.cost_stddev_usd, version.traces)


def _latency(version: VersionMetrics) -> _Mean:
    return _Mean(version.latency_mean_ms, version.latency_stddev_ms, version.traces)


def _rate(rate: float | None, total: int) -> _Rate:
    return _Rate(round((rate or 0.0) * total), total)


def _negative(version: VersionMetrics) -> _Rate:
    return _rate(version.sentiment.get("negative", 0.0), version.sentiment_traces)


@dataclass(frozen=True)
class _Means:
    min_samples: int
    tau: Tau

    def __call__(self, metric: str, unit: Literal["usd", "ms"], old: _Mean, new: _Mean) -> MetricChange:
        if old.mean is None or new.mean is None or min(old.n, new.n) < self.min_samples:
            return MetricChange(metric, old.mean, new.mean, old.n, new.n, None, None, "too little data", unit)
        diff = new.mean - old.mean
        variance = (old.sd or 0.0) ** 2 / old.n + (new.sd or 0.0) ** 2 / new.n
        relative = self.tau(metric) or DEFAULT_RELATIVE_TAU
        half = half_width(variance, relative * abs(old.mean) or relative)
        low, high = diff - half, diff + half
        return MetricChange(metric, old.mean, new.mean, old.n, new.n, low, high, _verdict(low, high), unit)


@dataclass(frozen=True)
class _Rates:
    min_samples: int
    tau: Tau

    def __call__(self, metric: str, old: _Rate, new: _Rate) -> MetricChange:
        before = old.hits / old.n if old.n else None
        after = new.hits / new.n if new.n else None
        if min(old.n, new.n) < self.min_samples:
            return MetricChange(metric, before, after, old.n, new.n, None, None, "too little data", "rate")
        p_old, p_new = (old.hits + 1) / (old.n + 2), (new.hits + 1) / (new.n + 2)
        variance = p_old * (1 - p_old) / (old.n + 2) + p_new * (1 - p_new) / (new.n + 2)
        half = half_width(variance, self.tau(metric) or DEFAULT_RATE_TAU)
        low, high = p_new - p_old - half, p_new - p_old + half
        return MetricChange(metric, before, after, old.n, new.n, low, high, _verdict(low, high), "rate")


def _verdict(low: float, high: float) -> Verdict:
    if high < 0:
        return "better"
    if low > 0:
        return "worse"
    return "no detectable change"


# The metric a finding is about, by kind; a proposal's effect is read on these.
_METRIC_OF_KIND = {
    "cost_regression": "cost per trace",
    "prompt_duplication": "cost per trace",
    "latency_regression": "latency per trace",
    "escalation": "escalation rate",
    "knowledge_gap": "escalation rate",
    "negative_sentiment": "negative sentiment rate",
    "owner_corrections": "owner correction rate",
}


def changes_for(finding_keys: tuple[str, ...], changes: tuple[MetricChange, ...]) -> tuple[MetricChange, ...]:
    """The changes that measure what these findings were about (a tool's failure rate for a
    tool_failure finding on it, the escalation rate for a knowledge gap, ...)."""
    wanted = set()
    for key in finding_keys:
        kind, _, subject = key.partition(":")
        wanted.add(f"tool {subject} failure rate" if kind == "tool_failure" else _METRIC_OF_KIND.get(kind, ""))
    return tuple(change for change in changes if change.metric in wanted)
