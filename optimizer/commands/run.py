"""`optimizer run`: the daily job. A dry run prints each pull request it would open; a run with a
GitHub repository publishes them; without one, it builds the branches here and says so."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from optimizer.analysts.base import Analyst
from optimizer.analysts.choice import choose_analyst
from optimizer.commands.base import Echo, prepare
from optimizer.config import Settings
from optimizer.errors import OptimizerError
from optimizer.gitops.connection import publish_target
from optimizer.gitops.hosts.target import GitHubTarget
from optimizer.models import Analysis
from optimizer.propose.daily_run import run
from optimizer.propose.dashboard import dashboard_body
from optimizer.propose.outcome import AgentOutcome
from optimizer.propose.output_files import write_outputs
from optimizer.propose.publish import publish_run
from optimizer.propose.window import Selection, SelectionArgs
from optimizer.render.dashboard import dashboard_title
from optimizer.traces.jsonl import Progress
from optimizer.traces.retention import prune_traces


@dataclass(frozen=True)
class RunArgs:
    dry_run: bool
    output: Path | None
    analyst: str | None


def run_command(repo: Path, args: SelectionArgs, run_args: RunArgs, echo: Echo, progress: Progress | None) -> None:
    settings, selection = prepare(repo, args)
    analyst = choose_analyst(run_args.analyst or settings.analyst, settings.claude)
    target = None if run_args.dry_run else publish_target(settings)  # None: no GitHub repository to publish to
    errors: list[str] = []
    if target is not None:
        analysis, outcomes, errors = run_published(settings, selection, analyst, target, echo, progress)
    else:
        analysis, outcomes = run(settings, selection, analyst, dry_run=run_args.dry_run, progress=progress)
        for outcome in outcomes:
            _print_outcome(outcome, run_args.dry_run, settings.github.rejected_evidence_factor, echo)
            print_measured(outcome, echo)
            _print_rollback(outcome, run_args.dry_run, echo)
        if not run_args.dry_run:
            echo(
                "not published: no GitHub repository (github.repository, GITHUB_REPOSITORY or an origin remote).",
                err=True,
            )
    if run_args.output is not None:
        write_outputs(run_args.output, analysis, outcomes)
        echo(f"wrote pr-body.md, changes.patch, findings.json and proposals.json to {run_args.output}", err=True)
    if not run_args.dry_run:
        _apply_retention(settings, selection.now, echo)
    if errors:
        raise OptimizerError("publishing failed for " + "; ".join(errors))


def _apply_retention(settings: Settings, now: datetime, echo: Echo) -> None:
    """After the run has read what it needs: raw traces past ``retention.days`` go, rollups stay."""
    pruned = prune_traces(settings, now)
    if pruned is not None:
        deleted, more = pruned
        rest = "; older ones are left for the next run" if more else ""
        echo(f"retention: deleted {deleted:,} raw trace(s) older than {settings.retention_days:g} days{rest}", err=True)


def run_published(
    settings: Settings,
    selection: Selection,
    analyst: Analyst,
    target: GitHubTarget,
    echo: Echo,
    progress: Progress | None,
) -> tuple[Analysis, list[AgentOutcome], list[str]]:
    """Publish the run; one line per agent on stdout, notes on stderr; errors returned, not raised."""
    echo(f"publishing to {target.repository} at {target.api_url} (token from {target.token_source})", err=True)
    analysis, outcomes, published, errors = publish_run(
        settings, selection, analyst, target, progress, warn=lambda text: echo(f"warning: {text}", err=True)
    )
    for item in published:
        echo(item.line())
        for note in item.notes:
            echo(f"{item.agent}: {note}", err=True)
    for outcome in outcomes:
        print_measured(outcome, echo)
    return analysis, outcomes, errors


def _print_dashboard(outcome: AgentOutcome, factor: float, echo: Echo) -> None:
    """The dashboard issue as a first run would open it (a dry run reads no issue)."""
    if not outcome.plan.action_items:
        return
    body, _state = dashboard_body(outcome, None, factor)
    echo(f"\n---- dashboard issue: {dashboard_title(outcome.agent)} ----\n")
    echo(body)


def _print_outcome(outcome: AgentOutcome, dry_run: bool, factor: float, echo: Echo) -> None:
    if outcome.pr is None:
        echo(f"{outcome.agent}: nothing worth changing in this window.", err=True)
        return
    if dry_run:
        echo(f"# {outcome.pr.title}\n")
        echo(outcome.pr.body)
        if outcome.branch:
            echo(f"\n---- diff: {outcome.branch.branch} ({len(outcome.branch.commit_shas)} commit(s)) ----\n")
            echo(outcome.branch.patch)
        _print_dashboard(outcome, factor, echo)
        echo(f"dry run: nothing pushed, no branch moved ({outcome.agent}).", err=True)
        return
    if outcome.branch:
        commits = len(outcome.branch.commit_shas)
        echo(f"{outcome.agent}: branch {outcome.branch.branch} -> {outcome.branch.head_sha[:12]} ({commits} commit(s))")
    echo(f"{outcome.agent}: {outcome.pr.title}")


def print_measured(outcome: AgentOutcome, echo: Echo) -> None:
    """The last change's verdicts, on stderr (the pull request and the run record have the detail)."""
    if outcome.measurement is not None:
        echo(f"{outcome.agent}: last change: {outcome.measurement.measurement.summary}", err=True)


def _print_rollback(outcome: AgentOutcome, dry_run: bool, echo: Echo) -> None:
    """A dry run prints the revert pull request in full, like the optimizer's own; a local run names its branch."""
    rollback = outcome.rollback
    if rollback is None:
        return
    if rollback.branch is None:
        echo(f"{outcome.agent}: rollback not proposed: {rollback.refused}", err=True)
        return
    if not dry_run:
        branch = rollback.branch
        echo(f"{outcome.agent}: rollback branch {branch.branch} -> {branch.head_sha[:12]}: {rollback.title}")
        return
    echo(f"# {rollback.title}\n")
    echo(rollback.body)
    echo(f"\n---- diff: {rollback.branch.branch} (1 commit) ----\n")
    echo(rollback.branch.patch)
    echo(f"dry run: the revert was not pushed, no branch moved ({outcome.agent}).", err=True)
