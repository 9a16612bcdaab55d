"""`optimizer replay`: a pull request's prompt and soul replayed on the conversations behind the findings.

For each agent whose prompts or soul differ between ``--base`` and ``--head``, the findings the
change answers (the ``Optimizer-Finding`` trailers of its commits, else the agent's strongest
findings a grader can judge) are replayed on the window's conversations with the files at both
commits. The table goes to stdout and, on GitHub Actions, to the job summary; a holdout
conversation that the base passes and the head fails makes the command exit 1.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

from optimizer.artifacts.files import RepoFiles
from optimizer.artifacts.turn_cost import compare
from optimizer.commands.base import Echo, prepare
from optimizer.config import ReplaySettings, Settings
from optimizer.errors import ConfigError, OptimizerError
from optimizer.fmt import json_text
from optimizer.gitops.branches import FINDING_TRAILER, trailers
from optimizer.gitops.repo import AgentRepo
from optimizer.models import AgentAnalysis, Finding
from optimizer.propose.window import SelectionArgs, analyze_window
from optimizer.render.replay import replay_section
from optimizer.replay.model import ReplayReport
from optimizer.replay.session import Change, Window, replay_changes

GRADED = ("knowledge_gap", "escalation", "tool_failure")  # the kinds with a grader of their own
MAX_FINDINGS = 3  # replayed for a change whose commits name none


@dataclass(frozen=True)
class ReplayArgs:
    base: str
    head: str
    budget_usd: float | None = None
    max_conversations: int | None = None
    output: Path | None = None
    summary: Path | None = None  # default: $GITHUB_STEP_SUMMARY when set


def replay_command(
    repo: Path, args: SelectionArgs, options: ReplayArgs, echo: Echo, environ: Mapping[str, str] = os.environ
) -> None:
    settings, selection = prepare(repo, args)
    settings = _with_options(settings, options)
    with AgentRepo(repo) as git_repo:
        before, after = git_repo.files_at(options.base), git_repo.files_at(options.head)
        messages = [commit.message for commit in git_repo.commits(before.sha, after.sha)]
    changed = sorted({cost.agent for cost in compare(before, after, 0.0, before.sha, after.sha).changed if cost.agent})
    agents = [agent for agent in changed if args.agent in (None, agent)]
    if not agents:
        echo(f"replay: {options.base}..{options.head} edits no prompt or soul; nothing to replay", err=True)
        return
    analysis, _artifacts = analyze_window(settings, after, selection)
    window = Window(selection.traces, selection.now - timedelta(hours=selection.window_hours), selection.now)
    claimed = {key for message in messages for key in trailers(message, FINDING_TRAILER)}
    reports = {
        a.agent: replay_changes(settings, a.agent, _changes(a, claimed, before, after), window, environ)
        for a in analysis.agents
        if a.agent in agents
    }
    span = f"{before.sha[:12]} → {after.sha[:12]}"
    markdown = "\n\n".join(replay_section(r, f"### Replay: {agent} ({span})") for agent, r in reports.items())
    echo(markdown)
    _write(options, environ, markdown, reports)
    _fail_on_regression(reports)


def _changes(analysis: AgentAnalysis, claimed: set[str], before: RepoFiles, after: RepoFiles) -> list[Change]:
    """One change per finding the pull request answers; without any, the holdout alone."""
    findings = _findings(analysis, claimed)
    if not findings:
        return [Change("the change (no finding to fix: the holdout only)", None, before, after)]
    return [Change(finding.title, finding, before, after) for finding in findings]


def _fail_on_regression(reports: dict[str, ReplayReport]) -> None:
    regressed = [
        f"{agent}: {r.conversation.trace_id}"
        for agent, report in reports.items()
        for p in report.proposals
        for r in p.regressions
    ]
    if regressed:
        raise OptimizerError(
            f"replay: {len(regressed)} holdout conversation(s) regressed ({', '.join(regressed[:5])}); "
            "see the verdicts in the table"
        )


def _with_options(settings: Settings, options: ReplayArgs) -> Settings:
    replay: ReplaySettings = settings.replay
    if options.budget_usd is not None:
        replay = replace(replay, budget_usd=options.budget_usd)
    if options.max_conversations is not None:
        replay = replace(replay, max_conversations=options.max_conversations)
    if replay.holdout >= replay.max_conversations:
        raise ConfigError(
            f"--max-conversations {replay.max_conversations}: must be more than replay.holdout ({replay.holdout})"
        )
    return replace(settings, replay=replace(replay, enabled=True))  # asked for by name: enabled is the daily run's


def _findings(analysis: AgentAnalysis, claimed: set[str]) -> list[Finding]:
    """The findings the change names in its commits, else the strongest ones a grader can judge."""
    named = [finding for finding in analysis.findings if finding.key in claimed]
    return named or [finding for finding in analysis.findings if finding.kind in GRADED][:MAX_FINDINGS]


def _write(options: ReplayArgs, environ: Mapping[str, str], markdown: str, reports: dict[str, ReplayReport]) -> None:
    summary = options.summary or (Path(environ["GITHUB_STEP_SUMMARY"]) if environ.get("GITHUB_STEP_SUMMARY") else None)
    try:
        if summary is not None:
            with summary.open("a", encoding="utf-8") as stream:
                stream.write(markdown + "\n")
        if options.output is not None:
            for agent, report in reports.items():
                folder = options.output / agent
                folder.mkdir(parents=True, exist_ok=True)
                (folder / "replay.json").write_text(json_text({"agent": agent, **report.to_dict()}) + "\n", "utf-8")
    except OSError as err:
        raise OptimizerError(f"{err.filename or summary}: cannot write the replay: {err.strerror or err}") from err
