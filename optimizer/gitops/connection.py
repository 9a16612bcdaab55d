"""Reaching the code host a repository publishes to: which repository it is (from optimizer.yaml, the
environment or the origin remote), and the host and the remote connected, with the base branch's tip.
Publishing, the `/optimizer` commands and `optimizer rollback` all connect this one way.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from contextlib import ExitStack

from optimizer.config import Settings
from optimizer.errors import GitError
from optimizer.gitops.hosts.base import CodeHost
from optimizer.gitops.hosts.github import connect
from optimizer.gitops.hosts.target import GitHubTarget, resolve_target
from optimizer.gitops.push import Remote, RemoteBranches
from optimizer.gitops.repo import AgentRepo


def publish_target(
    settings: Settings, env: Mapping[str, str] = os.environ, event_repository: str | None = None
) -> GitHubTarget | None:
    """Where this repo publishes; None when it has no GitHub repository (no config, no env, no origin)."""
    with AgentRepo(settings.repo) as repo:
        origin = repo.remote_url()
    return resolve_target(settings.github, env, origin, event_repository)


def connect_remote(
    stack: ExitStack, settings: Settings, target: GitHubTarget
) -> tuple[CodeHost, RemoteBranches, str, str]:
    """The host, the remote (both closed with ``stack``), the base branch and its tip on the remote."""
    host = connect(target, throttle=settings.github.throttle)
    stack.callback(host.close)
    remote = RemoteBranches(settings.repo, Remote(host.push_url(), target.token))
    stack.callback(remote.close)
    base_branch = settings.base_branch or host.default_branch()
    base_sha = remote.fetch(base_branch)
    if base_sha is None:
        raise GitError(f"base branch {base_branch!r} does not exist in {target.repository}.")
    return host, remote, base_branch, base_sha
