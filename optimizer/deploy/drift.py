"""Drift: per agent, the version in git against the deployed one, judged on content (sha256 per
file), so a deploy made from a later commit that did not touch the agent is still "in sync". Pure.
"""

from __future__ import annotations

from dataclasses import dataclass

from optimizer.deploy.model import Artifact, Deployed, agent_versions
from optimizer.fmt import NONE, short_sha


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


def status_lines(statuses: list[AgentStatus]) -> list[str]:
    rows = [("agent", "git", "deployed", "state")]
    rows += [
        (
            s.agent,
            short_sha(s.git_version) if s.git_version else NONE,
            short_sha(s.deployed_version) if s.deployed_version else NONE,
            s.state,
        )
        for s in statuses
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    return [f"{a:<{widths[0]}}  {g:<{widths[1]}}  {d:<{widths[2]}}  {state}".rstrip() for a, g, d, state in rows]
