"""`optimizer report`: the weekly picture per agent, as Markdown (with Mermaid charts) or JSON."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from optimizer.analysis.metrics import version_metrics
from optimizer.commands.agents import list_agents
from optimizer.commands.base import Echo
from optimizer.config import load_settings
from optimizer.errors import OptimizerError
from optimizer.fmt import json_text
from optimizer.history.model import History
from optimizer.history.read import read_decisions
from optimizer.measure.effects import DecisionEffect, effects_of_merges
from optimizer.render.report import render_json, render_markdown
from optimizer.reporting.build import AgentReport, day_rows
from optimizer.timeutil import iso, parse_timestamp, utc_now
from optimizer.traces.source import open_source


@dataclass(frozen=True)
class ReportArgs:
    agent: str | None = None
    days: int = 7
    output_format: str = "markdown"
    traces: Path | None = None
    now: datetime | None = None


def report_command(repo: Path, args: ReportArgs, echo: Echo, env: Mapping[str, str] = os.environ) -> None:
    agents = list_agents(repo, args.agent)  # checks the repo and the agent
    settings = load_settings(repo)
    end = args.now or settings.now or utc_now()
    try:
        start = end - timedelta(days=args.days)
    except OverflowError as err:
        raise OptimizerError(f"--days {args.days}: the period before {end.isoformat()} starts before year 1") from err
    traces = args.traces if args.traces is not None else settings.resolve_traces_path()
    daily, states = open_source(settings, traces).days(start, end, args.agent)
    histories = read_decisions(settings, agents, env, lambda text: echo(f"warning: {text}", err=True))
    reports = []
    for agent in agents:
        versions = version_metrics(states[agent]) if agent in states else ()
        decided = decided_between(histories.get(agent, History()), start, end)
        decisions = effects_of_merges(decided, versions, settings.measure.min_samples)
        days = day_rows(daily.agent_days(agent), _period(start, end))
        reports.append(AgentReport(agent, days, versions, _merged_first(decisions)))
    if args.output_format == "json":
        echo(json_text(render_json(reports, iso(start), iso(end))))
    else:
        echo(render_markdown(reports, iso(start), iso(end)), nl=False)


def decided_between(history: History, start: datetime, end: datetime) -> History:
    """The approvals and rejections decided in ``[start, end)``."""
    kept = []
    for proposal in history.proposals:
        moment = parse_timestamp(proposal.decided_at) if proposal.decided_at else None
        if proposal.outcome != "open" and moment is not None and start <= moment < end:
            kept.append(proposal)
    return History(tuple(kept))


def _period(start: datetime, end: datetime) -> tuple[date, date]:
    """The UTC days ``[start, end)`` touches."""
    last = end.astimezone(UTC) - timedelta(microseconds=1)
    return start.astimezone(UTC).date(), last.date()


def _merged_first(decisions: tuple[DecisionEffect, ...]) -> tuple[DecisionEffect, ...]:
    return tuple(sorted(decisions, key=lambda d: (d.proposal.outcome != "approved", d.proposal.decided_at or "")))
