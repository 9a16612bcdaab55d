"""A canary's verdict: its arm against the stable arm over the same hours, on the guarded metrics. Pure.

Both arms ran side by side since the canary started, so day of week and traffic mix are the same
on both sides. The comparison is the always-valid one of measure/compare.py (an mSPRT confidence
sequence, measure/sequential.py), so it may be looked at every day, and at any sample size:

- stop: a guarded metric is worse beyond its threshold (rollback_policy.decide). Checked from a
  small floor of traces on, not only at the minimum: the interval stays valid however early it is
  read, and a harmful canary should not keep its share of sessions a day longer than it must.
- promote: each arm has ``min_traces`` traces and no guarded metric is worse.
- promote at the deadline: ``max_hours`` passed without the minimum sample and nothing is worse. The
  change was reviewed and merged; holding it back forever would ship nothing on a quiet agent, and
  the daily measurement keeps judging it against its baseline afterwards (and proposes its revert
  when it hurts), which is what every deploy got before canaries.
- wait: otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from optimizer.measure.baseline import same_commit
from optimizer.measure.compare import MetricChange, compare_versions
from optimizer.measure.effects import AgentMeasurement, DecisionEffect, Measurement
from optimizer.measure.rollback_policy import DEFAULT_GUARDS, Guard, RollbackDecision, decide, tau_of
from optimizer.models import VersionMetrics
from optimizer.timeutil import iso, parse_timestamp

Verdict = Literal["promote", "stop", "wait"]
STOP_FLOOR = 30  # traces per arm before a stop can be called (the comparison's usual floor)


@dataclass(frozen=True)
class Trial:
    """What the judge needs of a running canary (deploy.model.Canary carries it)."""

    agent: str
    git_sha: str  # the canary's version
    stable_sha: str  # the stable version's
    share: float
    min_traces: int
    max_hours: float
    started_at: str  # ISO 8601


@dataclass(frozen=True)
class CanaryJudgement:
    trial: Trial
    stable: VersionMetrics | None  # the stable arm's figures since the canary started
    canary: VersionMetrics | None
    changes: tuple[MetricChange, ...]
    decision: RollbackDecision  # the guarded metrics worse beyond their threshold
    verdict: Verdict
    reason: str  # one line: why this verdict

    @property
    def traces(self) -> tuple[int, int]:
        """Traces so far: (canary arm, stable arm)."""
        return (self.canary.traces if self.canary else 0, self.stable.traces if self.stable else 0)

    def to_dict(self) -> dict[str, Any]:
        canary_n, stable_n = self.traces
        return {
            "version": self.trial.git_sha,
            "stable": self.trial.stable_sha,
            "share": self.trial.share,
            "started_at": self.trial.started_at,
            "min_traces": self.trial.min_traces,
            "traces": {"canary": canary_n, "stable": stable_n},
            "verdict": self.verdict,
            "reason": self.reason,
        }


def judge(
    trial: Trial, versions: Sequence[VersionMetrics], now: datetime, guards: tuple[Guard, ...] = DEFAULT_GUARDS
) -> CanaryJudgement:
    """``versions``: the agent's figures per prompt version over the canary's hours (start to now)."""
    stable = _find(versions, trial.stable_sha)
    canary = _find(versions, trial.git_sha)
    floor = min(STOP_FLOOR, trial.min_traces)
    changes = compare_versions(stable, canary, floor, tau_of(guards)) if stable and canary else ()
    decision = decide(changes, guards)
    verdict, reason = _verdict(trial, stable, canary, decision, now)
    return CanaryJudgement(trial, stable, canary, changes, decision, verdict, reason)


def _verdict(
    trial: Trial,
    stable: VersionMetrics | None,
    canary: VersionMetrics | None,
    decision: RollbackDecision,
    now: datetime,
) -> tuple[Verdict, str]:
    if decision.revert:
        return "stop", f"worse than the stable arm over the same hours: {decision.summary()}"
    counts = (canary.traces if canary else 0, stable.traces if stable else 0)
    sample = f"{counts[0]} canary and {counts[1]} stable trace(s)"
    if min(counts) >= trial.min_traces:
        return "promote", f"no guarded metric worse on {sample} (at least {trial.min_traces} each)"
    started = parse_timestamp(trial.started_at)
    hours = (now - started).total_seconds() / 3600 if started else 0.0
    if hours >= trial.max_hours:
        return "promote", (
            f"{trial.max_hours:g} hours passed with {sample}, short of {trial.min_traces} each, and no guarded metric "
            "worse: promoted; the daily measurement keeps judging it"
        )
    return "wait", f"{sample} so far; {trial.min_traces} each needed"


def _find(versions: Sequence[VersionMetrics], version: str) -> VersionMetrics | None:
    return next((v for v in versions if same_commit(v.prompt_version, version)), None)


def as_measurement(
    judgement: CanaryJudgement,
    now: datetime,
    decisions: tuple[DecisionEffect, ...] = (),
    guards: tuple[Guard, ...] = DEFAULT_GUARDS,
    action: str | None = None,
) -> AgentMeasurement:
    """The run's measurement of the agent: the canary arm against the stable arm over the canary's
    hours. A stopped canary is the culprit a revert undoes (rollback/auto.py opens its pull request)."""
    stop = judgement.verdict == "stop"
    measurement = Measurement(
        judgement.trial.agent,
        judgement.stable,
        judgement.canary,
        judgement.changes,
        judgement.decision if stop else RollbackDecision(False, ()),
        judgement.canary if stop else None,
    )
    summary = judgement.to_dict() | {"action": action}
    return AgentMeasurement(judgement.trial.started_at, iso(now), measurement, decisions, guards, summary)
