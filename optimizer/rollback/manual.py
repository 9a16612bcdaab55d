"""`optimizer rollback AGENT [--to SHA]`: revert one agent's files to an earlier version, by git.

A rollback is a commit like any other: it restores the agent's soul and prompts as they were at
the chosen version (by default the version deployed before the current one), on branch
``optimizer-rollback/<agent>`` ready for a pull request — or, with ``--push``, straight on the
base branch. The deploy workflow then ships it, and history shows who rolled back what and why.

``--push`` never moves a branch that is checked out: it pushes the commit to the remote's base
branch (leased on the commit it was built on) and moves the local branch only when no working
tree has it checked out. Without a remote, a checked-out base branch is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import git

from optimizer.artifacts.constants import PROMPT_SUFFIX, PROMPTS_DIR, SOUL_SUFFIXES, SOULS_DIR
from optimizer.artifacts.files import RepoFiles
from optimizer.commands.deploy import short
from optimizer.config import Settings, load_settings
from optimizer.deploy.errors import DeployError
from optimizer.deploy.registry import open_registry
from optimizer.errors import GitError
from optimizer.gitops.push import LeaseRejected, Remote, RemoteBranches
from optimizer.gitops.repo import AgentRepo, BuiltBranch, PlannedCommit
from optimizer.propose.publish import publish_target
from optimizer.render import markdown as md
from optimizer.rollback.manual_pr import TRAILER, publish_rollback_pr, rollback_branch

Echo = Callable[..., None]


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
        lines = [f"optimizer({self.agent}): roll back to {short(self.to_sha)}", ""]
        lines.append(f"Restore {', '.join(sorted(self.changes))} as they were at {self.to_sha}.")
        if self.reason:
            lines += ["", f"Reason: {' '.join(self.reason.split())}"]
        lines += ["", f"{TRAILER}: {self.agent} {self.to_sha}"]
        return PlannedCommit("\n".join(lines) + "\n", dict(self.changes))

    @property
    def title(self) -> str:
        return f"optimizer({self.agent}): roll back to {short(self.to_sha)}"

    def body(self) -> str:
        rows = [[md.code(path, table=True), "restored"] for path in sorted(self.changes)]
        reason = " ".join(self.reason.split()) if self.reason else "not given (pass --reason)"
        return "\n".join(
            [
                f"Restores the soul and prompts of `{self.agent}` as they were at `{short(self.to_sha)}`.",
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
    paths = [f"{SOULS_DIR}/{agent}{suffix}" for suffix in SOUL_SUFFIXES]
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
        raise DeployError(f"{agent} has no soul and no prompts at {short(to_sha)}: nothing to roll back to")
    gone = sorted(set(now) - set(then))
    if gone:
        raise DeployError(
            f"rolling {agent} back to {short(to_sha)} would delete {', '.join(gone)}, which a rollback commit "
            "cannot do yet; delete them in a commit of your own, or pick another version with --to"
        )
    changes = {path: text for path, text in then.items() if now.get(path) != text}
    if not changes:
        raise DeployError(
            f"{agent} at {short(base_sha)} already has the files of {short(to_sha)}: nothing to roll back"
        )
    return RollbackPlan(agent, base_sha, to_sha, changes, reason)


def default_target(settings: Settings, args: RollbackArgs) -> str:
    """The version deployed before the current one, from the registry's history."""
    registry = open_registry(settings, args.target)
    releases = registry.releases(args.agent)
    if len(releases) < 2:
        raise DeployError(
            f"no earlier deployed version of {args.agent} in {registry.description}; "
            "pass the version to roll back to with --to SHA"
        )
    return releases[1].git_sha


def rollback_command(repo: Path, args: RollbackArgs, echo: Echo) -> None:
    """With a GitHub target (as `optimizer run` publishes), the branch is pushed and its pull request
    opened or updated; without one, the branch is built here and the pull request printed."""
    settings = load_settings(repo)
    target = None if args.push else publish_target(settings)
    with AgentRepo(repo) as git_repo:
        if target is not None:
            publish_rollback_pr(
                git_repo, settings, target, lambda base_sha: _plan(git_repo, settings, args, base_sha), echo
            )
            return
        plan = _plan(git_repo, settings, args, git_repo.resolve_base(settings.base_branch))
        if args.push:
            _push(git_repo, settings, plan, echo)
            return
        branch = git_repo.build_branch(plan.base_sha, [plan.commit], rollback_branch(args.agent), update_ref=True)
    _print_pr(plan, branch, echo)


def _plan(git_repo: AgentRepo, settings: Settings, args: RollbackArgs, base_sha: str) -> RollbackPlan:
    to_sha = git_repo.files_at(args.to or default_target(settings, args)).sha
    now = agent_files(git_repo.files_at(base_sha), args.agent)
    then = agent_files(git_repo.files_at(to_sha), args.agent)
    if not now and not then:
        raise DeployError(
            f"unknown agent {args.agent!r}: no soul and no prompts at {short(base_sha)} or {short(to_sha)}"
        )
    return plan_rollback(args.agent, base_sha, now, then, to_sha, args.reason)


def _print_pr(plan: RollbackPlan, branch: BuiltBranch, echo: Echo) -> None:
    echo(f"# {plan.title}\n")
    echo(plan.body())
    echo(f"\n---- diff: {branch.branch} (1 commit) ----\n")
    echo(branch.patch)
    echo(
        f"branch {branch.branch} -> {short(branch.head_sha)}: open a pull request from it to ship the rollback.",
        err=True,
    )


def _base_branch(root: Path, settings: Settings) -> str:
    if settings.base_branch:
        return settings.base_branch
    with git.Repo(root) as repo:
        if repo.head.is_detached:
            raise DeployError(
                "HEAD is detached: set base_branch in optimizer.yaml to the branch the agent deploys from"
            )
        return repo.active_branch.name


def _checked_out(root: Path, branch: str) -> bool:
    with git.Repo(root) as repo:
        listing = repo.git.worktree("list", "--porcelain")
    return f"branch refs/heads/{branch}" in listing.splitlines()


def _push(git_repo: AgentRepo, settings: Settings, plan: RollbackPlan, echo: Echo) -> None:
    branch = _base_branch(git_repo.root, settings)
    checked_out = _checked_out(git_repo.root, branch)
    url = git_repo.remote_url("origin")
    if checked_out and url is None:
        raise DeployError(
            f"{branch} is checked out in {git_repo.root} and there is no origin remote: rollback --push will not "
            "commit under your working tree. Run it without --push (a branch and a PR), or check out another branch."
        )
    built = git_repo.build_branch(plan.base_sha, [plan.commit], branch, update_ref=False)
    if url is not None:
        remote = RemoteBranches(git_repo.root, Remote(url))
        try:
            remote.push(built.head_sha, branch, expect=plan.base_sha)
        except LeaseRejected as err:
            raise DeployError(
                f"origin/{branch} is not at {short(plan.base_sha)} any more: pull, then roll back again"
            ) from err
        finally:
            remote.close()
        echo(f"pushed {short(built.head_sha)} to origin/{branch}: {plan.title}")
    if checked_out:
        echo(f"{branch} is checked out here, so it was left as it is: `git pull` to get the rollback.", err=True)
        return
    _move_branch(git_repo.root, branch, built.head_sha, plan.base_sha)
    echo(f"{branch} -> {short(built.head_sha)}: {plan.title}")


def _move_branch(root: Path, branch: str, new: str, old: str) -> None:
    """Point the (not checked-out) branch at ``new``, only if it is still at ``old``."""
    try:
        with git.Repo(root) as repo:
            repo.git.update_ref("-m", "optimizer: rollback", f"refs/heads/{branch}", new, old)
    except git.GitCommandError as err:
        raise GitError(f"git failed to move {branch} in {root}: {' '.join(str(err.stderr).split())}") from err
