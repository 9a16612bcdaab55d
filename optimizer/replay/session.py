"""A replay, from the changes to the report: the set mined from the window's traces, the client opened
at the edge, every conversation replayed within the budget. Used by the daily run for its own
proposals and by ``optimizer replay`` for any pull request.

Without ANTHROPIC_API_KEY there is no replay, and the report says why in one line; so it does for
traces read from a source other than JSONL, or a model without a price.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from optimizer.artifacts.files import RepoFiles
from optimizer.artifacts.overlay import OverlayFiles
from optimizer.config import Settings
from optimizer.errors import ConfigError
from optimizer.models import Finding
from optimizer.pricing import price_for
from optimizer.replay.budget import Budget
from optimizer.replay.mine import Limits, Target, agent_model, mine
from optimizer.replay.model import ReplayReport
from optimizer.replay.runner import Versions, replay_sets
from optimizer.replay.system import AgentVersion, agent_version
from optimizer.traces.formats import open_reader

NO_KEY = "no ANTHROPIC_API_KEY, so the conversations behind the findings were not replayed"


@dataclass(frozen=True)
class Change:
    """One change to replay: its title, the finding it answers (None: a holdout only), its files before and after."""

    title: str
    finding: Finding | None
    before: RepoFiles
    after: RepoFiles


@dataclass(frozen=True)
class Window:
    traces: Path
    start: datetime
    end: datetime


def replay_changes(
    settings: Settings, agent: str, changes: Sequence[Change], window: Window, environ: Mapping[str, str]
) -> ReplayReport:
    """The replay of ``changes`` (in their order, numbered from 1), or the reason there is none."""
    skipped = _why_not(settings, environ)
    if skipped:
        return ReplayReport(skipped=skipped)
    replay = settings.replay
    targets = [Target(n, change.title, change.finding or _holdout_only(agent)) for n, change in enumerate(changes, 1)]
    limits = Limits(replay.max_conversations - replay.holdout, replay.holdout)
    sets = mine(_records(window, agent), targets, limits)
    model = agent_model(sets)
    if model is None:
        return ReplayReport(skipped="no trace of the window names the agent's model (the trace field `model`)")
    try:
        price = price_for(model, settings.claude.prices)
    except ConfigError as err:
        return ReplayReport(skipped=str(err))
    compiled: dict[int, AgentVersion] = {}

    def version(files: RepoFiles) -> AgentVersion:
        if id(files) not in compiled:
            compiled[id(files)] = agent_version(files, agent, replay.placeholders)
        return compiled[id(files)]

    pairs = [(s, Versions(version(c.before), version(c.after))) for s, c in zip(sets, changes, strict=True)]
    budget = Budget(replay.budget_usd, price)
    from optimizer.analysts.claude_client import MessagesClient  # the SDK loads only when a replay runs

    base_url = settings.claude.base_url or environ.get("ANTHROPIC_BASE_URL") or None
    with MessagesClient(settings.claude, environ["ANTHROPIC_API_KEY"].strip(), base_url) as client:
        proposals = replay_sets(client, pairs, replay, model, budget)
    notes = [f"Stopped early: {budget.stopped}; the conversations left were not replayed."] if budget.stopped else []
    notes += [f"Proposal {s.proposal}: no conversation in the window to replay." for s in sets if not s.conversations]
    return ReplayReport(model=model, budget_usd=replay.budget_usd, proposals=proposals, notes=tuple(notes))


def _why_not(settings: Settings, environ: Mapping[str, str]) -> str | None:
    if not settings.replay.enabled:
        return "replay.enabled is false in optimizer.yaml"
    if not environ.get("ANTHROPIC_API_KEY", "").strip():
        return NO_KEY
    if settings.traces_source != "jsonl":
        return f"traces.source is {settings.traces_source}: the replay reads conversations from trace files only"
    return None


def _holdout_only(agent: str) -> Finding:
    """A change that answers no finding is replayed on conversations that went well, to see none breaks."""
    return Finding(kind="change", agent=agent, subject="", title="", score=0.0)


def _records(window: Window, agent: str) -> Iterator[dict[str, Any]]:
    reader = open_reader(window.traces)  # canonical records or OTLP/JSON, told by the files' content
    return (record for _started, record in reader.read(window.start, window.end, agent))


def overlays(base: RepoFiles, commits: Iterable[Mapping[str, str]]) -> list[RepoFiles]:
    """The files after each commit in turn (each commit's changes laid over those before it)."""
    states: list[RepoFiles] = []
    changed: dict[str, str] = {}
    for commit in commits:
        changed = {**changed, **commit}
        overlay = OverlayFiles(base)
        overlay.changed = changed
        states.append(overlay)
    return states
