"""Judge the present: once a merged proposal is deployed inside the window, the finding it answers
is judged on the traces of the versions that contain it, not on the days before the fix. Pure.

Today this re-judges what the versions' own figures can tell: a tool's user-visible failure rate
(a retry rule merged yesterday is judged on today's turns). Findings drawn from conversation text
(knowledge gaps, escalated topics) are not counted per version; for those, the files already
holding the answer keep the proposal from coming back (artifacts/held.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from optimizer.analysis.detectors.tool_failure import tool_totals
from optimizer.config import Thresholds
from optimizer.history.model import History
from optimizer.measure.baseline import same_commit
from optimizer.models import AgentAnalysis, VersionMetrics
from optimizer.timeutil import parse_timestamp


def judged_on_the_present(agent: AgentAnalysis, history: History, thresholds: Thresholds) -> AgentAnalysis:
    """``agent`` without the findings that the versions since their fix no longer show."""
    known = [v for v in agent.versions if v.prompt_version != "unknown"]
    settled: set[str] = set()
    for proposal in history.proposals:
        since = _deployed_at(known, proposal.merge_sha, proposal.decided_at) if proposal.outcome == "approved" else None
        if not since:  # not deployed in the window, or nothing before it to tell apart
            continue
        for key in proposal.finding_keys:
            kind, _, tool = key.partition(":")
            if kind == "tool_failure" and not _still_failing(known[since:], tool, thresholds):
                settled.add(key)
    if not settled:
        return agent
    return replace(agent, findings=tuple(f for f in agent.findings if f.key not in settled))


def _deployed_at(versions: Sequence[VersionMetrics], merge_sha: str | None, merged_at: str | None) -> int | None:
    """The first version that contains the merge: the merge commit itself, or one first seen after it."""
    when = parse_timestamp(merged_at) if merged_at else None
    for index, version in enumerate(versions):
        if merge_sha and same_commit(version.prompt_version, merge_sha):
            return index
        seen = parse_timestamp(version.first_seen) if version.first_seen else None
        if when and seen and seen >= when:
            return index
    return None


def _still_failing(versions: Sequence[VersionMetrics], tool: str, thresholds: Thresholds) -> bool:
    """The tool fails users at least as often as the tool_failure finding needs, on enough turns."""
    stats = tool_totals(versions).get(tool)
    return (
        stats is not None
        and stats.turns >= thresholds.tool_min_calls
        and stats.user_failure_rate >= thresholds.tool_failure_rate
    )
