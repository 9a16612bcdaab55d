"""escalation: conversations handed to a human too often, overall and by topic."""

from __future__ import annotations

from optimizer.analysis.detectors.context import DetectorContext, evidence
from optimizer.analysis.stats import wilson_interval
from optimizer.fmt import count, pct
from optimizer.models import Evidence, Finding
from optimizer.text.topics import label_of

KIND = "escalation"


def detect(ctx: DetectorContext) -> list[Finding]:
    if ctx.traces < ctx.thresholds.min_traces:
        return []
    findings = []
    escalated = sum(ctx.state.topic_escalations.values())
    if escalated / ctx.traces >= ctx.thresholds.escalation_rate:
        findings.append(_finding(ctx, "overall", escalated, ctx.traces))
    min_topic_traces = max(10, ctx.thresholds.min_traces // 3)
    for topic, topic_escalated in sorted(ctx.state.topic_escalations.items()):
        total = ctx.state.topic_traces[topic]
        if total >= min_topic_traces and topic_escalated / total >= ctx.thresholds.topic_escalation_rate:
            findings.append(_finding(ctx, topic, topic_escalated, total))
    return findings


def _finding(ctx: DetectorContext, topic: str, escalated: int, total: int) -> Finding:
    rate = escalated / total
    low, high = wilson_interval(escalated, total)
    label = topic if topic == "overall" else label_of([topic])
    where = "of all conversations" if topic == "overall" else f"of “{label}” conversations"
    samples = None if topic == "overall" else ctx.state.escalation_samples.get(topic)
    replies = None if topic == "overall" else ctx.state.staff_replies.get(topic)
    shown = evidence(samples)
    return Finding(
        kind=KIND,
        agent=ctx.agent,
        subject=label,
        title=f"{pct(rate)} {where} were escalated to a human ({count(escalated)} of {count(total)})",
        score=float(escalated),
        figures={
            "escalated": escalated,
            "traces": total,
            "escalation_rate": round(rate, 4),
            "rate_ci95": f"{pct(low)}–{pct(high)}",
        },
        evidence=Evidence(
            shown.trace_ids,
            shown.excerpts,
            tuple(zip(replies.trace_ids, replies.excerpts, strict=False)) if replies else (),
        ),
    )
