"""Auto-rollback: when the newest version hurt, the revert of the commit that introduced it.

The revert is a real ``git revert -m 1`` of the merge (plain revert of a one-parent commit) on
top of the base branch, built with plumbing (the user's checkout is never touched), on branch
``optimizer/rollback-<agent>``, as a pull request labelled ``rollback`` with the evidence. It is
merged only when ``measure.auto_merge_rollback`` is on. One pull request per reverted version,
ever: a later run that finds one (open, merged or closed) for the same version leaves it be.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from optimizer.config import Settings
from optimizer.errors import GitError
from optimizer.gitops.branches import REVERT_TRAILER, revert_branch
from optimizer.gitops.commits import BuiltBranch
from optimizer.gitops.hosts.base import CodeHost, PullExists, PullRequest
from optimizer.gitops.push import LeaseRejected, RemoteBranches
from optimizer.gitops.repo import AgentRepo
from optimizer.history.markers import parse_revert
from optimizer.measure.baseline import same_commit
from optimizer.measure.effects import AgentMeasurement
from optimizer.render.revert_body import revert_body, revert_title

ALLOWED = ("prompts/", "souls/")  # the bot writes nowhere else, a revert included
LABEL = "rollback"
RACED = "another run opened it a moment ago"


@dataclass(frozen=True)
class Rollback:
    """The revert this run proposes for one agent, or why it could not build one."""

    agent: str
    version: str  # the reverted commit (its full SHA when the repository has it)
    title: str
    body: str
    branch: BuiltBranch | None = None
    refused: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "branch": self.branch.branch if self.branch else None,
            "head_sha": self.branch.head_sha if self.branch else None,
            "refused": self.refused,
        }


def plan_rollback(
    repo: AgentRepo, base_sha: str, measured: AgentMeasurement, *, update_ref: bool, auto_merge: bool
) -> Rollback | None:
    """None unless the measurement says revert; with ``update_ref`` the local branch moves too."""
    m = measured.measurement
    if not m.decision.revert or m.culprit is None:
        return None
    agent, version = measured.agent, m.culprit.prompt_version
    try:
        full = repo.files_at(version).sha
        subject = repo.subject(full)
    except GitError as err:
        why = f"version {version} is not a commit of this repository ({err}); revert it by hand."
        return Rollback(agent, version, revert_title(agent, version, measured), "", refused=why)
    title, body = revert_title(agent, full, measured), revert_body(agent, full, subject, measured, auto_merge)
    note = f"{m.decision.summary()}\n\n{REVERT_TRAILER}: {agent} {full}"
    try:
        branch = repo.build_revert(base_sha, full, revert_branch(agent), note, allowed=ALLOWED, update_ref=update_ref)
    except GitError as err:
        return Rollback(agent, full, title, body, refused=str(err))
    return Rollback(agent, full, title, body, branch)


@dataclass(frozen=True)
class RollbackPublished:
    agent: str
    action: str  # how the run's log says it: "opened rollback pull request", "rollback left alone", ...
    pull: PullRequest | None = None
    notes: tuple[str, ...] = ()

    @property
    def proposed(self) -> bool:
        """This run opened the pull request (the webhook hears of it)."""
        return self.action.startswith("opened")


def publish_rollback(
    host: CodeHost,
    remote: RemoteBranches,
    repo: AgentRepo,
    settings: Settings,
    base: tuple[str, str],
    rollback: Rollback,
) -> RollbackPublished:
    """Push the revert branch and open its pull request, unless this version's revert was proposed before.

    ``base``: the base branch's name and the commit the revert was built on.
    """
    agent, branch = rollback.agent, revert_branch(rollback.agent)
    pulls = host.pulls_from(branch, settings.github.history_limit)
    for pull in pulls:
        marker = parse_revert(pull.body)
        if marker and marker.get("agent") == agent and same_commit(marker["version"], rollback.version):
            state = "merged" if pull.merged else pull.state
            note = f"the revert of {rollback.version[:12]} was proposed in #{pull.number} ({state}): not again"
            return RollbackPublished(agent, "rollback already proposed in", pull, (note,))
    still_open = next((pull for pull in pulls if pull.state == "open"), None)
    if still_open is not None:
        note = f"rollback pull request #{still_open.number} is still open: one at a time, decide on it first"
        return RollbackPublished(agent, "rollback left alone: another one is open,", still_open, (note,))
    if rollback.branch is None:
        return RollbackPublished(agent, "rollback not proposed", notes=(rollback.refused or "",))
    tip = remote.fetch(branch)
    if tip and any(REVERT_TRAILER not in commit.message for commit in repo.commits(base[1], tip)):
        note = f"branch {branch} has commits that are not the optimizer's: delete it to let the optimizer use it"
        return RollbackPublished(agent, "rollback left alone", notes=(note,))
    head = rollback.branch.head_sha
    try:
        action, pull, notes = push_rollback_pull(
            host, remote, settings, RollbackPull(agent, branch, base[0], head, tip, rollback.title, rollback.body)
        )
    except PullExists:
        return RollbackPublished(agent, "rollback left alone:", host.open_pull(branch), (RACED,))
    if action == "updated":
        return RollbackPublished(agent, "rollback left alone:", pull, (RACED,))
    if settings.measure.auto_merge_rollback:
        merged = host.merge_pull(pull.number, head)
        note = f"merged as {merged[:12]} (measure.auto_merge_rollback is on)"
        return RollbackPublished(agent, "opened and merged rollback pull request", pull, (*notes, note))
    return RollbackPublished(agent, "opened rollback pull request", pull, tuple(notes))


@dataclass(frozen=True)
class RollbackPull:
    """A rollback branch to push and the pull request to open for it."""

    agent: str
    branch: str
    base_branch: str
    head: str  # the commit to push
    tip: str | None  # where the remote branch was read at: the push's lease (None: must not exist)
    title: str
    body: str


def push_rollback_pull(
    host: CodeHost, remote: RemoteBranches, settings: Settings, want: RollbackPull
) -> tuple[str, PullRequest, tuple[str, ...]]:
    """Push the branch (leased on ``want.tip``), then update its open pull request or open one labelled
    ``rollback``: ("opened" | "updated", the pull request, notes). ``PullExists``: another run opened it."""
    try:
        remote.push(want.head, want.branch, expect=want.tip)
    except LeaseRejected as err:
        raise GitError(f"branch {want.branch} changed on the remote meanwhile; read it again and retry.") from err
    existing = host.open_pull(want.branch)
    if existing is not None:
        host.update_pull(existing.number, title=want.title, body=want.body)
        return "updated", existing, ()
    pull = host.create_pull(want.branch, want.base_branch, want.title, want.body)
    host.add_labels(pull.number, [LABEL, f"optimizer:{want.agent}"])
    notes = host.request_reviewers(pull.number, list(settings.github.reviewers))
    host.add_assignees(pull.number, list(settings.github.assignees))
    return "opened", pull, tuple(notes)
