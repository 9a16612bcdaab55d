"""May this comment's author command the optimizer? Decided before anything holds a secret or a write token.

The commands workflow's first job runs this with a read-only token and no secrets: it reads the
author's permission on the repository (``GET /repos/{owner}/{repo}/collaborators/{username}/permission``)
and says yes only for write, maintain or admin. Only then does the job that holds the write token, the
App token and the secrets start, so a comment from anyone else reaches none of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from optimizer.approve.comment_commands import CommentEvent, not_a_command
from optimizer.config import Settings
from optimizer.errors import OptimizerError
from optimizer.gitops.connection import publish_target
from optimizer.gitops.hosts.base import WRITE_PERMISSIONS
from optimizer.gitops.hosts.github import connect


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    line: str  # one line for the log: what was decided and why


def judge(event: CommentEvent, role: str) -> Verdict:
    """The verdict on a command from an author whose role on the repository is ``role``. Pure."""
    if role in WRITE_PERMISSIONS:
        return Verdict(True, f"#{event.number}: @{event.author} has {role} access: the command may run")
    return Verdict(False, f"#{event.number}: @{event.author} has {role} access, not write: the command does not run")


def check_author(event: CommentEvent, settings: Settings, env: Mapping[str, str]) -> Verdict:
    """Read the author's role from the repository the event (or optimizer.yaml) names, and judge it."""
    reason = not_a_command(event)
    if reason is not None:
        return Verdict(False, reason)
    target = publish_target(settings, env, event.repository)
    if target is None:
        raise OptimizerError("no GitHub repository: set github.repository in optimizer.yaml or GITHUB_REPOSITORY")
    host = connect(target, throttle=settings.github.throttle)
    try:
        return judge(event, host.permission(event.author))
    finally:
        host.close()
