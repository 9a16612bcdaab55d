"""What the last changes did: newest version against the previous one, and each merged proposal
against the version before it. Pure: metrics by version and the approval history in, verdicts out.

The version an agent reports in its traces is the git SHA that deployed it, which for an approved
proposal is its merge commit; traces may carry the full or a shortened SHA.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from optimizer.history.model import History, PastProposal
from optimizer.measure.compare import MetricChange, changes_for, compare_versions
from optimizer.measure.rollback_policy import DEFAULT_GUARDS, Guard, RollbackDecision, decide
from optimizer.models import VersionMetrics
from optimizer.timeutil import iso, parse_timestamp


@dataclass(frozen=True)
class DecisionEffect:
    """A merged or rejected proposal and, for a merged one, what it measurably did."""

    proposal: PastProposal
    changes: tuple[MetricChange, ...] = ()


@dataclass(frozen=True)
class Measurement:
    agent: str
    previous: VersionMetrics | None
    newest: VersionMetrics | None
    changes: tuple[MetricChange, ...]
    decision: RollbackDecision

    @property
    def summary(self) -> str:
        if self.newest is None:
            return "no traces with a prompt version in the measurement window: nothing to compare yet"
        if self.previous is None:
            return "only one prompt version in the measurement window: nothing to compare yet"
        moved = [c.describe() for c in self.changes if c.verdict in ("better", "worse")]
        return "; ".join(moved) or "no detectable change on any guarded metric"


def measure_newest(
    agent: str, versions: Sequence[VersionMetrics], min_samples: int, guards: tuple[Guard, ...] = DEFAULT_GUARDS
) -> Measurement:
    """``versions`` oldest first, as the analysis reports them."""
    known = [v for v in versions if v.prompt_version != "unknown"]
    if len(known) < 2:
        return Measurement(agent, None, known[-1] if known else None, (), RollbackDecision(False, ()))
    previous, newest = known[-2], known[-1]
    changes = compare_versions(previous, newest, min_samples)
    return Measurement(agent, previous, newest, changes, decide(changes, guards))


def effects_of_merges(
    history: History, versions: Sequence[VersionMetrics], min_samples: int
) -> tuple[DecisionEffect, ...]:
    """Each approved proposal whose merge commit shows up as a version, measured against the version
    before it on the metric its finding was about; rejected ones are listed without an effect."""
    known = [v for v in versions if v.prompt_version != "unknown"]
    effects = []
    for proposal in history.proposals:
        if proposal.outcome == "rejected":
            effects.append(DecisionEffect(proposal))
            continue
        index = _version_index(known, proposal.merge_sha)
        if proposal.outcome == "approved" and index:
            changes = compare_versions(known[index - 1], known[index], min_samples)
            effects.append(DecisionEffect(proposal, changes_for(proposal.finding_keys, changes)))
        elif proposal.outcome == "approved":
            effects.append(DecisionEffect(proposal))
    return tuple(effects)


def _version_index(versions: Sequence[VersionMetrics], sha: str | None) -> int | None:
    if not sha:
        return None
    for index, version in enumerate(versions):
        name = version.prompt_version
        if len(name) >= 7 and (sha.startswith(name) or name.startswith(sha)):
            return index
    return None


def guards_from(settings: Iterable[tuple[str, float]]) -> tuple[Guard, ...]:
    """optimizer.yaml's guard names (``cost_per_trace``) as the metrics they guard (``cost per trace``)."""
    return tuple(Guard(name.replace("_", " "), threshold) for name, threshold in settings)


@dataclass(frozen=True)
class AgentMeasurement:
    """What one run measured for one agent over its lookback window: the newest version against the
    previous one (and whether to revert it), and what each recent decision did."""

    start: str  # ISO 8601, the lookback window
    end: str
    measurement: Measurement
    decisions: tuple[DecisionEffect, ...]  # approved ones with their effect, rejected ones as they are
    guards: tuple[Guard, ...] = DEFAULT_GUARDS

    @property
    def agent(self) -> str:
        return self.measurement.agent

    @property
    def effects(self) -> tuple[DecisionEffect, ...]:
        """The merged proposals whose effect could be measured."""
        return tuple(d for d in self.decisions if d.changes)

    def guarded(self, change: MetricChange) -> bool:
        return any(guard_applies(guard, change.metric) for guard in self.guards)

    def to_dict(self) -> dict[str, Any]:
        m = self.measurement
        return {
            "window": {"start": self.start, "end": self.end},
            "previous": _version_dict(m.previous),
            "newest": _version_dict(m.newest),
            "changes": [change.to_dict() | {"guarded": self.guarded(change)} for change in m.changes],
            "summary": m.summary,
            "revert": m.decision.revert,
            "breaches": [change.metric for change in m.decision.breaches],
            "decisions": [decision_dict(d) for d in self.decisions],
        }


def measure_agent(
    agent: str,
    versions: Sequence[VersionMetrics],
    history: History,
    window: tuple[str, str],
    min_samples: int,
    guards: tuple[Guard, ...] = DEFAULT_GUARDS,
) -> AgentMeasurement:
    """The newest version against the previous one, and the decisions taken in the window or
    whose merge shows up as a version in it."""
    start, end = window
    decided = tuple(
        effect
        for effect in effects_of_merges(history, versions, min_samples)
        if effect.changes or start <= _iso(effect.proposal.decided_at) < end
    )
    return AgentMeasurement(start, end, measure_newest(agent, versions, min_samples, guards), decided, guards)


def decision_dict(decision: DecisionEffect) -> dict[str, Any]:
    proposal = decision.proposal
    return {
        "fingerprint": proposal.fingerprint,
        "title": proposal.title,
        "finding_keys": list(proposal.finding_keys),
        "outcome": proposal.outcome,
        "pr_number": proposal.pr_number,
        "pr_url": proposal.pr_url,
        "decided_at": proposal.decided_at,
        "merge_sha": proposal.merge_sha,
        "reasons": list(proposal.reasons[:2]),
        "effects": [change.to_dict() for change in decision.changes],
    }


def _version_dict(version: VersionMetrics | None) -> dict[str, Any] | None:
    if version is None:
        return None
    return {"prompt_version": version.prompt_version, "traces": version.traces, "first_seen": version.first_seen}


def guard_applies(guard: Guard, metric: str) -> bool:
    if guard.metric == "tool failure rate":
        return metric.startswith("tool ") and metric.endswith(" failure rate")
    return guard.metric == metric


def _iso(value: str | None) -> str:
    """Comparable with the window's bounds (both ``...Z``); an unknown time sorts before any window."""
    moment = parse_timestamp(value) if value else None
    return iso(moment) if moment else ""
