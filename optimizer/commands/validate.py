"""`optimizer validate`: check every soul and prompt (schema, placeholders, unwritten FAQ answers)."""

from __future__ import annotations

from pathlib import Path

from optimizer.artifacts.files import WorkingTreeFiles
from optimizer.artifacts.loader import discover_agents, load_agent
from optimizer.artifacts.validate import validate_agent
from optimizer.commands.base import Echo, require_repo_dir
from optimizer.config import load_settings
from optimizer.errors import ArtifactError, ValidationFailed


def validate_command(repo: Path, agent: str | None, echo: Echo) -> None:
    require_repo_dir(repo)
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
