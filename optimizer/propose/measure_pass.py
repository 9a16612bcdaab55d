"""The run's measurement pass: each agent's prompt versions over the lookback window, judged.

A second pass over the trace source (``lookback``), separate from the daily window, because a
version's effect needs more traces than one day holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path

from optimizer.analysis.metrics import version_metrics
from optimizer.config import Settings
from optimizer.history.model import History
from optimizer.measure.effects import AgentMeasurement, guards_from, measure_agent
from optimizer.timeutil import iso
from optimizer.traces.source import open_source


def measure_agents(
    settings: Settings, traces: Path, now: datetime, agent: str | None, histories: Mapping[str, History]
) -> dict[str, AgentMeasurement]:
    """One measurement per agent in ``histories`` (the agents the run plans for)."""
    if not histories:
        return {}
    start = now - timedelta(days=settings.measure.lookback_days)
    states = open_source(settings, traces).versions(start, now, agent)
    guards = guards_from(settings.measure.guards)
    window = (iso(start), iso(now))
    return {
        name: measure_agent(
            name,
            version_metrics(states[name]) if name in states else (),
            history,
            window,
            settings.measure.min_samples,
            guards,
        )
        for name, history in histories.items()
    }
