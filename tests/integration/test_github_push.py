"""Pushes and fetches over git's smart HTTP to the local GitHub, with the token supplied per command."""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path

import pytest

from optimizer.errors import GitError
from optimizer.gitops.hosts.secret import Secret
from optimizer.gitops.push import REMOTE_REFS, LeaseRejected, Remote, RemoteBranches
from tests.fakes.github.fixtures import BOT, BOT_TOKEN, clean_env_fixture, github_fixture  # noqa: F401 (fixtures)


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout.strip()


@pytest.fixture
def checkout(tmp_path, github) -> Path:
    """A local repo with two commits; main is on the remote, the second commit is not."""
    work = tmp_path / "work"
    git(tmp_path, "init", "-q", "-b", "main", str(work))
    git(work, "commit", "-q", "--allow-empty", "-m", "base")
    git(work, "push", "-q", str(github.git.path), "main")
    git(work, "commit", "-q", "--allow-empty", "-m", "proposal")
    return work


def branches(checkout: Path, github, token: str = BOT_TOKEN) -> RemoteBranches:
    return RemoteBranches(checkout, Remote(github.clone_url, Secret(token)))


def test_push_and_fetch_with_the_token_in_a_header_never_stored(checkout, github):
    remote = branches(checkout, github)
    head = git(checkout, "rev-parse", "HEAD")

    assert remote.tip("optimizer/frontdesk") is None
    remote.push(head, "optimizer/frontdesk", expect=None)

    assert github.git.sha("optimizer/frontdesk") == head
    assert remote.fetch("optimizer/frontdesk") == head
    assert git(checkout, "rev-parse", f"{REMOTE_REFS}/optimizer/frontdesk") == head
    assert [r.user for r in github.requests if r.path.endswith("git-receive-pack")] == [BOT]
    stored = (checkout / ".git" / "config").read_text() + git(checkout, "config", "--list", "--show-origin")
    assert BOT_TOKEN not in stored and "extraheader" not in stored.lower()


def test_the_lease_refuses_to_overwrite_what_this_run_did_not_read(checkout, github):
    remote = branches(checkout, github)
    base = git(checkout, "rev-parse", "HEAD~1")
    head = git(checkout, "rev-parse", "HEAD")
    remote.push(base, "optimizer/frontdesk", expect=None)

    with pytest.raises(LeaseRejected):
        remote.push(head, "optimizer/frontdesk", expect=None)  # it exists now: another run was first
    with pytest.raises(LeaseRejected):
        remote.push(head, "optimizer/frontdesk", expect=head)  # not where this run saw it
    remote.push(head, "optimizer/frontdesk", expect=base)

    assert github.git.sha("optimizer/frontdesk") == head


def test_a_wrong_token_fails_without_a_prompt_and_without_showing_the_token(checkout, github):
    wrong = "ghp_" + "z" * 36

    with pytest.raises(GitError) as caught:
        branches(checkout, github, wrong).push(git(checkout, "rev-parse", "HEAD"), "optimizer/frontdesk", expect=None)

    assert "git failed to" in str(caught.value)
    assert wrong not in str(caught.value)
    assert base64.b64encode(f"x-access-token:{wrong}".encode()).decode() not in str(caught.value)
    assert github.git.sha("optimizer/frontdesk") is None


def test_a_header_left_by_a_checkout_step_is_replaced_for_the_command(checkout, github):
    # What actions/checkout leaves with persist-credentials: the default token's header in .git/config.
    stale = base64.b64encode(b"x-access-token:ghs_default_token_without_rights").decode()
    git(checkout, "config", f"http.{github.web_url}/.extraheader", f"AUTHORIZATION: basic {stale}")

    branches(checkout, github).push(git(checkout, "rev-parse", "HEAD"), "optimizer/frontdesk", expect=None)

    assert [r.user for r in github.requests if r.path.endswith("git-receive-pack")] == [BOT]
