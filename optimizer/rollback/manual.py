"""A manual rollback, planned: the commit that restores one agent's files as they were at an earlier version.

A rollback is a commit like any other: it restores the agent's soul and prompts as they were at
the chosen version (by default the version deployed before the current one), on branch
``optimizer-rollback/<agent>`` ready for a pull request — or, with ``--push``, straight on the
base branch. The deploy workflow then ships it, and history shows who rolled back what and why.
"""

from __future__ import annotations

from dataclasses import dataclass

from optimizer.artifacts.constants import PROMPT_SUFFIX, PROMPTS_DIR, SOULS_DIR, soul_paths
from optimizer.artifacts.files import RepoFiles
from optimizer.deploy.errors import DeployError
from optimizer.deploy.registry import Registry
from optimizer.fmt import short_sha
from optimizer.gitops.branches import RESTORE_TRAILER
from optimizer.gitops.commits import PlannedCommit
from optimizer.render import markdown as md


@dataclass(frozen=True)
class RollbackArgs:
    agent: str
    to: str | None = None  # a commit; default: the version deployed before the current one
    push: bool = False
    reason: str | None = None
    target: str | None = None  # the registry the default version is read from


@dataclass(frozen=True)
class RollbackPlan:
    agent: str
    base_sha: str
    to_sha: str
    changes: dict[str, str]  # path -> text at to_sha
    reason: str | None

    @property
    def commit(self) -> PlannedCommit:
        lines = [f"optimizer({self.agent}): roll back to {short_sha(self.to_sha)}", ""]
        lines.append(f"Restore {', '.join(sorted(self.changes))} as they were at {self.to_sha}.")
        if self.reason:
            lines += ["", f"Reason: {' '.join(self.reason.split())}"]
        lines += ["", f"{RESTORE_TRAILER}: {self.agent} {self.to_sha}"]
        return PlannedCommit("\n".join(lines) + "\n", dict(self.changes))

    @property
    def title(self) -> str:
        return f"optimizer({self.agent}): roll back to {short_sha(self.to_sha)}"

    def body(self) -> str:
        rows = [[md.code(path, table=True), "restored"] for path in sorted(self.changes)]
        reason = " ".join(self.reason.split()) if self.reason else "not given (pass --reason)"
        return "\n".join(
            [
                f"Restores the soul and prompts of `{self.agent}` as they were at `{short_sha(self.to_sha)}`.",
                "",
                f"**Reason:** {md.text(reason)}",
                "",
                md.table(["File", "Change"], rows),
                "",
                "Merging ships it: the deploy workflow runs `optimizer deploy` on the base branch.",
                "",
                f"<!-- optimizer:rollback agent={self.agent} to={self.to_sha} base={self.base_sha} -->",
            ]
        )


def agent_files(files: RepoFiles, agent: str) -> dict[str, str]:
    """The agent's soul and prompts (path -> text) in ``files``."""
    paths = soul_paths(agent)
    paths = [path for path in paths if path in set(files.list_files(SOULS_DIR))]
    paths += [path for path in files.list_files(f"{PROMPTS_DIR}/{agent}") if path.endswith(PROMPT_SUFFIX)]
    found = {}
    for path in paths:
        text = files.read_text(path)
        if text is not None:
            found[path] = text
    return found


def plan_rollback(
    agent: str, base_sha: str, now: dict[str, str], then: dict[str, str], to_sha: str, reason: str | None
) -> RollbackPlan:
    """The commit that makes the agent's files at the base what they were at ``to_sha``. Pure."""
    if not then:
        raise DeployError(f"{agent} has no soul and no prompts at {short_sha(to_sha)}: nothing to roll back to")
    gone = sorted(set(now) - set(then))
    if gone:
        raise DeployError(
            f"rolling {agent} back to {short_sha(to_sha)} would delete {', '.join(gone)}, which a rollback commit "
            "cannot do yet; delete them in a commit of your own, or pick another version with --to"
        )
    changes = {path: text for path, text in then.items() if now.get(path) != text}
    if not changes:
        raise DeployError(
            f"{agent} at {short_sha(base_sha)} already has the files of {short_sha(to_sha)}: nothing to roll back"
        )
    return RollbackPlan(agent, base_sha, to_sha, changes, reason)


def previous_version(registry: Registry, agent: str) -> str:
    """The version deployed before the current one, from the registry's history."""
    releases = registry.releases(agent)
    if len(releases) < 2:
        raise DeployError(
            f"no earlier deployed version of {agent} in {registry.description}; "
            "pass the version to roll back to with --to SHA"
        )
    return releases[1].git_sha
