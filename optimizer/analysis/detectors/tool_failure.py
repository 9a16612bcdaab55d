"""tool_failure: a tool failing often, on enough calls to be sure."""

from __future__ import annotations

from optimizer.analysis.detectors.context import DetectorContext, evidence
from optimizer.analysis.stats import wilson_interval
from optimizer.fmt import count, pct
from optimizer.models import Finding

KIND = "tool_failure"


def detect(ctx: DetectorContext) -> list[Finding]:
    totals: dict[str, list[int]] = {}
    for version in ctx.versions:
        for tool in version.tools:
            calls_failures = totals.setdefault(tool.name, [0, 0])
            calls_failures[0] += tool.calls
            calls_failures[1] += tool.failures
    limits = ctx.thresholds
    findings = []
    for name, (calls, failures) in sorted(totals.items()):
        rate = failures / calls
        if calls < limits.tool_min_calls or rate < limits.tool_failure_rate:
            continue
        low, high = wilson_interval(failures, calls)
        findings.append(
            Finding(
                kind=KIND,
                agent=ctx.agent,
                subject=name,
                title=f"{name} fails {pct(rate)} of {count(calls)} calls",
                score=float(failures),
                figures={
                    "calls": calls,
                    "failures": failures,
                    "failure_rate": round(rate, 4),
                    "failure_rate_ci95": f"{pct(low)}–{pct(high)}",
                    "timeouts": _timeouts(ctx, name),
                },
                evidence=evidence(ctx.state.tool_failures.get(name)),
            )
        )
    return findings


def _timeouts(ctx: DetectorContext, tool: str) -> int:
    """How many of the tool's failures were timeouts: a retry helps those, not the others."""
    origin = f"tool {tool}"
    return sum(
        group.count
        for group in ctx.state.error_groups.values()
        if group.origin == origin and ("timeout" in group.pattern.lower() or "timed out" in group.pattern.lower())
    )
