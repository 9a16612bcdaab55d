"""repeated_error: the same error (numbers, ids and quoted values masked) seen again and again.

Judged against the agent's background: a healthy agent sees a timeout now and then ("upstream
timeout after 30s", 12 times in 2,000 traces). A tool's error is a finding only while that tool
fails more than ``tool_failure_rate`` of its calls (below it, the errors are the tool's normal
noise); any other error must reach ``repeated_error_min_share`` of the window's traces (1%)."""

from __future__ import annotations

import hashlib

from optimizer.analysis.aggregate import ErrorGroup
from optimizer.analysis.detectors.context import DetectorContext, evidence
from optimizer.analysis.detectors.tool_failure import tool_totals
from optimizer.fmt import count, pct
from optimizer.models import Finding, ToolStats

KIND = "repeated_error"


def detect(ctx: DetectorContext) -> list[Finding]:
    findings = []
    tools = tool_totals(ctx.versions)
    for group in ctx.state.error_groups.values():
        if group.count < ctx.thresholds.repeated_error_min or _background(group, tools, ctx):
            continue
        digest = hashlib.sha256(f"{group.origin}\x1f{group.pattern}".encode()).hexdigest()[:10]
        findings.append(
            Finding(
                kind=KIND,
                agent=ctx.agent,
                subject=digest,
                title=f"{group.origin}: “{group.pattern}” seen {count(group.count)} times",
                score=float(group.count),
                figures={
                    "occurrences": group.count,
                    "origin": group.origin,
                    "pattern": group.pattern,
                    "share_of_traces": pct(group.count / ctx.traces) if ctx.traces else None,
                },
                evidence=evidence(group.samples),
            )
        )
    return findings


def _background(group: ErrorGroup, tools: dict[str, ToolStats], ctx: DetectorContext) -> bool:
    tool = tools.get(group.origin.removeprefix("tool ")) if group.origin.startswith("tool ") else None
    if tool is not None and tool.calls:
        return tool.failures / tool.calls < ctx.thresholds.tool_failure_rate
    return bool(ctx.traces) and group.count / ctx.traces < ctx.thresholds.repeated_error_min_share
