"""`optimizer status`: per agent, the version in git against the deployed one, and any drift.

The git version of an agent is the last commit that touched its soul or prompts; the deployed
version is the git SHA of its latest deploy. Drift is judged on content (sha256 per file), so a
deploy made from a later commit that did not touch the agent is still "in sync".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import git

from optimizer.artifacts.constants import PROMPTS_DIR, SOUL_SUFFIXES, SOULS_DIR
from optimizer.commands.deploy import short
from optimizer.config import load_settings
from optimizer.deploy.artifacts import gather
from optimizer.deploy.errors import DeployError
from optimizer.deploy.model import Artifact, Deployed, agent_versions
from optimizer.deploy.registry import open_registry
from optimizer.errors import GitError
from optimizer.fmt import NONE
from optimizer.gitops.repo import AgentRepo

Echo = Callable[..., None]


@dataclass(frozen=True)
class AgentStatus:
    agent: str
    git_version: str | None  # last commit touching the agent's files; None when not in git
    deployed_version: str | None
    changed: tuple[str, ...] = ()  # deployed with other content
    undeployed: tuple[str, ...] = ()  # in git, not deployed
    extra: tuple[str, ...] = ()  # deployed, no longer in git

    @property
    def state(self) -> str:
        if self.deployed_version is None:
            return "not deployed"
        if self.git_version is None:
            return "deployed, but gone from git"
        if not (self.changed or self.undeployed or self.extra):
            return "in sync"
        parts = [f"{len(self.changed)} changed", f"{len(self.undeployed)} new", f"{len(self.extra)} removed"]
        return "drift: " + ", ".join(parts)

    @property
    def in_sync(self) -> bool:
        return self.state == "in sync"


def compare(
    artifacts: list[Artifact], active: list[Deployed], git_versions: dict[str, str | None]
) -> list[AgentStatus]:
    """Per agent (in git or deployed): versions and the files that differ. Pure."""
    deployed = {(row.agent, row.path): row for row in active}
    versions = agent_versions(active)
    in_git = {(a.agent, a.path): a for a in artifacts}
    statuses = []
    for agent in sorted({a.agent for a in artifacts} | set(versions)):
        mine = [key for key in in_git if key[0] == agent]
        changed = tuple(
            p for (a, p) in mine if (a, p) in deployed and deployed[a, p].content_sha256 != in_git[a, p].sha256
        )
        undeployed = tuple(p for (a, p) in mine if (a, p) not in deployed)
        extra = tuple(p for (a, p) in deployed if a == agent and (a, p) not in in_git)
        version = versions.get(agent)
        statuses.append(
            AgentStatus(
                agent,
                git_versions.get(agent),
                version.git_sha if version else None,
                changed,
                undeployed,
                extra,
            )
        )
    return statuses


def last_commits(root: Path, sha: str, agents: list[str]) -> dict[str, str | None]:
    """Per agent, the last commit up to ``sha`` that touched its soul or prompts."""
    found: dict[str, str | None] = {}
    try:
        with git.Repo(root, search_parent_directories=True) as repo:
            for agent in agents:
                paths = [f"{SOULS_DIR}/{agent}{suffix}" for suffix in SOUL_SUFFIXES] + [f"{PROMPTS_DIR}/{agent}"]
                found[agent] = repo.git.log("-1", "--format=%H", sha, "--", *paths).strip() or None
    except git.GitCommandError as err:
        raise GitError(f"git failed to read the history of {root}: {' '.join(str(err.stderr).split())}") from err
    return found


def status_lines(statuses: list[AgentStatus]) -> list[str]:
    rows = [("agent", "git", "deployed", "state")]
    rows += [
        (
            s.agent,
            short(s.git_version) if s.git_version else NONE,
            short(s.deployed_version) if s.deployed_version else NONE,
            s.state,
        )
        for s in statuses
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    return [f"{a:<{widths[0]}}  {g:<{widths[1]}}  {d:<{widths[2]}}  {state}".rstrip() for a, g, d, state in rows]


def status_command(repo: Path, target: str | None, check: bool, echo: Echo) -> None:
    settings = load_settings(repo)
    with AgentRepo(repo) as git_repo:
        files = git_repo.files_at("HEAD")
        artifacts, _problems = gather(files)
        root = git_repo.root
    registry = open_registry(settings, target)
    git_versions = last_commits(root, files.sha, sorted({a.agent for a in artifacts}))
    statuses = compare(artifacts, registry.active(), git_versions)
    echo(f"HEAD {short(files.sha)} against {registry.description}:")
    if not statuses:
        echo("no agents in git and nothing deployed.")
        return
    for line in status_lines(statuses):
        echo(line)
    drifting = [s.agent for s in statuses if not s.in_sync]
    if drifting:
        echo(f"run `optimizer deploy` to ship HEAD ({', '.join(drifting)} differ).", err=True)
        if check:
            raise DeployError(f"{', '.join(drifting)}: deployed version differs from HEAD {short(files.sha)}")
