"""What every command shares: the ``echo`` it prints through, and the checks of its arguments."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from optimizer.config import MAX_WINDOW_HOURS, Settings, load_settings
from optimizer.errors import GitError, OptimizerError
from optimizer.propose.window import Selection, SelectionArgs, selection_from

if TYPE_CHECKING:  # a type only: `analyze` loads no git
    from optimizer.gitops.repo import AgentRepo

Echo = Callable[..., None]  # click.echo: (text, err=False)


def require_repo_dir(repo: Path) -> None:
    if not repo.is_dir():
        raise OptimizerError(f"{repo}: not a directory (pass the agent repo with --repo)")


def prepare(repo: Path, args: SelectionArgs) -> tuple[Settings, Selection]:
    """The repo's settings and the window the command line selected."""
    require_repo_dir(repo)
    settings = load_settings(repo)
    selection = selection_from(settings, args)
    check_window(selection, "--window-hours" if args.window_hours is not None else "window.hours in optimizer.yaml")
    return settings, selection


def check_window(selection: Selection, origin: str) -> None:
    """A window of finite, sane length that starts and ends on the calendar."""
    hours = selection.window_hours
    if not math.isfinite(hours) or not 0 < hours <= MAX_WINDOW_HOURS:
        raise OptimizerError(f"{origin}: {hours:g} is not a number of hours between 0 and {MAX_WINDOW_HOURS}")
    try:
        selection.now - timedelta(hours=hours)
    except OverflowError as err:
        raise OptimizerError(
            f"--now {selection.now.isoformat()}: the {hours:g}-hour window before it starts before year 1"
        ) from err


def base_branch(git_repo: AgentRepo, settings: Settings) -> str:
    """``base_branch`` in optimizer.yaml, else the branch checked out."""
    branch = settings.base_branch or git_repo.current_branch()
    if branch is None:
        raise GitError("HEAD is detached: set base_branch in optimizer.yaml to the branch the agent deploys from")
    return branch
