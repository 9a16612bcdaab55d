"""`optimizer rollback AGENT [--to SHA]`: restore one agent's files as they were at an earlier version.

With a GitHub target (as `optimizer run` publishes), branch ``optimizer-rollback/<agent>`` is pushed
and its pull request opened or updated; without one, the branch is built here and the pull request
printed. ``--push`` commits straight on the base branch instead: it pushes the commit to the
remote's base branch (leased on the commit it was built on) and moves the local branch only when
no working tree has it checked out. Without a remote, a checked-out base branch is refused.
"""

from __future__ import annotations

from pathlib import Path

from optimizer.commands.base import Echo, base_branch
from optimizer.config import Settings, load_settings
from optimizer.deploy.errors import DeployError
from optimizer.deploy.registry import open_registry
from optimizer.fmt import short_sha
from optimizer.gitops.branches import restore_branch
from optimizer.gitops.commits import BuiltBranch
from optimizer.gitops.connection import publish_target
from optimizer.gitops.push import LeaseRejected, Remote, RemoteBranches
from optimizer.gitops.repo import AgentRepo
from optimizer.rollback.manual import (
    RollbackArgs,
    RollbackPlan,
    agent_files,
    plan_rollback,
    previous_version,
)
from optimizer.rollback.manual_pr import publish_rollback_pr


def rollback_command(repo: Path, args: RollbackArgs, echo: Echo) -> None:
    settings = load_settings(repo)
    target = None if args.push else publish_target(settings)
    with AgentRepo(repo) as git_repo:
        if target is not None:
            line, notes = publish_rollback_pr(
                git_repo, settings, target, lambda base_sha: _plan(git_repo, settings, args, base_sha)
            )
            echo(line)
            for note in notes:
                echo(note, err=True)
            return
        plan = _plan(git_repo, settings, args, git_repo.resolve_base(settings.base_branch))
        if args.push:
            _push(git_repo, settings, plan, echo)
            return
        branch = git_repo.build_branch(plan.base_sha, [plan.commit], restore_branch(args.agent), update_ref=True)
    _print_pr(plan, branch, echo)


def _plan(git_repo: AgentRepo, settings: Settings, args: RollbackArgs, base_sha: str) -> RollbackPlan:
    to = args.to or previous_version(open_registry(settings, args.target), args.agent)
    to_sha = git_repo.files_at(to).sha
    now = agent_files(git_repo.files_at(base_sha), args.agent)
    then = agent_files(git_repo.files_at(to_sha), args.agent)
    if not now and not then:
        raise DeployError(
            f"unknown agent {args.agent!r}: no soul and no prompts at {short_sha(base_sha)} or {short_sha(to_sha)}"
        )
    return plan_rollback(args.agent, base_sha, now, then, to_sha, args.reason)


def _print_pr(plan: RollbackPlan, branch: BuiltBranch, echo: Echo) -> None:
    echo(f"# {plan.title}\n")
    echo(plan.body())
    echo(f"\n---- diff: {branch.branch} (1 commit) ----\n")
    echo(branch.patch)
    echo(
        f"branch {branch.branch} -> {short_sha(branch.head_sha)}: open a pull request from it to ship the rollback.",
        err=True,
    )


def _push(git_repo: AgentRepo, settings: Settings, plan: RollbackPlan, echo: Echo) -> None:
    branch = base_branch(git_repo, settings)
    checked_out = git_repo.checked_out(branch)
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
                f"origin/{branch} is not at {short_sha(plan.base_sha)} any more: pull, then roll back again"
            ) from err
        finally:
            remote.close()
        echo(f"pushed {short_sha(built.head_sha)} to origin/{branch}: {plan.title}")
    if checked_out:
        echo(f"{branch} is checked out here, so it was left as it is: `git pull` to get the rollback.", err=True)
        return
    git_repo.move_branch(branch, built.head_sha, plan.base_sha, "rollback")
    echo(f"{branch} -> {short_sha(built.head_sha)}: {plan.title}")
