"""`optimizer command`: obey the `/optimizer` command in a pull request comment (the comments workflow's
issue_comment event), for people with write access; with ``--check-author``, only decide whether its
author may command (the workflow's first job, which holds no secret and a read-only token)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from optimizer.analysts.choice import choose_analyst
from optimizer.approve.authorize import check_author
from optimizer.approve.comment_commands import obey, read_event
from optimizer.commands.base import Echo, check_window, require_repo_dir
from optimizer.config import load_settings
from optimizer.errors import OptimizerError
from optimizer.gitops.hosts.target import GitHubTarget
from optimizer.propose.publish import Published, publish_run
from optimizer.propose.window import SelectionArgs, selection_from


def command_command(
    repo: Path,
    event_path: Path | None,
    args: SelectionArgs,
    analyst_name: str | None,
    echo: Echo,
    env: Mapping[str, str] = os.environ,
    *,
    only_check_author: bool = False,
) -> None:
    """`optimizer command`: obey the /optimizer command in the comment of an issue_comment event."""
    path = event_path or (Path(env["GITHUB_EVENT_PATH"]) if env.get("GITHUB_EVENT_PATH") else None)
    if path is None:
        raise OptimizerError("no event: pass --event FILE or set GITHUB_EVENT_PATH (GitHub Actions sets it)")
    require_repo_dir(repo)
    event = read_event(path)
    settings = load_settings(repo)
    if only_check_author:
        verdict = check_author(event, settings, env)
        _set_output(env, "allowed", "true" if verdict.allowed else "false")
        echo(verdict.line)
        return

    def refresh(agent: str, target: GitHubTarget) -> list[Published]:
        selection = selection_from(settings, replace(args, agent=agent))
        check_window(selection, "--window-hours" if args.window_hours is not None else "window.hours in optimizer.yaml")
        analyst = choose_analyst(analyst_name or settings.analyst, settings.claude)
        _analysis, _outcomes, published, errors = publish_run(settings, selection, analyst, target, None)
        if errors:
            raise OptimizerError("; ".join(errors))
        return published

    echo(obey(event, settings, env, refresh))


def _set_output(env: Mapping[str, str], name: str, value: str) -> None:
    """A step output for the workflow's later jobs, in the file GitHub Actions names ($GITHUB_OUTPUT)."""
    path = env.get("GITHUB_OUTPUT")
    if not path:
        return
    try:
        with Path(path).open("a", encoding="utf-8") as out:
            out.write(f"{name}={value}\n")
    except OSError as err:
        raise OptimizerError(f"{path}: cannot write the step output ($GITHUB_OUTPUT): {err}") from err
