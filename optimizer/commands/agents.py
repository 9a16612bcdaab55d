"""`optimizer agents`: the agents in the repo, e.g. for the daily workflow's one-job-per-agent matrix."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from optimizer.artifacts.files import WorkingTreeFiles
from optimizer.artifacts.loader import discover_agents
from optimizer.errors import OptimizerError, UnknownAgentError


def list_agents(repo: Path, agent: str | None = None) -> list[str]:
    """Every agent in ``repo``, sorted; with ``agent``, just that one after checking it exists."""
    if not repo.is_dir():
        raise OptimizerError(f"{repo}: not a directory (pass the agent repo with --repo)")
    agents = discover_agents(WorkingTreeFiles(repo))
    if agent is None:
        return agents
    if agent not in agents:
        known = ", ".join(agents) or "none (no souls/*.yaml and no prompts/<agent>/*.md)"
        raise UnknownAgentError(f"unknown agent {agent!r} in {repo}; known agents: {known}")
    return [agent]


def agents_command(repo: Path, agent: str | None, output_format: str, echo: Callable[..., None]) -> None:
    agents = list_agents(repo, agent)
    if output_format == "json":
        echo(json.dumps(agents))  # one line: the workflow writes it to $GITHUB_OUTPUT as is
    elif agents:
        echo("\n".join(agents))
