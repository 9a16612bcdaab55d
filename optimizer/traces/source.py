"""What the loop asks of a trace source, and the sources by name (``traces.source`` in optimizer.yaml).

Every source ends in the same AgentState, so the metrics and detectors cannot tell them apart:
``jsonl`` streams every trace through the aggregators in bounded memory; ``supabase`` lets SQL
functions aggregate where the traces live and fills the state from their bounded results. A
source's module is imported only when it is chosen, so a JSONL run never loads a database client.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Protocol

from optimizer.analysis.aggregate import AgentState
from optimizer.analysis.daily import DailyAggregator
from optimizer.config import Settings, on_ci
from optimizer.errors import ConfigError
from optimizer.models import SourceReport
from optimizer.traces.jsonl import Progress

TRACES_DOCS = "docs/deploy.md#how-traces-reach-the-daily-job"


class TraceSource(Protocol):
    def observe(self, start: datetime, end: datetime, agent: str | None) -> tuple[dict[str, AgentState], SourceReport]:
        """Everything the detectors need about each agent seen in ``[start, end)``, and what was read."""
        ...

    def versions(self, start: datetime, end: datetime, agent: str | None) -> dict[str, AgentState]:
        """Per agent, the state of each prompt_version: enough to compare versions (a long window)."""
        ...

    def days(self, start: datetime, end: datetime, agent: str | None) -> tuple[DailyAggregator, dict[str, AgentState]]:
        """Per agent x UTC day x version counts, and the version states of the whole window."""
        ...


def _jsonl(settings: Settings, path: Path, progress: Progress | None) -> TraceSource:
    from optimizer.traces.jsonl_source import JsonlSource

    if not path.exists() and on_ci(os.environ):
        raise ConfigError(missing_on_ci(settings, path, os.environ))
    return JsonlSource(path, progress, settings.claude.prices)


def missing_on_ci(settings: Settings, path: Path, env: Mapping[str, str]) -> str:
    """What to configure when a CI runner's checkout has no JSONL traces: it holds only what is committed."""
    supabase = settings.supabase.secret_names
    if settings.supabase.secrets_set(env):
        return f"{path}: no traces in this checkout, but {supabase} are set: set traces.source: supabase"
    return (
        f"{path}: no traces in this checkout (a CI runner has only what is committed): set traces.source: supabase "
        f"in optimizer.yaml with the secrets {supabase}, or commit the JSONL files under traces.path, or download "
        f"them from another workflow's artifact before the run ({TRACES_DOCS})"
    )


def _supabase(settings: Settings, path: Path, progress: Progress | None) -> TraceSource:
    from optimizer.traces.supabase_source import SupabaseSource

    return SupabaseSource.from_settings(settings.supabase)


SOURCES: dict[str, Callable[[Settings, Path, Progress | None], TraceSource]] = {
    "jsonl": _jsonl,
    "supabase": _supabase,
}


def open_source(settings: Settings, path: Path, progress: Progress | None = None) -> TraceSource:
    """The source ``traces.source`` names; ``path`` is where a file-based source reads."""
    factory = SOURCES.get(settings.traces_source)
    if factory is None:
        raise ConfigError(f"traces.source {settings.traces_source!r} is not one of: {', '.join(SOURCES)}")
    return factory(settings, path, progress)
