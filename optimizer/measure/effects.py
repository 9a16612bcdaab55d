"""What the last changes did: the newest version against its baseline (the last version judged good,
measure/baseline.py), and each merged proposal against the version before it. Pure: metrics by
version and the decision history in, verdicts out.

The version an agent reports in its traces is the git SHA that deployed it, which for an approved
proposal is its merge commit; traces may carry the full or a shortened SHA.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from optimizer.history.model import Acceptance, History, PastProposal
from optimizer.measure.baseline import Judgement, lineage, same_commit
from optimizer.measure.compare import MetricChange, changes_for, compare_versions
from optimizer.measure.rollback_policy import DEFAULT_GUARDS, Guard, RollbackDecision, decide, guard_applies, tau_of
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
    baseline: VersionMetrics | None  # the last version judged good before the newest
    newest: VersionMetrics | None
    changes: tuple[MetricChange, ...]
    decision: RollbackDecision
    culprit: VersionMetrics | None = None  # what a revert undoes: the first version worse than the baseline
    accepted: Acceptance | None = None  # a reviewer accepted the newest version as the new normal

    @property
    def summary(self) -> str:
        if self.newest is None:
            return "no traces with a prompt version in the measurement window: nothing to compare yet"
        if self.baseline is None:
            return "only one prompt version in the measurement window: nothing to compare yet"
        moved = "; ".join(c.describe() for c in self.changes if c.verdict in ("better", "worse"))
        if self.accepted is not None:
            return f"accepted as the new normal ({self.accepted.finding_key}): {moved or 'no detectable change'}"
        return moved or "no detectable change on any guarded metric"


def measure_newest(
    agent: str,
    versions: Sequence[VersionMetrics],
    min_samples: int,
    guards: tuple[Guard, ...] = DEFAULT_GUARDS,
    accepted: Sequence[Acceptance] = (),
) -> Measurement:
    """The newest of ``versions`` (oldest first, as the analysis reports them) against its baseline."""
    tau = tau_of(guards)

    def judge(baseline: VersionMetrics, version: VersionMetrics) -> Judgement:
        if min(baseline.traces, version.traces) < min_samples:
            return "unknown"
        return "bad" if decide(compare_versions(baseline, version, min_samples, tau), guards).revert else "good"

    line = lineage(versions, accepted, judge)
    if line.baseline is None or line.newest is None:
        return Measurement(agent, None, line.newest, (), RollbackDecision(False, ()))
    changes = compare_versions(line.baseline, line.newest, min_samples, tau)
    decision = RollbackDecision(False, ()) if line.accepted else decide(changes, guards)
    culprit = line.first_bad or line.newest if decision.revert else None
    return Measurement(agent, line.baseline, line.newest, changes, decision, culprit, line.accepted)


def effects_of_merges(
    history: History, versions: Sequence[VersionMetrics], min_samples: int, guards: tuple[Guard, ...] = DEFAULT_GUARDS
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
            changes = compare_versions(known[index - 1], known[index], min_samples, tau_of(guards))
            effects.append(DecisionEffect(proposal, changes_for(proposal.finding_keys, changes)))
        elif proposal.outcome == "approved":
            effects.append(DecisionEffect(proposal))
    return tuple(effects)


def _version_index(versions: Sequence[VersionMetrics], sha: str | None) -> int | None:
    if not sha:
        return None
    for index, version in enumerate(versions):
        if same_commit(version.prompt_version, sha):
            return index
    return None


def guards_from(settings: Iterable[tuple[str, float]]) -> tuple[Guard, ...]:
    """optimizer.yaml's guard names (``cost_per_trace``) as the metrics they guard (``cost per trace``)."""
    return tuple(Guard(name.replace("_", " "), threshold) for name, threshold in settings)


@dataclass(frozen=True)
class AgentMeasurement:
    """What one run measured for one agent over its lookback window: the newest version against its
    baseline (and whether to revert it), and what each recent decision did."""

    start: str  # ISO 8601, the lookback window
    end: str
    measurement: Measurement
    decisions: tuple[DecisionEffect, ...]  # approved ones with their effect, rejected ones as they are
    guards: tuple[Guard, ...] = DEFAULT_GUARDS
    canary: dict[str, Any] | None = None  # a canary judged instead: its arms side by side (measure/canary.py)

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
            "baseline": _version_dict(m.baseline),
            "culprit": _version_dict(m.culprit),
            "accepted": m.accepted.finding_key if m.accepted else None,
            "newest": _version_dict(m.newest),
            "changes": [change.to_dict() | {"guarded": self.guarded(change)} for change in m.changes],
            "summary": m.summary,
            "revert": m.decision.revert,
            "breaches": [change.metric for change in m.decision.breaches],
            "decisions": [decision_dict(d) for d in self.decisions],
        } | ({"canary": self.canary} if self.canary is not None else {})


def measure_agent(
    agent: str,
    versions: Sequence[VersionMetrics],
    history: History,
    window: tuple[str, str],
    min_samples: int,
    guards: tuple[Guard, ...] = DEFAULT_GUARDS,
) -> AgentMeasurement:
    """The newest version against its baseline, and the decisions taken in the window or whose
    merge shows up as a version in it."""
    start, end = window
    decided = tuple(
        effect
        for effect in effects_of_merges(history, versions, min_samples, guards)
        if effect.changes or start <= _iso(effect.proposal.decided_at) < end
    )
    measured = measure_newest(agent, versions, min_samples, guards, history.accepted)
    return AgentMeasurement(start, end, measured, decided, guards)


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


def _iso(value: str | None) -> str:
    """Comparable with the window's bounds (both ``...Z``); an unknown time sorts before any window."""
    moment = parse_timestamp(value) if value else None
    return iso(moment) if moment else ""
