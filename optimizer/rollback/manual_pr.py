"""`optimizer rollback` when the repository publishes to GitHub (the target `optimizer run` uses):
branch ``optimizer-rollback/<agent>`` is built on the remote base branch, pushed with a lease, and
its pull request labelled ``rollback`` opened, or updated when one is open already.

The branch is force-pushed only while every commit on it (past the base) is a rollback commit:
a person's commit there means it is left alone.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack

from optimizer.config import Settings
from optimizer.deploy.errors import DeployError
from optimizer.gitops.branches import RESTORE_TRAILER, restore_branch
from optimizer.gitops.connection import connect_remote
from optimizer.gitops.hosts.target import GitHubTarget
from optimizer.gitops.repo import AgentRepo
from optimizer.rollback.auto import RollbackPull, push_rollback_pull
from optimizer.rollback.manual import RollbackPlan


def publish_rollback_pr(
    repo: AgentRepo,
    settings: Settings,
    target: GitHubTarget,
    plan_at: Callable[[str], RollbackPlan],
) -> tuple[str, tuple[str, ...]]:
    """Plan the rollback on the remote base branch's tip (``plan_at``), push it, open or update its PR.

    Returns the line for the log, and notes (a reviewer who could not be asked, say)."""
    with ExitStack() as stack:
        host, remote, base_branch, base_sha = connect_remote(stack, settings, target)
        plan = plan_at(base_sha)
        branch = restore_branch(plan.agent)
        tip = remote.fetch(branch)
        if tip and any(f"{RESTORE_TRAILER}:" not in commit.message for commit in repo.commits(base_sha, tip)):
            raise DeployError(
                f"branch {branch} in {target.repository} has commits that are not the optimizer's: "
                "merge or close its pull request and delete the branch, then roll back again"
            )
        built = repo.build_branch(base_sha, [plan.commit], branch, update_ref=False)
        want = RollbackPull(plan.agent, branch, base_branch, built.head_sha, tip, plan.title, plan.body())
        action, pull, notes = push_rollback_pull(host, remote, settings, want)
    head = built.head_sha[:12]
    line = f"{plan.agent}: {action} rollback pull request #{pull.number} {pull.url} (branch {branch} at {head})"
    return line, tuple(f"{plan.agent}: {note}" for note in notes)
