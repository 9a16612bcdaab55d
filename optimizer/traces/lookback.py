"""Long windows read from the trace source: the run's measurement pass and the weekly report's.

``jsonl`` streams the files once more through the lean VersionAggregator (and, for the report,
the DailyAggregator), in bounded memory. ``supabase`` asks the same SQL function as the daily
pass, once for the window and, for the report, once per UTC day: no trace rows cross the wire.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from optimizer.analysis.aggregate import AgentState, VersionState
from optimizer.analysis.daily import DailyAggregator, DayCounts
from optimizer.analysis.versions import VersionAggregator
from optimizer.config import Settings
from optimizer.errors import ConfigError
from optimizer.traces.jsonl import JsonlTraceSource
from optimizer.traces.source import observe


def read_versions(
    settings: Settings, traces: Path, start: datetime, end: datetime, agent: str | None
) -> dict[str, AgentState]:
    """Per agent, the state of each prompt_version seen in ``[start, end)``."""
    if _source(settings) == "supabase":
        return observe(settings, traces, start, end, agent)[0]
    aggregator = VersionAggregator()
    for started, trace in JsonlTraceSource(traces).read(start, end, agent):
        aggregator.observe(trace, started)
    return aggregator.agents


def read_days(
    settings: Settings, traces: Path, start: datetime, end: datetime, agent: str | None
) -> tuple[DailyAggregator, dict[str, AgentState]]:
    """Per agent x UTC day x version counts, and the version states of the whole window."""
    daily = DailyAggregator()
    if _source(settings) == "supabase":
        for day_start, day_end in utc_days(start, end):
            for name, state in observe(settings, traces, day_start, day_end, agent)[0].items():
                for version, counts in state.versions.items():
                    daily.days[name][day_start.date()][version] = day_counts(counts)
        return daily, observe(settings, traces, start, end, agent)[0]
    aggregator = VersionAggregator()
    for started, trace in JsonlTraceSource(traces).read(start, end, agent):
        daily.observe(trace, started)
        aggregator.observe(trace, started)
    return daily, aggregator.agents


def utc_days(start: datetime, end: datetime) -> Iterator[tuple[datetime, datetime]]:
    """``[start, end)`` cut at UTC midnights (the first and last pieces may be part days)."""
    cursor = start.astimezone(UTC)
    while cursor < end:
        midnight = datetime.combine(cursor.date() + timedelta(days=1), time(), tzinfo=UTC)
        yield cursor, min(midnight, end)
        cursor = midnight


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


def _source(settings: Settings) -> str:
    if settings.traces_source not in ("jsonl", "supabase"):
        raise ConfigError(f"traces.source {settings.traces_source!r} is not one of: jsonl, supabase")
    return settings.traces_source
