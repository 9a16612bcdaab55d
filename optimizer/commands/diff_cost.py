"""`optimizer diff-cost`: what each edited prompt or soul costs per turn, before and after a change."""

from __future__ import annotations

from pathlib import Path

from optimizer.artifacts.turn_cost import compare
from optimizer.commands.base import Echo
from optimizer.config import load_settings
from optimizer.gitops.repo import AgentRepo
from optimizer.render.cost_preview import render_markdown


def diff_cost_command(repo: Path, base: str, head: str, echo: Echo) -> None:
    """Print the Markdown comparison of ``base`` and ``head`` (any commit-ish)."""
    settings = load_settings(repo)
    with AgentRepo(repo) as git_repo:
        before, after = git_repo.files_at(base), git_repo.files_at(head)
        preview = compare(before, after, settings.input_usd_per_mtok, before.sha[:12], after.sha[:12])
    echo(render_markdown(preview))
