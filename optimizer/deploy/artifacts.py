"""The deployable artifacts of a commit: every agent's soul and prompts, validated first."""

from __future__ import annotations

from optimizer.artifacts.files import RepoFiles
from optimizer.artifacts.loader import discover_agents, load_agent
from optimizer.artifacts.validate import validate_agent
from optimizer.deploy.errors import DeployError
from optimizer.deploy.model import Artifact

MAX_SHOWN = 3


def gather(files: RepoFiles) -> tuple[list[Artifact], list[str]]:
    """Every agent's soul and prompts in ``files``, sorted by agent and path, and the validation errors."""
    artifacts: list[Artifact] = []
    problems: list[str] = []
    for agent in discover_agents(files):
        loaded = load_agent(files, agent)
        problems.extend(str(issue) for issue in validate_agent(loaded) if issue.severity == "error")
        if loaded.soul is not None:
            artifacts.append(Artifact(agent, loaded.soul.path, "soul", loaded.soul.text))
        artifacts.extend(Artifact(agent, prompt.path, "prompt", prompt.text) for prompt in loaded.prompts)
    problems.extend(f"{a.path}: contains a NUL byte" for a in artifacts if "\0" in a.content)
    return sorted(artifacts, key=lambda a: (a.agent, a.path)), problems


def collect(files: RepoFiles, where: str) -> list[Artifact]:
    """The artifacts to deploy from the commit ``where``.

    An agent that fails validation (a soul breaking its schema, an unwritten FAQ answer, a missing
    placeholder) stops the deploy: what the agent runs must be what passed review.
    """
    artifacts, problems = gather(files)
    if problems:
        shown = "; ".join(problems[:MAX_SHOWN])
        more = f" (and {len(problems) - MAX_SHOWN} more)" if len(problems) > MAX_SHOWN else ""
        raise DeployError(f"refusing to deploy {where}: {shown}{more}. Fix them, commit, and deploy again.")
    if not artifacts:
        raise DeployError(f"nothing to deploy at {where}: no souls/<agent>.yaml and no prompts/<agent>/*.md")
    return artifacts
