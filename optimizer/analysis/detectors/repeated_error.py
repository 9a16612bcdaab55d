"""repeated_error: the same error (numbers, ids and quoted values masked) seen again and again."""

from __future__ import annotations

import hashlib

from optimizer.analysis.detectors.context import DetectorContext, evidence
from optimizer.fmt import count, pct
from optimizer.models import Finding

KIND = "repeated_error"


def detect(ctx: DetectorContext) -> list[Finding]:
    findings = []
    for group in ctx.state.error_groups.values():
        if group.count < ctx.thresholds.repeated_error_min:
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
