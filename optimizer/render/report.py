"""AgentReport -> Markdown (with Mermaid charts) or JSON. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from optimizer.measure.effects import DecisionEffect
from optimizer.render import markdown as md
from optimizer.render.mermaid import xychart
from optimizer.render.tables import versions_table
from optimizer.reporting.build import AgentReport, DayRow


def render_markdown(reports: Sequence[AgentReport], start: str, end: str) -> str:
    parts = [f"# optimizer report: {md.text(start)} → {md.text(end)}"]
    parts += [_agent(report) for report in reports] or ["No agents in this repo."]
    return "\n\n".join(parts) + "\n"


def _agent(report: AgentReport) -> str:
    parts = [f"## {md.text(report.agent)}"]
    if not any(day.traces for day in report.days):
        return "\n\n".join([*parts, "No conversations in this period."])
    parts += [_days_table(report.days), *_charts(report.days)]
    parts += ["### By prompt version", versions_table(report.versions)]
    parts += ["### Decisions and their measured effects", _decisions(report.decisions)]
    return "\n\n".join(parts)


def _days_table(days: Sequence[DayRow]) -> str:
    rows = [
        [
            md.text(d.day.isoformat()),
            md.count(d.traces),
            md.usd(d.cost_usd),
            md.pct(d.escalation_rate),
            md.pct(d.negative_rate),
            md.pct(d.tool_failure_rate),
            ", ".join(md.version(v) for v in d.versions),
        ]
        for d in days
    ]
    header = ["Day", "Conversations", "Cost", "Escalated", "Negative", "Tool failures", "Versions"]
    return md.table(header, rows, numeric={1, 2, 3, 4, 5})


def _charts(days: Sequence[DayRow]) -> list[str]:
    labels = [d.day.strftime("%b %d") for d in days]
    rates = [
        ("escalated", [100 * (d.escalation_rate or 0) for d in days]),
        ("negative", [100 * (d.negative_rate or 0) for d in days]),
        ("tool failures", [100 * (d.tool_failure_rate or 0) for d in days]),
    ]
    return [
        xychart("Conversations per day", labels, "conversations", [("conversations", [d.traces for d in days])]),
        xychart("Cost per day", labels, "USD", [("cost", [d.cost_usd for d in days])]),
        xychart("Rates per day", labels, "percent", rates),
    ]


def _decisions(decisions: Sequence[DecisionEffect]) -> str:
    if not decisions:
        return "No optimizer proposal was merged or rejected in this period."
    lines = []
    for decision in decisions:
        proposal = decision.proposal
        where = f" (#{proposal.pr_number})" if proposal.pr_number else ""
        lines.append(f"- **{proposal.outcome}**{where}: {md.text(proposal.title)}")
        lines += [f"  - {md.text(change.describe())}" for change in decision.changes]
        lines += [f"  - reason: {md.text(reason)}" for reason in proposal.reasons[:2]]
    return "\n".join(lines)


def render_json(reports: Sequence[AgentReport], start: str, end: str) -> dict[str, Any]:
    return {
        "start": start,
        "end": end,
        "agents": [
            {
                "agent": report.agent,
                "days": [day.to_dict() for day in report.days],
                "versions": [version.to_dict() for version in report.versions],
                "decisions": [_decision_dict(d) for d in report.decisions],
            }
            for report in reports
        ],
    }


def _decision_dict(decision: DecisionEffect) -> dict[str, Any]:
    proposal = decision.proposal
    return {
        "fingerprint": proposal.fingerprint,
        "title": proposal.title,
        "outcome": proposal.outcome,
        "pr_number": proposal.pr_number,
        "effects": [
            {
                "metric": c.metric,
                "before": c.before,
                "after": c.after,
                "n_before": c.n_before,
                "n_after": c.n_after,
                "verdict": c.verdict,
            }
            for c in decision.changes
        ],
    }
