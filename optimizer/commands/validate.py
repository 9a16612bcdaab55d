"""`optimizer validate`: check every soul and prompt (schema, placeholders, unwritten FAQ answers)."""

from __future__ import annotations

from pathlib import Path

from optimizer.artifacts.files import WorkingTreeFiles
from optimizer.artifacts.loader import discover_agents, load_agent
from optimizer.artifacts.validate import unwritten_questions, validate_agent
from optimizer.commands.base import Echo, require_repo_dir
from optimizer.config import load_settings
from optimizer.errors import ArtifactError, ValidationFailed


def validate_command(repo: Path, agent: str | None, echo: Echo, base: str | None = None) -> None:
    """Print every issue; exit 1 on an error. With ``base`` (the pull request's base commit), an FAQ answer
    already unwritten there is a warning: one agent's merged gap never fails another agent's pull request."""
    require_repo_dir(repo)
    load_settings(repo)  # a broken optimizer.yaml is a validation error too
    files = WorkingTreeFiles(repo)
    agents = [agent] if agent else discover_agents(files)
    if not agents:
        raise ArtifactError(f"{repo}: no agents found: expected souls/<agent>.yaml or prompts/<agent>/*.md")
    unwritten_before = _unwritten_at(repo, base, agents) if base else {}
    errors = warnings = 0
    for name in agents:
        for issue in validate_agent(load_agent(files, name), unwritten_before.get(name, frozenset())):
            echo(str(issue))
            errors += issue.severity == "error"
            warnings += issue.severity == "warning"
    summary = f"{len(agents)} agent(s) checked: {errors} error(s), {warnings} warning(s)"
    if errors:
        raise ValidationFailed(summary)
    echo(summary)


def _unwritten_at(repo: Path, base: str, agents: list[str]) -> dict[str, frozenset[str]]:
    """Per agent, the FAQ questions unanswered at ``base``."""
    from optimizer.gitops.repo import AgentRepo  # GitPython loads only when --base asks for it

    with AgentRepo(repo) as git_repo:
        before = git_repo.files_at(base)
        return {name: unwritten_questions(load_agent(before, name).soul) for name in agents}
