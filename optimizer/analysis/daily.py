"""Per agent x day x prompt_version counts, streamed: what the weekly report charts. Pure."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from optimizer.analysis.aggregate import VersionState


@dataclass
class DayCounts:
    traces: int = 0
    cost_usd: float = 0.0
    escalated: int = 0
    negative: int = 0
    rated: int = 0  # traces carrying a sentiment
    tool_calls: int = 0
    tool_failures: int = 0

    def add(self, trace: dict[str, Any]) -> None:
        self.traces += 1
        self.cost_usd += trace.get("cost_usd") or 0.0
        self.escalated += bool(trace.get("escalated"))
        sentiment = trace.get("sentiment")
        if sentiment and sentiment != "unknown":
            self.rated += 1
            self.negative += sentiment == "negative"
        for call in trace.get("tool_calls") or ():
            self.tool_calls += 1
            self.tool_failures += call.get("ok") is False or bool(call.get("error"))


@dataclass
class DailyAggregator:
    """agent -> day -> version -> counts; a few hundred small records for a week, whatever the volume."""

    days: dict[str, dict[date, dict[str, DayCounts]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(lambda: defaultdict(DayCounts)))
    )

    def observe(self, trace: dict[str, Any], started: datetime) -> None:
        version = trace.get("prompt_version") or "unknown"
        day = (started if started.tzinfo is UTC else started.astimezone(UTC)).date()  # UTC days, like the report's
        self.days[trace["agent"]][day][version].add(trace)

    def agent_days(self, agent: str) -> dict[date, dict[str, DayCounts]]:
        return {day: dict(versions) for day, versions in sorted(self.days.get(agent, {}).items())}


def day_counts(version: VersionState) -> DayCounts:
    """What the DailyAggregator would have counted, from a day's version state."""
    return DayCounts(
        traces=version.traces,
        cost_usd=version.cost_total,
        escalated=version.escalated,
        negative=version.sentiment.get("negative", 0),
        rated=sum(n for sentiment, n in version.sentiment.items() if sentiment != "unknown"),
        tool_calls=sum(tool.calls for tool in version.tools.values()),
        tool_failures=sum(tool.failures for tool in version.tools.values()),
    )
