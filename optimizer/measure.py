"""What the last changes did: newest version against the previous one, and each merged proposal
against the version before it. Pure: metrics by version and the approval history in, verdicts out.

The version an agent reports in its traces is the git SHA that deployed it, which for an approved
proposal is its merge commit; traces may carry the full or a shortened SHA.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from optimizer.analysis.compare import MetricChange, changes_for, compare_versions
from optimizer.analysis.rollback_policy import DEFAULT_GUARDS, Guard, RollbackDecision, decide
from optimizer.history import History
from optimizer.models import VersionMetrics
from optimizer.reporting.build import DecisionEffect


@dataclass(frozen=True)
class Measurement:
    agent: str
    previous: VersionMetrics | None
    newest: VersionMetrics | None
    changes: tuple[MetricChange, ...]
    decision: RollbackDecision

    @property
    def summary(self) -> str:
        if self.previous is None or self.newest is None:
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
