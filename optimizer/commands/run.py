"""What each CLI verb does, as plain functions: arguments in, text out through ``echo``."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from optimizer.analysis.serialize import analysis_to_dict
from optimizer.artifacts.files import WorkingTreeFiles
from optimizer.artifacts.loader import discover_agents, load_agent
from optimizer.artifacts.validate import validate_agent
from optimizer.commands.command import run_published
from optimizer.commands.run_output import print_measured, print_rollback
from optimizer.config import Settings, load_settings
from optimizer.errors import ArtifactError, OptimizerError, ValidationFailed
from optimizer.propose.daily_run import (
    AgentOutcome,
    Selection,
    SelectionArgs,
    analyse,
    choose_analyst,
    run,
    selection_from,
)
from optimizer.propose.output_files import write_outputs
from optimizer.propose.publish import publish_target
from optimizer.render.analysis import render_analysis
from optimizer.traces.jsonl import Progress

Echo = Callable[..., None]


def validate_command(repo: Path, agent: str | None, echo: Echo) -> None:
    _require_dir(repo)
    load_settings(repo)  # a broken optimizer.yaml is a validation error too
    files = WorkingTreeFiles(repo)
    agents = [agent] if agent else discover_agents(files)
    if not agents:
        raise ArtifactError(f"{repo}: no agents found: expected souls/<agent>.yaml or prompts/<agent>/*.md")
    errors = warnings = 0
    for name in agents:
        for issue in validate_agent(load_agent(files, name)):
            echo(str(issue))
            errors += issue.severity == "error"
            warnings += issue.severity == "warning"
    summary = f"{len(agents)} agent(s) checked: {errors} error(s), {warnings} warning(s)"
    if errors:
        raise ValidationFailed(summary)
    echo(summary)


def analyze_command(repo: Path, args: SelectionArgs, output_format: str, echo: Echo, progress: Progress | None) -> None:
    settings, selection = _prepare(repo, args)
    analysis, _artifacts = analyse(settings, WorkingTreeFiles(repo), selection, progress)
    if output_format == "json":
        echo(json.dumps(analysis_to_dict(analysis), indent=2, ensure_ascii=False))
    else:
        echo(render_analysis(analysis))


@dataclass(frozen=True)
class RunArgs:
    dry_run: bool
    output: Path | None
    analyst: str | None


def run_command(repo: Path, args: SelectionArgs, run_args: RunArgs, echo: Echo, progress: Progress | None) -> None:
    settings, selection = _prepare(repo, args)
    analyst = choose_analyst(run_args.analyst or settings.analyst, settings.claude)
    target = None if run_args.dry_run else publish_target(settings)  # None: no GitHub repository to publish to
    errors: list[str] = []
    if target is not None:
        analysis, outcomes, errors = run_published(settings, selection, analyst, target, echo, progress)
    else:
        analysis, outcomes = run(settings, selection, analyst, dry_run=run_args.dry_run, progress=progress)
        for outcome in outcomes:
            _print_outcome(outcome, run_args.dry_run, echo)
            print_measured(outcome, echo)
            print_rollback(outcome, run_args.dry_run, echo)
        if not run_args.dry_run:
            echo(
                "not published: no GitHub repository (github.repository, GITHUB_REPOSITORY or an origin remote).",
                err=True,
            )
    if run_args.output is not None:
        write_outputs(run_args.output, analysis, outcomes)
        echo(f"wrote pr-body.md, changes.patch, findings.json and proposals.json to {run_args.output}", err=True)
    if errors:
        raise OptimizerError("publishing failed for " + "; ".join(errors))


def _prepare(repo: Path, args: SelectionArgs) -> tuple[Settings, Selection]:
    _require_dir(repo)
    settings = load_settings(repo)
    return settings, selection_from(settings, args)


def _print_outcome(outcome: AgentOutcome, dry_run: bool, echo: Echo) -> None:
    if outcome.pr is None:
        echo(f"{outcome.agent}: nothing worth changing in this window.", err=True)
        return
    if dry_run:
        echo(f"# {outcome.pr.title}\n")
        echo(outcome.pr.body)
        if outcome.branch:
            echo(f"\n---- diff: {outcome.branch.branch} ({len(outcome.branch.commit_shas)} commit(s)) ----\n")
            echo(outcome.branch.patch)
        echo(f"dry run: nothing pushed, no branch moved ({outcome.agent}).", err=True)
        return
    if outcome.branch:
        commits = len(outcome.branch.commit_shas)
        echo(f"{outcome.agent}: branch {outcome.branch.branch} -> {outcome.branch.head_sha[:12]} ({commits} commit(s))")
    echo(f"{outcome.agent}: {outcome.pr.title}")


def _require_dir(repo: Path) -> None:
    if not repo.is_dir():
        raise OptimizerError(f"{repo}: not a directory (pass the agent repo with --repo)")
