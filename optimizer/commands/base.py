"""What every command shares: the ``echo`` it prints through, and the checks of its arguments."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from optimizer.config import Settings, load_settings
from optimizer.errors import OptimizerError
from optimizer.propose.window import Selection, SelectionArgs, selection_from

Echo = Callable[..., None]  # click.echo: (text, err=False)


def require_repo_dir(repo: Path) -> None:
    if not repo.is_dir():
        raise OptimizerError(f"{repo}: not a directory (pass the agent repo with --repo)")


def prepare(repo: Path, args: SelectionArgs) -> tuple[Settings, Selection]:
    """The repo's settings and the window the command line selected."""
    require_repo_dir(repo)
    settings = load_settings(repo)
    return settings, selection_from(settings, args)
