"""Choose the trace source named by ``traces.source`` and fill the per-agent state from it.

Both sources end in the same AgentState, so the metrics and detectors cannot tell them apart:
``jsonl`` streams every trace through the Aggregator; ``supabase`` lets SQL functions aggregate
where the traces live and fills the state from their bounded results.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from optimizer.analysis.aggregate import AgentState, Aggregator
from optimizer.config import Settings
from optimizer.errors import ConfigError
from optimizer.models import SourceReport
from optimizer.traces.jsonl import JsonlTraceSource, Progress
from optimizer.traces.supabase import SupabaseTraceSource
from optimizer.traces.supabase_client import credentials


def observe(
    settings: Settings,
    traces: Path,
    start: datetime,
    end: datetime,
    agent: str | None,
    progress: Progress | None = None,
) -> tuple[dict[str, AgentState], SourceReport]:
    """The state of each agent seen in ``[start, end)``, and what the source read."""
    if settings.traces_source == "supabase":
        url, key = credentials(settings.supabase)
        remote = SupabaseTraceSource(url, key, settings.supabase)
        return remote.aggregate(start, end, agent), remote.report()
    if settings.traces_source != "jsonl":
        raise ConfigError(f"traces.source {settings.traces_source!r} is not one of: jsonl, supabase")
    source = JsonlTraceSource(traces, progress)
    aggregator = Aggregator()
    for started, trace in source.read(start, end, agent):
        aggregator.observe(trace, started)
    return aggregator.agents, source.report()
