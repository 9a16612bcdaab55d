"""The daily loop: observe traces, analyse, plan guarded edits, build the branch, render the PR.

I/O sits at the edges of this module (the trace source, the git repo); everything in between is
the pure core.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from optimizer.analysis.aggregate import AgentState, Aggregator
from optimizer.analysis.engine import analyse_agent
from optimizer.analysts.base import Analyst
from optimizer.analysts.heuristic import HeuristicAnalyst
from optimizer.artifacts.files import RepoFiles
from optimizer.artifacts.loader import discover_agents, load_agent
from optimizer.artifacts.model import AgentArtifacts
from optimizer.config import Settings
from optimizer.errors import ConfigError
from optimizer.gitops.pr_body import PrContext, RenderedPr, render_pr
from optimizer.gitops.repo import AgentRepo, BuiltBranch
from optimizer.models import Analysis, Window
from optimizer.planning import Plan, plan_agent
from optimizer.timeutil import iso, utc_now
from optimizer.traces.jsonl import JsonlTraceSource, Progress


@dataclass(frozen=True)
class Selection:
    """What the command line selected: one agent or all, the traces, the window."""

    agent: str | None
    traces: Path
    window_hours: float
    now: datetime


@dataclass(frozen=True)
class AgentOutcome:
    agent: str
    plan: Plan
    branch: BuiltBranch | None  # None when there is nothing to commit
    pr: RenderedPr | None  # None when there is nothing to propose or report


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


def analyse(
    settings: Settings, files: RepoFiles, selection: Selection, progress: Progress | None = None
) -> tuple[Analysis, dict[str, AgentArtifacts]]:
    """Stream the traces of the window once, then run every detector for each agent."""
    artifacts = _load_artifacts(files, selection.agent)
    end = selection.now
    start = end - timedelta(hours=selection.window_hours)
    source = JsonlTraceSource(selection.traces, progress)
    aggregator = Aggregator()
    for started, trace in source.read(start, end, selection.agent):
        aggregator.observe(trace, started)
    names = [selection.agent] if selection.agent else sorted(set(artifacts) | set(aggregator.agents))
    agents = tuple(
        analyse_agent(aggregator.agents.get(name) or AgentState(name), artifacts.get(name), settings.thresholds)
        for name in names
    )
    window = Window(iso(start), iso(end), selection.window_hours)
    return Analysis(window, source.report(), agents), artifacts


def _load_artifacts(files: RepoFiles, agent: str | None) -> dict[str, AgentArtifacts]:
    if agent is not None:
        return {agent: load_agent(files, agent)}  # raises UnknownAgentError, naming the known agents
    return {name: load_agent(files, name) for name in discover_agents(files)}


def choose_analyst(name: str) -> Analyst:
    """The deterministic analyst; `auto` will pick Claude when ANTHROPIC_API_KEY is set once it exists."""
    if name in ("auto", "heuristic"):
        return HeuristicAnalyst()
    raise ConfigError(f"analyst {name!r} is not available in this version; use --analyst heuristic")


def run(
    settings: Settings, selection: Selection, analyst: Analyst, *, dry_run: bool, progress: Progress | None = None
) -> tuple[Analysis, list[AgentOutcome]]:
    """The daily job for each selected agent. With dry_run, only unreferenced git objects are written."""
    repo = AgentRepo(settings.repo)
    base_sha = repo.resolve_base(settings.base_branch)
    files = repo.files_at(base_sha)
    analysis, artifacts = analyse(settings, files, selection, progress)
    outcomes = []
    for agent_analysis in analysis.agents:
        if agent_analysis.agent not in artifacts:
            continue  # traces from an agent this repo does not hold: nothing to edit
        plan = plan_agent(agent_analysis, artifacts[agent_analysis.agent], analyst, files, settings.limits)
        branch = None
        if plan.commits:
            branch = repo.build_branch(base_sha, list(plan.commits), f"optimizer/{plan.agent}", update_ref=not dry_run)
        pr = None
        if plan.proposals or plan.action_items:
            context = PrContext(
                agent=plan.agent,
                analysis=agent_analysis,
                window=analysis.window,
                source=analysis.source,
                proposals=plan.proposals,
                action_items=plan.action_items,
                refusals=plan.refusals,
                run_id=run_id(analysis.window, plan.agent),
                analyst=plan.analyst,
                base_sha=base_sha,
                commit_shas=branch.commit_shas if branch else (),
            )
            pr = render_pr(context)
        outcomes.append(AgentOutcome(plan.agent, plan, branch, pr))
    return analysis, outcomes


def run_id(window: Window, agent: str) -> str:
    """Stable for a given window and agent, so re-running the same day is recognisable."""
    return f"{agent}-{window.end.replace(':', '').replace('-', '')}"
