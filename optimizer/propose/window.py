"""The first step of every run: what the command line selected, and the window's analysis (the
traces read once from their source, then every detector for each agent). `optimizer analyze`
stops here; `optimizer run` goes on to propose.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from optimizer.analysis.aggregate import AgentState
from optimizer.analysis.engine import analyze_agent
from optimizer.artifacts.files import RepoFiles
from optimizer.artifacts.loader import discover_agents, load_valid_agent
from optimizer.artifacts.model import AgentArtifacts
from optimizer.config import Settings
from optimizer.models import Analysis, Window
from optimizer.timeutil import iso, utc_now
from optimizer.traces.jsonl import Progress
from optimizer.traces.source import open_source


@dataclass(frozen=True)
class Selection:
    """What the command line selected: one agent or all, the traces, the window."""

    agent: str | None
    traces: Path
    window_hours: float
    now: datetime


@dataclass(frozen=True)
class SelectionArgs:
    """The selection as given on the command line; None means: from optimizer.yaml or the default."""

    agent: str | None = None
    traces: Path | None = None
    window_hours: float | None = None
    now: datetime | None = None


def selection_from(settings: Settings, args: SelectionArgs) -> Selection:
    return Selection(
        agent=args.agent,
        traces=args.traces if args.traces is not None else settings.resolve_traces_path(),
        window_hours=args.window_hours if args.window_hours is not None else settings.window_hours,
        now=args.now or settings.now or utc_now(),
    )


def analyze_window(
    settings: Settings, files: RepoFiles, selection: Selection, progress: Progress | None = None
) -> tuple[Analysis, dict[str, AgentArtifacts]]:
    """Stream the traces of the window once, then run every detector for each agent."""
    artifacts = _load_artifacts(files, selection.agent)
    end = selection.now
    start = end - timedelta(hours=selection.window_hours)
    source = open_source(settings, selection.traces, progress)
    states, report = source.observe(start, end, selection.agent)
    names = [selection.agent] if selection.agent else sorted(set(artifacts) | set(states))
    agents = tuple(
        analyze_agent(states.get(name) or AgentState(name), artifacts.get(name), settings.thresholds) for name in names
    )
    window = Window(iso(start), iso(end), selection.window_hours)
    return Analysis(window, report, agents), artifacts


def _load_artifacts(files: RepoFiles, agent: str | None) -> dict[str, AgentArtifacts]:
    if agent is not None:
        return {agent: load_valid_agent(files, agent)}  # raises UnknownAgentError, naming the known agents
    return {name: load_valid_agent(files, name) for name in discover_agents(files)}
