"""tool_failure: a tool failing users often, on enough turns to be sure.

A turn fails on a tool when that tool's last call in the turn failed: what the user saw. Calls
are counted too, but a retry is one more call, so the per-call rate would not fall when a retry
rule works; the finding and its measurement use the turns.
"""

from __future__ import annotations

from collections.abc import Iterable

from optimizer.analysis.detectors.context import DetectorContext, evidence
from optimizer.analysis.stats import wilson_interval
from optimizer.fmt import count, pct
from optimizer.models import Finding, ToolStats, VersionMetrics

KIND = "tool_failure"


def detect(ctx: DetectorContext) -> list[Finding]:
    limits = ctx.thresholds
    findings = []
    for _name, tool in sorted(tool_totals(ctx.versions).items()):
        rate = tool.user_failure_rate
        if tool.turns < limits.tool_min_calls or rate < limits.tool_failure_rate:
            continue
        findings.append(_finding(ctx, tool, rate))
    return findings


def tool_totals(versions: Iterable[VersionMetrics]) -> dict[str, ToolStats]:
    """Each tool's calls and turns over these versions (calls stand in for turns counted before turns were)."""
    totals: dict[str, ToolStats] = {}
    for version in versions:
        for tool in version.tools:
            seen = totals.get(tool.name) or ToolStats(tool.name, 0, 0)
            totals[tool.name] = ToolStats(
                tool.name,
                seen.calls + tool.calls,
                seen.failures + tool.failures,
                None,
                seen.turns + (tool.turns or tool.calls),
                seen.turn_failures + (tool.turn_failures if tool.turns else tool.failures),
            )
    return totals


def _finding(ctx: DetectorContext, tool: ToolStats, rate: float) -> Finding:
    low, high = wilson_interval(tool.turn_failures, tool.turns)
    return Finding(
        kind=KIND,
        agent=ctx.agent,
        subject=tool.name,
        title=f"{tool.name} fails users in {pct(rate)} of {count(tool.turns)} turns "
        f"({pct(tool.failure_rate)} of {count(tool.calls)} calls fail)",
        score=float(tool.turn_failures),
        figures={
            "calls": tool.calls,
            "failures": tool.failures,
            "failure_rate": round(tool.failure_rate, 4),
            "turns": tool.turns,
            "turn_failures": tool.turn_failures,
            "user_failure_rate": round(rate, 4),
            "user_failure_rate_ci95": f"{pct(low)}–{pct(high)}",
            "timeouts": _timeouts(ctx, tool.name),
        },
        evidence=evidence(ctx.state.tool_failures.get(tool.name)),
    )


def _timeouts(ctx: DetectorContext, tool: str) -> int:
    """How many of the tool's failures were timeouts: a retry helps those, not the others."""
    origin = f"tool {tool}"
    return sum(
        group.count
        for group in ctx.state.error_groups.values()
        if group.origin == origin and ("timeout" in group.pattern.lower() or "timed out" in group.pattern.lower())
    )
