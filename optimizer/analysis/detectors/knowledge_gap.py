"""knowledge_gap: questions the agent could not answer, clustered by topic."""

from __future__ import annotations

from optimizer.analysis.detectors.context import DetectorContext
from optimizer.fmt import count, pct
from optimizer.models import Evidence, Finding

KIND = "knowledge_gap"


def detect(ctx: DetectorContext) -> list[Finding]:
    findings = []
    for cluster in ctx.state.unanswered.clusters(min_count=ctx.thresholds.knowledge_gap_min):
        share = cluster.traces / ctx.traces if ctx.traces else 0.0  # traces asking, not questions asked
        findings.append(
            Finding(
                kind=KIND,
                agent=ctx.agent,
                subject=cluster.label,
                title=f"{count(cluster.count)} questions about “{cluster.label}” went unanswered",
                score=float(cluster.count),
                figures={
                    "unanswered": cluster.count,
                    "share_of_traces": pct(share),
                    "keywords": ", ".join(cluster.keywords),
                },
                evidence=Evidence(cluster.trace_ids, cluster.examples, cluster.staff_replies),
            )
        )
    return findings
