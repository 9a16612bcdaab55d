"""The CLI's GitHub verbs: `run` when it publishes, and `command` (PR comments), as plain functions."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path

from optimizer.analysts.base import Analyst
from optimizer.approve.comment_commands import obey, read_event
from optimizer.commands.run_output import print_measured
from optimizer.config import Settings, load_settings
from optimizer.errors import OptimizerError
from optimizer.gitops.hosts.target import GitHubTarget
from optimizer.models import Analysis
from optimizer.propose.daily_run import AgentOutcome, Selection, SelectionArgs, choose_analyst, selection_from
from optimizer.propose.publish import Published, publish_run
from optimizer.traces.jsonl import Progress

Echo = Callable[..., None]


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


def command_command(
    repo: Path,
    event_path: Path | None,
    args: SelectionArgs,
    analyst_name: str | None,
    echo: Echo,
    env: Mapping[str, str] = os.environ,
) -> None:
    """`optimizer command`: obey the /optimizer command in the comment of an issue_comment event."""
    path = event_path or (Path(env["GITHUB_EVENT_PATH"]) if env.get("GITHUB_EVENT_PATH") else None)
    if path is None:
        raise OptimizerError("no event: pass --event FILE or set GITHUB_EVENT_PATH (GitHub Actions sets it)")
    if not repo.is_dir():
        raise OptimizerError(f"{repo}: not a directory (pass the agent repo with --repo)")
    event = read_event(path)
    settings = load_settings(repo)

    def refresh(agent: str, target: GitHubTarget) -> list[Published]:
        selection = selection_from(settings, replace(args, agent=agent))
        analyst = choose_analyst(analyst_name or settings.analyst, settings.claude)
        _analysis, _outcomes, published, errors = publish_run(settings, selection, analyst, target, None)
        if errors:
            raise OptimizerError("; ".join(errors))
        return published

    echo(obey(event, settings, env, refresh))
