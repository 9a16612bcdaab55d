"""The weekly picture of one agent, as data: per day, per version, and what each decision did."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from optimizer.analysis.daily import DayCounts
from optimizer.measure.effects import DecisionEffect
from optimizer.models import VersionMetrics


@dataclass(frozen=True)
class DayRow:
    day: date
    traces: int
    cost_usd: float
    escalation_rate: float | None
    negative_rate: float | None
    tool_failure_rate: float | None
    versions: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "day": self.day.isoformat(), "versions": list(self.versions)}


@dataclass(frozen=True)
class AgentReport:
    agent: str
    days: tuple[DayRow, ...]
    versions: tuple[VersionMetrics, ...]
    decisions: tuple[DecisionEffect, ...]


def day_rows(days: dict[date, dict[str, DayCounts]], period: tuple[date, date] | None = None) -> tuple[DayRow, ...]:
    """One row per day with traces; with ``period`` (first and last day), every day in it, empty ones too."""
    if period is not None:
        first, last = period
        every = (first + timedelta(days=n) for n in range((last - first).days + 1))
        days = {day: days.get(day, {}) for day in every}
    rows = []
    for day, versions in sorted(days.items()):
        total = DayCounts()
        for counts in versions.values():
            for name in ("traces", "cost_usd", "escalated", "negative", "rated", "tool_calls", "tool_failures"):
                setattr(total, name, getattr(total, name) + getattr(counts, name))
        rows.append(
            DayRow(
                day=day,
                traces=total.traces,
                cost_usd=round(total.cost_usd, 6),
                escalation_rate=_share(total.escalated, total.traces),
                negative_rate=_share(total.negative, total.rated),
                tool_failure_rate=_share(total.tool_failures, total.tool_calls),
                versions=tuple(sorted(versions)),
            )
        )
    return tuple(rows)


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
